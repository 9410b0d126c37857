"""Telegram HTML: escaping of every dynamic field, figures, and safe truncation."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from fakes.telegram_api import check_html
from liqterm.engine.alerts import Alert, Priority
from liqterm.model import Liquidation, Side
from liqterm.telegram.format import (
    MAX_MESSAGE,
    escape,
    format_alert,
    price,
    to_plain,
    truncate_html,
    usd,
    utf16_len,
)


def test_escape() -> None:
    assert escape("a<b & c>d") == "a&lt;b &amp; c&gt;d"
    assert escape("1000PEPE_USDT") == "1000PEPE_USDT"


def test_figures() -> None:
    assert usd(950) == "$950"
    assert usd(12_345) == "$12.3K"
    assert usd(48_200_000) == "$48.20M"
    assert usd(1_200_000_000) == "$1.20B"
    assert price(64_012.5) == "64,012.50"
    assert price(1.23456) == "1.2346"
    assert price(0.00001234) == "0.00001234"


def test_alert_with_hostile_fields_is_valid_html() -> None:
    event = Liquidation(
        "gateio",
        "1000PEPE_USDT",
        "PEPE",
        Side.SHORT,
        0.0000123,
        1e9,
        12_300.0,
        1_767_000_000_000,
        1_767_000_000_005,
    )
    alert = Alert(
        kind="whale",
        priority=Priority.CRITICAL,
        asset="PEPE<&>",
        key="k",
        text="price <0.1 & rising > fast </b>",
        at_ms=1_767_000_000_000,
        side="short",
        usd=12_300.0,
        venues=("gateio", "<okx>"),
        event=event,
    )
    text = format_alert(alert)
    problem, visible = check_html(text)
    assert problem == ""
    assert "PEPE<&>" in visible
    assert "price <0.1 & rising > fast </b>" in visible
    assert "1000PEPE_USDT" in visible
    assert "0.00001230" in visible


def test_long_alert_is_cut_to_the_limit(make_alert: Callable[..., Alert]) -> None:
    alert = make_alert(text="x<y & " * 2000)
    text = format_alert(alert)
    assert utf16_len(text) <= MAX_MESSAGE
    assert check_html(text)[0] == ""
    assert text.endswith("…") or "…" in text


def test_truncate_closes_open_tags_and_keeps_entities_whole() -> None:
    text = "<b>" + "&amp;" * 100 + "</b>" + "<code>" + "z" * 100 + "</code>"
    cut = truncate_html(text, 60)
    assert utf16_len(cut) <= 60
    assert check_html(cut)[0] == ""
    assert cut.startswith("<b>&amp;")


def test_truncate_counts_emoji_as_two() -> None:
    cut = truncate_html("🐋" * 100, 11)
    assert utf16_len(cut) <= 11
    assert cut == "🐋" * 5 + "…"


_fragments = st.lists(
    st.one_of(
        st.text(min_size=1, max_size=30).map(escape),
        st.sampled_from(["🐋", "&amp;", "&lt;", "&#128011;"]),
        st.tuples(st.sampled_from(["b", "i", "code", "u"]), st.text(max_size=20)).map(
            lambda t: f"<{t[0]}>{escape(t[1])}</{t[0]}>"
        ),
        st.text(max_size=10).map(lambda t: f'<a href="https://x.y/?q={escape(t)}">{escape(t)}</a>'),
    ),
    max_size=40,
)


@given(_fragments, st.integers(min_value=8, max_value=400))
def test_truncate_property(parts: list[str], limit: int) -> None:
    text = "".join(parts)
    cut = truncate_html(text, limit)
    assert utf16_len(cut) <= max(limit, 0) or cut == text
    assert check_html(cut)[0] == "", cut
    if utf16_len(text) <= limit:
        assert cut == text


def test_to_plain() -> None:
    assert to_plain("<b>BTC</b> &lt;1&gt; &amp;") == "BTC <1> &"
