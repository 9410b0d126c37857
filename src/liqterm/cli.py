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
from liqterm.runtime import tune_gc

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
notify_app = typer.Typer(
    help="Send alerts to Discord, Slack, ntfy, e-mail... ([[notify]]): check the setup.", no_args_is_help=True
)
app.add_typer(notify_app, name="notify")

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


RecordOption = Annotated[
    Path | None,
    typer.Option("--record", help="Live monitor only: also record every raw frame to this file."),
]


@app.callback()
def main_callback(
    ctx: typer.Context,
    config: ConfigOption = None,
    verbose: VerboseOption = False,
    record: RecordOption = None,
) -> None:
    """Without a command, liqterm connects to the exchanges and opens the monitor."""
    STATE.config_file = config
    STATE.verbose = verbose
    if ctx.invoked_subcommand is None:
        run(record)


def run(record: Path | None = None) -> None:
    """Live: connect to every enabled venue and open the monitor."""
    cfg, path = load_config()
    start_logging()
    from liqterm.tui.app import run_live

    run_live(cfg, path, record=record)


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


@notify_app.command("test")
def notify_test(
    names: Annotated[
        list[str] | None, typer.Argument(help="Destination names (default: every enabled one).")
    ] = None,
) -> None:
    """Send a test message to each [[notify]] destination; on failure say why and exit 1."""
    cfg, _ = load_config()
    start_logging()
    from liqterm.notify.check import run_check

    code = run_check(cfg.notify, typer.echo, names=names or ())
    if code:
        raise typer.Exit(code)


# --- record / replay / watch (headless streams; modules imported lazily) --------------------

VenuesOption = Annotated[
    str | None,
    typer.Option("--venues", help="Comma-separated venue ids (default: those enabled in config)."),
]
OfflineOption = Annotated[
    bool,
    typer.Option("--offline-instruments", help="Use cached/bundled instrument tables; no REST."),
]


def _venues_or_exit(cfg: Config, venues: str | None) -> list[str]:
    from liqterm.streams.live import enabled_venues

    try:
        names = enabled_venues(cfg, venues.split(",") if venues else None)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if not names:
        raise fail("no venue enabled; pass --venues or enable one in the config")
    return names


@app.command()
def record(
    venues: VenuesOption = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Recording file, .jsonl or .jsonl.gz (default: liqterm-<UTC time>.jsonl.gz here).",
        ),
    ] = None,
    offline_instruments: OfflineOption = False,
) -> None:
    """Record every live frame to a file (JSON Lines); Ctrl-C stops and flushes."""
    import time

    cfg, _ = load_config()
    start_logging()
    names = _venues_or_exit(cfg, venues)
    from liqterm.headless import run_until_interrupted
    from liqterm.headless.record import record as record_frames

    path = output or Path(time.strftime("liqterm-%Y%m%d-%H%M%SZ.jsonl.gz", time.gmtime()))
    tty = sys.stderr.isatty()

    def status(line: str) -> None:
        if tty:
            typer.echo("\r\x1b[K" + line, err=True, nl=False)
        else:
            typer.echo(line, err=True)

    typer.echo(f"recording {', '.join(names)} to {path} (Ctrl-C to stop)", err=True)
    progress = run_until_interrupted(
        lambda stop: record_frames(
            cfg,
            names,
            path,
            status,
            stop,
            refresh=not offline_instruments,
            progress_every_s=1.0 if tty else 30.0,
        )
    )
    total = sum(progress.frames.values())
    if tty:
        typer.echo("", err=True)
    typer.echo(f"wrote {total} frames, {sum(progress.events.values())} liquidations to {path}", err=True)


@app.command()
def replay(
    file: Annotated[Path, typer.Argument(help="A recording (.jsonl or .jsonl.gz).")],
    speed: Annotated[str, typer.Option("--speed", help="N times the recorded pace, or 'max'.")] = "max",
    json_output: Annotated[
        bool, typer.Option("--json", help="Headless and flat out: one JSON object per line.")
    ] = False,
) -> None:
    """Feed a recording through the live decode -> engine path."""
    if not file.is_file():
        raise fail(f"no such recording: {file}")
    cfg, _ = load_config()
    start_logging()
    from liqterm.headless.replay import Pacer, replay_json, replay_text, summary_text

    if json_output:
        replay_json(file, sys.stdout, cfg)
        return
    pace = None
    if speed != "max":
        try:
            pace = Pacer(float(speed))
        except ValueError:
            raise fail(f"--speed must be a positive number or 'max', not {speed!r}") from None
    if sys.stdout.isatty():  # on a terminal: the app in REPLAY mode; piped: text lines
        from liqterm.tui.app import run_replay

        run_replay(cfg, config_path(STATE.config_file), file, pace.speed if pace else None)
        return
    summary = replay_text(file, sys.stdout, cfg, pace=pace)
    typer.echo(summary_text(summary))


