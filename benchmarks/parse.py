"""Venue parser throughput on the recorded real frames, against ``json.loads`` alone, and
what each part of a parse costs.

For each venue the real websocket frames in ../shared/data/frames (tardis-generated
REST records left out) are parsed over and over for about a second; then
``json.loads`` alone runs on the same frames: the baseline, measured in the same run,
that every figure is set against (the target: a parse within 3x of it), a stdlib
parser reading the JSON and nothing more. The adapters read frames with orjson when it
is installed (liqterm.venues._build), so they can beat it.

The second table splits the fast path (``clean_events``, what the replay and the live
handler run first on every frame), on the frames it takes, per frame into
* JSON reading: ``orjson.loads`` of the frame alone;
* field reading: the venue's compiled reader (envelope, symbol memo, every field and
  check) given a builder that does nothing, less the JSON reading;
* event building: the whole fast path less the two above (``event_of``, one call per event).

OKX and Gate need contract sizes: the table is the bundled majors plus the recorded
instrument lists in ../shared/data/instruments; a frame symbol still missing gets a
placeholder size of 1 so that every frame is read to its events (speed, not values).
Without ../shared the documented example of each venue is used instead.

Run: ``.venv/bin/python benchmarks/parse.py`` (or ``make bench``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from types import MethodType

from liqterm.model import VENUE_IDS
from liqterm.venues._build import JSON_BACKEND, fast_loads
from liqterm.venues._common import AdapterBase
from liqterm.venues._fast_rows import fast_reader
from liqterm.venues.binance import BinanceAdapter
from liqterm.venues.bitget import BitgetAdapter
from liqterm.venues.bybit import BybitAdapter
from liqterm.venues.gateio import GateAdapter
from liqterm.venues.instruments import (
    Row,
    _bundled_rows,
    build,
    parse_gate_contracts,
    parse_okx_instruments,
)
from liqterm.venues.okx import OkxAdapter

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
RECEIVED_MS = 1_800_000_000_000
SECONDS = 1.0

DOCS_EXAMPLES = {
    "binance": '{"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT",'
    '"f":"IOC","q":"0.014","p":"9910","ap":"9910","X":"FILLED","l":"0.014","z":"0.014",'
    '"T":1568014460893}}',
    "bybit": '{"topic":"allLiquidation.ROSEUSDT","type":"snapshot","ts":1739502303204,"data":'
    '[{"T":1739502302929,"s":"ROSEUSDT","S":"Sell","v":"20000","p":"0.04499"}]}',
    "okx": '{"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"details":[{'
    '"bkLoss":"0","bkPx":"0.007831","ccy":"","posSide":"short","side":"buy","sz":"13",'
    '"ts":"1692266434010"}],"instFamily":"IOST-USDT","instId":"IOST-USDT-SWAP",'
    '"instType":"SWAP","uly":"IOST-USDT"}]}',
    "gateio": '{"channel":"futures.public_liquidates","event":"update","time":1541505434,'
    '"time_ms":1541505434123,"result":[{"price":"215.1","size":"-124.5","time":1541486601123,'
    '"contract":"BTC_USDT"},{"price":"215.2","size":"-10.5","time":1541486601456,'
    '"contract":"BTC_USDT"}]}',
    "bitget": '{"data":[{"symbol":"BTCUSDT","side":"buy","price":"89000","amount":"37.722858",'
    '"ts":"1736371332162"}],"arg":{"instType":"usdt-futures","topic":"liquidation"},'
    '"action":"update","ts":1736371332162}',
}


def _recorded_rows(venue: str) -> dict[str, Row]:
    files = {"okx": "okx-swap-instruments.json", "gateio": "gateio-futures-usdt-contracts.json"}
    parsers: dict[str, Callable[[object], dict[str, Row]]] = {
        "okx": parse_okx_instruments,
        "gateio": parse_gate_contracts,
    }
    path = SHARED / "instruments" / files.get(venue, "-")
    if venue not in files or not path.exists():
        return {}
    return parsers[venue](json.loads(path.read_text(encoding="utf-8")))


def _frames(venue: str) -> tuple[list[str], str]:
    path = SHARED / "frames" / f"{venue}.jsonl"
    if not path.exists():
        return [DOCS_EXAMPLES[venue]], "docs example"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r["frame"] for r in records if not r.get("generated")], "recorded"


def _adapter(venue: str, frames: list[str]) -> AdapterBase:
    rows = {**_bundled_rows()[venue], **_recorded_rows(venue)}
    for text in frames:  # placeholder sizes for symbols no table knows (speed only)
        message = json.loads(text)
        groups = message.get("data") if venue == "okx" else None
        for group in groups if isinstance(groups, list) else []:
            rows.setdefault(group.get("instId", ""), ("X", 1.0, True))
        result = message.get("result") if venue == "gateio" else None
        for row in [result] if isinstance(result, dict) else result or []:
            if isinstance(row, dict):
                rows.setdefault(row.get("contract", ""), ("X", 1.0, True))
    classes = {
        "binance": BinanceAdapter,
        "bybit": BybitAdapter,
        "okx": OkxAdapter,
        "gateio": GateAdapter,
        "bitget": BitgetAdapter,
    }
    return classes[venue](build(venue, rows, "bundled"))


ROUNDS = 40
"""Short rounds, alternating between the works: on a shared machine the best round of each is
the one least disturbed, and the parts of a parse are told apart by differences of these."""


def _calls_for(work: Callable[[], object], seconds: float) -> int:
    """How many passes of ``work`` take about ``seconds``."""
    calls = 1
    while True:
        started = time.perf_counter()
        for _ in range(calls):
            work()
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return max(1, int(calls * seconds / elapsed))
        calls *= 2


def _best_rates(works: list[Callable[[], object]], frames: int) -> list[float]:
    """Frames/s of each of ``works`` (one pass over the frames each): the best of ROUNDS
    alternating rounds, SECONDS in all per work."""
    calls = [_calls_for(work, SECONDS / ROUNDS) for work in works]
    rates = [0.0] * len(works)
    for _round in range(ROUNDS):
        for i, work in enumerate(works):
            started = time.perf_counter()
            for _ in range(calls[i]):
                work()
            rates[i] = max(rates[i], calls[i] * frames / (time.perf_counter() - started))
    return rates


def _loop(call: Callable[..., object], frames: list[str], *extra: object) -> Callable[[], None]:
    """One pass of ``call(frame, *extra)`` over the frames."""

    def work() -> None:
        for text in frames:
            call(text, *extra)

    return work


def _nothing(*_fields: object) -> None:
    """An event builder that builds nothing: the reader alone is timed."""
    return None


def _breakdown(adapter: AdapterBase, frames: list[str]) -> str:
    """The fast path's parts on ``frames`` (all of which it takes), per frame, against json.loads."""
    # The venue's reader compiled again with a builder that builds nothing, bound like clean_events.
    reader = fast_reader(adapter.name, adapter.rows, adapter._envelope, adapter._assets, _nothing)
    works = [
        _loop(json.loads, frames),
        _loop(fast_loads, frames),
        _loop(MethodType(reader, adapter), frames, RECEIVED_MS),
        _loop(adapter.clean_events, frames, RECEIVED_MS),
    ]
    loads_rate, json_rate, reading_rate, fast_rate = _best_rates(works, len(frames))
    baseline = 1e6 / loads_rate  # microseconds per frame
    json_us = 1e6 / json_rate
    fields_us = 1e6 / reading_rate - json_us
    events_us = 1e6 / fast_rate - 1e6 / reading_rate
    total_us = 1e6 / fast_rate
    cells = [f"{us:6.2f} {us / baseline:5.2f}x" for us in (json_us, fields_us, events_us, total_us)]
    return f"{baseline:9.2f} " + "  ".join(cells)


