"""Cascade predictors: the probability that an asset's cascade starts within the next 60 s.

A CASCADE (the event being predicted) is, by default, the asset's rolling 60 s
liquidated USD reaching its session-scaled ``cascade`` threshold; it ends after
120 s below (the episode rule of the backtest's labels, applied to its notional
variant; docs/prediction.md). The engine tracks it; predictors only estimate it.

Predictors are pluggable behind :class:`Predictor`. Two ship:

* ``liqterm`` (default; ``hawkes`` is its former name). Liquidations are
  self-exciting, so the features are intensities on exponential kernels (a
  sum-of-exponentials Hawkes reading) at 1 s and 10 s and the exact 60 s count
  against the asset's usual rate, their acceleration, USD against the threshold,
  one-sidedness, venue spread and price drift across consecutive liquidations,
  combined by a logistic link whose coefficients and Platt calibration are FITTED
  (``cascade_model.json``, refit by ``lab/scripts/fit_predictor.py``; how well it does
  is measured by ``liqterm backtest``).
* ``seed``. The reference design's composite score, kept as a named baseline:
  5 min window, at least 3 events; volume concentration ×0.3
  (USD / (n × $1M)), time compression ×0.25 (events per minute, 10/min = 1),
  price clustering ×0.25 (1 − min(10 × std/mean of prices, 1)),
  institutional ratio ×0.2; clipped to 1.
"""

from __future__ import annotations

import json
import math
from collections import deque
from pathlib import Path
from typing import Any, ClassVar, Final, Protocol

from liqterm.engine.flow import AssetState, Bucket


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

    def observe(self, state: Any, bucket: Bucket) -> None:
        """Take one finished one-second bucket of the asset."""

    def probability(self, flow: AssetState, now_ms: int, cascade_usd: float) -> float:
        """P(cascade within the horizon) at ``now_ms``; ``flow.predictor`` is the state."""
        ...


# -- liqterm's own: multi-timescale self-excitation, fitted and calibrated -------------------------

MODEL_PATH = Path(__file__).with_name("cascade_model.json")
"""Shipped coefficients and calibration; refit with ``lab/scripts/fit_predictor.py``."""
_W1_SUM: Final = 1.0 / (1.0 - math.exp(-1.0))
_W10_SUM: Final = 1.0 / (1.0 - math.exp(-0.1))
"""A steady one event a second reads as this much on the 1 s and 10 s kernels."""
BASELINE_FLOOR_PER_S: Final = 10.0 / 3.0 / 60.0
"""An asset's usual rate is taken to be at least 10/3 events a minute: below that the
per-asset label's N_min (10 in 60 s) binds anyway, and a sparse asset's median is 0."""
USD_FLOOR: Final = 0.01
"""USD figures enter as ``log(usd / cascade threshold + 0.01)``: finite when nothing happened."""
SHRINK_EVENTS: Final = 5.0


def load_model(path: Path = MODEL_PATH) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


