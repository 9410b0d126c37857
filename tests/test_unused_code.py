"""No dead code in the product or the lab: every function, class and method is used somewhere.

A name that appears nowhere in the repository's Python except where it is defined is unused.
Counting whole words is generous on purpose (a mention in a docstring or ``__all__`` counts as a
use), so this only catches code that nothing could be calling. Some methods are called by
someone else: overrides of a base class's method (Textual's ``render_line``, logging's
``filter``), and Textual's event handlers, actions and watchers, which it finds by name; and
decorated functions are registered by their decorator. None of those counts as a definition.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFINED_IN = [ROOT / "src" / "liqterm", ROOT / "lab" / "src" / "liqterm_lab"]
SEARCHED = ["src", "lab", "tests", "scripts", "benchmarks"]
SKIPPED_PARTS = {"build", "__pycache__", ".venv"}
# Called by Textual through their names: on_<event>, action_<key binding>, watch_<reactive>.
FRAMEWORK_HOOK = re.compile(r"^(on|action|watch|compute|validate)_")
PLAIN_DECORATORS = {"property", "staticmethod", "classmethod", "cached_property", "functools.cache"}
PENDING: set[str] = set()
"""Names known to be unused and due to go in a change of their own (empty: none are)."""


def _python_files(folders: list[Path]) -> Iterator[Path]:
    for folder in folders:
        for path in folder.rglob("*.py"):
            if not SKIPPED_PARTS.intersection(path.relative_to(ROOT).parts):
                yield path


def _definitions(tree: ast.Module, module: str) -> Iterator[tuple[str, str]]:
    """(qualified name, name) of module-level functions and classes and of class methods."""
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, (*functions, ast.ClassDef)) and _counts(node):
            yield node.name, node.name
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if (
                    isinstance(item, functions)
                    and _counts(item)
                    and not FRAMEWORK_HOOK.match(item.name)
                    and not _overrides(module, node.name, item.name)
                ):
                    yield f"{node.name}.{item.name}", item.name


def _overrides(module: str, cls: str, name: str) -> bool:
    """Whether ``module.cls.name`` replaces a method of a base class (whoever calls that calls it)."""
    found = getattr(importlib.import_module(module), cls, None)
    return isinstance(found, type) and any(name in vars(base) for base in found.__mro__[1:])


def _counts(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> bool:
    if node.name.startswith("__") and node.name.endswith("__"):
        return False
    decorators = {ast.unparse(d) for d in node.decorator_list}
    return decorators <= PLAIN_DECORATORS or isinstance(node, ast.ClassDef)


def test_nothing_is_defined_and_never_used() -> None:
    words: Counter[str] = Counter()
    for path in _python_files([ROOT / folder for folder in SEARCHED]):
        words.update(re.findall(r"\w+", path.read_text(encoding="utf-8")))
    unused = []
    for package in DEFINED_IN:
        for path in _python_files([package]):
            module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for qualified, name in _definitions(tree, module.removesuffix(".__init__")):
                if words[name] <= 1 and qualified not in PENDING:
                    unused.append(f"{path.relative_to(ROOT).as_posix()}: {qualified}")
    assert not unused, (
        "defined but never used (remove them, with any test that only tests them): " + "; ".join(unused)
    )
