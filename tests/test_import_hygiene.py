"""Import boundaries: the core never imports Textual or Rich, and the product never imports the lab."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import liqterm

CORE_PACKAGES = (
    "liqterm.model",
    "liqterm.engine",
    "liqterm.config",
    "liqterm.venues",
    "liqterm.streams",
    "liqterm.pipeline",
    "liqterm.recording",
    "liqterm.telegram",
    "liqterm.outbox",
    "liqterm.notify",
    "liqterm.state",
    "liqterm.scorecard",
    "liqterm.demo",
)


def _modules(prefixes: tuple[str, ...] = ("liqterm",)) -> list[str]:
    names = []
    for info in pkgutil.walk_packages(liqterm.__path__, "liqterm."):
        if info.name.startswith(prefixes):
            names.append(info.name)
    return names


def _imported_by(modules: list[str], roots: tuple[str, ...]) -> list[str]:
    """The modules under ``roots`` that importing ``modules`` (in a fresh interpreter) pulls in."""
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {roots!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [name for name in result.stdout.strip().split(",") if name]


def test_core_modules_exist() -> None:
    names = _modules(CORE_PACKAGES)
    assert "liqterm.model" in names
    assert any(n.startswith("liqterm.engine") for n in names)
    assert any(n.startswith("liqterm.config") for n in names)


def test_core_never_imports_textual_or_rich() -> None:
    # httpx loads Rich for its own command-line tool whenever click is installed (Apprise
    # brings click): that import is httpx's, not liqterm's, and is left out of the count.
    theirs = set(_imported_by(["httpx"], ("textual", "rich")))
    bad = [m for m in _imported_by(_modules(CORE_PACKAGES), ("textual", "rich")) if m not in theirs]
    assert bad == [], f"UI libraries imported by the core: {bad}"


def test_the_product_never_imports_the_lab() -> None:
    """Every liqterm module, the TUI and the engine included, imports without the lab."""
    modules = _modules()
    assert any(name.startswith("liqterm.tui") for name in modules)
    bad = _imported_by(modules, ("liqterm_lab", "numpy"))
    assert bad == [], f"the product imported lab code: {bad}"


def test_backtest_says_how_to_install_the_lab_when_it_is_missing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``liqterm backtest`` without the lab: exit 1 and the command that installs it."""
    recording = tmp_path / "r.jsonl"
    recording.write_text("", encoding="utf-8")
    # A module finder that hides the lab, as on a machine where only liqterm is installed.
    code = (
        "import sys, importlib.abc\n"
        "class Hide(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'liqterm_lab':\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Hide())\n"
        "from liqterm.cli import main\n"
        f"sys.argv = ['liqterm', 'backtest', {str(recording)!r}]\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert "pip install ./lab" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("module", ["liqterm_lab.report", "liqterm_lab.synthetic"])
def test_the_lab_is_installed_for_the_tests(module: str) -> None:
    """make test installs the lab beside the app (its tests live in tests/lab)."""
    __import__(module)
