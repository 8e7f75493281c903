"""The service layer: every business rule, in one place, on SQLite or PostgreSQL.

`LocalBackend` (service.py) is the whole `Backend` protocol; its parts live a file per
concept. `FileBackend` (file.py) is what a local board file is opened as: the parts in
plain SQL run on the standard library's `sqlite3` at once, the rest on `LocalBackend`,
opened on first use. Importing this package imports neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui_board.backend.local.service import LocalBackend

__all__ = ["LocalBackend"]


def __getattr__(name: str) -> Any:
    if name == "LocalBackend":
        from tui_board.backend.local.service import LocalBackend

        return LocalBackend
    raise AttributeError(name)
