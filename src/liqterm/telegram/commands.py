"""Chat commands: what they are, and the replies' text. The polling lives in :mod:`.updates`.

``/alerts start``, ``/alerts stop``, ``/alerts status`` and ``/help`` (``/start``, which
Telegram sends when someone first opens the bot, answers like ``/help``). Commands may be
addressed as ``/alerts@SomeBot status`` in groups; those for another bot are ignored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from liqterm.config.schema import TelegramConfig
from liqterm.engine.snapshot import EngineSnapshot
from liqterm.telegram.delivery import ChatWorker
from liqterm.telegram.format import escape, usd, utc_time
from liqterm.telegram.outbox import CANCELLED, AsyncOutbox
from liqterm.telegram.status import ChatState, Counters, TelegramStatus

log = logging.getLogger(__name__)

StatusProvider = Callable[[], Mapping[str, str]]
"""Returns extra ``label → value`` lines for ``/alerts status`` (session, whales…)."""

ALERT_ACTIONS = ("start", "stop", "status")
PAUSED_SETTING = "paused_chats"
_KIND_NAMES = ("large", "whale", "institutional", "cross_venue", "cascade_warning")


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed command: ``name`` is ``alerts`` or ``help``; ``action`` is the first argument."""

    name: str
    action: str = ""


def parse_command(text: str, bot_username: str | None) -> Command | None:
    """The command in a message's text, or ``None`` if it is not one of ours."""
    words = text.strip().split()
    if not words or not words[0].startswith("/"):
        return None
    name, _, addressee = words[0][1:].partition("@")
    if addressee and (not bot_username or addressee.lower() != bot_username.lower()):
        return None
    name = name.lower()
    if name == "alerts":
        action = words[1].lower() if len(words) > 1 else ""
        return Command("alerts", action if action in ALERT_ACTIONS else "")
    if name in ("help", "start"):
        return Command("help")
    # An unknown command: answer only when it was addressed to this bot by name.
    return Command("help") if addressee else None


class CommandDesk:
    """Carries out commands: pauses and resumes chats (remembered across restarts), reports.

    Args:
        workers: the forwarder's sender per chat.
        status: returns the forwarder's current :class:`TelegramStatus`.
        provider: extra ``/alerts status`` lines from the app, if any.
    """

    def __init__(
        self,
        workers: Mapping[int, ChatWorker],
        outbox: AsyncOutbox,
        config: TelegramConfig,
        counters: Counters,
        status: Callable[[], TelegramStatus],
        provider: StatusProvider | None,
        wall_ms: Callable[[], int],
    ) -> None:
        self._workers = workers
        self._outbox = outbox
        self._config = config
        self._counters = counters
        self._status = status
        self._provider = provider
        self._wall_ms = wall_ms

    async def paused_chats(self) -> set[int]:
        """The chats paused with ``/alerts stop`` (stored in the outbox database)."""
        text = await self._outbox.call(self._outbox.sync.setting, PAUSED_SETTING)
        try:
            values = json.loads(text) if text else []
        except ValueError:
            return set()
        return {v for v in values if isinstance(v, int)} if isinstance(values, list) else set()

    async def handle(self, chat_id: int, command: Command) -> str | None:
        """Carry out ``command`` from ``chat_id`` (already authorised); returns the reply HTML."""
        worker = self._workers[chat_id]
        if command.name == "help" or not command.action:
            return help_text()
        if command.action == "stop":
            await self._cancel(chat_id, worker)
            await self._save_paused()
            return "Alerts to this chat are paused. /alerts start resumes them."
        if command.action == "start":
            worker.resume()
            await self._save_paused()
            if worker.state is ChatState.STOPPED:
                return f"This chat stays stopped: {escape(worker.reason)}"
            return "Alerts to this chat are on."
        return status_text(self._status(), self._config, chat_id, self._extra(), self._wall_ms())

    async def _cancel(self, chat_id: int, worker: ChatWorker) -> None:
        # Alerts waiting for a paused chat are dropped (counted), not sent in a flood on resume.
        items = worker.pause()
        if items:
            self._counters.skipped_paused += len(items)
            keys = [item.key for item in items]
            await self._outbox.call(self._outbox.sync.mark, keys, CANCELLED, self._wall_ms())
            log.info("telegram: chat %s paused; %d waiting alerts cancelled", chat_id, len(items))

    async def _save_paused(self) -> None:
        paused = [c for c, w in self._workers.items() if w.state is ChatState.PAUSED]
        await self._outbox.call(self._outbox.sync.set_setting, PAUSED_SETTING, json.dumps(paused))

    def _extra(self) -> Mapping[str, str]:
        if self._provider is None:
            return {}
        try:
            return dict(self._provider())
        except Exception:  # the status reply must not die with the app's provider
            log.exception("telegram: the status provider failed")
            return {}


