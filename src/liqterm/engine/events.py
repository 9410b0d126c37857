"""Building alerts from what the engine detected: texts, keys and priorities in one place."""

from __future__ import annotations

from liqterm import format as fmt
from liqterm.engine.alerts import Alert, Priority
from liqterm.engine.correlation import Dislocation
from liqterm.engine.flow import AssetState
from liqterm.engine.snapshot import Correlation
from liqterm.model import Liquidation

_EVENT_PRIORITY = {
    "large": Priority.NORMAL,
    "whale": Priority.HIGH,
    "institutional": Priority.CRITICAL,
}


class AlertFactory:
    """Makes :class:`Alert` values; see :mod:`liqterm.engine.alerts` for the priority rules."""

    def __init__(self, warning: float) -> None:
        self.warning = warning

    def for_event(self, event: Liquidation, cls: str, session: str) -> Alert:
        side = event.side.value
        return Alert(
            kind=cls,
            priority=_EVENT_PRIORITY[cls],
            asset=event.asset,
            key=f"{cls}:{event.asset}:{side}",
            text=(
                f"{event.asset} {side} liquidated {fmt.usd(event.usd)} on {event.venue} "
                f"{event.symbol} @ {fmt.price(event.price)} ({cls}, {session} session)"
            ),
            at_ms=event.exchange_ms,
            side=side,
            usd=event.usd,
            venues=(event.venue,),
            event=event,
        )

    def for_correlation(self, found: Correlation, cascade_usd: float) -> Alert:
        critical = found.combined_usd >= cascade_usd
        seconds = max(1, round((found.last_ms - found.first_ms) / 1000))
        return Alert(
            kind="cross_venue",
            priority=Priority.CRITICAL if critical else Priority.HIGH,
            asset=found.asset,
            key=f"cross_venue:{found.asset}",
            text=(
                f"{found.asset} liquidating on {len(found.venues)} venues "
                f"({', '.join(found.venues)}): {fmt.usd(found.combined_usd)} in {seconds} s, "
                f"{'/'.join(found.sides)}"
            ),
            at_ms=found.last_ms,
            side=found.sides[0] if len(found.sides) == 1 else None,
            usd=found.combined_usd,
            venues=found.venues,
        )

    def for_dislocation(self, found: Dislocation) -> Alert:
        return Alert(
            kind="dislocation",
            priority=Priority.INFO,
            asset=found.asset,
            key=f"dislocation:{found.asset}",
            text=(
                f"{found.asset} liquidation prices {found.gap_bps:.0f} bp apart: "
                f"{found.venue_a} {fmt.price(found.price_a)} vs {found.venue_b} "
                f"{fmt.price(found.price_b)}"
            ),
            at_ms=found.at_ms,
            venues=(found.venue_a, found.venue_b),
        )

    def for_cascade(self, state: AssetState, cascade_usd: float, ms: int) -> Alert:
        asset = state.asset
        venues = state.venues_60s(state.cur_sec)
        long_usd, short_usd = state.long_60s, state.short_60s
        side = "long" if long_usd >= short_usd else "short"
        return Alert(
            kind="cascade",
            priority=Priority.CRITICAL,
            asset=asset,
            key=f"cascade:{asset}",
            text=(
                f"{asset} CASCADE: {fmt.usd(long_usd + short_usd)} liquidated in 60 s "
                f"(threshold {fmt.usd(cascade_usd)}), {fmt.usd(long_usd)} long / "
                f"{fmt.usd(short_usd)} short on {len(venues)} venue(s)"
            ),
            at_ms=ms,
            side=side,
            usd=long_usd + short_usd,
            venues=tuple(sorted(venues)),
        )

    def for_warning(self, state: AssetState, probability: float, ms: int) -> Alert:
        asset = state.asset
        level = "warning" if probability >= self.warning else "possible"
        long_usd, short_usd = state.long_60s, state.short_60s
        return Alert(
            kind="cascade_warning",
            priority=Priority.CRITICAL if level == "warning" else Priority.HIGH,
            asset=asset,
            key=f"cascade_warning:{asset}",
            text=(
                f"{asset} cascade {level}: {probability:.0%} within 60 s; "
                f"{fmt.usd(long_usd)} long / {fmt.usd(short_usd)} short liquidated in 60 s, "
                f"{state.n_60s} events"
            ),
            at_ms=ms,
            side="long" if long_usd >= short_usd else "short",
            usd=long_usd + short_usd,
            venues=tuple(sorted(state.venues_60s(state.cur_sec))),
            probability=probability,
        )
