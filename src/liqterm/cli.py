"""The ``liqterm`` command line (typer).

Each command is a thin shell: it loads the configuration (turning a bad file into
one clear line and exit status 2), sets up logging, and hands over to the part of
the package that does the work. Heavy imports happen inside the commands so
``liqterm --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from liqterm.config import Config, ConfigError, config_path, load

app = typer.Typer(
    name="liqterm",
    help="Watch crypto liquidations across venues in your terminal.",
    no_args_is_help=False,
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Find, show or create the configuration file.", no_args_is_help=True)
app.add_typer(config_app, name="config")
telegram_app = typer.Typer(help="Forward alerts to Telegram: check the setup.", no_args_is_help=True)
app.add_typer(telegram_app, name="telegram")

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Config file (default: $LIQTERM_CONFIG or the user config dir)."),
]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Debug detail in the log file.")]


class _State:
    config_file: Path | None = None
    verbose: bool = False


STATE = _State()


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one line to stderr and return the Exit to raise (no traceback)."""
    typer.echo(f"liqterm: {message}", err=True)
    return typer.Exit(code)


def load_config() -> tuple[Config, Path]:
    """The configuration for this invocation, or exit 2 with the dotted key that is wrong."""
    path = config_path(STATE.config_file)
    try:
        return load(path), path
    except ConfigError as exc:
        raise fail(f"bad config {path}: {exc}") from None


def start_logging() -> Path:
    from liqterm.logs import setup_logging

    return setup_logging(verbose=STATE.verbose)


@app.callback()
def main_callback(
    ctx: typer.Context,
    config: ConfigOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Without a command, liqterm connects to the exchanges and opens the monitor."""
    STATE.config_file = config
    STATE.verbose = verbose
    if ctx.invoked_subcommand is None:
        run()


def run() -> None:
    """Live: connect to every enabled venue and open the monitor."""
    cfg, path = load_config()
    start_logging()
    try:
        from liqterm.tui.app import run_live
    except ImportError:
        raise fail("the terminal app is not built yet; try `liqterm watch`", 1) from None
    run_live(cfg, path)


@app.command()
def demo(
    loops: Annotated[int, typer.Option(help="Times to loop the recording (0 = forever).")] = 0,
) -> None:
    """Offline demo on bundled real Binance liquidations; needs no network."""
    cfg, path = load_config()
    start_logging()
    from liqterm.demo import run_demo

    run_demo(cfg, path, loops=loops)


@config_app.command("path")
def config_path_command() -> None:
    """Print the config file's path (it need not exist)."""
    typer.echo(str(config_path(STATE.config_file)))


@config_app.command("show")
def config_show() -> None:
    """Print the effective configuration (file merged over the defaults) as TOML."""
    from liqterm.config.render import render_config

    cfg, path = load_config()
    typer.echo(f"# effective configuration ({'from ' + str(path) if path.exists() else 'defaults'})")
    typer.echo(render_config(cfg))


@config_app.command("init")
def config_init(
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter config file (mode 0600)."""
    from liqterm.config.render import starter_text
    from liqterm.config.save import write_atomic

    path = config_path(STATE.config_file)
    if path.exists() and not force:
        raise fail(f"{path} exists; use --force to overwrite it", 1)
    write_atomic(path, starter_text())
    path.chmod(0o600)
    typer.echo(f"wrote {path}")


@telegram_app.command("test")
def telegram_test(
    chat: Annotated[
        list[int] | None,
        typer.Option("--chat", help="Test this chat id instead of [telegram] chat_ids (repeatable)."),
    ] = None,
) -> None:
    """Send a test message to each chat; on failure say why in plain words and exit 1."""
    cfg, _ = load_config()
    from liqterm.telegram.check import run_check

    code = run_check(cfg.telegram, typer.echo, chats=chat or ())
    if code:
        raise typer.Exit(code)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
