"""The engine: normalised liquidations in, classifications, rolling state and alerts out.

Pure and synchronous: no I/O, no wall clock, no asyncio, no UI. Time is event
time, moved on only by what the engine is given, so a replay gives exactly what
live gave. Three calls make up the API:

* :meth:`Engine.ingest` takes one event and says what became of it (an
  :class:`~liqterm.engine.outcome.IngestResult`: accepted or why not, its class,
  its alerts). It is the hot path (``benchmarks/engine.py``): a dedup check, a
  classification and a few additions into the asset's current one-second bucket;
  per asset-second it rolls the windows (see :mod:`liqterm.engine.flow`).
* :meth:`Engine.advance_to` moves time on without an event and returns the alerts
  that time alone raises (windows rolling, cascades ending, warnings).
* :meth:`Engine.snapshot` and the other queries only read.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from types import MappingProxyType
from typing import Final

from liqterm.config.schema import CLASSES, Config
from liqterm.engine.alerts import Alert, AlertBook, probability_band, probability_bands
from liqterm.engine.cascade import LiqtermPredictor, Predictor, make_predictor
from liqterm.engine.correlation import correlation_of, dislocation_at
from liqterm.engine.events import AlertFactory
from liqterm.engine.flow import AssetState
from liqterm.engine.guard import DAY_MS, SeenEvents, rejection_reason
from liqterm.engine.outcome import DUPLICATE, IngestResult, refused
from liqterm.engine.readout import active_correlations, build_meters, frozen_counts, tape_rows
from liqterm.engine.sessions import HOUR_MS, session_info, session_name_at
from liqterm.engine.snapshot import EngineSnapshot, TapeRow
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
        self._book = AlertBook(
            int(config.alerts.cooldown_s * 1000),
            config.engine.alert_log,
            probability_bands(config.alerts.possible, config.alerts.warning),
        )
        self._recent: deque[IngestResult] = deque(maxlen=config.engine.recent_events)
        self._remember: Callable[[IngestResult], None] = self._recent.append
        """The latest accepted results, oldest first: the tape's rows."""
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

    def ingest(self, event: Liquidation) -> IngestResult:
        """Take one event; say what became of it (accepted or why not, its class, its alerts)."""
        ms = event.exchange_ms
        usd = event.usd
        price = event.price
        received = event.received_ms
        if not (0.0 < usd < 1e13 and 0.0 < price < 1e12) or not (
            received - DAY_MS <= ms <= received + self._max_future_ms
        ):
            return refused(self._reject(event))
        venue = event.venue
        if self._seen.repeat((venue, event.symbol, event.side, price, event.quantity, ms), ms):
            self.duplicates += 1
            return refused(DUPLICATE)
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
            state.use_session(session, self._scaled.get((asset, session)) or self._scale(asset, session))
        base, whale, cascade = state.thresholds
        cls = 3 if usd >= cascade else 2 if usd >= whale else 1 if usd >= base else 0
        raised: list[Alert] = []
        sec = ms // 1000
        if sec > state.cur_sec:
            self._roll(state, sec, ms, raised)
        now_sec = state.add(venue, event.side is _LONG, usd, price, ms, cls == 3, self._observes)

        # With a second venue in the window (exact and O(1)): the price gap to it, and whether
        # the window's USD (bounded first by the 60 s totals) makes it a correlation.
        window_usd = 0.0
        if state.two_venues_within(now_sec):
            other_price = state.other_price
            if abs(price - other_price) * 20_000.0 > self._gap_bps * (price + other_price):
                raised.append(self._alerts.for_dislocation(dislocation_at(state, venue, price, ms)))
            if state.long_60s + state.short_60s >= whale:
                bucket = state.bucket
                window_usd = state.window_before(now_sec) + bucket.long + bucket.short
                if window_usd < whale:
                    window_usd = 0.0
        correlated = window_usd > 0.0
        self.seq += 1

        if cls >= 2:
            self._whales.add(event)
        if cls >= self._min_alert_class:
            raised.append(self._alerts.for_event(event, CLASSES[cls], session))
        if state.track_correlation(window_usd):
            raised.append(self._alerts.for_correlation(correlation_of(state, ms), cascade))
        if state.cascade_since is None:
            if state.long_60s + state.short_60s >= cascade:
                state.start_cascade(ms)
                raised.append(self._alerts.for_cascade(state, cascade, ms))
        else:
            state.track_cascade_end(cascade, ms)
        if (cls >= 2 or state.bucket.count % EVALUATE_BURST == 0) and state.cascade_since is None:
            self._evaluate(state, ms, cascade, raised)
        result = IngestResult(
            True,
            None,
            CLASSES[cls],
            session,
            self._book.admit(raised) if raised else raised,
            self.seq,
            correlated,
            event,
        )
        self._remember(result)
        return result

    # -- time passing ---------------------------------------------------------------------------

    def advance_to(self, ms: int) -> list[Alert]:
        """Move event time on to ``ms`` and do what time alone brings; return the alerts it raised.

        Where time alone can change something, the asset's windows roll to the new second: a
        running cascade ends after its 120 s below the threshold, and an asset busy enough to
        be evaluated is re-evaluated at its usual cadence (a warning can come without a new
        event). Whales older than 24 h are forgotten. Other assets wait for their next event:
        the read side measures every window, and the predictor every feature, from the time
        asked about. Time never goes back: an earlier ``ms`` only brings assets up to now.
        """
        if ms > self.now_ms:
            self.now_ms = ms
        now = self.now_ms
        sec = now // 1000
        raised: list[Alert] = []
        quiet_below = self._possible / 2
        for state in self._assets.values():
            if sec <= state.cur_sec:
                continue
            if state.cascade_since is not None:
                self._roll(state, sec, now, raised)
                state.track_cascade_end(state.thresholds[2], now)
                continue
            # Roll only where the roll would evaluate (the rule _roll applies, on the windows as
            # they stand: rolling only takes events out, so it can only make an asset quieter).
            # Most assets fail the first, cheapest test.
            if state.n_60s < EVALUATE_MIN_EVENTS and state.probability < quiet_below:
                continue
            if self._evaluation_due(state, now) and self._worth_evaluating(state):
                self._roll(state, sec, now, raised)
        self._whales.evict(now)
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
        if self._evaluation_due(state, ms) and self._worth_evaluating(state):
            self._evaluate(state, ms, state.thresholds[2], raised)

    def _evaluation_due(self, state: AssetState, ms: int) -> bool:
        """Whether the asset's cadence allows another evaluation at ``ms``."""
        near = state.probability >= self._possible * NEAR_BAND
        return ms - state.evaluated_ms >= (self._eval_every_ms if near else QUIET_EVALUATE_MS)

    def _worth_evaluating(self, state: AssetState) -> bool:
        """Whether the asset's last minute is elevated, or its probability already near the band."""
        n = state.n_60s
        if n >= EVALUATE_MIN_EVENTS and (
            n >= 3 * state.baseline_per_minute()
            or state.long_60s + state.short_60s >= EVALUATE_MIN_FILL * state.thresholds[2]
        ):
            return True
        return state.probability >= self._possible / 2

    def _evaluate(self, state: AssetState, ms: int, cascade: float, raised: list[Alert]) -> None:
        own = self._own
        if own is not None:
            probability = own.probability(state, ms, cascade)
        else:
            probability = self.predictor.probability(state, ms, cascade)
        state.note_probability(probability, ms, TREND_MS)
        if probability >= self._possible and state.cascade_since is None:
            raised.append(self._alerts.for_warning(state, probability, ms))

    def _reject(self, event: Liquidation) -> str:
        self.rejected += 1
        reason = rejection_reason(event, self._max_future_ms) or "implausible"
        per_venue = self._rejects.setdefault(event.venue, {})
        per_venue[reason] = per_venue.get(reason, 0) + 1
        return reason

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

    def cooldown_row(self, alert: Alert) -> tuple[str, int, int, int, int]:
        """What the cooldown keeps of an admitted ``alert``, as :meth:`gate_state` rows are."""
        band = probability_band(alert.probability, self._book.gate.bands)
        return (alert.key, alert.at_ms, int(alert.priority), band, 0)

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
        taken = 0
        with self._book.unrecorded():
            for event in sorted(events, key=lambda e: e.exchange_ms):
                taken += self.ingest(event).accepted
        if gate_rows is not None:
            self._book.restore_gate(gate_rows)
        return taken

    # -- queries --------------------------------------------------------------------------------

    def classify(self, event: Liquidation) -> str:
        """``retail``, ``large``, ``whale`` or ``institutional`` by the event's own session."""
        session = session_name_at(event.exchange_ms)
        base, whale, cascade = self._scaled.get((event.asset, session)) or self._scale(event.asset, session)
        usd = event.usd
        return CLASSES[3 if usd >= cascade else 2 if usd >= whale else 1 if usd >= base else 0]

    def probability(self, asset: str) -> float:
        """The last evaluated cascade probability of ``asset`` (0 when never seen)."""
        state = self._assets.get(asset)
        return state.probability if state else 0.0

    def cascade_probability(self, asset: str, at_ms: int | None = None) -> float:
        """The predictor's probability for ``asset`` at ``at_ms`` (default: now), computed afresh
        from the asset's windows as they are; reads only (the backtest samples this once a
        second, after :meth:`advance_to`)."""
        state = self._assets.get(asset)
        if state is None:
            return 0.0
        at = self.now_ms if at_ms is None else at_ms
        session = session_name_at(at)
        cascade = (self._scaled.get((asset, session)) or self._scale(asset, session))[2]
        return self.predictor.probability(state, at, cascade)

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
            state.use_session("", state.thresholds)  # scaled again at the asset's next event
        self._apply_policy(config)
        self._book.use_bands(probability_bands(config.alerts.possible, config.alerts.warning))

    def snapshot(self, max_meters: int | None = None, correlations: bool = True) -> EngineSnapshot:
        """An immutable view of everything, at the engine's event time. Reads only: taking two
        in a row gives equal snapshots and leaves the engine as it was.

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
                rejects=frozen_counts(self._rejects),
            )
        session = session_info(now, self.config.thresholds.sessions)
        whales, whales_all = self._whales.stats(now)
        # The last snapshot's rows are a memo: a row never changes once made.
        recent = self._rows = tape_rows(self._recent, self._rows)
        book = self._book
        return EngineSnapshot(
            at_ms=now,
            seq=self.seq,
            session=session,
            meters=build_meters(self._assets, self.predictor, self.config, now, session.name, max_meters),
            whales=whales,
            whales_all=whales_all,
            recent=recent,
            alerts=tuple(reversed(book.log)),
            correlations=active_correlations(self._assets.values(), now, self._window_ms)
            if correlations
            else (),
            alert_counts=MappingProxyType(dict(book.counts)),
            suppressed=MappingProxyType(book.gate.suppressed_now()),
            suppressed_total=book.gate.suppressed_total,
            events_total=self.events_total,
            duplicates=self.duplicates,
            rejected=self.rejected,
            venue_events=MappingProxyType(dict(self._venue_events)),
            rejects=frozen_counts(self._rejects),
        )
