"""`tui-board web`: the app in a browser, through textual-serve.

Each browser tab that connects gets an app process of its own, started as `tui-board`
with the options this command was given (`--db`, `--server`, `--config`, `--theme`); the
token goes through the environment (`TUI_BOARD_TOKEN`), never on a command line that
`ps` shows to everyone on the machine. The page has no login of its own: whoever reaches
the port uses the board as the person who started it, so it listens on 127.0.0.1 unless
told otherwise, and the way in from elsewhere is an SSH tunnel.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any

import click

from tui_board.cli.context import CliContext, pass_cli
from tui_board.cli.output import say
from tui_board.cli.serve import check_free

DEFAULT_PORT = 8766
#: The root command's options passed on to each app process, by click parameter name.
PASSED_ON = {"db": "--db", "server": "--server", "theme": "--theme", "config_path": "--config"}


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option(
    "--public-url",
    metavar="URL",
    help="The address browsers use, when it is not http://HOST:PORT (a proxy, 0.0.0.0).",
)
@pass_cli
def web(cli_ctx: CliContext, host: str, port: int, public_url: str | None) -> None:
    """Serve the app to a browser (textual-serve). It has no login of its own: by
    default only this machine reaches it (reach it from yours with `ssh -L`)."""
    from tui_board.extras import import_extra

    server_module = import_extra("textual_serve.server", "web")
    root = click.get_current_context().find_root()
    command = app_command(root.params)
    if cli_ctx.config.token:  # the environment, not the command line (`ps` shows that)
        os.environ["TUI_BOARD_TOKEN"] = cli_ctx.config.token
    if not cli_ctx.config.server:  # one line now, not a failed app in every tab
        cli_ctx.backend().me()
        cli_ctx.close()
    check_free(host, port)
    url = public_url or f"http://{host}:{port}"
    target = cli_ctx.config.server or cli_ctx.config.db_path
    say(f"tui-board web on {url} for {target}", err=True)
    say(
        "It has no login of its own: whoever reaches this port uses the board as you."
        + ("" if host in ("127.0.0.1", "localhost", "::1") else f" It listens on {host}!"),
        err=True,
    )
    say(
        f"From another machine: ssh -L {port}:127.0.0.1:{port} {_hostname()}, "
        f"then open http://127.0.0.1:{port}",
        err=True,
    )
    server = _quiet_server(server_module.Server)(
        command, host=host, port=port, title="tui-board", public_url=url
    )
    server.serve()


def app_command(params: dict[str, Any]) -> str:
    """The shell command each browser tab runs: this Python's tui-board, with the root
    command's options that were given."""
    words = [sys.executable, "-m", "tui_board"]
    for name, flag in PASSED_ON.items():
        value = params.get(name)
        if value:
            words += [flag, str(Path(value).absolute()) if name == "config_path" else value]
    return shlex.join(words)


def _hostname() -> str:
    import socket

    return socket.gethostname() or "HOST"


def _quiet_server(base: type) -> type:
    """textual-serve's server without its banner on stdout, logging warnings only (to
    stderr): what to say on start is said above."""

    class QuietServer(base):  # type: ignore[misc,valid-type]
        def initialize_logging(self) -> None:
            import logging

            logging.basicConfig(level="WARNING", stream=sys.stderr, format="%(message)s")

        async def on_startup(self, app: object) -> None:
            return None

    return QuietServer


COMMANDS = [web]
