"""The live scorecard (for the app's cascade pane) and the shipped backtest figures.

:class:`Scorecard` is pure: feed it the engine's alerts (or warnings and onsets
directly) in event time, and read :meth:`Scorecard.view`. It scores exactly like
the backtest's alarms: a warning is a hit when its asset's cascade starts within
the horizon after it, false when the horizon passes without one (and it was not
issued during a running cascade), pending until then; an onset is caught when a
warning for its asset came in the horizon before it, and its lead is measured
from the first such warning. Live, the onset is the engine's ``cascade`` alert
(the threshold crossing, not back-dated), so live leads read a little longer
than the backtest's.

:func:`shipped_figures` returns what the shipped predictor reached in the backtest,
with the data each figure came from (``shipped_figures.json``, written by
``lab/scripts/fit_predictor.py --write``).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from liqterm.engine.alerts import Alert

FIGURES_PATH = Path(__file__).parent / "data" / "shipped_figures.json"
CASCADE_RUNNING_MS = 120_000
"""Without an explicit end, a cascade counts as running this long after its onset alert."""
BLOCK_S = 300
"""The shipped figures' Brier-skill intervals resample whole blocks of this many seconds of
time: longer than an onset's horizon (60 s) and a typical episode (2-4 min), so most of the
dependence between seconds stays inside a block."""
MIN_BLOCKS = 12
MIN_ONSET_BLOCKS = 10
"""An interval is only reliable with at least this many blocks, of which this many hold an
onset ahead; with fewer a resample can only repeat or leave out the few blocks that decide
the score."""


@dataclass(frozen=True, slots=True)
class ScorecardView:
    """The session's figures so far."""

    warnings: int
    onsets: int
    hits: int
    false: int
    pending: int
    caught: int
    precision: float | None
    recall: float | None
    median_lead_s: float | None


@dataclass(slots=True)
class _Scope:
    warnings: list[int] = field(default_factory=list)
    onsets: list[int] = field(default_factory=list)
    running_until: int = -1


class Scorecard:
    """Warnings against onsets for the running session, per asset, pooled.

    Args:
        horizon_s: a warning counts for an onset up to this long after it (60 s).
        refractory_s: a warning within this long of the previous one for the same
            asset is the same warning (the backtest's refractory period).
    """

    def __init__(self, horizon_s: float = 60.0, refractory_s: float = 60.0) -> None:
        self.horizon_ms = int(horizon_s * 1000)
        self.refractory_ms = int(refractory_s * 1000)
        self.now_ms = 0
        self._scopes: dict[str, _Scope] = {}
        self.detections = 0

    def on_alert(self, alert: Alert) -> None:
        """Take an engine alert: ``cascade_warning`` is a warning, ``cascade`` an onset."""
        if alert.kind == "cascade_warning":
            self.warning(alert.asset, alert.at_ms)
        elif alert.kind == "cascade":
            self.onset(alert.asset, alert.at_ms)

    def warning(self, scope: str, at_ms: int) -> None:
        state = self._scopes.setdefault(scope, _Scope())
        self.now_ms = max(self.now_ms, at_ms)
        if at_ms <= state.running_until:
            self.detections += 1
            return
        if state.warnings and at_ms - state.warnings[-1] < self.refractory_ms:
            return
        state.warnings.append(at_ms)

    def onset(self, scope: str, at_ms: int) -> None:
        state = self._scopes.setdefault(scope, _Scope())
        self.now_ms = max(self.now_ms, at_ms)
        if at_ms <= state.running_until:
            return  # the same cascade again
        state.onsets.append(at_ms)
        state.running_until = at_ms + CASCADE_RUNNING_MS

    def ended(self, scope: str, at_ms: int) -> None:
        """The scope's cascade is over (optional: otherwise it runs :data:`CASCADE_RUNNING_MS`)."""
        state = self._scopes.setdefault(scope, _Scope())
        state.running_until = min(state.running_until, at_ms)

    def advance(self, now_ms: int) -> None:
        """Event time moved on (warnings older than the horizon become decided)."""
        self.now_ms = max(self.now_ms, now_ms)

    def view(self) -> ScorecardView:
        hits = false = pending = caught = 0
        leads: list[float] = []
        warnings = onsets = 0
        for state in self._scopes.values():
            warnings += len(state.warnings)
            onsets += len(state.onsets)
            for w in state.warnings:
                if any(w <= s <= w + self.horizon_ms for s in state.onsets):
                    hits += 1
                elif self.now_ms - w > self.horizon_ms:
                    false += 1
                else:
                    pending += 1
            for s in state.onsets:
                ahead = [w for w in state.warnings if s - self.horizon_ms <= w <= s]
                if ahead:
                    caught += 1
                    leads.append((s - ahead[0]) / 1000.0)
        return ScorecardView(
            warnings=warnings,
            onsets=onsets,
            hits=hits,
            false=false,
            pending=pending,
            caught=caught,
            precision=hits / (hits + false) if hits + false else None,
            recall=caught / onsets if onsets else None,
            median_lead_s=statistics.median(leads) if leads else None,
        )


