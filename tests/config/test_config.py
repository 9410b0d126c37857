"""Config: defaults, key-named errors, paths, the starter file, and the comment-keeping saver."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from liqterm.config import AssetThresholds, Config, ConfigError, SessionMultipliers, config_path, load, loads
from liqterm.config.render import starter_text
from liqterm.config.save import save_asset_thresholds, update_file

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_are_the_seeds() -> None:
    t = Config().thresholds
    assert t.for_asset("BTC").base == 500_000 and t.for_asset("BTC").whale == 1_000_000
    assert t.for_asset("BTC").cascade == 2_500_000
    assert (t.for_asset("ETH").base, t.for_asset("ETH").whale, t.for_asset("ETH").cascade) == (
        250_000,
        500_000,
        1_000_000,
    )
    assert (t.for_asset("SOL").base, t.for_asset("SOL").cascade) == (100_000, 400_000)
    for asset in ("ADA", "DOT", "ANYTHING"):
        assert (t.for_asset(asset).base, t.for_asset(asset).whale, t.for_asset(asset).cascade) == (
            50_000,
            100_000,
            150_000,
        )
    assert t.sessions == SessionMultipliers(asian=0.7, european=0.9, us=1.0, weekend=0.5)


def test_absent_file_gives_defaults(tmp_path: Path) -> None:
    assert load(tmp_path / "missing.toml") == Config()


def test_starter_file_is_the_example_and_loads_to_the_defaults() -> None:
    assert (ROOT / "config.example.toml").read_text(encoding="utf-8") == starter_text()
    assert loads(starter_text()) == Config()


def test_partial_asset_override_keeps_the_rest() -> None:
    config = loads("[thresholds.assets.BTC]\nbase = 600000\n[thresholds.assets.pepe]\nwhale = 120000\n")
    btc = config.thresholds.assets["BTC"]
    assert (btc.base, btc.whale, btc.cascade) == (600_000, 1_000_000, 2_500_000)
    pepe = config.thresholds.assets["PEPE"]
    assert (pepe.base, pepe.whale, pepe.cascade) == (50_000, 120_000, 150_000)


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("[thresholds.default]\nbase = 'big'\n", "thresholds.default.base", "a finite number"),
        ("[thresholds.assets.BTC]\nbase = 3000000\n", "thresholds.assets.BTC", "base <= whale <= cascade"),
        ("[thresholds.sessions]\nasian = -1\n", "thresholds.sessions.asian", "a positive number"),
        ("[thresholds.sessions]\nlunch = 1.0\n", "thresholds.sessions.lunch", "known keys"),
        ("[alerts]\nmin_class = 'huge'\n", "alerts.min_class", "one of large, whale, institutional"),
        ("[alerts]\npossible = 0.8\nwarning = 0.7\n", "alerts.possible", "possible < warning"),
        ("[tui]\ntick_hz = 100\n", "tui.tick_hz", "1 to 20"),
        ("[tui]\npinned = 'BTC'\n", "tui.pinned", "a list of strings"),
        ("[tui]\nhide_retail = 1\n", "tui.hide_retail", "true or false"),
        ("[venues.kraken]\nenabled = true\n", "venues.kraken", "known keys"),
        ("[venues.okx]\nurl = 'http://x'\n", "venues.okx.url", "ws:// or wss://"),
        (
            "[venues.okx]\nmark_prices = ['BTC-USDT-SWAP']\n",
            "venues.okx.mark_prices",
            "on binance, bybit only",
        ),
        (
            "[venues.bybit]\nmark_prices = ['*']\n",
            "venues.bybit.mark_prices",
            "no all-symbol mark-price stream",
        ),
        ("[venues.binance]\nmark_prices = ['*', 'ETHUSDT']\n", "venues.binance.mark_prices", '["*"] alone'),
        ("[venues.binance]\nmark_prices = ['BTC USDT']\n", "venues.binance.mark_prices", "USDT perpetuals"),
        ("[venues.bybit]\nmark_prices = ['btcusdt']\n", "venues.bybit.mark_prices", "USDT perpetuals"),
        ("[venues.bybit]\nmark_prices = ['BTCPERP']\n", "venues.bybit.mark_prices", "USDT perpetuals"),
        (
            "[venues.bybit]\nmark_prices = [" + ", ".join(f"'S{i}USDT'" for i in range(51)) + "]\n",
            "venues.bybit.mark_prices",
            "at most 50 symbols on bybit",
        ),
        ("[venues.binance]\nmark_prices = ['ETHUSDT', 'ETHUSDT']\n", "venues.binance.mark_prices", "once"),
        (
            "[venues.binance]\nmark_prices = [" + ", ".join(f"'S{i}USDT'" for i in range(1001)) + "]\n",
            "venues.binance.mark_prices",
            "at most 1000 symbols on binance",
        ),
        ("[telegram]\nenabled = true\n", "telegram.chat_ids", "at least one chat id"),
        ("[telegram]\ntoken = 'abc'\n", "telegram.token", "LIQTERM_TELEGRAM_TOKEN"),
        ("[telegram]\nchat_ids = ['me']\n", "telegram.chat_ids[0]", "an integer"),
        ("[cascade]\npredictor = 'magic'\n", "cascade.predictor", "one of liqterm, seed, hawkes"),
        ("[engine]\ncorrelation_window_s = 120\n", "engine.correlation_window_s", "at most 60"),
        ("thresholds = 5\n", "thresholds", "a table"),
        ("colour = 'red'\n", "colour", "known keys"),
        ("[tui\n", "<file>", "valid TOML"),
    ],
)
def test_bad_values_name_the_dotted_key(text: str, key: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        loads(text)
    assert caught.value.key == key
    assert expected in str(caught.value)
    assert str(caught.value).startswith(f"{key}: expected ")


def test_config_path_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert config_path().name == "config.toml"
    assert config_path().is_relative_to(os.environ["XDG_CONFIG_HOME"])  # never the real one
    monkeypatch.setenv("LIQTERM_CONFIG", str(tmp_path / "env.toml"))
    assert config_path() == tmp_path / "env.toml"
    assert config_path(tmp_path / "flag.toml") == tmp_path / "flag.toml"


def test_save_keeps_comments_and_other_keys(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "# my notes\n[thresholds.assets.BTC]  # tuned after the March flush\nbase = 600000.0\n"
        "\n[tui]\npinned = ['SOL']  # I trade SOL\n",
        encoding="utf-8",
    )
    os.chmod(path, 0o640)
    config = save_asset_thresholds(path, "btc", AssetThresholds(700_000, 1_400_000, 3_000_000))
    text = path.read_text(encoding="utf-8")
    assert "# my notes" in text and "# tuned after the March flush" in text and "# I trade SOL" in text
    assert config.thresholds.assets["BTC"].whale == 1_400_000
    assert load(path) == config
    assert config.tui.pinned == ("SOL",)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # the user's mode is kept
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temp file left behind


def test_save_creates_a_private_file_and_refuses_invalid_values(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    update_file(path, {"tui.tick_hz": 8.0})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_text(encoding="utf-8")
    with pytest.raises(ConfigError):
        update_file(path, {"tui.tick_hz": 500.0})
    assert path.read_text(encoding="utf-8") == before


def _cli(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "liqterm.cli", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_cli_bad_config_exits_2_with_the_key_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[alerts]\ncooldown_s = 'soon'\n", encoding="utf-8")
    result = _cli("--config", str(bad), "config", "show")
    assert result.returncode == 2
    assert "alerts.cooldown_s: expected a finite number" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_cli_config_init_path_and_show(tmp_path: Path) -> None:
    target = tmp_path / "new" / "config.toml"
    env = {"LIQTERM_CONFIG": str(target)}
    assert _cli("config", "path", env_extra=env).stdout.strip() == str(target)
    created = _cli("config", "init", env_extra=env)
    assert created.returncode == 0 and target.exists()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    again = _cli("config", "init", env_extra=env)
    assert again.returncode != 0 and "--force" in again.stderr
    assert _cli("config", "init", "--force", env_extra=env).returncode == 0
    shown = _cli("config", "show", env_extra=env)
    assert shown.returncode == 0 and "[thresholds.assets.BTC]" in shown.stdout
