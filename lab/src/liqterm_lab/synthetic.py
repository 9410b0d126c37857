"""Synthetic multi-venue, multi-asset recordings from a marked two-timescale Hawkes process.

SYNTHETIC DATA: skill measured on it says how the pipeline behaves on data built
the way this module builds it, never how well anything predicts real cascades.

The pooled liquidation stream has intensity
``mu(t) + sum_i g(w_i) (n_f b_f e^{-b_f (t - t_i)} + n_s b_s e^{-b_s (t - t_i)})``
(parameters from :mod:`calibrate`, marks ``g(w) = (w / median)^gamma``
normalised to mean 1, so bigger liquidations excite more). ``mu(t)`` is the
background scaled by the session, plus injected cascades at known times:

* ``runup`` — the exogenous rate ramps up over 20–240 s, holds, then fades;
* ``shock`` — it jumps at once (nothing to see coming, as the science warns);
* ``fizzle`` — a short ramp that stops early (false starts).

Each event gets an asset (Zipf popularity; a cascade favours three assets), a
side (the cascade's side mostly), a log-normal USD size and a price that drifts
in the liquidations' direction; then a venue (majors on all five, others on the
venues that list any symbol). Frames are written in each venue's real shape
(:func:`liqterm.demo.servers.encode.encode_event`) with its artefacts: Binance
pushes at most one liquidation per symbol per second, Bybit batches per 500 ms,
receive times lag by a log-normal latency, and venues can go down for minutes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from liqterm.demo.servers.encode import encode_event
from liqterm.model import Liquidation, Side
from liqterm.recording.format import RecordedFrame
from liqterm_lab.calibrate import GeneratorSpec

MAJORS = ("BTC", "ETH", "SOL", "XRP", "DOGE", "BNB", "ADA", "LINK", "AVAX", "LTC", "DOT", "BCH", "TRX")
MAJOR_PRICES = {
    "BTC": 107_000.0,
    "ETH": 3_800.0,
    "SOL": 185.0,
    "XRP": 2.4,
    "DOGE": 0.19,
    "BNB": 1_080.0,
    "ADA": 0.64,
    "LINK": 17.5,
    "AVAX": 20.0,
    "LTC": 95.0,
    "DOT": 3.1,
    "BCH": 480.0,
    "TRX": 0.32,
}
VENUE_WEIGHTS = {"binance": 35, "bybit": 25, "okx": 20, "gateio": 10, "bitget": 10}
ANY_SYMBOL_VENUES = ("binance", "bybit", "bitget")
SESSION_RATE = {"asian": 0.7, "european": 0.9, "us": 1.0, "weekend": 0.5}
CASCADES_PER_HOUR = 2.0
"""The default rate of injected cascades (the cluster process is fitted for this rate)."""


@dataclass(frozen=True, slots=True)
class Injected:
    """A cascade put into the exogenous rate (times in epoch seconds)."""

    start_s: float
    kind: str
    ramp_s: float
    hold_s: float
    multiplier: float
    long: bool
    assets: tuple[str, ...]

    def bump(self, t: float) -> float:
        """Extra exogenous rate at ``t``, in multiples of the background."""
        age = t - self.start_s
        if age < 0:
            return 0.0
        peak = self.multiplier - 1.0
        if age < self.ramp_s:
            return peak * age / self.ramp_s
        age -= self.ramp_s
        return peak if age < self.hold_s else peak * math.exp(-(age - self.hold_s) / 45.0)


@dataclass(slots=True)
class Synthetic:
    """A generated recording and what was put into it."""

    frames: list[RecordedFrame]
    events: int
    injected: list[Injected]
    outages: list[tuple[str, float, float]] = field(default_factory=list)
    spec: GeneratorSpec = field(default_factory=GeneratorSpec)

    def describe(self) -> dict:
        return {
            "synthetic": True,
            "events": self.events,
            "frames": len(self.frames),
            "cascades_injected": len(self.injected),
            "outages": len(self.outages),
            "spec": self.spec.to_dict(),
        }


def _injections(
    rng: np.random.Generator,
    start_s: float,
    hours: float,
    per_hour: float,
    assets: list[str],
    branching: float = 0.0,
    decay_s: float = 0.0,
) -> list[Injected]:
    """Cascades at about ``per_hour``, at least 5 min apart; with ``branching`` > 0 they cluster
    (see :mod:`liqterm_lab.clustering`), otherwise their gaps are independent."""
    first, last = start_s + 600.0, start_s + hours * 3600.0 - 120.0
    if branching <= 0 or decay_s <= 0:
        out, t = [], first
        while True:
            t += rng.exponential(3600.0 / per_hour) + 300.0
            if t > last:
                return out
            out.append(_cascade_at(rng, t, assets))
    times = _cluster_times(rng, first, last, per_hour / 3600.0, branching, decay_s)
    return [_cascade_at(rng, t, assets) for t in times]


def _cluster_times(
    rng: np.random.Generator, first: float, last: float, rate: float, branching: float, decay_s: float
) -> list[float]:
    """A Hawkes cluster process of mean ``rate``: background cascades at ``rate * (1 - branching)``,
    each triggering Poisson(``branching``) more after exponential delays; then thinned to 5 min apart."""
    gap = 1.0 / (rate * (1.0 - branching))
    born, t = [], first
    while t <= last:  # background cascades, drawn in blocks
        block = t + np.cumsum(rng.exponential(gap, 10_000))
        born.extend(float(b) for b in block if b <= last)
        t = float(block[-1])
    parents = list(born)
    while parents:
        children = []
        for parent in parents:
            for delay in rng.exponential(decay_s, rng.poisson(branching)):
                if parent + delay <= last:
                    children.append(parent + float(delay))
        born.extend(children)
        parents = children
    kept: list[float] = []
    for t in sorted(born):
        if not kept or t - kept[-1] >= 300.0:
            kept.append(t)
    return kept


def _cascade_at(rng: np.random.Generator, t: float, assets: list[str]) -> Injected:
    kind = rng.choice(["runup", "shock", "fizzle"], p=[0.6, 0.25, 0.15])
    ramp = {"runup": rng.uniform(20, 240), "shock": 1.0, "fizzle": rng.uniform(15, 60)}[kind]
    hold = rng.uniform(20, 120) if kind != "fizzle" else 0.0
    multiplier = (
        float(np.exp(rng.uniform(np.log(4), np.log(14)))) if kind != "fizzle" else rng.uniform(1.5, 3)
    )
    focus = tuple(rng.choice(assets[:20], size=3, replace=False))
    long = rng.random() < 0.8
    return Injected(float(t), str(kind), float(ramp), float(hold), float(multiplier), long, focus)


def _session_rate(t: float) -> float:
    from liqterm.engine.sessions import session_name_at

    return SESSION_RATE[session_name_at(int(t * 1000))]


def simulate(
    spec: GeneratorSpec,
    start_s: float,
    hours: float,
    seed: int,
    cascades_per_hour: float = CASCADES_PER_HOUR,
    assets: int = 60,
) -> tuple[list[tuple], list[Injected]]:
    """Event tuples ``(time_s, asset, is_long, usd, price)`` by Ogata thinning, and the injections."""
    rng = np.random.default_rng(seed)
    names = list(MAJORS) + [f"SYN{i:02d}" for i in range(max(0, assets - len(MAJORS)))]
    popularity = 1.0 / np.arange(1, len(names) + 1) ** max(spec.zipf, 0.3)
    popularity /= popularity.sum()
    prices = {a: MAJOR_PRICES.get(a, float(np.exp(rng.uniform(-5, 4)))) for a in names}
    injected = _injections(
        rng, start_s, hours, cascades_per_hour, names, spec.cascade_branching, spec.cascade_decay_s
    )
    mark_norm = math.exp(spec.mark_exponent**2 * spec.size_log_sd**2 / 2)
    a_fast, a_slow = spec.n_fast * spec.beta_fast, spec.n_slow * spec.beta_slow
    end = start_s + hours * 3600.0
    t, fast, slow = start_s, 0.0, 0.0
    events: list[tuple] = []
    session_cache: dict[int, float] = {}

    def exogenous(at: float) -> tuple[float, Injected | None, float]:
        hour = int(at // 3600)
        rate = session_cache.get(hour) or session_cache.setdefault(hour, _session_rate(at))
        extra, strongest, top = 0.0, None, 0.0
        for c in injected:
            if c.start_s <= at < c.start_s + c.ramp_s + c.hold_s + 300:
                b = c.bump(at)
                extra += b
                if b > top:
                    strongest, top = c, b
        base = spec.mu * rate
        return base * (1.0 + extra), strongest, base * extra

    while t < end:
        exo_now = exogenous(t)[0]
        bound = max(exo_now, exogenous(t + 1.0)[0]) * 1.05 + a_fast * fast + a_slow * slow
        dt = rng.exponential(1.0 / bound)
        step = min(dt, 1.0)
        fast *= math.exp(-spec.beta_fast * step)
        slow *= math.exp(-spec.beta_slow * step)
        t += step
        if dt > 1.0:
            continue
        exo, cascade, cascade_part = exogenous(t)
        intensity = exo + a_fast * fast + a_slow * slow
        if rng.random() * bound > intensity:
            continue
        in_cascade = cascade is not None and rng.random() * intensity < cascade_part * 2.0
        if in_cascade and rng.random() < 0.6:
            asset = str(rng.choice(cascade.assets))
        else:
            asset = names[int(rng.choice(len(names), p=popularity))]
        long_share = spec.long_share_cascade if in_cascade else spec.long_share_calm
        is_long = (rng.random() < long_share) == (cascade.long if in_cascade else True)
        usd = float(min(spec.size_median_usd * math.exp(rng.normal(0, spec.size_log_sd)), 5e6))
        push = (-1.0 if is_long else 1.0) * abs(rng.normal(0, spec.step_bps)) * 0.5
        prices[asset] *= math.exp((push + rng.normal(0, spec.step_bps * 0.5)) * 1e-4)
        events.append((t, asset, is_long, usd, prices[asset]))
        mark = (usd / spec.size_median_usd) ** spec.mark_exponent / mark_norm
        fast += mark
        slow += mark
    return events, injected


def _pick_venue(rng: np.random.Generator, asset: str) -> str:
    venues = list(VENUE_WEIGHTS) if asset in MAJORS else list(ANY_SYMBOL_VENUES)
    weights = np.array([VENUE_WEIGHTS[v] for v in venues], dtype=float)
    return venues[int(rng.choice(len(venues), p=weights / weights.sum()))]


def to_frames(
    events: list[tuple],
    seed: int,
    contract_size: Callable[[str, str], float | None],
    outages: list[tuple[str, float, float]] = (),
) -> list[RecordedFrame]:
    """Frames in each venue's shape, throttled, batched and delayed as that venue would."""
    rng = np.random.default_rng(seed + 1)
    latency = rng.lognormal(np.log(0.08), 0.5, len(events))
    pending: dict[tuple[str, str, int], list[tuple[Liquidation, float]]] = {}
    for (t, asset, is_long, usd, price), lag in zip(events, latency, strict=True):
        venue = _pick_venue(rng, asset)
        if any(v == venue and lo <= t < hi for v, lo, hi in outages):
            continue
        ms = int(t * 1000)
        event = Liquidation(
            venue,
            f"{asset}USDT",
            asset,
            Side.LONG if is_long else Side.SHORT,
            price,
            usd / price,
            usd,
            ms,
            ms,
        )
        window = {"binance": 1000, "bybit": 500}.get(venue)
        key = (venue, asset, ms // window if window else ms * 1000 + len(pending))
        pending.setdefault(key, []).append((event, lag))
    frames = []
    for (venue, _asset, slot), batch in pending.items():
        if venue == "binance":  # one snapshot per symbol per second: the latest liquidation
            batch = batch[-1:]
        window = {"binance": 1000, "bybit": 500}.get(venue)
        sent_ms = (slot + 1) * window if window else batch[0][0].exchange_ms
        received = sent_ms + int(batch[0][1] * 1000)
        texts = [encode_event(venue, event, contract_size) for event, _ in batch]
        texts = [text for text in texts if text]
        if not texts:
            continue
        if venue == "bybit" and len(texts) > 1:
            merged = json.loads(texts[0])
            merged["data"] = [row for text in texts for row in json.loads(text)["data"]]
            texts = [json.dumps(merged, separators=(",", ":"))]
        frames.extend(RecordedFrame(received, venue, text, derived=True) for text in texts)
    frames.sort(key=lambda frame: frame.received_ms)
    return frames


def generate(
    spec: GeneratorSpec,
    *,
    start_s: float = 1_761_120_000.0,
    hours: float = 1.0,
    seed: int = 0,
    cascades_per_hour: float = CASCADES_PER_HOUR,
    outages_per_day: float = 0.0,
    assets: int = 60,
) -> Synthetic:
    """A whole synthetic recording (frames in receive order)."""
    from liqterm.venues import ADAPTERS, load_offline_instruments

    load_offline_instruments()

    def contract_size(venue: str, symbol: str) -> float | None:
        item = ADAPTERS[venue].instruments.get(symbol)
        return item.contract_size if item is not None and item.linear else None

    events, injected = simulate(spec, start_s, hours, seed, cascades_per_hour, assets)
    rng = np.random.default_rng(seed + 2)
    outages = []
    for _ in range(rng.poisson(outages_per_day * hours / 24.0)):
        at = start_s + rng.uniform(600, hours * 3600.0)
        outages.append((str(rng.choice(list(VENUE_WEIGHTS))), at, at + rng.uniform(120, 600)))
    frames = to_frames(events, seed, contract_size, outages)
    return Synthetic(frames, len(events), injected, outages, spec)
