"""The demo's two playback options on the fake servers: a shared timeline and loop shifting."""

from __future__ import annotations

import asyncio
import json

import websockets

from liqterm.demo.servers import FakeVenueServer
from liqterm.demo.servers.playback import Playback
from liqterm.recording import RecordedFrame

T0 = 1_761_155_485_000  # 2025-10-22 17:51:25 UTC


def _binance(ms: int) -> str:
    order = {
        "s": "BTCUSDT",
        "S": "SELL",
        "o": "LIMIT",
        "f": "IOC",
        "q": "0.018",
        "p": "107734.1",
        "ap": "107734.1",
        "X": "FILLED",
        "l": "0.018",
        "z": "0.018",
        "T": ms,
    }
    return json.dumps({"e": "forceOrder", "E": ms, "o": order}, separators=(",", ":"))


def test_timeline_anchors_offsets_and_period_for_every_venue() -> None:
    frames = [RecordedFrame(T0 + offset, "okx", str(offset)) for offset in (-5, 200, 700, 2_000)]
    playback = Playback(frames, loop=True, timeline=(T0, 1_000))
    assert [frame.frame for frame in playback.frames] == ["200", "700"]  # outside the timeline: unplayed
    assert playback.offsets == [200, 700]
    assert playback.period_ms == 1_000
    due = playback.schedule()
    assert [(d.at_ms, d.cycle) for d in (next(due) for _ in range(4))] == [
        (200, 0),
        (700, 0),
        (1_200, 1),
        (1_700, 1),
    ]


async def test_loop_shift_moves_each_pass_by_whole_periods() -> None:
    frames = [RecordedFrame(T0 + 10, "binance", _binance(T0 + 10))]
    async with FakeVenueServer(
        "binance", frames, speed=50.0, loop=True, loop_shift=True, timeline=(T0, 1_000)
    ) as server:
        async with websockets.connect(server.url) as ws:
            times = []
            async with asyncio.timeout(5):
                while len(times) < 3:
                    data = json.loads(await ws.recv())
                    times.append(data["o"]["T"])
    assert times == [T0 + 10, T0 + 1_010, T0 + 2_010]


def test_the_demo_module_imports_no_textual() -> None:
    import subprocess
    import sys

    # httpx loads Rich for its own command-line tool when click is installed (Apprise brings
    # click): those modules are httpx's, so they are left out.
    code = (
        "import sys, httpx; theirs = set(sys.modules); import liqterm.demo; "
        "print(any(m.split('.')[0] in ('textual', 'rich') for m in set(sys.modules) - theirs))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
