"""Plain-text number formatting shared by alerts, the tape, logs and Telegram."""

from __future__ import annotations


def usd(value: float) -> str:
    """Compact dollars: ``$950``, ``$12.3k``, ``$4.56M``, ``$1.20B``."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1e9:
        return f"{sign}${value / 1e9:.2f}B"
    if value >= 1e6:
        return f"{sign}${value / 1e6:.2f}M"
    if value >= 1e3:
        return f"{sign}${value / 1e3:.1f}k"
    return f"{sign}${value:.0f}"


def price(value: float) -> str:
    """Enough significant digits for any coin: ``106,800.5``, ``0.021436``, ``0.00001234``."""
    if value >= 1000:
        return f"{value:,.1f}"
    if value >= 1:
        return f"{value:,.4g}" if value < 10 else f"{value:,.2f}"
    return f"{value:.4g}" if value < 1e-4 else f"{value:.6f}".rstrip("0").rstrip(".")


def quantity(value: float) -> str:
    """A base-asset quantity with sensible precision."""
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return f"{value:.4g}"
