"""Backends: where the board's data lives. Screens and the CLI see only `Backend`.

Importing this package is cheap; the heavy imports (SQLModel, httpx) happen inside
`open_backend`, which the app calls in a worker after its first frame.
"""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING

from tui_board.core.clock import Clock, system_clock
from tui_board.core.errors import Invalid

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.config import Config


def current_login() -> str:
    """Who I am in local mode: the OS login, or TUI_BOARD_USER (not a security boundary:
    anyone who can write the database file can be anyone)."""
    return os.environ.get("TUI_BOARD_USER") or getpass.getuser()


def full_name(login: str) -> str:
    """A person's name from the system's user database (GECOS), else the login."""
    import pwd

    try:
        gecos = pwd.getpwnam(login).pw_gecos.split(",")[0].strip()
    except KeyError:
        gecos = ""
    return gecos or login


def open_backend(
    config: Config,
    *,
    login: str | None = None,
    clock: Clock = system_clock,
    create: bool = False,
) -> Backend:
    """Open the backend the config names: a team server when `server` is set, else the
    database `db` (a SQLite path or a database URL). A local SQLite file is migrated to
    the current schema on open (after a backup); `create=True` allows a new file."""
    if config.server:
        from tui_board.backend.remote import RemoteBackend
        from tui_board.config import check_server_url

        try:
            check_server_url(config.server)
        except Invalid as error:  # (a file an older version wrote: its load took it)
            raise Invalid(
                f"{error.message} (in {config.path or 'the config'}; `tui-board config set "
                "server URL` mends it)"
            ) from None

        return RemoteBackend.connect(config.server, config.token, clock=clock)
    login = login or current_login()
    if not create and "://" not in config.db_path:
        # A local file at the current schema: the plain-SQL operations on sqlite3 at
        # once, the rest on SQLAlchemy when first asked for.
        from pathlib import Path

        from tui_board.backend.local.file import open_file

        found = open_file(Path(config.db_path).expanduser().resolve(), login, clock=clock)
        if found is not None:
            return found
    from tui_board.backend.local import LocalBackend
    from tui_board.store.database import Database

    database = Database.open(config.db_path, create=create)
    return LocalBackend(database, login, clock=clock)
