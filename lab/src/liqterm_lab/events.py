"""Replay recordings through liqterm's own pipeline (the live decode, cut-offs, engine) for the backtest.

Frames are taken in RECEIVE order (several files are merged on ``received_ms``).
Before the first frame received after second ``tau`` is decoded, the pipeline's
clock is advanced to ``tau`` and every engine is sampled there: a predictor sees
exactly what had been received by then. Each predictor runs in its own engine, all
fed by one pipeline (the first engine is the pipeline's, the others follow it as
sinks). Sampling asks each engine for the probability of every asset with an event
in the predictor's memory span (:data:`MEMORY_S`); any other asset sits at the
predictor's idle value, which is measured once (:func:`idle_probability`).

The accepted events (not duplicates, not implausible: the engine decides) are
kept as numpy columns in an :class:`EventLog` for the labeller and the
stream-level predictors.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from liqterm.config.schema import Config
from liqterm.engine import Engine
from liqterm.engine.cascade import Predictor
from liqterm.model import Liquidation, Side
from liqterm.pipeline import EngineSink, Pipeline
from liqterm.recording.format import Record, RecordedFrame
from liqterm.recording.reader import RecordingReader
from liqterm.venues.base import VenueAdapter

log = logging.getLogger(__name__)

MEMORY_S = {"seed": 300, "liqterm": 60}
"""How long after an asset's last event its probability can differ from the idle value."""
EVENT_DRIVEN = frozenset({"seed"})
"""Predictors whose value only changes when a second's bucket enters or leaves their window:
they are sampled at those seconds only and held in between. Exact when events arrive in order
(the real slice: identical to sampling every second); with late events the engine counts them
in the asset's current bucket, whose second depends on when it was last rolled, and 0.5 % of
asset-seconds differ from an every-second sampling (synthetic data, 5 venues)."""

Progress = Callable[[int, int, int], None]
"""``progress(frames, events, event_ms)``, called every few thousand frames."""


