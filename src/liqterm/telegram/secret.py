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
import stat
from collections.abc import Mapping
from pathlib import Path

from liqterm.logs import MASK, register_secret

TOKEN_ENV = "LIQTERM_TELEGRAM_TOKEN"

# Telegram tokens are "<bot id>:<35 url-safe characters>". Checking the shape also guarantees the
# token cannot smuggle "/", "?" or whitespace into the request path it is spliced into.
_TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{10,}$")


class TokenError(ValueError):
    """The token is missing, malformed, or kept somewhere unsafe. The message says how to fix it."""


class Secret:
    """A string that does not show itself: ``str``/``repr``/``format`` print ``***``.

    Making one registers the value with the redactor, so text that gets hold of the real
    value anyway (an error a library built from the URL, a log line) is masked too.
    Call :meth:`reveal` at the single place the real value is needed (building the HTTP client).
    """

    __slots__ = ("__value",)

    def __init__(self, value: str) -> None:
        self.__value = value
        register_secret(value)

    def reveal(self) -> str:
        """The real value. Never log, print or put it into an exception."""
        return self.__value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.__value == self.__value

    def __hash__(self) -> int:
        return hash(self.__value)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the value to wherever the pickle goes; refuse instead.
        raise TypeError("a Secret cannot be pickled")

    def __bool__(self) -> bool:
        return bool(self.__value)


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
        info = path.stat()
    except OSError as exc:
        raise TokenError(f"cannot read the token file {path}: {exc.strerror}") from None
    if os.name == "posix" and stat.S_IMODE(info.st_mode) & 0o077:
        raise TokenError(
            f"the token file {path} can be read or changed by other users "
            f"(mode {stat.S_IMODE(info.st_mode):o}); make it yours only: chmod 600 {path}"
        )
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise TokenError(f"cannot read the token file {path}: {reason}") from None
    return _checked(text, str(path))


def _checked(value: str, where: str) -> Secret:
    if not _TOKEN_SHAPE.match(value):
        # Say what is wrong without echoing any of it.
        raise TokenError(
            f"the Telegram token in {where} does not look like a bot token "
            "(expected digits, a colon, then letters, digits, - or _ as @BotFather shows it)"
        )
    return Secret(value)
