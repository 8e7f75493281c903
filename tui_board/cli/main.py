"""The `tui-board` command: the bare command opens the app, subcommands do one thing.

Only click is imported up front; each command imports what it needs, so that
`tui-board log 1h30 WEB-12` pays for the store and nothing else.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tui_board import __version__
from tui_board.cli.context import CliContext, pass_cli
from tui_board.cli.output import emit_json, fail, neutralise, say

if TYPE_CHECKING:
    from tui_board.config import Config


class BoardGroup(click.Group):
    """Turns every error a user can cause into one line on stderr and an exit code;
    click's own usage errors, which echo what was typed, are made printable first."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            self._load(module)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in sorted(set(COMMAND_MODULES.values())):
            self._load(module)
        return super().list_commands(ctx)

    def _load(self, module: str) -> None:
        import importlib

        for command in importlib.import_module(f"tui_board.cli.{module}").COMMANDS:
            self.add_command(command)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.ClickException as error:
            raise neutralise(error) from None

    def invoke(self, ctx: click.Context) -> object:
        from tui_board.core.errors import BoardError

        try:
            return super().invoke(ctx)
        except BoardError as error:
            fail(error.message, 2 if error.kind == "invalid" else 1)
        except click.ClickException as error:
            raise neutralise(error) from None
        except (click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except BrokenPipeError:
            # The reader (`| head`) has gone: stop quietly, as Unix tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise SystemExit(141) from None
        except Exception as error:  # the last line of defence: never a traceback
            if os.environ.get("TUI_BOARD_DEBUG"):
                raise
            fail(_describe(error))
        return None


def _describe(error: Exception) -> str:
    from tui_board.store.sqlite_file import store_error

    failed = store_error(error, None)
    if failed is not None:
        return failed.message
    name = type(error).__name__
    if name == "OperationalError":
        detail = str(getattr(error, "orig", error)).splitlines()[0]
        return f"the database could not be used: {detail}"
    if isinstance(error, ValueError) and "embedded null" in str(error):
        return "a file name may not hold U+0000 (NUL)"  # what the OS refuses in a path
    if name in ("ConnectError", "ConnectTimeout"):
        return f"cannot reach the server: {error}"
    detail = (str(error).splitlines() or [""])[0]
    return f"unexpected error: {name}: {detail} (set TUI_BOARD_DEBUG=1 for details)"


@click.group(cls=BoardGroup, invoke_without_command=True)
@click.option("--db", "db", metavar="PATH", help="Use this database (a SQLite file or URL).")
@click.option("--server", metavar="URL", help="Use this team server.")
@click.option("--token", metavar="TOKEN", envvar="TUI_BOARD_TOKEN", help="API token for --server.")
@click.option("--theme", metavar="NAME", help="Theme for the app.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read this config file instead of the user's.",
)
@click.version_option(__version__, prog_name="tui-board")
@click.pass_context
def cli(
    ctx: click.Context,
    db: str | None,
    server: str | None,
    token: str | None,
    theme: str | None,
    config_path: Path | None,
) -> None:
    """A keyboard-first team board: kanban, weekly timesheet and workload.

    Run with no command to open the app.

    \b
    Environment:
      TUI_BOARD_CONFIG  the config file (default: `tui-board locate config`)
      TUI_BOARD_DATA    the data folder: the default database, the app's state
      TUI_BOARD_USER    the login on a local database (default: the OS login)
      TUI_BOARD_TOKEN   the API token for --server
      TUI_BOARD_DEBUG   1: a traceback with an unexpected error
    """
    from tui_board.config import Config

    if config_path is not None:  # (`--config=~/x` reaches us with its ~: no shell expands it)
        config_path = config_path.expanduser()
    config = Config.load(config_path)
    if db:
        config.db, config.server = db, ""
    if server:
        config.set("server", server, source="--server")
    if token:
        config.token = token
    if theme:
        config.set("theme", theme, source="--theme")
    ctx.obj = CliContext(config, config_path)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        run_app(ctx.obj.config)


def run_app(config: Config) -> None:
    """The app, in this terminal; one line and exit 2 when there is none (output to a
    file or a pipe would fill it with escape codes, and input at its end spins)."""
    import os
    import sys

    web = bool(os.environ.get("TEXTUAL_DRIVER"))  # served (textual-serve): no terminal
    if not web and not (sys.stdin.isatty() and sys.stdout.isatty()):
        which = "output" if sys.stdin.isatty() else "input"
        fail(
            f"the app needs a terminal, and its {which} is not one; the commands work "
            "anywhere (tui-board --help)",
            code=2,
        )
    from tui_board.ui.app import make_app

    app = make_app(config)
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)


