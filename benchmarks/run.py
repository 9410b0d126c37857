"""Run every benchmark in this folder (``make bench``): each module prints its figures.

Each runs in its own process, so one benchmark's memory or collector state never shows in
another's figures (the engine's RSS figure, above all).
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    print(
        f"liqterm benchmarks on {platform.machine()} {platform.processor() or ''} "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M:%S')}"
    )
    only = set(sys.argv[1:])
    failed = 0
    for path in sorted(HERE.glob("*.py")):
        if path.name in {"run.py"} or path.name.startswith("_"):
            continue
        if only and path.stem not in only:
            continue
        print(f"\n== {path.stem} ==", flush=True)
        status = subprocess.run([sys.executable, str(path)], check=False).returncode
        failed += status != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
