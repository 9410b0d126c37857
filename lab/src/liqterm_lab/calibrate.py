"""Calibrate the synthetic generator to a real recording (cascade-science §2).

Measured on the events of the calibration span:

* a two-timescale exponential Hawkes process for the pooled event times by maximum
  likelihood (times jittered ±0.5 s, fast decay rate bounded at 2/s): background
  rate, the branching ratio and decay time of each kernel;
* the USD size distribution (log-normal: median and log-spread);
* the long share outside labelled episodes and inside them;
* the popularity of assets (a Zipf exponent from the rank–frequency line);
* the price step between consecutive liquidations of a symbol (median, in bp).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from liqterm_lab.events import EventLog
from liqterm_lab.fitting import nelder_mead, sigmoid
from liqterm_lab.hawkes import BETA_MAX, excitation, jitter
from liqterm_lab.labels import Episode


@dataclass(frozen=True, slots=True)
class GeneratorSpec:
    """Parameters of the synthetic generator; defaults are a calibration on the real slice."""

    mu: float = 0.21
    n_fast: float = 0.62
    beta_fast: float = 2.0
    n_slow: float = 0.22
    beta_slow: float = 0.24
    size_median_usd: float = 450.0
    size_log_sd: float = 1.6
    long_share_calm: float = 0.85
    long_share_cascade: float = 0.92
    zipf: float = 1.0
    step_bps: float = 2.0
    mark_exponent: float = 0.3
    cascade_branching: float = 0.0
    """Cascades triggered per cascade (0: independent); see :mod:`liqterm_lab.clustering`."""
    cascade_decay_s: float = 0.0
    """Mean delay from a cascade to the ones it triggers."""
    source: str = "defaults"

    def to_dict(self) -> dict:
        return asdict(self)


def two_kernel_log_likelihood(times: np.ndarray, span: float, v: tuple[float, ...]) -> float:
    mu, n_fast, beta_fast, n_slow, beta_slow = v
    fast = n_fast * beta_fast * excitation(times, beta_fast)
    slow = n_slow * beta_slow * excitation(times, beta_slow)
    tail = span - times
    compensator = (
        mu * span
        + n_fast * np.sum(1.0 - np.exp(-beta_fast * tail))
        + n_slow * np.sum(1.0 - np.exp(-beta_slow * tail))
    )
    return float(np.sum(np.log(mu + fast + slow)) - compensator)


def fit_two_kernels(times_s: np.ndarray, seed: int = 0) -> tuple[float, float, float, float, float]:
    """``(mu, n_fast, beta_fast, n_slow, beta_slow)`` by maximum likelihood, ``n_fast + n_slow < 1``."""
    t = jitter(np.asarray(times_s, dtype=float), seed)
    t -= min(t[0], 0.0)
    span = float(t[-1] + 1.0)

    def unpack(v: np.ndarray) -> tuple[float, float, float, float, float]:
        total = float(sigmoid(v[1]))
        share = float(sigmoid(v[2]))
        beta_fast = BETA_MAX * float(sigmoid(v[3]))
        beta_slow = beta_fast * float(sigmoid(v[4]))  # the slow kernel stays the slower one
        return float(np.exp(v[0])), total * share, beta_fast, total * (1 - share), beta_slow

    start = np.array([np.log(len(t) / span * 0.2), 1.5, 1.0, 1.0, -2.0])
    best = nelder_mead(lambda v: -two_kernel_log_likelihood(t, span, unpack(v)), start, 0.7, 800)
    return unpack(best)


def calibrate(
    log: EventLog, episodes: list[Episode], until_ms: int | None = None, seed: int = 0
) -> GeneratorSpec:
    """A :class:`GeneratorSpec` from the events received before ``until_ms`` (all when ``None``)."""
    keep = np.ones(len(log), dtype=bool) if until_ms is None else log.received_ms < until_ms
    times = np.sort(log.exchange_ms[keep]) / 1000.0
    mu, n_fast, beta_fast, n_slow, beta_slow = fit_two_kernels(times - times[0], seed)
    usd = log.usd[keep]
    seconds = -(-log.exchange_ms[keep] // 1000)
    inside = np.zeros(len(seconds), dtype=bool)
    for e in episodes:
        inside |= (seconds >= e.onset_s) & (seconds <= e.end_s)
    longs = log.is_long[keep]
    counts = np.sort(np.bincount(log.asset[keep]))[::-1]
    counts = counts[counts > 0][:50]
    ranks = np.arange(1, len(counts) + 1)
    zipf = -np.polyfit(np.log(ranks), np.log(counts), 1)[0] if len(counts) > 2 else 1.0
    order = np.lexsort((log.exchange_ms[keep], log.symbol[keep]))
    price, symbol = log.price[keep][order], log.symbol[keep][order]
    same = symbol[1:] == symbol[:-1]
    steps = np.abs(np.log(price[1:] / price[:-1]))[same] * 10_000.0
    return GeneratorSpec(
        mu=mu,
        n_fast=n_fast,
        beta_fast=beta_fast,
        n_slow=n_slow,
        beta_slow=beta_slow,
        size_median_usd=float(np.median(usd)),
        size_log_sd=float(np.std(np.log(usd))),
        long_share_calm=float(longs[~inside].mean()) if (~inside).any() else 0.5,
        long_share_cascade=float(longs[inside].mean()) if inside.any() else 0.9,
        zipf=float(zipf),
        step_bps=float(np.median(steps[steps > 0])) if (steps > 0).any() else 2.0,
        source=f"calibrated on {int(keep.sum())} events",
    )
