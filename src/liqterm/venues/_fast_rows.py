"""The fast path of a venue: Python source written from its row layout, compiled once.

The fast path must cost what a reader written by hand for the venue costs (the replay's
budget is a few microseconds per event, most of it JSON and the engine), so the reader of
a layout is not an interpreter of it: :func:`fast_reader_source` writes the one loop that
layout needs, out of the lines each field's ``fast_source`` gives, and
:func:`fast_reader` compiles it, as :mod:`dataclasses` writes ``__init__``. Print
``fast_reader_source("okx", OkxAdapter.rows)`` to read one.

The reader is the adapter's ``clean_events``: it reads a text frame with orjson, asks the
adapter's ``_envelope`` for its rows, and returns their events when every row is wholly
valid, else ``None`` ("ask ``decode``"); it never raises. It gives up on a frame that is
not a data frame, on a symbol not yet in the memo (the full path resolves it once), on a
refused one, on a value that is missing, of an unexpected kind or out of range, and on
anything that would need a fallback, so it only ever returns what the full path
(:func:`~liqterm.venues._rows.read_row`) returns; the fast-path tests check that on real,
synthetic and mutated frames. Being the compiled function itself, not a method calling
it, saves a call on every frame.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable, Mapping

from liqterm.model import Liquidation
from liqterm.venues._build import event_of, fast_loads
from liqterm.venues._rows import (
    HUGE,
    MAX_MS,
    MIN_MS,
    TINY,
    Refused,
    Resolved,
    RowLayout,
    SideFromSign,
    SideOf,
)

READER_GLOBALS: dict[str, object] = {
    "fast_loads": fast_loads,
    "Resolved": Resolved,
    "TINY": TINY,
    "HUGE": HUGE,
    "MIN_MS": MIN_MS,
    "MAX_MS": MAX_MS,
}
"""The globals the generated readers are compiled with, looked up at call time (a test gives
``fast_loads`` the stdlib's ``json.loads``, as a machine without orjson has it)."""

FastReader = Callable[[object, object, int], "list[Liquidation] | None"]
"""``read(adapter, frame, received_ms)``, bound to the adapter as its ``clean_events``: the
events of a data frame whose rows are all valid, else ``None``."""


def _indented(lines: list[str], depth: int) -> list[str]:
    return [" " * (4 * depth) + line for line in lines]


def fast_reader_source(venue: str, layout: RowLayout) -> str:
    """The source of ``venue``'s fast reader, for rows laid out as ``layout``.

    The reader is a function of the adapter (unused: bound to it, it is the adapter's
    ``clean_events`` method), the frame and its time. A factory makes it; the factory's
    arguments are what the reader needs of the adapter (its envelope and symbol memo),
    the event builder, and the side rule's constants (the names, or the sign's sides).
    Everything else it names is in :data:`READER_GLOBALS`.
    """
    symbol = [
        "symbol = {item}[" + repr(layout.symbol) + "]",
        "resolved = memo[symbol]  # a KeyError until the full path has resolved it once",
        "if type(resolved) is not Resolved:  # refused: the full path says why",
        "    return None",
    ]
    # The order of reading does not matter (no reading has side effects); the side comes
    # after the size because a sign rule needs the size.
    fields = [
        *layout.price.fast_source("price"),
        *layout.size.fast_source("size"),
        *layout.side.fast_source(),
        *layout.time.fast_source("ms"),
        "if not (TINY < price < HUGE and TINY < size < HUGE and MIN_MS <= ms < MAX_MS):",
        "    return None",
    ]
    event = f"event_of({venue!r}, symbol, resolved, side, price, size, ms, received_ms)"
    if layout.rows_in_group is None:
        body = [
            "if type(items) is dict:  # the envelope found a single row: no list to build",
            "    row = items",
            *_indented([line.format(item="row") for line in symbol], 1),
            *_indented(fields, 1),
            f"    return [{event}]",
            "events = []",
            "for row in items:",
            *_indented([line.format(item="row") for line in symbol], 1),
            *_indented(fields, 1),
            f"    events.append({event})",
            "return events",
        ]
    else:
        body = [
            "if type(items) is dict:  # a single group",
            "    items = (items,)",
            "events = []",
            "for group in items:",
            *_indented([line.format(item="group") for line in symbol], 1),
            f"    rows = group[{layout.rows_in_group!r}]",
            "    if type(rows) is not list:  # a str or dict would be iterated by character or key",
            "        return None",
            "    for row in rows:",
            *_indented(fields, 2),
            f"        events.append({event})",
            "return events",
        ]
    reader = [
        f"def read_{venue}_frame(adapter, frame, received_ms):",
        "    if type(frame) is not str:",
        "        return None",
        "    try:",
        "        found = envelope(fast_loads(frame))",
        "        if type(found) is not tuple:  # a control frame or a refusal: the full path says which",
        "            return None",
        "        items = found[0]",
        *_indented(body, 2),
        "    except Exception:  # not JSON, a missing key, a wrong type: the full path says",
        "        return None",
    ]
    factory = [
        "def make_reader(envelope, memo, event_of, side_names, negative_side, positive_side):",
        *_indented(reader, 1),
        f"    return read_{venue}_frame",
    ]
    return "\n".join(factory) + "\n"


def fast_reader(
    venue: str,
    layout: RowLayout,
    envelope: Callable[[object], object],
    memo: Mapping[str, Resolved | Refused],
    build_event: Callable[..., Liquidation] = event_of,
) -> FastReader:
    """Compile ``venue``'s fast reader (see the module docstring).

    ``memo`` is the adapter's symbol memo, read in place: the adapter clears it rather
    than replacing it. ``build_event`` is :func:`~liqterm.venues._build.event_of` but in
    benchmarks/parse.py, which times the reading alone with a builder that does nothing.
    """
    source = fast_reader_source(venue, layout)
    filename = f"<fast reader of {venue} frames>"
    # Registered with linecache so that a traceback through the reader shows its lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    made: dict[str, object] = {}
    exec(compile(source, filename, "exec"), READER_GLOBALS, made)
    side = layout.side
    names = side.names if type(side) is SideOf else None
    negative = side.negative if type(side) is SideFromSign else None
    positive = side.positive if type(side) is SideFromSign else None
    return made["make_reader"](envelope, memo, build_event, names, negative, positive)  # type: ignore[operator,no-any-return]
