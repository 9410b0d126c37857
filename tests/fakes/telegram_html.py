"""Telegram's HTML parse mode as the fake Bot API checks it: allowed tags, nesting, entities."""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_HTML_TOKEN = re.compile(r"<(/?)([a-zA-Z-]+)([^>]*)>|&(#\d+|#x[0-9a-fA-F]+|\w+);|[<>&]")


def check_html(text: str) -> tuple[str, str]:
    """``(problem, visible text)``: problem is ``""`` when Telegram would accept the markup."""
    stack: list[str] = []
    visible: list[str] = []
    last = 0
    for match in _HTML_TOKEN.finditer(text):
        visible.append(text[last : match.start()])
        last = match.end()
        token = match.group()
        if token in "<>&":
            return f"unescaped {token!r} at byte offset {match.start()}", ""
        if token.startswith("&"):
            entity = match.group(4)
            if not entity.startswith("#") and entity not in ("lt", "gt", "amp", "quot"):
                return f"unsupported entity {token!r}", ""
            visible.append(html.unescape(token))
            continue
        closing, name = match.group(1), match.group(2).lower()
        if name not in ALLOWED_TAGS:
            return f"unsupported start tag {name!r}", ""
        if closing:
            if not stack or stack[-1] != name:
                return f"unmatched end tag {name!r}", ""
            stack.pop()
        else:
            stack.append(name)
    visible.append(text[last:])
    if stack:
        return f"unclosed start tag {stack[-1]!r}", ""
    return "", "".join(visible)
