"""Time: timesheet cells, the week sheet and its rows, the timer (weeks as a whole, locks
and time off are in `weeks.py`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol, cast

from tui_board.backend.local import prepared
from tui_board.backend.local.base import TASK_BY_KEY, ServiceBase, Tx, check_text, parse_task_key
from tui_board.backend.local.schedule import schedule_reads, schedules_from
from tui_board.core.durations import DAY_MINUTES, format_duration
from tui_board.core.errors import BoardError, Conflict, Invalid, Locked, NotFound
from tui_board.core.models import (
    ReportRow,
    TaskRef,
    TimeEntry,
    TimeOff,
    TimeOffKind,
    Timer,
    WeekSheet,
    WeekState,
)
from tui_board.core.permissions import (
    Actor,
    can_edit_time_of,
    can_see_person,
    require,
)
from tui_board.core.weeks import IsoWeek

#: A time entry's comment is one line in a timesheet cell, a report and an export.
ENTRY_COMMENT_LIMIT = 1_000


#: A person's submitted or approved week states among some weeks.
CLOSED_WEEKS = (
    "SELECT * FROM week_states WHERE user_id = :user_id AND week IN (:weeks) AND state IN (:states)"
)
#: A cell's row, by its owner, its task's key and its day.
CELL_BY_KEY = (
    "SELECT e.* FROM time_entries e JOIN tasks t ON t.id = e.task_id"
    " JOIN projects p ON p.id = t.project_id"
    " WHERE e.user_id = :user_id AND p.key = :project AND t.number = :number AND e.day = :day"
)
#: The minutes a person has logged on a day.
DAY_MINUTES_OF = (
    "SELECT coalesce(sum(minutes), 0) FROM time_entries WHERE user_id = :user_id AND day = :day"
)


#: The version of a cell made now: past every change recorded (see `_write_cell`).
NEW_CELL_VERSION = "SELECT coalesce(max(seq), 0) + 1 FROM changes"


class TimeService(ServiceBase):
    # --- cells --------------------------------------------------------------------------

    def set_entry(
        self,
        task: str,
        day: date,
        minutes: int,
        *,
        comment: str | None = None,
        version: int | None = None,
        user: str | None = None,
    ) -> TimeEntry | None:
        if comment is not None:
            comment = check_entry_comment(comment)
        with self.db.write() as s:
            actor, owner, trow, entry, day_minutes = self._open_cell(s, user, task, day)
            if version is not None and (entry.version if entry else 0) != version:
                current = self._entry_record(entry, owner.login, trow) if entry else None
                what = "the cell" if entry else "the entry (it was cleared)"
                raise Conflict(
                    f"{what} for {trow_key(s, trow)} on {day:%a %d %b} was changed by someone "
                    "else; it now shows the stored value",
                    current=current,
                )
            text = (entry.comment if entry else "") if comment is None else comment
            stored = self._write_cell(
                s, actor, owner, trow, day, entry, minutes, text, day_minutes=day_minutes
            )
            self._cells_only(s)
            return stored

    def add_time(
        self, task: str, day: date, minutes: int, *, comment: str = "", user: str | None = None
    ) -> TimeEntry:
        if minutes <= 0:
            raise Invalid("the time to add must be more than zero")
        comment = check_entry_comment(comment)
        with self.db.write() as s:
            actor, owner, trow, entry, day_minutes = self._open_cell(s, user, task, day)
            old_comment = entry.comment if entry else ""
            text = "; ".join(c for c in (old_comment, comment) if c)
            if len(text) > ENTRY_COMMENT_LIMIT:
                raise Invalid(
                    f"a comment is too long with the cell's own ({len(text)} characters, "
                    f"at most {ENTRY_COMMENT_LIMIT})"
                )
            total = (entry.minutes if entry else 0) + minutes
            stored = self._write_cell(
                s, actor, owner, trow, day, entry, total, text, day_minutes=day_minutes
            )
            assert stored is not None
            self._cells_only(s)
            return stored

    def clear_entry(
        self, task: str, day: date, *, version: int | None = None, user: str | None = None
    ) -> None:
        self.set_entry(task, day, 0, comment="", version=version, user=user)

    def _open_cell(
        self, s: Tx, login: str | None, task: str, day: date
    ) -> tuple[Actor, Any, Any, Any, int]:
        """What a write of one cell reads before it writes, checked in order: who asks
        (a replayed request stops), the cell's owner (mine unless `login`: someone whose
        time I may change), the task, the period lock and a closed week, the cell's row
        and the minutes the owner has on that day. The owner's row is locked
        (PostgreSQL: it serialises the person's writes, this cell's among them), and the
        task's row shared (not archived under the write). Read at
        once (`Tx.batch`: one round trip on PostgreSQL), the busiest write the server
        has. Returns (actor, owner, task row, the cell's row or None, the day's
        minutes)."""
        actor = self._actor(s, replay=False)
        if login in (None, actor.login):
            owner_id = actor.user_id
        else:
            owner_id = int(self._user_at(s, login or "", "a user").id)
        project, number = parse_task_key(task)
        lock = "" if self.db.is_sqlite else " FOR UPDATE"
        task_lock = "" if self.db.is_sqlite else " FOR KEY SHARE OF t"
        statements = [
            ("SELECT * FROM users WHERE id = :id" + lock, {"id": owner_id}),
            (prepared.LOCKED_UNTIL, {}),
            (CLOSED_WEEKS, self._closed_weeks_params(owner_id, day)),
            # Its logged total changes last (`Sql.later`), so the row every writer of
            # this task waits for is held for one round trip, not the write; meanwhile
            # a key-share lock, which cell writers do not wait for each other on, keeps
            # the task from being archived (`FOR UPDATE`) under the write.
            (TASK_BY_KEY + task_lock, {"project": project, "number": number}),
            (CELL_BY_KEY, {"user_id": owner_id, "project": project, "number": number, "day": day}),
            (DAY_MINUTES_OF, {"user_id": owner_id, "day": day}),
        ]
        if self.request_id is not None:
            # After the owner's lock: a twin request that held it has committed by then
            # and is seen (not refused for what it did itself: a version, the day's 24:00).
            applied = {"request_id": self.request_id, "user_id": actor.user_id}
            statements.insert(1, (prepared.REQUEST_APPLIED, applied))
        found = s.batch(*statements)
        if self.request_id is not None:
            seen = found.pop(1)
            if seen:
                self._replayed(seen[0])
        owners, locks, closed, tasks, cells, day_minutes = found
        owner = owners[0]
        require(can_edit_time_of(actor, owner.login), f"you may not change {owner.login}'s time")
        if not tasks:  # (before the week: a key mistyped is what to say first)
            raise NotFound(f"no task {task.upper()}")
        self._refuse_closed(locks[0].until if locks else None, closed, day)
        return actor, owner, tasks[0], cells[0] if cells else None, int(day_minutes[0][0])

    def _writable_owner(self, s: Tx, actor: Actor, login: str | None, day: date) -> Any:
        owner = (
            self._user_at_id(s, actor.user_id)
            if login in (None, actor.login)
            else self._user_at(s, login or "", "a user")
        )
        require(can_edit_time_of(actor, owner.login), f"you may not change {owner.login}'s time")
        assert owner.id is not None
        self._lock_user(s, owner.id)
        self._check_open(s, owner.id, day)
        return owner

    def _owner_row(self, s: Tx, actor: Actor, user: str | None) -> Any:
        """The `users` row of the person named by a `user` parameter: me when None
        (or empty)."""
        if not user:
            return self._user_at_id(s, actor.user_id)
        return self._user_at(s, user, "a user")

    def _check_open(self, s: Tx, user_id: int | None, day: date) -> None:
        rows = s.rows(CLOSED_WEEKS, **self._closed_weeks_params(user_id, day))
        self._refuse_closed(self._locked_until(s), rows, day)

    @staticmethod
    def _closed_weeks_params(user_id: int | None, day: date) -> dict[str, Any]:
        """`CLOSED_WEEKS`'s parameters: a week that starts before Monday (first day
        Tuesday .. Sunday) begins in the ISO week before, so a day lies in its own ISO
        week's span or in the next one's."""
        names = [str(w) for w in IsoWeek.of(day).and_next()]
        return {"user_id": user_id, "weeks": names, "states": CLOSED}

    @staticmethod
    def _refuse_closed(locked: date | None, closed: list[Any], day: date) -> None:
        """Refuse a change of `day`'s time under the period lock (`locked`: the last
        day it holds) or in a submitted or approved week (`closed`: the rows of
        `CLOSED_WEEKS`)."""
        if locked is not None and day <= locked:
            raise Locked(f"time up to {locked:%a %d %b %Y} is locked; ask an admin")
        week = next((row for row in closed if day in week_days(row)), None)
        if week is not None:
            days = week_days(week)
            raise Locked(
                f"week {week.week} ({days[0]:%a %d %b} to {days[-1]:%a %d %b}) is "
                f"{week.state}; it cannot be changed"
            )

    @staticmethod
    def _entry_row(s: Tx, user_id: int | None, task_id: int | None, day: date) -> Any:
        return s.row(
            "SELECT * FROM time_entries WHERE user_id = :user_id AND task_id = :task_id"
            " AND day = :day",
            user_id=user_id,
            task_id=task_id,
            day=day,
        )

    def _write_cell(
        self,
        s: Tx,
        actor: Actor,
        owner: Any,
        trow: Any,
        day: date,
        entry: Any,
        minutes: int,
        comment: str,
        *,
        day_minutes: int | None = None,
    ) -> TimeEntry | None:
        """Store a cell's new value, keep the task's logged total, record the change.
        `day_minutes`: the owner's minutes on `day`, read with the owner's row locked
        (`_open_cell`); the task's total then changes last (`Sql.later`)."""
        if minutes < 0:
            raise Invalid("time cannot be negative")
        old = entry.minutes if entry else 0
        if minutes > old:
            if trow.archived:
                raise Invalid(f"{trow_key(s, trow)} is archived; log time on an open task")
            if day_minutes is None:
                day_minutes = int(s.value(DAY_MINUTES_OF, user_id=owner.id, day=day))
            day_total = day_minutes - old + minutes
            if day_total > DAY_MINUTES:
                raise Invalid(
                    f"that makes {format_duration(day_total)} on {day:%a %d %b}, "
                    "more than the 24:00 a day holds"
                )
        key = trow_key(s, trow)
        # With the owner's row locked, nobody else writes this cell meanwhile: its new
        # value and the task's total are written last, in the round trip that ends the
        # write (nothing after reads them).
        later = day_minutes is not None
        change = s.later if later else s.run
        if minutes != old:
            logged = "UPDATE tasks SET logged = logged + :more WHERE id = :id"
            change(logged, more=minutes - old, id=trow.id)
        data = {"user": owner.login, "day": day.isoformat(), "minutes": minutes, "was": old}
        if minutes == 0 and not comment:
            if entry is not None:
                change("DELETE FROM time_entries WHERE id = :id", id=entry.id)
                self._record(s, actor, "entry", key, "delete", data)
            return None
        now = self._now()
        if entry is None:
            # A cell made again after it was cleared must not take a version it had
            # before (an edit based on that one would overwrite this one unseen): a new
            # cell's version is past every change so far, so past each version any of
            # its earlier rows had (each was recorded as a change after it was given).
            version = int(s.value(NEW_CELL_VERSION))
            entry_id = s.insert(
                "time_entries",
                user_id=owner.id,
                task_id=trow.id,
                day=day,
                minutes=minutes,
                comment=comment,
                version=version,
                updated=now,
            )
        else:
            entry_id, version = entry.id, entry.version + 1
            s.update(
                "time_entries",
                entry_id,
                later=later,
                minutes=minutes,
                comment=comment,
                version=version,
                updated=now,
            )
        # The entry's version: a screen that holds it knows the change already.
        self._record(s, actor, "entry", key, "set", {**data, "version": version})
        project = key.rsplit("-", 1)[0]
        return TimeEntry(
            entry_id, owner.login, key, day, minutes, comment, trow.title, project, version
        )

    @staticmethod
    def _entry_record(row: Any, login: str, trow: Any) -> TimeEntry:
        """A cell from its `time_entries` row and its task's row (from `_task_at`)."""
        return TimeEntry(
            row.id,
            login,
            f"{trow.project_key}-{trow.number}",
            row.day,
            row.minutes,
            row.comment,
            trow.title,
            trow.project_key,
            row.version,
        )

    # --- reading time ----------------------------------------------------------------------

    def week(self, week: IsoWeek, *, user: str | None = None, first_day: int = 0) -> WeekSheet:
        # The timesheet's read and the server's busiest request: prepared statements.
        days = tuple(week.days(first_day))
        with self.db.read() as s:
            actor = self._actor(s)
            if user is None or user == actor.login:
                owner_id, login = actor.user_id, actor.login
            else:
                owner = self._visible_user_at(s, actor, user)
                owner_id, login = int(owner.id), owner.login
            # Every read of the week at once (one round trip on PostgreSQL), the days
            # taken from the first day asked for: a week sent for review with another
            # first day (rare) has its cells read again below.
            span = {"user_id": owner_id, "first": days[0], "last": days[-1]}
            weeks = [str(w) for w in around(week)]
            found = s.batch(
                (prepared.WEEK_STATES, {"user_id": owner_id, "weeks": weeks}),
                (prepared.WEEK_ENTRIES, span),
                (prepared.WEEK_TIME_OFF, span),
                (prepared.WEEK_ROWS, {"user_id": owner_id, "week": str(week)}),
                (prepared.LOCKED_UNTIL, {}),
                *schedule_reads([owner_id]),
            )
            state_rows, entry_rows, off_rows, task_rows, locks, *schedule_rows = found
            states = {r.week: r for r in state_rows}
            row = states.get(str(week))
            if row is not None and row.state != "draft":
                # A week sent for review shows the days it was submitted with.
                submitted = tuple(week.days(row.first_day))
                if submitted != days:
                    days = submitted
                    span = {"user_id": owner_id, "first": days[0], "last": days[-1]}
                    entry_rows, off_rows = s.batch(
                        (prepared.WEEK_ENTRIES, span), (prepared.WEEK_TIME_OFF, span)
                    )
            others = tuple(
                _week_state(login, r)
                for name, r in states.items()
                if name != str(week)
                and r.state in CLOSED
                and not set(week_days(r)).isdisjoint(days)
            )
            if row is not None and row.state in CLOSED:
                own = tuple(week_days(row))
            else:  # what submitting it now would submit: the days no closed week holds
                own = tuple(d for d in days if not any(d in w.days for w in others))
            entries = tuple(entry_from(r, login) for r in entry_rows)
            time_off = tuple(
                TimeOff(r.id, login, r.day, r.minutes, cast(TimeOffKind, r.kind)) for r in off_rows
            )
            state = WeekState(login, str(week)) if row is None else _week_state(login, row)
            rows = tuple(
                TaskRef(f"{r.key}-{r.number}", r.title, r.key, r.archived) for r in task_rows
            )
            schedule = schedules_from(*schedule_rows)[owner_id]
            return WeekSheet(
                user=login,
                week=str(week),
                days=days,
                state=state,
                entries=entries,
                time_off=time_off,
                locked_until=locks[0].until if locks else None,
                rows=rows,
                span=own,
                others=others,
                schedule=tuple(schedule.minutes_on(day) for day in days),
            )

    def add_week_row(self, week: IsoWeek, task: str) -> TaskRef:
        with self.db.write() as s:
            actor = self._actor(s)
            trow = self._task_at(s, task)
            if trow.archived:
                raise Invalid(f"{trow_key(s, trow)} is archived; add an open task")
            self._add_rows(s, actor, week, [trow])
            return self._task_ref(s, trow)

    def remove_week_row(self, week: IsoWeek, task: str) -> None:
        with self.db.write() as s:
            actor = self._actor(s)
            trow = self._task_at(s, task)
            gone = s.run(
                "DELETE FROM week_rows WHERE user_id = :user_id AND week = :week"
                " AND task_id = :task_id",
                user_id=actor.user_id,
                week=str(week),
                task_id=trow.id,
            )
            if gone:
                key = trow_key(s, trow)
                self._record(
                    s, actor, "week_row", key, "delete", {"user": actor.login, "week": str(week)}
                )

    def copy_week_rows(
        self, source: IsoWeek, target: IsoWeek, *, first_day: int = 0
    ) -> list[TaskRef]:
        source_days, target_days = source.days(first_day), target.days(first_day)
        with self.db.write() as s:
            actor = self._actor(s)
            ids = set(self._pinned(s, actor, source))
            ids |= self._logged_on(s, actor, source_days)
            # A task with time on the target week is one of its rows already.
            ids -= self._logged_on(s, actor, target_days)
            tasks = s.rows(
                "SELECT t.*, p.key AS project_key FROM tasks t"
                " JOIN projects p ON p.id = t.project_id"
                " WHERE t.id IN (:ids) AND NOT t.archived",
                ids=ids,
            )
            added = self._add_rows(s, actor, target, tasks)
            return [self._task_ref(s, t) for t in added]

    @staticmethod
    def _pinned(s: Tx, actor: Actor, week: IsoWeek) -> list[int]:
        """The ids of the tasks I pinned to a week."""
        return s.column(
            "SELECT task_id FROM week_rows WHERE user_id = :user_id AND week = :week",
            user_id=actor.user_id,
            week=str(week),
        )

    @staticmethod
    def _logged_on(s: Tx, actor: Actor, days: list[date]) -> set[int]:
        """The ids of the tasks I logged time on from the first of `days` to the last."""
        return set(
            s.column(
                "SELECT task_id FROM time_entries WHERE user_id = :user_id"
                " AND day >= :first AND day <= :last",
                user_id=actor.user_id,
                first=days[0],
                last=days[-1],
            )
        )

    def _add_rows(self, s: Tx, actor: Actor, week: IsoWeek, tasks: list[Any]) -> list[Any]:
        """Pin tasks (rows from `_task_at`) to a week; those already pinned are left alone."""
        have = set(self._pinned(s, actor, week))
        added = []
        for trow in sorted(tasks, key=lambda t: (t.project_id, t.number)):
            if trow.id in have:
                continue
            s.insert(
                "week_rows", returning=None, user_id=actor.user_id, week=str(week), task_id=trow.id
            )
            added.append(trow)
            self._record(
                s,
                actor,
                "week_row",
                trow_key(s, trow),
                "create",
                {"user": actor.login, "week": str(week)},
            )
        return added

    @staticmethod
    def _task_ref(s: Tx, trow: Any) -> TaskRef:
        key = trow_key(s, trow)
        return TaskRef(key, trow.title, key.rsplit("-", 1)[0], bool(trow.archived))

    def list_entries(
        self,
        start: date,
        end: date,
        *,
        user: str | None = None,
        project: str | None = None,
        task: str | None = None,
    ) -> list[TimeEntry]:
        with self.db.read() as s:
            actor = self._actor(s)
            if user is not None:
                user_ids: list[int] | None = [self._visible_user_at(s, actor, user).id]
            else:
                user_ids = self._visible_user_ids(s, actor)
            project_id = self._project_id(s, project) if project else None
            task_id = self._task_at(s, task).id if task else None
            return self._entries(s, start, end, user_ids, project_id, task_id)

    def task_time(self, key: str) -> list[ReportRow]:
        with self.db.read() as s:
            actor = self._actor(s)
            trow = self._task_at(s, key)
            rows = s.rows(
                "SELECT u.login, u.team_id, sum(e.minutes) AS minutes FROM time_entries e"
                " JOIN users u ON u.id = e.user_id WHERE e.task_id = :task_id"
                " GROUP BY u.login, u.team_id ORDER BY u.login",
                task_id=trow.id,
            )
            task_key = trow_key(s, trow)
            return [
                ReportRow(r.login, trow.project_key, task_key, trow.title, int(r.minutes))
                for r in rows
                if can_see_person(actor, r.login, self._team_name(s, r.team_id))
            ]

    @staticmethod
    def _visible_user_ids(s: Tx, actor: Actor) -> list[int] | None:
        """The ids of the people whose time the actor sees; None means everyone."""
        if actor.is_admin:
            return None
        ids = [actor.user_id]
        if actor.leads:
            ids += s.column(
                "SELECT u.id FROM users u JOIN teams t ON t.id = u.team_id"
                " WHERE t.name IN (:teams)",
                teams=sorted(actor.leads),
            )
        return sorted(set(ids))

    @staticmethod
    def _entries(
        s: Tx,
        start: date,
        end: date,
        user_ids: list[int] | None,
        project_id: int | None = None,
        task_id: int | None = None,
    ) -> list[TimeEntry]:
        sql = (
            "SELECT e.id, e.day, e.minutes, e.comment, e.version, u.login, t.number,"
            " t.title, p.key FROM time_entries e JOIN users u ON u.id = e.user_id"
            " JOIN tasks t ON t.id = e.task_id JOIN projects p ON p.id = t.project_id"
            " WHERE e.day >= :start AND e.day <= :end"
        )
        params: dict[str, Any] = {"start": start, "end": end}
        if user_ids is not None:
            sql += " AND e.user_id IN (:user_ids)"
            params["user_ids"] = user_ids
        if project_id is not None:
            sql += " AND t.project_id = :project_id"
            params["project_id"] = project_id
        if task_id is not None:
            sql += " AND e.task_id = :task_id"
            params["task_id"] = task_id
        sql += " ORDER BY e.day, p.key, t.number"
        return [entry_from(r, r.login) for r in s.rows(sql, **params)]

    # --- the timer ---------------------------------------------------------------------------

    def timer_start(self, task: str) -> Timer:
        try:
            with self.db.write() as s:
                actor = self._actor(s)
                # Locked: a card being archived meanwhile (which refuses while a timer
                # runs on it) waits for this start, or this start sees it archived.
                trow = self._task_at(s, task, lock=True)
                if trow.archived:
                    raise Invalid(f"{trow_key(s, trow)} is archived")
                self._check_timer_can_run(s, actor, trow)
                self._stop_timer(s, actor)
                started = self._now()
                s.insert(
                    "timers",
                    returning=None,
                    user_id=actor.user_id,
                    task_id=trow.id,
                    started=started,
                )
                key = trow_key(s, trow)
                self._record(s, actor, "timer", actor.login, "start", {"task": key})
                return Timer(actor.login, key, started, trow.title)
        except _TimerNotLogged as failed:
            raise self._drop_timer(failed) from failed.error

    def timer_stop(self) -> TimeEntry | None:
        """Stop my timer and add its minutes to today's cell of its task (None when no
        timer ran, or it ran for less than a minute). When the cell cannot take them
        (the period locked while it ran, more than 24:00; a card is not archived while a
        timer runs on it), the timer is stopped all the same and the error says why
        nothing was logged and how much. A timer does not start where today's time
        cannot go (a submitted week, a locked period), and a week is not submitted while
        its owner's timer runs into it."""
        try:
            with self.db.write() as s:
                actor = self._actor(s)
                return self._stop_timer(s, actor)
        except _TimerNotLogged as failed:
            raise self._drop_timer(failed) from failed.error

    def timer_set(
        self,
        task: str | None,
        *,
        started: datetime | None = None,
        expect: datetime | None = None,
    ) -> Timer | None:
        """Put my timer back as it was, logging nothing: what undoing a start or a stop
        does. Refused (Conflict) unless the timer running now is the one that started at
        `expect` (None: no timer runs)."""
        if task is not None:
            parse_task_key(task)
            if started is None:
                raise Invalid("a timer put back needs the time it started")
        with self.db.write() as s:
            actor = self._actor(s)
            row = self._timer_row(s, actor.user_id)
            running = None if row is None else _utc(row.started)
            if (running is None) != (expect is None) or (
                running is not None and expect is not None and not _same_second(running, expect)
            ):
                raise Conflict("your timer was started or stopped since; nothing was changed")
            if row is not None:
                s.run("DELETE FROM timers WHERE user_id = :user_id", user_id=actor.user_id)
            if task is None:
                self._record(s, actor, "timer", actor.login, "cancel", {})
                return None
            assert started is not None
            if _utc(started) > _utc(self._now()):
                raise Invalid("a timer cannot start in the future")
            trow = self._task_at(s, task)
            if trow.archived:
                raise Invalid(f"{trow_key(s, trow)} is archived")
            self._check_timer_can_run(s, actor, trow)  # (a start redone, a stop undone)
            s.insert(
                "timers", returning=None, user_id=actor.user_id, task_id=trow.id, started=started
            )
            key = trow_key(s, trow)
            self._record(s, actor, "timer", actor.login, "start", {"task": key})
            return Timer(actor.login, key, started, trow.title)

    def timer_status(self) -> Timer | None:
        with self.db.read() as s:
            actor = self._actor(s)
            row = self._timer_row(s, actor.user_id)
            if row is None:
                return None
            trow = self._task_at_id(s, row.task_id)
            return Timer(actor.login, trow_key(s, trow), row.started, trow.title)

    @staticmethod
    def _timer_row(s: Tx, user_id: int) -> Any:
        return s.row("SELECT * FROM timers WHERE user_id = :user_id", user_id=user_id)

    def _check_timer_can_run(self, s: Tx, actor: Actor, trow: Any) -> None:
        """Refused (Locked) where today's time cannot go, the week submitted or the
        period locked: the timer's time could never be logged."""
        try:
            self._check_open(s, actor.user_id, self._today())
        except Locked as closed:
            raise Locked(
                f"the timer cannot run on {trow_key(s, trow)}: its time would go into "
                f"today's cell, and {closed.message}"
            ) from None

    def _stop_timer(self, s: Tx, actor: Actor) -> TimeEntry | None:
        row = self._timer_row(s, actor.user_id)
        if row is None:
            return None
        self._lock_user(s, actor.user_id)
        # locked and read afresh: its `logged` total changes
        trow = self._task_at_id(s, row.task_id, lock=True)
        minutes = round((_utc(self._now()) - _utc(row.started)).total_seconds() / 60)
        s.run("DELETE FROM timers WHERE user_id = :user_id", user_id=actor.user_id)
        key = trow_key(s, trow)
        self._record(s, actor, "timer", actor.login, "stop", {"task": key, "minutes": minutes})
        if minutes < 1:
            return None
        day = self._today()
        owner = self._user_at_id(s, actor.user_id)
        try:
            self._check_open(s, actor.user_id, day)
            entry = self._entry_row(s, actor.user_id, trow.id, day)
            total = (entry.minutes if entry else 0) + minutes
            text = entry.comment if entry else ""
            return self._write_cell(s, actor, owner, trow, day, entry, total, text)
        except (Invalid, Locked) as error:
            raise _TimerNotLogged(error, row.started, key, minutes) from error

    def _drop_timer(self, failed: _TimerNotLogged) -> BoardError:
        """Stop a timer whose time could not be logged (its own transaction: the one
        that tried was rolled back); returns the error to raise."""
        with self.db.write() as s:
            actor = self._actor(s)
            row = self._timer_row(s, actor.user_id)
            if row is not None and _same_second(row.started, failed.started):
                s.run("DELETE FROM timers WHERE user_id = :user_id", user_id=actor.user_id)
                data = {"task": failed.task, "minutes": failed.minutes, "logged": False}
                self._record(s, actor, "timer", actor.login, "stop", data)
        error = failed.error
        return type(error)(
            f"the timer on {failed.task} is stopped, but its "
            f"{format_duration(failed.minutes)} could not be logged: {error.message}"
        )

    # --- what the week sheet and the cells read of locks and time off -----------------

    @staticmethod
    def _locked_until(s: Tx) -> date | None:
        return cast("date | None", s.value(prepared.LOCKED_UNTIL))

    @staticmethod
    def _time_off(s: Tx, start: date, end: date, owner: Any) -> list[TimeOff]:
        rows = s.rows(
            "SELECT id, day, minutes, kind FROM time_off WHERE user_id = :user_id"
            " AND day >= :first AND day <= :last ORDER BY day",
            user_id=owner.id,
            first=start,
            last=end,
        )
        return [
            TimeOff(r.id or 0, owner.login, r.day, r.minutes, cast(TimeOffKind, r.kind))
            for r in rows
        ]


