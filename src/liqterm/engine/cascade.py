"""Cascade predictors: the probability that an asset's cascade starts within the next 60 s.

A CASCADE (the event being predicted) is, by default, the asset's rolling 60 s
liquidated USD reaching its session-scaled ``cascade`` threshold; it ends after
120 s below (the episode rule of ../shared/data/cascade-science.md §1, applied
to its notional variant). The engine tracks it; predictors only estimate it.

Predictors are pluggable behind :class:`Predictor`. Two ship:

* ``hawkes`` (default). Liquidations are self-exciting, so the features are
  exponentially weighted intensities (a sum-of-exponentials Hawkes kernel) at
  1 s and 10 s, the exact 60 s window and the asset's usual rate as the
  baseline, their ratio and acceleration, USD intensity projected over the next
  minute against the threshold, one-sidedness, venue spread and price drift
  across consecutive liquidations, combined by a logistic link. The
  coefficients are hand-set defaults, not yet fitted or calibrated on recorded
  data.
* ``seed``. The reference design's composite score, kept as a named baseline:
  5 min window, at least 3 events; volume concentration ×0.3
  (USD / (n × $1M)), time compression ×0.25 (events per minute, 10/min = 1),
  price clustering ×0.25 (1 − min(10 × std/mean of prices, 1)),
  institutional ratio ×0.2; clipped to 1.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any, Protocol

from liqterm.engine.flow import (
    COUNT,
    LAST_PRICE,
    LONG,
    N_INST,
    SEC,
    SHORT,
    SUM_DP,
    SUM_DP2,
    AssetState,
)


class Predictor(Protocol):
    """A cascade predictor.

    Attributes:
        name: the name used in config and reports.
        observes_buckets: whether :meth:`observe` must see every finished second of
            the asset (a predictor that reads the asset's rolling buckets need not).
    """

    name: str
    observes_buckets: bool

    def new_state(self, ref_price: float) -> Any: ...

    def observe(self, state: Any, bucket: list[Any]) -> None:
        """Take one finished one-second bucket of the asset."""

    def probability(self, flow: AssetState, now_ms: int, cascade_usd: float) -> float:
        """P(cascade within the horizon) at ``now_ms``; ``flow.predictor`` is the state."""
        ...


# -- liqterm's own: multi-timescale Hawkes features -----------------------------------------------

TAUS_S = (1.0, 10.0)
_WEIGHTS = [tuple(math.exp(-age / tau) for tau in TAUS_S) for age in range(0, 11)]


class HawkesPredictor:
    """Multi-timescale self-excitation features with a logistic link.

    The short intensities are exponential kernels (time constants 1 s and 10 s,
    truncated at 10 s) over the asset's one-second buckets, computed only when
    a probability is asked for, so the per-event cost is nil; the 60 s scale is
    the exact window total and the baseline the asset's mean rate over the rest
    of the last hour.
    """

    name = "hawkes"
    observes_buckets = False

    def __init__(
        self,
        bias: float = -5.0,
        w_ratio: float = 0.6,
        w_accel: float = 0.4,
        w_projected: float = 2.0,
        w_one_sided: float = 0.5,
        w_venues: float = 0.3,
        w_drift: float = 0.3,
        shrink_events: float = 5.0,
    ) -> None:
        self.bias = bias
        self.w_ratio = w_ratio
        self.w_accel = w_accel
        self.w_projected = w_projected
        self.w_one_sided = w_one_sided
        self.w_venues = w_venues
        self.w_drift = w_drift
        self.shrink_events = shrink_events

    def new_state(self, ref_price: float) -> None:
        return None

    def observe(self, state: None, bucket: list[Any]) -> None:
        return None

    FEATURES = ("ratio", "accel", "projected", "one_sided", "support", "venues", "drift_bps")

    def features(self, flow: AssetState, now_ms: int, cascade_usd: float) -> dict[str, float]:
        """The named inputs of the logistic link (for reports and the backtest)."""
        return dict(zip(self.FEATURES, self._features(flow, now_ms, cascade_usd), strict=True))

    def _features(self, flow: AssetState, now_ms: int, cascade_usd: float) -> tuple[float, ...]:
        now_sec = now_ms // 1000
        n1 = n10 = usd10 = 0.0
        for bucket in (flow.bucket, *reversed(flow.seconds)):
            age = now_sec - bucket[SEC]
            if age > 10:
                break
            if age >= 0:
                w1, w10 = _WEIGHTS[age]
                count = bucket[COUNT]
                n1 += count * w1
                n10 += count * w10
                usd10 += (bucket[LONG] + bucket[SHORT]) * w10
        long60, short60 = flow.long_60s, flow.short_60s
        usd60 = long60 + short60
        rate10 = n10 / 10.0
        # Floor: an asset with no history is assumed to run at one event a minute.
        baseline_rate = max(flow.baseline_per_minute() / 60.0, 1.0 / 60.0)
        # A lone print says little about the next minute: shrink the short-window USD
        # rate towards zero until a few events back it up.
        support = n10 / (n10 + self.shrink_events)
        seconds = flow.seconds
        first_price = seconds[0][LAST_PRICE] if seconds else flow.bucket[LAST_PRICE]
        drift = abs(flow.last_price - first_price) / first_price * 10_000 if first_price else 0.0
        return (
            rate10 / baseline_rate,
            n1 / rate10 if n10 >= 3.0 else 0.0,
            (usd60 + usd10 * 5.0 * support) / cascade_usd,
            abs(long60 - short60) / usd60 if usd60 > 0 else 0.0,
            min(n10 / 5.0, 1.0),
            float(len(flow.window()[1])),
            drift,
        )

    def probability(self, flow: AssetState, now_ms: int, cascade_usd: float) -> float:
        ratio, accel, projected, one_sided, support, venues, drift = self._features(flow, now_ms, cascade_usd)
        z = (
            self.bias
            + self.w_ratio * min(math.log1p(ratio), 4.0)
            + self.w_accel * min(math.log1p(accel), 2.0)
            + self.w_projected * min(projected, 2.0)
            + self.w_one_sided * one_sided * support
            + self.w_venues * max(venues - 1.0, 0.0)
            + self.w_drift * min(drift / 50.0, 2.0)
        )
        return 1.0 / (1.0 + math.exp(-z))


# -- the reference design's composite score, kept as a baseline ----------------------------------

SEED_WINDOW_S = 300
SEED_MIN_EVENTS = 3
SEED_EVENTS_PER_MIN_FULL = 10.0
"""The seed said "time compression (events per minute)" without a scale; we read 10/min as 1."""


class SeedState:
    __slots__ = ("buckets", "n", "n_inst", "ref_price", "sum_dp", "sum_dp2", "usd")

    def __init__(self, ref_price: float) -> None:
        self.buckets: deque[list[Any]] = deque()
        self.ref_price = ref_price
        self.n = 0
        self.usd = 0.0
        self.sum_dp = 0.0
        self.sum_dp2 = 0.0
        self.n_inst = 0


class SeedPredictor:
    """The reference design's composite score (see the module docstring)."""

    name = "seed"
    observes_buckets = True

    def new_state(self, ref_price: float) -> SeedState:
        return SeedState(ref_price)

    def observe(self, state: SeedState, bucket: list[Any]) -> None:
        state.buckets.append(bucket)
        self._add(state, bucket, 1)
        self._evict(state, bucket[SEC])

    @staticmethod
    def _add(state: SeedState, bucket: list[Any], sign: int) -> None:
        state.n += sign * bucket[COUNT]
        state.usd += sign * (bucket[LONG] + bucket[SHORT])
        state.sum_dp += sign * bucket[SUM_DP]
        state.sum_dp2 += sign * bucket[SUM_DP2]
        state.n_inst += sign * bucket[N_INST]

    def _evict(self, state: SeedState, sec: int) -> None:
        buckets = state.buckets
        while buckets and buckets[0][SEC] <= sec - SEED_WINDOW_S:
            self._add(state, buckets.popleft(), -1)
        if not buckets:
            state.n = state.n_inst = 0
            state.usd = state.sum_dp = state.sum_dp2 = 0.0

    def probability(self, flow: AssetState, now_ms: int, cascade_usd: float) -> float:
        state: SeedState = flow.predictor
        current = flow.bucket
        self._evict(state, now_ms // 1000)
        n = state.n + current[COUNT]
        if n < SEED_MIN_EVENTS:
            return 0.0
        usd = state.usd + current[LONG] + current[SHORT]
        mean_dp = (state.sum_dp + current[SUM_DP]) / n
        variance = max((state.sum_dp2 + current[SUM_DP2]) / n - mean_dp * mean_dp, 0.0)
        mean_price = state.ref_price + mean_dp
        spread = math.sqrt(variance) / mean_price if mean_price > 0 else 1.0
        volume_concentration = min(usd / (n * 1_000_000.0), 1.0)
        time_compression = min(n / (SEED_WINDOW_S / 60) / SEED_EVENTS_PER_MIN_FULL, 1.0)
        price_clustering = 1.0 - min(10.0 * spread, 1.0)
        institutional_ratio = (state.n_inst + current[N_INST]) / n
        score = (
            0.3 * volume_concentration
            + 0.25 * time_compression
            + 0.25 * price_clustering
            + 0.2 * institutional_ratio
        )
        return min(score, 1.0)


PREDICTORS: dict[str, type] = {"hawkes": HawkesPredictor, "seed": SeedPredictor}


def make_predictor(name: str) -> Predictor:
    """The predictor called ``name`` in the config."""
    try:
        return PREDICTORS[name]()
    except KeyError:
        raise ValueError(f"unknown cascade predictor {name!r}") from None
