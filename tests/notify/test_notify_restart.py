"""One alert to a webhook and to Telegram, in priority order; what waited is sent once after a restart."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from notify_helpers import alert, json_url, spec

from fakes.telegram_api import CANARY_TOKEN, USER_CHAT, FakeBotApi
from fakes.webhook_server import WebhookServer
from liqterm.config.schema import TelegramConfig, TelegramKinds
from liqterm.engine.alerts import Priority
from liqterm.notify import Notifier
from liqterm.outbox.store import SENDING, Outbox
from liqterm.pipeline import AlertCallback
from liqterm.telegram.client import Timeouts
from liqterm.telegram.forwarder import Forwarder
from liqterm.telegram.secret import Secret
from liqterm.telegram.tuning import Tuning

Make = Callable[..., Notifier]


async def test_the_webhook_and_telegram_each_get_every_alert_once_most_urgent_first(
    server: WebhookServer, make_notifier: Make, tmp_path: Path
) -> None:
    every_kind = TelegramKinds(
        large=True, whale=True, institutional=True, cross_venue=True, cascade_warning=True
    )
    async with FakeBotApi(CANARY_TOKEN) as api:
        telegram = TelegramConfig(
            enabled=True,
            chat_ids=(USER_CHAT,),
            min_priority="info",
            kinds=every_kind,
            digest_after=1000,
            api_url=api.url,
            per_chat_per_s=0,
            per_group_per_min=0,
            global_per_s=0,
        )
        forwarder = Forwarder(
            telegram,
            Secret(CANARY_TOKEN),
            outbox_path=tmp_path / "telegram.sqlite3",
            tuning=Tuning(timeouts=Timeouts(connect=1, request=1), commands=False, stop_grace_s=0.5),
        )
        notifier = make_notifier(spec(json_url(server), name="hook"))
        sinks = [AlertCallback(forwarder.submit), notifier]  # as the app and watch add them
        batch = [
            alert("large", Priority.NORMAL, text="normal one"),
            alert("whale", Priority.HIGH, text="high one"),
            alert("institutional", Priority.CRITICAL, text="critical one"),
        ]
        for sink in sinks:
            sink.on_alerts(batch, None)  # raised together, before either could send
        async with forwarder, notifier:
            await api.wait_sent(3)
            await asyncio.to_thread(server.wait_delivered, 3)
            await asyncio.sleep(0.2)  # a duplicate, were one coming, would arrive now
    order = ["critical one", "high one", "normal one"]
    assert [r.body["message"].splitlines()[0] for r in server.delivered()] == order
    assert [next(line for line in text.splitlines() if "one" in line) for text in api.texts()] == order


async def test_a_restart_sends_what_waited_exactly_once(
    server: WebhookServer, make_notifier: Make, tmp_path: Path
) -> None:
    slow = spec(json_url(server), name="hook", per_minute=300.0)  # one every 0.2 s
    alerts = [alert(text=f"restart {i}") for i in range(6)]
    first = make_notifier(slow)
    async with first:
        first.on_alerts(alerts, None)
        await asyncio.to_thread(server.wait_delivered, 1)
    assert len(server.delivered()) < 6
    # A crash in the middle of a send leaves a row "sending": it must never be sent again.
    box = Outbox(tmp_path / "notify.sqlite3")
    waiting = box.waiting()
    box.mark([waiting[0].key], SENDING)
    box.close()
    second = make_notifier(spec(json_url(server), name="hook"))
    async with second:
        second.on_alerts(alerts, None)  # the same alerts again change nothing
        await asyncio.to_thread(server.wait_delivered, 5)
        await asyncio.sleep(0.2)
        status = second.status
    texts = [r.body["message"].splitlines()[0] for r in server.delivered()]
    assert len(texts) == 5 and len(set(texts)) == 5
    assert status.unconfirmed == 1 and sum(d.queued for d in status.destinations) == 0
