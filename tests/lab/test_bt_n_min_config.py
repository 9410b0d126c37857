"""N_min of the D1 label comes from the config's [backtest.n_min]; --n-min overrides it per run."""

from __future__ import annotations

import dataclasses

import pytest

from liqterm.config import Config, ConfigError
from liqterm.config.load import loads
from liqterm_lab.labels import DEFAULT_N_MIN
from liqterm_lab.report import label_config


def test_the_config_defaults_are_the_labeller_defaults() -> None:
    assert dataclasses.asdict(Config().backtest.n_min) == DEFAULT_N_MIN


def test_the_config_sets_n_min_and_the_command_line_overrides_it() -> None:
    config = loads("[backtest.n_min]\nunion = 80.0\nbybit = 12.0\n")
    labels = label_config(["bybit=15"], config)
    assert labels.rule_for("union").n_min == 80.0
    assert labels.rule_for("venue:bybit").n_min == 15.0
    assert labels.rule_for("venue:okx").n_min == DEFAULT_N_MIN["okx"]
    assert labels.rule_for("asset:BTC").n_min == DEFAULT_N_MIN["asset"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[backtest.n_min]\nunion = -1.0\n", "backtest.n_min.union"),
        ("[backtest.n_min]\nkraken = 5.0\n", "backtest.n_min.kraken"),
        ('[backtest.n_min]\nasset = "ten"\n', "backtest.n_min.asset"),
    ],
)
def test_bad_n_min_names_its_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        loads(text)
    assert caught.value.key == key
