"""Alerts: what they carry, how they are prioritised, and how duplicates are suppressed.

Priority rules (documented in the README as well):

========================  ==========================================
kind                      priority
========================  ==========================================
``institutional`` event   critical
``whale`` event           high
``large`` event           normal
``cascade`` (onset)       critical
``cascade_warning``       critical at >= warning (0.25), else high
``cross_venue``           critical when the combined USD reaches the
                          asset's cascade threshold, else high
``dislocation``           info
========================  ==========================================

Dedup: an alert's ``key`` is ``kind:asset[:side]``. The same key within the
cooldown (default 60 s of event time) is suppressed and counted, unless it
escalates: a higher priority, or a cascade probability in a higher band, breaks
through the cooldown. The bands are the configured warning levels ``possible``
and ``warning`` (0.15 and 0.25 by default) and twice the warning level (0.5): a
warning whose probability has doubled is news again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import IntEnum

from liqterm.model import Liquidation


class Priority(IntEnum):
    """Alert priority; larger is more urgent, so priorities compare naturally."""

    INFO = 0
    NORMAL = 1
    HIGH = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, name: str) -> Priority:
        return cls[name.upper()]


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert from the engine.

    Attributes:
        kind: ``large``, ``whale``, ``institutional``, ``cross_venue``, ``dislocation``,
            ``cascade_warning`` or ``cascade``.
        priority: see the module docstring.
        asset: the base asset it is about.
        key: the dedup key (stable across runs for the same situation).
        text: a one-line human description, plain text (callers escape for their medium).
        at_ms: event time that raised it (epoch ms UTC).
        side: ``long``/``short`` when the alert is about one side, else ``None``.
        usd: the USD figure the alert is about (event, combined, or 60 s volume).
        venues: the venues involved.
        probability: the cascade probability, for cascade warnings.
        event: the liquidation that raised it, when there is one.
        suppressed_before: how many duplicates of this key were suppressed since the
            previous alert with this key was emitted.
    """

    kind: str
    priority: Priority
    asset: str
    key: str
    text: str
    at_ms: int
    side: str | None = None
    usd: float = 0.0
    venues: tuple[str, ...] = ()
    probability: float | None = None
    event: Liquidation | None = None
    suppressed_before: int = 0


def probability_bands(possible: float, warning: float) -> tuple[float, ...]:
    """The band edges escalation is measured in: the two warning levels and twice the higher."""
    return (possible, warning, min(2.0 * warning, 1.0))


DEFAULT_BANDS: tuple[float, ...] = probability_bands(0.15, 0.25)


def probability_band(probability: float | None, bands: tuple[float, ...] = DEFAULT_BANDS) -> int:
    """How many of the band edges a probability reaches (0 when ``None``)."""
    if probability is None:
        return 0
    return sum(1 for edge in bands if probability >= edge)


@dataclass(slots=True)
class _KeyState:
    last_ms: int
    priority: Priority
    band: int
    suppressed: int = 0


@dataclass(slots=True)
class AlertGate:
    """Cooldown-based dedup with escalation. Pure: time is the alert's own event time."""

    cooldown_ms: int
    bands: tuple[float, ...] = DEFAULT_BANDS
    _keys: dict[str, _KeyState] = field(default_factory=dict)
    suppressed_total: int = 0
    suppressed_by_kind: dict[str, int] = field(default_factory=dict)

    def admit(self, alert: Alert) -> Alert | None:
        """Return the alert to emit (with its suppressed count) or ``None`` if it is a duplicate."""
        state = self._keys.get(alert.key)
        band = probability_band(alert.probability, self.bands)
        if state is not None and alert.at_ms - state.last_ms < self.cooldown_ms:
            escalates = alert.priority > state.priority or band > state.band
            if not escalates:
                state.suppressed += 1
                self.suppressed_total += 1
                self.suppressed_by_kind[alert.kind] = self.suppressed_by_kind.get(alert.kind, 0) + 1
                return None
        suppressed = state.suppressed if state is not None else 0
        self._keys[alert.key] = _KeyState(alert.at_ms, alert.priority, band)
        if len(self._keys) > 4096:
            self._forget_before(alert.at_ms - self.cooldown_ms)
        if suppressed:
            return _with_suppressed(alert, suppressed)
        return alert

    def suppressed_now(self) -> dict[str, int]:
        """Keys with duplicates suppressed since their last emitted alert."""
        return {key: s.suppressed for key, s in self._keys.items() if s.suppressed}

    def _forget_before(self, ms: int) -> None:
        for key in [k for k, s in self._keys.items() if s.last_ms < ms]:
            del self._keys[key]

    def export_state(self) -> list[tuple[str, int, int, int, int]]:
        """The cooldown state as plain tuples (key, last_ms, priority, band, suppressed)."""
        return [(k, s.last_ms, int(s.priority), s.band, s.suppressed) for k, s in self._keys.items()]

    def restore_state(self, rows: list[tuple[str, int, int, int, int]]) -> None:
        for key, last_ms, priority, band, suppressed in rows:
            self._keys[key] = _KeyState(last_ms, Priority(priority), band, suppressed)


def _with_suppressed(alert: Alert, count: int) -> Alert:
    return Alert(
        kind=alert.kind,
        priority=alert.priority,
        asset=alert.asset,
        key=alert.key,
        text=f"{alert.text} (+{count} similar suppressed)",
        at_ms=alert.at_ms,
        side=alert.side,
        usd=alert.usd,
        venues=alert.venues,
        probability=alert.probability,
        event=alert.event,
        suppressed_before=count,
    )


class AlertBook:
    """What the engine does with the alerts it raises: dedup them, log them, count them."""

    def __init__(self, cooldown_ms: int, log_size: int, bands: tuple[float, ...] = DEFAULT_BANDS) -> None:
        self.gate = AlertGate(cooldown_ms, bands)
        self.log: deque[Alert] = deque(maxlen=log_size)
        self.counts: dict[str, int] = {}
        self.recording = True

    @contextmanager
    def unrecorded(self) -> Iterator[None]:
        """Admit alerts without logging or counting them (a restart replaying what was delivered)."""
        self.recording = False
        try:
            yield
        finally:
            self.recording = True

    def admit(self, raised: list[Alert]) -> list[Alert]:
        """The alerts that pass the cooldown; logged and counted unless recording is off."""
        admitted = []
        for alert in raised:
            passed = self.gate.admit(alert)
            if passed is not None:
                admitted.append(passed)
                if self.recording:
                    self.log.append(passed)
                    self.counts[passed.kind] = self.counts.get(passed.kind, 0) + 1
        return admitted

    def use_bands(self, bands: tuple[float, ...]) -> None:
        """Measure escalation in ``bands`` from now on (the warning levels were edited)."""
        self.gate.bands = bands

    def restore_gate(self, rows: list[tuple[str, int, int, int, int]]) -> None:
        """Replace the cooldown state with saved rows (after a restart)."""
        self.gate = AlertGate(self.gate.cooldown_ms, self.gate.bands)
        self.gate.restore_state(rows)
