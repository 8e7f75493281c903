"""The project schedule, milestones and individual schedules, in plain SQL.

The rules (flags, at risk, the forecast, a schedule's week on a day) are
`core.schedule`'s; the planned work they subtract is `core.workload`'s spread. This
part reads the rows they need: a project's tasks, and for the people assigned to its
open tasks their schedules, their time off from today on and all their open tasks.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from datetime import date
from operator import itemgetter
from typing import Any

from tui_board.backend.local.base import ServiceBase, Tx, check_text, parse_work_days
from tui_board.core.errors import Invalid, NotFound
from tui_board.core.models import (
    EstimateRow,
    Milestone,
    OvertimeRow,
    PersonSchedule,
    ProjectSchedule,
    ScheduleChange,
    ScheduleRow,
)
from tui_board.core.permissions import (
    Actor,
    can_manage_projects,
    can_manage_time_off,
    can_see_person,
    require,
)
from tui_board.core.schedule import (
    OpenTask,
    Person,
    Schedule,
    check_week,
    default_week,
    estimate_figures,
    finish_day,
    free_before,
    milestone_forecasts,
    plan,
    progress_percent,
    remaining_estimate,
    task_flags,
    week_figures,
)
from tui_board.core.text import check_text as refuse_controls
from tui_board.core.workload import work_begins

#: The longest milestone name.
MILESTONE_LIMIT = 100
#: The most days an overtime report covers (ten years).
MAX_REPORT_DAYS = 3660


class ScheduleService(ServiceBase):
    # --- milestones -----------------------------------------------------------------------

    def list_milestones(self, project: str, *, today: date | None = None) -> list[Milestone]:
        today = today or self._today()
        with self.db.read() as s:
            self._actor(s)
            found = self._project_at(s, project)
            return self._milestones(s, found.id, found.key, today)

    @staticmethod
    def _milestones(s: Tx, project_id: int, key: str, today: date) -> list[Milestone]:
        rows = s.rows(
            "SELECT m.id, m.name, m.day, m.version,"
            " (SELECT count(*) FROM tasks t JOIN board_columns c ON c.id = t.column_id"
            "  WHERE t.milestone_id = m.id AND NOT t.archived AND c.kind != 'done') AS open_tasks"
            " FROM milestones m WHERE m.project_id = :project_id ORDER BY m.day, m.name",
            project_id=project_id,
        )
        return [
            Milestone(
                id=r.id,
                project=key,
                name=r.name,
                day=r.day,
                version=r.version,
                open_tasks=int(r.open_tasks),
                late=r.day < today and int(r.open_tasks) > 0,
            )
            for r in rows
        ]

    def add_milestone(self, project: str, name: str, day: date) -> Milestone:
        with self.db.write() as s:
            actor = self._actor(s)
            require(can_manage_projects(actor), "only a lead or an admin may plan milestones")
            found = self._project_at(s, project)
            name = check_text(name, "a milestone name", limit=MILESTONE_LIMIT)
            if s.value(
                "SELECT id FROM milestones WHERE project_id = :p AND name = :name",
                p=found.id,
                name=name,
            ):
                raise Invalid(f"project {found.key} already has a milestone {name!r}")
            milestone_id = s.insert(
                "milestones", project_id=found.id, name=name, day=day, version=1
            )
            self._record(s, actor, "milestone", f"{found.key}/{name}", "create", {"day": day})
            return Milestone(int(milestone_id), found.key, name, day, 1)

    def move_milestone(self, project: str, name: str, version: int, day: date) -> Milestone:
        """Set a milestone's date (its version as read: a stale one is refused)."""
        with self.db.write() as s:
            actor = self._actor(s)
            require(can_manage_projects(actor), "only a lead or an admin may plan milestones")
            found = self._project_at(s, project)
            refuse_controls(name, "a milestone name")
            row = s.row(
                "SELECT id, name, day, version FROM milestones"
                " WHERE project_id = :p AND name = :name",
                p=found.id,
                name=name.strip(),
            )
            if row is None:
                raise NotFound(f"no milestone {name.strip()!r} in project {found.key}")
            current = Milestone(row.id, found.key, row.name, row.day, row.version)
            self._check_version(row, version, f"milestone {row.name!r}", current)
            s.update("milestones", row.id, day=day, version=row.version + 1)
            self._record(
                s,
                actor,
                "milestone",
                f"{found.key}/{row.name}",
                "move",
                {"day": day, "was": row.day},
            )
            return Milestone(row.id, found.key, row.name, day, row.version + 1)

    # --- individual schedules ---------------------------------------------------------------

    def get_schedule(
        self, login: str | None = None, *, today: date | None = None
    ) -> PersonSchedule:
        today = today or self._today()
        with self.db.read() as s:
            actor = self._actor(s)
            owner = self._visible_user_at(s, actor, login)
            return self._person_schedule(s, owner, today)

    def set_schedule(
        self, login: str, minutes: tuple[int, ...], *, start: date | None = None
    ) -> PersonSchedule:
        """From `start` on (today when None) the person works `minutes` per weekday,
        Monday first; a change on the same day is replaced."""
        week = check_week(minutes)
        start = start or self._today()
        with self.db.write() as s:
            actor = self._actor(s)
            owner = self._user_at(s, login)
            team = self._team_name(s, owner.team_id)
            require(
                can_manage_time_off(actor, owner.login, team),
                f"only {owner.login}, their team's lead or an admin may set their schedule",
            )
            self._lock_user(s, owner.id)
            s.run(
                "DELETE FROM user_schedules WHERE user_id = :id AND day = :day",
                id=owner.id,
                day=start,
            )
            s.insert(
                "user_schedules",
                returning=None,
                user_id=owner.id,
                day=start,
                minutes=",".join(map(str, week)),
            )
            self._record(
                s, actor, "user", owner.login, "schedule", {"from": start, "minutes": list(week)}
            )
            return self._person_schedule(s, owner, start)

    def _person_schedule(self, s: Tx, owner: Any, today: date) -> PersonSchedule:
        schedule = self._schedules(s, [owner.id])[owner.id]
        changes = (
            ScheduleChange(None, schedule.default),
            *(ScheduleChange(day, week) for day, week in schedule.changes),
        )
        return PersonSchedule(owner.login, changes, schedule.week_on(today))

    @staticmethod
    def _schedules(s: Tx, user_ids: list[int]) -> dict[int, Schedule]:
        return schedules_of(s, user_ids)

    # --- the project schedule -------------------------------------------------------------

    def project_schedule(self, project: str, *, today: date | None = None) -> ProjectSchedule:
        today = today or self._today()
        with self.db.read() as s:
            actor = self._actor(s)
            found = self._project_at(s, project)
            head = s.row("SELECT id, key, name, deadline FROM projects WHERE id = :id", id=found.id)
            milestones = self._milestones(s, found.id, found.key, today)
            tasks = s.rows(
                "SELECT t.number, t.title, t.estimate, t.logged, t.start, t.due, t.version,"
                " t.assignee_id, c.name AS column_name, c.kind, u.login, m.name AS milestone"
                " FROM tasks t JOIN board_columns c ON c.id = t.column_id"
                " LEFT JOIN users u ON u.id = t.assignee_id"
                " LEFT JOIN milestones m ON m.id = t.milestone_id"
                " WHERE t.project_id = :id AND NOT t.archived",
                id=found.id,
            )
            key = head.key
            open_rows = [(f"{key}-{t.number}", t) for t in tasks if t.kind != "done"]
            # The project's open tasks with time left, as its people's planned work.
            inside = [
                (t.assignee_id, OpenTask(task_key, None, t.estimate - t.logged, t.start, t.due))
                for task_key, t in open_rows
                if t.assignee_id is not None and t.estimate is not None and t.estimate > t.logged
            ]
            assignees = sorted({t.assignee_id for _, t in open_rows if t.assignee_id is not None})
            people, spreads, outside = self._people(s, assignees, found.id, today, inside)
            visible = self._hours_visible(s, actor, assignees)
        order = {m.name: i for i, m in enumerate(milestones)}
        keyed: list[tuple[tuple[Any, ...], ScheduleRow]] = []
        remaining_of: dict[int, int] = defaultdict(int)
        #: By milestone: remaining minutes by person, and nobody's.
        in_milestone: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        nobodys: dict[str, int] = defaultdict(int)
        unassigned = 0
        for task_key, t in open_rows:
            remaining = remaining_estimate(t.estimate, t.logged)
            if t.milestone is not None:
                if t.assignee_id is not None:
                    in_milestone[t.milestone][t.assignee_id] += remaining
                else:
                    nobodys[t.milestone] += remaining
            free = None
            if t.assignee_id is not None:
                remaining_of[t.assignee_id] += remaining
                if t.due is not None and t.due >= today:
                    person = people[t.assignee_id]
                    begin = work_begins(today, t.due, t.start)
                    free = free_before(person, begin, t.due, spreads.get(task_key))
            else:
                unassigned += remaining
            flags = task_flags(
                today=today,
                due=t.due,
                done=False,
                estimate=t.estimate,
                logged=t.logged,
                free=free,
                remaining=remaining,
            )
            row = ScheduleRow(
                task=task_key,
                title=t.title,
                column=t.column_name,
                assignee=t.login,
                milestone=t.milestone,
                start=t.start,
                due=t.due,
                estimate=t.estimate,
                logged=t.logged,
                remaining=remaining,
                progress=progress_percent(t.logged, t.estimate, False),
                flags=flags,
                free=free if t.assignee_id in visible else None,
                version=t.version,
            )
            # By milestone (by date; none last), assignee, start (or due), due, number.
            sort = (
                t.milestone is None,
                order.get(t.milestone or "", 0),
                t.login is None,
                t.login or "",
                t.start or t.due or date.max,
                t.due or date.max,
                t.number,
            )
            keyed.append((sort, row))
        keyed.sort(key=itemgetter(0))
        rows = tuple(row for _, row in keyed)
        forecast: date | None = today
        for user_id, minutes in remaining_of.items():
            day = finish_day(minutes, today, people[user_id], outside[user_id])
            forecast = None if day is None or forecast is None else max(forecast, day)
        if unassigned and not remaining_of:
            forecast = None
        forecasts = milestone_forecasts(
            [(m.name, m.day) for m in milestones],
            in_milestone,
            nobodys,
            lambda person, minutes: finish_day(minutes, today, people[person], outside[person]),
            today,
        )
        milestones = [
            replace(m, forecast=forecasts[m.name], unassigned=nobodys.get(m.name, 0))
            if m.open_tasks
            else m
            for m in milestones
        ]
        deadline = head.deadline
        return ProjectSchedule(
            project=key,
            name=head.name,
            today=today,
            deadline=deadline,
            milestones=tuple(milestones),
            rows=rows,
            done_estimate=sum(t.estimate or 0 for t in tasks if t.kind == "done"),
            remaining=sum(r.remaining for r in rows),
            logged=sum(t.logged for t in tasks),
            forecast=forecast,
            unassigned=unassigned,
            on_time=None if deadline is None or forecast is None else forecast <= deadline,
        )

    def _people(
        self,
        s: Tx,
        user_ids: list[int],
        project_id: int,
        today: date,
        inside: list[tuple[int, OpenTask]],
    ) -> tuple[dict[int, Person], dict[str, dict[date, int]], dict[int, dict[date, int]]]:
        """For each person: their schedule, time off from today and planned work (the
        project's open tasks `inside`, by assignee, and their open tasks elsewhere); each
        open task's spread (by key); and each person's planned work outside the
        project."""
        if not user_ids:
            return {}, {}, {}
        schedules = self._schedules(s, user_ids)
        off: dict[int, dict[date, int]] = defaultdict(dict)
        for r in s.rows(
            "SELECT user_id, day, sum(minutes) AS minutes FROM time_off"
            " WHERE user_id IN (:ids) AND day >= :today GROUP BY user_id, day",
            ids=user_ids,
            today=today,
        ):
            off[r.user_id][r.day] = int(r.minutes)
        people = {i: Person(schedules[i], off[i]) for i in user_ids}
        mine: dict[int, list[OpenTask]] = defaultdict(list)
        for user_id, task in inside:
            mine[user_id].append(task)
        elsewhere: dict[int, list[OpenTask]] = defaultdict(list)
        for r in s.rows(
            "SELECT t.assignee_id, t.number, p.key, t.estimate - t.logged AS rest,"
            " t.start, t.due FROM tasks t JOIN board_columns c ON c.id = t.column_id"
            " JOIN projects p ON p.id = t.project_id"
            " WHERE NOT t.archived AND c.kind != 'done' AND t.estimate > t.logged"
            " AND t.assignee_id IN (:ids) AND t.project_id != :project_id",
            ids=user_ids,
            project_id=project_id,
        ):
            task = OpenTask(f"{r.key}-{r.number}", None, int(r.rest), r.start, r.due)
            elsewhere[r.assignee_id].append(task)
        spreads: dict[str, dict[date, int]] = {}
        outside: dict[int, dict[date, int]] = {}
        for user_id in user_ids:
            person = people[user_id]
            spreads.update(plan(mine[user_id], today, person))
            others: dict[date, int] = defaultdict(int)
            for days in plan(elsewhere[user_id], today, person).values():
                for day, minutes in days.items():
                    others[day] += minutes
            outside[user_id] = others
        return people, spreads, outside

    def _hours_visible(self, s: Tx, actor: Actor, user_ids: list[int]) -> set[int]:
        """The people among these whose hours the reader may see."""
        if not user_ids:
            return set()
        return {
            r.id
            for r in s.rows(
                "SELECT u.id, u.login, t.name AS team FROM users u"
                " LEFT JOIN teams t ON t.id = u.team_id WHERE u.id IN (:ids)",
                ids=user_ids,
            )
            if can_see_person(actor, r.login, r.team)
        }

    # --- reports: estimated against logged, overtime -----------------------------------

    def report_estimates(
        self,
        *,
        project: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> list[EstimateRow]:
        """Estimate against time logged, per project, milestone, task and person, over
        the tasks (archived too) due from `start` to `end` (all when not given). A
        person's row is their estimates (tasks assigned to them) against what they
        logged on those tasks; only people whose hours the reader may see."""
        with self.db.read() as s:
            actor = self._actor(s)
            where = ["1 = 1"]
            params: dict[str, Any] = {}
            if project is not None:
                where.append("t.project_id = :project_id")
                params["project_id"] = self._project_at(s, project).id
            if start is not None:
                where.append("t.due >= :start")
                params["start"] = start
            if end is not None:
                where.append("t.due <= :end")
                params["end"] = end
            condition = " AND ".join(where)
            tasks = s.rows(
                "SELECT t.id, t.number, t.title, t.estimate, t.logged, t.assignee_id,"
                " p.key, m.name AS milestone FROM tasks t JOIN projects p ON p.id = t.project_id"
                " LEFT JOIN milestones m ON m.id = t.milestone_id"
                f" WHERE {condition} AND (t.estimate IS NOT NULL OR t.logged > 0)"
                " ORDER BY p.key, t.number",
                **params,
            )
            per_person = s.rows(
                "SELECT e.user_id, p.key, sum(e.minutes) AS minutes FROM time_entries e"
                " JOIN tasks t ON t.id = e.task_id JOIN projects p ON p.id = t.project_id"
                f" WHERE {condition} AND t.assignee_id = e.user_id GROUP BY e.user_id, p.key",
                **params,
            )
            people = sorted(
                {t.assignee_id for t in tasks if t.assignee_id is not None}
                | {r.user_id for r in per_person}
            )
            visible = self._hours_visible(s, actor, people)
            logins = {
                r.id: r.login
                for r in (
                    s.rows("SELECT id, login FROM users WHERE id IN (:ids)", ids=people)
                    if people
                    else []
                )
            }

        # (estimate, logged) of each row; the estimate None until one of its tasks has one
        sums: dict[tuple[str, str, str], list[Any]] = {}

        def add(kind: str, name: str, key: str, estimate: int | None, logged: int) -> None:
            figures = sums.setdefault((kind, key, name), [None, 0])
            if estimate is not None:
                figures[0] = (figures[0] or 0) + estimate
            figures[1] += logged

        for t in tasks:
            estimate = t.estimate
            add("project", t.key, t.key, estimate, t.logged)
            if t.milestone is not None:
                add("milestone", t.milestone, t.key, estimate, t.logged)
            add("task", f"{t.key}-{t.number}", t.key, estimate, t.logged)
            if t.assignee_id in visible:
                add("person", logins[t.assignee_id], t.key, estimate, 0)
        for r in per_person:
            if r.user_id in visible:
                add("person", logins[r.user_id], r.key, None, int(r.minutes))
        order = {"project": 0, "milestone": 1, "task": 2, "person": 3}
        rows = []
        for (kind, key, name), (estimate, logged) in sorted(
            sums.items(), key=lambda item: (order[item[0][0]], item[0][1], natural(item[0][2]))
        ):
            variance, percent = estimate_figures(estimate, logged)
            rows.append(
                EstimateRow(kind, name, key, estimate, logged, variance, percent)  # type: ignore[arg-type]
            )
        return rows

    def report_overtime(
        self, start: date, end: date, *, user: str | None = None
    ) -> list[OvertimeRow]:
        """Per person and ISO week from `start` to `end`: their schedule, time off, the
        time expected (schedule less time off) and logged, and the difference. Everyone
        the reader may see (active), or the one person asked for."""
        if end < start:
            raise Invalid(f"the range ends ({end}) before it starts ({start})")
        if (end - start).days >= MAX_REPORT_DAYS:
            raise Invalid(f"a report covers at most {MAX_REPORT_DAYS} days")
        with self.db.read() as s:
            actor = self._actor(s)
            if user is not None:
                people = [self._visible_user_at(s, actor, user)]
            else:
                people = [
                    r
                    for r in s.rows(
                        "SELECT u.id, u.login, t.name AS team FROM users u"
                        " LEFT JOIN teams t ON t.id = u.team_id WHERE u.active ORDER BY u.login"
                    )
                    if can_see_person(actor, r.login, r.team)
                ]
            ids = [p.id for p in people]
            schedules = self._schedules(s, ids)
            off: dict[int, dict[date, int]] = defaultdict(dict)
            logged: dict[int, dict[date, int]] = defaultdict(dict)
            for table, into in (("time_off", off), ("time_entries", logged)):
                for r in s.rows(
                    f"SELECT user_id, day, sum(minutes) AS minutes FROM {table}"
                    " WHERE user_id IN (:ids) AND day >= :start AND day <= :end"
                    " GROUP BY user_id, day",
                    ids=ids,
                    start=start,
                    end=end,
                ):
                    into[r.user_id][r.day] = int(r.minutes)
        return [
            OvertimeRow(p.login, str(week), scheduled, taken, expected, done, done - expected)
            for p in people
            for week, scheduled, taken, expected, done in week_figures(
                schedules[p.id], off[p.id], logged[p.id], start, end
            )
        ]


def natural(text: str) -> list[str | int]:
    """A sort key that orders the numbers in a text by value: APP-2 before APP-10."""
    return [int(part) if index % 2 else part for index, part in enumerate(re.split(r"(\d+)", text))]


#: A person's dated schedule changes, and what their schedule is before any.
SCHEDULE_CHANGES = (
    "SELECT user_id, day, minutes FROM user_schedules WHERE user_id IN (:ids) ORDER BY user_id, day"
)
SCHEDULE_DEFAULTS = "SELECT id, capacity, work_days FROM users WHERE id IN (:ids)"


def schedule_reads(user_ids: list[int]) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The reads `schedules_from` folds, to run with others in one `Tx.batch`."""
    return ((SCHEDULE_CHANGES, {"ids": user_ids}), (SCHEDULE_DEFAULTS, {"ids": user_ids}))


def schedules_from(changed: list[Any], defaults: list[Any]) -> dict[int, Schedule]:
    """Each person's schedule from the rows of `schedule_reads`: their capacity over
    their work days, then their changes."""
    changes: dict[int, list[Any]] = defaultdict(list)
    for r in changed:
        week = tuple(int(m) for m in r.minutes.split(","))
        changes[r.user_id].append((r.day, week))
    return {
        r.id: Schedule(default_week(r.capacity, parse_work_days(r.work_days)), tuple(changes[r.id]))
        for r in defaults
    }


def schedules_of(s: Tx, user_ids: list[int]) -> dict[int, Schedule]:
    """Each person's schedule: their capacity over their work days, then their changes."""
    if not user_ids:
        return {}
    changed, defaults = s.batch(*schedule_reads(user_ids))
    return schedules_from(changed, defaults)


def scheduled_people(s: Tx, user_ids: list[int] | None = None) -> dict[int, Schedule]:
    """The schedules of the people (of these, or of everyone) who have dated changes:
    everyone else works their weekly capacity over their work days."""
    if user_ids is None:
        ids = s.column("SELECT DISTINCT user_id FROM user_schedules")
    elif user_ids:
        ids = s.column(
            "SELECT DISTINCT user_id FROM user_schedules WHERE user_id IN (:ids)", ids=user_ids
        )
    else:
        ids = []
    return schedules_of(s, list(ids))
