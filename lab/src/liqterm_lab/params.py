"""The backtest's fitted parameters: ``backtest_params.json``, refitted by
``lab/scripts/fit_predictor.py``.

Per scope kind (``market``, ``asset``, ``notional``): the climatology rate, the
Hawkes kernel, a Platt map per stream predictor, liqterm's stream model and the
alarm threshold of every predictor (chosen on training data for a false-warning
budget, never on test data). ``provenance`` says what data they came from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from liqterm_lab.fitting import Logistic, Platt
from liqterm_lab.hawkes import HawkesParams

PARAMS_PATH = Path(__file__).with_name("backtest_params.json")


@dataclass(slots=True)
class KindParams:
    climatology: float
    kernel: HawkesParams
    platt: dict[str, Platt] = field(default_factory=dict)
    model: Logistic | None = None
    theta: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "climatology": self.climatology,
            "kernel": {"mu": self.kernel.mu, "alpha": self.kernel.alpha, "beta": self.kernel.beta},
            "platt": {name: [p.a, p.b] for name, p in self.platt.items()},
            "model": self.model.to_dict() if self.model else None,
            "theta": self.theta,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KindParams:
        return cls(
            climatology=float(data["climatology"]),
            kernel=HawkesParams(**data["kernel"]),
            platt={name: Platt(*ab) for name, ab in data["platt"].items()},
            model=Logistic.from_dict(data["model"]) if data.get("model") else None,
            theta={name: float(v) for name, v in data["theta"].items()},
        )


@dataclass(slots=True)
class BacktestParams:
    kinds: dict[str, KindParams]
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"provenance": self.provenance, "kinds": {k: v.to_dict() for k, v in self.kinds.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BacktestParams:
        kinds = {k: KindParams.from_dict(v) for k, v in data["kinds"].items()}
        return cls(kinds, data.get("provenance", {}))


def load_params(path: str | Path | None = None) -> BacktestParams:
    """The shipped parameters (or those at ``path``)."""
    with open(path or PARAMS_PATH, encoding="utf-8") as handle:
        return BacktestParams.from_dict(json.load(handle))


def save_params(params: BacktestParams, path: str | Path | None = None) -> Path:
    target = Path(path or PARAMS_PATH)
    target.write_text(json.dumps(params.to_dict(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target
