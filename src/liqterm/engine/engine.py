"""The engine: normalised liquidations in, classifications, rolling state and alerts out.

Pure and synchronous: no I/O, no wall clock, no asyncio, no UI. Time is the
events' own exchange time, so a replay gives exactly what live gave. ``ingest``
is the hot path (benchmarked in ``benchmarks/engine.py``): per event it does a
dedup check, a classification and a few additions into the asset's current
one-second bucket; per asset-second it rolls the windows (see
:mod:`liqterm.engine.flow`). Everything a screen needs is assembled only when
:meth:`Engine.snapshot` is called.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from liqterm.config.schema import CLASSES, Config, Thresholds
from liqterm.engine.alerts import Alert, AlertBook
from liqterm.engine.cascade import LiqtermPredictor, Predictor, make_predictor
from liqterm.engine.correlation import correlation_of, dislocation_at
from liqterm.engine.events import AlertFactory
from liqterm.engine.flow import AssetState
from liqterm.engine.guard import DAY_MS, SeenEvents, rejection_reason
from liqterm.engine.readout import active_correlations, build_meters, tape_rows
from liqterm.engine.sessions import HOUR_MS, session_info, session_name_at
from liqterm.engine.snapshot import AssetMeter, Correlation, EngineSnapshot, TapeRow
from liqterm.engine.whales import WhaleTracker
from liqterm.model import Liquidation, Side

TREND_MS: Final = 10_000
EVALUATE_BURST: Final = 16
"""Within one busy second, re-evaluate the predictor every this many events."""
EVALUATE_MIN_EVENTS: Final = 5
EVALUATE_MIN_FILL: Final = 0.2
"""When a second rolls, the predictor is re-run only for an asset whose last minute is
elevated: at least 5 events and either 3x its usual rate or 20 % of its cascade threshold
(or whose probability is already near the warning band). Its probability still updates on
every whale-or-bigger event, every 16 events within one second, and in every snapshot."""
QUIET_EVALUATE_MS: Final = 3_000
NEAR_BAND: Final = 0.25
"""An asset whose last probability is below a quarter of the "possible" level is re-evaluated
at most every ``QUIET_EVALUATE_MS`` when its seconds roll (instead of every second)."""
_LONG: Final = Side.LONG


class Engine:
    """Liquidation engine over one :class:`~liqterm.config.Config`.

    Args:
        config: thresholds, windows and alert policy.
        predictor: the cascade predictor; default from ``config.cascade.predictor``.
    """

    def __init__(self, config: Config | None = None, predictor: Predictor | None = None) -> None:
        self.config = config = config or Config()
        self.predictor: Predictor = predictor or make_predictor(config.cascade.predictor)
        self._window_ms = int(config.engine.correlation_window_s * 1000)
        self._gap_bps = config.engine.dislocation_bps
        self._max_future_ms = int(config.engine.max_future_skew_s * 1000)
        self._eval_every_ms = config.cascade.evaluate_every_ms
        self._observes = self.predictor.observes_buckets
        # The shipped predictor by its own class: the compiled build calls it directly.
        self._own: LiqtermPredictor | None = (
            self.predictor if isinstance(self.predictor, LiqtermPredictor) else None
        )
        self._hour_from = -HOUR_MS  # the hour the last event fell in, and its session
        self._session = ""
        self._scaled: dict[tuple[str, str], tuple[float, float, float]] = {}
        self._seen = SeenEvents(int(config.engine.dedup_horizon_s * 1000))
        self._assets: dict[str, AssetState] = {}
        self._whales = WhaleTracker()
        self._book = AlertBook(int(config.alerts.cooldown_s * 1000), config.engine.alert_log)
        self._recent: deque[tuple[int, Liquidation, int, str, bool]] = deque(
            maxlen=config.engine.recent_events
        )
        self._remember: Callable[[tuple[int, Liquidation, int, str, bool]], None] = self._recent.append
        self._rows: tuple[TapeRow, ...] = ()  # the last snapshot's tape rows
        self._venue_events: dict[str, int] = {}
        self._rejects: dict[str, dict[str, int]] = {}  # venue -> reason -> count
        self._apply_policy(config)
        self.now_ms = 0
        self.seq = 0
        self.events_total = 0
        self.duplicates = 0
        self.rejected = 0

    def _apply_policy(self, config: Config) -> None:
        self._min_alert_class = CLASSES.index(config.alerts.min_class)
        self._possible = config.alerts.possible
        self._alerts = AlertFactory(config.alerts.warning)

    # -- the hot path -------------------------------------------------------------------------

    def ingest(self, event: Liquidation) -> list[Alert]:
        """Take one event; return the alerts it raised (after dedup and cooldown)."""
        ms = event.exchange_ms
        usd = event.usd
        price = event.price
        received = event.received_ms
        if not (0.0 < usd < 1e13 and 0.0 < price < 1e12) or not (
            received - DAY_MS <= ms <= received + self._max_future_ms
        ):
            self._reject(event)
            return []
        venue = event.venue
        if self._seen.repeat((venue, event.symbol, event.side, price, event.quantity, ms), ms):
            self.duplicates += 1
            return []
        if ms > self.now_ms:
            self.now_ms = ms
        self.events_total += 1
        self._venue_events[venue] = self._venue_events.get(venue, 0) + 1
        if not self._hour_from <= ms < self._hour_from + HOUR_MS:
            self._hour_from = ms - ms % HOUR_MS
            self._session = session_name_at(ms)
        session = self._session

        asset = event.asset
        state = self._assets.get(asset)
        if state is None:
            state = self._new_asset(asset, price)
        if state.session != session:
            state.session = session
            state.thresholds = self._scaled.get((asset, session)) or self._scale(asset, session)
        base, whale, cascade = state.thresholds
        cls = 3 if usd >= cascade else 2 if usd >= whale else 1 if usd >= base else 0
        raised: list[Alert] = []
        sec = ms // 1000
        if sec > state.cur_sec:
            self._roll(state, sec, ms, raised)
        bucket = state.bucket
        if event.side is _LONG:
            bucket.long += usd
            state.long_60s += usd
        else:
            bucket.short += usd
            state.short_60s += usd
        bucket.count += 1
        state.n_60s += 1
        now_sec = state.cur_sec  # an event older than the current second is counted in it
        if venue != state.venue_last:
            # The latest event from another venue is the one before this.
            state.other_sec = state.last_sec
            state.other_price = state.tail_price
            state.other_venue = state.venue_last
            state.venue_last = venue
            state.venue_secs[venue] = now_sec
        elif now_sec != state.last_sec:
            state.venue_secs[venue] = now_sec
        state.last_sec = now_sec
        state.tail_price = price
        per_venue = bucket.venues
        per_venue[venue] = per_venue.get(venue, 0.0) + usd
        bucket.last_price = price
        if self._observes:
            dp = price - state.p_ref
            bucket.sum_dp += dp
            bucket.sum_dp2 += dp * dp
        if ms >= state.last_ms:
            state.last_ms = ms
            state.last_price = price

        # With a second venue in the window (exact and O(1)): the price gap to it, and whether
        # the window's USD (bounded first by the 60 s totals) makes it a correlation.
        correlated = False
        if state.two_venues_within(now_sec):
            other_price = state.other_price
            if abs(price - other_price) * 20_000.0 > self._gap_bps * (price + other_price):
                raised.append(self._alerts.for_dislocation(dislocation_at(state, venue, price, ms)))
            if state.long_60s + state.short_60s >= whale:
                usd_window = state.window_before(now_sec) + bucket.long + bucket.short
                correlated = usd_window >= whale
        self.seq += 1
        self._remember((self.seq, event, cls, session, correlated))

        if cls >= 2:
            if cls == 3:
                bucket.n_inst += 1
            self._whales.add(event)
        if cls >= self._min_alert_class:
            raised.append(self._alerts.for_event(event, CLASSES[cls], session))
        if correlated:
            if usd_window >= 2 * state.corr_level:
                state.corr_level = usd_window
                raised.append(self._alerts.for_correlation(correlation_of(state, ms), cascade))
        elif state.corr_level:
            state.corr_level = 0.0
        if state.cascade_since is None:
            if state.long_60s + state.short_60s >= cascade:
                state.cascade_since = ms
                state.below_since = None
                raised.append(self._alerts.for_cascade(state, cascade, ms))
        else:
            state.track_cascade_end(cascade, ms)
        if (cls >= 2 or bucket.count % EVALUATE_BURST == 0) and state.cascade_since is None:
            self._evaluate(state, ms, cascade, raised)
        return self._book.admit(raised) if raised else raised

    # -- once per asset-second ----------------------------------------------------------------

    def _roll(self, state: AssetState, sec: int, ms: int, raised: list[Alert]) -> None:
        finished = state.roll(sec)
        if finished is None:
            return
        if self._observes:
            self.predictor.observe(state.predictor, finished)
        # While the asset's cascade runs no warning can be raised: its probability rests until
        # the cascade ends (a snapshot still shows a fresh one). Assets far from the warning
        # band are re-evaluated at a slower cadence; a whale or a busy second (every
        # EVALUATE_BURST events) still evaluates at once.
        if state.cascade_since is not None:
            return
        near = state.probability >= self._possible * NEAR_BAND
        if ms - state.evaluated_ms < (self._eval_every_ms if near else QUIET_EVALUATE_MS):
            return
        cascade = state.thresholds[2]
        n = state.n_60s
        elevated = n >= EVALUATE_MIN_EVENTS and (
            n >= 3 * state.baseline_per_minute()
            or state.long_60s + state.short_60s >= EVALUATE_MIN_FILL * cascade
        )
        if elevated or state.probability >= self._possible / 2:
            self._evaluate(state, ms, cascade, raised)

    def _evaluate(self, state: AssetState, ms: int, cascade: float, raised: list[Alert]) -> None:
        state.evaluated_ms = ms
        own = self._own
        if own is not None:
            probability = own.probability(state, ms, cascade)
        else:
            probability = self.predictor.probability(state, ms, cascade)
        state.probability = probability
        if state.trend_ref is None or ms - state.trend_ref[0] >= TREND_MS:
            state.trend_ref = (ms, probability)
        if probability >= self._possible and state.cascade_since is None:
            raised.append(self._alerts.for_warning(state, probability, ms))

    def _reject(self, event: Liquidation) -> None:
        self.rejected += 1
        reason = rejection_reason(event, self._max_future_ms) or "implausible"
        per_venue = self._rejects.setdefault(event.venue, {})
        per_venue[reason] = per_venue.get(reason, 0) + 1

    def _new_asset(self, asset: str, price: float) -> AssetState:
        state = self._assets[asset] = AssetState(
            asset, self.predictor.new_state(price), max(1, round(self._window_ms / 1000))
        )
        state.p_ref = price
        return state

    def _scale(self, asset: str, session: str) -> tuple[float, float, float]:
        t = self.config.thresholds.scaled(asset, session)
        self._scaled[(asset, session)] = scaled = (t.base, t.whale, t.cascade)
        return scaled

    # -- state that survives a restart ------------------------------------------------------------

    def gate_state(self) -> list[tuple[str, int, int, int, int]]:
        """The alert cooldown state as plain rows (key, last_ms, priority, band, suppressed)."""
        return self._book.gate.export_state()

    def restore(
        self,
        events: list[Liquidation] | tuple[Liquidation, ...],
        gate_rows: list[tuple[str, int, int, int, int]] | None = None,
    ) -> int:
        """Rebuild state from persisted events (oldest first) and the alert cooldown state.

        The events are re-ingested silently: the rolling windows, whale tracker,
        predictor inputs and dedup memory come back exactly as ingesting them live
        would have left them, but none of the alerts they raise is logged or
        returned (they were delivered before the restart), and the cooldown state is
        then replaced by ``gate_rows`` so no alert is sent twice. Returns how many
        events were taken.
        """
        before = self.events_total
        self._book.recording = False
        try:
            for event in sorted(events, key=lambda e: e.exchange_ms):
                self.ingest(event)
        finally:
            self._book.recording = True
        if gate_rows is not None:
            self._book.restore_gate(gate_rows)
        return self.events_total - before

    # -- queries --------------------------------------------------------------------------------

    def classify(self, event: Liquidation) -> str:
        """``retail``, ``large``, ``whale`` or ``institutional`` by the event's own session."""
        session = session_name_at(event.exchange_ms)
        base, whale, cascade = self._scaled.get((event.asset, session)) or self._scale(event.asset, session)
        usd = event.usd
        return CLASSES[3 if usd >= cascade else 2 if usd >= whale else 1 if usd >= base else 0]

    def thresholds(self, asset: str, at_ms: int | None = None) -> Thresholds:
        """The asset's thresholds scaled for the session at ``at_ms`` (default: now)."""
        return self.config.thresholds.scaled(asset, session_name_at(at_ms or self.now_ms))

    def probability(self, asset: str) -> float:
        """The last evaluated cascade probability of ``asset`` (0 when never seen)."""
        state = self._assets.get(asset)
        return state.probability if state else 0.0

    def probability_at(self, asset: str, now_ms: int) -> float:
        """The predictor's probability for ``asset`` at ``now_ms``, its windows rolled as a snapshot
        rolls them (the backtest samples every asset this way once per second)."""
        state = self._assets.get(asset)
        if state is None:
            return 0.0
        sec = now_ms // 1000
        if sec > state.cur_sec:
            self._roll(state, sec, now_ms, [])
        session = session_name_at(now_ms)
        cascade = (self._scaled.get((asset, session)) or self._scale(asset, session))[2]
        return self.predictor.probability(state, now_ms, cascade)

    def probabilities(self) -> dict[str, float]:
        return {asset: state.probability for asset, state in self._assets.items()}

    def in_cascade(self, asset: str) -> bool:
        state = self._assets.get(asset)
        return state is not None and state.cascade_since is not None

    def whale_events(self) -> tuple[Liquidation, ...]:
        """The 24 h tracker's events (whale and institutional), oldest first."""
        return self._whales.events()

    def set_config(self, config: Config) -> None:
        """Swap thresholds and alert policy (keyboard edits) without losing state."""
        self.config = config
        self._scaled.clear()
        for state in self._assets.values():
            state.session = ""
        self._apply_policy(config)

    def snapshot(self, max_meters: int | None = None, correlations: bool = True) -> EngineSnapshot:
        """An immutable view of everything, at the engine's event time.

        Args:
            max_meters: build meters for only this many assets (pinned first, then by 5-min USD):
                a screen showing 12 need not pay for the predictor on hundreds every tick.
            correlations: ``False`` leaves them out (the monitor's tick shows none).
        """
        now = self.now_ms
        if not now:
            return EngineSnapshot(
                at_ms=0,
                seq=self.seq,
                session=None,
                duplicates=self.duplicates,
                rejected=self.rejected,
                rejects=self._rejects_view(),
            )
        session = session_info(now, self.config.thresholds.sessions)
        whales, whales_all = self._whales.stats(now)
        recent = self._rows = tape_rows(self._recent, self._rows)
        return EngineSnapshot(
            at_ms=now,
            seq=self.seq,
            session=session,
            meters=self._meters(now, session.name, max_meters),
            whales=whales,
            whales_all=whales_all,
            recent=recent,
            alerts=tuple(reversed(self._book.log)),
            correlations=self._correlations(now) if correlations else (),
            alert_counts=MappingProxyType(dict(self._book.counts)),
            suppressed=MappingProxyType(self._book.gate.suppressed_now()),
            suppressed_total=self._book.gate.suppressed_total,
            events_total=self.events_total,
            duplicates=self.duplicates,
            rejected=self.rejected,
            venue_events=MappingProxyType(dict(self._venue_events)),
            rejects=self._rejects_view(),
        )

    def _rejects_view(self) -> Mapping[str, Mapping[str, int]]:
        return MappingProxyType(
            {venue: MappingProxyType(dict(reasons)) for venue, reasons in self._rejects.items()}
        )

    def _meters(self, now: int, session: str, limit: int | None) -> tuple[AssetMeter, ...]:
        now_sec = now // 1000
        for state in self._assets.values():
            if now_sec > state.cur_sec:
                self._roll(state, now_sec, now, [])  # alerts raised here surface on the next event
        return build_meters(self._assets, self.predictor, self.config, now, session, limit)

    def _correlations(self, now: int) -> tuple[Correlation, ...]:
        return active_correlations(self._assets.values(), now, self._window_ms)
