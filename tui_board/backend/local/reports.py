"""Reading across people: workload and time reports (the change feed is in `reads.py`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from tui_board.backend.local.time import CLOSED, week_days
from tui_board.backend.local.weeks import WeekService
from tui_board.core.errors import Forbidden, Invalid
from tui_board.core.models import (
    PlannedWork,
    ReportRow,
    Workload,
    WorkloadCell,
    WorkloadRow,
)
from tui_board.core.permissions import Actor
from tui_board.core.weeks import IsoWeek
from tui_board.core.workload import spread_remaining, week_capacity
from tui_board.store.database import OrmTx
from tui_board.store.tables import (
    ColumnRow,
    ProjectRow,
    TaskRow,
    TeamRow,
    TimeEntryRow,
    TimeOffRow,
    UserRow,
    WeekStateRow,
)

#: The tasks whose remaining estimate is planned work (joined with their column): open
#: (not archived, not in a done column), with an estimate larger than the time logged.
PLANNED_TASK = (
    col(TaskRow.archived).is_(False),
    ColumnRow.kind != "done",
    col(TaskRow.estimate) > TaskRow.logged,
)

#: The most weeks one workload read covers: a bound on what any caller can ask for.
MAX_WORKLOAD_WEEKS = 520


class ReportService(WeekService):
    def workload(
        self, start: IsoWeek, weeks: int, *, team: str | None = None, today: date | None = None
    ) -> Workload:
        if not 1 <= weeks <= MAX_WORKLOAD_WEEKS:
            raise Invalid(
                f"a workload shows 1 to {MAX_WORKLOAD_WEEKS} weeks (ten years), not {weeks}"
            )
        today = today or self._today()
        current = IsoWeek.of(today)
        span = IsoWeek.range(start, weeks)
        # A submitted week that starts before Monday reaches into the week before.
        monday = span[0].monday()
        first, last = monday - timedelta(days=min(6, (monday - date.min).days)), span[-1].sunday()
        with self.db.read() as s:
            actor = self._actor(s)
            people = self._workload_people(s, actor, team)
            ids = [p.id for p in people]
            moved = self._days_in_stored_spans(s, ids, span)
            logged = _sum_by_user_week(
                moved,
                s.exec(
                    select(
                        col(TimeEntryRow.user_id),
                        col(TimeEntryRow.day),
                        func.sum(TimeEntryRow.minutes),
                    )
                    .where(TimeEntryRow.day >= first, TimeEntryRow.day <= last)
                    .where(col(TimeEntryRow.user_id).in_(ids))
                    .group_by(col(TimeEntryRow.user_id), col(TimeEntryRow.day))
                ),
            )
            off = _sum_by_user_week(
                moved,
                s.exec(
                    select(
                        col(TimeOffRow.user_id), col(TimeOffRow.day), func.sum(TimeOffRow.minutes)
                    )
                    .where(TimeOffRow.day >= first, TimeOffRow.day <= last)
                    .where(col(TimeOffRow.user_id).in_(ids))
                    .group_by(col(TimeOffRow.user_id), col(TimeOffRow.day))
                ),
            )
            planned: dict[tuple[int | None, IsoWeek], int] = defaultdict(int)
            if span[-1] >= current:
                work_days = {p.id: _days(p.work_days) for p in people}
                open_tasks = s.exec(
                    select(
                        col(TaskRow.assignee_id),
                        col(TaskRow.estimate),
                        col(TaskRow.logged),
                        col(TaskRow.due),
                    )
                    .join(ColumnRow, col(ColumnRow.id) == TaskRow.column_id)
                    .where(*PLANNED_TASK)
                    .where(col(TaskRow.assignee_id).in_(ids))
                )
                for user_id, estimate, spent, due in open_tasks:
                    for week, minutes in spread_remaining(
                        (estimate or 0) - spent, today, due, work_days[user_id]
                    ).items():
                        planned[(user_id, week)] += minutes
            teams = {t.id: t.name for t in s.exec(select(TeamRow))}
            rows = tuple(
                WorkloadRow(
                    user=p.login,
                    name=p.name,
                    team=teams.get(p.team_id) if p.team_id else None,
                    cells=tuple(
                        WorkloadCell(
                            week=str(week),
                            capacity=week_capacity(p.capacity, off.get((p.id, week), 0)),
                            logged=logged.get((p.id, week), 0),
                            planned=planned.get((p.id, week), 0) if week >= current else 0,
                            past=week < current,
                        )
                        for week in span
                    ),
                )
                for p in people
            )
            return Workload(tuple(str(w) for w in span), str(current), rows)

    def _days_in_stored_spans(
        self, s: OrmTx, ids: list[int | None], span: list[IsoWeek]
    ) -> dict[tuple[int | None, date], IsoWeek]:
        """(person, day) -> week, for the days around weeks submitted with another first
        day than Monday or short (weeks.py): a day of such a week counts in it, and the
        days of its ISO week after those shown, in the next (its owner's weeks start on
        that day). A day in two weeks' stored days counts in the closed one (the first
        to close it)."""
        names = [str(w) for w in span[:-1] + span[-1].and_next()]
        rows = s.exec(
            select(WeekStateRow).where(
                col(WeekStateRow.user_id).in_(ids),
                col(WeekStateRow.week).in_(names),
                WeekStateRow.state != "draft",
                or_(col(WeekStateRow.first_day) != 0, col(WeekStateRow.span_first).is_not(None)),
            )
        ).all()
        moved: dict[tuple[int | None, date], IsoWeek] = {}
        for row in rows:
            week = IsoWeek.parse(row.week)
            after, shown = week.and_next()[-1], week.days(row.first_day)
            for day in week.days():
                if day > shown[-1]:
                    moved[(row.user_id, day)] = after
        for row in sorted(rows, key=lambda r: r.state in CLOSED):
            week = IsoWeek.parse(row.week)
            for day in week_days(row):
                moved[(row.user_id, day)] = week
        return moved

    def list_planned_work(
        self, user: str, week: IsoWeek, *, today: date | None = None
    ) -> list[PlannedWork]:
        today = today or self._today()
        with self.db.read() as s:
            actor = self._actor(s)
            owner = self._visible_user_row(s, actor, user)
            if week < IsoWeek.of(today):
                return []
            work_days = _days(owner.work_days)
            found = []
            for trow, project in s.exec(
                select(TaskRow, ProjectRow.key)
                .join(ColumnRow, col(ColumnRow.id) == TaskRow.column_id)
                .join(ProjectRow, col(ProjectRow.id) == TaskRow.project_id)
                .where(*PLANNED_TASK)
                .where(TaskRow.assignee_id == owner.id)
            ):
                remaining = (trow.estimate or 0) - trow.logged
                minutes = spread_remaining(remaining, today, trow.due, work_days).get(week, 0)
                if minutes:
                    found.append(
                        PlannedWork(
                            task=f"{project}-{trow.number}",
                            title=trow.title,
                            project=project,
                            week=str(week),
                            minutes=minutes,
                            remaining=remaining,
                            due=trow.due,
                            overdue=trow.due is not None and trow.due < today,
                            version=trow.version,
                        )
                    )
            return sorted(found, key=lambda p: (-p.minutes, p.task))

    def _workload_people(self, s: OrmTx, actor: Actor, team: str | None) -> list[UserRow]:
        query = select(UserRow).where(col(UserRow.active).is_(True)).order_by(col(UserRow.login))
        if team is not None:
            trow = self._team_row(s, team)
            if not (actor.is_admin or team in actor.leads):
                raise Forbidden(f"you may not see team {team}'s workload")
            query = query.where(UserRow.team_id == trow.id)
        elif not actor.is_admin:
            visible = self._visible_user_ids(s, actor)
            query = query.where(col(UserRow.id).in_(visible or []))
        return list(s.exec(query).all())

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


def _days(text: str) -> tuple[int, ...]:
    return tuple(int(d) for d in text.split(",") if d)


def _sum_by_user_week(
    moved: dict[tuple[int | None, date], IsoWeek], rows: object
) -> dict[tuple[int | None, IsoWeek], int]:
    """Minutes per (person, week): a day counts in its ISO week unless `moved` puts it
    in the span of a week submitted with another first day."""
    sums: dict[tuple[int | None, IsoWeek], int] = defaultdict(int)
    weeks: dict[date, IsoWeek] = {}
    for user_id, day, minutes in rows:  # type: ignore[attr-defined]
        week = moved.get((user_id, day)) or weeks.get(day) or weeks.setdefault(day, IsoWeek.of(day))
        sums[(user_id, week)] += int(minutes)
    return sums
