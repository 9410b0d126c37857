"""``liqterm backtest``: run it, and render the report as plain-text tables or one JSON object."""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from liqterm.config.schema import Config
from liqterm.recording.reader import RecordingReader
from liqterm_lab.events import merged
from liqterm_lab.labels import DEFAULT_N_MIN
from liqterm_lab.params import load_params
from liqterm_lab.runner import ALL_PREDICTORS, Material, collect, score
from liqterm_lab.scopes import LabelConfig
from liqterm_lab.uncertainty import describe_margin

JSON_KEYS = ("brier", "bss", "log_score", "precision", "recall", "median_lead_s", "p10_lead_s",
             "share_lead_10s", "share_lead_30s", "false_per_hour", "time_in_warning", "detection_delay_s",
             "warnings", "hits", "theta", "bss_ci")  # fmt: skip
COLUMNS = (("brier", "Brier", "{:.4f}"), ("bss", "BSS", "{:+.3f}"), ("precision", "prec", "{:.2f}"),
           ("recall", "recall", "{:.2f}"), ("median_lead_s", "lead p50", "{:.0f}s"),
           ("p10_lead_s", "lead p10", "{:.0f}s"), ("false_per_hour", "false/h", "{:.1f}"),
           ("detection_delay_s", "delay", "{:.0f}s"), ("warnings", "warn", "{}"), ("hits", "hits", "{}"),
           ("theta", "theta", "{:.3g}"))  # fmt: skip


MAX_HORIZON_S = 3600
"""The longest horizon the backtest accepts (an hour; the label's own windows are a minute)."""


def utc_seconds(text: str, option: str = "--from") -> int:
    """An ISO time as epoch seconds; a time that names no zone is UTC (as the option says)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{option} wants an ISO time in UTC, e.g. 2025-10-22T18:00:00Z, not {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def run_backtest(
    files: Sequence[Path],
    predictors: Sequence[str] = ALL_PREDICTORS,
    horizon_s: int = 60,
    config: Config | None = None,
    scored_from: str | None = None,
    params_path: Path | None = None,
    progress: Callable[[str], None] | None = None,
    n_min: Sequence[str] = (),
) -> dict[str, Any]:
    """Replay ``files`` and score ``predictors``; the report as a plain dict (NaN as ``None``).

    Everything asked is checked before a file is read; a recording too short to score, or a
    ``scored_from`` past its end, is a ``ValueError`` saying so. Lines of the recordings that
    could not be read are counted in ``data.bad_lines`` (``data.bad_line_last`` the last reason).
    """
    unknown = [name for name in predictors if name not in ALL_PREDICTORS]
    if unknown:
        raise ValueError(
            f"unknown predictor(s) {', '.join(unknown)}; choose from {', '.join(ALL_PREDICTORS)}"
        )
    if not 1 <= horizon_s <= MAX_HORIZON_S:
        raise ValueError(f"--horizon must be between 1 and {MAX_HORIZON_S} seconds, not {horizon_s}")
    from_s = utc_seconds(scored_from) if scored_from else None
    labels = label_config(n_min, config)
    started = time.monotonic()

    def say(text: str) -> None:
        if progress is not None and time.monotonic() - started > 1.0:
            progress(text)

    def tick(frames: int, events: int, event_ms: int) -> None:
        at = datetime.fromtimestamp(event_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S") if event_ms else "-"
        say(f"{frames:,} frames, {events:,} liquidations, at {at} UTC")

    params = load_params(params_path)
    engines = [name for name in ("seed", "liqterm") if name in predictors]
    readers = [RecordingReader(f) for f in files]
    try:
        material = collect(merged(readers), config=config, labels=labels, horizon_s=horizon_s,
                           engine_predictors=engines, progress=tick, sources=[str(f) for f in files],
                           phase=say)  # fmt: skip
    except ValueError as exc:
        damaged = [f"{r.path.name}: {r.last_error}" for r in readers if r.last_error]
        raise ValueError(f"{exc} ({'; '.join(damaged)})" if damaged else str(exc)) from None
    _check_span(material, horizon_s, from_s, labels.rule.warmup_s)
    report = score(material, params, predictors, test_from_s=from_s, progress=say)
    report["data"]["bad_lines"] = sum(r.bad_lines for r in readers)
    report["data"]["bad_line_last"] = next((r.last_error for r in reversed(readers) if r.last_error), None)
    report["elapsed_s"] = round(time.monotonic() - started, 2)
    return plain(report)


def _check_span(material: Material, horizon_s: int, from_s: int | None, warmup_s: int) -> None:
    """Refuse a recording with nothing to score: shorter than warm-up and horizon, or ``--from``
    past the last second a forecast can still be judged."""
    end_s = material.start_s + material.n
    if material.n <= warmup_s + horizon_s:
        raise ValueError(
            f"the recording(s) span {material.n} s, too short to score: the label's {warmup_s} s "
            f"warm-up and the {horizon_s} s horizon need more than {warmup_s + horizon_s} s"
        )
    if from_s is not None and from_s >= end_s - horizon_s:
        last = datetime.fromtimestamp(end_s - 1, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        raise ValueError(
            f"--from is at or after the last second that can be scored (the recording(s) end at {last} "
            f"and each forecast needs {horizon_s} s after it)"
        )


def label_config(n_min: Sequence[str], config: Config | None = None) -> LabelConfig:
    """The labelling with N_min from the config's ``[backtest.n_min]`` (defaults otherwise), then
    ``SCOPE=N`` overrides (``union``, a venue id, ``asset``)."""
    table = dict(DEFAULT_N_MIN)
    if config is not None:
        table.update(dataclasses.asdict(config.backtest.n_min))
    for item in n_min:
        scope, _, value = item.partition("=")
        scope = scope.strip()
        if scope not in DEFAULT_N_MIN:
            raise ValueError(f"--n-min: no scope {scope!r}; the scopes are {', '.join(DEFAULT_N_MIN)}")
        try:
            table[scope] = float(value)
        except ValueError:
            raise ValueError(f"--n-min wants SCOPE=NUMBER, not {item!r}") from None
    return LabelConfig(n_min=table)


def plain(value: Any) -> Any:
    """``value`` with NaN and infinities as ``None`` (strict JSON)."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def to_json(report: dict[str, Any]) -> str:
    """The ``--json`` object: the contract's keys first, then the detail (scopes, sweeps, data)."""
    head = {
        "onsets": report["onsets"],
        "hours": report["hours"],
        "predictors": {
            name: {k: row.get(k) for k in JSON_KEYS} for name, row in report["predictors"].items()
        },
    }
    rest = {k: v for k, v in report.items() if k not in head}
    return json.dumps({**head, **rest}, ensure_ascii=False)


