"""Logging to a rotating file under the platform log dir: never onto the terminal UI.

Every record passes through :class:`RedactingFilter`, which replaces registered
secrets (the Telegram token) and anything shaped like a Bot API token or token
URL with a mask, so a secret cannot reach the log even through a third-party
library's message or a traceback.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from liqterm.config.paths import log_dir

LOG_FILE = "liqterm.log"
# No \b at the start: in a token URL ("/bot123456:ABC...") the digits follow "bot" directly,
# and a word boundary there would let the token through.
_BOT_TOKEN = re.compile(r"(?<![0-9])\d{5,}:[A-Za-z0-9_-]{30,}(?![A-Za-z0-9_-])")
_SECRETS: set[str] = set()
MASK = "***"


def register_secret(secret: str) -> None:
    """Mask ``secret`` in every log record from now on."""
    if secret:
        _SECRETS.add(secret)


def redact(text: str) -> str:
    """``text`` with registered secrets and token-shaped strings masked."""
    for secret in _SECRETS:
        text = text.replace(secret, MASK)
    return _BOT_TOKEN.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """Masks secrets in the formatted message and in exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)
            record.exc_info = None
        return True


def setup_logging(verbose: bool = False, directory: Path | None = None) -> Path:
    """Send the ``liqterm`` loggers (and warnings from libraries) to a rotating file."""
    folder = directory or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
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
