"""What every venue adapter shares: safe JSON loading, the never-raising ``decode``, the memo of
what each symbol means, and the two paths a frame can take.

Each adapter declares its row layout once (:class:`~liqterm.venues._rows.RowLayout`) and
writes one ``_envelope``: where a data frame keeps its rows, and what any other frame is
(a control frame, or the reason it is refused). A frame then takes one of two paths:

* the fast path, ``clean_events``: orjson reads the frame, ``_envelope`` finds the rows,
  and the layout's fast reader (compiled from the declaration, :mod:`._fast_rows`) turns
  them into events, giving up (``None``) at the first thing it does not expect;
* the full path, ``_decode``: the stdlib's ``json.loads``, the same ``_envelope``, and the
  layout's full reader, which checks every row in a fixed order and names the first fault.

Both paths read the one declaration and the one envelope, so the fast path returns only
what the full path would have returned for the same frame (the fast-path tests check
this on real and mutated frames): it changes speed, never results. A control or
rejected frame is simply read twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from types import MethodType

from liqterm.model import Liquidation, Side, canonical_asset
from liqterm.venues._build import clean
from liqterm.venues._fast_rows import fast_reader
from liqterm.venues._rows import Refused, Resolved, RowLayout, SizeUnit, read_row, refused, unknown
from liqterm.venues.base import Decoded
from liqterm.venues.instruments import VenueInstruments, bundled

log = logging.getLogger(__name__)

LONG = Side.LONG
SHORT = Side.SHORT

_ASSET_MEMO_LIMIT = 20_000

Rows = tuple[Sequence[object] | dict, dict]
"""What ``_envelope`` finds in a data frame: its rows (or, for a grouped layout, its
groups), a list of them or a single one, and the object holding them, whose
``RowLayout.envelope_time`` stands in for a row's missing time."""


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


def strip_quote(symbol: str, quotes: tuple[str, ...]) -> str:
    """The base of ``symbol`` ending in one of ``quotes`` (``BTCUSDT`` -> ``BTC``), else ``""``."""
    for quote in quotes:
        if symbol.endswith(quote) and len(symbol) > len(quote):
            return symbol[: -len(quote)]
    return ""


