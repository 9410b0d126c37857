"""Where a destination's Apprise URL comes from, and keeping every secret part of it out of sight.

A URL is read from the config (``url``: for URLs without a secret), from a file only its
owner can read (``url_file``), or from an environment variable (``url_env``). Whatever the
source, the URL and each part of it that can carry a secret (user, password, webhook ids
and tokens in the host or path, query values) are registered with the one redactor, so
Apprise's own log lines (``Discord POST URL: https://discord.com/api/webhooks/<id>/<token>``),
a request library's, or an error text show a mask instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from liqterm.config.schema import NotifyConfig
from liqterm.logs import register_secret
from liqterm.secret import PrivateFileError, Secret, read_private

MIN_SECRET_PART = 6
"""Parts of a URL this long or longer are masked wherever they appear (shorter ones, such as
``api`` or a port, would mask ordinary words)."""

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


class UrlError(ValueError):
    """A destination's URL cannot be had; the text says why without showing any of it."""


@dataclass(frozen=True, slots=True)
class Destination:
    """One ``[[notify]]`` destination, ready to send to."""

    name: str
    url: Secret
    scheme: str
    """The service, e.g. ``discord`` (safe to show)."""
    config: NotifyConfig


def scheme_of(url: str) -> str:
    """The URL's scheme (``discord``), or ``""``."""
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else ""


def load_url(spec: NotifyConfig, environ: Mapping[str, str] | None = None) -> Secret:
    """The URL of ``spec`` from the config, its file or its environment variable.

    Raises:
        UrlError: the variable is unset, the file is missing or open to others, or the text
            is not a URL.
    """
    env = os.environ if environ is None else environ
    if spec.url is not None:
        raw, where = spec.url, "url"
    elif spec.url_env is not None:
        raw, where = env.get(spec.url_env, "").strip(), f"${spec.url_env}"
        if not raw:
            raise UrlError(f"the environment variable {spec.url_env} (url_env) is not set")
    elif spec.url_file is not None:
        path = Path(spec.url_file).expanduser()
        try:
            raw = read_private(path, "URL")
        except PrivateFileError as exc:
            raise UrlError(str(exc)) from None
        where = str(path)
    else:
        raise UrlError("no url, url_file or url_env")
    secret = Secret(raw)
    register_url_parts(raw)
    if not scheme_of(raw):
        raise UrlError(f"the text in {where} is not an Apprise URL (expected e.g. discord://id/token)")
    return secret


def register_url_parts(url: str) -> None:
    """Register the URL and each part of it that may be a secret with the redactor."""
    register_secret(url)
    register_secret(unquote(url))
    try:
        parts = urlsplit(url)
        pieces = [parts.username, parts.password, parts.fragment]
        host = parts.hostname or ""
    except ValueError:  # a malformed port or host: mask what lies between the slashes
        parts, pieces, host = None, [], ""
    rest = url.split("://", 1)[-1]
    # An address like a domain or an IP is not a secret; a "host" without a dot (Discord's
    # webhook id, a Slack token) is one.
    if host and "." not in host and host != "localhost":
        pieces.append(host)
    path = parts.path if parts is not None else rest
    pieces += path.split("/")
    if parts is not None:
        pieces += [value for _, value in parse_qsl(parts.query, keep_blank_values=False)]
    else:
        pieces += re.split(r"[/?&=@:]", rest)
    for piece in pieces:
        for form in {piece or "", unquote(piece or "")}:
            if len(form) >= MIN_SECRET_PART:
                register_secret(form)


def destinations(
    specs: tuple[NotifyConfig, ...], environ: Mapping[str, str] | None = None
) -> tuple[list[Destination], dict[str, str]]:
    """The enabled destinations that could be loaded, and why each other one could not.

    Names: ``name`` when set, else the service (``discord``), numbered when it repeats.
    """
    ready: list[Destination] = []
    problems: dict[str, str] = {}
    used: set[str] = {spec.name for spec in specs if spec.name}
    for index, spec in enumerate(specs):
        if not spec.enabled:
            continue
        try:
            url = load_url(spec, environ)
        except UrlError as exc:
            problems[spec.name or f"notify[{index}]"] = str(exc)
            continue
        scheme = scheme_of(url.reveal())
        name = spec.name or _free_name(scheme, used)
        used.add(name)
        ready.append(Destination(name, url, scheme, spec))
    return ready, problems


def _free_name(base: str, used: set[str]) -> str:
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"
