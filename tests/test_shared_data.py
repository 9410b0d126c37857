"""The shared research data is found in one place, can be moved with $LIQTERM_SHARED_DATA, and its
absence skips the tests that need it (with the reason) instead of failing them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import shared_data
from shared_data import ENV, shared_data_dir, shared_file

TESTS = Path(__file__).resolve().parent


def test_the_default_is_shared_data_beside_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert shared_data_dir() == TESTS.parent.parent / "shared" / "data"


def test_the_variable_moves_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "frames").mkdir()
    (tmp_path / "frames" / "okx.jsonl").write_text("{}\n")
    monkeypatch.setenv(ENV, str(tmp_path))
    assert shared_file("frames/okx.jsonl") == tmp_path / "frames" / "okx.jsonl"


def test_a_missing_folder_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    monkeypatch.setenv(ENV, str(missing))
    with pytest.raises(pytest.skip.Exception) as info:
        shared_file("frames/okx.jsonl")
    reason = str(info.value)
    assert "frames/okx.jsonl" in reason and str(missing) in reason and ENV in reason


def test_no_other_test_file_knows_where_the_data_is() -> None:
    # A second copy of the location would ignore $LIQTERM_SHARED_DATA, and CI's run without
    # the data would no longer prove that a bare clone passes.
    location = re.compile(r"""/\s*["']shared["']|["']\.\./shared""")
    allowed = {Path(shared_data.__file__).resolve(), Path(__file__).resolve()}
    found = [
        path.relative_to(TESTS).as_posix()
        for path in TESTS.rglob("*.py")
        if path.resolve() not in allowed and location.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
