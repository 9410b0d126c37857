"""Does mark-price context warn of a cascade earlier than liquidations alone? A measurement.

Liquidations alone give seconds of warning (the backtest's figures). A leveraged market
often moves before its liquidations cluster, so the mark price might warn earlier; that has
to be measured before any of it goes into the predictor. This module
measures it on any recording that holds mark prices beside the liquidations (record
one with ``[venues.binance] mark_prices``; ``lab/scripts/mark_lead.py`` runs it):

* the mark move of an asset at second ``tau`` is the size of its 60 s log return in
  units of its usual 60 s move, ``|ln m(tau) - ln m(tau - 60)| / (sigma_1s * sqrt(60))``,
  with ``sigma_1s`` the standard deviation of its one-second log changes over the
  trailing 30 min (causal: only mark prices received by ``tau``; a mark older than 5 s
  counts as missing, and nothing is scored before 10 min of changes);
* on the app's own label (an asset's notional cascade) it scores, with the backtest's
  alarm rules, the engine's events-only predictor at the app's ``possible`` level, the
  mark move alone at several levels, and the two together (a warning when either fires).

A longer median lead or more onsets caught ahead by "either", at a false-warning rate
not much above the events-only one, is what "measurably lengthens" means. Nothing here
is fitted: the levels are fixed in advance, so a recording can be read without
selecting on it.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np

from liqterm.recording.format import RecordedFrame
from liqterm.venues.base import VenueAdapter
from liqterm_lab.labels import trailing
from liqterm_lab.metrics import Track, alarms
from liqterm_lab.runner import Material

MOVE_WINDOW_S = 60
SIGMA_WINDOW_S = 1800
SIGMA_FLOOR = 1e-5
"""One-second log changes are taken to be at least 0.1 bp: a mark that never moved
would otherwise make its first tick an infinite move."""
LEVELS = (3.0, 4.0, 6.0)
"""The mark-move levels scored, fixed before any recording was read."""
MIN_COVERAGE = 0.5
"""An asset is scored only where its mark price covers at least this share of the recording."""
MAX_AGE_S = 5
"""A mark price older than this (a disconnect, a gap in the recording) is no mark price: held
on, it would read as seconds without a move and shrink sigma before the next real one."""
MIN_CHANGES = 600
"""No move is scored until sigma rests on at least this many one-second changes (10 min)."""


def read_marks(
    frames: Iterable[RecordedFrame],
    adapters: Mapping[str, VenueAdapter],
    assets: Collection[str] | None = None,
) -> dict[str, tuple]:
    """``asset -> (times_ms, prices)`` of the mark prices in ``frames`` (of ``assets`` only, when
    given: a day of every symbol is tens of millions of rows), in receive order.

    Uses each venue's ``mark_prices`` reader (venues without one are skipped); the time is
    the frame's RECEIVE time, since a predictor may use only what had arrived. A NaN price
    from a reader means "unchanged" (Bybit's deltas): the series repeats its last price. An
    asset whose mark came from several venues keeps ONE venue's series (the one covering the
    most seconds, then by name): interleaved, the venues' small differences would read as moves.
    """
    series: dict[tuple[str, str], tuple[array, array]] = {}
    readers = {
        venue: (adapter.mark_price_marker, adapter.mark_prices)  # type: ignore[attr-defined]
        for venue, adapter in adapters.items()
        if hasattr(adapter, "mark_prices") and hasattr(adapter, "mark_price_marker")
    }
    for frame in frames:
        found = readers.get(frame.venue)
        if found is None or found[0] not in frame.frame:  # cheap: liquidation frames never hold it
            continue
        for asset, _, price in found[1](frame.frame):
            if assets is not None and asset not in assets:
                continue
            key = (asset, frame.venue)
            if key not in series:
                if price != price:  # NaN: unchanged, but nothing known yet
                    continue
                series[key] = (array("q"), array("d"))
            times, values = series[key]
            times.append(frame.received_ms)
            values.append(values[-1] if price != price else price)
    chosen: dict[str, tuple[str, int]] = {}
    for (asset, venue), (times, _) in sorted(series.items()):
        covered = len(np.unique(np.asarray(times, dtype=np.int64) // 1000))
        if asset not in chosen or covered > chosen[asset][1]:
            chosen[asset] = (venue, covered)
    return {
        asset: (np.asarray(series[asset, venue][0], dtype=np.int64), np.asarray(series[asset, venue][1]))
        for asset, (venue, _) in chosen.items()
    }


def mark_grid(times_ms: np.ndarray, prices: np.ndarray, start_s: int, n: int) -> np.ndarray:
    """The last mark price received by each second of the grid; NaN before the first and where
    the last is older than :data:`MAX_AGE_S`."""
    order = np.argsort(times_ms, kind="stable")
    seconds = -(-times_ms[order] // 1000) - start_s  # received during (tau - 1, tau] is known at tau
    grid = np.arange(n)
    held = np.searchsorted(seconds, grid, side="right") - 1
    fresh = (held >= 0) & (grid - seconds[np.maximum(held, 0)] <= MAX_AGE_S)
    return np.where(fresh, prices[order][np.maximum(held, 0)], np.nan)


def mark_move(grid: np.ndarray) -> np.ndarray:
    """The 60 s move in units of the usual one (see the module docstring); 0 where unknown."""
    n = len(grid)
    logs = np.log(grid)
    change = np.full(n, np.nan)  # the first second has no change
    change[1:] = np.diff(logs)
    known = np.isfinite(change)
    change = np.where(known, change, 0.0)
    changes = trailing(known.astype(np.int64), SIGMA_WINDOW_S)
    k = np.maximum(changes, 1)
    mean = trailing(change, SIGMA_WINDOW_S) / k
    sigma = np.sqrt(np.maximum(trailing(change * change, SIGMA_WINDOW_S) / k - mean * mean, 0.0))
    sigma = np.maximum(sigma, SIGMA_FLOOR)
    moved = np.full(n, np.nan)
    moved[MOVE_WINDOW_S:] = logs[MOVE_WINDOW_S:] - logs[:-MOVE_WINDOW_S]
    score = np.abs(moved) / (sigma * math.sqrt(MOVE_WINDOW_S))
    return np.where(np.isfinite(score) & (changes >= MIN_CHANGES), score, 0.0)


def _row(name: str, result: dict) -> dict:
    keep = ("onsets", "caught", "recall", "median_lead_s", "p10_lead_s", "false_per_hour", "warnings", "hits")
    return {"name": name, **{key: result[key] for key in keep}}


def mark_lead(
    material: Material,
    marks: Mapping[str, tuple],
    app_level: float,
    levels: Sequence[float] = LEVELS,
) -> dict:
    """Events-only against mark-move and either-rule alarms on the notional tracks of the
    assets whose mark prices cover the recording (see the module docstring).

    Returns ``{"assets", "hours", "onsets", "rows": [...]}``; each row has the alarm
    figures of :func:`~liqterm_lab.metrics.alarms` (false warnings per asset-hour).
    """
    horizon = material.horizon_s
    tracks: list[Track] = []
    engine: list[np.ndarray] = []
    moves: list[np.ndarray] = []
    assets = []
    for scope in material.scopes:
        if scope.kind != "notional" or scope.asset not in marks:
            continue
        grid = mark_grid(*marks[scope.asset], material.start_s, material.n)
        if np.isfinite(grid).mean() < MIN_COVERAGE:
            continue
        assets.append(scope.asset)
        tracks.append(material.track(scope))
        engine.append(material.samples["liqterm"].dense(scope.asset, material.start_s, material.n))
        moves.append(mark_move(grid))
    if not tracks:
        raise ValueError("no asset with a notional track has mark prices over most of the recording")
    events_only = [(p >= app_level).astype(float) for p in engine]
    rows = [_row(f"events only (p >= {app_level:g})", alarms(tracks, events_only, 0.5, horizon))]
    for level in levels:
        mark = [(m >= level).astype(float) for m in moves]
        either = [np.maximum(a, b) for a, b in zip(events_only, mark, strict=True)]
        rows.append(_row(f"mark move >= {level:g}", alarms(tracks, mark, 0.5, horizon)))
        rows.append(_row(f"either, mark >= {level:g}", alarms(tracks, either, 0.5, horizon)))
    hours = sum(int(t.scored.sum()) for t in tracks) / 3600.0
    return {"assets": assets, "hours": hours, "onsets": rows[0]["onsets"], "rows": rows}


def render_mark_lead(result: dict) -> str:
    """The measurement as a small table."""
    lines = [
        f"{len(result['assets'])} assets with mark prices ({', '.join(result['assets'])}), "
        f"{result['hours']:.1f} asset-hours scored, {result['onsets']} notional onsets",
        f"{'warning rule':<24} {'ahead':>9} {'median lead':>12} {'p10 lead':>9} {'false/asset-h':>14}",
    ]
    for row in result["rows"]:
        median = "—" if math.isnan(row["median_lead_s"]) else f"{row['median_lead_s']:.0f} s"
        p10 = "—" if math.isnan(row["p10_lead_s"]) else f"{row['p10_lead_s']:.0f} s"
        lines.append(
            f"{row['name']:<24} {row['caught']:>4}/{row['onsets']:<4} {median:>12} {p10:>9} "
            f"{row['false_per_hour']:>14.2f}"
        )
    return "\n".join(lines)
