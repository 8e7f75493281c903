"""The records the Backend hands to the screens, the CLI and the server.

Plain frozen dataclasses: no ORM session behind them, so they cross threads, processes
and HTTP unchanged. Durations are whole minutes, days are `date`, times are UTC.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, Literal, TypeVar, get_args, get_origin

from tui_board.core.weeks import IsoWeek

Role = Literal["member", "lead", "admin"]
ROLES: tuple[Role, ...] = ("member", "lead", "admin")

ColumnKind = Literal["open", "active", "done"]
COLUMN_KINDS: tuple[ColumnKind, ...] = ("open", "active", "done")

Priority = Literal["low", "normal", "high", "urgent"]
PRIORITIES: tuple[Priority, ...] = ("low", "normal", "high", "urgent")

WeekStateName = Literal["draft", "submitted", "approved", "rejected"]
WEEK_STATES: tuple[WeekStateName, ...] = ("draft", "submitted", "approved", "rejected")

TimeOffKind = Literal["vacation", "sick", "holiday"]
TIME_OFF_KINDS: tuple[TimeOffKind, ...] = ("vacation", "sick", "holiday")

DEFAULT_CAPACITY = 40 * 60
DEFAULT_WORK_DAYS: tuple[int, ...] = (0, 1, 2, 3, 4)
DEFAULT_COLUMNS: tuple[tuple[str, ColumnKind, int | None], ...] = (
    ("Backlog", "open", None),
    ("To do", "open", None),
    ("In progress", "active", 3),
    ("Review", "active", 3),
    ("Done", "done", None),
)


@dataclass(frozen=True)
class User:
    id: int
    login: str
    name: str
    email: str = ""
    role: Role = "member"
    team: str | None = None
    capacity: int = DEFAULT_CAPACITY
    work_days: tuple[int, ...] = DEFAULT_WORK_DAYS
    active: bool = True
    version: int = 1

    @property
    def daily_capacity(self) -> int:
        return self.capacity // max(1, len(self.work_days))


@dataclass(frozen=True)
class Team:
    id: int
    name: str
    lead: str | None = None
    version: int = 1


@dataclass(frozen=True)
class Customer:
    id: int
    name: str
    archived: bool = False
    version: int = 1


@dataclass(frozen=True)
class Project:
    id: int
    key: str
    name: str
    customer: str | None = None
    archived: bool = False
    version: int = 1
    deadline: date | None = None


@dataclass(frozen=True)
class Column:
    id: int
    project: str
    name: str
    position: int
    kind: ColumnKind = "open"
    wip_limit: int | None = None
    version: int = 1


@dataclass(frozen=True, slots=True)
class Task:
    """A card. With slots: a board holds many of them at once (see ui/state/board.py)."""

    id: int
    key: str
    project: str
    number: int
    title: str
    column_id: int
    column: str
    rank: float
    description: str = ""
    assignee: str | None = None
    estimate: int | None = None
    due: date | None = None
    priority: Priority = "normal"
    tags: tuple[str, ...] = ()
    archived: bool = False
    logged: int = 0
    created: datetime | None = None
    version: int = 1
    #: The day work starts (the schedule's bar), and the milestone's name.
    start: date | None = None
    milestone: str | None = None

    @property
    def remaining(self) -> int | None:
        """Estimate less time logged, never below zero; None without an estimate."""
        if self.estimate is None:
            return None
        return max(0, self.estimate - self.logged)


@dataclass(frozen=True)
class ColumnCards:
    """A board column's cards (not archived), in order, field by field: the cards
    `list_tasks(project=, column_id=)` gives, in the form a board of 100,000 cards is
    read in (a `Task` each costs some 3 µs and 500 bytes; these are tuples, made from
    the store's rows in a few passes, and the board keeps them as compactly). `task(i)`
    is the `i`-th card as `list_tasks` gives it: the contract suite holds the two reads
    to the same cards on every store."""

    project: str
    column_id: int
    column: str
    ids: tuple[int, ...] = ()
    numbers: tuple[int, ...] = ()
    titles: tuple[str, ...] = ()
    ranks: tuple[float, ...] = ()
    descriptions: tuple[str, ...] = ()
    assignees: tuple[str | None, ...] = ()
    estimates: tuple[int | None, ...] = ()
    dues: tuple[date | None, ...] = ()
    priorities: tuple[Priority, ...] = ()
    tags: tuple[tuple[str, ...], ...] = ()
    logged: tuple[int, ...] = ()
    created: tuple[datetime | None, ...] = ()
    versions: tuple[int, ...] = ()
    starts: tuple[date | None, ...] = ()
    milestones: tuple[str | None, ...] = ()

    def __len__(self) -> int:
        return len(self.ids)

    def task(self, index: int) -> Task:
        number = self.numbers[index]
        return Task(
            self.ids[index],
            f"{self.project}-{number}",
            self.project,
            number,
            self.titles[index],
            self.column_id,
            self.column,
            self.ranks[index],
            self.descriptions[index],
            self.assignees[index],
            self.estimates[index],
            self.dues[index],
            self.priorities[index],
            self.tags[index],
            False,
            self.logged[index],
            self.created[index],
            self.versions[index],
            self.starts[index],
            self.milestones[index],
        )

    def tasks(self) -> list[Task]:
        return [self.task(i) for i in range(len(self))]


@dataclass(frozen=True)
class ArchivedTask:
    """An archived card, and when and by whom it was last archived (None when the
    change feed does not say: a card archived by hand in the database)."""

    task: Task
    archived: datetime | None = None
    by: str | None = None


@dataclass(frozen=True)
class Comment:
    id: int
    task: str
    author: str
    body: str
    time: datetime


@dataclass(frozen=True)
class TimeEntry:
    """One timesheet cell: a user's minutes on a task on a day."""

    id: int
    user: str
    task: str
    day: date
    minutes: int
    comment: str = ""
    task_title: str = ""
    project: str = ""
    version: int = 1


@dataclass(frozen=True)
class Timer:
    user: str
    task: str
    started: datetime
    task_title: str = ""


@dataclass(frozen=True)
class WeekState:
    user: str
    week: str
    state: WeekStateName = "draft"
    reviewer: str | None = None
    note: str = ""
    submitted_minutes: int = 0
    version: int = 0
    #: The first day the week was submitted with (0 Monday .. 6 Sunday): a submitted,
    #: approved or rejected week is shown as `IsoWeek.days(first_day)`, as its owner saw it.
    first_day: int = 0
    #: The days it was submitted as (submitted, approved, rejected; () for a draft): all
    #: seven shown, or fewer when some of them were already in another closed week (a
    #: short week, backend/local/weeks.py). Its total and its lock are these days.
    days: tuple[date, ...] = ()


@dataclass(frozen=True)
class TimeOff:
    id: int
    user: str
    day: date
    minutes: int
    kind: TimeOffKind = "vacation"


@dataclass(frozen=True)
class TaskRef:
    """What a timesheet row needs to know about its task."""

    key: str
    title: str
    project: str
    archived: bool = False


@dataclass(frozen=True)
class WeekSheet:
    """A person's week as the timesheet shows it."""

    user: str
    week: str
    days: tuple[date, ...]
    state: WeekState
    entries: tuple[TimeEntry, ...] = ()
    time_off: tuple[TimeOff, ...] = ()
    locked_until: date | None = None
    #: Tasks the person added to this week's grid (with or without time on them).
    rows: tuple[TaskRef, ...] = ()
    #: The days that are this week's (() : all of `days`). Fewer when some days shown
    #: are in another week (a short week, backend/local/weeks.py): those days are shown
    #: read-only, marked with that week, and count in neither the total nor the target.
    span: tuple[date, ...] = ()
    #: The person's submitted and approved weeks that hold some of `days` (not this one).
    others: tuple[WeekState, ...] = ()
    #: The person's working minutes on each of `days`, by their individual schedule
    #: (() from an older server: their work days and capacity then).
    schedule: tuple[int, ...] = ()

    @property
    def editable(self) -> bool:
        if self.state.state in ("submitted", "approved"):
            return False
        return self.locked_until is None or self.days[0] > self.locked_until

    @property
    def counted_days(self) -> tuple[date, ...]:
        """The days that are this week's: what its total, its target and a submit count."""
        return self.span or self.days

    def elsewhere(self, day: date) -> str | None:
        """The week a shown day belongs to when it is not this week's (None: it is)."""
        if day in self.counted_days or day not in self.days:
            return None
        holder = next((w.week for w in self.others if day in w.days), None)
        if holder is not None:
            return holder
        # not this week's and in no closed week: the neighbour whose days it is
        this = IsoWeek.parse(self.week)
        return str(this.shift(1) if IsoWeek.of(day) == this else IsoWeek.of(day))

    @property
    def own_entries(self) -> tuple[TimeEntry, ...]:
        """The entries on this week's own days (`counted_days`)."""
        days = set(self.counted_days)
        return tuple(e for e in self.entries if e.day in days)

    @property
    def total(self) -> int:
        return sum(e.minutes for e in self.own_entries)

    def day_total(self, day: date) -> int:
        return sum(e.minutes for e in self.entries if e.day == day) + sum(
            t.minutes for t in self.time_off if t.day == day
        )


@dataclass(frozen=True)
class WorkloadCell:
    week: str
    capacity: int
    logged: int
    planned: int
    past: bool

    @property
    def load(self) -> int:
        """The figure compared with capacity: logged for past weeks, logged plus
        planned for the current and coming ones."""
        return self.logged if self.past else self.logged + self.planned


@dataclass(frozen=True)
class WorkloadRow:
    user: str
    name: str
    team: str | None
    cells: tuple[WorkloadCell, ...]


@dataclass(frozen=True)
class Workload:
    """The figures of a window of people (`rows`: the `offset`-th person on, in the
    order people are listed: by team, teams in name order and no team last, then by
    name), and the week totals over everyone the read covers (`people` of them), exact
    whatever the window."""

    weeks: tuple[str, ...]
    current: str
    rows: tuple[WorkloadRow, ...]
    #: How many people the read covers in all (the rows are a window of them).
    people: int = 0
    #: The first row's place among them.
    offset: int = 0
    #: Each week summed over all `people`: capacity, logged and planned minutes.
    totals: tuple[WorkloadCell, ...] = ()
    #: The teams among all `people`, by name.
    teams: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedWork:
    """An open task's share of one person's planned minutes in one week: a row behind a
    workload cell, whose `planned` is the sum of these `minutes`."""

    task: str
    title: str
    project: str
    week: str
    #: Planned in this week: the task's remaining estimate spread to its due date.
    minutes: int
    #: The task's estimate less everyone's logged time (all of it, not only this week's).
    remaining: int
    due: date | None = None
    #: Due before today: all of the remaining estimate lands in the current week.
    overdue: bool = False
    version: int = 1


@dataclass(frozen=True)
class Milestone:
    """A project's deliverable: a name and a date."""

    id: int
    project: str
    name: str
    day: date
    version: int = 1
    #: Open tasks of the milestone (not done, not archived).
    open_tasks: int = 0
    #: Its date is past and it has open tasks.
    late: bool = False
    #: The day its open tasks' remaining estimate would be done, its people working the
    #: milestones in date order (`core.schedule.milestone_forecasts`); None when it has
    #: no open task, or time nobody is assigned (or only in a project's schedule).
    forecast: date | None = None
    #: Its open tasks' remaining estimate that nobody is assigned (why it has no
    #: forecast, when it has none for that).
    unassigned: int = 0

    @property
    def missed(self) -> bool:
        """The forecast comes after its date (or it is late already)."""
        return self.late or (self.forecast is not None and self.forecast > self.day)


@dataclass(frozen=True)
class ScheduleChange:
    """A person's working minutes per weekday (Monday first) from `day` on; `day` None
    is the week before any change: their capacity over their work days."""

    day: date | None
    minutes: tuple[int, ...]


@dataclass(frozen=True)
class PersonSchedule:
    user: str
    changes: tuple[ScheduleChange, ...]
    #: The week in force on the day asked about (today).
    current: tuple[int, ...] = ()


@dataclass(frozen=True, init=False)
class ScheduleRow:
    """An open task on the project schedule."""

    task: str
    title: str
    column: str
    assignee: str | None
    milestone: str | None
    start: date | None
    due: date | None
    estimate: int | None
    logged: int
    remaining: int
    progress: int
    #: In the order shown: "overdue", "over estimate", "at risk".
    flags: tuple[str, ...] = ()
    #: The assignee's free time from its start (or today) to its due date; None when
    #: undated, unassigned, or the reader may not see the assignee's hours.
    free: int | None = None
    version: int = 1

    def __init__(
        self,
        task: str,
        title: str,
        column: str,
        assignee: str | None,
        milestone: str | None,
        start: date | None,
        due: date | None,
        estimate: int | None,
        logged: int,
        remaining: int,
        progress: int,
        flags: tuple[str, ...] = (),
        free: int | None = None,
        version: int = 1,
    ) -> None:
        # The fields set at once (a frozen dataclass's own __init__ sets them one by
        # one through object.__setattr__: twice the cost, and a schedule makes 2,000).
        self.__dict__.update(
            task=task,
            title=title,
            column=column,
            assignee=assignee,
            milestone=milestone,
            start=start,
            due=due,
            estimate=estimate,
            logged=logged,
            remaining=remaining,
            progress=progress,
            flags=flags,
            free=free,
            version=version,
        )


@dataclass(frozen=True)
class ProjectSchedule:
    project: str
    name: str
    today: date
    deadline: date | None
    milestones: tuple[Milestone, ...]
    rows: tuple[ScheduleRow, ...]
    #: Estimates of the tasks done, and remaining estimate of the open ones.
    done_estimate: int = 0
    remaining: int = 0
    logged: int = 0
    #: The day the remaining work would be done at the assignees' free time (None:
    #: not within five years, or nothing assigned).
    forecast: date | None = None
    #: Remaining estimate nobody is assigned: not in the forecast.
    unassigned: int = 0
    #: The forecast is on or before the deadline (None: no deadline or no forecast).
    on_time: bool | None = None


@dataclass(frozen=True)
class EstimateRow:
    """Estimated against logged, for a project, a milestone, a task or a person."""

    kind: Literal["project", "milestone", "task", "person"]
    name: str
    project: str
    #: The estimates of the row's tasks added up (None: none of them has one).
    estimate: int | None
    logged: int
    #: Logged less estimate: over (positive) or under (negative); None without an
    #: estimate (time logged on a task nobody estimated is not "over" anything).
    variance: int | None = None
    #: Logged as a percentage of the estimate (None without an estimate).
    percent: int | None = None


@dataclass(frozen=True)
class OvertimeRow:
    """A person's week (its days within the range asked for): their schedule, time off,
    what was expected of them (schedule less time off) and what they logged."""

    user: str
    week: str
    scheduled: int
    time_off: int
    expected: int
    logged: int
    #: Logged less expected: overtime (positive) or undertime (negative).
    difference: int = 0


@dataclass(frozen=True)
class ReportRow:
    user: str
    project: str
    task: str
    task_title: str
    minutes: int


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One row of another tool's file, mapped to this board (`core.importing` reads and
    maps files; `Backend.import_rows` stores them): a person's minutes on a task on a
    day. An interval that crosses midnight is two rows, one per day."""

    #: The row's place in its file (a line, or a record's number), for messages.
    line: int
    user: str
    day: date
    minutes: int
    #: When the source row started (UTC): an interval's start; a day's first moment for
    #: a row that is a whole day's (our CSV, actiTIME).
    started: datetime
    #: The last moment the row speaks for: its start for an interval; the day's last for
    #: a day's row. A file speaks, person by person, for the time from its first row's
    #: `started` to its last row's `through` (what an import replaces).
    through: datetime
    comment: str = ""
    #: The task by key ("WEB-12"); or, when empty, by `title` in `project` (made when the
    #: import may make tasks, as `project` is, named `project_name`, when it is new).
    task: str = ""
    project: str = ""
    title: str = ""
    project_name: str = ""


@dataclass(frozen=True)
class ImportRefusal:
    """A row of a file that was not (or would not be) stored, and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class ImportWeek:
    """What an import does to one person's week: the cells it sets, their total before
    and after."""

    user: str
    week: str
    cells: int
    before: int
    after: int


