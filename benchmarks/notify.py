"""Notification latency: an alert handed to the notifier (as the pipeline's sink gets it) until its
webhook request reaches a local server (Apprise's ``json://``, in a child process like a remote
service), beside Telegram's forwarder measured the same way in the same run.

Spacing off, digests off; the outbox is a real SQLite file. 1,000 alerts per shape:

* paced: one alert every 5 ms (200/s, far more than any service takes). The target,
  p99 < 50 ms, applies here, as for Telegram: the notifier's own latency, not a queue.
* burst: all 1,000 at once: the drain rate of one destination (each post a fresh
  connection, as Apprise makes it, on its own thread).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the local webhook server lives with the tests
sys.path.insert(0, str(ROOT / "benchmarks"))

import telegram as telegram_bench  # noqa: E402
from liqterm.config.schema import NotifyConfig  # noqa: E402
from liqterm.engine.alerts import Alert, Priority  # noqa: E402
from liqterm.notify import Notifier, NotifyTuning, build_notifier  # noqa: E402

ALERTS = 1_000
WARM_UP = 20
PACE_S = 0.005


def _alert(i: int) -> Alert:
    return Alert(
        kind="whale",
        priority=Priority.HIGH,
        asset="BTC",
        key=f"whale:BTC:{i}",
        text=f"bench #{i}: BTC long $1.2M on binance",
        at_ms=1_767_000_000_000 + i,
        side="long",
        usd=1_200_000.0,
        venues=("binance",),
    )


class WebhookProcess:
    """The local webhook server in a child process (its work does not compete for our GIL)."""

    def __init__(self) -> None:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "fakes.webhook_server"],
            cwd=ROOT / "tests",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._child.stdin is not None and self._child.stdout is not None
        self._stdin, self._stdout = self._child.stdin, self._child.stdout
        self.url = f"json://127.0.0.1:{int(self._stdout.readline())}/hook"

    def arrivals(self) -> dict[str, float]:
        self._stdin.write("arrivals\n")
        self._stdin.flush()
        return {_tag(text): at for text, at in json.loads(self._stdout.readline())}

    def close(self) -> None:
        self._stdin.close()
        self._child.wait(10)


async def _run(server: WebhookProcess, pace_s: float | None) -> tuple[list[float], float, list[float]]:
    """Latencies (ms), seconds from first hand-over to last arrival, on_alerts() costs (µs)."""
    spec = NotifyConfig(url=server.url, name="bench", min_priority="info", per_minute=0.0, digest_after=10**9)
    with tempfile.TemporaryDirectory() as tmp:
        notifier, _ = build_notifier((spec,), outbox_path=Path(tmp) / "notify.sqlite3", tuning=NotifyTuning())
        assert notifier is not None
        await notifier.start()
        for i in range(WARM_UP):  # Apprise's plugin imports and the first connection
            notifier.on_alerts([_alert(-1 - i)], None)
        await _sent(notifier, WARM_UP)
        server.arrivals()
        submitted: dict[str, float] = {}
        costs = []
        for alert in [_alert(i) for i in range(ALERTS)]:
            started = time.perf_counter()
            notifier.on_alerts([alert], None)
            costs.append((time.perf_counter() - started) * 1e6)
            submitted[_tag(alert.text)] = started
            if pace_s is not None:
                await asyncio.sleep(pace_s)
        await _sent(notifier, WARM_UP + ALERTS)
        await notifier.stop()
    arrivals = server.arrivals()
    latencies = [(arrivals[tag] - at) * 1000 for tag, at in submitted.items()]
    span = max(arrivals[tag] for tag in submitted) - min(submitted.values())
    return latencies, span, costs


async def _sent(notifier: Notifier, count: int) -> None:
    deadline = time.monotonic() + 180
    while notifier.status.alerts_sent < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {notifier.status.alerts_sent} of {count} alerts were sent")
        await asyncio.sleep(0.005)


def _tag(text: str) -> str:
    return text[text.index("bench #") :].split(":")[0]


def main() -> None:
    """Print p50/p99 hand-over→webhook latency (paced, burst) beside Telegram's paced figure."""
    server = WebhookProcess()
    try:
        paced = asyncio.run(_run(server, pace_s=PACE_S))
        burst = asyncio.run(_run(server, pace_s=None))
    finally:
        server.close()
    bot = telegram_bench.FakeServerProcess()
    try:
        telegram_paced = asyncio.run(telegram_bench._run(bot, pace_s=telegram_bench.PACE_S))
    finally:
        bot.close()
    print("notify (Apprise json:// webhook) and Telegram: alert → request at a local server, same run")
    print(f"paced = one alert every {PACE_S * 1000:g} ms, burst = {ALERTS} alerts in one go")
    telegram_bench._report("webhook paced", *paced)
    telegram_bench._report("webhook burst", *burst)
    telegram_bench._report("telegram paced", *telegram_paced)
    p99 = telegram_bench._percentile(paced[0], 0.99)
    tg = telegram_bench._percentile(telegram_paced[0], 0.99)
    print(
        f"target p99 < 50 ms (webhook, paced): {'met' if p99 < 50 else 'MISSED'} "
        f"({p99:.2f} ms; Telegram {tg:.2f} ms)"
    )
    print(f"webhook burst throughput: {len(burst[0]) / burst[1]:.0f} alerts/s (one destination)")


if __name__ == "__main__":
    main()
