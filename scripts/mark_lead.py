"""Measure whether mark prices warn of cascades earlier than liquidations alone.

    .venv/bin/python scripts/mark_lead.py RECORDING... [--json] [--possible 0.15]

RECORDING is a `liqterm record` file taken with mark prices on the same connection, e.g.
with this in the config (see config.example.toml):

    [venues.binance]
    mark_prices = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]

Replays the recording through the live path, labels every asset's notional cascades as the
backtest does, and scores on them (see liqterm.backtest.marks): the engine's events-only
predictor at the app's `possible` level, the mark move alone at fixed levels, and a warning
when either fires. A recording without mark prices is refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from liqterm.backtest.events import merged_frames
from liqterm.backtest.marks import mark_lead, read_marks, render_mark_lead
from liqterm.backtest.report import plain
from liqterm.backtest.runner import collect
from liqterm.config.schema import Config
from liqterm.recording.replay import default_adapters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("recordings", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument(
        "--possible",
        type=float,
        default=Config().alerts.possible,
        help="the app's warning level (default: config's)",
    )
    args = parser.parse_args(argv)
    for path in args.recordings:
        if not path.is_file():
            print(f"error: {path} is not a file", file=sys.stderr)
            return 2
    print("reading mark prices ...", file=sys.stderr)
    marks = read_marks(merged_frames(args.recordings), default_adapters())
    if not marks:
        print(
            "error: no mark price in the recording(s): record with [venues.binance] mark_prices set",
            file=sys.stderr,
        )
        return 1
    print(f"mark prices of {len(marks)} assets; replaying the liquidations ...", file=sys.stderr)
    tty = sys.stderr.isatty()

    def progress(frames: int, events: int, event_ms: int) -> None:
        if tty or frames % 500_000 == 0:
            line = f"{frames:,} frames, {events:,} liquidations replayed"
            print("\r" + line if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)

    material = collect(
        merged_frames(args.recordings), engine_predictors=("liqterm",), progress=progress,
        sources=[p.name for p in args.recordings],
    )  # fmt: skip
    if tty:
        print(file=sys.stderr)
    try:
        result = mark_lead(material, marks, args.possible)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(plain(result), indent=1, allow_nan=False) if args.json else render_mark_lead(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
