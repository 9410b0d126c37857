"""Builders for the state tests: event streams with whales, a read-only folder, a second look at the file."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from liqterm.engine import Alert, Engine
from liqterm.model import Liquidation, Side
from liqterm.pipeline import AlertCallback, Pipeline, StoreSink
from liqterm.state import StateStore

# Wednesday 2025-10-22 15:00 UTC (US session, multiplier 1).
T0 = 1_761_145_200_000
PRICES = {"BTC": 107_000.0, "ETH": 3_800.0, "SOL": 187.5}


def liq(
    usd: float, ms: int, asset: str = "BTC", venue: str = "binance", side: Side = Side.LONG
) -> Liquidation:
    price = PRICES.get(asset, 10.0)
    return Liquidation(venue, f"{asset}USDT", asset, side, price, usd / price, usd, ms, ms + 40)


def day_of_events(end_ms: int, step_ms: int = 90_000) -> list[Liquidation]:
    """25 hours up to ``end_ms``: retail everywhere, a whale or an institutional every 20th step."""
    events = []
    start = end_ms - 25 * 3_600_000
    for i, ms in enumerate(range(start, end_ms + 1, step_ms)):
        asset = ("BTC", "ETH", "SOL")[i % 3]
        side = Side.LONG if i % 4 else Side.SHORT
        usd = 3_000_000.0 if i % 40 == 0 else 1_100_000.0 if i % 20 == 0 else 20_000.0 + i
        events.append(liq(usd, ms, asset, ("binance", "okx", "bybit")[i % 3], side))
    return events


def rows_in(path: Path) -> tuple[int, int]:
    """``(events, whales)`` in the file, read through a separate connection."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        return tuple(db.execute("SELECT COUNT(*), COALESCE(SUM(whale), 0) FROM events").fetchone())


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """Make ``folder`` unwritable, even for root (who ignores mode bits): ``chattr +i`` there."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("running as root without chattr: cannot make a folder read-only")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def through_store(store: StateStore, engine: Engine, events: list[Liquidation]) -> list[Alert]:
    """``events`` into ``engine`` through a pipeline whose sink is ``store`` (as the app and
    ``watch`` wire it); returns the alerts they raised."""
    raised: list[Alert] = []
    pipeline = Pipeline(engine, {}, [StoreSink(store, engine), AlertCallback(raised.append)])
    for event in events:
        pipeline.inlet(event.venue).events([event])
    return raised