def _cell(value: Any, pattern: str) -> str:
    return "-" if value is None else pattern.format(value)


def render_text(report: dict[str, Any]) -> str:
    """One table per scope group, the union (headline) first."""
    data = report["data"]
    lines = [
        f"{data['events']:,} liquidations from {', '.join(data['files'])}: {data['from']} -> {data['to']}"
        f" ({', '.join(data['venues'])}; {data['assets']} assets); horizon {report['horizon_s']} s",
        f"labelled cascades (cross-venue union, D1): {len(report['episodes'])}"
        + "".join(
            f"\n  onset {e['onset']}  crossing {e['crossing']}  end {e['end']}  peak {e['peak']:.0f}"
            for e in report["episodes"]
        ),
    ]
    if data.get("scored_from"):
        lines.append(f"scored from {data['scored_from']} on (earlier data only warms the predictors up)")
    if data.get("bad_lines"):
        lines.append(f"{data['bad_lines']} unreadable line(s) skipped (last: {data.get('bad_line_last')})")
    if data.get("rejected_frames"):
        lines.append(
            f"{data['rejected_frames']} frame(s) the venue parsers refused were skipped (see the log)"
        )
    for group, block in report["scopes"].items():
        title = {"asset": "per-asset D1 label, pooled", "notional": "notional label (engine cascade), pooled"}
        lines.append("")
        lines.append(f"{title.get(group, group + ' D1 label')}: {block['onsets']} onsets over "
                     f"{block['hours']:.2f} h scored ({block['tracks']} track(s))")  # fmt: skip
        header = f"  {'predictor':<12}" + "".join(f"{label:>10}" for _, label, _ in COLUMNS)
        lines.append(header)
        for name, row in block["predictors"].items():
            lines.append(f"  {name:<12}" + "".join(f"{_cell(row.get(k), p):>10}" for k, _, p in COLUMNS))
        matched = block.get("matched") or {}
        if matched:
            pairs = ", ".join(
                f"{name} {_cell(m['liqterm_recall'], '{:.2f}')} vs {_cell(m['recall'], '{:.2f}')}"
                f" at <= {_cell(m['false_per_hour'], '{:.1f}')}/h"
                for name, m in matched.items()
            )
            lines.append(f"  liqterm's recall at no more false warnings per hour than: {pairs}")
            own = next((m["at_own_rate"] for m in matched.values() if "at_own_rate" in m), None)
            if own is not None:
                theirs = ", ".join(
                    f"{name} {_cell(m['at_own_rate']['recall'], '{:.2f}')}"
                    for name, m in matched.items()
                    if "at_own_rate" in m
                )
                lines.append(
                    f"  at liqterm's own threshold (recall {_cell(own['liqterm_recall'], '{:.2f}')}, "
                    f"{_cell(own['false_per_hour'], '{:.2f}')} false/h) the others' best recall: {theirs}"
                )
        spread = block.get("skill_spread") or {}
        if spread.get("versus"):
            margins = "; ".join(describe_margin(name, row) for name, row in spread["versus"].items())
            caveat = "" if spread["reliable"] else " (too few: the interval is not to be trusted)"
            lines.append(
                f"  liqterm's Brier skill minus each one's, {spread['level']:.0%} interval over "
                f"{spread['blocks']} resampled {spread['block_s'] // 60} min blocks, "
                f"{spread['onset_blocks']} with an onset{caveat}: {margins}"
            )
    lines.append("")
    lines.append(f"parameters: {report.get('provenance', {}).get('training', 'unknown training data')}")
    return "\n".join(lines)
