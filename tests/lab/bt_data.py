"""Paths of the data the backtest tests read (a plain module: conftest files cannot be imported)."""

from __future__ import annotations

from pathlib import Path

REAL_CSV = "datasets/binance_usdm_forceorder_2025-10-22T1742-1818Z.csv"
DEMO = Path(__file__).resolve().parents[2] / "src" / "liqterm" / "data" / "demo-binance-2025-10-22.jsonl.gz"
