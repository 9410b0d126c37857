"""The cheap parts of a parse: the JSON reader, and building events and results.

Everything here runs once per frame or once per liquidation, so it is measured
(benchmarks/parse.py, benchmarks/e2e.py) rather than written the obvious way:

* :data:`fast_loads` is ``orjson.loads`` when orjson is installed (3-4x faster than
  ``json.loads`` on these frames), else ``json.loads``. orjson is stricter than the
  stdlib (no ``NaN``, no integers past 64 bits, no lone surrogates); the adapters read
  a frame orjson refuses again with the stdlib, so what is accepted, and every
  rejection reason, is exactly the stdlib's. (Numbers inside a frame, mostly strings,
  are read with ``float()`` on both paths: it is as fast as ``orjson.loads`` on them.)
* :func:`event_of` and :func:`clean` build a frozen, slotted
  :class:`~liqterm.model.Liquidation` / :class:`~liqterm.venues.base.Decoded` about
  three times faster than their constructors: the fields are stored on an instance of
  a plain class with the very same slots, and the instance is then given its real
  class (``__class__`` assignment between layout-compatible classes, which Python
  allows). The result is an ordinary instance of the real class, equal to and
  indistinguishable from a constructed one, and still frozen. An import-time check
  falls back to the constructors should the classes ever stop being compatible.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from liqterm.model import Liquidation, Side
from liqterm.venues.base import Decoded

try:
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover - orjson is a dependency; the stdlib still works
    _orjson_loads = None

fast_loads: Callable[[str], object] = _orjson_loads or json.loads
"""The JSON reader of the adapters' fast path (see the module docstring)."""
JSON_BACKEND = "orjson" if _orjson_loads is not None else "json"


class _EventSlots:
    """Liquidation's slots on a class without the frozen ``__setattr__``."""

    __slots__ = Liquidation.__slots__


class _DecodedSlots:
    """Decoded's slots on a class without the frozen ``__setattr__``."""

    __slots__ = Decoded.__slots__


def _event_fast(
    venue: str,
    symbol: str,
    resolved: tuple[str, float, float, bool],
    side: Side,
    price: float,
    size: float,
    exchange_ms: int,
    received_ms: int,
) -> Liquidation:
    """The event of a row whose fields passed every check (see ``liquidation_or_reason``).

    ``price`` and ``size`` are the row's, in RAW units; ``resolved`` is the symbol's
    ``(asset, scale, size_unit, size_in_usd)``. Each event is built the one way, here.
    """
    asset, scale, size_unit, size_in_usd = resolved
    quantity = size * size_unit / price if size_in_usd else size * size_unit
    if scale != 1.0:
        price /= scale
        quantity *= scale
    event = _EventSlots()
    event.venue = venue  # type: ignore[attr-defined]
    event.symbol = symbol  # type: ignore[attr-defined]
    event.asset = asset  # type: ignore[attr-defined]
    event.side = side  # type: ignore[attr-defined]
    event.price = price  # type: ignore[attr-defined]
    event.quantity = quantity  # type: ignore[attr-defined]
    event.usd = price * quantity  # type: ignore[attr-defined]
    event.exchange_ms = exchange_ms  # type: ignore[attr-defined]
    event.received_ms = received_ms  # type: ignore[attr-defined]
    event.__class__ = Liquidation  # type: ignore[assignment]
    return event  # type: ignore[return-value]


def _event_plain(
    venue: str,
    symbol: str,
    resolved: tuple[str, float, float, bool],
    side: Side,
    price: float,
    size: float,
    exchange_ms: int,
    received_ms: int,
) -> Liquidation:
    """:func:`_event_fast` through the constructor."""
    asset, scale, size_unit, size_in_usd = resolved
    quantity = size * size_unit / price if size_in_usd else size * size_unit
    if scale != 1.0:
        price /= scale
        quantity *= scale
    usd = price * quantity
    return Liquidation(venue, symbol, asset, side, price, quantity, usd, exchange_ms, received_ms)


def _clean_fast(events: list[Liquidation]) -> Decoded:
    """``Decoded(events)``: a clean frame, built faster."""
    decoded = _DecodedSlots()
    decoded.events = events  # type: ignore[attr-defined]
    decoded.rejected = None  # type: ignore[attr-defined]
    decoded.is_control = False  # type: ignore[attr-defined]
    decoded.unknown_symbol = False  # type: ignore[attr-defined]
    decoded.__class__ = Decoded  # type: ignore[assignment]
    return decoded  # type: ignore[return-value]


def _clean_plain(events: list[Liquidation]) -> Decoded:
    return Decoded(events)


def _slots_work() -> bool:
    """Whether the slot builders give exactly what the constructors give."""
    args = ("okx", "1000PEPE-USDT-SWAP", ("PEPE", 1000.0, 10.0, False), Side.LONG, 0.01, 3.0, 1, 2)
    try:
        event = _event_fast(*args)  # type: ignore[arg-type]
        decoded = _clean_fast([event])
    except TypeError:  # the layouts differ: __class__ cannot be assigned
        return False
    expected = _event_plain(*args)  # type: ignore[arg-type]
    return (
        type(event) is Liquidation
        and event == expected
        and type(decoded) is Decoded
        and decoded == Decoded([expected])
    )


if _slots_work():
    event_of = _event_fast
    clean = _clean_fast
else:  # pragma: no cover - only if Liquidation or Decoded change shape
    event_of = _event_plain
    clean = _clean_plain
