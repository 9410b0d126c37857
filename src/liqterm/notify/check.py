"""``liqterm notify test [NAME]``: send a test message to each destination and say what went wrong.

The message goes through the same Apprise call the notifier makes, with no retries: the
point is to see each destination's answer now. The reasons are in words a user can act on
(the variable is not set, the file is open to others, Apprise does not know the service,
the service answered 404), and never show any part of a URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from liqterm.config.schema import NotifyConfig
from liqterm.engine.alerts import Priority
from liqterm.notify.message import TEST_BODY, TEST_TITLE
from liqterm.notify.transport import AppriseService
from liqterm.notify.urls import destinations
from liqterm.outbox.sender import Result

Echo = Callable[..., None]
"""``typer.echo``-like: ``echo(text, err=False)``."""


def run_check(
    specs: tuple[NotifyConfig, ...],
    echo: Echo,
    names: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> int:
    """Send a test message to every enabled destination (or those named).

    Returns the exit status: 0 when every message arrived, 1 when one failed, 2 when there
    is nothing to test (no destination, an unknown name).
    """
    if not specs:
        echo(
            "liqterm: no notification destinations: add a [[notify]] table with url, url_file or "
            "url_env (see docs/notifications.md)",
            err=True,
        )
        return 2
    ready, broken = destinations(specs, environ)
    known = [d.name for d in ready] + list(broken)
    unknown = [name for name in names if name not in known]
    if unknown:
        listed = ", ".join(known) or "none enabled"
        echo(f"liqterm: no destination named {', '.join(unknown)} (configured: {listed})", err=True)
        return 2
    disabled = sum(not spec.enabled for spec in specs)
    if disabled and not names:
        echo(f"note: {disabled} destination(s) have enabled = false and are not tested")
    wanted = set(names)
    failures = 0
    for name, reason in broken.items():
        if wanted and name not in wanted:
            continue
        failures += 1
        echo(f"liqterm: {name}: {reason}", err=True)
    for destination in ready:
        if wanted and destination.name not in wanted:
            continue
        outcome = AppriseService(destination.url, destination.scheme).send(
            TEST_TITLE, TEST_BODY, Priority.INFO
        )
        if outcome.result is Result.SENT:
            echo(f"{destination.name} ({destination.scheme}): test message sent")
        else:
            failures += 1
            echo(f"liqterm: {destination.name} ({destination.scheme}): {outcome.reason}", err=True)
    return 1 if failures else 0
