"""The core (engine, model, config, venues, streams, recording, telegram) never imports Textual or Rich."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import liqterm

CORE_PACKAGES = (
    "liqterm.model",
    "liqterm.engine",
    "liqterm.config",
    "liqterm.venues",
    "liqterm.streams",
    "liqterm.recording",
    "liqterm.telegram",
    "liqterm.state",
)


def _core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(liqterm.__path__, "liqterm."):
        if info.name.startswith(CORE_PACKAGES):
            names.append(info.name)
    return names


def test_core_modules_exist() -> None:
    names = _core_modules()
    assert "liqterm.model" in names
    assert any(n.startswith("liqterm.engine") for n in names)
    assert any(n.startswith("liqterm.config") for n in names)


def test_core_never_imports_textual_or_rich() -> None:
    modules = _core_modules()
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"UI libraries imported by the core: {result.stdout.strip()}"
