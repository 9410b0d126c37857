"""Alerts to Discord, Slack, ntfy, Pushover, e-mail, webhooks and 100 more services, through Apprise.

The app and ``liqterm watch`` need :func:`build_notifier` (a pipeline sink) and the
:class:`NotifyStatus` it shows. Modules in the order data flows: :mod:`.urls` (where each
URL comes from, its secrets registered with the redactor) → :mod:`.service` (the notifier:
intake, one sender per destination on the shared outbox, :mod:`liqterm.outbox`) →
:mod:`.message` (title and plain text) → :mod:`.transport` (Apprise on a thread; what a
failure means). :mod:`.check` backs ``liqterm notify test``.
"""

from liqterm.notify.service import Notifier, NotifyTuning, build_notifier
from liqterm.notify.status import DestinationStatus, NotifyStatus

__all__ = ["DestinationStatus", "Notifier", "NotifyStatus", "NotifyTuning", "build_notifier"]