class LiqtermPredictor:
    """liqterm's own predictor: P(the asset's notional cascade starts within 60 s).

    Features (all from the asset's one-second buckets, computed only when a
    probability is asked for, so the per-event cost is nil): event intensities on
    exponential kernels of 1 s and 10 s and the exact 60 s count, each against the
    asset's usual rate (median of its last 30 one-minute counts), and their
    acceleration; the 60 s USD and the shrunk 10 s USD rate against the session-scaled
    cascade threshold, and the USD projected over the next minute; one-sidedness;
    venues in the last 10 s; price drift in the liquidations' direction across the
    last minute. A logistic link with coefficients fitted on recorded and synthetic
    data, then a Platt calibration, both shipped in ``cascade_model.json``.
    """

    name: ClassVar[str] = "liqterm"
    observes_buckets: ClassVar[bool] = False
    FEATURES: ClassVar[tuple[str, ...]] = ("rate1", "rate10", "rate60", "accel", "near60", "near10",
                                           "projected", "one_sided", "venues", "drift")  # fmt: skip

    def __init__(self, model: dict[str, Any] | None = None) -> None:
        model = model or load_model()
        if tuple(model["features"]) != self.FEATURES:
            raise ValueError("cascade model features do not match this predictor")
        scale = model["scale"]
        self._weights = [c / s for c, s in zip(model["coef"], scale, strict=True)]
        self._offset = model["intercept"] - sum(
            c * m / s for c, m, s in zip(model["coef"], model["mean"], scale, strict=True)
        )
        self._platt = tuple(model.get("platt", (1.0, 0.0)))
        self.model = model

    def new_state(self, ref_price: float) -> list[float]:
        return [-1.0, 0.0]  # the minute the cached baseline was computed in, and its value

    def observe(self, state: list[float], bucket: Bucket) -> None:
        return None

    def features(self, flow: AssetState, now_ms: int, cascade_usd: float) -> dict[str, float]:
        """The named inputs of the logistic link (for reports and the backtest)."""
        return dict(zip(self.FEATURES, self._features(flow, now_ms, cascade_usd), strict=True))

    def _baseline(self, flow: AssetState, now_sec: int) -> float:
        cache = flow.predictor
        minute = now_sec // 60
        if cache is not None and cache[0] == minute:
            return cache[1]
        counts = [0] * 30
        for record in reversed(flow.minutes):
            age = minute - 1 - record.minute
            if age >= 30:
                break
            if age >= 0:
                counts[age] = record.count
        current = flow.bucket  # a second not yet rolled into its minute's record counts there too
        if current.count and current.sec < now_sec:
            age = minute - 1 - current.sec // 60
            if 0 <= age < 30:
                counts[age] += current.count
        counts.sort()
        rate = max((counts[14] + counts[15]) / 2.0 / 60.0, BASELINE_FLOOR_PER_S)
        if cache is not None:
            cache[0], cache[1] = minute, rate
        return rate

    def _features(self, flow: AssetState, now_ms: int, cascade_usd: float) -> tuple[float, ...]:
        now_sec = now_ms // 1000
        n1, n10 = flow.kernel_counts(now_sec)
        current = flow.bucket
        usd10 = 0.0
        if now_sec - current.sec < 10:
            usd10 = current.long + current.short
        for bucket in reversed(flow.seconds):
            if bucket.sec <= now_sec - 10:
                break
            usd10 += bucket.long + bucket.short
        base = self._baseline(flow, now_sec)
        # The windows as at ``now_sec`` whether or not they were rolled there: a probability is
        # a function of the asset's events and the time asked about, never of when it is asked.
        long60, short60, n60, first_price = flow.minute_window(now_sec)
        usd60 = long60 + short60
        support = n10 / (n10 + SHRINK_EVENTS)
        # log(1 + x) rather than log1p: the compiled build calls math.log natively (x is never tiny
        # enough here for log1p's extra precision to matter).
        rate1 = math.log(1.0 + n1 / _W1_SUM / base)
        rate10 = math.log(1.0 + n10 / _W10_SUM / base)
        rate60 = math.log(1.0 + n60 / 60.0 / base)
        drift = 0.0
        if first_price and flow.last_price and usd60 > 0:
            move = (flow.last_price - first_price) / first_price * 10_000.0
            drift = max(min(-move if long60 >= short60 else move, 200.0), -200.0) / 50.0
        return (
            rate1,
            rate10,
            rate60,
            rate10 - rate60,
            math.log(usd60 / cascade_usd + USD_FLOOR),
            math.log(6.0 * usd10 * support / cascade_usd + USD_FLOOR),
            min((usd60 + usd10 * 5.0 * support) / cascade_usd, 3.0),
            abs(long60 - short60) / usd60 if usd60 > 0 else 0.0,
            float(flow.venues_since(now_sec - 10)),
            drift,
        )

    def probability(self, flow: AssetState, now_ms: int, cascade_usd: float) -> float:
        z = self._offset
        for weight, value in zip(self._weights, self._features(flow, now_ms, cascade_usd)):  # noqa: B905
            z += weight * value
        a, b = self._platt
        z = a * z + b
        return 1.0 / (1.0 + math.exp(-max(min(z, 35.0), -35.0)))


HawkesPredictor = LiqtermPredictor
"""The predictor's name before it was fitted (configs may still say ``predictor = "hawkes"``)."""


