"""Run the fault-injection suite and print what was injected and what happened.

    python scripts/faults.py          # the shortened form (also part of `make test`)
    python scripts/faults.py --full   # `make faults`: 10,000 fuzz examples per parser, long outages

It runs ``pytest tests/reliability`` with ``LIQTERM_FAULT_REPORT`` pointing at a
temporary file, into which every fault test writes one row per injected fault, then
prints those rows as a table and the totals. The exit status is pytest's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = (9, 13, 44, 52)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the long form (make faults)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "faults.jsonl"
        env = {
            **os.environ,
            "LIQTERM_FAULT_REPORT": str(report),
            "LIQTERM_FAULTS": "full" if args.full else "quick",
        }
        started = time.monotonic()
        command = [
            sys.executable,
            "-m",
            "pytest",
            "tests/reliability",
            "-q",
            "-p",
            "no:cacheprovider",
            *args.pytest_args,
        ]
        code = subprocess.run(command, cwd=ROOT, env=env).returncode
        elapsed = time.monotonic() - started
        rows = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    print_table(rows)
    print_totals(rows, elapsed, "full" if args.full else "shortened", code)
    return code


def print_table(rows: list[dict]) -> None:
    headers = ("area", "target", "injected", "what happened")
    print()
    print(_line(headers))
    print(_line(tuple("-" * width for width in WIDTHS)))
    for row in rows:
        print(_line((row["area"], row["target"], row["injected"], row["outcome"])))


def _line(cells: tuple[str, ...]) -> str:
    wrapped = [textwrap.wrap(str(cell), width) or [""] for cell, width in zip(cells, WIDTHS, strict=True)]
    lines = []
    for index in range(max(len(parts) for parts in wrapped)):
        parts = [
            (cell[index] if index < len(cell) else "").ljust(width)
            for cell, width in zip(wrapped, WIDTHS, strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def print_totals(rows: list[dict], elapsed: float, form: str, code: int) -> None:
    def total(name: str) -> int:
        return sum(int(row.get(name) or 0) for row in rows)

    reconnects = [row["reconnect_s"] for row in rows if row.get("reconnect_s") is not None]
    rss = [row["peak_rss_mb"] for row in rows if row.get("peak_rss_mb") is not None]
    print()
    print(f"faults injected (rows):   {len(rows)}")
    print(f"frames injected:          {total('frames'):,}")
    print(f"frames rejected:          {total('rejected'):,}")
    print(f"events recovered:         {total('recovered'):,}")
    print(f"max reconnect time:       {max(reconnects, default=0.0):.2f} s (limit 5 s)")
    print(f"alerts delivered/expected: {total('alerts_sent'):,}/{total('alerts_expected'):,}")
    print(f"peak RSS in bursts:       {max(rss, default=0.0):.0f} MB")
    print(f"{form} form: {'passed' if code == 0 else 'FAILED'} in {elapsed:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
