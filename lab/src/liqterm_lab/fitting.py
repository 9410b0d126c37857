"""Small numerical fits written for numpy alone: L2 logistic regression, Platt scaling, Nelder–Mead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))


@dataclass(frozen=True, slots=True)
class Logistic:
    """``p = sigmoid(intercept + coef . (x - mean) / scale)``."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def logit(self, x: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(x) - np.asarray(self.mean)) / np.asarray(self.scale)
        return self.intercept + z @ np.asarray(self.coef)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(self.logit(x))

    def to_dict(self) -> dict[str, object]:
        return {
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Logistic:
        return cls(tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]), float(data["intercept"]))


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1.0, weights: np.ndarray | None = None, iterations: int = 50
) -> Logistic:
    """Penalised maximum likelihood by Newton's method on standardised columns.

    ``l2`` is the ridge penalty on the standardised coefficients (not on the intercept),
    in units of observations: it keeps a coefficient finite when a feature separates
    the few positives of a short recording perfectly.
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    if x.shape[0] != len(y):
        x = x.T
    y = np.asarray(y, dtype=float)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    mean = np.average(x, axis=0, weights=w)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    scale = np.where(scale > 1e-12, scale, 1.0)
    z = np.column_stack([np.ones(len(y)), (x - mean) / scale])
    rate = np.clip(np.average(y, weights=w), 1e-6, 1 - 1e-6)
    beta = np.zeros(z.shape[1])
    beta[0] = np.log(rate / (1 - rate))
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0

    def objective(b: np.ndarray) -> float:
        logit = z @ b
        return float(np.sum(w * (y * logit - np.logaddexp(0.0, logit))) - 0.5 * np.sum(penalty * b * b))

    current = objective(beta)
    for _ in range(iterations):
        p = sigmoid(z @ beta)
        gradient = z.T @ (w * (y - p)) - penalty * beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(len(beta))
        step = np.linalg.solve(hessian, gradient)
        for _ in range(30):  # backtracking: a full Newton step can overshoot on rare positives
            trial = objective(beta + step)
            if trial >= current - 1e-12:
                break
            step *= 0.5
        beta += step
        improvement, current = trial - current, trial
        if np.max(np.abs(step)) < 1e-8 or improvement < 1e-10 * (1.0 + abs(current)):
            break
    return Logistic(tuple(mean), tuple(scale), tuple(beta[1:]), float(beta[0]))


@dataclass(frozen=True, slots=True)
class Platt:
    """``p = sigmoid(a * score + b)``: a monotone map from a raw score to a probability."""

    a: float
    b: float

    def __call__(self, score: np.ndarray) -> np.ndarray:
        return sigmoid(self.a * np.asarray(score, dtype=float) + self.b)

    def inverse(self, probability: float) -> float:
        """The score at which the probability reaches ``probability`` (for alarm thresholds)."""
        p = min(max(probability, 1e-12), 1 - 1e-12)
        return (np.log(p / (1 - p)) - self.b) / self.a if self.a else float("inf")


def fit_platt(score: np.ndarray, y: np.ndarray, l2: float = 1e-3) -> Platt:
    """Platt scaling by logistic regression on one score (Platt's target smoothing keeps a
    perfectly separating score from running to an infinite slope)."""
    y = np.asarray(y, dtype=float)
    positives, negatives = y.sum(), len(y) - y.sum()
    target = np.where(y > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    model = _fit_soft(np.asarray(score, dtype=float), target, l2)
    return model


def _fit_soft(score: np.ndarray, target: np.ndarray, l2: float) -> Platt:
    z = np.column_stack([score, np.ones(len(score))])
    beta = np.array([0.0, np.log(max(target.mean(), 1e-6) / max(1 - target.mean(), 1e-6))])
    for _ in range(100):
        p = sigmoid(z @ beta)
        gradient = z.T @ (target - p) - np.array([l2 * beta[0], 0.0])
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag([l2, 0.0]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return Platt(float(beta[0]), float(beta[1]))


def nelder_mead(
    f: Callable[[np.ndarray], float], start: np.ndarray, step: float = 0.5, iterations: int = 400
) -> np.ndarray:
    """Minimise ``f`` from ``start`` with the Nelder–Mead simplex (standard coefficients)."""
    dim = len(start)
    simplex = [np.asarray(start, dtype=float)]
    for i in range(dim):
        point = simplex[0].copy()
        point[i] += step
        simplex.append(point)
    values = [f(p) for p in simplex]
    for _ in range(iterations):
        order = np.argsort(values)
        simplex = [simplex[i] for i in order]
        values = [values[i] for i in order]
        if abs(values[-1] - values[0]) < 1e-9 * (1 + abs(values[0])):
            break
        centroid = np.mean(simplex[:-1], axis=0)
        reflected = centroid + (centroid - simplex[-1])
        fr = f(reflected)
        if fr < values[0]:
            expanded = centroid + 2 * (centroid - simplex[-1])
            fe = f(expanded)
            simplex[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflected, fr
        else:
            contracted = centroid + 0.5 * (simplex[-1] - centroid)
            fc = f(contracted)
            if fc < values[-1]:
                simplex[-1], values[-1] = contracted, fc
            else:  # shrink towards the best point
                simplex = [simplex[0]] + [simplex[0] + 0.5 * (p - simplex[0]) for p in simplex[1:]]
                values = [values[0]] + [f(p) for p in simplex[1:]]
    return simplex[int(np.argmin(values))]
