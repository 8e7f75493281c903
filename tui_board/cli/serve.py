"""`tui-board serve`: the team server."""

from __future__ import annotations

import click

from tui_board.cli.context import CliContext, pass_cli
from tui_board.cli.output import say


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
    uvicorn = import_extra("uvicorn", "server")

    target = db or cli_ctx.config.db_path
    Database.open(target).close()  # fails early, with one line, on a missing or old store
    os.environ["TUI_BOARD_SERVE_DB"] = target
    say(f"tui-board server on http://{host}:{port} for {target}", err=True)
    uvicorn.run(
        "tui_board.server.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


COMMANDS = [serve]
