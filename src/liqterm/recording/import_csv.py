"""Turn a normalised Binance liquidation CSV into a recording of ``forceOrder`` frames.

The CSV is a table of normalised Binance USD-M liquidations (columns ``timestamp, symbol,
side, avg_price, filled_qty, usd_value``; ``timestamp`` is the order trade time ``o.T``
as naive UTC ISO-8601, ``side`` the liquidation ORDER side). Each row becomes the
raw ``!forceOrder@arr`` frame Binance would have pushed for it, with the CSV's
own number strings, marked ``"derived": true`` because it was rebuilt from a
table rather than received. The receive time is unknown and set to the trade
time. Rows are sorted by time (the source was written in arrival order across
many sockets).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from liqterm.recording.format import RecordedFrame
from liqterm.recording.writer import write_frames
from liqterm.venues.binance import BinanceAdapter

COLUMNS = ("timestamp", "symbol", "side", "avg_price", "filled_qty", "usd_value")
_BINANCE = BinanceAdapter()


class CsvFormatError(ValueError):
    """The CSV does not have the expected columns or a row cannot be read."""


def _epoch_ms(text: str) -> int:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def binance_frame(trade_ms: int, symbol: str, side: str, price: str, quantity: str) -> str:
    """The raw ``!forceOrder@arr`` frame for one liquidation (field order as Binance sends)."""
    order = {
        "s": symbol,
        "S": side,
        "o": "LIMIT",
        "f": "IOC",
        "q": quantity,
        "p": price,
        "ap": price,
        "X": "FILLED",
        "l": quantity,
        "z": quantity,
        "T": trade_ms,
    }
    return json.dumps({"e": "forceOrder", "E": trade_ms, "o": order}, separators=(",", ":"))


def frames_from_csv(path: str | Path) -> Iterator[RecordedFrame]:
    """Derived Binance frames for every row, in time order.

    Raises:
        CsvFormatError: missing columns or an unreadable row (with its line number).
    """
    # utf-8-sig: a spreadsheet's byte-order mark must not hide the first column's name.
    with open(path, newline="", encoding="utf-8-sig") as handle:
        try:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise CsvFormatError(f"{path}: missing column(s) {', '.join(missing)}")
            rows = [_row(path, number, row) for number, row in enumerate(reader, start=2)]
        except UnicodeDecodeError as exc:
            raise CsvFormatError(
                f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 CSV"
            ) from None
    rows.sort(key=lambda r: r[0])
    for trade_ms, symbol, side, price, quantity in rows:
        frame = binance_frame(trade_ms, symbol, side, price, quantity)
        yield RecordedFrame(received_ms=trade_ms, venue="binance", frame=frame, derived=True)


def _row(path: str | Path, number: int, row: dict) -> tuple[int, str, str, str, str]:
    """One row's fields, checked here and then by the Binance parser itself on the frame the
    row becomes: a row it would refuse is refused here, with its line number and its reason."""
    fields = _fields(path, number, row)
    trade_ms, symbol, side, price, quantity = fields
    refused = _BINANCE.decode(binance_frame(trade_ms, symbol, side, price, quantity), trade_ms).rejected
    if refused is not None:
        raise CsvFormatError(f"{path}:{number}: the Binance parser refuses the row: {refused}")
    return fields


def _fields(path: str | Path, number: int, row: dict) -> tuple[int, str, str, str, str]:
    try:
        if None in row.values() or None in row:
            raise ValueError("the row has too few or too many fields")
        side = row["side"].strip().upper()
        if side not in ("BUY", "SELL"):
            raise ValueError(f"side {row['side']!r}")
        symbol = row["symbol"].strip()
        if not symbol:
            raise ValueError("empty symbol")
        for column in ("avg_price", "filled_qty"):
            value = float(row[column])
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{column} {row[column]!r} is not a positive number")
        return _epoch_ms(row["timestamp"]), symbol, side, row["avg_price"].strip(), row["filled_qty"].strip()
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CsvFormatError(f"{path}:{number}: {exc}") from None


def import_csv(source: str | Path, target: str | Path) -> int:
    """Write the recording; returns the number of frames.

    Raises:
        CsvFormatError: as :func:`frames_from_csv`, and when ``target`` is ``source`` itself.
    """
    if Path(target).exists() and Path(target).resolve() == Path(source).resolve():
        raise CsvFormatError(
            f"{target}: the output would overwrite the CSV it is read from; choose another -o"
        )
    frames = tuple(frames_from_csv(source))
    if not frames:
        raise CsvFormatError(f"{source}: no rows under the header, nothing to import")
    return write_frames(target, frames)
