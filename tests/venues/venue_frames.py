"""Real recorded frames and instrument responses from ../shared/data, read in place.

Not a test module: the venue tests import it. Everything goes through
``shared_file`` from tests/conftest.py, which skips a test when ../shared is absent.
"""

from __future__ import annotations

import json
from typing import Any

try:  # `python -m pytest` from the repository root (make test)
    from tests.conftest import shared_file
except ImportError:  # pytest started from inside tests/
    from conftest import shared_file


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
