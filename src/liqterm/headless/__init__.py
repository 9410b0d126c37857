"""The commands that run the pipeline without a screen: ``watch``, ``record`` and ``replay``.

Each builds one :class:`~liqterm.pipeline.Pipeline` with its source (live connections,
or a recording) and its sinks (lines on stdout, the state store, Telegram, a recording).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def run_until_interrupted(work: Callable[[asyncio.Event], Awaitable[T]]) -> T:
    """Run ``work(stop)`` on a fresh loop; Ctrl-C or SIGTERM set ``stop`` for a clean finish
    (a second Ctrl-C interrupts at once)."""

    async def main() -> T:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        signals = (signal.SIGINT, signal.SIGTERM)

        def first_signal() -> None:
            stop.set()
            for signum in signals:
                loop.remove_signal_handler(signum)

        for signum in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, first_signal)
        return await work(stop)

    return asyncio.run(main())