# -- the reference design's composite score, kept as a baseline ----------------------------------

SEED_WINDOW_S: Final = 300
SEED_MIN_EVENTS: Final = 3
SEED_EVENTS_PER_MIN_FULL: Final = 10.0
"""The seed said "time compression (events per minute)" without a scale; we read 10/min as 1."""


class SeedState:
    __slots__ = ("buckets", "n", "n_inst", "ref_price", "sum_dp", "sum_dp2", "usd")

    def __init__(self, ref_price: float) -> None:
        self.buckets: deque[Bucket] = deque()
        self.ref_price = ref_price
        self.n = 0
        self.usd = 0.0
        self.sum_dp = 0.0
        self.sum_dp2 = 0.0
        self.n_inst = 0


class SeedPredictor:
    """The reference design's composite score (see the module docstring)."""

    name: ClassVar[str] = "seed"
    observes_buckets: ClassVar[bool] = True

    def new_state(self, ref_price: float) -> SeedState:
        return SeedState(ref_price)

    def observe(self, state: SeedState, bucket: Bucket) -> None:
        state.buckets.append(bucket)
        self._add(state, bucket, 1)
        self._evict(state, bucket.sec)

    @staticmethod
    def _add(state: SeedState, bucket: Bucket, sign: int) -> None:
        state.n += sign * bucket.count
        state.usd += sign * (bucket.long + bucket.short)
        state.sum_dp += sign * bucket.sum_dp
        state.sum_dp2 += sign * bucket.sum_dp2
        state.n_inst += sign * bucket.n_inst

    def _evict(self, state: SeedState, sec: int) -> None:
        buckets = state.buckets
        while buckets and buckets[0].sec <= sec - SEED_WINDOW_S:
            self._add(state, buckets.popleft(), -1)
        if not buckets:
            state.n = state.n_inst = 0
            state.usd = state.sum_dp = state.sum_dp2 = 0.0

    def probability(self, flow: AssetState, now_ms: int, cascade_usd: float) -> float:
        state: SeedState = flow.predictor
        current = flow.bucket
        n, usd, sum_dp, sum_dp2, n_inst = state.n, state.usd, state.sum_dp, state.sum_dp2, state.n_inst
        # Seconds that left the window since the last observed one no longer count. Read only:
        # they are dropped from the state when the next finished second is observed.
        horizon = now_ms // 1000 - SEED_WINDOW_S
        for bucket in state.buckets:
            if bucket.sec > horizon:
                break
            n -= bucket.count
            usd -= bucket.long + bucket.short
            sum_dp -= bucket.sum_dp
            sum_dp2 -= bucket.sum_dp2
            n_inst -= bucket.n_inst
        n += current.count
        if n < SEED_MIN_EVENTS:
            return 0.0
        usd += current.long + current.short
        mean_dp = (sum_dp + current.sum_dp) / n
        variance = max((sum_dp2 + current.sum_dp2) / n - mean_dp * mean_dp, 0.0)
        mean_price = state.ref_price + mean_dp
        spread = math.sqrt(variance) / mean_price if mean_price > 0 else 1.0
        volume_concentration = min(usd / (n * 1_000_000.0), 1.0)
        time_compression = min(n / (SEED_WINDOW_S / 60) / SEED_EVENTS_PER_MIN_FULL, 1.0)
        price_clustering = 1.0 - min(10.0 * spread, 1.0)
        institutional_ratio = (n_inst + current.n_inst) / n
        score = (
            0.3 * volume_concentration
            + 0.25 * time_compression
            + 0.25 * price_clustering
            + 0.2 * institutional_ratio
        )
        return min(score, 1.0)


PREDICTORS: dict[str, type] = {"liqterm": LiqtermPredictor, "hawkes": LiqtermPredictor, "seed": SeedPredictor}
"""``hawkes`` is the old name of ``liqterm`` (kept so existing configs load); the backtest's
``hawkes`` baseline is a different, single-kernel model."""


def make_predictor(name: str) -> Predictor:
    """The predictor called ``name`` in the config."""
    try:
        return PREDICTORS[name]()
    except KeyError:
        raise ValueError(f"unknown cascade predictor {name!r}") from None