@app.command()
def watch(
    venues: VenuesOption = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="One JSON object per line (as replay --json).")
    ] = False,
    offline_instruments: OfflineOption = False,
    record: Annotated[
        Path | None, typer.Option("--record", help="Also record every raw frame to this file.")
    ] = None,
) -> None:
    """Run the live pipeline headless: liquidations and alerts as lines (for servers and logs).

    It keeps the app's state (24 h whales, windows, alert cooldowns) across restarts, and
    forwards alerts to Telegram when that is switched on.
    """
    cfg, _ = load_config()
    start_logging()
    names = _venues_or_exit(cfg, venues)
    from liqterm.headless import run_until_interrupted
    from liqterm.headless.watch import watch as watch_venues

    def line(text: str) -> None:
        typer.echo(text)

    def status(text: str) -> None:
        typer.echo(text, err=True)

    run_until_interrupted(
        lambda stop: watch_venues(
            cfg,
            names,
            line,
            status,
            stop,
            json_lines=json_output,
            refresh=not offline_instruments,
            record=record,
        )
    )


@app.command("import-csv")
def import_csv_command(
    source: Annotated[Path, typer.Argument(help="Normalised Binance liquidation CSV.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Recording to write (.jsonl or .jsonl.gz).")],
) -> None:
    """Turn a normalised Binance liquidation CSV into a recording of derived forceOrder frames."""
    from liqterm.recording.import_csv import CsvFormatError, import_csv

    try:
        count = import_csv(source, output)
    except (OSError, CsvFormatError) as exc:
        raise fail(str(exc), 1) from None
    typer.echo(f"wrote {count} frames to {output}")


@app.command()
def backtest(
    files: Annotated[
        list[Path], typer.Argument(help="Recordings (.jsonl or .jsonl.gz), merged by receive time.")
    ],
    predictor: Annotated[
        list[str] | None,
        typer.Option(
            "--predictor", "-p", help="Score only these (repeatable); climatology is always the reference."
        ),
    ] = None,
    horizon: Annotated[int, typer.Option("--horizon", help="Forecast horizon in seconds.")] = 60,
    scored_from: Annotated[
        str | None,
        typer.Option("--from", help="Score only from this UTC time on (ISO), e.g. a walk-forward split."),
    ] = None,
    n_min: Annotated[
        list[str] | None,
        typer.Option("--n-min", help="Label N_min per scope: union=100, bybit=30, asset=8 (repeatable)."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object instead of tables.")] = False,
) -> None:
    """Score cascade predictors on recordings against labelled cascade onsets."""
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise fail(f"no such recording: {', '.join(missing)}")
    cfg, _ = load_config()
    start_logging()
    try:  # the lab is a separate package: the product runs without it
        from liqterm_lab.report import render_text, run_backtest, to_json
        from liqterm_lab.runner import ALL_PREDICTORS
    except ModuleNotFoundError as exc:
        if exc.name != "liqterm_lab" and not (exc.name or "").startswith("liqterm_lab."):
            raise
        raise fail(
            "the backtest lives in liqterm's lab, which is not installed; from a checkout of "
            "liqterm run `.venv/bin/pip install ./lab` (make test installs it too)",
            1,
        ) from None

    tty = sys.stderr.isatty()
    shown = False

    def progress(line: str) -> None:
        nonlocal shown
        shown = True
        typer.echo(("\r\x1b[K" if tty else "") + line, err=True, nl=not tty)

    try:
        chosen = predictor or ALL_PREDICTORS
        report = run_backtest(files, chosen, horizon, cfg, scored_from, progress=progress, n_min=n_min or ())
    except ValueError as exc:
        if tty and shown:  # end the progress line first
            typer.echo("", err=True)
        raise fail(str(exc)) from None
    if tty and shown:
        typer.echo("", err=True)
    data = report["data"]
    if data.get("bad_lines"):
        typer.echo(
            f"warning: {data['bad_lines']} unreadable line(s) of the recording(s) skipped "
            f"(last: {data['bad_line_last']}); the figures cover the rest",
            err=True,
        )
    typer.echo(to_json(report) if json_output else render_text(report))


def main() -> None:
    """Console-script entry point."""
    tune_gc()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
