"""The TUI uses Textual's and Rich's public API only: any Textual of the range pyproject allows will do.

Three checks over the sources under ``src/liqterm/tui``: no private module of
Textual or Rich is imported; no underscore member is read or written on anything
but ``self``/``cls``; and none of our own underscore names (attributes, methods)
is also a name Textual gives its own classes, which would quietly read or replace
Textual's private state.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from textual.app import App
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, Input, Static

TUI = Path(__file__).resolve().parents[2] / "src" / "liqterm" / "tui"
SOURCES = sorted(TUI.rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


def _textual_names() -> set[str]:
    """Underscore names Textual's classes (the ones liqterm builds on) define or set up."""
    names: set[str] = set()
    for cls in (App, Screen, ModalScreen, ScrollView, VerticalScroll, Static, Input, Button, Strip):
        for klass in cls.__mro__:
            names.update(vars(klass))
    for instance in (App(), ScrollView(), Widget()):
        names.update(vars(instance))
    return {name for name in names if _private(name)}


def test_no_private_module_of_textual_or_rich_is_imported() -> None:
    found = []
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for module in modules:
                parts = module.split(".")
                if parts[0] in ("textual", "rich") and any(_private(part) for part in parts[1:]):
                    found.append(f"{path.name}:{node.lineno} {module}")
    assert found == []


def test_no_underscore_member_of_another_object_is_used() -> None:
    found = []
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Attribute) and _private(node.attr):
                owner = node.value
                if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                    found.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert found == []


def _own_names(tree: ast.Module) -> set[str]:
    """Underscore attributes used on ``self`` and underscore names defined in class bodies."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            names.add(node.attr)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    names.add(item.target.id)
                elif isinstance(item, ast.Assign):
                    names.update(target.id for target in item.targets if isinstance(target, ast.Name))
    return {name for name in names if _private(name)}


@pytest.mark.parametrize(
    "path",
    SOURCES,
    ids=[str(path.relative_to(TUI)) for path in SOURCES],
)
def test_our_underscore_names_are_not_textuals(path: Path) -> None:
    assert sorted(_own_names(_tree(path)) & _textual_names()) == []
