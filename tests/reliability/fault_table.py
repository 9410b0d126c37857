"""The fault suite's shared pieces: the quick/full switch, the hypothesis profiles, the table rows.

Not a test module. ``LIQTERM_FAULTS=full`` (``make faults``) selects the long form;
``LIQTERM_FAULT_REPORT=<file>`` makes every fault test append one JSON line per
injected fault, which ``scripts/faults.py`` prints as a table with totals.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

FULL_ENV = "LIQTERM_FAULTS"
REPORT_ENV = "LIQTERM_FAULT_REPORT"


def full() -> bool:
    """The long form (``make faults``) rather than the shortened one (``make test``)."""
    return os.environ.get(FULL_ENV, "").lower() == "full"


settings.register_profile(
    "faults-quick", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "faults-full", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
FUZZ = settings.get_profile("faults-full" if full() else "faults-quick")
"""The fuzz tests' settings: 10,000 examples per parser in the full form, 300 otherwise."""


_STATUS = Path("/proc/self/status")


def reset_peak_rss() -> None:
    """Start a new peak-RSS measurement (Linux: reset VmHWM; elsewhere the lifetime peak stays)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_rss_mb() -> float:
    """Peak resident set size, in MB, since :func:`reset_peak_rss` (or since the start)."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def record(area: str, target: str, injected: str, outcome: str, **figures: Any) -> None:
    """Add one row to the fault table (a no-op unless ``$LIQTERM_FAULT_REPORT`` is set).

    Figures the printer totals: ``frames`` (injected), ``rejected``, ``recovered``
    (events restored or delivered after the fault), ``reconnect_s``, ``alerts_sent``,
    ``alerts_expected``, ``peak_rss_mb``.
    """
    path = os.environ.get(REPORT_ENV)
    if not path:
        return
    row = {"area": area, "target": target, "injected": injected, "outcome": outcome, **figures}
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")
