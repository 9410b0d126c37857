"""Telegram against the fake Bot API misbehaving all at once: 429 storms, 5xx, hangs, one chat refusing.

Pass means: every alert reaches the healthy chat exactly once, or is counted
``unconfirmed`` when a hung request may have reached Telegram (at most once by
design: such an alert is never re-sent); the refusing chat stops without holding
up the other; nothing hangs.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

from fault_table import record
from stream_helpers import wait_until

from fakes.telegram_api import CANARY_TOKEN, GROUP_CHAT, USER_CHAT, FakeBotApi
from liqterm.config.schema import TelegramConfig, TelegramKinds
from liqterm.engine.alerts import Alert, Priority
from liqterm.telegram.client import Timeouts
from liqterm.telegram.forwarder import Forwarder
from liqterm.telegram.secret import Secret
from liqterm.telegram.status import ChatState
from liqterm.telegram.tuning import Tuning

TUNING = Tuning(
    timeouts=Timeouts(connect=0.5, request=0.3),
    backoff_base_s=0.02,
    backoff_cap_s=0.08,
    poll_s=1.0,
    commands=False,
    stop_grace_s=0.5,
)


def _config(api: FakeBotApi) -> TelegramConfig:
    return TelegramConfig(
        enabled=True,
        chat_ids=(USER_CHAT, GROUP_CHAT),
        min_priority="info",
        kinds=TelegramKinds(
            large=True, whale=True, institutional=True, cross_venue=True, cascade_warning=True
        ),
        digest_after=1_000_000,
        api_url=api.url,
        per_chat_per_s=0,
        per_group_per_min=0,
        global_per_s=0,
    )


def _alert(n: int) -> Alert:
    return Alert(
        kind="whale",
        priority=Priority.HIGH,
        asset="BTC",
        key=f"whale:BTC:{n}",
        text=f"BTC whale #{n}",
        at_ms=1_767_000_000_000 + n,
        side="long",
        usd=1_200_000.0,
        venues=("binance",),
    )


async def test_storms_errors_hangs_and_one_refusing_chat(tmp_path: Path) -> None:
    alerts = 30
    async with FakeBotApi(CANARY_TOKEN) as api:
        api.chat_errors[GROUP_CHAT] = (403, "Forbidden: bot was kicked from the supergroup chat")
        api.fail(
            "sendMessage",
            429,
            description="Too Many Requests: retry after 0.05",
            retry_after=0.05,
            times=12,
            chat_id=USER_CHAT,
        )
        api.fail("sendMessage", 500, times=3, chat_id=USER_CHAT)
        api.fail("sendMessage", 502, description="Bad Gateway", times=2, chat_id=USER_CHAT)
        api.fail("sendMessage", hang=True, times=2, chat_id=USER_CHAT)
        api.fail("sendMessage", 429, retry_after=0.05, times=8, chat_id=USER_CHAT)
        forwarder = Forwarder(
            _config(api),
            Secret(CANARY_TOKEN),
            outbox_path=tmp_path / "outbox.sqlite3",
            tuning=TUNING,
            rng=random.Random(7),
        )
        started = time.monotonic()
        async with forwarder:
            for n in range(alerts):
                forwarder.submit(_alert(n))
            await wait_until(
                lambda: len(api.texts(USER_CHAT)) + forwarder.status.unconfirmed >= alerts,
                20,
                "every alert delivered or unconfirmed",
            )
            status = forwarder.status
        took = time.monotonic() - started
    delivered = api.texts(USER_CHAT)
    assert max(Counter(delivered).values()) == 1, "an alert was sent twice"
    assert len(delivered) + status.unconfirmed == alerts
    assert status.unconfirmed == 2  # the two hung requests: maybe delivered, never re-sent
    assert api.texts(GROUP_CHAT) == []
    refused = next(chat for chat in status.chats if chat.chat_id == GROUP_CHAT)
    assert refused.state is ChatState.STOPPED and "kicked" in refused.reason
    assert sum(r.payload.get("chat_id") == GROUP_CHAT for r in api.requests) == 1
    assert took < 15
    record(
        "telegram",
        "fake Bot API",
        "20 x 429, 3 x 500, 2 x 502, 2 hangs; 403 for the group chat",
        f"user chat: {len(delivered)} sent once, {status.unconfirmed} unconfirmed (hung); group stopped",
        alerts_sent=len(delivered) + status.unconfirmed,
        alerts_expected=alerts,
    )


async def test_a_restart_mid_storm_sends_what_waited_exactly_once(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.sqlite3"
    async with FakeBotApi(CANARY_TOKEN) as api:
        api.fail("sendMessage", 429, retry_after=5.0, times=1, chat_id=USER_CHAT)  # stuck behind a long 429
        config = _config(api)
        first = Forwarder(
            config, Secret(CANARY_TOKEN), outbox_path=outbox, tuning=TUNING, rng=random.Random(1)
        )
        async with first:
            for n in range(10):
                first.submit(_alert(n))
            await api.wait_requests("sendMessage", 2)
        again = Forwarder(
            config, Secret(CANARY_TOKEN), outbox_path=outbox, tuning=TUNING, rng=random.Random(2)
        )
        async with again:
            for n in range(5):  # the engine re-raising some of them changes nothing
                again.submit(_alert(n))
            await wait_until(
                lambda: len(api.texts(USER_CHAT)) + again.status.unconfirmed >= 10, 10, "all ten"
            )
            unconfirmed = again.status.unconfirmed
    delivered = api.texts(USER_CHAT)
    assert max(Counter(delivered).values()) == 1
    assert len(delivered) + unconfirmed == 10
    record(
        "telegram",
        "fake Bot API",
        "restart while a 429 holds the queue",
        "waiting alerts sent once after restart; re-raised ones ignored",
        alerts_sent=len(delivered) + unconfirmed,
        alerts_expected=10,
    )
