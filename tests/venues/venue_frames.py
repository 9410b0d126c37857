"""Real recorded frames and instrument responses from ../shared/data, read in place.

Not a test module: the venue tests import it. Inside a test everything goes through
``shared_file`` from tests/conftest.py, which skips the test when ../shared is absent.
At import time (a parametrize list, a pool of frames to mutate) nothing may skip, or
the whole module would fail to collect: :func:`recorded_frames` gives ``[]`` instead,
and :data:`needs_frames` marks the tests that have nothing to do without the frames.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared_data import ENV, shared_data_dir, shared_file


def _frames_dir() -> Path:
    return shared_data_dir() / "frames"


needs_frames = pytest.mark.skipif(
    not _frames_dir().is_dir(),
    reason=f"needs frames/ from the shared research data (set {ENV} to its folder)",
)
"""For a test whose every case reads the recorded frames."""


def records(venue: str) -> list[dict[str, Any]]:
    """Every record of ``frames/<venue>.jsonl`` (one JSON object per line)."""
    text = shared_file(f"frames/{venue}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def recorded_frames(venue: str) -> list[str]:
    """The text of every recorded frame of ``venue``; ``[]`` without ../shared (never skips)."""
    path = _frames_dir() / f"{venue}.jsonl"
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
