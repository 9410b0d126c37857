"""The app tests' fixtures (helpers live in ``tui_helpers``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_helpers import STARTER


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A commented config file in a temp dir (never the user's)."""
    path = tmp_path / "config.toml"
    path.write_text(STARTER, encoding="utf-8")
    return path
