"""Chat commands: parsing, /alerts start|stop|status, /help, strangers ignored, offsets kept."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from fakes.telegram_api import STRANGER_CHAT, USER_CHAT, FakeBotApi, check_html
from liqterm.config.schema import TelegramConfig
from liqterm.engine.alerts import Alert
from liqterm.engine.snapshot import EngineSnapshot, SessionInfo, WhaleStats
from liqterm.model import Liquidation, Side
from liqterm.telegram.commands import Command, parse_command, snapshot_status
from liqterm.telegram.forwarder import Forwarder
from liqterm.telegram.status import TelegramState
from liqterm.telegram.tuning import Tuning

Config = Callable[..., TelegramConfig]
Make = Callable[..., Forwarder]


def test_parse_command() -> None:
    assert parse_command("/alerts stop", "Bot") == Command("alerts", "stop")
    assert parse_command("/alerts@bot STATUS", "Bot") == Command("alerts", "status")
    assert parse_command("/alerts@other stop", "Bot") is None
    assert parse_command("/alerts", "Bot") == Command("alerts", "")
    assert parse_command("/alerts dance", "Bot") == Command("alerts", "")
    assert parse_command("/help", None) == Command("help")
    assert parse_command("/start", "Bot") == Command("help")
    assert parse_command("/weather", "Bot") is None
    assert parse_command("/weather@bot", "Bot") == Command("help")
    assert parse_command("hello", "Bot") is None
    assert parse_command("", "Bot") is None


def test_snapshot_status_names_session_and_whales() -> None:
    big = Liquidation("bybit", "BTCUSDT", "BTC", Side.LONG, 60_000.0, 50.0, 3_000_000.0, 1, 2)
    snapshot = EngineSnapshot(
        at_ms=0,
        seq=1,
        session=SessionInfo("us", 1.0, 0, "asian", 2 * 3_600_000 + 13 * 60_000),
        whales_all=WhaleStats("*", 14, 34_200_000.0, 12_000_000.0, "long", big, big),
    )
    found = snapshot_status(lambda: snapshot)()
    assert found["Session"].startswith("us (×1 thresholds; asian in 2 h 13 min)")
    assert "14 whale liquidations, long $34.20M / short $12.00M, long dominant" in found["Whales 24 h"]
    assert "largest $3.00M long BTC on bybit" in found["Whales 24 h"]
    assert snapshot_status(lambda: None)() == {}


async def _reply(api: FakeBotApi, count: int) -> str:
    await api.wait_sent(count)
    return api.sent[count - 1].text


async def test_commands_from_a_configured_chat(
    fake_api: FakeBotApi,
    tg_config: Config,
    make_forwarder: Make,
    make_alert: Callable[..., Alert],
    tuning: Callable[..., Tuning],
) -> None:
    provider = lambda: {"Session": "us <b>", "Whales 24 h": "3 whales"}  # noqa: E731
    forwarder = make_forwarder(tg_config(), tuning=tuning(commands=True), status_provider=provider)
    async with forwarder:
        await fake_api.push_message(USER_CHAT, "/help")
        assert "/alerts stop" in await _reply(fake_api, 1)

        await fake_api.push_message(USER_CHAT, "/alerts stop")
        assert "paused" in await _reply(fake_api, 2)
        assert forwarder.status.state is TelegramState.PAUSED
        forwarder.submit(make_alert(text="not while paused"))
        await fake_api.push_message(USER_CHAT, "/alerts status")
        status = await _reply(fake_api, 3)
        assert check_html(status)[0] == ""
        assert "<b>liqterm alerts</b>: paused · this chat: paused" in status
        assert "Session: us &lt;b&gt;" in status and "Whales 24 h: 3 whales" in status
        assert "Queue: 0 waiting" in status

        await fake_api.push_message(USER_CHAT, "/alerts start")
        assert "on" in await _reply(fake_api, 4)
        forwarder.submit(make_alert(text="after resume"))
        assert "after resume" in await _reply(fake_api, 5)
    assert not any("not while paused" in t for t in fake_api.texts())
    assert forwarder.status.skipped_paused == 1


async def test_strangers_get_no_answer_and_are_counted(
    fake_api: FakeBotApi,
    tg_config: Config,
    make_forwarder: Make,
    tuning: Callable[..., Tuning],
) -> None:
    async with make_forwarder(tg_config(), tuning=tuning(commands=True)) as forwarder:
        await fake_api.push_message(STRANGER_CHAT, "/alerts stop")
        await fake_api.push_message(STRANGER_CHAT, "/alerts status", kind="channel_post")
        await fake_api.push_message(USER_CHAT, "/help")
        await fake_api.wait_sent(1)
        await asyncio.sleep(0.05)
        status = forwarder.status
    assert [s.chat_id for s in fake_api.sent] == [USER_CHAT]
    assert status.ignored_updates == 2
    assert status.state is TelegramState.ON  # the stranger's /alerts stop did nothing


async def test_pause_and_offset_survive_a_restart(
    fake_api: FakeBotApi,
    tg_config: Config,
    make_forwarder: Make,
    make_alert: Callable[..., Alert],
    tuning: Callable[..., Tuning],
) -> None:
    polling = tuning(commands=True)
    async with make_forwarder(tg_config(), tuning=polling):
        await fake_api.push_message(USER_CHAT, "/alerts stop")
        await fake_api.wait_sent(1)
    assert fake_api.offsets[0] is None

    fake_api.offsets.clear()
    async with make_forwarder(tg_config(), tuning=polling) as again:
        await fake_api.wait_requests("getUpdates", 3)
        assert again.status.state is TelegramState.PAUSED
        again.submit(make_alert())
    assert fake_api.offsets[0] == 2  # the stored offset: "/alerts stop" is not answered twice
    assert len(fake_api.sent) == 1


async def test_old_commands_are_not_answered(
    fake_api: FakeBotApi,
    tg_config: Config,
    make_forwarder: Make,
    tuning: Callable[..., Tuning],
) -> None:
    async with make_forwarder(tg_config(max_age_s=60), tuning=tuning(commands=True)):
        await fake_api.push_message(USER_CHAT, "/alerts stop", date=int(time.time()) - 3600)
        await fake_api.push_message(USER_CHAT, "/help")
        await fake_api.wait_sent(1)
    assert len(fake_api.sent) == 1 and "/alerts" in fake_api.sent[0].text


async def test_conflict_is_reported_and_alerts_still_flow(
    fake_api: FakeBotApi,
    tg_config: Config,
    make_forwarder: Make,
    make_alert: Callable[..., Alert],
    tuning: Callable[..., Tuning],
) -> None:
    fake_api.fail(
        "getUpdates", 409, description="Conflict: terminated by other getUpdates request", times=1000
    )
    async with make_forwarder(tg_config(), tuning=tuning(commands=True)) as forwarder:
        await fake_api.wait_requests("getUpdates", 2)
        assert forwarder.status.state is TelegramState.ON
        assert "another program is reading this bot's updates" in forwarder.status.reason
        forwarder.submit(make_alert(text="still sent"))
        await fake_api.wait_sent(1)