@dataclass(frozen=True)
class ImportResult:
    """What an import stored, or would store (`dry_run`)."""

    #: The file: its format and name ("kimai export.csv").
    file: str
    #: The file's rows stored (their cells set: an interval split at midnight is one
    #: row), and the cells changed or already as the file says.
    rows: int
    cells: int
    unchanged: int
    weeks: tuple[ImportWeek, ...] = ()
    refused: tuple[ImportRefusal, ...] = ()
    #: What was made for it: "project WEB 'Website'", "task WEB-13 'Design'".
    created: tuple[str, ...] = ()
    dry_run: bool = False


@dataclass(frozen=True)
class Change:
    seq: int
    time: datetime
    user: str | None
    entity: str
    entity_id: str
    action: str
    data: dict[str, Any] = field(default_factory=dict)


class _Unset:
    """Marks a patch field the caller leaves alone (None is a real value: unassign)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


@dataclass(frozen=True)
class _Patch:
    def changes(self) -> dict[str, Any]:
        """The fields the caller set, by name."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not UNSET
        }


@dataclass(frozen=True)
class TaskPatch(_Patch):
    title: str = UNSET
    description: str = UNSET
    assignee: str | None = UNSET
    estimate: int | None = UNSET
    due: date | None = UNSET
    priority: Priority = UNSET
    tags: tuple[str, ...] = UNSET
    start: date | None = UNSET
    #: A milestone of the task's project, by name (None: none).
    milestone: str | None = UNSET


