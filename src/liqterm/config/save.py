"""Write configuration changes back to the user's file, atomically, keeping their comments.

Values changed from the keyboard (thresholds, view settings) are written into the
SAME file the app loaded. The file is edited with tomlkit, which keeps the user's
comments, ordering and formatting; only the edited keys change. The new text is
validated with the real loader before it replaces the old file, written to a
temporary file in the same folder, flushed to disk and moved over the original
with :func:`os.replace`, so a crash leaves either the old or the new file, never
half of one. A new file is created with mode 0600.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit

from liqterm.config.load import loads
from liqterm.config.schema import AssetThresholds, Config


def update_file(path: str | Path, updates: Mapping[str, Any]) -> Config:
    """Set dotted keys (``"thresholds.assets.BTC.base"``) in the file and return the new config.

    Raises:
        ConfigError: when the edited file would not be a valid configuration; the
            file on disk is then left untouched.
    """
    file = Path(path)
    document = tomlkit.parse(file.read_text(encoding="utf-8")) if file.exists() else tomlkit.document()
    for dotted, value in updates.items():
        *tables, leaf = dotted.split(".")
        node: Any = document
        for name in tables:
            if name not in node:
                node[name] = tomlkit.table()
            node = node[name]
        node[leaf] = list(value) if isinstance(value, tuple) else value
    text = tomlkit.dumps(document)
    config = loads(text)
    write_atomic(file, text)
    return config


def save_asset_thresholds(path: str | Path, asset: str, spec: AssetThresholds) -> Config:
    """Persist one asset's thresholds (and its own session multipliers, if any)."""
    prefix = f"thresholds.assets.{asset.upper()}"
    updates: dict[str, Any] = {
        f"{prefix}.base": float(spec.base),
        f"{prefix}.whale": float(spec.whale),
        f"{prefix}.cascade": float(spec.cascade),
    }
    if spec.sessions is not None:
        for name in ("asian", "european", "us", "weekend"):
            updates[f"{prefix}.sessions.{name}"] = float(getattr(spec.sessions, name))
    return update_file(path, updates)


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old or the new file, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["save_asset_thresholds", "update_file", "write_atomic"]