@dataclass(slots=True)
class EventLog:
    """The accepted events as columns, in ingest order; times in epoch ms."""

    exchange_ms: np.ndarray
    received_ms: np.ndarray
    venue: np.ndarray
    asset: np.ndarray
    symbol: np.ndarray
    is_long: np.ndarray
    usd: np.ndarray
    price: np.ndarray
    venues: list[str]
    assets: list[str]
    frames: int = 0
    rejected_frames: int = 0

    @property
    def start_s(self) -> int:
        """The recording's first second (floor of the earliest time)."""
        return int(min(self.exchange_ms.min(), self.received_ms.min()) // 1000)

    @property
    def end_s(self) -> int:
        """The recording's last second (ceiling of the latest time)."""
        return int(-(-max(self.exchange_ms.max(), self.received_ms.max()) // 1000))

    def __len__(self) -> int:
        return len(self.usd)


@dataclass(slots=True)
class Samples:
    """One engine predictor's per-asset probabilities on the 1 s grid.

    Sparse: a value holds until the asset's next sample (the replay adds an idle
    sample when an asset falls quiet), and assets never sampled sit at ``idle``.
    """

    idle: float
    seconds: dict[str, list[int]] = field(default_factory=dict)
    values: dict[str, list[float]] = field(default_factory=dict)

    def add(self, asset: str, second: int, value: float) -> None:
        seconds = self.seconds.setdefault(asset, [])
        if seconds and seconds[-1] == second:
            self.values[asset][-1] = value
            return
        seconds.append(second)
        self.values.setdefault(asset, []).append(value)

    def dense(self, asset: str, start_s: int, n: int) -> np.ndarray:
        seconds = np.asarray(self.seconds.get(asset, ()), dtype=np.int64) - start_s
        values = np.asarray(self.values.get(asset, ()), dtype=float)
        if not len(seconds):
            return np.full(n, self.idle)
        held = np.searchsorted(seconds, np.arange(n), side="right") - 1  # the last sample at or before
        out = np.where(held >= 0, values[np.maximum(held, 0)], self.idle)
        return out

    def market_max(self, start_s: int, n: int) -> np.ndarray:
        """Max over assets per second (the market-level reading of a per-asset predictor)."""
        out = np.full(n, self.idle)
        for asset in self.seconds:
            np.maximum(out, self.dense(asset, start_s, n), out=out)
        return out


class _Columns:
    def __init__(self) -> None:
        self.rows: list[tuple[int, int, int, int, int, bool, float, float]] = []
        self.venues: dict[str, int] = {}
        self.assets: dict[str, int] = {}
        self.symbols: dict[tuple[str, str], int] = {}

    def add(self, e: Liquidation) -> None:
        venue = self.venues.setdefault(e.venue, len(self.venues))
        asset = self.assets.setdefault(e.asset, len(self.assets))
        symbol = self.symbols.setdefault((e.venue, e.symbol), len(self.symbols))
        self.rows.append(
            (e.exchange_ms, e.received_ms, venue, asset, symbol, e.side is Side.LONG, e.usd, e.price)
        )

    def log(self, frames: int, rejected: int) -> EventLog:
        cols = list(zip(*self.rows, strict=True)) if self.rows else [()] * 8
        types = (np.int64, np.int64, np.int16, np.int32, np.int32, bool, float, float)
        arrays = [np.asarray(c, dtype=t) for c, t in zip(cols, types, strict=True)]
        return EventLog(*arrays, list(self.venues), list(self.assets), frames, rejected)


def merged_frames(paths: Iterable[str | Path]) -> Iterable[Record]:
    """The records (frames and connection markers) of several recordings in receive order
    (each file is already in that order)."""
    return merged([RecordingReader(p) for p in paths])


def merged(readers: Sequence[RecordingReader]) -> Iterable[Record]:
    """The records of ``readers`` in receive order (each keeps its own count of bad lines)."""
    if len(readers) == 1:
        return iter(readers[0])
    return heapq.merge(*readers, key=lambda record: record.received_ms)


def idle_probability(predictor_factory: Callable[[], Predictor], config: Config) -> float:
    """The probability an asset shows long after its last event (measured, not assumed)."""
    engine = Engine(config, predictor_factory())
    ms = 1_761_150_000_000
    engine.ingest(Liquidation("binance", "IDLEUSDT", "IDLE", Side.LONG, 1.0, 10.0, 10.0, ms, ms))
    engine.advance_to(ms + 3_600_000)
    return engine.cascade_probability("IDLE", ms + 3_600_000)


class _Collector:
    """The pipeline sink that keeps the accepted events and plans the event-driven samples."""

    def __init__(self, due: dict[str, dict[int, set[str]]], memory: dict[str, int]) -> None:
        self.columns = _Columns()
        self.last_seen: dict[str, int] = {}
        self.next_sample = 0
        self._due = due
        self._memory = memory

    def on_event(self, event: Liquidation, result: object) -> None:
        self.columns.add(event)
        # A late event lands in the asset's current bucket, whose second lies between its
        # own and the one it was received in: its bucket leaves the window within that span.
        second = event.exchange_ms // 1000
        received = -(-event.received_ms // 1000)
        asset = event.asset
        self.last_seen[asset] = max(self.last_seen.get(asset, 0), second + 1, received)
        for name, plan in self._due.items():  # when the bucket enters, and when it leaves the window
            plan.setdefault(self.next_sample, set()).add(asset)
            for bucket_second in range(second, max(second, received) + 1):
                plan.setdefault(bucket_second + self._memory[name], set()).add(asset)


def replay(
    frames: Iterable[Record],
    adapters: Mapping[str, VenueAdapter],
    predictors: Mapping[str, Callable[[], Predictor]],
    config: Config | None = None,
    progress: Progress | None = None,
    on_sample: Callable[[str, str, int, Engine], None] | None = None,
) -> tuple[EventLog, dict[str, Samples]]:
    """Replay ``frames`` through one pipeline into one engine per predictor and sample them once a second.

    Args:
        frames: recorded frames (and connection markers) in receive order.
        adapters: venue id -> adapter (frames of other venues are skipped).
        predictors: name -> factory of an engine predictor (``seed``, ``liqterm``).
        config: the engine configuration (thresholds decide the notional label too).
        progress: called every 5,000 frames.
        on_sample: ``on_sample(name, asset, second, engine)`` after each sample (fitting
            hooks read the predictor's features here).
    """
    config = config or Config()
    engines = {name: Engine(config, factory()) for name, factory in predictors.items()}
    samples = {name: Samples(idle_probability(factory, config)) for name, factory in predictors.items()}
    memory = {name: MEMORY_S.get(name, 300) for name in predictors}
    due: dict[str, dict[int, set[str]]] = {name: {} for name in EVENT_DRIVEN & engines.keys()}
    first = next(iter(engines.values()), None) or Engine(
        config
    )  # no predictor: one engine still deduplicates
    collector = _Collector(due, memory)
    followers = [EngineSink(engine) for engine in engines.values() if engine is not first]
    pipeline = Pipeline(first, adapters, [collector, *followers], strict=True)
    last_seen = collector.last_seen
    next_sample: int | None = None
    frames_seen = 0

    def take(name: str, engine: Engine, asset: str, tau: int) -> None:
        samples[name].add(asset, tau, engine.cascade_probability(asset, tau * 1000))
        if on_sample is not None:
            on_sample(name, asset, tau, engine)

    def sample_until(second: int) -> None:
        nonlocal next_sample
        assert next_sample is not None
        while next_sample <= second:
            tau = next_sample
            pipeline.advance_to(tau * 1000)
            for name, engine in engines.items():
                if name in due:
                    for asset in due[name].pop(tau, ()):
                        take(name, engine, asset, tau)
                    continue
                span = memory[name]
                for asset, seen in last_seen.items():
                    if seen >= tau - span:
                        take(name, engine, asset, tau)
                    elif seen == tau - span - 1:  # just fell quiet: from now on it reads idle
                        samples[name].add(asset, tau, samples[name].idle)
            if tau % 60 == 0:  # forget assets quiet for longer than every memory span
                horizon = tau - max(memory.values(), default=0) - 2
                for asset in [a for a, s in last_seen.items() if s < horizon]:
                    del last_seen[asset]
            next_sample += 1
            collector.next_sample = next_sample

    for record in frames:
        if next_sample is None:
            next_sample = collector.next_sample = record.received_ms // 1000
        if record.received_ms > next_sample * 1000:
            sample_until((record.received_ms - 1) // 1000)
        pipeline.push(record)
        if type(record) is RecordedFrame:
            frames_seen += 1
            if progress is not None and frames_seen % 5000 == 0:
                progress(frames_seen, len(collector.columns.rows), first.now_ms)
    rejected = sum(tally.rejected for tally in pipeline.tallies().values())
    events = collector.columns.log(frames_seen, rejected)
    if next_sample is not None and len(events):
        sample_until(events.end_s)
    return events, samples
