"""Row text for the Line-API lists: fixed-width cells and exact-width rows of merged segments."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip


def fit(text: str, width: int, right: bool = False) -> str:
    """``text`` cut or padded to exactly ``width`` cells (an ellipsis marks a cut)."""
    if text.isascii():  # the common case: one cell per character
        if len(text) > width:
            text = text[: width - 1] + "…" if width > 1 else text[:width]
        return text.rjust(width) if right else text.ljust(width)
    if cell_len(text) > width:
        text = set_cell_size(text, max(0, width - 1)) + "…" if width > 1 else set_cell_size(text, width)
    pad = width - cell_len(text)
    return (" " * pad + text) if right else (text + " " * pad)


def cell(text: str, width: int, style: Style, right: bool = False) -> Segment:
    """A segment of ``text`` cut or padded to exactly ``width`` cells."""
    return Segment(fit(text, width, right), style)


def exact(segments: list[Segment], width: int, pad: Style) -> list[Segment]:
    """``segments`` with same-style neighbours merged (Textual's per-line work grows with the
    segments), padded with ``pad`` or cut to exactly ``width`` cells.

    The same segments as ``Strip(Segment.simplify(segments)).crop_extend(0, width, pad)``,
    without its intermediate strips.
    """
    if not segments:
        return [Segment(" " * width, pad)] if width else []
    merged: list[Segment] = []
    text, style, _control = segments[0]
    cells = 0
    for segment in segments[1:]:
        if segment.style is style or segment.style == style:
            text += segment.text
            continue
        merged.append(Segment(text, style))
        cells += len(text) if text.isascii() else cell_len(text)
        text, style = segment.text, segment.style
    merged.append(Segment(text, style))
    cells += len(text) if text.isascii() else cell_len(text)
    if cells < width:
        merged.append(Segment(" " * (width - cells), pad))
    elif cells > width:
        return list(Strip(merged, cells).crop(0, width))
    return merged
