"""Telegram forwarding latency: an alert submitted (as right after ``Engine.ingest``) until its
``sendMessage`` request reaches a local fake Bot API. Rate limits off, digests off.

Two shapes of load, 1,000 alerts each:

* paced: one alert every 2 ms (500/s, far above any real alert rate): the latency target
  (p99 < 50 ms) applies here;
* burst: all 1,000 submitted at once (one huge ingest); the figures show queueing behind a
  single chat's sequential sends, and the drain rate.

Also prints the cost of ``submit()`` itself, which the UI loop pays.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake Bot API lives with the tests

from fakes.telegram_api import CANARY_TOKEN, FakeBotApi, serve_in_thread  # noqa: E402
from liqterm.config.schema import TelegramConfig, TelegramKinds  # noqa: E402
from liqterm.engine.alerts import Alert, Priority  # noqa: E402
from liqterm.telegram.forwarder import Forwarder  # noqa: E402
from liqterm.telegram.secret import Secret  # noqa: E402
from liqterm.telegram.tuning import Tuning  # noqa: E402

ALERTS = 1_000
WARM_UP = 20
PACE_S = 0.002
CHAT = 1001


def _alert(i: int) -> Alert:
    return Alert(
        kind="whale",
        priority=Priority.HIGH,
        asset="BTC",
        key="whale:BTC:long",
        text=f"bench #{i}: BTC long $1.2M on binance",
        at_ms=1_767_000_000_000 + i,
        side="long",
        usd=1_200_000.0,
        venues=("binance",),
    )


def _config(api_url: str) -> TelegramConfig:
    return TelegramConfig(
        enabled=True,
        chat_ids=(CHAT,),
        min_priority="info",
        kinds=TelegramKinds(whale=True),
        digest_after=10**9,
        api_url=api_url,
        per_chat_per_s=0,
        per_group_per_min=0,
        global_per_s=0,
    )


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _run(api: FakeBotApi, pace_s: float | None) -> tuple[list[float], float, list[float]]:
    """Latencies (ms), seconds from first submit to last arrival, submit() costs (µs)."""
    with tempfile.TemporaryDirectory() as tmp:
        forwarder = Forwarder(
            _config(api.url),
            Secret(CANARY_TOKEN),
            outbox_path=Path(tmp) / "outbox.sqlite3",
            tuning=Tuning(commands=False),
        )
        await forwarder.start()
        # Warm up: the first request pays httpx's lazy imports and the TCP connect.
        for i in range(WARM_UP):
            forwarder.submit(_alert(-1 - i))
        await _wait_for(api, WARM_UP)
        alerts = [_alert(i) for i in range(ALERTS)]
        submitted: dict[str, float] = {}
        costs = []
        for alert in alerts:
            started = time.perf_counter()
            forwarder.submit(alert)
            costs.append((time.perf_counter() - started) * 1e6)
            submitted[_tag(alert.text)] = started
            if pace_s is not None:
                await asyncio.sleep(pace_s)
        await _wait_for(api, WARM_UP + ALERTS)
        await forwarder.stop()
    arrivals = {_tag(r.payload["text"]): r.at for r in api.requests if r.method == "sendMessage"}
    latencies = [(arrivals[tag] - at) * 1000 for tag, at in submitted.items()]
    span = max(arrivals[tag] for tag in submitted) - min(submitted.values())
    api.requests.clear()
    api.sent.clear()
    return latencies, span, costs


async def _wait_for(api: FakeBotApi, count: int) -> None:
    # The fake runs on its own thread and loop, so poll its list rather than await it.
    deadline = time.monotonic() + 120
    while len(api.sent) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(api.sent)} of {count} messages arrived")
        await asyncio.sleep(0.005)


def _tag(text: str) -> str:
    return text[text.index("bench #") :].split(":")[0]


def _report(name: str, latencies: list[float], span: float, costs: list[float]) -> None:
    print(
        f"{name:<6} n={len(latencies)}  latency ms: p50 {statistics.median(latencies):6.2f}  "
        f"p99 {_percentile(latencies, 0.99):7.2f}  max {max(latencies):7.2f}   "
        f"{len(latencies) / span:6.0f} msg/s   submit() µs: p50 "
        f"{statistics.median(costs):.1f} p99 {_percentile(costs, 0.99):.1f}"
    )


def main() -> None:
    """Print p50/p99 submit→fake-server latency for paced and burst load."""
    # The fake Bot API gets its own thread and event loop, as a remote server would be.
    with serve_in_thread(FakeBotApi(CANARY_TOKEN)) as api:
        paced = asyncio.run(_run(api, pace_s=PACE_S))
        burst = asyncio.run(_run(api, pace_s=None))
    print(
        "telegram forwarder: submit() → sendMessage at a local fake Bot API "
        "(no rate limits, no digests, outbox on disk)"
    )
    print(f"paced = one alert every {PACE_S * 1000:g} ms; burst = {ALERTS} alerts in one go")
    _report("paced", *paced)
    _report("burst", *burst)
    p99 = _percentile(paced[0], 0.99)
    print(f"target p99 < 50 ms (paced): {'met' if p99 < 50 else 'MISSED'} ({p99:.2f} ms)")


if __name__ == "__main__":
    main()
