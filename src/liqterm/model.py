"""The one event type every venue is normalised into.

A :class:`Liquidation` is what the engine, the tape, the recorder and Telegram
all speak. It is deliberately small, frozen and slotted: a cascade can push
thousands of them per second through the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

VENUE_IDS: tuple[str, ...] = ("binance", "bybit", "okx", "gateio", "bitget")
"""Lower-case venue ids, in display order."""


class Side(StrEnum):
    """Which POSITION was liquidated (not the side of the closing order)."""

    LONG = "long"
    SHORT = "short"


@dataclass(frozen=True, slots=True)
class Liquidation:
    """One forced liquidation, normalised across venues.

    Attributes:
        venue: lower-case venue id (see :data:`VENUE_IDS`).
        symbol: the venue's own instrument name, e.g. ``BTCUSDT`` or ``BTC-USDT-SWAP``.
        asset: canonical base asset, upper case, scale prefix removed (see
            :func:`canonical_asset`): ``1000PEPEUSDT`` on Binance has asset ``PEPE``.
        side: the position that was liquidated.
        price: price per ONE unit of ``asset`` in the quote currency (USD-like).
        quantity: size in units of ``asset`` (so ``price * quantity == usd``).
        usd: notional in USD (stablecoin quotes are taken at par).
        exchange_ms: the venue's event time, epoch milliseconds UTC.
        received_ms: local receive time, epoch milliseconds UTC.
    """

    venue: str
    symbol: str
    asset: str
    side: Side
    price: float
    quantity: float
    usd: float
    exchange_ms: int
    received_ms: int

    @property
    def identity(self) -> tuple[str, str, str, float, float, int]:
        """The fields that make two reports the same event (reconnect overlap, replays)."""
        return (self.venue, self.symbol, self.side, self.price, self.quantity, self.exchange_ms)


# Venues list low-priced coins as 1000PEPE, 10000SATS, 1000000MOG, 1MBABYDOGE or k-prefixed
# (Hyperliquid kPEPE). Quantity x price stays right either way, but cross-venue comparisons
# (correlator, price dislocation) need one asset and one price unit, so adapters strip the prefix
# and rescale price and quantity by the factor returned here.
_SCALE_PREFIX = re.compile(r"^(1(?:0{3,}))(?=[A-Z])|^(1M)(?=[A-Z]{3,})")


def canonical_asset(raw_base: str) -> tuple[str, float]:
    """Return ``(asset, scale)`` for a venue's base-asset string.

    ``scale`` is how many units of ``asset`` one unit of ``raw_base`` is: a price
    quoted per ``raw_base`` is divided by it and a quantity multiplied by it.

    >>> canonical_asset("1000PEPE")
    ('PEPE', 1000.0)
    >>> canonical_asset("xbt")
    ('BTC', 1.0)
    >>> canonical_asset("1INCH")
    ('1INCH', 1.0)
    """
    base = raw_base.strip().upper()
    if base == "XBT":
        return "BTC", 1.0
    match = _SCALE_PREFIX.match(base)
    if match:
        prefix = match.group(1) or match.group(2)
        rest = base[len(prefix) :]
        scale = 1_000_000.0 if prefix == "1M" else float(prefix)
        return rest, scale
    return base, 1.0


def _install_fast_init() -> None:
    """Give :class:`Liquidation` a faster ``__init__`` with the same signature.

    A frozen dataclass sets each field through ``object.__setattr__``; writing
    through the slots' own descriptors does the same thing about a third faster,
    and the parsers build one of these per liquidation in a burst.
    """
    names = ("venue", "symbol", "asset", "side", "price", "quantity", "usd", "exchange_ms", "received_ms")
    (s_venue, s_symbol, s_asset, s_side, s_price, s_quantity, s_usd, s_exchange, s_received) = (
        Liquidation.__dict__[name].__set__ for name in names
    )

    def __init__(
        self: Liquidation,
        venue: str,
        symbol: str,
        asset: str,
        side: Side,
        price: float,
        quantity: float,
        usd: float,
        exchange_ms: int,
        received_ms: int,
    ) -> None:
        s_venue(self, venue)
        s_symbol(self, symbol)
        s_asset(self, asset)
        s_side(self, side)
        s_price(self, price)
        s_quantity(self, quantity)
        s_usd(self, usd)
        s_exchange(self, exchange_ms)
        s_received(self, received_ms)

    __init__.__qualname__ = "Liquidation.__init__"
    __init__.__doc__ = Liquidation.__init__.__doc__
    Liquidation.__init__ = __init__  # type: ignore[method-assign]


_install_fast_init()
