"""The workload in plain SQL: a window of people's figures, week by week, and the week
totals over everyone the reader may see.

Cost follows the rows asked for: the people of the window are listed by SQL (team, then
name, `LIMIT`/`OFFSET`), their minutes summed per person and week by SQL, and only
their open tasks spread into weeks. The totals are separate aggregates over everyone,
exact, and never per-person rows: logged time per day (the day index covers it) folded
into weeks, time off per person and week (sparse), open tasks grouped by what their
spread depends on. The rules themselves (capacity less time off, the spread of a
remaining estimate) are `core.workload`'s, applied to both alike.

A day of a week submitted with another first day than Monday, or short (weeks.py),
counts in that week: such days are few, and their minutes are moved from their ISO week
to the stored one after the sums (`_moved_days`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from tui_board.backend.local.base import Tx, check_window, parse_work_days
from tui_board.backend.local.schedule import scheduled_people
from tui_board.backend.local.time import CLOSED, TimeService, week_days
from tui_board.core.errors import Forbidden, Invalid, NotFound
from tui_board.core.models import PlannedWork, Workload, WorkloadCell, WorkloadRow
from tui_board.core.permissions import Actor
from tui_board.core.text import check_text as refuse_controls
from tui_board.core.weeks import IsoWeek
from tui_board.core.workload import spread_remaining, week_capacity

#: The most weeks one workload read covers: a bound on what any caller can ask for.
MAX_WORKLOAD_WEEKS = 520

#: The open tasks whose remaining estimate is planned work (`t` joined with its column
#: `c`): not archived, not in a done column, with an estimate larger than the time logged.
PLANNED_TASK = "NOT t.archived AND c.kind != 'done' AND t.estimate > t.logged"
#: The same, on `tasks t` alone.
OPEN_TASK = (
    "NOT t.archived AND t.estimate > t.logged"
    " AND t.column_id NOT IN (SELECT id FROM board_columns WHERE kind = 'done')"
)

#: (person, day) -> index of the week (in the span) a day counts in.
Moved = dict[tuple[int, date], int]


class _Span:
    """The weeks shown, and the days read: from six days before the first Monday (a
    week submitted starting before Monday reaches into the week before) to the last
    Sunday."""

    def __init__(self, start: IsoWeek, weeks: int) -> None:
        self.weeks = IsoWeek.range(start, weeks)
        self.monday = self.weeks[0].monday()
        self.first = self.monday - timedelta(days=min(6, (self.monday - date.min).days))
        self.last = self.weeks[-1].sunday()

    def index(self, day: date) -> int:
        """The week a day falls in: 0 for the first shown, -1 for the one before."""
        return (day - self.monday).days // 7

    def index_sql(self, s: Tx, column: str) -> str:
        """`index` in SQL (`:monday` holds the first Monday)."""
        if s.dialect == "sqlite":
            return (
                f"(CAST(julianday({column}) AS INTEGER) - CAST(julianday(:monday) AS INTEGER)"
                " + 7) / 7 - 1"
            )
        return f"({column} - CAST(:monday AS DATE) + 7) / 7 - 1"


class WorkloadService(TimeService):
    def workload(
        self,
        start: IsoWeek,
        weeks: int,
        *,
        team: str | None = None,
        today: date | None = None,
        offset: int = 0,
        limit: int | None = None,
        totals: bool = True,
    ) -> Workload:
        if not 1 <= weeks <= MAX_WORKLOAD_WEEKS:
            raise Invalid(
                f"a workload shows 1 to {MAX_WORKLOAD_WEEKS} weeks (ten years), not {weeks}"
            )
        check_window(offset, limit, "people")
        today = today or self._today()
        current = IsoWeek.of(today)
        span = _Span(start, weeks)
        with self.db.read() as s:
            actor = self._actor(s)
            who, params = self._workload_people(s, actor, team)
            window = self._window(s, who, params, offset, limit)
            everyone = s.row(
                "SELECT count(*) AS people, COALESCE(sum(u.capacity), 0) AS capacity"
                f" FROM users u WHERE {who}",
                **params,
            )
            teams = s.column(
                f"SELECT t.name FROM teams t WHERE t.id IN (SELECT u.team_id FROM users u"
                f" WHERE {who}) ORDER BY t.name",
                **params,
            )
            ids = [p.id for p in window]
            moved = self._moved_days(
                s, span, "week_states ws WHERE ws.user_id IN (:ids)", {"ids": ids}
            )
            logged = self._week_sums(s, span, "time_entries", ids, moved)
            off = self._week_sums(s, span, "time_off", ids, moved)
            planned: dict[tuple[int, int], int] = defaultdict(int)
            future = span.weeks[-1] >= current
            # a person with a schedule of their own: its hours each week, its days today
            scheduled = scheduled_people(s, ids)
            weekly = {
                p.id: [
                    scheduled[p.id].minutes_between(w.monday(), w.sunday())
                    if p.id in scheduled
                    else p.capacity
                    for w in span.weeks
                ]
                for p in window
            }
            if future and ids:
                work_days = {
                    p.id: scheduled[p.id].work_days_on(today)
                    if p.id in scheduled
                    else parse_work_days(p.work_days)
                    for p in window
                }
                for task in s.rows(
                    "SELECT t.assignee_id, t.estimate - t.logged AS remaining, t.due, t.start"
                    " FROM tasks t JOIN board_columns c ON c.id = t.column_id"
                    f" WHERE {PLANNED_TASK} AND t.assignee_id IN (:ids)",
                    ids=ids,
                ):
                    spread = spread_remaining(
                        task.remaining,
                        today,
                        task.due,
                        work_days[task.assignee_id],
                        start=task.start,
                    )
                    for week, minutes in spread.items():
                        planned[(task.assignee_id, span.index(week.monday()))] += minutes
            shown = range(len(span.weeks))
            past = [week < current for week in span.weeks]
            rows = tuple(
                WorkloadRow(
                    user=p.login,
                    name=p.name,
                    team=p.team,
                    cells=tuple(
                        WorkloadCell(
                            week=str(span.weeks[i]),
                            capacity=week_capacity(weekly[p.id][i], off.get((p.id, i), 0)),
                            logged=logged.get((p.id, i), 0),
                            planned=0 if past[i] else planned.get((p.id, i), 0),
                            past=past[i],
                        )
                        for i in shown
                    ),
                )
                for p in window
            )
            people, capacity = int(everyone.people), int(everyone.capacity)
            summed = (
                self._totals(s, span, who, params, people, capacity, today, past, future)
                if totals
                else ()
            )
            return Workload(
                tuple(str(w) for w in span.weeks),
                str(current),
                rows,
                people=people,
                offset=offset,
                totals=summed,
                teams=tuple(teams),
            )

    # --- whom: the people the reader may see, and the window of them --------------------

    def _workload_people(self, s: Tx, actor: Actor, team: str | None) -> tuple[str, dict[str, Any]]:
        """A condition on `users u`: the active people of the team asked for (a lead of
        it, or an admin), else everyone the reader may see."""
        if team is not None:
            refuse_controls(team, "a team")
            team_id = s.value("SELECT id FROM teams WHERE name = :name", name=team)
            if team_id is None:
                raise NotFound(f"no team {team!r}")
            if not (actor.is_admin or team in actor.leads):
                raise Forbidden(f"you may not see team {team}'s workload")
            return "u.active AND u.team_id = :team_id", {"team_id": team_id}
        visible = self._visible_user_ids(s, actor)
        if visible is None:
            return "u.active", {}
        return "u.active AND u.id IN (:visible)", {"visible": visible}

    @staticmethod
    def _window(
        s: Tx, who: str, params: dict[str, Any], offset: int, limit: int | None
    ) -> list[Any]:
        """The people from `offset` on (up to `limit`), by team (no team last), then
        name, compared code point by code point on every store."""
        collate = ' COLLATE "C"' if s.dialect == "postgresql" else ""
        if limit is not None:
            page = " LIMIT :limit OFFSET :offset"
        else:
            page = " LIMIT -1 OFFSET :offset" if s.dialect == "sqlite" else " OFFSET :offset"
        return s.rows(
            "SELECT u.id, u.login, u.name, u.capacity, u.work_days, t.name AS team"
            " FROM users u LEFT JOIN teams t ON t.id = u.team_id"
            f" WHERE {who}"
            f" ORDER BY t.name IS NULL, t.name{collate}, lower(u.name){collate},"
            f" u.login{collate}{page}",
            **params,
            **({"limit": limit} if limit is not None else {}),
            offset=offset,
        )

    # --- sums ----------------------------------------------------------------------------

    @staticmethod
    def _moved_days(s: Tx, span: _Span, owners: str, params: dict[str, Any]) -> Moved:
        """(person, day) -> week index, for the days around weeks submitted with another
        first day than Monday or short (weeks.py): a day of such a week counts in it,
        and the days of its ISO week after those shown, in the next (its owner's weeks
        start on that day). A day in two weeks' stored days counts in the closed one
        (the first to close it). `owners` is a condition on `week_states ws`."""
        last = span.weeks[-1]
        names = [str(w) for w in span.weeks[:-1] + last.and_next()]
        rows = s.rows(
            "SELECT ws.user_id, ws.week, ws.state, ws.first_day, ws.span_first, ws.span_last"
            f" FROM {owners} AND ws.week IN (:names) AND ws.state != 'draft'"
            " AND (ws.first_day != 0 OR ws.span_first IS NOT NULL)",
            names=names,
            **params,
        )
        moved: Moved = {}
        for row in rows:
            week = IsoWeek.parse(row.week)
            after, shown = week.and_next()[-1], week.days(row.first_day)
            for day in week.days():
                if day > shown[-1]:
                    moved[(row.user_id, day)] = span.index(after.monday())
        for row in sorted(rows, key=lambda r: r.state in CLOSED):
            index = span.index(IsoWeek.parse(row.week).monday())
            for day in week_days(row):
                moved[(row.user_id, day)] = index
        return moved

    def _week_sums(
        self, s: Tx, span: _Span, table: str, ids: list[int], moved: Moved
    ) -> dict[tuple[int, int], int]:
        """Minutes of `table` (time_entries, time_off) per (person, week index), summed
        by SQL; the moved days' minutes then moved to the week they count in."""
        if not ids:
            return {}
        week = span.index_sql(s, "day")
        dates = {"first": span.first, "last": span.last}
        sums = {
            (r.user_id, r.week): int(r.minutes)
            for r in s.rows(
                f"SELECT user_id, {week} AS week, sum(minutes) AS minutes FROM {table}"
                " WHERE user_id IN (:ids) AND day >= :first AND day <= :last"
                " GROUP BY user_id, week",
                ids=ids,
                monday=span.monday,
                **dates,
            )
        }
        if moved:
            owners = sorted({user_id for user_id, _ in moved})
            self._move(s, span, table, "user_id IN (:owners)", {"owners": owners}, moved, sums)
        return sums

    @staticmethod
    def _move(
        s: Tx,
        span: _Span,
        table: str,
        owners: str,
        params: dict[str, Any],
        moved: Moved,
        sums: dict[Any, int],
        *,
        by_person: bool = True,
    ) -> None:
        """Move the minutes of the moved days in `sums` from their ISO week to the week
        they count in (`sums` keyed by (person, week index), or by week index)."""
        for r in s.rows(
            f"SELECT user_id, day, sum(minutes) AS minutes FROM {table}"
            f" WHERE {owners} AND day >= :first AND day <= :last GROUP BY user_id, day",
            first=span.first,
            last=span.last,
            **params,
        ):
            to = moved.get((r.user_id, r.day))
            was = span.index(r.day)
            if to is None or to == was:
                continue
            minutes = int(r.minutes)
            key_was, key_to = ((r.user_id, was), (r.user_id, to)) if by_person else (was, to)
            sums[key_was] = sums.get(key_was, 0) - minutes
            sums[key_to] = sums.get(key_to, 0) + minutes

    def _totals(
        self,
        s: Tx,
        span: _Span,
        who: str,
        params: dict[str, Any],
        people: int,
        capacity: int,
        today: date,
        past: list[bool],
        future: bool,
    ) -> tuple[WorkloadCell, ...]:
        """Each week over everyone `who` covers: what the rows of all of them would add
        up to, by aggregates that never list them."""
        shown = len(span.weeks)
        # (tasks, week states, then their people: SQLite would go person by person)
        states = f"week_states ws CROSS JOIN users u WHERE u.id = ws.user_id AND {who}"
        moved = self._moved_days(s, span, states, params)
        dates = {"first": span.first, "last": span.last}
        # logged: per week over everyone (the day index covers it)
        logged = self._logged_by_week(s, span, who, params, people)
        if moved:
            owners = sorted({user_id for user_id, _ in moved})
            self._move(
                s,
                span,
                "time_entries",
                "user_id IN (:owners)",
                {"owners": owners},
                moved,
                logged,
                by_person=False,
            )
        # capacity: everyone's, less each person's time off in the week (never below 0)
        capacities = [capacity] * shown
        # people with schedules of their own: their week's hours, not their capacity
        scheduled = scheduled_people(s)
        if scheduled:
            for r in s.rows(
                f"SELECT u.id, u.capacity FROM users u WHERE {who} AND u.id IN (:scheduled)",
                scheduled=sorted(scheduled),
                **params,
            ):
                for i, w in enumerate(span.weeks):
                    hours = scheduled[r.id].minutes_between(w.monday(), w.sunday())
                    capacities[i] += hours - int(r.capacity)
        week = span.index_sql(s, "o.day")
        off: dict[tuple[int, int], int] = {}
        weekly: dict[int, int] = {}
        for r in s.rows(
            f"SELECT o.user_id, u.capacity, {week} AS week, sum(o.minutes) AS minutes"
            " FROM time_off o JOIN users u ON u.id = o.user_id"
            f" WHERE {who} AND o.day >= :first AND o.day <= :last GROUP BY o.user_id, week,"
            " u.capacity",
            monday=span.monday,
            **dates,
            **params,
        ):
            off[(r.user_id, r.week)] = int(r.minutes)
            weekly[r.user_id] = int(r.capacity)
        if moved:
            owners = sorted({user_id for user_id, _ in moved})
            self._move(s, span, "time_off", "user_id IN (:owners)", {"owners": owners}, moved, off)
            for user_id, capacity_of in s.rows(
                "SELECT id, capacity FROM users WHERE id IN (:owners)", owners=owners
            ):
                weekly[user_id] = int(capacity_of)
        for (user_id, index), minutes in off.items():
            if 0 <= index < shown:
                weekly_capacity = weekly[user_id]
                if user_id in scheduled:
                    w = span.weeks[index]
                    weekly_capacity = scheduled[user_id].minutes_between(w.monday(), w.sunday())
                capacities[index] -= weekly_capacity - week_capacity(weekly_capacity, minutes)
        # planned: the open tasks of everyone, spread once per kind of task (a spread
        # depends on the remaining minutes, the due date and the assignee's work days)
        planned: dict[int, int] = defaultdict(int)
        if future:
            # (the due date as stored: read as a date once per kind, not per task)
            kinds = Counter(
                s.rows(
                    "SELECT u.work_days, t.due AS due_as_stored,"
                    " t.estimate - t.logged AS remaining, t.start AS start_as_stored,"
                    # (the person, when their days are their schedule's; else one kind)
                    " CASE WHEN u.id IN (:scheduled) THEN u.id END AS scheduled_id"
                    " FROM tasks t CROSS JOIN users u"
                    f" WHERE u.id = t.assignee_id AND {OPEN_TASK} AND {who}",
                    scheduled=sorted(scheduled),
                    **params,
                )
            )
            days_of: dict[str, tuple[int, ...]] = {}
            for (work_days, stored, remaining, start_stored, scheduled_id), count in kinds.items():
                due = date.fromisoformat(stored) if isinstance(stored, str) else stored
                start = (
                    date.fromisoformat(start_stored)
                    if isinstance(start_stored, str)
                    else start_stored
                )
                days = days_of.get(work_days) or days_of.setdefault(
                    work_days, parse_work_days(work_days)
                )
                if scheduled_id is not None:
                    days = scheduled[scheduled_id].work_days_on(today)
                spread = spread_remaining(remaining, today, due, days, start=start)
                for week_of, minutes in spread.items():
                    planned[span.index(week_of.monday())] += minutes * count
        return tuple(
            WorkloadCell(
                week=str(span.weeks[i]),
                capacity=capacities[i],
                logged=logged.get(i, 0),
                planned=0 if past[i] else planned.get(i, 0),
                past=past[i],
            )
            for i in range(shown)
        )

    @staticmethod
    def _logged_by_week(
        s: Tx, span: _Span, who: str, params: dict[str, Any], covered: int
    ) -> dict[int, int]:
        """Minutes logged per week (index) by everyone `who` covers, each day in its ISO
        week. Summed over the people covered when they are the fewer (per day, by the
        (person, day) index), else week by week over everyone (a range of the day
        index, nothing but minutes read) less the people left out; the same sums."""
        dates = {"first": span.monday, "last": span.last}
        left_out = int(s.value("SELECT count(*) FROM users") or 0) - covered
        logged: dict[int, int] = defaultdict(int)
        if covered <= left_out:
            for r in s.rows(
                "SELECT day, sum(minutes) AS minutes FROM time_entries"
                f" WHERE user_id IN (SELECT u.id FROM users u WHERE {who})"
                " AND day >= :first AND day <= :last GROUP BY day",
                **params,
                **dates,
            ):
                logged[span.index(r.day)] += int(r.minutes)
            return logged
        for index, week in enumerate(span.weeks):
            logged[index] = int(
                s.value(
                    "SELECT COALESCE(sum(minutes), 0) FROM time_entries"
                    " WHERE day >= :first AND day <= :last",
                    first=week.monday(),
                    last=week.sunday(),
                )
                or 0
            )
        if left_out:
            # (CASE: a condition that is NULL for a person leaves them out too)
            others = f"CASE WHEN {who} THEN 0 ELSE 1 END = 1"
            for r in s.rows(
                "SELECT day, sum(minutes) AS minutes FROM time_entries"
                f" WHERE user_id IN (SELECT u.id FROM users u WHERE {others})"
                " AND day >= :first AND day <= :last GROUP BY day",
                **params,
                **dates,
            ):
                logged[span.index(r.day)] -= int(r.minutes)
        return logged

    # --- behind a cell ---------------------------------------------------------------------

    def list_planned_work(
        self, user: str, week: IsoWeek, *, today: date | None = None
    ) -> list[PlannedWork]:
        today = today or self._today()
        with self.db.read() as s:
            actor = self._actor(s)
            owner = self._visible_user_at(s, actor, user)
            if week < IsoWeek.of(today):
                return []
            mine = scheduled_people(s, [owner.id])
            work_days = (
                mine[owner.id].work_days_on(today)
                if mine
                else parse_work_days(
                    s.value("SELECT work_days FROM users WHERE id = :id", id=owner.id)
                )
            )
            found = []
            for task in s.rows(
                "SELECT t.number, t.title, t.estimate, t.logged, t.due, t.start, t.version,"
                " p.key AS project FROM tasks t"
                " JOIN board_columns c ON c.id = t.column_id"
                " JOIN projects p ON p.id = t.project_id"
                f" WHERE {PLANNED_TASK} AND t.assignee_id = :owner",
                owner=owner.id,
            ):
                remaining = (task.estimate or 0) - task.logged
                minutes = spread_remaining(
                    remaining, today, task.due, work_days, start=task.start
                ).get(week, 0)
                if minutes:
                    found.append(
                        PlannedWork(
                            task=f"{task.project}-{task.number}",
                            title=task.title,
                            project=task.project,
                            week=str(week),
                            minutes=minutes,
                            remaining=remaining,
                            due=task.due,
                            overdue=task.due is not None and task.due < today,
                            version=task.version,
                        )
                    )
            return sorted(found, key=lambda p: (-p.minutes, p.task))
