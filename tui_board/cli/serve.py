"""`tui-board serve`: the team server."""

from __future__ import annotations

import errno

import click

from tui_board.cli.context import CliContext, pass_cli
from tui_board.cli.output import fail, say

#: Seconds a stopping server lets open requests finish before it ends them.
SHUTDOWN_GRACE_SECONDS = 2


@click.command()
@click.option("--db", "db", metavar="PATH|URL", help="A SQLite file or postgresql://... URL.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Server processes.")
@pass_cli
def serve(cli_ctx: CliContext, db: str | None, host: str, port: int, workers: int) -> None:
    """Serve the board to tui-board clients over HTTP (see README: team server).

    A SQLite file is upgraded to the current schema on start; a PostgreSQL database
    must be upgraded first with `tui-board db upgrade --db URL`.
    """
    import os

    from tui_board.extras import import_extra
    from tui_board.store.database import Database

    import_extra("fastapi", "server")
    import_extra("greenlet", "server")  # the service layer on the loop (server/green.py)
    import_extra("orjson", "server")  # the answers' JSON
    uvicorn = import_extra("uvicorn", "server")

    target = db or cli_ctx.config.db_path
    Database.open(target).close()  # fails early, with one line, on a missing or old store
    check_free(host, port)  # before the banner: a server that cannot listen is not one
    os.environ["TUI_BOARD_SERVE_DB"] = target
    say(f"tui-board server on http://{host}:{port} for {target}", err=True)
    uvicorn.run(
        "tui_board.server.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        # Clients' long polls (`GET /changes?wait=`) are open requests: answered by
        # their end, not waited for, when the server stops.
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )


def check_free(host: str, port: int) -> None:
    """Bind `host:port` as uvicorn will (SO_REUSEADDR: a port in TIME_WAIT is free, one
    another program listens on is not), then let it go; else one line and exit 1."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as error:
        fail(f"cannot listen on {host}:{port}: {getattr(error, 'strerror', None) or error}")
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
            probe.listen()
        except OSError as error:
            reason = error.strerror or str(error)
            hint = ""
            if error.errno == errno.EADDRINUSE:
                hint = " (another program listens there: stop it, or pick another --port)"
            fail(f"cannot listen on {host}:{port}: {reason}{hint}")


COMMANDS = [serve]
