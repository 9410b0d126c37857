"""State that survives a restart: the engine's whale, window and cooldown inputs in SQLite.

Open once at start with :meth:`StateStore.open` (never raises), rebuild the engine
with :meth:`RestoreReport.restore`, then feed events through :meth:`StateStore.ingest`;
a writer thread commits them in batches. See :mod:`liqterm.state.store` for the wiring.
"""

from liqterm.state.opening import RestoreReport, default_path, move_aside
from liqterm.state.schema import SCHEMA_VERSION, SchemaTooNew
from liqterm.state.store import StateStore, StoreStatus

__all__ = [
    "SCHEMA_VERSION",
    "RestoreReport",
    "SchemaTooNew",
    "StateStore",
    "StoreStatus",
    "default_path",
    "move_aside",
]
