"""Shared material for the backtest tests: the real slice and one small synthetic recording."""

from __future__ import annotations

import pytest
from bt_data import DEMO

from liqterm.backtest.calibrate import GeneratorSpec
from liqterm.backtest.events import merged_frames
from liqterm.backtest.runner import Material, collect
from liqterm.backtest.synthetic import Synthetic, generate


@pytest.fixture(scope="session")
def real_material() -> Material:
    """The bundled real recording (the converted CSV slice) through the live path."""
    return collect(merged_frames([DEMO]), sources=[DEMO.name])


@pytest.fixture(scope="session")
def synthetic() -> Synthetic:
    return generate(GeneratorSpec(), hours=1.5, seed=7, cascades_per_hour=3.0, outages_per_day=0.0)


@pytest.fixture(scope="session")
def synthetic_material(synthetic: Synthetic) -> Material:
    return collect(synthetic.frames, sources=["synthetic seed 7"])
