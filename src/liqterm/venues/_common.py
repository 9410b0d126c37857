"""Small helpers every venue parser shares: safe JSON loading, number checks, event building,
and the one order in which a liquidation row is checked.

The parsers run once per websocket frame, so these stay plain functions on builtin
types: no intermediate objects between the JSON reader and the final
:class:`~liqterm.model.Liquidation` (the per-symbol :class:`Resolved` is memoised).

Each adapter reads a frame two ways. ``_fast`` takes the venue's ordinary data frame
(read by orjson; every row well formed, every symbol already resolved) straight to its
events, and gives up (``None``) at the first thing it does not expect. Everything else
takes the full path, ``_decode``: the stdlib's ``json.loads``, then ``_decode_message``,
which checks everything in a fixed order and names the first fault. The fast path
returns only what the full path would have returned for the same frame
(tests/venues/test_venues_fast_path.py checks this on real and mutated frames), so it
changes speed, never results; a control or rejected frame is simply read twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import NamedTuple

from liqterm.model import Liquidation, Side, canonical_asset
from liqterm.venues._build import clean, event_of, fast_loads
from liqterm.venues.base import Decoded
from liqterm.venues.instruments import VenueInstruments, bundled

log = logging.getLogger(__name__)

LONG = Side.LONG
SHORT = Side.SHORT
# No real price or size is near these; bounding inputs keeps every product and ratio
# of two of them (and a 1e6 asset rescale) finite and non-zero.
_TINY = 1e-30
_HUGE = 1e30
# Epoch milliseconds below this are really seconds (1973-03-03 in ms); above it is past year 5138.
_MIN_MS = 100_000_000_000
_MAX_MS = 100_000_000_000_000

_ASSET_MEMO_LIMIT = 20_000


def control(rejected: str | None = None) -> Decoded:
    """A control frame (ack, pong, subscribe error): no events, proves the link alive."""
    return Decoded([], rejected, True)


def load_json(frame: str | bytes) -> tuple[object, str | None]:
    """``(value, None)`` for a frame that is JSON, else ``(None, reason)``: the stdlib's verdict.

    The full path reads with ``json.loads``, which defines what a frame may be (orjson
    on the fast path refuses a little more, and such frames come here).
    ``json.loads`` takes bytes too; invalid UTF-8 surfaces as a ``UnicodeDecodeError``
    (a ``ValueError``), absurd nesting as ``RecursionError``.
    """
    try:
        return json.loads(frame), None
    except UnicodeDecodeError:
        return None, "invalid utf-8"
    except (ValueError, RecursionError):
        return None, "invalid json"
    except TypeError:
        return None, f"not a text frame ({type(frame).__name__})"


def positive(value: object) -> float:
    """A number in (1e-30, 1e30) from a JSON string or number, else ``0.0`` (caller rejects).

    ``bool`` is refused although it is an ``int``: ``"size": true`` is a wrong type,
    not one contract. NaN fails the range test because every comparison with it is false.
    """
    kind = type(value)
    if kind is str or kind is float or kind is int:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (ValueError, OverflowError):
            return 0.0
        if _TINY < number < _HUGE:
            return number
    return 0.0


def signed(value: object) -> float:
    """Like :func:`positive` but the sign is kept (Gate's signed sizes)."""
    kind = type(value)
    if kind is str or kind is float or kind is int:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (ValueError, OverflowError):
            return 0.0
        if _TINY < abs(number) < _HUGE:
            return number
    return 0.0


def epoch_ms(value: object) -> int:
    """Epoch milliseconds from an int or a digit string, else ``0`` (caller rejects).

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
    if ms < _MIN_MS:
        ms *= 1000
    if _MIN_MS <= ms < _MAX_MS:  # type: ignore[operator]
        return ms  # type: ignore[return-value]
    return 0


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


def liquidation_or_reason(
    venue: str,
    symbol: str,
    resolved: Resolved,
    side: Side | None,
    price: float,
    size: float,
    exchange_ms: int,
    received_ms: int,
) -> Liquidation | str:
    """The event for one row, or the first of its fields that is bad.

    The venue reads its own fields and converts them (``None`` for a side it does not
    know, :func:`positive` and :func:`epoch_ms` give 0 for anything invalid); the checks
    run here so every venue reports the same reason in the same order.

    ``price`` and the quantity from ``size`` are in RAW base units (``1000PEPE``);
    ``resolved.scale`` turns them into units of the canonical asset, and ``usd`` comes
    from the final pair so ``price * quantity == usd`` holds exactly.
    """
    if side is None:
        return "bad side"
    if not price:
        return "bad price"
    if not size:
        return "bad size"
    if not exchange_ms:
        return "bad time"
    return event_of(venue, symbol, resolved, side, price, size, exchange_ms, received_ms)


def strip_quote(symbol: str, quotes: tuple[str, ...]) -> str:
    """The base of ``symbol`` ending in one of ``quotes`` (``BTCUSDT`` -> ``BTC``), else ``""``."""
    for quote in quotes:
        if symbol.endswith(quote) and len(symbol) > len(quote):
            return symbol[: -len(quote)]
    return ""


class AdapterBase:
    """What every adapter shares: the never-raising ``decode``/``parse`` pair and the
    swappable instruments table.

    Subclasses set the declarative attributes of
    :class:`~liqterm.venues.base.VenueAdapter` and implement ``_decode_message`` (most
    through :meth:`_decode_rows`, then also ``_resolve_asset`` and ``_read_row``), and
    ``_fast`` for their ordinary data frame (see the module docstring).
    """

    name: str
    instruments: VenueInstruments

    def __init__(self, instruments: VenueInstruments | None = None) -> None:
        self.instruments = instruments if instruments is not None else bundled(self.name)
        self._assets: dict[str, Resolved | str] = {}

    def use_instruments(self, table: VenueInstruments) -> None:
        """Swap in a refreshed table; one attribute store, so a parse in flight sees old or new."""
        if table.venue != self.name:
            raise ValueError(f"{table.venue} instruments given to the {self.name} adapter")
        self.instruments = table
        self._assets = {}

    def _asset(self, symbol: str) -> Resolved | str:
        """What ``symbol``'s rows mean, or the reason it is refused; memoised.

        Resolving runs a regex (:func:`canonical_asset`), which would otherwise be a
        large share of a parse. The memo is a pure cache of a pure function, cleared
        with each new table and bounded against a stream of junk symbols.
        """
        found = self._assets.get(symbol)
        if found is None:
            found = self._resolve_asset(symbol)
            if len(self._assets) >= _ASSET_MEMO_LIMIT:
                self._assets = {}
            self._assets[symbol] = found
        return found

    def _resolve_asset(self, symbol: str) -> Resolved | str:
        raise NotImplementedError

    def _listed_or_named(
        self, symbol: str, pair: str, quotes: tuple[str, ...], size_in_usd: bool = False
    ) -> Resolved | str | None:
        """``symbol`` from the instruments table, else from its name: ``pair`` is ``<BASE><quote>``.

        For venues whose sizes mean the same for every linear symbol (base units, or
        USD with ``size_in_usd``), so that the name is enough where the table (the
        bundled one lists majors only) lacks the symbol. ``None`` when neither knows it.
        """
        known = self.instruments.symbols.get(symbol)
        if known is not None:
            if not known.linear:
                return f"not USD-quoted {symbol}"
            return Resolved(known.asset, known.scale, 1.0, size_in_usd)
        base = strip_quote(pair, quotes)
        if not base:
            return None
        asset, scale = canonical_asset(base)
        return Resolved(asset, scale, 1.0, size_in_usd)

    def _decode_rows(
        self, rows: Iterable[object], symbol_key: str, envelope_ms: object, received_ms: int
    ) -> Decoded:
        """The events of rows that each name their symbol under ``symbol_key``.

        A bad row is skipped and the frame's ``rejected`` is the first reason met. The
        loop and the asset memo are shared; the venue's fields are read by ``_read_row``.
        """
        assets = self._assets
        read_row = self._read_row
        events: list[Liquidation] = []
        rejected: str | None = None
        for row in rows:
            if type(row) is not dict:
                rejected = rejected or "bad row"
                continue
            symbol = row.get(symbol_key)
            if type(symbol) is not str or not symbol:
                rejected = rejected or "bad symbol"
                continue
            resolved = assets.get(symbol) or self._asset(symbol)
            if type(resolved) is str:
                rejected = rejected or resolved
                continue
            found = read_row(row, symbol, resolved, envelope_ms, received_ms)
            if type(found) is str:
                rejected = rejected or found
            else:
                events.append(found)
        return Decoded(events, rejected)

    def _read_row(
        self, row: dict, symbol: str, resolved: Resolved, envelope_ms: object, received_ms: int
    ) -> Liquidation | str:
        """One row's fields in the venue's names, passed to :func:`liquidation_or_reason`."""
        raise NotImplementedError

    def decode(self, frame: str | bytes, received_ms: int) -> Decoded:
        """Decode one frame with the reason for anything rejected; never raises."""
        try:
            events = self.clean_events(frame, received_ms)
            if events is not None:
                return clean(events)
            # Anything but an ordinary data frame is read again by the stdlib, as it always was:
            # orjson refuses NaN and reads integers past 64 bits as floats, and reasons quote values.
            return self._decode(frame, received_ms)
        except Exception as exc:  # contract: never raises; a parser bug must not kill a feed
            log.debug("%s: unexpected %s while decoding a frame", self.name, type(exc).__name__)
            return Decoded([], f"unparseable frame ({type(exc).__name__})")

    def clean_events(self, frame: str | bytes, received_ms: int) -> list[Liquidation] | None:
        """The events of an ordinary, wholly valid data frame, else ``None``; never raises.

        A list is exactly ``decode(frame, received_ms).events`` of a frame ``decode`` finds
        clean; ``None`` says only "ask ``decode``" (a control frame, a rejection, anything
        unusual). The replay, the backtest and the live handler call this first: it skips
        building a :class:`Decoded` for the frames that are nearly all of a feed.
        """
        if type(frame) is not str:
            return None
        try:
            return self._fast(fast_loads(frame), received_ms)
        except Exception:  # not JSON (orjson's errors are ValueErrors), or a parser bug: decode() says
            return None

    def parse(self, frame: str | bytes, received_ms: int) -> list[Liquidation]:
        """Decode one frame to events only; never raises."""
        return self.decode(frame, received_ms).events

    def _decode(self, frame: str | bytes, received_ms: int) -> Decoded:
        """The full path from the frame itself: the stdlib reads it, ``_decode_message`` checks it."""
        message, reason = load_json(frame)
        if reason:
            return Decoded([], reason)
        return self._decode_message(message, received_ms)

    def _fast(self, message: object, received_ms: int) -> list[Liquidation] | None:
        """The events of an ordinary, wholly valid data frame, else ``None`` (the full path decides).

        Must return exactly what ``_decode_message`` would, and never raise.
        """
        return None

    def _decode_message(self, message: object, received_ms: int) -> Decoded:
        """The full reader of a parsed frame: events, or the first reason it is refused."""
        raise NotImplementedError
