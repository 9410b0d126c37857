"""``liqterm demo``: the live path, offline, on real liquidations bundled with the package.

:mod:`liqterm.demo.feed` plays the bundled recording through local venue servers
(:mod:`liqterm.demo.servers`, each venue's real protocol on 127.0.0.1) that the app
connects to exactly as it connects to the exchanges. The tests use the same servers.
"""

from liqterm.demo.feed import (
    RECORDING,
    SPEED,
    START_MS,
    THRESHOLD_SCALE,
    DemoFeed,
    bundled_frames,
    rotate,
    run_demo,
    scaled_thresholds,
    spread_over_venues,
    symbols_of,
)

__all__ = [
    "RECORDING",
    "SPEED",
    "START_MS",
    "THRESHOLD_SCALE",
    "DemoFeed",
    "bundled_frames",
    "rotate",
    "run_demo",
    "scaled_thresholds",
    "spread_over_venues",
    "symbols_of",
]
