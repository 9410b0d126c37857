"""Build liqterm; compile the engine's hot path with mypyc where a C compiler is available.

Everything in ``[project]`` lives in pyproject.toml; this file only adds the compiled
modules. Compiled, ``Engine.ingest`` runs about 2.2 times as fast as plain Python (median
of eight paired runs on one 2-core x86-64 machine, Python 3.11; the runs ranged from 1.8x
to 2.9x: 230,000-430,000 against 95,000-150,000 events/s on the benchmark's 1,000,000
synthetic events). Measured with ``.venv/bin/python benchmarks/engine.py`` on the installed
(compiled) package against ``PYTHONPATH=src .venv/bin/python benchmarks/engine.py`` (the
sources, plain Python); the compiled run also prints its own ratio, as ``make bench`` does.
Without a C compiler, or with ``LIQTERM_PURE=1`` in the environment, the same modules
install as plain Python and behave identically (``make test`` runs the engine's tests both
ways).
"""

from __future__ import annotations

import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

HOT_MODULES = (
    "engine/engine", "engine/flow", "engine/cascade", "engine/correlation", "engine/guard",
    "engine/alerts", "engine/events", "engine/outcome", "engine/whales", "engine/sessions",
    "pipeline/core", "pipeline/tally",
)  # fmt: skip
COMPILED = [f"src/liqterm/{name}.py" for name in HOT_MODULES]


class BuildExtOrPure(build_ext):
    """Build every compiled module, or none: a failed C build falls back to pure Python."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # any compiler failure means "install pure"
            for path in self.get_outputs():
                if os.path.exists(path):
                    os.remove(path)
            self.extensions = []
            print(f"liqterm: the engine stays pure Python (C build failed: {exc})", file=sys.stderr)


def compiled_modules() -> list:
    if os.environ.get("LIQTERM_PURE"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        return []
    # The compiled modules are type-checked strictly; what they import (the venue parsers, the
    # recording format) runs as Python and is only read for its types.
    return mypycify(["--follow-imports=silent", *COMPILED], opt_level="3", debug_level="0")


setup(ext_modules=compiled_modules(), cmdclass={"build_ext": BuildExtOrPure})
