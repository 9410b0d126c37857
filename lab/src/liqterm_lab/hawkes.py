"""The exponential-kernel Hawkes process: maximum likelihood (cascade-science §2).

``lambda(t) = mu + alpha * sum_{t_i < t} exp(-beta (t - t_i))``; branching ratio
``n = alpha / beta``. The excitation sums ``A_i`` are computed exactly with numpy
in blocks short enough that ``exp(beta * dt)`` cannot overflow, instead of the
O(N) Python recursion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from liqterm_lab.fitting import nelder_mead, sigmoid

BETA_MAX = 2.0
"""Upper bound on the decay rate (per second). Venues stamp many events with the same
millisecond and Binance throttles to 1 s snapshots, so faster kernels are artefacts
(cascade-science §2: the unbounded MLE degenerates)."""
_BLOCK = 600.0  # beta * block span: exp(600) < float max


@dataclass(frozen=True, slots=True)
class HawkesParams:
    mu: float
    alpha: float
    beta: float

    @property
    def branching(self) -> float:
        return self.alpha / self.beta


def excitation(times: np.ndarray, beta: float) -> np.ndarray:
    """``A_i = sum_{j < i} exp(-beta (t_i - t_j))`` for sorted ``times`` (seconds)."""
    out = np.empty(len(times))
    if not len(times):
        return out
    block = np.floor((times - times[0]) * beta / _BLOCK).astype(np.int64)
    carry, carry_at = 0.0, times[0]
    for b in np.unique(block):
        lo, hi = np.searchsorted(block, [b, b + 1])
        t = times[lo:hi]
        s = t[0]
        carry *= np.exp(-beta * (s - carry_at))
        grow = np.exp(beta * (t - s))
        before = np.concatenate([[0.0], np.cumsum(grow)[:-1]])
        out[lo:hi] = np.exp(-beta * (t - s)) * (carry + before)
        carry, carry_at = carry + grow.sum(), s
    return out


def log_likelihood(times: np.ndarray, span: float, params: HawkesParams) -> float:
    mu, alpha, beta = params.mu, params.alpha, params.beta
    a = excitation(times, beta)
    compensator = mu * span + alpha / beta * np.sum(1.0 - np.exp(-beta * (span - times)))
    return float(np.sum(np.log(mu + alpha * a)) - compensator)


def jitter(times: np.ndarray, seed: int = 0, width: float = 1.0) -> np.ndarray:
    """Spread same-time events uniformly over ``width`` seconds (Binance's 1 s snapshot grain)."""
    rng = np.random.default_rng(seed)
    return np.sort(times + rng.uniform(-width / 2, width / 2, len(times)))


def fit_hawkes(times: np.ndarray, span: float | None = None, seed: int = 0) -> HawkesParams:
    """Maximum-likelihood ``(mu, alpha, beta)`` with ``n < 1`` and ``beta <= BETA_MAX``.

    ``times`` are event times in seconds from the start of the training span; they are
    jittered by ±0.5 s first (same-millisecond ties make the likelihood degenerate).
    """
    t = jitter(np.asarray(times, dtype=float), seed)
    t = t - min(t[0], 0.0)
    span = float(span if span is not None else t[-1] + 1.0)
    rate = len(t) / span

    def unpack(v: np.ndarray) -> HawkesParams:
        beta = BETA_MAX * float(sigmoid(v[2]))
        return HawkesParams(float(np.exp(v[0])), float(sigmoid(v[1])) * beta, beta)

    def cost(v: np.ndarray) -> float:
        return -log_likelihood(t, span, unpack(v))

    best = nelder_mead(cost, np.array([np.log(rate * 0.3), 1.0, 0.0]), step=0.7)
    return unpack(best)
