"""What the tape shows: the minimum class, retail on/off, and the ``/`` filter.

Pure and immutable, so the screen can hold it in a ``var`` and widgets compare
it cheaply. The filter query is typed in words: ``BTC ETH binance long`` keeps
BTC and ETH liquidations of longs on Binance; venues and sides are recognised
by name, every other word is an asset.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from liqterm.config.schema import CLASSES
from liqterm.engine import TapeRow
from liqterm.model import VENUE_IDS

SIDES = ("long", "short")
_SIDE_WORDS = {"long": "long", "longs": "long", "short": "short", "shorts": "short"}
_ASSET = re.compile(r"^\w{1,24}$")


class FilterError(ValueError):
    """A filter word that is neither a venue, a side nor a plausible asset name."""


@dataclass(frozen=True, slots=True)
class ViewFilter:
    """Which tape rows are shown. Empty sets mean "any"."""

    min_class: str = "retail"
    hide_retail: bool = False
    assets: frozenset[str] = field(default_factory=frozenset)
    venues: frozenset[str] = field(default_factory=frozenset)
    sides: frozenset[str] = field(default_factory=frozenset)

    @property
    def min_rank(self) -> int:
        """The smallest class rank shown (``r`` hides retail whatever ``1``-``4`` say)."""
        rank = CLASSES.index(self.min_class)
        return max(rank, 1) if self.hide_retail else rank

    def admits(self, row: TapeRow) -> bool:
        """Whether ``row`` passes every part of the filter."""
        event = row.event
        return (
            CLASSES.index(row.cls) >= self.min_rank
            and (not self.assets or event.asset in self.assets)
            and (not self.venues or event.venue in self.venues)
            and (not self.sides or event.side in self.sides)
        )

    def admitter(self) -> Callable[[TapeRow], bool]:
        """:meth:`admits` as one predicate, quick when parts of the filter are empty (the tape
        tests hundreds of rows per tick under a burst)."""
        classes = frozenset(CLASSES[self.min_rank :])
        assets, venues, sides = self.assets, self.venues, self.sides
        if not (assets or venues or sides):
            if len(classes) == len(CLASSES):
                return everything
            return lambda row: row.cls in classes
        return lambda row: (
            row.cls in classes
            and (not assets or row.event.asset in assets)
            and (not venues or row.event.venue in venues)
            and (not sides or row.event.side in sides)
        )

    def with_query(self, text: str) -> ViewFilter:
        """This view with the asset/venue/side part replaced by ``text`` (blank clears it).

        Raises:
            FilterError: a word is not a venue, a side or an asset name.
        """
        assets, venues, sides = parse_query(text)
        return replace(self, assets=assets, venues=venues, sides=sides)

    @property
    def query(self) -> str:
        """The asset/venue/side part as words, the way :meth:`with_query` reads them."""
        return " ".join([*sorted(self.assets), *sorted(self.venues), *sorted(self.sides)])

    def describe(self) -> str:
        """A short line for the tape's title, e.g. ``≥ whale · BTC ETH · long``."""
        parts = []
        if self.min_rank:
            parts.append(f"≥ {CLASSES[self.min_rank]}")
        if self.hide_retail and CLASSES.index(self.min_class) == 0:
            parts[-1] += " (retail hidden)"
        if self.query:
            parts.append(self.query)
        return " · ".join(parts) if parts else "all events"


def everything(row: TapeRow) -> bool:
    """The predicate of a filter that admits every row."""
    return True


def parse_query(text: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Split filter words into ``(assets, venues, sides)``.

    Words are separated by spaces or commas; case does not matter.

    Raises:
        FilterError: naming the first word that cannot be an asset.
    """
    assets: set[str] = set()
    venues: set[str] = set()
    sides: set[str] = set()
    for word in re.split(r"[\s,]+", text.strip()):
        if not word:
            continue
        lower = word.lower()
        if lower in VENUE_IDS:
            venues.add(lower)
        elif lower in _SIDE_WORDS:
            sides.add(_SIDE_WORDS[lower])
        elif _ASSET.match(word):
            assets.add(word.upper())
        else:
            raise FilterError(f"{word!r} is not a venue, a side (long/short) or an asset")
    return frozenset(assets), frozenset(venues), frozenset(sides)