def shipped_figures(path: Path | None = None) -> dict[str, Any]:
    """The shipped backtest figures with their data (empty when the file is absent)."""
    target = path or FIGURES_PATH
    if not target.exists():
        return {}
    return json.loads(target.read_text(encoding="utf-8"))


def shipped_summary(predictor: str = "liqterm", path: Path | None = None) -> list[dict[str, Any]]:
    """One row per data set for the pane: what ``predictor`` reached, and on what.

    Rows: ``{"data", "scope", "onsets", "hours", "bss", "bss_ci", "ci_reliable", "recall",
    "precision", "median_lead_s", "false_per_hour", "rival", "rival_caught", "synthetic"}``:
    ``bss_ci`` is the Brier skill's 90 % block-bootstrap interval
    (:mod:`liqterm_lab.uncertainty`), ``ci_reliable`` whether the data held enough blocks
    for it to mean much; ``rival`` is the baseline that caught the most onsets with no more
    false warnings per hour than liqterm had (the figures hold that comparison for liqterm
    only), and ``rival_caught`` how many (both None when the figures do not say).
    """
    figures = shipped_figures(path)
    rows = []
    for key in ("real_test", "synthetic_test"):
        data = figures.get(key, {}).get("data", {})
        label = _synthetic_label(data) if key == "synthetic_test" else _real_label(data)
        block = figures.get(key, {}).get("scopes", {})
        for scope in ("union", "notional"):
            row = block.get(scope, {}).get("predictors", {}).get(predictor)
            if row is None:
                continue
            figures_of = {
                k: row.get(k)
                for k in ("bss", "bss_ci", "recall", "precision", "median_lead_s", "false_per_hour")
            }
            counts = {"onsets": block[scope]["onsets"], "hours": block[scope]["hours"]}
            figures_of["ci_reliable"] = block[scope].get("skill_spread", {}).get("reliable")
            figures_of.update(_rival(block[scope].get("matched", {}), counts["onsets"]))
            rows.append(
                {
                    "data": label,
                    "scope": scope,
                    **counts,
                    **figures_of,
                    "synthetic": key.startswith("synthetic"),
                }
            )
    return rows


VENUE_NAMES = {"binance": "Binance", "bybit": "Bybit", "okx": "OKX", "gateio": "Gate", "bitget": "Bitget"}


def _real_label(data: dict[str, Any]) -> str:
    """``real Binance 2025-10-22 18:00-18:18 UTC (held out)``, from the figures' own data."""
    venues = ", ".join(VENUE_NAMES.get(v, v) for v in data.get("venues", [])) or "recording"
    start, end = data.get("scored_from") or data.get("from") or "", data.get("to") or ""
    if len(start) < 16 or len(end) < 16:
        return f"real {venues}"
    until = end[11:16] if end[:10] == start[:10] else f"{end[:10]} {end[11:16]}"
    held_out = " (held out)" if data.get("scored_from") else " (includes training data)"
    return f"real {venues} {start[:10]} {start[11:16]}-{until} UTC{held_out}"


def _synthetic_label(data: dict[str, Any]) -> str:
    venues = len(data.get("venues", []))
    return f"synthetic, {venues} venue{'' if venues == 1 else 's'} (not real skill)"


def _rival(matched: dict[str, Any], onsets: int) -> dict[str, Any]:
    """The baselines catching the most onsets within the predictor's own false-warning rate
    (``ewma/hawkes`` on a tie of two, ``(3 tied)`` beyond; no name when none catches any)."""
    recalls = {
        name: row["at_own_rate"]["recall"]
        for name, row in matched.items()
        if row.get("at_own_rate", {}).get("recall") is not None
    }
    if not recalls:
        return {"rival": None, "rival_caught": None}
    best = max(recalls.values())
    tied = [name for name, recall in recalls.items() if recall == best]
    names = "/".join(tied) if len(tied) <= 2 else f"({len(tied)} tied)"
    return {"rival": names if best > 0 else None, "rival_caught": round(best * onsets)}