# --- setting up ------------------------------------------------------------------------


@cli.command()
@click.option(
    "--db",
    "db",
    metavar="PATH",
    help="Where to create it (a new or empty file; default: the config's).",
)
@pass_cli
def init(cli_ctx: CliContext, db: str | None) -> None:
    """Create a database (in a new file, or an empty one); you become its admin."""
    from tui_board.store.database import database_url, sqlite_path

    if db:
        cli_ctx.config.db = db
    target = cli_ctx.config.db_path
    path = sqlite_path(target)
    if path is not None and Path(target).expanduser().is_symlink():
        # Someone who can write the folder could aim it anywhere the caller may write.
        fail(f"{target} is a symbolic link; init makes a board only at a real path")
    if path is not None and path.exists() and (not path.is_file() or path.stat().st_size):
        fail(f"{target} already exists and is not empty; use it with --db {target}")
    me = cli_ctx.backend(create=True).me()
    say(f"Created {database_url(target).removeprefix('sqlite:///')}; {me.login} is its admin.")
    if db:
        say(f"Use it with: tui-board --db {db} ...  (or: tui-board config set db {db})")


@cli.command()
@click.option("--db", "db", metavar="PATH", help="Write the demo here (default: a new temp file).")
@click.option(
    "--seed", default=7, show_default=True, help="Random seed: the same seed, the same data."
)
@click.option("--users", default=8, show_default=True, help="People (in teams of about four).")
@click.option("--tasks", default=80, show_default=True, help="Tasks over three projects.")
@click.option("--weeks", default=10, show_default=True, help="Weeks of logged time.")
@click.option(
    "--no-open", is_flag=True, help="Make the database, print its path, do not open the app."
)
@pass_cli
def demo(
    cli_ctx: CliContext,
    db: str | None,
    seed: int,
    users: int,
    tasks: int,
    weeks: int,
    no_open: bool,
) -> None:
    """Open the app on a fresh demo database: nothing to set up."""
    import tempfile
    import time

    from tui_board.backend import current_login
    from tui_board.demo import DemoSize, make_demo

    if db is None:
        db = str(Path(tempfile.mkdtemp(prefix="tui-board-demo-")) / "demo.db")
    elif Path(db).exists():
        fail(f"{db} already exists; the demo writes a new database")
    started = time.perf_counter()
    counts = make_demo(
        db,
        login=current_login(),
        size=DemoSize(users, tasks, weeks),
        seed=seed,
        progress=None if no_open else lambda text: say(text, err=True),
    )
    took = time.perf_counter() - started
    summary = ", ".join(f"{n:,} {what}" for what, n in counts.items())
    say(f"Demo database {db}: {summary} ({took:.1f} s)", err=no_open)
    if no_open:
        say(db)
        return
    cli_ctx.config.db, cli_ctx.config.server = db, ""
    run_app(cli_ctx.config)
    # Said after the app, where it is read: the temp folder is left for another look.
    say(f"The demo's database stays at {db}: `tui-board --db {db}` opens it again.", err=True)


@cli.group("config")
def config_group() -> None:
    """Read and change settings (TOML)."""


@config_group.command("get")
@click.argument("key")
@click.option("--reveal", is_flag=True, help="Print a secret (the token) in full.")
@pass_cli
def config_get(cli_ctx: CliContext, key: str, reveal: bool) -> None:
    """Print one setting (the token masked unless --reveal)."""
    say(cli_ctx.config.shown(key, cli_ctx.config.get(key), reveal=reveal))


