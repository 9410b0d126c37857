"""Where the shared research data lives; tests that need it skip with the reason when it is absent.

The recorded frames, instrument responses and datasets are not part of the repository. By
default they are the ``shared/data`` folder beside the checkout; ``$LIQTERM_SHARED_DATA``
names another folder (CI points it at a missing one to prove a bare clone still passes).
Every test reaches the data through :func:`shared_file`, so this is the one place that
knows where it is.

A module of its own (not conftest) so that ``from shared_data import shared_file`` cannot pick up
another folder's conftest.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENV = "LIQTERM_SHARED_DATA"
DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data_dir() -> Path:
    """The shared data folder: ``$LIQTERM_SHARED_DATA`` when set, else ``shared/data`` beside the checkout.

    Read on every call, so a test can point it elsewhere with ``monkeypatch.setenv``.
    """
    override = os.environ.get(ENV, "").strip()
    return Path(override).expanduser() if override else DEFAULT


def shared_file(relative: str) -> Path:
    """``relative`` inside the shared data folder, or skip the test saying what is missing and where."""
    folder = shared_data_dir()
    path = folder / relative
    if not path.exists():
        pytest.skip(
            f"needs {relative} from the shared research data, not found in {folder} "
            f"(put the data there or set {ENV} to its folder)"
        )
    return path