def main() -> None:
    print(f"json.loads is the baseline (the target: parse within 3x of it), measured in this run; the "
          f"adapters read with {JSON_BACKEND}. Best of {ROUNDS} short alternating rounds.")  # fmt: skip
    print(
        f"{'venue':8} {'source':12} {'frames':>6} {'events':>6} {'fast':>5} {'parse fr/s':>11} "
        f"{'events/s':>10} {'loads fr/s':>11} {'parse/loads':>11}"
    )
    parts: list[str] = []
    for venue in VENUE_IDS:
        all_frames, source = _frames(venue)
        adapter = _adapter(venue, all_frames)
        frames = [f for f in all_frames if adapter.parse(f, RECEIVED_MS)]  # event-bearing only
        events = sum(len(adapter.parse(f, RECEIVED_MS)) for f in frames)
        fast = [f for f in frames if adapter.clean_events(f, RECEIVED_MS) is not None]
        parse_rate, loads_rate = _best_rates(
            [_loop(adapter.parse, frames, RECEIVED_MS), _loop(json.loads, frames)], len(frames)
        )
        print(
            f"{venue:8} {source:12} {len(frames):6d} {events:6d} {len(fast):5d} {parse_rate:11,.0f} "
            f"{parse_rate * events / len(frames):10,.0f} {loads_rate:11,.0f} "
            f"{loads_rate / parse_rate:10.2f}x"
        )
        if fast:
            parts.append(f"{venue:8} " + _breakdown(adapter, fast))
    print()
    print("The fast path per frame (the frames of the 'fast' column), in microseconds and as a multiple "
          "of json.loads's time on the same frames:")  # fmt: skip
    print(
        f"{'venue':8} {'json.loads':>9} {'JSON reading':>13}  {'field reading':>13}  "
        f"{'event building':>13}  {'fast path':>13}"
    )
    for line in parts:
        print(line)
    print("(JSON reading: orjson.loads alone; field reading: the compiled reader with a do-nothing "
          "builder, less that; event building: the rest)")  # fmt: skip


if __name__ == "__main__":
    main()
