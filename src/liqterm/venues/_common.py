"""Small helpers every venue parser shares: safe JSON loading, number checks, event building.

The parsers run once per websocket frame, so these stay plain functions on builtin
types: no intermediate objects between ``json.loads`` and the final
:class:`~liqterm.model.Liquidation`.
"""

from __future__ import annotations

import json
import logging

from liqterm.model import Liquidation, Side
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
    """``(value, None)`` for a frame that is JSON, else ``(None, reason)``.

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


def event(
    venue: str,
    symbol: str,
    asset: str,
    scale: float,
    side: Side,
    price: float,
    quantity: float,
    exchange_ms: int,
    received_ms: int,
) -> Liquidation:
    """Build the event from a venue price/quantity in RAW base units (``1000PEPE``).

    ``scale`` (from :func:`liqterm.model.canonical_asset`) turns them into units of
    the canonical asset; ``usd`` is computed from the final pair so
    ``price * quantity == usd`` holds exactly.
    """
    if scale != 1.0:
        price /= scale
        quantity *= scale
    return Liquidation(
        venue, symbol, asset, side, price, quantity, price * quantity, exchange_ms, received_ms
    )


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
    :class:`~liqterm.venues.base.VenueAdapter` and implement ``_decode``.
    """

    name: str
    instruments: VenueInstruments

    def __init__(self, instruments: VenueInstruments | None = None) -> None:
        self.instruments = instruments if instruments is not None else bundled(self.name)
        self._assets: dict[str, tuple[str, float] | str] = {}

    def use_instruments(self, table: VenueInstruments) -> None:
        """Swap in a refreshed table; one attribute store, so a parse in flight sees old or new."""
        if table.venue != self.name:
            raise ValueError(f"{table.venue} instruments given to the {self.name} adapter")
        self.instruments = table
        self._assets = {}

    def _asset(self, symbol: str) -> tuple[str, float] | str:
        """``(asset, scale)`` for ``symbol``, or the reason it is refused; memoised.

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

    def _resolve_asset(self, symbol: str) -> tuple[str, float] | str:
        raise NotImplementedError

    def decode(self, frame: str | bytes, received_ms: int) -> Decoded:
        """Decode one frame with the reason for anything rejected; never raises."""
        try:
            return self._decode(frame, received_ms)
        except Exception as exc:  # contract: never raises; a parser bug must not kill a feed
            log.debug("%s: unexpected %s while decoding a frame", self.name, type(exc).__name__)
            return Decoded([], f"unparseable frame ({type(exc).__name__})")

    def parse(self, frame: str | bytes, received_ms: int) -> list[Liquidation]:
        """Decode one frame to events only; never raises."""
        return self.decode(frame, received_ms).events

    def _decode(self, frame: str | bytes, received_ms: int) -> Decoded:
        raise NotImplementedError
