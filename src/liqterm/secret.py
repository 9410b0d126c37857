"""Secrets in memory and on disk: a string that never shows itself, and files only their owner reads.

The Telegram bot token and the notification URLs (a Discord webhook's token, an e-mail
password) are both kept this way. :class:`Secret` masks itself in ``str``/``repr``/``format``
and registers its value with the app's one redactor (:func:`liqterm.logs.redact`), which masks
it in log records and error texts; :func:`read_private` reads a secret's file and refuses one
other users could read or change.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from liqterm.logs import MASK, register_secret


class Secret:
    """A string that does not show itself: ``str``/``repr``/``format`` print a mask.

    Making one registers the value with the redactor, so text that gets hold of the real
    value anyway (an error a library built from the URL, a log line) is masked too.
    Call :meth:`reveal` at the single place the real value is needed.
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


class PrivateFileError(ValueError):
    """A secret's file is missing, unreadable, or open to other users; the text says how to fix it."""


def read_private(path: Path, what: str) -> str:
    """The stripped text of ``path``, a file holding ``what`` (e.g. "the token").

    Raises:
        PrivateFileError: the file cannot be read, or other users can read or change it
            (the message gives the ``chmod 600`` to run).
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise PrivateFileError(f"cannot read the {what} file {path}: {exc.strerror}") from None
    if os.name == "posix" and stat.S_IMODE(info.st_mode) & 0o077:
        raise PrivateFileError(
            f"the {what} file {path} can be read or changed by other users "
            f"(mode {stat.S_IMODE(info.st_mode):o}); make it yours only: chmod 600 {path}"
        )
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise PrivateFileError(f"cannot read the {what} file {path}: {reason}") from None