def help_text() -> str:
    """The reply to ``/help``."""
    return "\n".join(
        [
            "<b>liqterm</b> forwards liquidation alerts to this chat.",
            "/alerts status: what is forwarded, the queue, the last message sent",
            "/alerts stop: pause alerts to this chat",
            "/alerts start: resume them",
            "/help: this text",
        ]
    )


def status_text(
    status: TelegramStatus,
    config: TelegramConfig,
    chat_id: int,
    extra: Mapping[str, str],
    now_ms: int,
) -> str:
    """The reply to ``/alerts status`` for ``chat_id``."""
    chat = next((c for c in status.chats if c.chat_id == chat_id), None)
    here = chat.state.value if chat else "unknown"
    if chat and chat.state is ChatState.OK:
        here = "on"
    kinds = [k.replace("_", " ") for k in _KIND_NAMES if getattr(config.kinds, k)]
    lines = [
        f"<b>liqterm alerts</b>: {status.state.value} · this chat: {escape(here)}",
        f"Forwarding: {escape(', '.join(kinds) or 'nothing')} at priority ≥ {escape(config.min_priority)}",
        f"Queue: {status.queued} waiting ({chat.queued if chat else 0} for this chat); "
        f"bursts of more than {config.digest_after} per asset become one digest",
        f"Last sent: {_ago(status.last_sent_ms, now_ms)}",
        f"Sent: {status.messages_sent} messages ({status.digests} digests, "
        f"{status.alerts_sent} alerts) since start",
    ]
    dropped = status.expired + status.failed + status.unconfirmed
    if dropped:
        lines.append(
            f"Not delivered: {status.expired} expired, {status.failed} refused, "
            f"{status.unconfirmed} unconfirmed"
        )
    lines.extend(f"{escape(label)}: {escape(value)}" for label, value in extra.items())
    if status.reason:
        lines.append(f"Note: {escape(status.reason)}")
    return "\n".join(lines)


def _ago(at_ms: int | None, now_ms: int) -> str:
    if at_ms is None:
        return "nothing yet"
    seconds = max(0, (now_ms - at_ms) // 1000)
    if seconds < 120:
        ago = f"{seconds} s ago"
    elif seconds < 7200:
        ago = f"{seconds // 60} min ago"
    else:
        ago = f"{seconds // 3600} h ago"
    return f"{utc_time(at_ms)} ({ago})"


def snapshot_status(get_snapshot: Callable[[], EngineSnapshot | None]) -> StatusProvider:
    """A :data:`StatusProvider` reading the session and 24 h whale summary from the engine.

    The app passes its own way of getting the latest :class:`EngineSnapshot`.
    """

    def provide() -> Mapping[str, str]:
        snapshot = get_snapshot()
        if snapshot is None:
            return {}
        found: dict[str, str] = {}
        session = snapshot.session
        if session is not None:
            minutes = session.countdown_ms(snapshot.at_ms) // 60_000
            found["Session"] = (
                f"{session.name} (×{session.multiplier:g} thresholds; "
                f"{session.next_name} in {minutes // 60} h {minutes % 60} min)"
            )
        whales = snapshot.whales_all
        if whales is not None:
            text = (
                f"{whales.count} whale liquidations, long {usd(whales.long_usd)} / "
                f"short {usd(whales.short_usd)}, {whales.dominant} dominant"
            )
            if whales.largest is not None:
                big = whales.largest
                text += f"; largest {usd(big.usd)} {big.side} {big.asset} on {big.venue}"
            found["Whales 24 h"] = text
        return found

    return provide
