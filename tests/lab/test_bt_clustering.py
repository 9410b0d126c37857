"""Cascades come in waves: measured on real bars, reproduced by the generator, remembered by a feature."""

from __future__ import annotations

import numpy as np
import pytest

from liqterm_lab.clustering import fit_cluster_process, lift_by_lag, measure
from liqterm_lab.labels import LabelRule
from liqterm_lab.series import FEATURES, RECENT_TAU_S, StreamSeries, stream_features
from liqterm_lab.synthetic import _cluster_times
from shared_data import shared_file

COINGLASS_30M = "datasets/coinglass_btc_aggregated_liquidations_30m_2026-02-27_2026-05-28.csv"
COINGLASS_30M_FIRST_MS = 1_772_166_600_000  # 2026-02-27T04:30:00Z, its first bar
COINGLASS_1H = "datasets/coinglass_btc_aggregated_liquidations_1h_2025-11-23_2026-05-22.csv"


def _pair_correlation(n: float, tau: float, rate: float, t: np.ndarray) -> np.ndarray:
    """The closed form the fit inverts (exponential Hawkes, stationary)."""
    amplitude = n * (2 - n) / (2 * (1 - n) * rate * tau)
    return amplitude * np.exp(-t * (1 - n) / tau)


@pytest.mark.parametrize(("n", "tau"), [(0.3, 900.0), (0.55, 1950.0), (0.8, 600.0)])
def test_the_fit_recovers_the_cluster_process_from_its_pair_correlation(n: float, tau: float) -> None:
    rate = 2.0 / 3600.0
    lags = (1, 2, 4, 8)
    ratios = {lag: 1.0 + float(_pair_correlation(n, tau, rate, np.array([lag * 1800.0]))[0]) for lag in lags}
    branching, decay_s = fit_cluster_process(ratios, 1800, rate)
    assert branching == pytest.approx(n, abs=1e-3)
    assert decay_s == pytest.approx(tau, rel=1e-3)


def test_no_lift_means_no_clustering() -> None:
    assert fit_cluster_process({1: 0.98, 2: 1.01, 4: 0.99, 8: 1.0}, 1800, 2 / 3600) == (0.0, 0.0)


def test_lift_is_one_for_independent_bars_and_above_one_when_large_bars_follow_each_other() -> None:
    rng = np.random.default_rng(4)
    quiet = rng.lognormal(0.0, 1.0, 6000)
    share, ratios = lift_by_lag(quiet)
    assert 0.02 < share < 0.4 and all(abs(r - 1.0) < 0.25 for r in ratios.values())
    waves = quiet.copy()
    starts = rng.choice(np.arange(40, 5990), 150, replace=False)
    for start in starts:  # each wave spans three bars
        waves[start : start + 3] *= 30.0
    _, wave_ratios = lift_by_lag(waves)
    assert wave_ratios[1] > 1.8 and wave_ratios[2] > 1.3 and wave_ratios[1] > ratios[1] + 0.5
    assert abs(wave_ratios[8] - 1.0) < 0.3  # a wave is three bars long: no lift eight bars on


def test_real_bars_show_waves() -> None:
    """Real data: CoinGlass aggregated BTC liquidations, 30 m bars, 2026-02-27 to 2026-05-28
    (../shared/data/datasets/README.md §2). A large bar (D1 rule at bar scale, k = 3 over the
    previous 30 bars) makes another within the next half hour about 1.5 times as likely."""
    clustering = measure(shared_file(COINGLASS_30M), cascades_per_hour=2.0)
    assert clustering.bar_s == 1800 and clustering.bars == 4320
    assert clustering.ratios[1] > 1.3 > clustering.ratios[8]
    assert clustering.ratios[1] > clustering.ratios[2] > clustering.ratios[4]
    assert 0.3 < clustering.branching < 0.9 and 600 < clustering.decay_s < 7200


def test_the_waves_replicate_on_an_earlier_period_at_another_bar_size() -> None:
    """Real data the fit never saw: CoinGlass aggregated BTC liquidations in hourly bars from
    2025-11-23 up to where the 30 m file starts (../shared/data/datasets/README.md §2)."""
    clustering = measure(shared_file(COINGLASS_1H), cascades_per_hour=2.0, until_ms=COINGLASS_30M_FIRST_MS)
    assert clustering.bar_s == 3600 and 2200 < clustering.bars < 2400
    lifts = [clustering.ratios[lag] for lag in (1, 2, 4, 8)]
    assert lifts[0] > 1.3 and lifts == sorted(lifts, reverse=True)
    assert 0.3 < clustering.branching < 0.9 and 600 < clustering.decay_s < 7200


def test_the_generator_schedule_clusters_with_branching_and_not_without() -> None:
    first, last, rate = 0.0, 4000 * 3600.0, 2.0 / 3600.0

    def gap_spread(branching: float, decay_s: float) -> tuple[float, float]:
        """The gaps' coefficient of variation (about 1 for independent cascades, above when they
        come in waves) and the cascades per hour."""
        times = np.array(_cluster_times(np.random.default_rng(11), first, last, rate, branching, decay_s))
        gaps = np.diff(times)
        assert gaps.min() >= 300.0
        return float(gaps.std() / gaps.mean()), len(times) / (last / 3600.0)

    independent, per_hour = gap_spread(1e-9, 1.0)
    clustered, clustered_per_hour = gap_spread(0.55, 1950.0)
    assert 1.4 < per_hour < 2.0 and 1.2 < clustered_per_hour < 2.0  # 2/h before the 5 min thinning
    assert independent < 1.0 < 1.1 < clustered


def test_recent_remembers_the_last_second_at_the_threshold() -> None:
    n = 7200
    count = np.zeros(n)
    count[1000:1060] = 10.0  # 600 events in a minute: far above N_min
    zero = np.zeros(n)
    series = StreamSeries(0, count, count, count, zero, np.minimum(count, 1.0), zero, zero, np.zeros(0))
    recent = stream_features(series, LabelRule(k=3.0, n_min=100))[:, FEATURES.index("recent")]
    assert np.all(recent[:1000] == 0.0)
    at_threshold = np.nonzero(recent == 1.0)[0]
    crossed, last = int(at_threshold[0]), int(at_threshold[-1])
    assert 1000 < crossed < 1060 and last >= 1060
    assert recent[last + int(RECENT_TAU_S)] == pytest.approx(np.exp(-1.0), rel=1e-9)
    assert np.all(np.diff(recent[last:]) < 0)
