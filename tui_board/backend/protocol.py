"""What the screens and the CLI may ask of a store.

Two implementations: `LocalBackend` (the service layer over SQLite or PostgreSQL) and
`RemoteBackend` (HTTP to a team server that wraps a LocalBackend). Every method may raise
one of `tui_board.core.errors`; every write checks permissions, refuses a stale
`version` with Conflict, and records a Change.

Each operation says what it is: `@reads`, `@writes`, or `@writes(queue_offline=True)`
for a write the remote backend may keep on disk while the server is away (see
`declare.py`). The server's routes and the remote backend's methods are made from
these declarations (`operations.py`), so adding a method here serves it over HTTP.

Users, projects and tasks are named by their natural keys (login, `WEB`, `WEB-12`), so
that the CLI, the API and the screens speak the same language. `user=None` means "me".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from tui_board.backend.declare import reads, writes
from tui_board.backend.offline import QueuedWrite
from tui_board.core.models import (
    ArchivedTask,
    Change,
    Column,
    ColumnCards,
    ColumnKind,
    ColumnPatch,
    Comment,
    Customer,
    EstimateRow,
    ImportResult,
    ImportRow,
    Milestone,
    OvertimeRow,
    PersonSchedule,
    PlannedWork,
    Priority,
    Project,
    ProjectPatch,
    ProjectSchedule,
    ReportRow,
    Role,
    Task,
    TaskPatch,
    TaskRef,
    Team,
    TimeEntry,
    TimeOff,
    TimeOffKind,
    Timer,
    User,
    UserPatch,
    WeekSheet,
    WeekState,
    WeekStateName,
    Workload,
)
from tui_board.core.weeks import IsoWeek


@runtime_checkable
class Backend(Protocol):
    #: One line for the header: "local: /srv/team/board.db" or "server: https://...".
    description: str

    def close(self) -> None: ...

    # --- who am I, people and teams ------------------------------------------------
    @reads
    def me(self) -> User: ...
    @reads
    def list_users(self, *, include_inactive: bool = False) -> list[User]: ...
    @reads
    def get_user(self, login: str) -> User: ...
    @writes
    def create_user(
        self,
        login: str,
        name: str,
        *,
        email: str = "",
        role: Role = "member",
        team: str | None = None,
        capacity: int | None = None,
        work_days: tuple[int, ...] | None = None,
    ) -> User: ...
    @writes
    def update_user(self, login: str, version: int, patch: UserPatch) -> User: ...
    @reads
    def list_teams(self) -> list[Team]: ...
    @writes
    def create_team(self, name: str, *, lead: str | None = None) -> Team: ...
    @writes
    def set_team_lead(self, name: str, lead: str | None) -> Team: ...

    # --- customers, projects, columns -------------------------------------------------
    @reads
    def list_customers(self, *, include_archived: bool = False) -> list[Customer]: ...
    @writes
    def create_customer(self, name: str) -> Customer: ...
    @reads
    def list_projects(self, *, include_archived: bool = False) -> list[Project]: ...
    @reads
    def get_project(self, key: str) -> Project: ...
    @writes
    def create_project(
        self,
        key: str,
        name: str,
        *,
        customer: str | None = None,
        columns: tuple[tuple[str, ColumnKind, int | None], ...] | None = None,
    ) -> Project: ...
    @writes
    def update_project(self, key: str, version: int, patch: ProjectPatch) -> Project: ...
    @reads
    def list_columns(self, project: str) -> list[Column]: ...
    @writes
    def create_column(
        self, project: str, name: str, *, kind: ColumnKind = "open", wip_limit: int | None = None
    ) -> Column: ...
    @writes
    def update_column(self, column_id: int, version: int, patch: ColumnPatch) -> Column: ...

    # --- tasks (the cards) -------------------------------------------------------------
    @reads
    def list_tasks(
        self,
        *,
        project: str | None = None,
        column_id: int | None = None,
        assignee: str | None = None,
        include_archived: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Task]: ...
    @reads
    def column_cards(
        self,
        project: str,
        column_id: int,
        *,
        after: tuple[float, int] | None = None,
        limit: int | None = None,
    ) -> ColumnCards:
        """A board column's cards in order, field by field: what `list_tasks(project=,
        column_id=)` gives, as a big board reads it, a page at a time: the first
        `limit` (None: all) after the card with this rank and id (None: from the top)."""
        ...

    @reads
    def count_tasks(self, project: str) -> dict[int, int]:
        """Cards per column id (not archived): what a column header shows."""
        ...

    @reads
    def get_task(self, key: str) -> Task: ...
    @writes
    def create_task(
        self,
        project: str,
        title: str,
        *,
        description: str = "",
        column_id: int | None = None,
        assignee: str | None = None,
        estimate: int | None = None,
        due: date | None = None,
        priority: Priority = "normal",
        tags: tuple[str, ...] = (),
    ) -> Task: ...
    @writes
    def update_task(self, key: str, version: int, patch: TaskPatch) -> Task: ...
    @writes
    def move_task(self, key: str, version: int, column_id: int, index: int | None = None) -> Task:
        """Put the card in a column at a 0-based index (None: at the bottom)."""
        ...

    @writes
    def archive_task(self, key: str, version: int, *, archived: bool = True) -> Task: ...
    @reads
    def list_archived(self, project: str) -> list[ArchivedTask]:
        """A project's archived cards, the most recently archived first, each with when
        and by whom it was archived."""
        ...

    @reads
    def list_comments(self, key: str) -> list[Comment]: ...
    @writes
    def add_comment(self, key: str, body: str) -> Comment: ...

    # --- time ----------------------------------------------------------------------------
    @writes(queue_offline=True)
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
        """Set a timesheet cell. `version` is the cell's version as the caller saw it
        (0: it saw no entry; None: do not check). Zero minutes and no comment deletes it."""
        ...

    @writes(queue_offline=True)
    def add_time(
        self, task: str, day: date, minutes: int, *, comment: str = "", user: str | None = None
    ) -> TimeEntry:
        """Add minutes to a cell (what `tui-board log` and stopping a timer do)."""
        ...

    @writes(queue_offline=True)
    def clear_entry(
        self, task: str, day: date, *, version: int | None = None, user: str | None = None
    ) -> None: ...
    @reads
    def week(self, week: IsoWeek, *, user: str | None = None, first_day: int = 0) -> WeekSheet: ...
    @writes
    def add_week_row(self, week: IsoWeek, task: str) -> TaskRef:
        """Keep a task as a row of my timesheet week, with or without time on it."""
        ...

    @writes
    def remove_week_row(self, week: IsoWeek, task: str) -> None:
        """Drop a row I added (its time, if any, stays and keeps the row shown)."""
        ...

    @writes
    def copy_week_rows(
        self, source: IsoWeek, target: IsoWeek, *, first_day: int = 0
    ) -> list[TaskRef]:
        """Add to `target` the rows of `source` (its added rows and the tasks with time
        on them, the weeks' days counted from `first_day`: 0 Monday .. 6 Sunday), not
        their time; returns the rows added: only those `target` did not show already
        (a task added to it, or with time on it, is left as it is)."""
        ...

    @reads
    def list_entries(
        self,
        start: date,
        end: date,
        *,
        user: str | None = None,
        project: str | None = None,
        task: str | None = None,
    ) -> list[TimeEntry]:
        """Entries from start to end inclusive; user=None means every user I may see."""
        ...

    @reads
    def task_time(self, key: str) -> list[ReportRow]:
        """Who logged how much on a task (what the card's detail shows)."""
        ...

    @writes
    def timer_start(self, task: str) -> Timer: ...
    @writes
    def timer_stop(self) -> TimeEntry | None: ...
    @writes
    def timer_set(
        self,
        task: str | None,
        *,
        started: datetime | None = None,
        expect: datetime | None = None,
    ) -> Timer | None:
        """Put my timer back as it was (running on `task` since `started`, or none),
        logging nothing: what undoing a start or a stop does. Refused (Conflict) unless
        the timer running now started at `expect` (None: none runs)."""
        ...

    @reads
    def timer_status(self) -> Timer | None: ...

    # --- weeks: submit, approve, lock ------------------------------------------------------
    @writes
    def submit_week(
        self, week: IsoWeek, *, user: str | None = None, first_day: int = 0
    ) -> WeekState:
        """Submit the week as its owner sees it: `week.days(first_day)` (0 Monday ..
        6 Sunday) is the span summed, reviewed and locked, and kept with its state;
        less the days another submitted or approved week holds (a short week: the
        state's `days` are those submitted)."""
        ...

    @writes
    def approve_week(self, login: str, week: IsoWeek) -> WeekState: ...
    @writes
    def reject_week(self, login: str, week: IsoWeek, note: str) -> WeekState: ...
    @writes
    def reopen_week(self, login: str, week: IsoWeek) -> WeekState: ...
    @writes
    def set_review(
        self, login: str, week: IsoWeek, state: WeekStateName, *, version: int, note: str = ""
    ) -> WeekState:
        """Put a week I review back in the state it had (what undoing an approval, a
        rejection or a reopening does). Refused (Conflict) when the week changed since
        `version`, and when a reopened week's time is not what was submitted."""
        ...

    @reads
    def list_week_states(
        self, *, state: str | None = None, user: str | None = None
    ) -> list[WeekState]: ...
    @writes
    def lock_period(self, until: date) -> date: ...
    @reads
    def locked_until(self) -> date | None: ...

    # --- imports (backend/local/imports.py says what a cell becomes) -------------------------
    @writes
    def stage_import(self, batch: str, part: int, rows: list[ImportRow]) -> int:
        """Keep part `part` (0, 1, ...) of a file's rows under `batch`, a name of mine,
        until `import_rows` stores them: a big file goes in parts (a team server takes
        requests of at most 1 MiB). A part sent again replaces itself; parts not
        imported are deleted after a day. Returns how many rows the batch holds."""
        ...

    @writes(slow=True)
    def import_rows(
        self,
        batch: str,
        parts: int,
        file: str,
        *,
        create: bool = False,
        dry_run: bool = False,
        strict: bool = False,
    ) -> ImportResult:
        """Store the rows of the `parts` parts staged under `batch`, all in one
        transaction: each cell they fall in is SET (never added to), and a row that
        cannot be stored is refused with its reason while the others are stored (with
        `strict`, any refusal stores nothing). `file` names the file ("kimai
        export.csv"; each row is kept with it and its line). `create` makes the projects
        and tasks rows name that are not there (admins). `dry_run` stores nothing and
        says what would be stored. The parts are deleted either way."""
        ...

    # --- time off, workload, reports ---------------------------------------------------------
    @writes
    def add_time_off(
        self, day: date, minutes: int, *, kind: TimeOffKind = "vacation", user: str | None = None
    ) -> TimeOff: ...
    @reads
    def list_time_off(
        self, start: date, end: date, *, user: str | None = None
    ) -> list[TimeOff]: ...
    @writes
    def remove_time_off(self, time_off_id: int) -> None: ...
    @reads
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
        """The figures of the people I may see (of `team`), week by week: up to `limit`
        of them (all when None) from the `offset`-th on, by team (no team last) then
        name; `Workload.people` says how many there are in all and `Workload.totals`
        sums each week over all of them, whatever the window (left empty when not
        asked for: a window read while scrolling)."""
        ...

    @reads
    def list_planned_work(
        self, user: str, week: IsoWeek, *, today: date | None = None
    ) -> list[PlannedWork]:
        """The open tasks behind a person's planned minutes in a week (what a workload
        cell's `planned` adds up), most minutes first; empty for a past week."""
        ...

    @reads
    def report(
        self,
        start: date,
        end: date,
        *,
        user: str | None = None,
        project: str | None = None,
    ) -> list[ReportRow]: ...

    # --- the change feed ----------------------------------------------------------------------
    # --- the project schedule, milestones, individual schedules ------------------------
    @reads
    def project_schedule(self, project: str, *, today: date | None = None) -> ProjectSchedule:
        """A project's open tasks with their flags, its progress and its forecast."""
        ...

    @reads
    def list_milestones(self, project: str, *, today: date | None = None) -> list[Milestone]: ...
    @writes
    def add_milestone(self, project: str, name: str, day: date) -> Milestone: ...
    @writes
    def move_milestone(self, project: str, name: str, version: int, day: date) -> Milestone: ...
    @reads
    def get_schedule(
        self, login: str | None = None, *, today: date | None = None
    ) -> PersonSchedule: ...
    @writes
    def set_schedule(
        self, login: str, minutes: tuple[int, ...], *, start: date | None = None
    ) -> PersonSchedule:
        """From `start` on (today when None) the person works `minutes` per weekday."""
        ...

    @reads
    def report_estimates(
        self,
        *,
        project: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> list[EstimateRow]:
        """Estimate against logged per project, milestone, task and person (tasks due
        in the range, all when not given)."""
        ...

    @reads
    def report_overtime(
        self, start: date, end: date, *, user: str | None = None
    ) -> list[OvertimeRow]:
        """Logged against schedule less time off, per person and week."""
        ...

    @reads
    def changes_since(self, seq: int, *, limit: int = 500) -> list[Change]: ...
    @reads
    def last_change(self) -> int: ...
    def wait_changes(self, since: int, timeout: float, *, limit: int = 500) -> list[Change]:
        """The changes after `since` I may see (as `changes_since`), as soon as there is
        one; [] after `timeout` seconds, or at once once the backend is closed (which
        ends a wait from another thread). Not an operation: a team server serves it as
        the long poll `GET /changes?wait=` (woken by the store, never polled per
        client); a local store is looked at a few times a second (no server to cost)."""
        ...

    @reads
    def task_history(self, key: str) -> list[Change]:
        """What happened to a card, oldest first: its creation, edits, moves, comments
        and time logged (by people whose time the reader may see; others' as `logged`,
        naming nobody)."""
        ...


@runtime_checkable
class SyncingBackend(Protocol):
    """A backend that keeps writes on disk while its server cannot be reached (the
    remote one): the app watches its link and sends what waits once it answers."""

    #: Whether the server answered the last request.
    online: bool
    #: Told what a send of the queued writes did when a call sent them on its way
    #: before its own request (how many went; the ones refused, with their reasons):
    #: the shell prints it, the app shows it. Only when something was sent or refused.
    on_sync: Callable[[int, list[QueuedWrite]], None] | None

    def sync(self) -> tuple[int, list[QueuedWrite]]:
        """Send the queued writes in order: how many were sent, and the ones refused."""
        ...

    def pending_writes(self) -> list[QueuedWrite]: ...
