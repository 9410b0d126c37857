"""Run every benchmark in this folder (``make bench``): each module's ``main()`` prints its figures."""

from __future__ import annotations

import importlib.util
import platform
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
    for path in sorted(HERE.glob("*.py")):
        if path.name in {"run.py"} or path.name.startswith("_"):
            continue
        if only and path.stem not in only:
            continue
        spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"\n== {path.stem} ==", flush=True)
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
