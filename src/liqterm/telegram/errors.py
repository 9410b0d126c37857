"""What can go wrong talking to Telegram, and how to say it so a user can act on it.

:class:`TelegramError` is the only exception the client raises. It never carries the
request URL (which contains the token) nor the httpx exception it came from: httpx puts
the URL into ``str()``/``repr()`` of its errors and into chained tracebacks.
"""

from __future__ import annotations

from enum import StrEnum

from liqterm.logs import redact
from liqterm.telegram.secret import TOKEN_ENV


class ErrorKind(StrEnum):
    """Why a Bot API call failed; decides whether to retry, skip a chat, or stop."""

    NETWORK = "network"
    """No request reached Telegram (DNS, refused, connect timeout): safe to retry."""
    UNCERTAIN = "uncertain"
    """The connection broke after the request was sent: it may have been delivered."""
    RATE_LIMITED = "rate_limited"
    """429: wait ``retry_after`` seconds."""
    SERVER = "server"
    """5xx or an unreadable answer: retry with backoff."""
    UNAUTHORIZED = "unauthorized"
    """401/404: the token is wrong or revoked. Nothing will work until it is fixed."""
    BAD_CHAT = "bad_chat"
    """400 about the chat (not found, upgraded to a supergroup): stop sending there."""
    BAD_MESSAGE = "bad_message"
    """400 about the text (entities, length): this message cannot be sent as it is."""
    FORBIDDEN = "forbidden"
    """403: the bot was blocked, removed, or is not allowed to post: stop sending there."""
    CONFLICT = "conflict"
    """409: another program polls this bot's updates or a webhook is set."""

    @property
    def retryable(self) -> bool:
        return self in (ErrorKind.NETWORK, ErrorKind.RATE_LIMITED, ErrorKind.SERVER)

    @property
    def chat_fatal(self) -> bool:
        return self in (ErrorKind.BAD_CHAT, ErrorKind.FORBIDDEN)


class TelegramError(Exception):
    """A failed Bot API call. The text is safe to log and show: it never contains a secret.

    Attributes:
        kind: the category, see :class:`ErrorKind`.
        method: the Bot API method, e.g. ``sendMessage``.
        status: the HTTP status, when there was an answer.
        description: Telegram's own explanation (redacted), or the network failure's name.
        retry_after: seconds to wait, from a 429's ``parameters.retry_after``.
        migrate_to: the new id of a group that became a supergroup.
        host: the API host, for messages about the network.
    """

    def __init__(
        self,
        kind: ErrorKind,
        method: str,
        description: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        migrate_to: int | None = None,
        host: str = "",
    ) -> None:
        # Whoever built the description, it goes through the redactor: this text is shown
        # to the user and written to the log.
        description = redact(description)
        self.kind = kind
        self.method = method
        self.description = description
        self.status = status
        self.retry_after = retry_after
        self.migrate_to = migrate_to
        self.host = host
        code = f" {status}" if status is not None else ""
        super().__init__(f"{method} failed ({kind.value}{code}): {description}")


def explain(error: TelegramError, chat_id: int | None = None) -> str:
    """One sentence a user can act on, e.g. for ``liqterm telegram test`` and the status line."""
    chat = f"chat {chat_id}" if chat_id is not None else "the chat"
    said = f" ({error.status} {error.description})" if error.status else ""
    kind = error.kind
    if kind is ErrorKind.UNAUTHORIZED:
        return (
            f"the bot token was rejected{said}: check {TOKEN_ENV} or the token_file; "
            "copy the token again from @BotFather (/mybots → API Token)"
        )
    if kind is ErrorKind.BAD_CHAT and error.migrate_to is not None:
        return (
            f"{chat} became a supergroup{said}: replace {chat_id} with {error.migrate_to} "
            "in [telegram] chat_ids"
        )
    if kind is ErrorKind.BAD_CHAT:
        return (
            f"{chat} was refused{said}: check the id in [telegram] chat_ids; a user must "
            "have pressed Start in a private chat with the bot, and for a group or channel "
            "the bot must be a member (an admin for a channel)"
        )
    if kind is ErrorKind.FORBIDDEN:
        return (
            f"the bot may not post to {chat}{said}: it was blocked by the user, removed from "
            "the group, or is not an admin of the channel; add it back and restart"
        )
    if kind is ErrorKind.RATE_LIMITED:
        wait = f"{error.retry_after:g} s" if error.retry_after is not None else "a while"
        return f"Telegram asked to slow down (429); waiting {wait} as it asked"
    if kind is ErrorKind.SERVER:
        return f"Telegram's servers failed{said}; retrying with backoff"
    if kind is ErrorKind.NETWORK:
        return (
            f"cannot reach {error.host or 'the Bot API'} ({error.description}): check the "
            "network connection, a proxy (HTTPS_PROXY), or [telegram] api_url"
        )
    if kind is ErrorKind.UNCERTAIN:
        return (
            f"the connection to {error.host or 'the Bot API'} broke after a message was sent "
            f"({error.description}); it may have arrived, so it is not sent again"
        )
    if kind is ErrorKind.CONFLICT:
        return (
            f"another program is reading this bot's updates{said}: stop it (or delete its "
            "webhook); chat commands are not answered meanwhile, alerts still go out"
        )
    return f"Telegram rejected the message{said}"
