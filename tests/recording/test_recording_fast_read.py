"""Reading a recording line through orjson gives exactly what the stdlib reading gave."""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liqterm.recording import BadLine, RecordedFrame, RecordingReader, decode_line, encode_line
from liqterm.recording.format import _decode_line_stdlib

ODD_VALUES = st.sampled_from(
    [None, True, False, 0, -1, 2**63, 2**70, -(2**70), 1.5, 1e300, "", "x", "okx", [], {}, "\ud800"]
)


def _verdict(line: str) -> RecordedFrame | str:
    try:
        return decode_line(line)
    except BadLine as exc:
        return f"BadLine: {exc}"


def _stdlib_verdict(line: str) -> RecordedFrame | str:
    try:
        return _decode_line_stdlib(line)
    except BadLine as exc:
        return f"BadLine: {exc}"


@settings(max_examples=500, deadline=None)
@given(
    received_ms=st.integers(min_value=0, max_value=2**80) | ODD_VALUES,
    venue=st.text(max_size=6) | ODD_VALUES,
    frame=st.text(max_size=20) | ODD_VALUES,
    derived=st.sampled_from([None, True, False, 1, "true"]),
    extra=st.dictionaries(st.sampled_from(["received_ms", "venue", "x"]), ODD_VALUES, max_size=2),
)
def test_fast_and_stdlib_reading_agree(
    received_ms: Any, venue: Any, frame: Any, derived: Any, extra: dict[str, Any]
) -> None:
    record: dict[str, Any] = {"received_ms": received_ms, "venue": venue, "frame": frame}
    if derived is not None:
        record["derived"] = derived
    line = json.dumps(record)
    # a repeated key: the last one counts, for both readers
    duplicated = line[:-1] + "".join(f", {json.dumps(k)}: {json.dumps(v)}" for k, v in extra.items()) + "}"
    for text in (line, duplicated, line + "\n", line.replace("true", "NaN")):
        assert _verdict(text) == _stdlib_verdict(text), text


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60))
def test_arbitrary_lines_agree(text: str) -> None:
    assert _verdict(text) == _stdlib_verdict(text)


def test_a_read_frame_is_a_real_frozen_recorded_frame() -> None:
    original = RecordedFrame(1_789_670_094_412, "bybit", '{"a":"ü\\"x"}', derived=True)
    read = decode_line(encode_line(original))
    assert type(read) is RecordedFrame and read == original and hash(read) == hash(original)
    assert pickle.loads(pickle.dumps(read)) == original
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.venue = "okx"  # type: ignore[misc]


def test_a_deeply_nested_line_is_a_bad_line_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(BadLine, match="not JSON"):
        decode_line("[" * 100_000)
    good = encode_line(RecordedFrame(5, "okx", "pong"))
    path = tmp_path / "rec.jsonl"
    path.write_text("\n".join([good, "[" * 100_000, "   ", good]) + "\n")
    reader = RecordingReader(path)
    assert len(list(reader)) == 2
    assert (reader.lines, reader.frames, reader.bad_lines) == (4, 2, 1)
    assert reader.last_error is not None and reader.last_error.startswith("line 2: not JSON")
