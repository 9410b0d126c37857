"""Logging to a rotating file under the platform log dir (never onto the terminal UI), and
the one redactor of secrets.

:func:`redact` is the single place that knows what must never be shown: every string
given to :func:`register_secret` (the Telegram bot token registers itself when it is
loaded; any other credential or private URL can do the same), and anything shaped like a
Bot API token or a ``/bot<token>`` URL segment, which catches a token nobody registered.
The log file's filter, the HTTP libraries' loggers and the Telegram error texts all go
through it, so a secret added here is masked everywhere at once.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import threading
from pathlib import Path

from liqterm.config.paths import log_dir

LOG_FILE = "liqterm.log"
MASK = "***"
# No \b at the start: in a token URL ("/bot123456:ABC...") the digits follow "bot" directly,
# and a word boundary there would let the token through.
_BOT_TOKEN = re.compile(r"(?<![0-9])\d{5,}:[A-Za-z0-9_-]{30,}(?![A-Za-z0-9_-])")
# The Bot API puts the token in the URL path as "/bot<digits>:<rest>": mask the whole segment,
# even a short or malformed token the shape above would miss. The digits and colon keep
# ordinary paths such as "/bottles" intact.
_BOT_PATH = re.compile(r"(?<=/bot)\d+:[^/\s\"'<>]*")

# Longest first, so a secret that contains another is masked whole rather than leaving the
# rest of itself behind. A tuple replaced under the lock: log records are redacted on several
# threads, and iterating a set while another thread adds to it would raise.
_secrets: tuple[str, ...] = ()
_secrets_lock = threading.Lock()


def register_secret(secret: str) -> None:
    """Mask ``secret`` in every log record, error text and :func:`redact` result from now on.

    Any non-empty string is accepted as it is (tokens, passwords, URLs with keys in them);
    registering the same one twice is harmless.
    """
    global _secrets
    if not secret:
        return
    with _secrets_lock:
        if secret not in _secrets:
            _secrets = tuple(sorted((*_secrets, secret), key=len, reverse=True))


def redact(text: str) -> str:
    """``text`` with every registered secret and every token-shaped string masked."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _BOT_TOKEN.sub(MASK, text)
    return _BOT_PATH.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """Masks secrets in the formatted message, the exception text and the stack text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_LIBRARY_FILTER = RedactingFilter()
# httpx logs every request at INFO as "HTTP Request: POST https://…/bot<token>/sendMessage".
# A filter on these loggers themselves (a handler's filter only guards that handler) keeps the
# token out of any handler: the app's file, a test's capture, a user's own logging set-up.
_HTTP_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    # Apprise (and requests' urllib3 under it) log request URLs with webhook tokens in them.
    "apprise",
    "urllib3.connectionpool",
)


def redact_http_logs() -> None:
    """Put the redacting filter on the HTTP libraries' loggers (idempotent)."""
    for name in _HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _LIBRARY_FILTER not in logger.filters:
            logger.addFilter(_LIBRARY_FILTER)


def setup_logging(verbose: bool = False, directory: Path | None = None) -> Path:
    """Send the ``liqterm`` loggers (and warnings from libraries) to a rotating file."""
    folder = directory or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    redact_http_logs()
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_liqterm", False)]:
        root.removeHandler(old)
        old.close()
    handler._liqterm = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("liqterm").setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.captureWarnings(True)
    return path
