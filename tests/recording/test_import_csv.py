"""The Binance CSV slice becomes derived forceOrder frames that decode back to the same events.

Data: ../shared/data/datasets/binance_usdm_forceorder_2025-10-22T1742-1818Z.csv (3,096 real
Binance USD-M liquidations, see that folder's README for provenance).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from liqterm.model import Side
from liqterm.recording import read_frames
from liqterm.recording.import_csv import CsvFormatError, frames_from_csv, import_csv
from liqterm.venues import ADAPTERS
from shared_data import shared_file

CSV = "datasets/binance_usdm_forceorder_2025-10-22T1742-1818Z.csv"


def test_every_row_round_trips_through_the_binance_parser(tmp_path: Path) -> None:
    source = shared_file(CSV)
    target = tmp_path / "demo.jsonl.gz"
    assert import_csv(source, target) == 3096
    with open(source, newline="", encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: r["timestamp"])
    frames = list(read_frames(target))
    assert len(frames) == len(rows)
    assert all(f.derived and f.venue == "binance" for f in frames)
    times = [f.received_ms for f in frames]
    assert times == sorted(times)
    total = 0.0
    longs = 0
    for frame in frames:
        (event,) = ADAPTERS["binance"].parse(frame.frame, frame.received_ms)
        total += event.usd
        longs += event.side is Side.LONG
    # The dataset README: 2,722 SELL rows (longs liquidated), $5.68M in total.
    assert longs == 2722
    assert total == pytest.approx(sum(float(r["usd_value"]) for r in rows), rel=1e-9)
    assert round(total / 1e6, 2) == 5.68


def test_first_row_is_the_documented_forceorder_shape() -> None:
    first = next(frames_from_csv(shared_file(CSV)))
    data = json.loads(first.frame)
    assert data["e"] == "forceOrder"
    assert data["o"]["s"] == "C98USDT" and data["o"]["S"] == "SELL" and data["o"]["z"] == "5971.0"
    assert data["o"]["T"] == first.received_ms == 1761154964189


def test_bad_csv_says_which_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "timestamp,symbol,side,avg_price,filled_qty,usd_value\n"
        "2025-10-22T17:42:44.189000,BTCUSDT,SIDEWAYS,1,1,1\n",
        encoding="utf-8",
    )
    with pytest.raises(CsvFormatError, match=r"bad.csv:2"):
        list(frames_from_csv(bad))
    missing = tmp_path / "missing.csv"
    missing.write_text("timestamp,symbol\n", encoding="utf-8")
    with pytest.raises(CsvFormatError, match="missing column"):
        list(frames_from_csv(missing))


def test_bundled_demo_recording_is_the_converted_slice() -> None:
    bundled = Path(__file__).resolve().parents[2] / "src/liqterm/data/demo-binance-2025-10-22.jsonl.gz"
    frames = list(read_frames(bundled))
    assert len(frames) == 3096
    assert [f.frame for f in frames] == [f.frame for f in frames_from_csv(shared_file(CSV))]


HEADER = "timestamp,symbol,side,avg_price,filled_qty,usd_value\n"
GOOD = "2025-10-22T17:42:44.189000,BTCUSDT,SELL,108000.1,0.014,1512.0\n"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2025-10-22T17:42:45,BTCUSDT,SELL,inf,0.014,1\n", "avg_price 'inf' is not a positive number"),
        ("2025-10-22T17:42:45,BTCUSDT,SELL,108000,nan,1\n", "filled_qty 'nan' is not a positive number"),
        ("2025-10-22T17:42:45,BTCUSDT,BUY,108000,-5,1\n", "filled_qty '-5' is not a positive number"),
        ("2025-10-22T17:42:45, ,BUY,108000,1,1\n", "empty symbol"),
        ("2025-10-22T17:42:45,BTCUSDT,BUY\n", "too few or too many fields"),
        # what only the Binance parser knows, asked on the frame the row becomes
        ("1970-01-01T00:00:01,BTCUSDT,SELL,108000,1,1\n", "refuses the row: bad time"),
        ("2025-10-22T17:42:45,BTCUSD_PERP,SELL,108000,1,1\n", "refuses the row: coin-margined symbol"),
        ("2025-10-22T17:42:45,BTCUSDT,SELL,1e31,1,1\n", "refuses the row: bad price"),
    ],
)
def test_a_row_the_binance_parser_would_refuse_is_refused_with_its_line(
    tmp_path: Path, row: str, reason: str
) -> None:
    source = tmp_path / "rows.csv"
    source.write_text(HEADER + GOOD + row, encoding="utf-8")
    with pytest.raises(CsvFormatError, match=rf"rows.csv:3: .*{reason}"):
        import_csv(source, tmp_path / "out.jsonl.gz")
    assert not (tmp_path / "out.jsonl.gz").exists()  # nothing half-written


def test_spreadsheet_exports_and_wrong_encodings(tmp_path: Path) -> None:
    bom = tmp_path / "excel.csv"
    bom.write_text(HEADER + GOOD, encoding="utf-8-sig")  # a byte-order mark before "timestamp"
    assert import_csv(bom, tmp_path / "bom.jsonl.gz") == 1
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text(HEADER + GOOD, encoding="utf-16")
    with pytest.raises(CsvFormatError, match=r"not UTF-8 text.*save it as UTF-8 CSV"):
        import_csv(utf16, tmp_path / "u.jsonl.gz")
    header_only = tmp_path / "header.csv"
    header_only.write_text(HEADER, encoding="utf-8")
    with pytest.raises(CsvFormatError, match="no rows under the header"):
        import_csv(header_only, tmp_path / "h.jsonl.gz")


def test_the_output_may_not_be_the_source(tmp_path: Path) -> None:
    source = tmp_path / "slice.csv"
    source.write_text(HEADER + GOOD, encoding="utf-8")
    with pytest.raises(CsvFormatError, match="would overwrite the CSV it is read from"):
        import_csv(source, tmp_path / "." / "slice.csv")
    assert source.read_text(encoding="utf-8") == HEADER + GOOD
