"""The ORM's view of the lookups in `base.py`, for the parts of the service layer that
still change rows as SQLModel objects. Each finds the row with the plain-SQL lookup
(one rule, one message) and hands back the session's object for it."""

from __future__ import annotations

from typing import cast

from sqlmodel import select

from tui_board.backend.local.base import ServiceBase
from tui_board.core.errors import NotFound
from tui_board.core.permissions import Actor
from tui_board.core.text import check_text as refuse_controls
from tui_board.store.database import OrmTx
from tui_board.store.tables import ProjectRow, TaskRow, TeamRow, UserRow


class OrmService(ServiceBase):
    def _user_row(self, s: OrmTx, login: str, what: str = "a login") -> UserRow:
        found = self._user_at(s, login, what)  # type: ignore[arg-type]
        return cast(UserRow, s.get(UserRow, found.id))

    def _visible_user_row(self, s: OrmTx, actor: Actor, login: str | None) -> UserRow:
        """The named person (me when None), if the actor may see their data."""
        found = self._visible_user_at(s, actor, login)  # type: ignore[arg-type]
        return cast(UserRow, s.get(UserRow, found.id))

    def _team_row(self, s: OrmTx, name: str, what: str = "a team") -> TeamRow:
        refuse_controls(name, what)
        row = s.exec(select(TeamRow).where(TeamRow.name == name)).first()
        if row is None:
            raise NotFound(f"no team {name!r}")
        return row

    def _project_row(self, s: OrmTx, key: str, *, lock: bool = False) -> ProjectRow:
        project_id = self._project_id(s, key)  # type: ignore[arg-type]
        return cast(
            ProjectRow,
            s.get(ProjectRow, project_id, with_for_update=lock or None, populate_existing=lock),
        )

    def _task_row(self, s: OrmTx, key: str, *, lock: bool = False) -> TaskRow:
        found = self._task_at(s, key, lock=lock)  # type: ignore[arg-type]
        # read afresh when locked: the lock was taken by the lookup
        return cast(TaskRow, s.get(TaskRow, found.id, populate_existing=lock))
