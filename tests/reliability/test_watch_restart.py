"""``liqterm watch`` killed with SIGKILL and started again forwards no alert twice.

The real command, as a server would run it: a fake Binance feed and a fake Telegram Bot API on
127.0.0.1, the state store and the Telegram outbox in a temporary data folder. The first run
forwards a BTC whale and is killed. After the restart the venue (a new server on the same
address, as after an outage) sends a second BTC long whale 10 s after the first, inside its
60 s cooldown, which only a restored cooldown holds back, and then an ETH whale, which is
forwarded. Telegram receives two messages, each once.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path

from fault_table import record

from fakes.telegram_api import CANARY_TOKEN, FakeBotApi
from liqterm.demo.servers import FakeVenueServer
from liqterm.demo.servers.encode import encode_event
from liqterm.model import Liquidation, Side
from liqterm.recording import RecordedFrame

CHAT = 4242


def _whale(asset: str, side: Side, price: float, usd: float, at_ms: int) -> RecordedFrame:
    event = Liquidation("binance", f"{asset}USDT", asset, side, price, usd / price, usd, at_ms, 0)
    return RecordedFrame(at_ms, "binance", encode_event("binance", event) or "")


def _config(path: Path, venue_url: str, api_url: str) -> Path:
    path.write_text(
        f"""
[venues.binance]
url = "{venue_url}"

[thresholds.sessions]        # one scale all week: the classes must not depend on when this runs
asian = 1.0
european = 1.0
us = 1.0
weekend = 1.0

[telegram]
enabled = true
chat_ids = [{CHAT}]
api_url = "{api_url}"
per_chat_per_s = 100.0

[telegram.kinds]
cross_venue = false
cascade_warning = false
""",
        encoding="utf-8",
    )
    return path


async def _watch(config: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "liqterm.cli", "--config", str(config), "watch", "--venues", "binance",
        "--offline-instruments", "--json",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_watch_killed_and_restarted_sends_no_alert_twice(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LIQTERM_TELEGRAM_TOKEN", CANARY_TOKEN)
    now = time.time_ns() // 1_000_000
    before = [_whale("BTC", Side.LONG, 107_000.0, 1_300_000.0, now)]
    after = [
        _whale("BTC", Side.LONG, 106_900.0, 1_200_000.0, now + 10_000),  # same key, 10 s later
        _whale("ETH", Side.SHORT, 3_800.0, 600_000.0, now + 10_500),
    ]
    async with FakeBotApi(CANARY_TOKEN) as api:
        async with FakeVenueServer("binance", before, speed=1.0) as venue:
            config = _config(tmp_path / "config.toml", venue.url, api.url)
            first = await _watch(config)
            await api.wait_sent(1, within=20.0)
            await asyncio.sleep(1.5)  # the state store commits at least twice a second
            first.kill()  # SIGKILL: no shutdown code runs
            await first.wait()
        async with FakeVenueServer("binance", after, speed=1.0, port=venue.port) as venue:
            second = await _watch(config)
            await api.wait_sent(2, within=20.0)
            await asyncio.sleep(2.0)  # room for a third message, should one be coming
            assert venue.stats.frames_sent == 2
            second.send_signal(signal.SIGTERM)
            async with asyncio.timeout(10):
                out, err = await second.communicate()
    assert second.returncode == 0, err.decode()
    assert b"\x07" not in out + err  # whale alerts ring the bell in the app, never in watch
    texts = [message.text for message in api.sent]
    assert len(texts) == 2, texts
    assert "BTC" in texts[0] and "ETH" in texts[1]
    assert all(CANARY_TOKEN not in text for text in texts)
    record(
        "process",
        "liqterm watch",
        "SIGKILL after a forwarded alert, restart served the same event again",
        "the restored engine knows the event and its cooldown: each alert reached Telegram once",
        alerts=len(texts),
    )
