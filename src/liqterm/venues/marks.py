"""Mark prices on the liquidation connection: context for measuring cascade warnings.

Whether mark-price context lengthens the warning liquidations alone give is an open
question. Answering it needs recordings that hold mark prices beside the liquidations,
so a venue whose adapter can subscribe its mark-price stream on the SAME connection
(``mark_price_frames``; Binance and Bybit so far) may be asked to, per ``[venues.<id>]
mark_prices`` in the config. Its frames are control frames to the parser (they prove
the feed alive every second) and are recorded like every frame;
:mod:`liqterm_lab.marks` reads them back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from liqterm.venues.base import VenueAdapter


def supports_mark_prices(adapter: object) -> bool:
    """Whether the adapter can subscribe mark prices on its liquidation connection."""
    return callable(getattr(adapter, "mark_price_frames", None))


class WithMarkPrices:
    """``adapter``, whose connections also ask for ``symbols``' mark prices (``("*",)``: all).

    The requests are its ``context_frames``, which the connection manager sends once per
    connection after the adapter's own subscription. Everything else is the adapter's own
    (so its instrument table, swapped in by a refresh, is the one in use).
    """

    def __init__(self, adapter: VenueAdapter, symbols: Sequence[str]) -> None:
        if not supports_mark_prices(adapter):
            raise ValueError(f"{adapter.name}: liqterm cannot subscribe its mark prices yet")
        if not symbols:
            raise ValueError(f"{adapter.name}: no mark-price symbol given")
        self._adapter = adapter
        self.context_frames: list[str] = adapter.mark_price_frames(tuple(symbols))  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:
        # Only reached for names not set here; "_adapter" itself, or any dunder, asked before
        # __init__ ran (copy, pickle) must not recurse into this method.
        if name == "_adapter" or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._adapter, name)