class AdapterBase:
    """What every adapter shares: the never-raising ``decode``/``parse`` pair, both paths
    (see the module docstring) and the swappable instruments table.

    Subclasses set the declarative attributes of
    :class:`~liqterm.venues.base.VenueAdapter` and ``rows`` (their
    :class:`~liqterm.venues._rows.RowLayout`), and write ``_envelope`` and
    ``_resolve_asset``.
    """

    name: str
    rows: RowLayout
    instruments: VenueInstruments
    bare_control_text: str | None = None
    """A frame that is this text and not JSON (OKX's and Bitget's ``pong``) is a control frame."""
    clean_events: Callable[[str | bytes, int], list[Liquidation] | None]
    """``clean_events(frame, received_ms)``: the events of an ordinary, wholly valid data frame,
    else ``None``; never raises. A list is exactly ``decode(frame, received_ms).events`` of a
    frame ``decode`` finds clean; ``None`` says only "ask ``decode``" (a control frame, a
    rejection, anything unusual). The replay, the backtest and the live handler call this
    first: it skips building a :class:`Decoded` for the frames that are nearly all of a feed.
    It is the venue's compiled fast reader, made with the adapter and bound to it (see the
    module docstring)."""

    def __init__(self, instruments: VenueInstruments | None = None) -> None:
        self.instruments = instruments if instruments is not None else bundled(self.name)
        self._assets: dict[str, Resolved | Refused] = {}
        reader = fast_reader(self.name, self.rows, self._envelope, self._assets)
        self.clean_events = MethodType(reader, self)

    def __reduce__(self) -> tuple[type, tuple[VenueInstruments]]:
        """An adapter is its class and its table: a copy remakes its memo and its reader
        (a copied reader would still read through the original's envelope and memo)."""
        return type(self), (self.instruments,)

    def use_instruments(self, table: VenueInstruments) -> None:
        """Swap in a refreshed table and forget what each symbol meant under the old one."""
        if table.venue != self.name:
            raise ValueError(f"{table.venue} instruments given to the {self.name} adapter")
        self.instruments = table
        self._assets.clear()  # in place: the fast reader holds this very dict

    # -- what a symbol means ------------------------------------------------------------------------

    def _asset(self, symbol: str) -> Resolved | Refused:
        """What ``symbol``'s rows mean, or why they are refused; memoised.

        Resolving runs a regex (:func:`canonical_asset`), which would otherwise be a
        large share of a parse. The memo is a pure cache of a pure function, cleared
        with each new table and bounded against a stream of junk symbols.
        """
        found = self._assets.get(symbol)
        if found is None:
            found = self._resolve_asset(symbol)
            if len(self._assets) >= _ASSET_MEMO_LIMIT:
                self._assets.clear()
            self._assets[symbol] = found
        return found

    def _resolve_asset(self, symbol: str) -> Resolved | Refused:
        raise NotImplementedError

    def _listed_or_named(self, symbol: str, pair: str, quotes: tuple[str, ...]) -> Resolved | Refused | None:
        """``symbol`` from the instruments table, else from its name: ``pair`` is ``<BASE><quote>``.

        For a layout whose sizes mean the same for every linear symbol (base units, or the
        quote currency), so that the name is enough where the table (the bundled one lists
        majors only) lacks the symbol. ``None`` when neither knows it.
        """
        unit = self.rows.unit
        if unit is SizeUnit.CONTRACTS:
            raise TypeError(f"{self.name}: a contract's size is never read off its name")
        in_usd = unit is SizeUnit.QUOTE
        known = self.instruments.symbols.get(symbol)
        if known is not None:
            if not known.linear:
                return refused(f"not USD-quoted {symbol}")
            return Resolved(known.asset, known.scale, 1.0, in_usd)
        base = strip_quote(pair, quotes)
        if not base:
            return None
        asset, scale = canonical_asset(base)
        return Resolved(asset, scale, 1.0, in_usd)

    def _listed_contract(self, symbol: str, inverse_in_usd: bool) -> Resolved | Refused:
        """``symbol`` from the instruments table, for sizes counted in contracts.

        A contract's size is never guessed: a symbol the table lacks is unknown.
        ``inverse_in_usd``: an inverse contract is worth its contract size in USD (OKX
        ``BTC-USD-SWAP``), else inverse contracts are refused.
        """
        known = self.instruments.symbols.get(symbol)
        if known is None:
            return unknown(symbol)
        if known.linear:
            return Resolved(known.asset, known.scale, known.contract_size)
        if inverse_in_usd:
            return Resolved(known.asset, known.scale, known.contract_size, True)
        return refused(f"not USD-quoted {symbol}")

    # -- the two paths ------------------------------------------------------------------------------

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

    def parse(self, frame: str | bytes, received_ms: int) -> list[Liquidation]:
        """Decode one frame to events only; never raises."""
        return self.decode(frame, received_ms).events

    def _decode(self, frame: str | bytes, received_ms: int) -> Decoded:
        """The full path from the frame itself: the stdlib reads it, ``_decode_message`` checks it."""
        text = self.bare_control_text
        if text is not None and (frame == text or frame == text.encode()):
            return control()
        message, reason = load_json(frame)
        if reason:
            return Decoded([], reason)
        return self._decode_message(message, received_ms)

    def _decode_message(self, message: object, received_ms: int) -> Decoded:
        """The full reader of a parsed frame: events, or the first reason it is refused."""
        found = self._envelope(message)
        if type(found) is not tuple:
            return found  # type: ignore[return-value]
        items, envelope = found
        envelope_time = self.rows.envelope_time
        envelope_ms = envelope.get(envelope_time) if envelope_time is not None else None
        return self._decode_rows(items, envelope_ms, received_ms)

    def _envelope(self, message: object) -> Rows | Decoded:
        """The rows of a data frame and the object holding them, else what the frame is: a
        control frame or a refusal with its reason. Shared by both paths; must not raise."""
        raise NotImplementedError

    def _decode_rows(self, items: Sequence[object] | dict, envelope_ms: object, received_ms: int) -> Decoded:
        """The events of the rows (or groups of rows) ``_envelope`` found, read the full way.

        A bad row is skipped and the frame's ``rejected`` is the first reason met;
        ``unknown_symbol`` says some row was refused for a symbol no table knows.
        """
        if type(items) is dict:  # a single row (or group)
            items = (items,)
        layout = self.rows
        symbol_key = layout.symbol
        group_key = layout.rows_in_group
        assets = self._assets
        events: list[Liquidation] = []
        rejected: str | None = None
        unknown_symbol = False
        for item in items:
            if type(item) is not dict:
                rejected = rejected or "bad row"
                continue
            symbol = item.get(symbol_key)
            good_symbol = type(symbol) is str and bool(symbol)
            if group_key is None:
                if not good_symbol:
                    rejected = rejected or "bad symbol"
                    continue
                rows: Sequence[object] = (item,)
            else:
                rows = item.get(group_key)  # type: ignore[assignment]
                if not good_symbol or type(rows) is not list:
                    rejected = rejected or "bad row"
                    continue
            resolved = assets.get(symbol) or self._asset(symbol)  # type: ignore[arg-type]
            if type(resolved) is Refused:
                rejected = rejected or resolved.reason
                unknown_symbol = unknown_symbol or resolved.unknown_symbol
                continue
            for row in rows:
                if type(row) is dict:
                    found = read_row(self.name, layout, row, symbol, resolved, envelope_ms, received_ms)  # type: ignore[arg-type]
                else:
                    found = "bad row"
                if type(found) is str:
                    rejected = rejected or found
                else:
                    events.append(found)  # type: ignore[arg-type]
        return Decoded(events, rejected, False, unknown_symbol)
