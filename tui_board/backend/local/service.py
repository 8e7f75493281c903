"""`LocalBackend`: the whole service layer, on a `Database` (SQLAlchemy: PostgreSQL, the
team server, and any part not yet in plain SQL).

`LocalBackend` is the whole `Backend` protocol; its parts live a file per concept and
are combined here. The team server wraps one of these per request's user.
"""

from __future__ import annotations

import threading

from tui_board.backend.local.imports import ImportService
from tui_board.backend.local.people import PeopleService
from tui_board.backend.local.reads import ReadService
from tui_board.backend.local.reports import ReportService
from tui_board.backend.local.schedule import ScheduleService
from tui_board.backend.waiting import wait_locally
from tui_board.core.models import Change
from tui_board.core.permissions import Actor


class LocalBackend(ImportService, PeopleService, ReportService, ScheduleService, ReadService):
    """The Backend on a database this process opens itself."""

    #: Set by `close`: ends a `wait_changes` in another thread.
    _closed: threading.Event | None = None

    def wait_changes(self, since: int, timeout: float, *, limit: int = 500) -> list[Change]:
        if self._closed is None:
            self._closed = threading.Event()
        return wait_locally(
            self.last_change,
            lambda seq, most: self.changes_since(seq, limit=most),
            since,
            timeout,
            limit,
            self._closed,
        )

    def close(self) -> None:
        if self._closed is None:
            self._closed = threading.Event()
        self._closed.set()
        super().close()

    def as_user(self, login: str) -> LocalBackend:
        """The same store seen by another person."""
        return LocalBackend(self.db, login, clock=self.clock)

    def for_request(
        self, actor: Actor, request_id: str | None = None, request_hash: str | None = None
    ) -> LocalBackend:
        """The server's view for one request: the person its token names, and the
        client's id for a write, so that a replay of it changes nothing."""
        return LocalBackend(
            self.db,
            actor.login,
            clock=self.clock,
            actor=actor,
            request_id=request_id,
            request_hash=request_hash,
        )


__all__ = ["LocalBackend"]