@config_group.command("set")
@click.argument("key")
@click.argument("value")
@pass_cli
def config_set(cli_ctx: CliContext, key: str, value: str) -> None:
    """Change one setting in your config file."""
    from tui_board.config import Config, save_user_value, user_themes_dir

    if key == "theme":
        from tui_board.themes import load_themes

        known = sorted(load_themes()[0])
        if value not in known:
            fail(
                f"no theme {value!r}; themes: {', '.join(known)} (add your own as TOML "
                f"files in {user_themes_dir()})",
                2,
            )
    path = save_user_value(key, value, cli_ctx.config_path)
    say(f"{key} = {Config.shown(key, value)}  ({path})")


@config_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def config_list(cli_ctx: CliContext, as_json: bool) -> None:
    """Print every setting in force (the token masked)."""
    values = cli_ctx.config.listing()
    if as_json:
        emit_json(values)
        return
    for key, value in values.items():
        say(f"{key} = {value}")


@cli.command()
@click.argument("what", type=click.Choice(["config", "data", "themes", "db"]))
@pass_cli
def locate(cli_ctx: CliContext, what: str) -> None:
    """Print where tui-board keeps its config, data, user themes or database."""
    from tui_board.config import user_config_path, user_data_dir, user_themes_dir

    paths = {
        "config": cli_ctx.config_path or user_config_path(),
        "data": user_data_dir(),
        "themes": user_themes_dir(),
        "db": cli_ctx.config.server or cli_ctx.config.db_path,
    }
    say(str(paths[what]))


@cli.group("db")
def db_group() -> None:
    """Database upkeep: upgrade the schema, back up."""


@db_group.command("upgrade")
@click.option("--db", "db", metavar="PATH|URL", help="The database (default: the config's).")
@pass_cli
def db_upgrade(cli_ctx: CliContext, db: str | None) -> None:
    """Bring a database's schema up to date (a SQLite file is backed up first)."""
    from tui_board.store import sqlite_file
    from tui_board.store.database import SCHEMA_HEAD, Database, sqlite_path

    target = db or cli_ctx.config.db_path
    path = sqlite_path(target)
    if path is not None:
        sqlite_file.prepare(path, create=False)  # ours, or refused before any write
    database = Database.connect(target)
    try:
        with database.explained():
            before = database.schema_revision()
            if before == SCHEMA_HEAD:
                say(f"The schema is current ({SCHEMA_HEAD}).")
                return
            if before is not None and database.path is not None:
                say(f"Backed up to {database.backup_before_upgrade(before)}")
            database.upgrade()
            after = database.schema_revision()
        say(f"Upgraded the schema from {before or 'nothing'} to {after}.")
    finally:
        database.close()


@db_group.command("backup")
@click.argument("destination", type=click.Path(path_type=Path))
@click.option("--db", "db", metavar="PATH", help="The database (default: the config's).")
@click.option("--force", is_flag=True, help="Replace DESTINATION if it exists.")
@pass_cli
def db_backup(cli_ctx: CliContext, destination: Path, db: str | None, force: bool) -> None:
    """Copy the SQLite database, consistently, while others use it (to a new file
    unless --force)."""
    from tui_board.store.database import Database

    database = Database.open(db or cli_ctx.config.db_path, migrate=False)
    try:
        say(f"Backed up to {database.backup(destination, replace=force)}")
    finally:
        database.close()


#: Which module holds each subcommand: a command imports only its own module (a test
#: keeps this in step with each module's COMMANDS).
COMMAND_MODULES = {
    "user": "people",
    "team": "people",
    "project": "work",
    "customer": "work",
    "task": "work",
    "log": "time",
    "timer": "time",
    "week": "time",
    "submit": "time",
    "approve": "time",
    "reject": "time",
    "weeks": "time",
    "lock": "time",
    "timeoff": "time",
    "workload": "reports",
    "export": "transfer",
    "import": "transfer",
    "serve": "serve",
    "web": "web",
    "remind": "remind",
    "undo": "undo",
    "schedule": "schedule",
    "plan": "schedule",
    "milestone": "schedule",
    "report": "schedule",
}


def main() -> None:
    cli(prog_name="tui-board")


if __name__ == "__main__":
    main()
