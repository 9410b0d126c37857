"""From ``submit()`` to the outbox and the chat queues: the shared intake
(:mod:`liqterm.outbox.intake`) with Telegram's filter and message format."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from liqterm.config.schema import TelegramConfig
from liqterm.engine.alerts import Alert
from liqterm.outbox.intake import MAX_INCOMING
from liqterm.outbox.intake import Intake as SharedIntake
from liqterm.telegram.delivery import ChatWorker
from liqterm.telegram.format import format_alert
from liqterm.telegram.pending import PendingAlert, alert_id, is_forwarded
from liqterm.telegram.status import Counters


class Intake(SharedIntake):
    """Accepts alerts, stores them, and queues them for each chat. :meth:`run` is its task.

    Args:
        chat_ids: the chats every alert goes to (unless paused or refused).
        workers: the sender of each chat (filled in by the forwarder before :meth:`run`).
        counters: the forwarder's tallies (alerts dropped here are counted as failed).
    """

    def __init__(
        self,
        config: TelegramConfig,
        chat_ids: tuple[int, ...],
        workers: Mapping[int, ChatWorker],
        counters: Counters,
        wall_ms: Callable[[], int],
    ) -> None:
        super().__init__(workers, counters, wall_ms, fanout=len(chat_ids), name="telegram")  # type: ignore[arg-type]
        self._config = config
        self._chat_ids = chat_ids
        self._tally = counters

    def wanted(self, alert: Alert) -> bool:
        return is_forwarded(alert, self._config)

    def expand(self, alert: Alert, queued_ms: int) -> list[PendingAlert]:
        html, ident = format_alert(alert), alert_id(alert)
        return [PendingAlert.of(alert, ident, chat, queued_ms, html) for chat in self._chat_ids]

    def skipped(self, item: PendingAlert) -> None:
        self._tally.skipped_paused += 1


__all__ = ["MAX_INCOMING", "Intake"]
