"""Real recorded frames and instrument responses from ../shared/data, read in place.

Not a test module: the venue tests import it. Inside a test everything goes through
``shared_file`` from tests/conftest.py, which skips the test when ../shared is absent.
At import time (a parametrize list, a pool of frames to mutate) nothing may skip, or
the whole module would fail to collect: :func:`recorded_frames` gives ``[]`` instead,
and :data:`needs_frames` marks the tests that have nothing to do without the frames.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

try:  # `python -m pytest` from the repository root (make test)
    from tests.conftest import SHARED_DATA, shared_file
except ImportError:  # any other start: load tests/conftest.py by path (the bare name
    # "conftest" may be another folder's conftest by the time this runs)
    _spec = importlib.util.spec_from_file_location(
        "liqterm_tests_root_conftest", Path(__file__).resolve().parents[1] / "conftest.py"
    )
    assert _spec is not None and _spec.loader is not None
    _root_conftest = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_root_conftest)
    shared_file = _root_conftest.shared_file
    SHARED_DATA = _root_conftest.SHARED_DATA

FRAMES = SHARED_DATA / "frames"
needs_frames = pytest.mark.skipif(
    not FRAMES.is_dir(), reason="needs ../shared/data/frames (the shared research data beside the checkout)"
)
"""For a test whose every case reads the recorded frames."""


def records(venue: str) -> list[dict[str, Any]]:
    """Every record of ``frames/<venue>.jsonl`` (one JSON object per line)."""
    text = shared_file(f"frames/{venue}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def recorded_frames(venue: str) -> list[str]:
    """The text of every recorded frame of ``venue``; ``[]`` without ../shared (never skips)."""
    path = FRAMES / f"{venue}.jsonl"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["frame"] for line in lines if line.strip()]


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
