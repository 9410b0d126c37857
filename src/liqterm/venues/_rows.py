"""A venue's liquidation rows, declared once, and the two readers built from that declaration.

Each adapter declares a :class:`RowLayout`: which key holds the symbol, how the side is
read, where the price, the size (and its unit) and the time are, with their fallbacks.
Nothing else in an adapter reads a row. Each kind of field (:class:`SideOf`,
:class:`SideFromSign`, :class:`Number`, :class:`EpochMs`) knows both of its readings:

* ``read(row)``, the full reading: any row, the stdlib's ``float()`` rules, every
  fallback; :func:`read_row` then names the first bad field, always in the order side,
  price, size, time;
* ``fast_source(...)``, the same field read the cheap way, as lines of Python for the
  fast reader (:mod:`liqterm.venues._fast_rows`): no reasons, and "ask the full reader"
  at the first value that is missing, of an unexpected kind, or would need a fallback.

The readers never see a frame's envelope: each adapter's ``_envelope`` finds the rows (and
the envelope holding them, whose time stands in for a row without one) or says what else
the frame is.

A new venue is its declarative attributes, a ``RowLayout``, a resolver (what a symbol
means) and an envelope. A new kind of field (an ISO time, a side read from a boolean) is
one more class here with both readings, ``read`` and ``fast_source``, side by side.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from liqterm.model import Liquidation, Side
from liqterm.venues._build import event_of

# No real price or size is near these; bounding inputs keeps every product and ratio
# of two of them (and a 1e6 asset rescale) finite and non-zero.
TINY = 1e-30
HUGE = 1e30
# Epoch milliseconds below this are really seconds (1973-03-03 in ms); above it is past year 5138.
MIN_MS = 100_000_000_000
MAX_MS = 100_000_000_000_000


# -- reading one value the full reader's way ------------------------------------------------------


def positive(value: object) -> float:
    """A number in (1e-30, 1e30) from a JSON string or number, else ``0.0`` (the row is refused).

    ``bool`` is refused although it is an ``int``: ``"size": true`` is a wrong type,
    not one contract. NaN fails the range test because every comparison with it is false.
    """
    kind = type(value)
    if kind is str or kind is float or kind is int:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (ValueError, OverflowError):
            return 0.0
        if TINY < number < HUGE:
            return number
    return 0.0


def signed(value: object) -> float:
    """Like :func:`positive` but the sign is kept (a size whose sign is the side)."""
    kind = type(value)
    if kind is str or kind is float or kind is int:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (ValueError, OverflowError):
            return 0.0
        if TINY < abs(number) < HUGE:
            return number
    return 0.0


def epoch_ms(value: object) -> int:
    """Epoch milliseconds from an int or a digit string, else ``0`` (the row is refused).

    A value that is plainly in seconds (below 1973 as milliseconds) is scaled up:
    some venues mix ``time`` in seconds and ``time_ms`` in one message.
    """
    kind = type(value)
    if kind is int:
        ms = value
    elif kind is str and value.isascii() and value.isdigit() and len(value) < 18:  # type: ignore[union-attr]
        ms = int(value)  # type: ignore[arg-type]
    elif kind is float and 0.0 < value < 1e17:  # type: ignore[operator]
        ms = int(value)  # type: ignore[arg-type]
    else:
        return 0
    if ms < MIN_MS:
        ms *= 1000
    if MIN_MS <= ms < MAX_MS:  # type: ignore[operator]
        return ms  # type: ignore[return-value]
    return 0


def first_present(row: dict, keys: tuple[str, ...]) -> object:
    """The value of the first of ``keys`` that the row has and is not null, else ``None``."""
    for key in keys:
        value = row.get(key)
        if value is not None:
            return value
    return None


# -- the declaration --------------------------------------------------------------------------------
# Each fast_source() gives the lines that read one field of ``row`` into a variable; a field that
# cannot be read the cheap way ends the reader with ``return None`` or an exception (a missing
# key, an unhashable side), both of which mean "ask the full reader".


def _value_source(target: str, keys: tuple[str, ...]) -> list[str]:
    """Lines putting into ``target`` the first of ``keys`` present (the first two are tried).

    A null value is kept: it is of no kind a field accepts, so the reader gives up and the
    full reader, which skips nulls, decides.
    """
    if len(keys) == 1:
        return [f"{target} = row[{keys[0]!r}]"]
    first, second = keys[0], keys[1]
    return [f"{target} = row[{first!r}] if {first!r} in row else row[{second!r}]"]


class SideOf:
    """The side is the text under ``key``, looked up in ``names`` (``{"SELL": LONG, "BUY": SHORT}``).

    ``otherwise`` is read when the text is none of ``names`` (OKX's net-mode position
    falls back to the closing order's side).
    """

    __slots__ = ("key", "names", "otherwise")

    def __init__(self, key: str, names: Mapping[str, Side], otherwise: SideOf | None = None) -> None:
        self.key = key
        self.names = dict(names)
        self.otherwise = otherwise

    def read(self, row: dict) -> Side | None:
        value = row.get(self.key)
        side = self.names.get(value) if type(value) is str else None
        if side is None and self.otherwise is not None:
            return self.otherwise.read(row)
        return side

    def fast_source(self) -> list[str]:
        # A text none of names is a KeyError: the full reader then follows ``otherwise``.
        return [f"side = side_names[row[{self.key!r}]]"]

    def __repr__(self) -> str:
        otherwise = f", otherwise={self.otherwise!r}" if self.otherwise is not None else ""
        return f"SideOf({self.key!r}, {self.names!r}{otherwise})"


class SideFromSign:
    """The side is the sign of the size (the size itself is its magnitude): ``negative`` is
    the side of a negative size, the other side that of a positive one."""

    __slots__ = ("negative", "positive")

    def __init__(self, negative: Side) -> None:
        self.negative = negative
        self.positive = Side.SHORT if negative is Side.LONG else Side.LONG

    def of(self, size: float) -> Side:
        return self.negative if size < 0 else self.positive

    def fast_source(self) -> list[str]:
        # after the signed size is read; the size becomes its magnitude, as in read_row
        return [
            "if size < 0:",
            "    side = negative_side",
            "    size = -size",
            "else:",
            "    side = positive_side",
        ]

    def __repr__(self) -> str:
        return f"SideFromSign(negative={self.negative!r})"


class Number:
    """A positive number, a JSON number or a number string, under the first of ``keys`` present.

    ``otherwise`` is read when that value is not a positive number (Binance's average
    price falls back to the order's limit price). ``signed`` keeps the sign, for a size
    whose sign is the side (:class:`SideFromSign`).
    """

    __slots__ = ("keys", "otherwise", "signed")

    def __init__(self, *keys: str, otherwise: Number | None = None, signed: bool = False) -> None:
        if not keys:
            raise ValueError("a Number needs at least one key")
        self.keys = keys
        self.otherwise = otherwise
        self.signed = signed

    def read(self, row: dict) -> float:
        number = (signed if self.signed else positive)(first_present(row, self.keys))
        if not number and self.otherwise is not None:
            return self.otherwise.read(row)
        return number

    def fast_source(self, target: str) -> list[str]:
        # float() is what positive() applies, to a str, an int or a float alike, so the value is
        # the full reader's, and float() raising (not a number) is left to read(). A bool is no
        # number to positive(): float() would read true as 1.0 (so it is refused here) and false
        # as 0.0 (refused by the range check, made once for all fields after the side).
        return [
            *_value_source(target, self.keys),
            f"if {target} is True:",
            "    return None",
            f"{target} = float({target})",
        ]

    def __repr__(self) -> str:
        extra = f", otherwise={self.otherwise!r}" if self.otherwise is not None else ""
        extra += ", signed=True" if self.signed else ""
        return f"Number({', '.join(map(repr, self.keys))}{extra})"


class EpochMs:
    """Epoch milliseconds (an int or a digit string; seconds are scaled up) under the first
    of ``keys`` present. A row without a valid time takes the envelope's, where there is one."""

    __slots__ = ("keys",)

    def __init__(self, *keys: str) -> None:
        if not keys:
            raise ValueError("an EpochMs needs at least one key")
        self.keys = keys

    def read(self, row: dict) -> int:
        return epoch_ms(first_present(row, self.keys))

    def fast_source(self, target: str) -> list[str]:
        # epoch_ms's rule for an int or a digit string, less its seconds case (the range
        # check refuses seconds, which the full reader scales up)
        return [
            *_value_source(target, self.keys),
            f"if type({target}) is not int:",
            f"    if type({target}) is not str or not ({target}.isascii() and {target}.isdigit() "
            f"and len({target}) < 18):",
            "        return None",
            f"    {target} = int({target})",
        ]

    def __repr__(self) -> str:
        return f"EpochMs({', '.join(map(repr, self.keys))})"


class SizeUnit(enum.Enum):
    """What a row's size counts; the adapter's instruments table and :class:`Resolved` do the rest."""

    BASE = "units of the symbol's base asset as the venue names it (1000PEPE)"
    QUOTE = "quote currency (USD): the quantity is size / price"
    CONTRACTS = "contracts of the table's contract size (base units, or USD for an inverse contract)"


@dataclass(frozen=True, slots=True, eq=False)
class RowLayout:
    """Where a venue's liquidation rows keep their fields, and how each is read.

    Attributes:
        symbol: the key of the symbol: in each row, or in each group with ``rows_in_group``.
        side: how the liquidated position's side is read.
        price: the price, per unit of the venue's base (or per contract's underlying).
        size: the size, counted in ``unit``.
        unit: what ``size`` counts.
        time: the row's time.
        envelope_time: the key of the envelope's own time (``None`` where it has none),
            which stands in for a row's missing or bad time.
        rows_in_group: when set, the envelope holds one group per symbol and its rows are
            this key's list (OKX ``data[].details[]``); else each row names its symbol.
    """

    symbol: str
    side: SideOf | SideFromSign
    price: Number
    size: Number
    unit: SizeUnit
    time: EpochMs
    envelope_time: str | None = None
    rows_in_group: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.side, SideFromSign) != self.size.signed:
            raise ValueError("the side comes from the sign of the size exactly when the size is signed")


# -- what a symbol's rows mean ----------------------------------------------------------------------


class Resolved(NamedTuple):
    """What a symbol's rows mean, worked out once per symbol (the adapter memoises it).

    ``size_unit`` is what one reported size unit is worth: RAW base units, or USD when
    ``size_in_usd`` (an OKX inverse contract, Bitget's quote notional); a USD size
    becomes base units through the row's own price.
    """

    asset: str
    scale: float
    size_unit: float = 1.0
    size_in_usd: bool = False


class Refused(NamedTuple):
    """Why a symbol's rows are refused; ``unknown_symbol`` when the symbol is in no table
    and its name does not say enough (a new listing: the stream re-fetches the table)."""

    reason: str
    unknown_symbol: bool = False


REASON_LIMIT = 60
"""Reasons that quote a symbol are cut to this length: a junk symbol cannot flood the health screen."""


def refused(reason: str) -> Refused:
    return Refused(reason[:REASON_LIMIT])


def unknown(symbol: str) -> Refused:
    return Refused(f"unknown symbol {symbol}"[:REASON_LIMIT], True)


# -- the full reader -------------------------------------------------------------------------------


def read_row(
    venue: str,
    layout: RowLayout,
    row: dict,
    symbol: str,
    resolved: Resolved,
    envelope_ms: object,
    received_ms: int,
) -> Liquidation | str:
    """The event of one row, or the first of its fields that is bad (side, price, size, time).

    ``price`` and the quantity from ``size`` are in RAW base units (``1000PEPE``);
    ``resolved`` turns them into units of the canonical asset (see :func:`event_of`).
    """
    size = layout.size.read(row)
    rule = layout.side
    if type(rule) is SideFromSign:
        side: Side | None = rule.of(size)
        size = abs(size)
    else:
        side = rule.read(row)  # type: ignore[union-attr]
    price = layout.price.read(row)
    exchange_ms = layout.time.read(row) or epoch_ms(envelope_ms)
    if side is None:
        return "bad side"
    if not price:
        return "bad price"
    if not size:
        return "bad size"
    if not exchange_ms:
        return "bad time"
    return event_of(venue, symbol, resolved, side, price, size, exchange_ms, received_ms)
