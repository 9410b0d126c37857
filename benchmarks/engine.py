"""Engine ingest throughput, per-event latency and memory on a realistic synthetic mix.

The mix: 200 assets with Zipf-like popularity, five venues, log-normal sizes
(median about $2k, heavy tail up to whales), a quiet background of a few events
per second and bursts of several hundred events per second lasting a minute,
70 % longs in bursts. 1,000,000 events, generated in chunks so the generator's
memory is not counted as the engine's. Synthetic data: these are speed figures,
not skill figures.
"""

from __future__ import annotations

import gc
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from liqterm.engine import COMPILED, Engine
from liqterm.model import VENUE_IDS, Liquidation, Side
from liqterm.runtime import GC_THRESHOLDS, tune_gc

TOTAL = 1_000_000
CHUNK = 100_000
ASSETS = 200
START_MS = 1_761_150_000_000  # a Wednesday, European session


def _assets() -> list[str]:
    majors = ["BTC", "ETH", "SOL", "XRP", "DOGE", "ADA", "DOT", "BNB", "LINK", "AVAX"]
    return majors + [f"ALT{i:03d}" for i in range(ASSETS - len(majors))]


def generate(total: int, seed: int = 7):
    """Yield lists of events, ``CHUNK`` at a time, in event-time order."""
    rng = np.random.default_rng(seed)
    names = _assets()
    weights = 1.0 / np.arange(1, ASSETS + 1) ** 1.1
    weights /= weights.sum()
    prices = {a: float(p) for a, p in zip(names, rng.lognormal(1.0, 2.5, ASSETS), strict=True)}
    prices["BTC"], prices["ETH"], prices["SOL"] = 107_000.0, 3_800.0, 185.0
    now = float(START_MS)
    produced = 0
    while produced < total:
        n = min(CHUNK, total - produced)
        # A minute of burst (300 events/s) every ten minutes over a quiet 5 events/s.
        gaps = rng.exponential(1000 / 5, n)
        times = now + np.cumsum(gaps)
        in_burst = ((times - START_MS) % 600_000) < 60_000
        gaps = np.where(in_burst, gaps * 5 / 300, gaps)
        times = now + np.cumsum(gaps)
        now = float(times[-1])
        picks = rng.choice(ASSETS, size=n, p=weights)
        sizes = rng.lognormal(np.log(2_000), 1.6, n)
        longs = np.where(in_burst, rng.random(n) < 0.7, rng.random(n) < 0.5)
        venues = rng.integers(0, len(VENUE_IDS), n)
        jitter = rng.normal(0, 0.001, n)
        chunk = []
        for i in range(n):
            asset = names[picks[i]]
            price = prices[asset] * (1 + jitter[i])
            usd = float(sizes[i])
            ms = int(times[i])
            chunk.append(
                Liquidation(
                    VENUE_IDS[venues[i]],
                    f"{asset}USDT",
                    asset,
                    Side.LONG if longs[i] else Side.SHORT,
                    price,
                    usd / price,
                    usd,
                    ms,
                    ms + 40,
                )
            )
        produced += n
        yield chunk


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc), falling back to the peak."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * resource.getpagesize() / 1e6
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def ingest_rate(total: int) -> float:
    """Events/s through ``Engine.ingest`` alone (no latency timing)."""
    engine = Engine()
    busy = 0.0
    for chunk in generate(total):
        ingest = engine.ingest
        started = time.perf_counter()
        for event in chunk:
            ingest(event)
        busy += time.perf_counter() - started
    return total / busy


def pure_python_rate(total: int) -> float | None:
    """The same figure for the plain-Python engine (the sources, in a child process)."""
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    here = str(Path(__file__).parent)
    code = f"import sys; sys.path.insert(0, {here!r}); import engine; print(engine.ingest_rate({total}))"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    return float(result.stdout) if result.returncode == 0 else None


def main() -> None:
    engine = Engine()
    alerts = 0
    busy = 0.0
    for chunk in generate(TOTAL):
        ingest = engine.ingest
        started = time.perf_counter()
        for event in chunk:
            alerts += len(ingest(event).alerts)
        busy += time.perf_counter() - started
    del chunk
    gc.collect()
    rss_after = rss_mb()
    rate = TOTAL / busy

    # Per-event latency on a fresh engine (timing each call adds ~0.1 µs of its own).
    latency_engine = Engine()
    samples = []
    clock = time.perf_counter_ns
    for chunk in generate(200_000, seed=11):
        ingest = latency_engine.ingest
        for event in chunk:
            t0 = clock()
            ingest(event)
            samples.append(clock() - t0)
    timings = np.array(samples) / 1000.0
    p50, p99, p999 = np.percentile(timings, [50, 99, 99.9])

    snapshot_started = time.perf_counter()
    for _ in range(20):
        engine.snapshot()
    snapshot_ms = (time.perf_counter() - snapshot_started) / 20 * 1000

    hours = (engine.now_ms - START_MS) / 3_600_000
    print(f"events: {TOTAL:,} over {hours:.1f} h of event time, {ASSETS} assets, 5 venues (synthetic)")
    build = "compiled (mypyc)" if COMPILED else "plain Python (not compiled)"
    print(f"ingest: {rate:,.0f} events/s on one core, {build}  (target >= 300,000: {rate / 300_000:.2f}x)")
    if COMPILED and "--no-pure" not in sys.argv:
        pure = pure_python_rate(300_000)
        if pure:
            print(
                f"  the same engine as plain Python: {pure:,.0f} events/s on the first 300k events "
                f"(compiled runs {rate / pure:.2f}x as fast)"
            )
    before = tune_gc()
    tuned = ingest_rate(300_000)
    gc.set_threshold(*before)
    print(
        f"  with liqterm's collector setting (runtime.tune_gc {GC_THRESHOLDS}, as every liqterm "
        f"command runs): {tuned:,.0f} events/s on the first 300k events"
    )
    print(
        f"latency per event: p50 {p50:.2f} us, p99 {p99:.2f} us, p99.9 {p999:.2f} us "
        f"(target p99 < 50 us: {50 / p99:.1f}x headroom)"
    )
    print(f"alerts emitted: {alerts:,}; suppressed: {engine.snapshot().suppressed_total:,}")
    print(f"snapshot(): {snapshot_ms:.2f} ms with {len(engine.snapshot().meters)} meters")
    print(f"RSS after 1M events: {rss_after:.0f} MB (target < 150 MB: {150 / rss_after:.2f}x)")


if __name__ == "__main__":
    main()
    sys.exit(0)
