"""The spine: one path from a frame to everything that uses it.

::

    sources                      the pipeline                                  sinks
    live connections  ─┐                                                ┌─ state store (restarts)
    local demo venues ─┼─► VenueInlet ─► adapter.decode ─► Engine ──────┼─ lines (replay, watch)
    a recording       ─┘   tally, cut-off                ingest /       ├─ alerts (Telegram, scorecard)
                                                          advance_to    └─ recorder (raw frames, markers)

Every mode builds a :class:`Pipeline` with its source and sinks; none decodes or
ingests on its own. See :mod:`liqterm.pipeline.core`.
"""

from liqterm.pipeline.core import REPLAY_SLACK_MS, Pipeline, VenueInlet
from liqterm.pipeline.sinks import CASCADE_STEP, AlertCallback, EngineSink, LineSink, StoreSink
from liqterm.pipeline.tally import VenueTally

__all__ = [
    "CASCADE_STEP",
    "REPLAY_SLACK_MS",
    "AlertCallback",
    "EngineSink",
    "LineSink",
    "Pipeline",
    "StoreSink",
    "VenueInlet",
    "VenueTally",
]
