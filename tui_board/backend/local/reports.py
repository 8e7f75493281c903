"""Reading across people: workload, time reports and the change feed."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from tui_board.backend.local.time import trow_key
from tui_board.backend.local.weeks import WeekService
from tui_board.backend.local.workload import WorkloadService
from tui_board.core.models import (
    Change,
    ReportRow,
)
from tui_board.core.permissions import Actor
from tui_board.store.database import OrmTx
from tui_board.store.tables import (
    ChangeRow,
    ProjectRow,
    TaskRow,
    TeamRow,
    TimeEntryRow,
    UserRow,
)

#: Changes to a person's own things: their time (entries, the timer, time off, their
#: weeks and timesheet rows) and their API tokens. Only those who may see that
#: person's time see them; to anyone else they are not in the feed at all (who did
#: what, when, is itself what is private).
#: The changes the feed files under a task's key.
TASK_ENTITIES = ("task", "comment", "entry")
PRIVATE_ENTITIES = frozenset({"entry", "time_off", "week", "week_row", "timer", "token"})


class ReportService(WorkloadService, WeekService):
    def report(
        self,
        start: date,
        end: date,
        *,
        user: str | None = None,
        project: str | None = None,
    ) -> list[ReportRow]:
        with self.db.read() as s:
            actor = self._actor(s)
            query = (
                sa_select(
                    col(UserRow.login),
                    col(ProjectRow.key),
                    col(TaskRow.number),
                    col(TaskRow.title),
                    func.sum(TimeEntryRow.minutes),
                )
                .join(UserRow, col(UserRow.id) == TimeEntryRow.user_id)
                .join(TaskRow, col(TaskRow.id) == TimeEntryRow.task_id)
                .join(ProjectRow, col(ProjectRow.id) == TaskRow.project_id)
                .where(col(TimeEntryRow.day) >= start, col(TimeEntryRow.day) <= end)
                .group_by(
                    col(UserRow.login), col(ProjectRow.key), col(TaskRow.number), col(TaskRow.title)
                )
                .order_by(col(UserRow.login), col(ProjectRow.key), col(TaskRow.number))
            )
            if user is not None:
                query = query.where(
                    col(TimeEntryRow.user_id) == self._visible_user_row(s, actor, user).id
                )
            else:
                visible = self._visible_user_ids(s, actor)
                if visible is not None:
                    query = query.where(col(TimeEntryRow.user_id).in_(visible))
            if project is not None:
                query = query.where(col(ProjectRow.key) == project.upper())
            return [
                ReportRow(login, pkey, f"{pkey}-{number}", title, int(minutes))
                for login, pkey, number, title, minutes in s.execute(query)
            ]

    # --- the change feed ------------------------------------------------------------------

    def changes_since(self, seq: int, *, limit: int = 500) -> list[Change]:
        """Up to `limit` changes after `seq` that the reader may see. Those left out do
        not count toward `limit`: a page is short only at the end of the feed."""
        with self.db.read() as s:
            actor = self._actor(s)
            visible = None if actor.is_admin else self._visible_logins(s, actor)
            changes: list[Change] = []
            while len(changes) < limit:
                rows = s.exec(
                    select(ChangeRow, UserRow.login)
                    .join(UserRow, col(UserRow.id) == ChangeRow.user_id, isouter=True)
                    .where(col(ChangeRow.seq) > seq)
                    .order_by(col(ChangeRow.seq))
                    .limit(limit)
                ).all()
                for row, login in rows:
                    change = _as_seen(row, login, visible)
                    if change is not None and len(changes) < limit:
                        changes.append(change)
                if len(rows) < limit:
                    break
                seq = rows[-1][0].seq or 0
            return changes

    def task_history(self, key: str) -> list[Change]:
        with self.db.read() as s:
            actor = self._actor(s)
            task = self._task_row(s, key)
            task_key = trow_key(s, task)
            visible = None if actor.is_admin else self._visible_logins(s, actor)
            rows = s.exec(
                select(ChangeRow, UserRow.login)
                .join(UserRow, col(UserRow.id) == ChangeRow.user_id, isouter=True)
                .where(col(ChangeRow.entity).in_(TASK_ENTITIES), ChangeRow.entity_id == task_key)
                .order_by(col(ChangeRow.seq))
            )
            seen = (_as_seen(row, login, visible) for row, login in rows)
            return [change for change in seen if change is not None]

    def _visible_logins(self, s: OrmTx, actor: Actor) -> set[str]:
        logins = {actor.login}
        if actor.leads:
            logins.update(
                s.exec(
                    select(UserRow.login)
                    .join(TeamRow, col(TeamRow.id) == UserRow.team_id)
                    .where(col(TeamRow.name).in_(actor.leads))
                ).all()
            )
        return logins

    def last_change(self) -> int:
        with self.db.read() as s:
            return int(s.exec(select(func.max(ChangeRow.seq))).one() or 0)


def _as_seen(row: ChangeRow, login: str | None, visible: set[str] | None) -> Change | None:
    """A change as a reader who may see the time of `visible` (everyone: None) sees it.

    Another person's private change is not shown, with one exception that names nobody:
    time logged on a task changes the total every card shows to everyone, so the board
    learns of it as the task's own change (action `logged`, no user, no data)."""
    data = json.loads(row.data)
    if visible is not None and row.entity in PRIVATE_ENTITIES:
        owner = data.get("user") or row.entity_id.split("/")[0]
        if owner not in visible:
            if row.entity != "entry":
                return None
            return Change(row.seq or 0, row.time, None, "task", row.entity_id, "logged", {})
    return Change(row.seq or 0, row.time, login, row.entity, row.entity_id, row.action, data)
