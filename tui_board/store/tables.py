"""The SQLModel tables: one per entity of DESIGN.md section 2.

Only the service layer (`tui_board.backend.local`) touches these; everything above it
sees the records of `tui_board.core.models`. Times are aware UTC (SQLModel converts them).
Rows that people edit carry `version` for optimistic concurrency.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class UserRow(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True, max_length=64)
    name: str = Field(max_length=200)
    email: str = Field(default="", max_length=200)
    role: str = Field(default="member", max_length=16)
    team_id: int | None = Field(default=None, foreign_key="teams.id", index=True)
    capacity: int = 40 * 60
    #: Weekdays worked, "0,1,2,3,4" (Monday is 0).
    work_days: str = Field(default="0,1,2,3,4", max_length=20)
    active: bool = True
    version: int = 1
    created: datetime


class TeamRow(SQLModel, table=True):
    __tablename__ = "teams"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    #: A user id; not a foreign key, so teams and users do not reference each other.
    lead_id: int | None = Field(default=None, index=True)
    version: int = 1


class CustomerRow(SQLModel, table=True):
    __tablename__ = "customers"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    archived: bool = False
    version: int = 1


class ProjectRow(SQLModel, table=True):
    __tablename__ = "projects"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=16)
    name: str = Field(max_length=200)
    customer_id: int | None = Field(default=None, foreign_key="customers.id")
    archived: bool = False
    #: The date the project is to be finished by (migration 0007).
    deadline: date | None = None
    #: The number the next task of this project gets (WEB-12).
    next_number: int = 1
    version: int = 1


class ColumnRow(SQLModel, table=True):
    __tablename__ = "board_columns"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True)
    name: str = Field(max_length=100)
    position: int = 0
    kind: str = Field(default="open", max_length=16)
    wip_limit: int | None = None
    version: int = 1


class TaskRow(SQLModel, table=True):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("project_id", "number", name="uq_tasks_project_number"),
        Index("ix_tasks_column_rank", "column_id", "archived", "rank"),
        Index("ix_tasks_assignee", "assignee_id", "archived"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id")
    number: int
    title: str = Field(max_length=500)
    description: str = ""
    column_id: int = Field(foreign_key="board_columns.id")
    rank: float = 0.0
    assignee_id: int | None = Field(default=None, foreign_key="users.id")
    estimate: int | None = None
    due: date | None = None
    #: The day work on it starts (the schedule's bar; migration 0007).
    start: date | None = None
    milestone_id: int | None = Field(default=None, foreign_key="milestones.id")
    priority: str = Field(default="normal", max_length=16)
    #: Space-separated tags.
    tags: str = Field(default="", max_length=500)
    archived: bool = False
    #: Minutes logged on the task by everyone, kept by the service layer in the same
    #: transaction as the entries, so the board and the workload never sum 1M rows.
    logged: int = 0
    created: datetime
    updated: datetime
    version: int = 1


class MilestoneRow(SQLModel, table=True):
    """A project's deliverable: a name and a date (migration 0007)."""

    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_milestones_project_name"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id")
    name: str = Field(max_length=100)
    day: date
    version: int = 1


class UserScheduleRow(SQLModel, table=True):
    """A person's working time per weekday from `day` on, until their next change
    (migration 0007): minutes Monday to Sunday, "480,480,480,480,240,0,0"."""

    __tablename__ = "user_schedules"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_user_schedules_user_day"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    day: date
    minutes: str = Field(max_length=64)


class CommentRow(SQLModel, table=True):
    __tablename__ = "comments"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="tasks.id", index=True)
    author_id: int = Field(foreign_key="users.id")
    body: str
    time: datetime


