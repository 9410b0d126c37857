"""Rate limiter spacing, the per-chat priority queue, digests, ids and the outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from fakes.telegram_api import check_html
from liqterm.config.schema import TelegramConfig, TelegramKinds
from liqterm.engine.alerts import Alert, Priority
from liqterm.telegram.digest import format_digest
from liqterm.telegram.outbox import CANCELLED, SENDING, SENT, UNCONFIRMED, Outbox
from liqterm.telegram.pending import ChatQueue, PendingAlert, alert_id, is_forwarded
from liqterm.telegram.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_limiter_spaces_chats_groups_and_everything() -> None:
    clock = Clock()
    limiter = RateLimiter(per_chat_per_s=1, per_group_per_min=20, global_per_s=30, clock=clock)
    assert limiter.wait_time(5) == 0
    limiter.record(5)
    assert limiter.wait_time(5) == pytest.approx(1.0)
    assert limiter.wait_time(6) == pytest.approx(1 / 30)  # the global spacing
    clock.now += 1 / 30
    limiter.record(-7)
    assert limiter.wait_time(-7) == pytest.approx(3.0)  # 20 per minute in a group
    limiter.block(6, 10)
    assert limiter.wait_time(6) == pytest.approx(10.0)
    assert limiter.blocked_for(6) == pytest.approx(10.0)


def test_limiter_off_with_zero() -> None:
    limiter = RateLimiter(0, 0, 0, clock=Clock())
    limiter.record(1)
    limiter.record(-1)
    assert limiter.wait_time(1) == 0 and limiter.wait_time(-1) == 0


def test_alert_id_is_stable_and_distinct(make_alert: Callable[..., Alert]) -> None:
    a = make_alert(text="same", at_ms=1)
    assert alert_id(a) == alert_id(replace(a, usd=5.0))  # not part of the identity
    assert alert_id(a) != alert_id(replace(a, at_ms=2))
    assert alert_id(a) != alert_id(replace(a, text="other"))
    assert alert_id(a) != alert_id(replace(a, kind="large"))
    assert alert_id(a) != alert_id(replace(a, key="x"))


def test_is_forwarded_by_kind_and_priority(make_alert: Callable[..., Alert]) -> None:
    config = TelegramConfig(min_priority="high", kinds=TelegramKinds(large=True, whale=False))
    assert not is_forwarded(make_alert("whale", Priority.HIGH), config)
    assert not is_forwarded(make_alert("large", Priority.NORMAL), config)
    assert is_forwarded(make_alert("large", Priority.HIGH), config)
    assert is_forwarded(make_alert("cascade", Priority.CRITICAL), config)
    off = replace(config, kinds=TelegramKinds(cascade_warning=False))
    assert not is_forwarded(make_alert("cascade", Priority.CRITICAL), off)
    assert not is_forwarded(make_alert("dislocation", Priority.CRITICAL), config)


def pending(alert: Alert, chat: int = 1, queued_ms: int = 1_000) -> PendingAlert:
    return PendingAlert(
        alert_id(alert),
        chat,
        alert.kind,
        alert.priority,
        alert.asset,
        alert.side,
        alert.usd,
        alert.venues,
        alert.at_ms,
        alert.suppressed_before,
        queued_ms,
        f"<b>{alert.text}</b>",
    )


def test_queue_gives_critical_first_then_fifo(make_alert: Callable[..., Alert]) -> None:
    queue = ChatQueue()
    normal = [pending(make_alert("large", Priority.NORMAL)) for _ in range(3)]
    high = pending(make_alert("whale", Priority.HIGH))
    critical = pending(make_alert("cascade_warning", Priority.CRITICAL))
    for item in [*normal, high, critical]:
        queue.push(item)
    order = [queue.take(2_000, 0, 100).send[0] for _ in range(5)]
    assert order == [critical, high, *normal]


def test_put_back_keeps_place(make_alert: Callable[..., Alert]) -> None:
    queue = ChatQueue()
    a, b, c = (pending(make_alert("large", Priority.NORMAL)) for _ in range(3))
    for item in (a, b, c):
        queue.push(item)
    first = queue.take(2_000, 0, 100).send
    queue.put_back(first)
    assert [queue.take(2_000, 0, 100).send[0] for _ in range(3)] == [a, b, c]


def test_queue_expires_old_items(make_alert: Callable[..., Alert]) -> None:
    queue = ChatQueue()
    old = pending(make_alert(), queued_ms=0)
    new = pending(make_alert(), queued_ms=9_000)
    queue.push(old)
    queue.push(new)
    taken = queue.take(now_ms=10_000, max_age_ms=5_000, digest_after=5)
    assert taken.expired == [old] and taken.send == [new]


def test_burst_for_one_asset_becomes_a_digest(make_alert: Callable[..., Alert]) -> None:
    queue = ChatQueue()
    crit = pending(make_alert("institutional", Priority.CRITICAL))
    btc = [
        pending(
            make_alert(
                "whale",
                Priority.HIGH,
                side="long" if i % 3 else "short",
                venue=("binance", "bybit", "okx", "bitget")[i % 4],
            )
        )
        for i in range(8)
    ]
    eth = [pending(make_alert("whale", Priority.HIGH, asset="ETH")) for _ in range(2)]
    for item in [*btc, crit, *eth]:
        queue.push(item)
    assert queue.take(0, 0, digest_after=5).send == [crit]
    digest = queue.take(0, 0, digest_after=5)
    assert digest.is_digest and digest.send == btc
    assert [queue.take(0, 0, digest_after=5).send for _ in range(2)] == [[eth[0]], [eth[1]]]
    text = format_digest(digest.send)
    problem, visible = check_html(text)
    assert problem == ""
    assert "BTC: 5 long liquidations, $6.00M; 3 short liquidations, $3.60M" in visible
    assert "on 4 venues" in visible
    assert "8 alerts merged" in visible


def test_outbox_is_idempotent_and_recovers(tmp_path: Path, make_alert: Callable[..., Alert]) -> None:
    path = tmp_path / "o.sqlite3"
    box = Outbox(path)
    items = [pending(make_alert(), chat) for chat in (1, -2)]
    assert box.add(items) == items
    assert box.add(items) == []  # the same (alert, chat) twice is stored once
    box.mark([items[0].key], SENDING, 5)
    box.set_setting("updates_offset", "42")
    box.close()

    box = Outbox(path)
    assert box.recover_interrupted(10) == 1
    assert box.waiting() == [items[1]]
    assert box.setting("updates_offset") == "42"
    box.mark([items[1].key], SENT, 11, 7)
    assert box.last_sent_ms() == 11
    counts = box.counts()
    assert counts[UNCONFIRMED] == 1 and counts[SENT] == 1
    assert box.add(items) == []  # finished deliveries are remembered too
    assert box.prune(before_ms=2_000) == 2
    with pytest.raises(ValueError):
        box.mark([items[0].key], "bogus")
    box.mark([], CANCELLED)
    box.close()
    assert box.path.exists()
