"""The fake venue servers speak each venue's protocol: raw websocket clients check the shapes."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets
from stream_fakes import binance_frame, bybit_frame, okx_frame
from stream_helpers import recorded
from websockets.exceptions import ConnectionClosed, InvalidStatus

from liqterm.demo.servers import FakeVenueServer, Faults
from liqterm.demo.servers.playback import LOOP_GAP_MS, Playback
from liqterm.recording import RecordedFrame

BINANCE = binance_frame("BTCUSDT", "SELL", "38886.54", "0.288", 1_650_898_329_196)
BYBIT = bybit_frame("ICPUSDT", "Buy", "2.585", "19.7", 1_789_670_094_099)
OKX = okx_frame("BTC-USDT-SWAP", "long", "82655.7", "8.55", 1_791_565_600_771)


async def recv_json(ws: websockets.ClientConnection) -> dict:
    async with asyncio.timeout(2):
        return json.loads(await ws.recv())


async def closed_code(ws: websockets.ClientConnection) -> int | None:
    async with asyncio.timeout(3):
        with pytest.raises(ConnectionClosed):
            while True:
                await ws.recv()
    return ws.close_code


async def test_binance_stream_by_path_and_by_subscribe() -> None:
    async with FakeVenueServer("binance", recorded("binance", [BINANCE])) as server:
        assert server.url.endswith("/market/ws/!forceOrder@arr")
        async with websockets.connect(server.url) as ws:
            assert (await recv_json(ws))["o"]["s"] == "BTCUSDT"  # no request needed
        base = f"ws://127.0.0.1:{server.port}"
        async with websockets.connect(base + "/market/ws") as ws:
            await ws.send('{"method":"SUBSCRIBE","params":["!forceOrder@arr"],"id":1}')
            assert await recv_json(ws) == {"result": None, "id": 1}
            assert (await recv_json(ws))["e"] == "forceOrder"
            await ws.send('{"method":"LIST_SUBSCRIPTIONS","id":2}')
            assert await recv_json(ws) == {"result": ["!forceOrder@arr"], "id": 2}
            await ws.send('{"method":"NOPE","id":3}')
            assert (await recv_json(ws))["code"] == 2
        async with websockets.connect(base + "/market/stream?streams=!forceOrder@arr") as ws:
            wrapped = await recv_json(ws)
            assert wrapped["stream"] == "!forceOrder@arr" and wrapped["data"]["e"] == "forceOrder"
        with pytest.raises(InvalidStatus):
            await websockets.connect(base + "/nowhere")


async def test_binance_drops_a_client_sending_more_than_ten_messages_a_second() -> None:
    async with FakeVenueServer("binance") as server, websockets.connect(server.url) as ws:
        for index in range(12):
            await ws.send(f'{{"method":"LIST_SUBSCRIPTIONS","id":{index}}}')
        assert await closed_code(ws) == 1008
    assert server.stats.dropped_rate == 1


async def test_bybit_acks_pongs_and_topic_filter() -> None:
    frames = recorded("bybit", [BYBIT, bybit_frame("XUSDT", "Sell", "1", "1", 1)], step_ms=40)
    async with FakeVenueServer("bybit", frames, speed=0.2) as server, websockets.connect(server.url) as ws:
        await ws.send('{"op":"subscribe","args":["allLiquidation.ICPUSDT"],"req_id":"s1"}')
        ack = await recv_json(ws)
        assert list(ack) == ["success", "ret_msg", "conn_id", "req_id", "op"]
        assert (ack["success"], ack["ret_msg"], ack["req_id"], ack["op"]) == (True, "", "s1", "subscribe")
        assert (await recv_json(ws))["topic"] == "allLiquidation.ICPUSDT"  # due at once
        await ws.send('{"op":"ping"}')
        pong = await recv_json(ws)
        assert (pong["ret_msg"], pong["op"]) == ("pong", "ping")
        too_long = json.dumps({"op": "subscribe", "args": ["allLiquidation.X" * 1] * 2000})
        await ws.send(too_long)
        assert (await recv_json(ws))["success"] is False
        await asyncio.sleep(0.25)  # XUSDT is due 200 ms after the start
    assert server.stats.frames_sent == 1  # XUSDT was never subscribed


async def test_okx_acks_string_ping_errors_and_idle_close_code() -> None:
    async with (
        FakeVenueServer("okx", recorded("okx", [OKX]), idle_window_s=0.3) as server,
        websockets.connect(server.url) as ws,
    ):
        await ws.send(
            '{"id":"7","op":"subscribe","args":[{"channel":"liquidation-orders","instType":"SWAP"}]}'
        )
        ack = await recv_json(ws)
        assert ack["event"] == "subscribe" and ack["id"] == "7"
        assert ack["arg"] == {"channel": "liquidation-orders", "instType": "SWAP"}
        assert "connId" in ack
        assert (await recv_json(ws))["data"][0]["instId"] == "BTC-USDT-SWAP"
        await ws.send("ping")
        async with asyncio.timeout(2):
            assert await ws.recv() == "pong"
        await ws.send('{"op":"subscribe","args":[{"channel":"liquidations","instId":"X"}]}')
        error = await recv_json(ws)
        assert (error["event"], error["code"]) == ("error", "60018")
        assert await closed_code(ws) == 4004  # silent past the window
        assert ws.close_reason == "No data received in 30s."


async def test_gate_ack_and_app_pong_shapes() -> None:
    async with FakeVenueServer("gateio") as server, websockets.connect(server.url) as ws:
        await ws.send(
            '{"time":1,"channel":"futures.public_liquidates","event":"subscribe","payload":["!all"]}'
        )
        ack = await recv_json(ws)
        assert (ack["channel"], ack["event"], ack["result"]) == (
            "futures.public_liquidates",
            "subscribe",
            {"status": "success"},
        )
        assert isinstance(ack["time"], int) and ack["time_ms"] // 1000 == ack["time"]
        await ws.send('{"time":1,"channel":"futures.ping"}')
        pong = await recv_json(ws)
        assert (pong["channel"], pong["event"], pong["result"]) == ("futures.pong", "", None)


async def test_bitget_ack_pong_and_drop_without_ping() -> None:
    async with FakeVenueServer("bitget", idle_window_s=0.3) as server, websockets.connect(server.url) as ws:
        await ws.send('{"op":"subscribe","args":[{"instType":"usdt-futures","topic":"liquidation"}]}')
        ack = await recv_json(ws)
        assert ack["event"] == "subscribe"
        assert ack["arg"] == {"instType": "usdt-futures", "topic": "liquidation"}
        await ws.send("ping")
        async with asyncio.timeout(2):
            assert await ws.recv() == "pong"
        assert await closed_code(ws) == 1000
    assert server.stats.dropped_idle == 1


async def test_protocol_ping_venue_drops_a_client_that_cannot_answer() -> None:
    async with FakeVenueServer("gateio", server_ping=(0.1, 0.2)) as server:
        ws = await websockets.connect(server.url, ping_interval=None)
        try:
            assert ws.transport is not None
            ws.transport.pause_reading()  # the client's library can no longer answer pings
            await asyncio.sleep(0.5)
            ws.transport.resume_reading()
            assert await closed_code(ws) == 1011
        finally:
            await ws.close()
    assert server.stats.dropped_idle == 1


async def test_stall_silence_lifetime_and_burst_faults() -> None:
    faults = Faults(stall=True, drop_after_s=0.3)
    async with (
        FakeVenueServer("okx", recorded("okx", [OKX]), faults=faults) as server,
        websockets.connect(server.url) as ws,
    ):
        await ws.send('{"op":"subscribe","args":[{"channel":"liquidation-orders","instType":"SWAP"}]}')
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.15):
                await ws.recv()  # stalled: not even the ack
        assert await closed_code(ws) == 1000  # the shortened 24 h rule
    faults = Faults(silent=True)
    async with (
        FakeVenueServer("okx", recorded("okx", [OKX]), faults=faults) as server,
        websockets.connect(server.url) as ws,
    ):
        await ws.send('{"op":"subscribe","args":[{"channel":"liquidation-orders","instType":"SWAP"}]}')
        assert (await recv_json(ws))["event"] == "subscribe"  # acks while silent
        await ws.send("ping")
        async with asyncio.timeout(2):
            assert await ws.recv() == "pong"
        faults.silent = False
        assert await server.burst(5) == 5
        for _ in range(5):
            assert "details" in await ws.recv()


async def test_playback_paces_by_recorded_time_and_speed() -> None:
    frames = [RecordedFrame(1_000 + 200 * i, "okx", OKX) for i in range(3)]
    async with FakeVenueServer("okx", frames, speed=2.0) as server, websockets.connect(server.url) as ws:
        await ws.send('{"op":"subscribe","args":[{"channel":"liquidation-orders","instType":"SWAP"}]}')
        await recv_json(ws)
        arrivals = []
        for _ in range(3):
            await recv_json(ws)
            arrivals.append(time.monotonic())
    span = arrivals[-1] - arrivals[0]
    assert 0.19 <= span <= 1.5, span  # 400 ms recorded at twice the pace: 200 ms


def test_playback_schedule_loops_and_joins_late() -> None:
    frames = [RecordedFrame(5_000 + offset, "okx", str(offset)) for offset in (0, 100, 300)]
    playback = Playback(reversed(frames), loop=True)
    assert playback.period_ms == 300 + LOOP_GAP_MS
    due = playback.schedule()
    first_six = [(d.at_ms, d.frame.frame, d.cycle) for d in (next(due) for _ in range(6))]
    assert first_six == [
        (0, "0", 0),
        (100, "100", 0),
        (300, "300", 0),
        (1300, "0", 1),
        (1400, "100", 1),
        (1600, "300", 1),
    ]
    late = next(playback.schedule(from_ms=1350))
    assert (late.at_ms, late.frame.frame) == (1400, "100")
    assert list(Playback(frames).schedule(from_ms=301)) == []
