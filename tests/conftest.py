"""Shared fixtures. Tests never see the developer's real config, data or logs."""

from __future__ import annotations

import pytest

from shared_data import shared_data_dir, shared_file

__all__ = ["shared_data_dir", "shared_file"]


@pytest.fixture(autouse=True)
def _hermetic_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every platformdirs location and $LIQTERM_CONFIG into a temp folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.delenv("LIQTERM_CONFIG", raising=False)
    monkeypatch.delenv("LIQTERM_TELEGRAM_TOKEN", raising=False)
