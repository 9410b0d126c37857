"""kill -9 while alerts go out to a webhook, then a restart: each alert arrives once, none is lost.

The child (notify_child.py) holds the notifier; the webhook answers each post after a short
delay, so the kill lands while one is in flight. What had not left waits in the outbox and
goes after the restart; the one in flight is ``unconfirmed`` and never sent again.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from fault_table import full, record
from stream_helpers import wait_until

from fakes.webhook_server import WebhookServer

CHILD = Path(__file__).with_name("notify_child.py")


async def _child(
    url: str, outbox: Path, count: int
) -> tuple[asyncio.subprocess.Process, list[dict[str, Any]]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), url, str(outbox), str(count), stdout=asyncio.subprocess.PIPE, env=env
    )
    assert process.stdout is not None
    lines = [json.loads(await process.stdout.readline())]
    assert lines[0]["t"] == "started"
    return process, lines


async def test_kill_9_mid_delivery_then_restart_sends_each_alert_once(tmp_path: Path) -> None:
    count = 400 if full() else 60
    outbox = tmp_path / "notify.sqlite3"
    with WebhookServer() as server:
        server.delay_s = 0.01  # every post answered after a moment: the kill finds one in flight
        url = f"json://{server.url}/hook?cto=1&rto=2"
        first, _ = await _child(url, outbox, count)
        await wait_until(lambda: len(server.delivered()) >= count // 3, 15, "a third delivered")
        first.kill()
        await first.wait()
        assert first.returncode == -signal.SIGKILL
        before = len(server.delivered())
        assert before < count
        second, _ = await _child(url, outbox, count)
        await wait_until(lambda: len(server.delivered()) + 1 >= count, 20, "the rest after the restart")
        await asyncio.sleep(0.3)  # a duplicate, were one coming, would arrive now
        second.send_signal(signal.SIGTERM)
        assert second.stdout is not None
        out, _ = await second.communicate()
    final = json.loads(out.decode().strip().splitlines()[-1])
    messages = [r.body["message"].splitlines()[0] for r in server.delivered()]
    assert len(messages) == len(set(messages)), "an alert was sent twice"
    missing = {f"kill9 {i}" for i in range(count)} - set(messages)
    # At most the one in flight at the kill is missing, and only if it is counted unconfirmed.
    assert len(missing) <= final["unconfirmed"] <= 1
    assert final["sent"] == count - before - final["unconfirmed"] or final["sent"] == len(messages) - before
    record(
        "process",
        "notify outbox",
        f"kill -9 after {before} of {count} webhook posts, restart",
        f"{len(messages)} delivered once each, {final['unconfirmed']} unconfirmed (not resent)",
        alerts_sent=len(messages),
        alerts_expected=count,
    )
