"""The notifier as a child process the kill -9 test can SIGKILL. Not a test module.

``python notify_child.py URL OUTBOX COUNT`` builds a notifier with one JSON webhook at URL,
submits COUNT distinct alerts (the same ones every run, as an app that raised them again
would), writes ``{"t": "started"}`` and sends. After SIGTERM it stops and writes
``{"t": "final", "unconfirmed": n, "sent": n}``.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

from liqterm.config.schema import NotifyConfig
from liqterm.engine.alerts import Alert, Priority
from liqterm.notify import NotifyTuning, build_notifier


def emit(record: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def alerts(count: int) -> list[Alert]:
    return [
        Alert(
            "whale", Priority.HIGH, "BTC", f"whale:BTC:{i}", f"kill9 {i}", 1_767_000_000_000 + i, "long", 1e6
        )
        for i in range(count)
    ]


async def main(url: str, outbox: Path, count: int) -> None:
    spec = NotifyConfig(url=url, name="hook", min_priority="info", per_minute=0.0, digest_after=10**6)
    tuning = NotifyTuning(backoff_base_s=0.02, backoff_cap_s=0.05, stop_grace_s=1.0)
    notifier, _ = build_notifier((spec,), outbox_path=outbox, tuning=tuning)
    assert notifier is not None
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    notifier.on_alerts(alerts(count), None)
    await notifier.start()
    emit({"t": "started"})
    await stop.wait()
    status = notifier.status
    await notifier.stop()
    emit({"t": "final", "unconfirmed": status.unconfirmed, "sent": status.alerts_sent})


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])))
