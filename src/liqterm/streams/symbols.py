"""Instrument lists for venues that have no all-symbols subscription.

The instruments module fetches and caches lists; this wrapper adds what the
connection needs: one fetch before subscribing, a rate-limited re-fetch when the
adapter rejects a frame for an unknown symbol (a new listing), and a note for
the health line when the list came from a fallback.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SymbolList:
    """A venue's instrument names, with a note when they are not fresh.

    Attributes:
        symbols: instrument names as the venue spells them.
        note: e.g. ``"instruments from bundled list (2026-08-09)"``; ``None`` when live.
    """

    symbols: tuple[str, ...]
    note: str | None = None


SymbolsProvider = Callable[[], "Sequence[str] | SymbolList | Awaitable[Sequence[str] | SymbolList]"]
"""A plain or async callable returning the symbols (or a :class:`SymbolList`)."""


class SymbolSource:
    """Fetches a venue's symbols once, and again at most every ``min_refresh_s``.

    Args:
        provider: returns the current symbols; may be sync or async; may raise
            (the last good list is kept).
        min_refresh_s: the shortest time between two re-fetches.
        monotonic: injectable clock for tests.
    """

    def __init__(
        self,
        provider: SymbolsProvider,
        min_refresh_s: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._provider = provider
        self._min_refresh_s = min_refresh_s
        self._monotonic = monotonic
        self._last_fetch: float | None = None
        self.current = SymbolList(())

    async def get(self) -> SymbolList:
        """The symbols, fetching them the first time (later calls reuse the list)."""
        if self._last_fetch is None:
            await self._fetch()
        return self.current

    async def refresh(self) -> SymbolList | None:
        """Re-fetch unless a fetch happened within ``min_refresh_s``; the new list or ``None``."""
        now = self._monotonic()
        if self._last_fetch is not None and now - self._last_fetch < self._min_refresh_s:
            return None
        await self._fetch()
        return self.current

    async def _fetch(self) -> None:
        self._last_fetch = self._monotonic()
        try:
            result = self._provider()
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:  # a provider failure must not stop the stream
            log.warning(
                "symbol list fetch failed, keeping %d known symbols: %s", len(self.current.symbols), exc
            )
            return
        if isinstance(result, SymbolList):
            self.current = result
        else:
            self.current = SymbolList(tuple(result))