@dataclass(frozen=True)
class UserPatch(_Patch):
    name: str = UNSET
    email: str = UNSET
    role: Role = UNSET
    team: str | None = UNSET
    capacity: int = UNSET
    work_days: tuple[int, ...] = UNSET
    active: bool = UNSET


@dataclass(frozen=True)
class ProjectPatch(_Patch):
    name: str = UNSET
    customer: str | None = UNSET
    archived: bool = UNSET
    deadline: date | None = UNSET


@dataclass(frozen=True)
class ColumnPatch(_Patch):
    name: str = UNSET
    kind: ColumnKind = UNSET
    wip_limit: int | None = UNSET
    position: int = UNSET


# --- JSON: one conversion for the CLI's --json, exports and the HTTP API -------------

Record = TypeVar("Record")


def to_json(value: Any) -> Any:
    """Turn records (and lists, dicts, dates of them) into JSON-ready values."""
    if value is None or isinstance(value, str | int | float):
        return value
    names = _field_names(type(value))
    if names:
        return {name: to_json(getattr(value, name)) for name in names}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def json_default(value: Any) -> Any:
    """For `json.dumps(..., default=json_default)`: what it cannot write itself, as
    `to_json` turns it (a record as the dict of its fields, a day or a moment as ISO
    text), one level at a time; json's C encoder does the rest (lists, tuples, text,
    numbers), which is several times faster than `to_json` for a server's answer."""
    names = _field_names(type(value))
    if names:
        return {name: getattr(value, name) for name in names}
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a record")


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """A record class's field names (empty for anything else); the server serialises
    every answer through here, so the lookup is done once per class."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        fields = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields)
    return names


def from_json(cls: type[Record], data: Any) -> Record:
    """Rebuild a record from `to_json` output (the remote backend's half of the trip)."""
    return typing.cast(Record, _convert(cls, data))


@cache
def _as_is(tp: Any) -> bool:
    """Whether JSON gives values of this type as they are (`_convert` would not change
    them): numbers, text, truth values, None, and literals and unions of them."""
    origin = get_origin(tp)
    if origin is typing.Union or origin is types.UnionType or origin is Literal:
        return origin is Literal or all(_as_is(arg) for arg in get_args(tp))
    return tp in (int, str, bool, float, type(None), Any)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(tp: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in get_args(tp) if a is not type(None)]
        return _convert(options[0], data) if len(options) == 1 else data
    if origin is Literal:
        return data
    if origin is tuple:
        args = get_args(tp)
        item = args[0] if args else Any
        if _as_is(item):  # (a column of 100,000 cards: no call per value)
            return tuple(data)
        return tuple(_convert(item, v) for v in data)
    if origin is list:
        (item,) = get_args(tp)
        return [_convert(item, v) for v in data]
    if origin is dict:
        return dict(data)
    if tp is datetime:
        return datetime.fromisoformat(data)
    if tp is date:
        return date.fromisoformat(data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        names = {f.name for f in dataclasses.fields(tp) if f.init}
        return tp(**{k: _convert(hints[k], v) for k, v in data.items() if k in names})
    return data
