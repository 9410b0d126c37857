"""Regenerate ``screenshots/`` by driving the real app (``make screenshots``).

The app runs the offline demo exactly as ``liqterm demo`` does (local venue
servers, the live connection path, the bundled real liquidations) in a headless
160×45 terminal, waits until episode A of the recording is under way, and saves:

- ``main.svg``: the main screen;
- ``thresholds.svg``: the threshold editor (``t``) for the asset under the cursor;
- ``whales.svg``: the whale pane focused (``w``).

PNG copies are written when ``rsvg-convert`` (Debian package ``librsvg2-bin``) is
installed; the SVGs are the reference. Settings saved during the run go to a
temporary config file, never the user's.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from textual.widgets import Input

from liqterm.config import Config
from liqterm.demo import DemoFeed
from liqterm.tui.app import LiqtermApp

OUT = Path(__file__).resolve().parents[1] / "screenshots"
SIZE = (160, 45)
DEMO_SECONDS = 20.0
"""Wall seconds of demo before the pictures: 100 s of recording at 5×, into episode A."""
MAJORS = ("ETH", "SOL", "BTC", "XRP", "BNB")


async def capture() -> list[Path]:
    feed = DemoFeed()
    with tempfile.TemporaryDirectory() as folder:
        app = LiqtermApp(Config(), Path(folder) / "config.toml", feed=feed, engine_config=feed.engine_config)
        app.threshold_note = feed.threshold_note
        written = []
        async with app.run_test(size=SIZE) as pilot:
            await asyncio.sleep(DEMO_SECONDS)
            written.append(save(app, "main"))
            await pilot.press("p")  # hold the tape still while a row is picked
            tape = app.main.tape
            assets = [tape.rows[key].event.asset for key in tape.keys]
            tape.move_cursor(next((assets.index(a) for a in MAJORS if a in assets), 0))
            await pilot.press("t")
            for field in app.screen.query(Input):
                field.cursor_blink = False
            await pilot.pause(0.3)
            written.append(save(app, "thresholds"))
            await pilot.press("escape", "space", "w")
            await pilot.pause(0.3)
            written.append(save(app, "whales"))
            await pilot.press("q")
    return written


def save(app: LiqtermApp, name: str) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.svg"
    path.write_text(app.export_screenshot(title=f"liqterm · {name}"), encoding="utf-8")
    return path


def to_png(svg: Path) -> Path | None:
    """A PNG beside ``svg`` with rsvg-convert, or ``None`` when it is not installed."""
    tool = shutil.which("rsvg-convert")
    if tool is None:
        return None
    # Rich's SVG positions every run of text; without xml:space="preserve" librsvg collapses
    # the leading spaces of a run and shifts right-aligned numbers.
    text = re.sub(
        r'<svg class="rich-terminal"',
        '<svg xml:space="preserve" class="rich-terminal"',
        svg.read_text(encoding="utf-8"),
        count=1,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".svg", delete=False, encoding="utf-8") as handle:
        handle.write(text)
    png = svg.with_suffix(".png")
    try:
        subprocess.run([tool, "--zoom", "1", "-o", str(png), handle.name], check=True)
    finally:
        Path(handle.name).unlink(missing_ok=True)
    return png


def main() -> int:
    written = asyncio.run(capture())
    for svg in written:
        png = to_png(svg)
        print(f"wrote {svg.relative_to(OUT.parent)}" + (f" and {png.name}" if png else ""))
    if shutil.which("rsvg-convert") is None:
        print("no PNGs: rsvg-convert not found (apt-get install librsvg2-bin); the SVGs are complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