class _TimerNotLogged(Exception):
    """A stopping timer's minutes could not be written to its cell."""

    def __init__(self, error: BoardError, started: datetime, task: str, minutes: int) -> None:
        super().__init__(error.message)
        self.error = error
        self.started = started
        self.task = task
        self.minutes = minutes


def entry_from(r: Any, login: str) -> TimeEntry:
    """A cell from a row with the entry's columns and its task's `key`, `number` and
    `title` (the week sheet's and the entry lists' statements)."""
    return TimeEntry(
        id=r.id,
        user=login,
        task=f"{r.key}-{r.number}",
        day=r.day,
        minutes=r.minutes,
        comment=r.comment,
        task_title=r.title,
        project=r.key,
        version=r.version,
    )


def _utc(moment: datetime) -> datetime:
    """A stored moment as an aware one (SQLite hands back naive UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _same_second(a: datetime, b: datetime) -> bool:
    return abs((_utc(a) - _utc(b)).total_seconds()) < 1


def check_entry_comment(comment: str) -> str:
    return check_text(comment, "a comment", limit=ENTRY_COMMENT_LIMIT, required=False)


#: The states in which a week holds its days: they are its, and locked.
CLOSED = ("submitted", "approved")


class StoredWeek(Protocol):
    """A week_states row, as the ORM or a prepared statement hands it back."""

    @property
    def week(self) -> str: ...
    @property
    def first_day(self) -> int: ...
    @property
    def span_first(self) -> date | None: ...
    @property
    def span_last(self) -> date | None: ...


def week_days(row: StoredWeek) -> list[date]:
    """The days a stored week state spans (the one place that says so): its ISO week
    from the first day it was submitted with, or, for a short week (weeks.py), the days
    from `span_first` to `span_last`."""
    if row.span_first is not None and row.span_last is not None:
        count = (row.span_last - row.span_first).days + 1
        return [row.span_first + timedelta(days=n) for n in range(count)]
    return IsoWeek.parse(row.week).days(row.first_day)


def around(week: IsoWeek) -> list[IsoWeek]:
    """The week before, the week and the week after (those the calendar holds): the
    weeks whose days may be shown with this one's, whatever day each starts on."""
    try:
        before = [week.shift(-1)]
    except Invalid:
        before = []
    return before + week.and_next()


def _week_state(login: str, row: Any) -> WeekState:
    """A week state from a row of `prepared.WEEK_STATES`."""
    return WeekState(
        login,
        row.week,
        row.state,
        row.reviewer,
        row.note,
        row.submitted_minutes,
        row.version,
        row.first_day,
        tuple(week_days(row)) if row.state != "draft" else (),
    )


def trow_key(s: Tx, trow: Any) -> str:
    """A task's key from its row: from `_task_at` (which holds its project's key) or
    from the ORM."""
    project = getattr(trow, "project_key", None) or s.value(
        "SELECT key FROM projects WHERE id = :id", id=trow.project_id
    )
    return f"{project}-{trow.number}"
