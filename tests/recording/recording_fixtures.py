"""A small real recording for the recording tests, built from the shared research data.

Only live captures are used (no docs examples, generated or testnet frames). The
shared files carry no receive time, so each frame gets its latest event time plus
150 ms, which is what a live recorder would have stamped to within network delay.
The adapters are fresh instances (the global registry is left alone); OKX gets the
recorded OKX instruments response so its contract sizes are real.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from liqterm.recording import RecordedFrame, write_frames
from liqterm.venues._common import AdapterBase
from liqterm.venues.binance import BinanceAdapter
from liqterm.venues.bitget import BitgetAdapter
from liqterm.venues.bybit import BybitAdapter
from liqterm.venues.gateio import GateAdapter
from liqterm.venues.instruments import build, parse_okx_instruments
from liqterm.venues.okx import OkxAdapter
from shared_data import shared_file

VENUE_OF = {"binance-usdm": "binance", "bybit": "bybit", "okx": "okx", "gateio": "gateio", "bitget": "bitget"}
LATENCY_MS = 150


def test_adapters() -> dict[str, AdapterBase]:
    """Fresh adapters; OKX with the recorded REST instruments table."""
    okx_rest = json.loads(shared_file("instruments/okx-swap-instruments.json").read_text())
    okx = OkxAdapter(build("okx", parse_okx_instruments(okx_rest), "rest"))
    return {
        "binance": BinanceAdapter(),
        "bybit": BybitAdapter(),
        "okx": okx,
        "gateio": GateAdapter(),
        "bitget": BitgetAdapter(),
    }


test_adapters.__test__ = False  # a helper, not a test


def bundled_adapters() -> dict[str, AdapterBase]:
    """Fresh adapters with the bundled tables: what ``liqterm replay`` uses offline."""
    return {
        "binance": BinanceAdapter(),
        "bybit": BybitAdapter(),
        "okx": OkxAdapter(),
        "gateio": GateAdapter(),
        "bitget": BitgetAdapter(),
    }


def _frame_time(frame: str) -> int | None:
    data = json.loads(frame)
    for key in ("time_ms", "ts", "E"):
        value = data.get(key) if isinstance(data, dict) else None
        if isinstance(value, int):
            return value
    return None


def real_frames(adapters: dict[str, AdapterBase]) -> list[RecordedFrame]:
    """The live-captured frames of the five venues, stamped and in time order."""
    records: list[RecordedFrame] = []
    for venue in ("binance", "bybit", "okx", "gateio", "bitget"):
        for line in shared_file(f"frames/{venue}.jsonl").read_text().splitlines():
            meta = json.loads(line)
            if meta.get("docs_example") or meta.get("generated") or meta.get("testnet"):
                continue
            name = VENUE_OF.get(meta["venue"])
            if name is None:
                continue
            events = adapters[name].parse(meta["frame"], 0)
            stamp = max((e.exchange_ms for e in events), default=_frame_time(meta["frame"]))
            if stamp is not None:
                records.append(RecordedFrame(stamp + LATENCY_MS, name, meta["frame"]))
    records.sort(key=lambda record: record.received_ms)
    return records


def write_real_recording(path: Path, adapters: dict[str, AdapterBase]) -> list[RecordedFrame]:
    """Write the real frames plus one truncated frame and one bad line to ``path``."""
    records = real_frames(adapters)
    records.append(RecordedFrame(records[-1].received_ms + 1, "okx", '{"arg":'))
    write_frames(path, records)
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "ab") as handle:
        handle.write(b"this line is not json\n")
    return records


CASCADE_CSV = "datasets/binance_usdm_forceorder_2025-10-22T1742-1818Z.csv"


def cascade_binance_frames(limit: int | None = None) -> list[RecordedFrame]:
    """The 3,096 real Binance events of 2025-10-22 (three cascades) as Binance frames.

    Each CSV row is written back as the ``forceOrder`` frame it came from (marked
    ``derived``: the CSV kept only the fields, not the frame text).
    """
    import csv
    from datetime import UTC, datetime

    from liqterm.demo.servers.encode import encode_event
    from liqterm.model import Liquidation, Side, canonical_asset

    source: list[RecordedFrame] = []
    with shared_file(CASCADE_CSV).open(newline="") as handle:
        for row in csv.DictReader(handle):
            stamp = datetime.fromisoformat(row["timestamp"]).replace(tzinfo=UTC)
            ms = round(stamp.timestamp() * 1000)
            symbol = row["symbol"]
            asset, _ = canonical_asset(symbol.removesuffix("USDT").removesuffix("USDC"))
            price, qty = float(row["avg_price"]), float(row["filled_qty"])
            side = Side.LONG if row["side"] == "SELL" else Side.SHORT
            event = Liquidation("binance", symbol, asset, side, price, qty, price * qty, ms, ms + LATENCY_MS)
            source.append(
                RecordedFrame(ms + LATENCY_MS, "binance", encode_event("binance", event) or "", derived=True)
            )
            if limit is not None and len(source) >= limit:
                break
    source.sort(key=lambda record: record.received_ms)
    return source


def cascade_frames(adapters: dict[str, AdapterBase], limit: int | None = None) -> list[RecordedFrame]:
    """:func:`cascade_binance_frames` spread over the five venues as the demo does."""
    from liqterm.demo.servers.encode import derive_frames

    def contract_size(venue: str, symbol: str) -> float | None:
        item = adapters[venue].instruments.get(symbol)
        return item.contract_size if item is not None and item.linear else None

    source = cascade_binance_frames(limit)
    return list(derive_frames(source, adapters["binance"].parse, contract_size))


async def wait_until(check, within_s: float = 5.0, what: str = "") -> None:  # type: ignore[no-untyped-def]
    """Poll ``check`` every 20 ms until true; fail after ``within_s``."""
    import asyncio
    import time

    deadline = time.monotonic() + within_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.02)
