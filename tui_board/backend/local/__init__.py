"""The service layer: every business rule, over SQLModel on SQLite or PostgreSQL.

`LocalBackend` is the whole `Backend` protocol; its parts live a file per concept and
are combined here. The team server wraps one of these per request's user.
"""

from __future__ import annotations

from tui_board.backend.local.people import PeopleService
from tui_board.backend.local.reports import ReportService
from tui_board.backend.local.tasks import TaskService


class LocalBackend(PeopleService, TaskService, ReportService):
    """The Backend on a database this process opens itself."""

    def as_user(self, login: str) -> LocalBackend:
        """The same store seen by another person (the server's per-request view)."""
        return LocalBackend(self.db, login, clock=self.clock)


__all__ = ["LocalBackend"]
