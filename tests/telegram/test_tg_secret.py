"""The token: masked everywhere, read only from the environment or a private file."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import pytest

from liqterm.logs import redact, redact_http_logs
from liqterm.telegram.secret import (
    TOKEN_ENV,
    Secret,
    TokenError,
    load_token,
)

TOKEN = "123456789:AAH-secret_value_0123456789abcdef"


def test_secret_never_shows_itself() -> None:
    secret = Secret(TOKEN)
    for shown in (
        str(secret),
        repr(secret),
        f"{secret}",
        f"{secret!r}",
        f"{secret:>40}",
        f"{secret}",
        repr([secret]),
        repr({"t": secret}),
    ):
        assert TOKEN not in shown
    assert secret.reveal() == TOKEN
    assert secret == Secret(TOKEN)


def test_secret_refuses_pickling() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret(TOKEN))


def test_environment_wins(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("111111:other-token-in-file")
    path.chmod(0o600)
    assert load_token(str(path), {TOKEN_ENV: f"  {TOKEN}\n"}).reveal() == TOKEN


def test_private_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    path.chmod(0o600)
    assert load_token(str(path), {}).reveal() == TOKEN


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o620])
def test_file_others_can_read_is_refused_with_the_fix(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "token"
    path.write_text(TOKEN)
    path.chmod(mode)
    with pytest.raises(TokenError) as info:
        load_token(str(path), {})
    assert f"chmod 600 {path}" in str(info.value)
    assert TOKEN not in str(info.value)


def test_missing_everything_says_where_to_put_it() -> None:
    with pytest.raises(TokenError, match=TOKEN_ENV):
        load_token(None, {})


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TokenError, match="cannot read the token file"):
        load_token(str(tmp_path / "nope"), {})


@pytest.mark.parametrize("bad", ["not a token", "123:abc/def/../x", "12345:short", "abc:defghijklmnop"])
def test_malformed_token_is_refused_without_echoing_it(bad: str) -> None:
    with pytest.raises(TokenError) as info:
        load_token(None, {TOKEN_ENV: bad})
    assert bad not in str(info.value)


def test_redact_masks_value_and_bot_paths() -> None:
    text = f"POST https://api.telegram.org/bot{TOKEN}/sendMessage and {TOKEN} and /bot999:zz/getMe"
    Secret(TOKEN)  # a token in hand is registered with the redactor
    cleaned = redact(text)
    assert TOKEN not in cleaned and "999:zz" not in cleaned
    assert "/bot***/sendMessage" in cleaned and "/bot***/getMe" in cleaned


def test_a_registered_secret_is_masked_whatever_its_shape() -> None:
    # Not token-shaped, so only the registration can catch it.
    odd = "42:short"
    Secret(odd)
    assert redact(f"token={odd};") == "token=***;"
    assert redact("paths like /bottles/1 and /bot/x stay") == "paths like /bottles/1 and /bot/x stay"


def test_httpx_request_log_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    redact_http_logs()
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx").info(
        'HTTP Request: %s %s "%s"', "POST", f"https://api.telegram.org/bot{TOKEN}/sendMessage", "200 OK"
    )
    assert TOKEN not in caplog.text
    assert "/bot***/sendMessage" in caplog.text
