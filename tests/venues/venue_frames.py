"""Real recorded frames and instrument responses from ../shared/data, read in place.

Not a test module: the venue tests import it. Everything goes through
``shared_file`` from tests/conftest.py, which skips a test when ../shared is absent.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

try:  # `python -m pytest` from the repository root (make test)
    from tests.conftest import shared_file
except ImportError:  # any other start: load tests/conftest.py by path (the bare name
    # "conftest" may be another folder's conftest by the time this runs)
    _spec = importlib.util.spec_from_file_location(
        "liqterm_tests_root_conftest", Path(__file__).resolve().parents[1] / "conftest.py"
    )
    assert _spec is not None and _spec.loader is not None
    _root_conftest = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_root_conftest)
    shared_file = _root_conftest.shared_file


def records(venue: str) -> list[dict[str, Any]]:
    """Every record of ``frames/<venue>.jsonl`` (one JSON object per line)."""
    text = shared_file(f"frames/{venue}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def frame(venue: str, *needles: str) -> str:
    """The one real frame of ``venue`` whose text contains every needle.

    Records flagged ``generated`` (tardis-node synthesised them from REST) are not
    websocket frames and are never picked.
    """
    found = [
        r["frame"] for r in records(venue) if not r.get("generated") and all(n in r["frame"] for n in needles)
    ]
    assert len(found) == 1, f"{venue} {needles}: {len(found)} frames match"
    return found[0]


def instruments_response(name: str) -> Any:
    """A recorded REST response from ``instruments/<name>`` (parsed JSON)."""
    return json.loads(shared_file(f"instruments/{name}").read_text(encoding="utf-8"))
