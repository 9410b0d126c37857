"""Process-wide settings every liqterm command starts with.

The garbage collector: liqterm allocates many small, short-lived and acyclic
objects per liquidation (one-second buckets, dedup identities, tape entries),
which reference counting frees at once. CPython's default first-generation
threshold (700 allocations) then starts a collection every few hundred events,
and each older-generation pass walks every live object of the process: on a
replay that was about a third of the time (``benchmarks/e2e.py`` prints both).
Raising the threshold keeps the collector for real cycles, at a cost of at most
that many uncollected objects.
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (50_000, 20, 100)
"""(generation 0 allocations, generation 1 and 2 passes): CPython's default is (700, 10, 10)."""


def tune_gc() -> tuple[int, int, int]:
    """Apply :data:`GC_THRESHOLDS`; return the thresholds that were in force before."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    return before
