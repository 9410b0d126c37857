"""A telegram.sqlite3 written before the outbox was shared keeps its waiting alerts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from liqterm.engine.alerts import Priority
from liqterm.outbox.store import SENT, Outbox

_OLD = """
CREATE TABLE deliveries (
    alert_id TEXT NOT NULL, chat_id INTEGER NOT NULL, state TEXT NOT NULL, kind TEXT NOT NULL,
    priority INTEGER NOT NULL, asset TEXT NOT NULL, side TEXT, usd REAL NOT NULL, venues TEXT NOT NULL,
    at_ms INTEGER NOT NULL, suppressed INTEGER NOT NULL, queued_ms INTEGER NOT NULL, html TEXT NOT NULL,
    done_ms INTEGER, message_id INTEGER, PRIMARY KEY (alert_id, chat_id)
);
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO deliveries VALUES ('a1', -1002003, 'waiting', 'whale', 2, 'BTC', 'long', 1.5e6, 'binance,okx',
    1000, 0, 900, '<b>BTC</b> whale', NULL, NULL);
INSERT INTO settings VALUES ('updates_offset', '77');
"""


def test_an_old_telegram_outbox_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "telegram.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(_OLD)
    box = Outbox(path)
    [item] = box.waiting()
    assert item.dest == -1002003 and isinstance(item.dest, int)  # a chat id stays an int
    assert item.body == "<b>BTC</b> whale" and item.priority is Priority.HIGH
    assert item.venues == ("binance", "okx")
    assert box.setting("updates_offset") == "77"
    assert box.add([item]) == []  # still the same delivery
    box.mark([item.key], SENT, 2_000)
    box.close()
    assert Outbox(path).counts()[SENT] == 1
