"""What a build leaves in the checkout (make test, pip install -e ., mypyc) is ignored by git."""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXT = sysconfig.get_config_var("EXT_SUFFIX") or ".so"

BUILD_OUTPUT = [
    # make test / pip install .: setuptools' and mypyc's build folders
    "build/__native_0123456789abcdef0123.c",
    "build/liqterm/engine/engine.c",
    f"build/lib.linux-x86_64-cpython-311/liqterm/engine/engine{EXT}",
    "build/temp.linux-x86_64-cpython-311/build/liqterm/engine/engine.o",
    "lab/build/lib/liqterm_lab/hawkes.py",
    "src/liqterm.egg-info/PKG-INFO",
    "lab/src/liqterm_lab.egg-info/PKG-INFO",
    ".mypy_cache/3.11/liqterm/engine/engine.data.json",
    # pip install -e . / build_ext --inplace: the extensions land beside the sources
    f"src/liqterm/engine/engine{EXT}",
    f"src/liqterm/engine/flow{EXT}",
    f"src/0123456789abcdef0123__mypyc{EXT}",
    "src/liqterm/engine/engine.c",
    "src/liqterm/engine/engine.o",
    # the test run itself
    "snapshot_report.html",
    ".hypothesis/examples/x",
    "dist/liqterm-0.1.0.tar.gz",
]
SOURCES = ["src/liqterm/engine/engine.py", "setup.py", "lab/src/liqterm_lab/hawkes.py", ".ci/run"]


def _ignored(paths: list[str]) -> set[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout (this is an unpacked copy)")
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=ROOT,
        input="\n".join(paths),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr  # 1: none of them is ignored
    return set(result.stdout.split())


def test_build_output_is_ignored() -> None:
    assert sorted(set(BUILD_OUTPUT) - _ignored(BUILD_OUTPUT)) == []


def test_sources_are_not_ignored() -> None:
    assert _ignored(SOURCES) == set()
