"""The forwarder end to end against the fake Bot API: order, limits, retries, digests, restarts."""

from __future__ import annotations

import asyncio
import itertools
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from fakes.telegram_api import CANARY_TOKEN, FakeBotApi, check_html
from fakes.telegram_api import GROUP_CHAT as GROUP
from fakes.telegram_api import USER_CHAT as USER
from liqterm.config.schema import TelegramConfig
from liqterm.engine.alerts import Alert, Priority
from liqterm.telegram.client import Timeouts
from liqterm.telegram.forwarder import Forwarder
from liqterm.telegram.outbox import SENDING, Outbox
from liqterm.telegram.status import ChatState, TelegramState
from liqterm.telegram.tuning import Tuning

Config = Callable[..., TelegramConfig]
Make = Callable[..., Forwarder]
MakeAlert = Callable[..., Alert]


async def wait_until(predicate: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


async def test_critical_goes_before_high_before_normal(
    fake_api: FakeBotApi, tg_config: Config, make_forwarder: Make, make_alert: MakeAlert
) -> None:
    forwarder = make_forwarder(tg_config(per_chat_per_s=50))
    normal = [make_alert("large", Priority.NORMAL, text=f"normal {i}") for i in range(3)]
    high = [make_alert("whale", Priority.HIGH, text=f"high {i}") for i in range(2)]
    critical = [make_alert("cascade_warning", Priority.CRITICAL, text=f"critical {i}") for i in range(2)]
    for item in [*normal, *high, *critical]:  # submitted before start, in the worst order
        forwarder.submit(item)
    async with forwarder:
        sent = await fake_api.wait_sent(7)
    order = [next(w for w in ("critical", "high", "normal") if w in s.text) for s in sent]
    assert order == ["critical"] * 2 + ["high"] * 2 + ["normal"] * 3
    assert all(check_html(s.text)[0] == "" for s in sent)
    assert forwarder.status.messages_sent == 7


async def test_rate_limits_are_respected_at_the_server(
    fake_api: FakeBotApi, tg_config: Config, make_forwarder: Make, make_alert: MakeAlert
) -> None:
    chat_gap, group_gap, global_gap = 0.05, 0.1, 0.025
    config = tg_config(
        chat_ids=(USER, GROUP),
        per_chat_per_s=1 / chat_gap,
        per_group_per_min=60 / group_gap,
        global_per_s=1 / global_gap,
    )
    async with make_forwarder(config) as forwarder:
        for i in range(6):
            forwarder.submit(make_alert(text=f"burst {i}"))
        sent = await fake_api.wait_sent(12)
    for chat, gap in ((USER, chat_gap), (GROUP, group_gap)):
        times = [s.at for s in sent if s.chat_id == chat]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert min(gaps) > 0.6 * gap, (chat, gaps)  # arrival jitter, never a burst
        assert times[-1] - times[0] >= 0.95 * gap * (len(times) - 1)
    every = sorted(s.at for s in sent)
    assert min(b - a for a, b in itertools.pairwise(every)) > 0.6 * global_gap


async def test_429_retry_after_is_honoured(
    fake_api: FakeBotApi, tg_config: Config, make_forwarder: Make, make_alert: MakeAlert
) -> None:
    fake_api.fail("sendMessage", 429, description="Too Many Requests: retry after 0.3", retry_after=0.3)
    async with make_forwarder(tg_config()) as forwarder:
        forwarder.submit(make_alert(text="slow down"))
        await fake_api.wait_requests("sendMessage", 1)
        await wait_until(lambda: forwarder.status.chats[0].state is ChatState.RETRYING)
        assert "slow down (429)" in forwarder.status.chats[0].reason
        await fake_api.wait_sent(1)
        await wait_until(lambda: forwarder.status.chats[0].state is ChatState.OK)
    attempts = [r.at for r in fake_api.requests if r.method == "sendMessage"]
    assert len(attempts) == 2 and attempts[1] - attempts[0] >= 0.29
    assert fake_api.texts() == [fake_api.sent[0].text] and "slow down" in fake_api.sent[0].text


async def test_5xx_is_retried_with_growing_backoff(
    fake_api: FakeBotApi, tg_config: Config, make_forwarder: Make, make_alert: MakeAlert
) -> None:
    fake_api.fail("sendMessage", 500, times=3)
    async with make_forwarder(tg_config()) as forwarder:
        forwarder.submit(make_alert(text="eventually"))
        await fake_api.wait_sent(1)
    attempts = [r.at for r in fake_api.requests if r.method == "sendMessage"]
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    assert len(attempts) == 4
    # base 0.02 s, doubling, equal jitter: at least 0.01, 0.02, 0.04 s
    assert gaps[0] >= 0.009 and gaps[1] >= 0.019 and gaps[2] >= 0.039
    assert len(fake_api.sent) == 1 and forwarder.status.state is TelegramState.ON


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_no_network_then_recovery(
    tg_config: Config, make_forwarder: Make, make_alert: MakeAlert
) -> None:
    port = _free_port()
    api = FakeBotApi(CANARY_TOKEN, port=port)
    config = tg_config(api_url=f"http://127.0.0.1:{port}")
    async with make_forwarder(config) as forwarder:
        forwarder.submit(make_alert(text="after the outage"))
        await wait_until(lambda: forwarder.status.state is TelegramState.FAILING)
        assert "cannot reach 127.0.0.1" in forwarder.status.reason
        async with api:
            await api.wait_sent(1)
            await wait_until(lambda: forwarder.status.state is TelegramState.ON)
    assert "after the outage" in api.sent[0].text


@pytest.mark.parametrize(
    ("status", "description", "words"),
    [
        (403, "Forbidden: bot was kicked from the supergroup chat", "may not post"),
        (400, "Bad Request: chat not found", "was refused"),
    ],
)
async def test_refused_chat_stops_others_go_on(
    fake_api: FakeBotApi,
    tg_config: Config,
    make_forwarder: Make,
    make_alert: MakeAlert,
    status: int,
    description: str,
    words: str,
) -> None:
    fake_api.chat_errors[GROUP] = (status, description)
    async with make_forwarder(tg_config(chat_ids=(USER, GROUP))) as forwarder:
        for i in range(3):
            forwarder.submit(make_alert(text=f"keep going {i}"))
        await fake_api.wait_sent(3)
        await wait_until(lambda: forwarder.status.chats[1].state is ChatState.STOPPED)
        forwarder.submit(make_alert(text="later"))
        await fake_api.wait_sent(4)
        status_now = forwarder.status
    assert [s.chat_id for s in fake_api.sent] == [USER] * 4
    assert sum(r.payload.get("chat_id") == GROUP for r in fake_api.requests) == 1
    assert status_now.state is TelegramState.ON
    assert words in status_now.chats[1].reason and description in status_now.chats[1].reason
    assert f"chat {GROUP}" in status_now.reason
    assert status_now.failed == 3 and status_now.skipped_paused == 1


async def test_only_chat_refused_is_failing(
    fake_api: FakeBotApi, tg_config: Config, make_forwarder: Make, make_alert: MakeAlert
) -> None:
    fake_api.chat_errors[USER] = (400, "Bad Request: chat not found")
    async with make_forwarder(tg_config()) as forwarder:
        forwarder.submit(make_alert())
        await wait_until(lambda: forwarder.status.state is TelegramState.FAILING)
        assert "chat not found" in forwarder.status.reason


async def test_rejected_token_halts_and_keeps_the_queue(
    tg_config: Config, make_forwarder: Make, make_alert: MakeAlert, tmp_path: Path
) -> None:
    async with FakeBotApi("123456789:some-other-token-xxxxxxx") as api:
        config = tg_config(api_url=api.url)
        async with make_forwarder(config) as forwarder:
            forwarder.submit(make_alert())
            forwarder.submit(make_alert())
            await wait_until(lambda: forwarder.status.state is TelegramState.FAILING)
            assert forwarder.status.reason.startswith("the bot token was rejected (401")
            await asyncio.sleep(0.05)
    assert sum(r.method == "sendMessage" for r in api.requests) == 1  # no hammering
    box = Outbox(tmp_path / "outbox.sqlite3")
    assert len(box.waiting()) == 2  # still there for when the token is fixed
    box.close()


async def test_burst_of_1000_becomes_digests_without_losing_counts(
    fake_api: FakeBotApi, tg_config: Config, make_forwarder: Make, make_alert: MakeAlert
) -> None:
    config = tg_config(digest_after=5, per_chat_per_s=100)
    forwarder = make_forwarder(config)
    venues = ("binance", "bybit", "okx", "bitget")
    plan = [("BTC", 600), ("ETH", 300), ("SOL", 90)]
    for asset, count in plan:
        for i in range(count):
            forwarder.submit(
                make_alert(
                    "whale" if i % 2 else "large",
                    Priority.HIGH if i % 2 else Priority.NORMAL,
                    asset=asset,
                    side="long" if i % 4 else "short",
                    usd=100_000.0,
                    venue=venues[i % 4],
                )
            )
    for i in range(10):
        forwarder.submit(make_alert("institutional", Priority.CRITICAL, asset="DOGE", text=f"critical {i}"))
    async with forwarder:
        sent = await fake_api.wait_sent(13)
        await asyncio.sleep(0.05)
    assert len(fake_api.sent) == 13
    assert all("critical" in s.text for s in sent[:10])
    digests = {s.text.split("</b>")[0].split("<b>")[1]: s.text for s in sent[10:]}
    assert set(digests) == {"BTC", "ETH", "SOL"}
    for asset, count in plan:
        text = digests[asset]
        assert check_html(text)[0] == ""
        assert f"{count} alerts merged" in text
        assert "on 4 venues" in text
    assert "450 long liquidations, $45.00M; 150 short liquidations, $15.00M" in digests["BTC"]
    status = forwarder.status
    assert status.alerts_sent == 1000 and status.digests == 3 and status.messages_sent == 13


async def test_restart_sends_what_waited_exactly_once(
    fake_api: FakeBotApi,
    tg_config: Config,
    make_forwarder: Make,
    make_alert: MakeAlert,
    tmp_path: Path,
) -> None:
    config = tg_config(per_chat_per_s=4)  # slow: most alerts still wait at stop()
    alerts = [make_alert(text=f"restart {i}") for i in range(6)]
    first = make_forwarder(config)
    async with first:
        for item in alerts:
            first.submit(item)
        await fake_api.wait_sent(1)
    assert len(fake_api.sent) < 6
    # A crash in the middle of a send leaves a row "sending": it must not be sent again.
    box = Outbox(tmp_path / "outbox.sqlite3")
    waiting = box.waiting()
    box.mark([waiting[0].key], SENDING)
    box.close()

    second = make_forwarder(tg_config())
    async with second:
        for item in alerts:  # the app re-submitting the same alerts changes nothing
            second.submit(item)
        await fake_api.wait_sent(5)
        await asyncio.sleep(0.1)
        status = second.status
    texts = fake_api.texts()
    assert len(texts) == 5 and len(set(texts)) == 5
    assert status.unconfirmed == 1 and status.queued == 0


async def test_restart_after_max_age_expires_and_counts(
    fake_api: FakeBotApi, tg_config: Config, make_forwarder: Make, make_alert: MakeAlert
) -> None:
    config = tg_config(per_chat_per_s=2, max_age_s=60)
    async with make_forwarder(config) as first:
        for i in range(4):
            first.submit(make_alert(text=f"stale {i}"))
        await fake_api.wait_sent(1)
    later = make_forwarder(config, wall_clock=lambda: time.time() + 120)
    async with later:
        await wait_until(lambda: later.status.expired == 3)
    assert len(fake_api.sent) == 1


async def test_broken_connection_after_send_is_not_resent(
    fake_api: FakeBotApi, tg_config: Config, make_forwarder: Make, make_alert: MakeAlert
) -> None:
    fake_api.fail("sendMessage", drop=True)
    async with make_forwarder(tg_config()) as forwarder:
        forwarder.submit(make_alert(text="maybe arrived"))
        await wait_until(lambda: forwarder.status.unconfirmed == 1)
        forwarder.submit(make_alert(text="next one"))
        await fake_api.wait_sent(1)
    assert "next one" in fake_api.sent[0].text
    assert sum("maybe arrived" in r.payload.get("text", "") for r in fake_api.requests) == 1


async def test_hanging_server_does_not_block_stop(
    fake_api: FakeBotApi,
    tg_config: Config,
    make_forwarder: Make,
    make_alert: MakeAlert,
    tuning: Callable[..., Tuning],
) -> None:
    fake_api.fail("sendMessage", hang=True, times=100)
    slow = tuning(timeouts=Timeouts(connect=0.5, request=30.0), stop_grace_s=0.2)
    forwarder = make_forwarder(tg_config(), tuning=slow)
    await forwarder.start()
    forwarder.submit(make_alert())
    await fake_api.wait_requests("sendMessage", 1)
    started = time.monotonic()
    await forwarder.stop()  # the request would hang for 30 s: stop waits only the grace
    assert time.monotonic() - started < 1.0
    await forwarder.stop()  # a second stop is a no-op


async def test_filtered_alerts_are_not_queued(
    fake_api: FakeBotApi, tg_config: Config, make_forwarder: Make, make_alert: MakeAlert
) -> None:
    forwarder = make_forwarder(tg_config(min_priority="high"))
    forwarder.submit(make_alert("large", Priority.NORMAL))
    assert forwarder.status.queued == 0
    forwarder.submit(make_alert("whale", Priority.HIGH))
    assert forwarder.status.queued == 1


async def test_unusable_outbox_is_a_failing_status_not_a_crash(
    tg_config: Config, make_forwarder: Make, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    forwarder = make_forwarder(tg_config(), outbox_path=blocker / "outbox.sqlite3")
    await forwarder.start()
    status = forwarder.status
    await forwarder.stop()
    assert status.state is TelegramState.FAILING
    assert status.reason.startswith(f"cannot open the outbox {blocker / 'outbox.sqlite3'}")


async def test_refused_markup_is_resent_as_plain_text(
    fake_api: FakeBotApi, tg_config: Config, make_forwarder: Make, make_alert: MakeAlert
) -> None:
    fake_api.fail("sendMessage", 400, description="Bad Request: can't parse entities: oops")
    async with make_forwarder(tg_config()) as forwarder:
        forwarder.submit(make_alert(asset="PEPE", text="a <b> & c"))
        sent = await fake_api.wait_sent(1)
    status = forwarder.status  # after stop(): the answer has been read
    assert sent[0].parse_mode is None
    assert "PEPE" in sent[0].text and "a <b> & c" in sent[0].text and "<b>" in sent[0].text
    assert status.state is TelegramState.ON and status.alerts_sent == 1


def test_status_label() -> None:
    from liqterm.telegram.status import TelegramStatus

    assert TelegramStatus.off().label == "telegram off"
    assert TelegramStatus(TelegramState.ON, queued=3).label == "telegram on · 3 queued"
    assert TelegramStatus.failing("no token").label == "telegram failing: no token"
