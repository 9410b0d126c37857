"""Shared material for the backtest tests: the real slice and one small synthetic recording."""

from __future__ import annotations

import pytest
from bt_data import DEMO

from liqterm_lab.calibrate import GeneratorSpec
from liqterm_lab.events import merged_frames
from liqterm_lab.runner import Material, collect
from liqterm_lab.synthetic import Synthetic, generate


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
