"""The read side of the engine: per-asset meters and active correlations for a snapshot.

Kept apart from the hot path in :mod:`liqterm.engine.engine`: nothing here runs
per event, only when a screen asks for a :class:`~liqterm.engine.snapshot.EngineSnapshot`,
and nothing here changes the engine's state: every figure is read relative to the
snapshot's own time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from liqterm.config.schema import Config
from liqterm.engine.cascade import Predictor
from liqterm.engine.correlation import correlation_of
from liqterm.engine.flow import AssetState
from liqterm.engine.outcome import IngestResult
from liqterm.engine.snapshot import AssetMeter, Correlation, TapeRow


def build_meters(
    assets: Mapping[str, AssetState],
    predictor: Predictor,
    config: Config,
    now: int,
    session: str,
    limit: int | None,
) -> tuple[AssetMeter, ...]:
    """Meters for the assets active within the hour (or pinned) as of ``now``: pinned first,
    then by the last 5 minutes' USD. Ranking is cheap; the predictor runs only for the
    ``limit`` meters kept. Reads only."""
    now_sec = now // 1000
    rank = {asset: i for i, asset in enumerate(config.tui.pinned)}
    ranked = []
    for asset, state in assets.items():
        if asset not in rank and not active_within_hour(state, now_sec):
            continue
        long_5m, short_5m = last_minutes(state, 5, now_sec)
        ranked.append((rank.get(asset, len(rank)), -(long_5m + short_5m), asset, long_5m, short_5m))
    ranked.sort()
    if limit is not None:
        del ranked[limit:]
    return tuple(
        _meter(assets[asset], predictor, config, now, session, long_5m, short_5m)
        for _, _, asset, long_5m, short_5m in ranked
    )


def _meter(
    state: AssetState,
    predictor: Predictor,
    config: Config,
    now: int,
    session: str,
    long_5m: float,
    short_5m: float,
) -> AssetMeter:
    now_sec = now // 1000
    thresholds = config.thresholds.scaled(state.asset, session)
    probability = predictor.probability(state, now, thresholds.cascade)
    delta = probability - state.trend_ref[1] if state.trend_ref else 0.0
    long_10s, short_10s = last_10s(state, now_sec)
    long_60s, short_60s, events_60s, _ = state.minute_window(now_sec)
    long_1h, short_1h = last_minutes(state, 60, now_sec)
    return AssetMeter(
        asset=state.asset,
        probability=probability,
        trend=1 if delta > 0.05 else -1 if delta < -0.05 else 0,
        cascade_active=state.cascade_since is not None,
        long_10s=long_10s,
        short_10s=short_10s,
        long_60s=long_60s,
        short_60s=short_60s,
        long_5m=long_5m,
        short_5m=short_5m,
        long_1h=long_1h,
        short_1h=short_1h,
        events_per_min=events_60s,
        venues_60s=MappingProxyType(state.venues_60s(now_sec)),
        thresholds=thresholds,
        last_price=state.last_price,
        last_ms=state.last_ms,
    )


def last_10s(state: AssetState, now_sec: int) -> tuple[float, float]:
    """(long, short) USD over the 10 s ending at ``now_sec``, the current second included."""
    long_usd = short_usd = 0.0
    for bucket in (*state.seconds, state.bucket):
        if bucket.sec > now_sec - 10:
            long_usd += bucket.long
            short_usd += bucket.short
    return long_usd, short_usd


def last_minutes(state: AssetState, span: int, now_sec: int) -> tuple[float, float]:
    """(long, short) USD over the minute of ``now_sec`` so far and the ``span`` minutes before it."""
    horizon = now_sec // 60 - span
    current = state.bucket
    long_usd = short_usd = 0.0
    if current.sec // 60 >= horizon:
        long_usd, short_usd = current.long, current.short
    for record in reversed(state.minutes):
        if record.minute < horizon:
            break
        long_usd += record.long
        short_usd += record.short
    return long_usd, short_usd


def active_within_hour(state: AssetState, now_sec: int) -> bool:
    """Whether the asset liquidated anything in the hour ending at ``now_sec``."""
    if state.bucket.count and state.bucket.sec > now_sec - 3600:
        return True
    return bool(state.minutes) and state.minutes[-1].minute >= now_sec // 60 - 60


def active_correlations(states: Iterable[AssetState], now: int, window_ms: int) -> tuple[Correlation, ...]:
    """Assets liquidating on two or more venues within the window, largest first."""
    found = [
        correlation_of(state, now)
        for state in states
        if state.last_ms > now - window_ms and state.two_venues_within(state.cur_sec)
    ]
    found.sort(key=lambda c: c.combined_usd, reverse=True)
    return tuple(found)


def tape_rows(recent: Sequence[IngestResult], last: tuple[TapeRow, ...]) -> tuple[TapeRow, ...]:
    """The snapshot's ``recent`` (newest first) from the engine's latest results (oldest first).

    A row never changes once made, and results are only appended (numbered one by one) and
    dropped from the oldest end: the last snapshot's rows are reused and only newer ones
    made, unless they are not this deque's (then every row is made).
    """
    for rows in (last, ()):
        top = rows[0].seq if rows else 0
        fresh = []
        for result in reversed(recent):
            if result.seq <= top:
                break
            fresh.append(TapeRow(result.seq, result.event, result.cls, result.session, result.correlated))  # type: ignore[arg-type]
        made = (*fresh, *rows)[: len(recent)]
        if not made or made[-1].seq == recent[0].seq:
            return made
    return made


def frozen_counts(rejects: Mapping[str, Mapping[str, int]]) -> Mapping[str, Mapping[str, int]]:
    """A read-only copy of per-venue, per-reason counts."""
    return MappingProxyType({venue: MappingProxyType(dict(reasons)) for venue, reasons in rejects.items()})