class TimeEntryRow(SQLModel, table=True):
    """A timesheet cell: one row per (user, task, day), as actiTIME stores it."""

    __tablename__ = "time_entries"
    __table_args__ = (
        UniqueConstraint("user_id", "task_id", "day", name="uq_time_entries_cell"),
        Index("ix_time_entries_user_day", "user_id", "day"),
        # Covers the workload's sums: by day range, then user, reading only minutes.
        Index("ix_time_entries_day_user", "day", "user_id", "minutes"),
        Index("ix_time_entries_task", "task_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    task_id: int = Field(foreign_key="tasks.id")
    day: date
    minutes: int
    comment: str = ""
    version: int = 1
    updated: datetime


class TimerRow(SQLModel, table=True):
    __tablename__ = "timers"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    task_id: int = Field(foreign_key="tasks.id")
    started: datetime


class WeekStateRow(SQLModel, table=True):
    __tablename__ = "week_states"
    __table_args__ = (
        UniqueConstraint("user_id", "week", name="uq_week_states_user_week"),
        Index("ix_week_states_state", "state", "week"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    #: ISO week, "2026-W48": sorts as text.
    week: str = Field(max_length=8)
    state: str = Field(default="draft", max_length=16)
    reviewer_id: int | None = Field(default=None, foreign_key="users.id")
    note: str = ""
    submitted_minutes: int = 0
    #: The day the week was submitted as starting on (0 Monday .. 6 Sunday): its span
    #: is `IsoWeek.days(first_day)`, what the person saw (migration 0005).
    first_day: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    #: A short week's days, first and last: set when some of the days shown were already
    #: in another submitted or approved week when this one was submitted (None: all seven).
    #: Read only through `week_days(row)` (backend/local/time.py).
    span_first: date | None = None
    span_last: date | None = None
    version: int = 1
    updated: datetime


class WeekRowRow(SQLModel, table=True):
    """A task someone keeps as a row of a timesheet week, before or without time."""

    __tablename__ = "week_rows"
    __table_args__ = (UniqueConstraint("user_id", "week", "task_id", name="uq_week_rows"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    #: ISO week, "2026-W48".
    week: str = Field(max_length=8)
    task_id: int = Field(foreign_key="tasks.id")


class TimeOffRow(SQLModel, table=True):
    __tablename__ = "time_off"
    __table_args__ = (Index("ix_time_off_user_day", "user_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    day: date
    minutes: int
    kind: str = Field(default="vacation", max_length=16)


class PeriodLockRow(SQLModel, table=True):
    """Time up to and including `until` is locked; the newest row is in force."""

    __tablename__ = "period_locks"

    id: int | None = Field(default=None, primary_key=True)
    until: date
    user_id: int = Field(foreign_key="users.id")
    time: datetime


class ApiTokenRow(SQLModel, table=True):
    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: str = Field(unique=True, max_length=64)
    name: str = Field(default="", max_length=100)
    created: datetime
    revoked: bool = False


class ChangeRow(SQLModel, table=True):
    """The audit trail and the change feed: appended in every write transaction."""

    __tablename__ = "changes"
    #: A request id is unique per person: keys are the sender's own (migration 0004).
    __table_args__ = (Index("ux_changes_user_request", "user_id", "request_id", unique=True),)

    seq: int | None = Field(default=None, primary_key=True)
    time: datetime
    user_id: int | None = None
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=64)
    action: str = Field(max_length=32)
    #: JSON text.
    data: str = "{}"
    #: The client's id for the request that made this change (its `Idempotency-Key`):
    #: a replay of that request finds it and changes nothing.
    request_id: str | None = Field(default=None, max_length=64)
    #: What that request asked for, hashed (migration 0009): the key sent again with
    #: another request is refused, not taken for a replay.
    request_hash: str | None = Field(default=None, max_length=64)


class ImportedRowRow(SQLModel, table=True):
    """A row of another tool's file as an import put it in a timesheet cell (migration
    0006): who, which task, which day, how much, and where it came from. A cell an
    import sets holds the sum of its imported rows (backend/local/imports.py says
    which earlier ones a later file replaces), so the same row imported twice counts
    once."""

    __tablename__ = "imported_rows"
    __table_args__ = (Index("ix_imported_rows_user_day", "user_id", "day", "task_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    task_id: int = Field(foreign_key="tasks.id")
    day: date
    minutes: int
    comment: str = ""
    #: When the source row started (UTC): an interval's start, a day row's first moment.
    started: datetime
    #: The tool, the file and the row: "kimai export.csv:17".
    source: str = Field(max_length=300)
    created: datetime


class ImportStagedRow(SQLModel, table=True):
    """A part of a file's rows sent ahead of the import that stores them all in one
    transaction (a team server takes requests of at most 1 MiB); the import deletes it,
    and a part left behind is deleted after a day."""

    __tablename__ = "import_staged"
    __table_args__ = (
        UniqueConstraint("user_id", "batch", "part", name="uq_import_staged_part"),
        Index("ix_import_staged_created", "created"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    #: The sender's name for the file's rows (random, theirs alone).
    batch: str = Field(max_length=64)
    part: int
    #: How many rows `payload` holds.
    size: int
    #: The rows as JSON text.
    payload: str
    created: datetime


class StoreEpochRow(SQLModel, table=True):
    """One row: a number every write moves on, except a write of timesheet cells alone
    (migration 0008; what a server's read cache learns from it: `server/cache.py`)."""

    __tablename__ = "store_epoch"

    id: int | None = Field(default=None, primary_key=True)
    epoch: int = 0
