"""Instrument tables: recorded REST responses parsed in place, the bundled majors checked
against them, and the refresh/fallback chain against a local HTTP server."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from venue_frames import instruments_response

from liqterm.model import canonical_asset
from liqterm.venues import ADAPTERS, refresh_instruments
from liqterm.venues.instruments import (
    bundled,
    load_cache,
    offline,
    parse_binance_exchange_info,
    parse_bitget_contracts,
    parse_bybit_instruments,
    parse_gate_contracts,
    parse_okx_instruments,
    refresh,
    refresh_all,
    save_cache,
)

RECORDED = {
    "okx": "okx-swap-instruments.json",
    "gateio": "gateio-futures-usdt-contracts.json",
    "bybit": "bybit-linear-instruments.json",
    "binance": "binance-usdm-exchangeinfo.json",
    "bitget": "bitget-mix-v1-umcbl-contracts-2022-04-07.json",
}


def _recorded_rows(venue: str) -> dict[str, tuple[str, float, bool]]:
    payload = instruments_response(RECORDED[venue])
    if venue == "bybit":
        return parse_bybit_instruments(payload)[0]
    parse = {
        "okx": parse_okx_instruments,
        "gateio": parse_gate_contracts,
        "binance": parse_binance_exchange_info,
        "bitget": parse_bitget_contracts,
    }[venue]
    return parse(payload)


# --- parsing the recorded responses ------------------------------------------------------------


def test_okx_recorded_instruments() -> None:
    rows = _recorded_rows("okx")
    assert rows["BTC-USDT-SWAP"] == ("BTC", 0.01, True)
    assert rows["ETH-USDT-SWAP"] == ("ETH", 0.1, True)
    assert rows["BTC-USD-SWAP"] == ("BTC", 100.0, False)  # inverse: USD per contract
    assert rows["SOL-USD_UM-SWAP"] == ("SOL", 0.01, True)  # USD-settled linear
    assert "2Z-USDT-SWAP" not in rows  # preopen row with empty contract fields
    assert len(rows) == 254


def test_bybit_recorded_instruments_and_cursor() -> None:
    rows, cursor = parse_bybit_instruments(instruments_response(RECORDED["bybit"]))
    assert cursor == "" and len(rows) == 800
    assert rows["1000PEPEUSDT"] == ("1000PEPE", 1.0, True)
    assert rows["BTCPERP"] == ("BTC", 1.0, True)


def test_binance_and_gate_and_bitget_recorded() -> None:
    binance = _recorded_rows("binance")
    assert binance["BTCUSDT_250926"] == ("BTC", 1.0, True)
    assert binance["ETHBTC"] == ("ETH", 1.0, False)  # BTC-quoted: refused by the parser
    assert _recorded_rows("gateio")["ETH_USDT"] == ("ETH", 0.01, True)
    assert _recorded_rows("bitget")["ETHUSDT"] == ("ETH", 1.0, True)


def test_error_envelopes_are_failures() -> None:
    with pytest.raises(ValueError):
        parse_okx_instruments({"code": "50011", "msg": "Too many requests", "data": []})
    with pytest.raises(ValueError):
        parse_bybit_instruments({"retCode": 10006, "retMsg": "Too many visits!"})
    with pytest.raises(ValueError):
        parse_gate_contracts({"label": "INVALID", "message": "nope"})


@pytest.mark.parametrize("venue", list(RECORDED))
def test_bundled_majors_match_the_recorded_responses(venue: str) -> None:
    """Every bundled row equals the venue's own recorded response (the OKX BTC-USD-SWAP
    inverse value included); a wrong hand-written contract size fails here."""
    recorded = _recorded_rows(venue)
    table = bundled(venue)
    assert table.source == "bundled" and table.note and len(table.symbols) >= 10
    for symbol, instrument in table.symbols.items():
        assert symbol in recorded, f"{venue} {symbol} is not in the recorded list"
        base, size, linear = recorded[symbol]
        assert (instrument.contract_size, instrument.linear) == (size, linear), symbol
        assert (instrument.asset, instrument.scale) == canonical_asset(base), symbol


# --- refresh against a local server -------------------------------------------------------------


class _Server:
    """A tiny HTTP server on 127.0.0.1 answering ``path?query`` with canned (status, body)."""

    def __init__(self, route: Callable[[str], tuple[int, bytes]]) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                status, body = route(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _bybit_pages() -> tuple[bytes, bytes]:
    """The recorded Bybit response split in two pages joined by a cursor (the documented paging)."""
    payload = instruments_response(RECORDED["bybit"])
    items = payload["result"]["list"]
    first = {
        **payload,
        "result": {**payload["result"], "list": items[:500], "nextPageCursor": "p2"},
    }
    second = {**payload, "result": {**payload["result"], "list": items[500:], "nextPageCursor": ""}}
    return json.dumps(first).encode(), json.dumps(second).encode()


@pytest.fixture
def venue_server() -> Iterator[_Server]:
    bodies = {
        "/api/v5/public/instruments?instType=SWAP": "okx",
        "/api/v4/futures/usdt/contracts": "gateio",
        "/fapi/v1/exchangeInfo": "binance",
        "/api/v2/mix/market/contracts?productType=USDT-FUTURES": "bitget",
    }
    first_page, second_page = _bybit_pages()

    def route(path: str) -> tuple[int, bytes]:
        if path.startswith("/v5/market/instruments-info?"):
            assert "category=linear" in path and "status=Trading" in path and "limit=1000" in path
            return 200, second_page if "cursor=p2" in path else first_page
        if path in bodies:
            return 200, json.dumps(instruments_response(RECORDED[bodies[path]])).encode()
        return 404, b"{}"

    server = _Server(route)
    yield server
    server.close()


@pytest.fixture
def failing_server() -> Iterator[_Server]:
    server = _Server(lambda path: (503, b'{"msg":"maintenance"}'))
    yield server
    server.close()


async def test_refresh_every_venue_from_rest_and_cache_it(venue_server: _Server, tmp_path: Path) -> None:
    urls = dict.fromkeys(RECORDED, venue_server.url)
    tables = await refresh_all(base_urls=urls, cache_folder=tmp_path, timeout_s=5)
    assert {name: table.source for name, table in tables.items()} == dict.fromkeys(RECORDED, "rest")
    assert all(table.note is None and table.fetched_ms for table in tables.values())
    assert len(tables["bybit"].symbols) == 800  # both pages
    assert tables["okx"].get("BTC-USDT-SWAP") == ("BTC", 0.01, True, 1.0)
    assert all(load_cache(venue, tmp_path) for venue in RECORDED)
    cached = load_cache("okx", tmp_path)
    assert cached and cached.source == "cache" and cached.symbols == tables["okx"].symbols


async def test_failing_server_falls_back_to_cache_then_bundled(
    venue_server: _Server, failing_server: _Server, tmp_path: Path
) -> None:
    fresh = await refresh("gateio", base_url=venue_server.url, cache_folder=tmp_path)
    assert fresh.source == "rest"
    cached = await refresh("gateio", base_url=failing_server.url, cache_folder=tmp_path)
    assert cached.source == "cache" and cached.symbols == fresh.symbols
    assert cached.note and "HTTP 503" in cached.note and "cache" in cached.note
    empty = tmp_path / "nothing-here"
    fallback = await refresh("gateio", base_url=failing_server.url, cache_folder=empty)
    assert fallback.source == "bundled" and fallback.note and "HTTP 503" in fallback.note
    assert fallback.symbols == bundled("gateio").symbols


async def test_hanging_server_times_out(tmp_path: Path) -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    started = time.monotonic()
    table = await refresh("okx", base_url=f"http://127.0.0.1:{port}", cache_folder=tmp_path, timeout_s=0.3)
    assert time.monotonic() - started < 5
    assert table.source == "bundled" and table.note and "timeout" in table.note
    server.close()


async def test_refresh_installs_into_the_adapters(
    venue_server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for adapter in ADAPTERS.values():
        monkeypatch.setattr(adapter, "instruments", adapter.instruments)  # restored afterwards
    assert ADAPTERS["okx"].instruments.get("CELO-USDT-SWAP") is None
    await refresh_instruments(["okx"], base_urls={"okx": venue_server.url}, cache_folder=tmp_path)
    assert ADAPTERS["okx"].instruments.source == "rest"
    assert ADAPTERS["okx"].instruments.get("CELO-USDT-SWAP") is not None
    assert ADAPTERS["gateio"].instruments.source == "bundled"


def test_offline_prefers_a_valid_cache(tmp_path: Path) -> None:
    assert offline("okx", tmp_path).source == "bundled"
    save_cache("okx", {"BTC-USDT-SWAP": ("BTC", 0.01, True)}, 1_790_000_000_000, tmp_path)
    table = offline("okx", tmp_path)
    assert table.source == "cache" and table.fetched_ms == 1_790_000_000_000
    assert table.note and "2026-09-21" in table.note
    (tmp_path / "okx.json").write_text("{not json", encoding="utf-8")
    assert offline("okx", tmp_path).source == "bundled"


def test_table_of_another_venue_is_refused() -> None:
    with pytest.raises(ValueError):
        ADAPTERS["okx"].use_instruments(bundled("gateio"))
