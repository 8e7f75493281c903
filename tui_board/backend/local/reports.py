"""Reading across people: time reports (the workload is in workload.py, the change
feed in reads.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col

from tui_board.backend.local.weeks import WeekService
from tui_board.backend.local.workload import WorkloadService
from tui_board.core.models import ReportRow
from tui_board.store.tables import (
    ProjectRow,
    TaskRow,
    TimeEntryRow,
    UserRow,
)


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
