"""Telegram forwarding latency: an alert submitted (as right after ``Engine.ingest``) until its
``sendMessage`` request reaches a local fake Bot API (in a child process, like a remote
server). Rate limits off, digests off; the outbox is a real SQLite file.

Three shapes of load, 1,000 alerts each:

* paced: one alert every 5 ms (200/s: nearly 7× the 30 messages/s Telegram allows a bot in
  total, so more than the forwarder could ever be asked to send). The target, p99 < 50 ms,
  applies here: it measures the forwarder's own latency, not a queue.
* stress: one every 2 ms (500/s), close to what one chat's sequential sends can drain on a
  small machine; queueing shows up when something else takes the CPU.
* burst: all 1,000 at once (one huge ingest): queueing behind one chat, and the drain rate.

Also prints the cost of ``submit()`` itself, which the UI loop pays.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake Bot API lives with the tests

from fakes.telegram_api import CANARY_TOKEN  # noqa: E402
from liqterm.config.schema import TelegramConfig, TelegramKinds  # noqa: E402
from liqterm.engine.alerts import Alert, Priority  # noqa: E402
from liqterm.telegram.forwarder import Forwarder  # noqa: E402
from liqterm.telegram.secret import Secret  # noqa: E402
from liqterm.telegram.tuning import Tuning  # noqa: E402

ALERTS = 1_000
WARM_UP = 20
PACE_S = 0.005
STRESS_S = 0.002
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


class FakeServerProcess:
    """The fake Bot API in a child process, as a remote server would be: its work does not
    compete with the forwarder for the event loop or the GIL."""

    def __init__(self) -> None:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "fakes.telegram_api", CANARY_TOKEN],
            cwd=ROOT / "tests",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._child.stdin is not None and self._child.stdout is not None
        self._stdin, self._stdout = self._child.stdin, self._child.stdout
        self.url = f"http://127.0.0.1:{int(self._stdout.readline())}"

    def arrivals(self) -> dict[str, float]:
        """``perf_counter()`` (system-wide monotonic) at arrival, by alert tag; then forgets."""
        self._stdin.write("arrivals\n")
        self._stdin.flush()
        return {_tag(text): at for text, at in json.loads(self._stdout.readline())}

    def close(self) -> None:
        self._stdin.close()
        self._child.wait(10)


async def _run(server: FakeServerProcess, pace_s: float | None) -> tuple[list[float], float, list[float]]:
    """Latencies (ms), seconds from first submit to last arrival, submit() costs (µs)."""
    with tempfile.TemporaryDirectory() as tmp:
        forwarder = Forwarder(
            _config(server.url),
            Secret(CANARY_TOKEN),
            outbox_path=Path(tmp) / "outbox.sqlite3",
            tuning=Tuning(commands=False),
        )
        await forwarder.start()
        # Warm up: the first request pays httpx's lazy imports and the TCP connect.
        for i in range(WARM_UP):
            forwarder.submit(_alert(-1 - i))
        await _sent(forwarder, WARM_UP)
        submitted: dict[str, float] = {}
        costs = []
        for alert in [_alert(i) for i in range(ALERTS)]:
            started = time.perf_counter()
            forwarder.submit(alert)
            costs.append((time.perf_counter() - started) * 1e6)
            submitted[_tag(alert.text)] = started
            if pace_s is not None:
                await asyncio.sleep(pace_s)
        await _sent(forwarder, WARM_UP + ALERTS)
        await forwarder.stop()
    arrivals = server.arrivals()
    latencies = [(arrivals[tag] - at) * 1000 for tag, at in submitted.items()]
    span = max(arrivals[tag] for tag in submitted) - min(submitted.values())
    return latencies, span, costs


async def _sent(forwarder: Forwarder, count: int) -> None:
    deadline = time.monotonic() + 120
    while forwarder.status.messages_sent < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {forwarder.status.messages_sent} of {count} messages were sent")
        await asyncio.sleep(0.005)


def _tag(text: str) -> str:
    return text[text.index("bench #") :].split(":")[0]


def _report(name: str, latencies: list[float], span: float, costs: list[float]) -> None:
    print(
        f"{name:<14} n={len(latencies)}  latency ms: p50 {statistics.median(latencies):6.2f}  "
        f"p99 {_percentile(latencies, 0.99):7.2f}  max {max(latencies):7.2f}   "
        f"{len(latencies) / span:6.0f} msg/s   submit() µs: p50 "
        f"{statistics.median(costs):.1f} p99 {_percentile(costs, 0.99):.1f}"
    )


def main() -> None:
    """Print p50/p99 submit→fake-server latency for paced and burst load."""
    server = FakeServerProcess()
    try:
        paced = asyncio.run(_run(server, pace_s=PACE_S))
        stress = asyncio.run(_run(server, pace_s=STRESS_S))
        burst = asyncio.run(_run(server, pace_s=None))
    finally:
        server.close()
    print(
        "telegram forwarder: submit() → sendMessage at a local fake Bot API "
        "(no rate limits, no digests, outbox on disk)"
    )
    print(
        f"paced = one alert every {PACE_S * 1000:g} ms, stress = every {STRESS_S * 1000:g} ms, "
        f"burst = {ALERTS} alerts in one go"
    )
    _report("paced", *paced)
    _report("stress", *stress)
    _report("burst", *burst)
    p99 = _percentile(paced[0], 0.99)
    print(f"target p99 < 50 ms (paced): {'met' if p99 < 50 else 'MISSED'} ({p99:.2f} ms)")


if __name__ == "__main__":
    main()
