"""Fixtures for the Telegram tests: a canary token, the fake Bot API, fast settings, alerts."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from fakes.telegram_api import CANARY_TOKEN, GROUP_CHAT, USER_CHAT, FakeBotApi
from liqterm.config.schema import TelegramConfig, TelegramKinds
from liqterm.engine.alerts import Alert, Priority
from liqterm.model import Liquidation, Side
from liqterm.telegram.client import Timeouts
from liqterm.telegram.forwarder import Forwarder
from liqterm.telegram.secret import Secret
from liqterm.telegram.tuning import Tuning

CANARY = CANARY_TOKEN

USER, GROUP = USER_CHAT, GROUP_CHAT


@pytest.fixture
def token() -> Secret:
    return Secret(CANARY)


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(CANARY) as api:
        yield api


def fast_tuning(**changes: Any) -> Tuning:
    """Short timeouts and backoff, no command polling unless asked."""
    base = Tuning(
        timeouts=Timeouts(connect=0.5, request=1.0),
        backoff_base_s=0.02,
        backoff_cap_s=0.08,
        poll_s=1.0,
        commands=False,
        stop_grace_s=0.5,
    )
    return replace(base, **changes)


@pytest.fixture
def tuning() -> Callable[..., Tuning]:
    """Builds fast :class:`Tuning` with the given changes."""
    return fast_tuning


@pytest.fixture
def tg_config(fake_api: FakeBotApi) -> Callable[..., TelegramConfig]:
    """A TelegramConfig pointed at the fake, every kind on, rate limits off unless given."""

    def build(**changes: Any) -> TelegramConfig:
        base = TelegramConfig(
            enabled=True,
            chat_ids=(USER,),
            min_priority="info",
            kinds=TelegramKinds(
                large=True, whale=True, institutional=True, cross_venue=True, cascade_warning=True
            ),
            digest_after=1_000_000,
            api_url=fake_api.url,
            per_chat_per_s=0,
            per_group_per_min=0,
            global_per_s=0,
        )
        return replace(base, **changes)

    return build


@pytest.fixture
def make_forwarder(tmp_path: Path, token: Secret) -> Callable[..., Forwarder]:
    def build(config: TelegramConfig, **options: Any) -> Forwarder:
        options.setdefault("outbox_path", tmp_path / "outbox.sqlite3")
        options.setdefault("tuning", fast_tuning())
        options.setdefault("rng", random.Random(7))
        return Forwarder(config, token, **options)

    return build


_counter = itertools.count()


def alert(
    kind: str = "whale",
    priority: Priority = Priority.HIGH,
    asset: str = "BTC",
    side: str | None = "long",
    usd: float = 1_200_000.0,
    venue: str = "binance",
    text: str | None = None,
    at_ms: int | None = None,
    with_event: bool = True,
) -> Alert:
    """An alert with a unique text (so a unique id) unless ``text`` is given."""
    n = next(_counter)
    at = at_ms if at_ms is not None else 1_767_000_000_000 + n
    event = None
    if with_event and kind in ("large", "whale", "institutional"):
        event = Liquidation(
            venue, f"{asset}USDT", asset, Side(side or "long"), 64_000.5, usd / 64_000.5, usd, at, at + 5
        )
    return Alert(
        kind=kind,
        priority=priority,
        asset=asset,
        key=f"{kind}:{asset}:{side}",
        text=text or f"{asset} {kind} #{n}",
        at_ms=at,
        side=side,
        usd=usd,
        venues=(venue,),
        event=event,
    )


@pytest.fixture
def make_alert() -> Callable[..., Alert]:
    return alert
