"""What the app shows about Telegram: an immutable status value, and the counters behind it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from liqterm.outbox.sender import Counters as SenderCounters
from liqterm.outbox.sender import SenderState


class TelegramState(StrEnum):
    """The one-word state: ``off`` (not enabled), ``on``, ``paused`` (/alerts stop), ``failing``."""

    OFF = "off"
    ON = "on"
    PAUSED = "paused"
    FAILING = "failing"


ChatState = SenderState
"""One chat's state: ``ok``, ``paused`` (/alerts stop), ``retrying`` (the last send failed for a
reason that may pass), ``stopped`` (Telegram refused the chat: nothing more until a restart)."""


@dataclass(frozen=True, slots=True)
class ChatStatus:
    """One configured chat: its state, why (when not ok), and how many alerts wait for it."""

    chat_id: int
    state: ChatState
    reason: str = ""
    queued: int = 0


@dataclass(frozen=True, slots=True)
class TelegramStatus:
    """A snapshot of the forwarder for the TUI, ``/alerts status`` and tests.

    Counts are since the forwarder started, except ``queued`` (now) and ``last_sent_ms``
    (the last delivery ever recorded in the outbox).
    """

    state: TelegramState
    reason: str = ""
    """Why it is failing or paused, or the first chat problem while on; empty when all is well."""
    queued: int = 0
    """Deliveries waiting (an alert waiting for two chats counts twice)."""
    messages_sent: int = 0
    """Messages Telegram accepted (a digest counts once)."""
    alerts_sent: int = 0
    """Deliveries covered by those messages (a digest counts every alert in it)."""
    digests: int = 0
    expired: int = 0
    """Deliveries dropped because they waited longer than ``max_age_s``."""
    failed: int = 0
    """Deliveries dropped because Telegram refused the chat or the message."""
    unconfirmed: int = 0
    """Deliveries that may or may not have arrived (not resent, to avoid duplicates)."""
    skipped_paused: int = 0
    """Alerts not queued for a chat because it was paused or stopped."""
    ignored_updates: int = 0
    """Messages and commands from chats not in ``chat_ids`` (never answered)."""
    last_sent_ms: int | None = None
    chats: tuple[ChatStatus, ...] = ()

    @classmethod
    def off(cls, reason: str = "not enabled ([telegram] enabled = false)") -> TelegramStatus:
        """The status when forwarding is switched off."""
        return cls(TelegramState.OFF, reason)

    @classmethod
    def failing(cls, reason: str) -> TelegramStatus:
        """The status when forwarding cannot start (e.g. no usable token)."""
        return cls(TelegramState.FAILING, reason)

    @property
    def label(self) -> str:
        """A short line for a status bar, e.g. ``telegram on · 3 queued``."""
        text = f"telegram {self.state.value}"
        if self.state is TelegramState.FAILING:
            return f"{text}: {self.reason}"
        if self.queued:
            text += f" · {self.queued} queued"
        return text


@dataclass(slots=True)
class Counters(SenderCounters):
    """The shared senders' tallies, and what only Telegram counts (paused chats, commands)."""

    skipped_paused: int = 0
    ignored_updates: int = 0


def summarise(
    chats: tuple[ChatStatus, ...], counters: Counters, incoming: int, fatal: str, note: str
) -> TelegramStatus:
    """The overall status from each chat's, the counters, and forwarder-wide problems.

    Args:
        incoming: deliveries submitted but not yet stored (counted as queued).
        fatal: why nothing can be sent at all (a rejected token), or ``""``.
        note: a problem that does not stop alerts (commands cannot be read), or ``""``.
    """
    active = [chat for chat in chats if chat.state is not ChatState.PAUSED]
    troubled = [chat for chat in active if chat.state is not ChatState.OK]
    if fatal:
        state, reason = TelegramState.FAILING, fatal
    elif not active:
        state, reason = TelegramState.PAUSED, "paused with /alerts stop"
    elif len(troubled) == len(active):  # no chat is getting alerts
        state, reason = TelegramState.FAILING, troubled[0].reason
    elif troubled:
        state, reason = TelegramState.ON, f"chat {troubled[0].chat_id}: {troubled[0].reason}"
    else:
        state, reason = TelegramState.ON, note
    c = counters
    return TelegramStatus(
        state=state,
        reason=reason,
        queued=sum(chat.queued for chat in chats) + incoming,
        messages_sent=c.messages_sent,
        alerts_sent=c.alerts_sent,
        digests=c.digests,
        expired=c.expired,
        failed=c.failed,
        unconfirmed=c.unconfirmed,
        skipped_paused=c.skipped_paused,
        ignored_updates=c.ignored_updates,
        last_sent_ms=c.last_sent_ms,
        chats=chats,
    )
