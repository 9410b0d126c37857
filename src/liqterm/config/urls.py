"""Which URLs may skip TLS: only ones that never leave this machine.

Real venues are reached over ``wss://`` and the Bot API over ``https://``, with
certificate checks on (the libraries' defaults; nothing in liqterm turns them off).
Plain ``ws://``/``http://`` is for the local fake servers of the tests and the demo,
so it is accepted for loopback hosts only.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(url: str) -> bool:
    """Whether ``url``'s host is this machine (127.0.0.0/8, ::1 or ``localhost``)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def transport_problem(url: str, secure: str, plain: str) -> str | None:
    """Why ``url`` may not be used, or ``None``.

    Args:
        url: the URL to check.
        secure: the TLS scheme (``wss`` or ``https``), always allowed.
        plain: the clear-text scheme (``ws`` or ``http``), allowed for loopback only.
    """
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == secure:
        return None
    if scheme == plain:
        if is_loopback(url):
            return None
        return (
            f"plain {plain}:// would send everything unencrypted to {urlsplit(url).hostname}; "
            f"use {secure}:// ({plain}:// is only for 127.0.0.1, ::1 or localhost)"
        )
    return f"expected a {secure}:// URL"
