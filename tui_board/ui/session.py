"""Where the app is with its backend: opening it, signed in, or failed to open it.

The app holds one of these in `BoardApp.connection`; every mode screen watches it, so a
screen made later (modes are built on first visit) sees the same state as the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui_board.core.errors import BoardError

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.config import Config
    from tui_board.core.models import User


@dataclass(frozen=True)
class Opening:
    """The backend is being opened in a worker; `target` says which one."""

    target: str


@dataclass(frozen=True)
class Connected:
    """The backend answered: who I am and where the data lives."""

    backend: Backend
    me: User

    @property
    def who(self) -> str:
        """`Alice Example (alice) · admin`, or `alice · admin` when the name is the
        login: what the header shows (`alice (alice, admin)` said the login twice)."""
        name, login = self.me.name.strip(), self.me.login
        person = login if name in ("", login) else f"{name} ({login})"
        return f"{person} · {self.me.role}"


@dataclass(frozen=True)
class Failed:
    """Opening the backend failed; `message` is for the user to read."""

    target: str
    message: str


Connection = Opening | Connected | Failed


def describe_target(config: Config) -> str:
    """What the config points at, before anything is opened (no heavy imports here)."""
    if config.server:
        return f"server: {config.server}"
    return f"local: {config.db_path}"


def describe_error(error: BaseException) -> str:
    """One line a user can read: a BoardError's own message; what a SQLite error a user
    can cause means (a read-only or damaged file); an OS error's reason; else, for a
    bug, its text and kind (still not a traceback on the screen)."""
    if isinstance(error, BoardError):
        return error.message
    from tui_board.store.sqlite_file import store_error

    failed = store_error(error, None)
    if failed is not None:
        return failed.message
    if isinstance(error, OSError) and error.strerror:
        return f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    text = str(error).strip().splitlines()
    name = type(error).__name__
    return f"unexpected error: {text[0]} ({name})" if text else f"unexpected error ({name})"
