"""The threshold editor (``t``): one asset's base / whale / cascade and its session multipliers.

Every field is checked as you type (amounts like ``500k`` or ``1.5M``; multipliers
above 0 and at most 10; base ≤ whale ≤ cascade) and Save stays disabled while
anything is wrong. Saving writes the config file atomically (keeping comments)
and the engine uses the new values at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import Function
from textual.widgets import Button, Input, Label

from liqterm import format as fmt
from liqterm.config.schema import SESSIONS, AssetThresholds, Config
from liqterm.tui.thresholds import (
    amount_text,
    current_spec,
    order_problem,
    parse_amount,
    parse_multiplier,
    session_multipliers,
)

AMOUNTS = ("base", "whale", "cascade")
_ASSET = re.compile(r"^\w{1,24}$")

Save = Callable[[str, AssetThresholds], "str | None"]
"""``save(asset, spec)``: the problem in words, or ``None`` once saved and applied."""


def _ok(parse: Callable[[str], float]) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        try:
            parse(text)
        except ValueError:
            return False
        return True

    return check


class ThresholdEditor(ModalScreen[str | None]):
    """Returns the asset whose thresholds were saved, or ``None`` when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, config: Config, asset: str, save: Save, note: str = "") -> None:
        super().__init__()
        self.config = config
        self.note = note
        self.asset = asset.upper()
        self.save = save
        self._filled_for = ""

    def compose(self) -> ComposeResult:
        sessions = self.config.thresholds.sessions
        with Vertical(id="dialog"):
            yield Label("Thresholds", classes="title")
            with Horizontal(classes="row"):
                yield Label("asset", classes="field")
                yield Input(self.asset, placeholder="type an asset, e.g. BTC", id="asset", compact=True)
            yield Label("", id="effective", classes="hint", markup=False)
            with Grid(classes="amounts"):
                for name in AMOUNTS:
                    yield Label(f"{name} USD", classes="field")
                    yield Input(
                        id=name,
                        validators=[Function(_ok(parse_amount), "a USD amount like 500k")],
                        compact=True,
                    )
            yield Label(
                "Session multipliers for this asset; blank uses the global "
                + " / ".join(f"{name} ×{sessions.of(name):g}" for name in SESSIONS),
                classes="hint",
            )
            with Grid(classes="sessions"):
                for name in SESSIONS:
                    yield Label(name, classes="field")
                    yield Input(
                        id=name,
                        placeholder=f"{sessions.of(name):g}",
                        validators=[Function(_blank_or(parse_multiplier), "0 < x ≤ 10")],
                        compact=True,
                    )
            if self.note:
                yield Label(self.note, classes="hint", id="note")
            yield Label("", id="problem", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self._fill(self.asset)
        self.query_one("#asset" if not self.asset else "#base", Input).focus()

    def _fill(self, asset: str) -> None:
        """Pre-fill every field with ``asset``'s configured values."""
        self._filled_for = asset
        spec = current_spec(self.config, asset) if asset else current_spec(self.config, "")
        for name in AMOUNTS:
            self.query_one(f"#{name}", Input).value = amount_text(getattr(spec, name))
        for name in SESSIONS:
            value = spec.sessions.of(name) if spec.sessions is not None else None
            self.query_one(f"#{name}", Input).value = "" if value is None else f"{value:g}"
        self._check()

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        if event.input.id == "asset":
            asset = event.value.strip().upper()
            if _ASSET.match(asset) and asset != self._filled_for:
                self._fill(asset)
                return
        self._check()

    def result(self) -> tuple[str, AssetThresholds] | str:
        """The asset and thresholds to save, or what is wrong with the fields."""
        asset = self.query_one("#asset", Input).value.strip().upper()
        if not _ASSET.match(asset):
            return "type an asset name (letters and digits), e.g. BTC"
        try:
            base, whale, cascade = (parse_amount(self.query_one(f"#{n}", Input).value) for n in AMOUNTS)
            multipliers = {}
            for name in SESSIONS:
                text = self.query_one(f"#{name}", Input).value
                multipliers[name] = parse_multiplier(text) if text.strip() else None
        except ValueError as exc:
            return str(exc)
        problem = order_problem(base, whale, cascade)
        if problem:
            return problem
        sessions = session_multipliers(multipliers, self.config.thresholds.sessions)
        return asset, AssetThresholds(base, whale, cascade, sessions)

    def _check(self) -> None:
        outcome = self.result()
        valid = not isinstance(outcome, str)
        self.query_one("#save", Button).disabled = not valid
        self.query_one("#problem", Label).update("" if valid else f"✗ {outcome}")
        self.set_class(not valid, "-invalid")
        if valid:
            asset, spec = outcome  # type: ignore[misc]
            self.query_one("#effective", Label).update(_effective(asset, spec))

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def submit(self) -> None:
        outcome = self.result()
        if isinstance(outcome, str):
            self._check()
            return
        asset, spec = outcome
        problem = self.save(asset, spec)
        if problem is None:
            self.dismiss(asset)
        else:
            self.query_one("#problem", Label).update(f"✗ {problem}")

    @on(Button.Pressed, "#cancel")
    def cancelled(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _blank_or(parse: Callable[[str], float]) -> Callable[[str], bool]:
    check = _ok(parse)
    return lambda text: not text.strip() or check(text)


def _effective(asset: str, spec: AssetThresholds) -> str:
    return (
        f"{asset}: large ≥ {fmt.usd(spec.base)} · whale ≥ {fmt.usd(spec.whale)} · "
        f"institutional and cascade (60 s) ≥ {fmt.usd(spec.cascade)}, before the session multiplier"
    )
