"""The live scorecard scores engine alerts like the backtest scores alarms."""

from __future__ import annotations

from liqterm.engine.alerts import Alert, Priority
from liqterm.scorecard import Scorecard, shipped_summary

T0 = 1_761_150_000_000


def _alert(kind: str, asset: str, at_ms: int) -> Alert:
    return Alert(
        kind=kind, priority=Priority.CRITICAL, asset=asset, key=f"{kind}:{asset}", text="", at_ms=at_ms
    )


def test_hits_false_pending_leads_and_recall() -> None:
    card = Scorecard()
    card.on_alert(_alert("cascade_warning", "BTC", T0))
    card.on_alert(_alert("cascade_warning", "BTC", T0 + 10_000))  # refractory: the same warning
    card.on_alert(_alert("cascade", "BTC", T0 + 25_000))  # caught, 25 s lead
    card.on_alert(_alert("cascade_warning", "BTC", T0 + 30_000))  # during the cascade: a detection
    card.on_alert(_alert("cascade_warning", "ETH", T0 + 40_000))  # nothing follows
    card.on_alert(_alert("cascade", "SOL", T0 + 50_000))  # missed
    card.on_alert(_alert("whale", "SOL", T0 + 51_000))  # ignored
    view = card.view()
    assert (view.warnings, view.onsets, view.hits, view.caught, view.pending) == (2, 2, 1, 1, 1)
    assert view.recall == 0.5 and view.median_lead_s == 25.0 and view.precision == 1.0
    card.advance(T0 + 101_000)  # ETH's horizon has passed
    view = card.view()
    assert view.false == 1 and view.precision == 0.5 and card.detections == 1


def test_empty_scorecard_reads_none() -> None:
    view = Scorecard().view()
    assert view.precision is None and view.recall is None and view.median_lead_s is None


def test_shipped_summary_names_its_data() -> None:
    rows = shipped_summary()
    assert rows, "shipped_figures.json is part of the package"
    assert {row["synthetic"] for row in rows} == {True, False}
    assert all("onsets" in row and "data" in row for row in rows)
    for row in rows:  # every Brier skill comes with its interval, and whether it can be trusted
        low, high = row["bss_ci"]
        assert low < high
        assert row["ci_reliable"] is row["synthetic"]  # 18 real minutes are too few blocks; 12 h are not


def test_the_best_rival_is_held_to_the_shipped_models_own_false_rate() -> None:
    from liqterm.scorecard import _rival

    def at_own(recall: float | None) -> dict:
        return {"at_own_rate": {"recall": recall, "false_per_hour": 0.07}}

    matched = {"seed": at_own(0.0), "count10": at_own(0.005), "ewma": at_own(0.03), "hawkes": at_own(0.03)}
    assert _rival(matched, 197) == {"rival": "ewma/hawkes", "rival_caught": 6}
    three = {"count10": at_own(1.0), "ewma": at_own(1.0), "hawkes": at_own(1.0)}
    assert _rival(three, 2) == {"rival": "(3 tied)", "rival_caught": 2}
    assert _rival({"ewma": at_own(0.0)}, 5) == {"rival": None, "rival_caught": 0}  # nobody caught any
    assert _rival({"ewma": {"recall": 0.1}}, 5) == {"rival": None, "rival_caught": None}  # old figures
    for row in shipped_summary():
        assert row["rival_caught"] is None or 0 <= row["rival_caught"] <= row["onsets"]


def test_the_data_labels_come_from_the_figures_so_a_refit_on_other_data_names_it() -> None:
    from liqterm.scorecard import _real_label, _synthetic_label

    week = {"venues": ["binance", "okx"], "from": "2026-01-01T00:00:00Z",
            "scored_from": "2026-01-03T00:00:00Z", "to": "2026-01-08T12:00:00Z"}  # fmt: skip
    assert _real_label(week) == "real Binance, OKX 2026-01-03 00:00-2026-01-08 12:00 UTC (held out)"
    whole = {"venues": ["bybit"], "from": "2026-01-01T00:00:00Z", "to": "2026-01-01T12:00:00Z"}
    assert _real_label(whole) == "real Bybit 2026-01-01 00:00-12:00 UTC (includes training data)"
    assert _synthetic_label({"venues": ["binance"]}) == "synthetic, 1 venue (not real skill)"
    shipped = {row["data"] for row in shipped_summary()}
    assert shipped == {
        "real Binance 2025-10-22 18:00-18:18 UTC (held out)",
        "synthetic, 5 venues (not real skill)",
    }
