"""The engine's own predictor reads its fitted, calibrated model; its old name still loads."""

from __future__ import annotations

import math

import pytest

from liqterm.engine import Engine
from liqterm.engine.cascade import LiqtermPredictor, load_model, make_predictor
from liqterm.model import Liquidation, Side

T0 = 1_761_145_200_000  # 2025-10-22 15:00 UTC


def _liq(usd: float, ms: int, venue: str = "binance") -> Liquidation:
    return Liquidation(venue, "BTCUSDT", "BTC", Side.LONG, 107_000.0, usd / 107_000.0, usd, ms, ms + 50)


def test_shipped_model_is_fitted_calibrated_and_matches_the_features() -> None:
    model = load_model()
    assert tuple(model["features"]) == LiqtermPredictor.FEATURES
    assert len(model["platt"]) == 2 and "training" in model["provenance"]
    with pytest.raises(ValueError, match="features"):
        LiqtermPredictor({**model, "features": ["x"]})


def test_names_liqterm_and_its_old_name_hawkes() -> None:
    assert isinstance(make_predictor("liqterm"), LiqtermPredictor)
    assert isinstance(make_predictor("hawkes"), LiqtermPredictor)


def test_probability_is_a_probability_and_quiet_assets_sit_at_the_idle_value() -> None:
    engine = Engine(predictor=make_predictor("liqterm"))
    for i in range(30):
        engine.ingest(_liq(40_000.0, T0 + i * 300, ("binance", "okx", "bybit")[i % 3]))
    engine.advance_to(T0 + 9_000)
    busy = engine.cascade_probability("BTC", T0 + 9_000)
    features = engine.predictor.features(engine._assets["BTC"], T0 + 9_000, 2_500_000.0)
    assert features["venues"] == 3.0 and all(math.isfinite(v) for v in features.values())
    engine.advance_to(T0 + 200_000)
    quiet = engine.cascade_probability("BTC", T0 + 200_000)
    assert 0.0 < quiet < busy < 1.0


def test_the_default_alert_levels_are_the_ones_the_refit_chose_and_the_backtest_scores() -> None:
    """The app warns at ``alerts.possible``; the refit picks that level on training data for a
    false-warning budget, and the backtest scores the engine predictor at it. A refit that moves
    the levels fails here until the config defaults follow."""
    from liqterm.config.schema import AlertConfig
    from liqterm_lab.params import load_params
    from liqterm_lab.train import ALERT_GRID

    levels = load_model()["alert_levels"]
    defaults = AlertConfig()
    assert (defaults.possible, defaults.warning) == (levels["possible"], levels["warning"]), (
        f"set AlertConfig, starter.toml and config.example.toml to {levels}"
    )
    assert levels["possible"] in ALERT_GRID and levels["possible"] < levels["warning"]
    assert load_params().kinds["notional"].theta["liqterm"] == levels["possible"]
