"""The bot token: a masking type and where it may come from.

The token is a password to the bot. It is read from ``$LIQTERM_TELEGRAM_TOKEN`` or from
``[telegram] token_file`` (a file only its owner can read) and never from the main config
file, which people paste into issues. Anything that might print it (``repr`` in a traceback,
an f-string in a log line, httpx's own request log) sees a mask instead: :class:`Secret`
masks itself, and registers its value with the app's one redactor
(:func:`liqterm.logs.redact`), which masks it in log records and error texts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from liqterm.secret import PrivateFileError, Secret, read_private

TOKEN_ENV = "LIQTERM_TELEGRAM_TOKEN"

# Telegram tokens are "<bot id>:<35 url-safe characters>". Checking the shape also guarantees the
# token cannot smuggle "/", "?" or whitespace into the request path it is spliced into.
_TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{10,}$")


__all__ = ["TOKEN_ENV", "Secret", "TokenError", "load_token"]


class TokenError(ValueError):
    """The token is missing, malformed, or kept somewhere unsafe. The message says how to fix it."""


def load_token(
    token_file: str | None,
    environ: Mapping[str, str] | None = None,
) -> Secret:
    """The bot token from ``$LIQTERM_TELEGRAM_TOKEN`` (preferred) or ``token_file``.

    Raises:
        TokenError: no token anywhere; the file is missing, readable or writable by other
            users (the message gives the ``chmod 600`` to run), or its content is not a token.
    """
    env = os.environ if environ is None else environ
    from_env = env.get(TOKEN_ENV, "").strip()
    if from_env:
        return _checked(from_env, f"${TOKEN_ENV}")
    if not token_file:
        raise TokenError(
            f"no Telegram bot token: set {TOKEN_ENV}, or put the token in a file only you can "
            'read and name it in the config as [telegram] token_file = "~/.config/liqterm/token"'
        )
    path = Path(token_file).expanduser()
    try:
        text = read_private(path, "token")
    except PrivateFileError as exc:
        raise TokenError(str(exc)) from None
    return _checked(text, str(path))


def _checked(value: str, where: str) -> Secret:
    if not _TOKEN_SHAPE.match(value):
        # Say what is wrong without echoing any of it.
        raise TokenError(
            f"the Telegram token in {where} does not look like a bot token "
            "(expected digits, a colon, then letters, digits, - or _ as @BotFather shows it)"
        )
    return Secret(value)
