"""Every liqterm command starts with the tuned garbage collector."""

from __future__ import annotations

import gc

import pytest

from liqterm import cli
from liqterm.runtime import GC_THRESHOLDS, tune_gc


@pytest.fixture
def restored_gc():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_tune_gc_raises_the_first_generation_threshold(restored_gc) -> None:
    gc.set_threshold(700, 10, 10)
    assert tune_gc() == (700, 10, 10)
    assert gc.get_threshold() == GC_THRESHOLDS
    assert GC_THRESHOLDS[0] > 700


def test_the_console_entry_point_tunes_the_collector_before_any_command(monkeypatch, restored_gc) -> None:
    gc.set_threshold(700, 10, 10)
    seen = []
    monkeypatch.setattr(cli, "app", lambda: seen.append(gc.get_threshold()))
    cli.main()
    assert seen == [GC_THRESHOLDS]
