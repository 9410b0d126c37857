"""liqterm: a terminal liquidation monitor for crypto perpetual futures."""

__version__ = "0.1.0"
