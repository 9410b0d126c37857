"""Measure whether mark prices warn of cascades earlier than liquidations alone.

    .venv/bin/python lab/scripts/mark_lead.py RECORDING... [--json] [--possible 0.15]

RECORDING is a `liqterm record` file taken with mark prices on the same connection, e.g.
with this in the config (see config.example.toml):

    [venues.binance]
    mark_prices = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]

Replays the recording through the live path, labels every asset's notional cascades as the
backtest does, and scores on them (see liqterm_lab.marks): the engine's events-only
predictor at the app's `possible` level, the mark move alone at fixed levels, and a warning
when either fires. Thresholds and the warning level are the config's (--config, else
where liqterm finds it). A recording without mark prices is refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from liqterm.config.load import ConfigError, load
from liqterm.config.paths import config_path
from liqterm.venues import offline_adapters
from liqterm_lab.events import merged_frames
from liqterm_lab.marks import mark_lead, read_marks, render_mark_lead
from liqterm_lab.report import plain
from liqterm_lab.runner import collect


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("recordings", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--config", type=Path, help="config file (default: as liqterm finds it)")
    parser.add_argument("--possible", type=float, help="the app's warning level (default: the config's)")
    args = parser.parse_args(argv)
    path = config_path(args.config)
    try:
        config = load(path)  # thresholds and warning level as the app runs them
    except ConfigError as exc:
        print(f"error: bad config {path}: {exc}", file=sys.stderr)
        return 2
    for recording in args.recordings:
        if not recording.is_file():
            print(f"error: {recording} is not a file", file=sys.stderr)
            return 2
    tty = sys.stderr.isatty()

    def progress(frames: int, events: int, event_ms: int) -> None:
        if tty or frames % 500_000 == 0:
            line = f"{frames:,} frames, {events:,} liquidations replayed"
            print("\r" + line if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)

    material = collect(
        merged_frames(args.recordings), config=config, engine_predictors=("liqterm",), progress=progress,
        sources=[p.name for p in args.recordings],
    )  # fmt: skip
    if tty:
        print(file=sys.stderr)
    tracked = {scope.asset for scope in material.scopes if scope.kind == "notional" and scope.asset}
    print(f"reading the mark prices of {len(tracked)} assets ...", file=sys.stderr)
    marks = read_marks(merged_frames(args.recordings), offline_adapters(), assets=tracked)
    if not marks:
        print(
            "error: no mark price of a tracked asset in the recording(s): "
            "record with [venues.binance] mark_prices set",
            file=sys.stderr,
        )
        return 1
    possible = args.possible if args.possible is not None else config.alerts.possible
    try:
        result = mark_lead(material, marks, possible)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(plain(result), indent=1, allow_nan=False) if args.json else render_mark_lead(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
