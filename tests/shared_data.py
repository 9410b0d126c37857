"""Locate ../shared/data beside the checkout; tests that need it skip with the reason when it is absent.

A module of its own (not conftest) so that ``from shared_data import shared_file`` cannot pick up
another folder's conftest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATA = SHARED / "data"


def shared_file(relative: str) -> Path:
    """A file from ../shared/data, or skip the test with the reason when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/data/{relative} (the shared research data beside the checkout)")
    return path
