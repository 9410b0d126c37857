"""The recording format: exact line shape, gzip, lazy reading, bad and truncated input."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from liqterm.recording import (
    BadLine,
    RecordedFrame,
    RecordingReader,
    RecordingWriter,
    decode_line,
    encode_line,
    read_frames,
    write_frames,
)

FRAMES = [
    RecordedFrame(1_789_670_094_412, "bybit", '{"topic":"allLiquidation.ICPUSDT","data":[]}'),
    RecordedFrame(1_789_670_094_500, "okx", "pong"),
    RecordedFrame(1_789_670_094_600, "bitget", '{"ü":"ünïcode"}', derived=True),
]


def test_line_shape_is_exact_and_fixed_order() -> None:
    assert encode_line(RecordedFrame(5, "okx", 'a"b')) == ('{"received_ms":5,"venue":"okx","frame":"a\\"b"}')
    assert encode_line(RecordedFrame(5, "okx", "x", derived=True)).endswith(',"derived":true}')
    assert decode_line('{"venue":"okx","frame":"x","received_ms":5}') == RecordedFrame(5, "okx", "x")


@pytest.mark.parametrize("name", ["rec.jsonl", "rec.jsonl.gz"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    assert write_frames(path, FRAMES) == 3
    assert list(read_frames(path)) == FRAMES
    if name.endswith(".gz"):
        assert gzip.decompress(path.read_bytes()).count(b"\n") == 3


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("nope", "not JSON"),
        ("[1]", "not a JSON object"),
        ('{"received_ms":"1","venue":"okx","frame":""}', "received_ms"),
        ('{"received_ms":true,"venue":"okx","frame":""}', "received_ms"),
        ('{"received_ms":1,"venue":"","frame":""}', "venue"),
        ('{"received_ms":1,"venue":"okx","frame":{}}', "frame"),
    ],
)
def test_bad_lines_say_why(line: str, reason: str) -> None:
    with pytest.raises(BadLine, match=reason):
        decode_line(line)


def test_reader_counts_and_skips_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    good = [encode_line(frame) for frame in FRAMES[:2]]
    path.write_text("\n".join([good[0], "garbage", "", '{"venue":"x"}', good[1]]) + "\n")
    reader = RecordingReader(path)
    assert list(reader) == FRAMES[:2]
    assert (reader.frames, reader.bad_lines) == (2, 2)
    assert reader.last_error is not None and reader.last_error.startswith("line 4")


def test_a_truncated_gzip_yields_what_is_intact(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl.gz"
    write_frames(path, FRAMES * 200)
    path.write_bytes(path.read_bytes()[:-40])
    reader = RecordingReader(path)
    frames = list(reader)
    assert 0 < len(frames) < 600
    assert reader.bad_lines >= 1


def test_damaged_compressed_data_yields_what_is_intact(tmp_path: Path) -> None:
    """zlib's own error (not EOFError or OSError) for bytes damaged mid-file, e.g. on a bad disk."""
    demo = Path(__file__).resolve().parents[2] / "src/liqterm/data/demo-binance-2025-10-22.jsonl.gz"
    damaged = bytearray(demo.read_bytes())
    damaged[46865:46869] = b"\xff\x00\xff\x00"
    path = tmp_path / "damaged.jsonl.gz"
    path.write_bytes(bytes(damaged))
    with pytest.raises(zlib.error), gzip.open(path, "rt", encoding="utf-8") as raw:
        raw.read()  # the damage this test is about
    reader = RecordingReader(path)
    frames = list(reader)
    assert 0 < len(frames) < 3096 and reader.bad_lines == 1
    assert "truncated or corrupt file" in (reader.last_error or "")


def test_writer_batches_and_flushes_on_close(tmp_path: Path) -> None:
    clock = [0.0]
    path = tmp_path / "rec.jsonl"
    writer = RecordingWriter(path, batch=3, flush_s=10.0, monotonic=lambda: clock[0])
    writer.on_frame("okx", 1, "a")
    writer.on_frame("okx", 2, "b")
    assert path.read_text() == ""  # still buffered
    writer.on_frame("okx", 3, "c")
    assert path.read_text().count("\n") == 3
    writer.on_frame("okx", 4, "d")
    clock[0] = 11.0
    assert writer.flush_due()
    writer.close()
    writer.close()  # idempotent
    assert [frame.frame for frame in read_frames(path)] == ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match="closed"):
        writer.on_frame("okx", 5, "e")


def test_writer_appends_gzip_members(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "rec.jsonl.gz"
    write_frames(path, FRAMES[:1])
    with RecordingWriter(path, append=True) as writer:
        writer.write(FRAMES[1])
    assert list(read_frames(path)) == FRAMES[:2]
