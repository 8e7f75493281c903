"""The project schedule's rules: individual schedules, a task's flags, at risk, forecast.

Pure functions over plain values; the service layer reads the rows and calls these.

- A person's **individual schedule** is their working minutes per weekday (Monday
  first), with dated changes: from a change's day on, its week is in force until the
  next change. Before the first change (or with none) it is the person's weekly
  capacity spread evenly over their work days (`default_week`), what the board had
  before schedules existed.
- A person's **free time** on a day is their schedule's minutes less their time off
  less their other planned work that day (never below zero). Planned work is the
  workload's rule (`core.workload.spread_days`): each open task's remaining estimate
  spread evenly over the assignee's working days from its start (or today) to its due
  date.
- A task is **overdue** when its due date is past and it is not done; **over its
  estimate** when more was logged than estimated; **at risk** when it is not overdue
  and its remaining estimate is more than its assignee's free time from its start (or
  today) to its due date, its own planned work not counted against it.
- The **forecast** of a project: each assignee works their remaining estimate on the
  project in their free time (less their planned work outside the project) from today;
  the project finishes on the latest of those days.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import accumulate, groupby
from typing import Any, NamedTuple

from tui_board.core.durations import format_duration, parse_duration
from tui_board.core.errors import Invalid
from tui_board.core.models import ScheduleRow
from tui_board.core.weeks import IsoWeek
from tui_board.core.workload import spread_days

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: At most a day's minutes on a weekday.
DAY_MINUTES = 24 * 60
#: How far ahead a forecast looks before it says "not at this capacity" (None).
FORECAST_HORIZON_DAYS = 5 * 366

Week = tuple[int, int, int, int, int, int, int]

OVERDUE = "overdue"
OVER_ESTIMATE = "over estimate"
AT_RISK = "at risk"

_PART = re.compile(r"^\s*([a-z]{3})(?:\s*-\s*([a-z]{3}))?\s+(.+?)\s*$")


def default_week(capacity: int, work_days: Iterable[int]) -> Week:
    """A weekly capacity spread over work days: equal shares, the odd minutes on the
    first days, so the week adds up to the capacity."""
    days = sorted(set(work_days))
    minutes = [0] * 7
    if days:
        share, odd = divmod(max(0, capacity), len(days))
        for i, day in enumerate(days):
            minutes[day] = share + (1 if i < odd else 0)
    return _week(minutes)


def _week(minutes: Iterable[int]) -> Week:
    values = tuple(minutes)
    assert len(values) == 7
    return values  # type: ignore[return-value]


def check_week(minutes: Iterable[int]) -> Week:
    """Seven whole-minute days, each from 0 to 24 hours."""
    values = tuple(minutes)
    if len(values) != 7:
        raise Invalid(f"a schedule has seven days, Monday to Sunday, not {len(values)}")
    for name, value in zip(WEEKDAY_NAMES, values, strict=True):
        if not isinstance(value, int) or isinstance(value, bool):
            raise Invalid(f"{name}: a day's working time is whole minutes")
        if not 0 <= value <= DAY_MINUTES:
            raise Invalid(f"{name}: a day's working time is 0 to 24h, not {value} minutes")
    return _week(values)


def parse_week(text: str) -> Week:
    """`mon-thu 8h, fri 4h` as minutes per weekday; a day not named is not worked.
    Days are named by their first three letters; a range runs Monday to Sunday."""
    minutes = [0] * 7
    seen: set[int] = set()
    parts = [p for p in text.lower().split(",")]
    if not text.strip():
        raise Invalid("a schedule names days and hours, e.g. 'mon-thu 8h, fri 4h'")
    for part in parts:
        match = _PART.match(part)
        if match is None:
            raise Invalid(
                f"{part.strip()!r} is not a day and a duration; write e.g. 'mon-thu 8h, fri 4h'"
            )
        first, last, duration = match.groups()
        for name in (first, last):
            if name is not None and name not in WEEKDAY_NAMES:
                raise Invalid(f"{name!r} is not a weekday (mon, tue, wed, thu, fri, sat, sun)")
        start = WEEKDAY_NAMES.index(first)
        end = WEEKDAY_NAMES.index(last) if last is not None else start
        if end < start:
            raise Invalid(f"{first}-{last}: a range of days runs Monday to Sunday")
        value = parse_duration(duration)
        for day in range(start, end + 1):
            if day in seen:
                raise Invalid(f"{WEEKDAY_NAMES[day]} is named twice")
            seen.add(day)
            minutes[day] = value
    return check_week(minutes)


def format_week(minutes: Iterable[int]) -> str:
    """A week as `parse_week` reads it: `mon-thu 8:00, fri 4:00` ("none" when empty)."""
    values = tuple(minutes)
    parts = []
    day = 0
    while day < 7:
        if not values[day]:
            day += 1
            continue
        end = day
        while end + 1 < 7 and values[end + 1] == values[day]:
            end += 1
        days = WEEKDAY_NAMES[day] if end == day else f"{WEEKDAY_NAMES[day]}-{WEEKDAY_NAMES[end]}"
        parts.append(f"{days} {format_duration(values[day])}")
        day = end + 1
    return ", ".join(parts) or "none"


@dataclass(frozen=True)
class Schedule:
    """A person's working week, and its dated changes (sorted by day)."""

    default: Week
    changes: tuple[tuple[date, Week], ...] = ()

    def week_on(self, day: date) -> Week:
        found = self.default
        for since, week in self.changes:
            if since > day:
                break
            found = week
        return found

    def minutes_on(self, day: date) -> int:
        if not self.changes:
            return self.default[day.weekday()]
        return self.week_on(day)[day.weekday()]

    def work_days_on(self, day: date) -> tuple[int, ...]:
        """The weekdays worked in the week in force on `day` (the planned spread's)."""
        return tuple(i for i, minutes in enumerate(self.week_on(day)) if minutes > 0)

    def minutes_between(self, first: date, last: date) -> int:
        return sum(self.minutes_on(first + timedelta(n)) for n in range((last - first).days + 1))


class OpenTask(NamedTuple):
    """What the rules need of an open task (a tuple: the schedule makes thousands)."""

    key: str
    assignee: str | None
    remaining: int
    start: date | None
    due: date | None


@dataclass
class Person:
    """A person's schedule, time off (by day) and planned work (by day, every open
    task of theirs), from today on."""

    schedule: Schedule
    off: Mapping[date, int] = field(default_factory=dict)
    planned: dict[date, int] = field(default_factory=dict)
    #: Day by day from `_origin`: schedule less time off less planned work (may be
    #: below zero), and the running sum of its positive part (`free_before` in O(1)
    #: per window, plus the task's own days). Built when first asked for.
    _origin: date | None = field(default=None, repr=False)
    _left: list[int] = field(default_factory=list, repr=False)
    _sums: list[int] = field(default_factory=lambda: [0], repr=False)

    def free_on(self, day: date, less_planned: int) -> int:
        return max(0, self.schedule.minutes_on(day) - self.off.get(day, 0) - less_planned)

    def _cover(self, first: date, last: date) -> int:
        """Index of `first` in the day-by-day figures, built up to `last` (and back to
        `first`, when it is before the first day built)."""
        if self._origin is None:
            self._origin, self._left, self._sums = first, [], [0]
        elif first < self._origin:
            before = (self._origin - first).days
            earlier = [self._left_on(first + timedelta(n)) for n in range(before)]
            self._origin, self._left = first, earlier + self._left
            self._sums = [0, *accumulate(left if left > 0 else 0 for left in self._left)]
        origin, left_of, sums = self._origin, self._left, self._sums
        for n in range(len(left_of), (last - origin).days + 1):
            left = self._left_on(origin + timedelta(n))
            left_of.append(left)
            sums.append(sums[-1] + (left if left > 0 else 0))
        return (first - origin).days

    def _left_on(self, day: date) -> int:
        """Schedule less time off less planned work on `day` (may be below zero)."""
        return self.schedule.minutes_on(day) - self.off.get(day, 0) - self.planned.get(day, 0)

    def free_between(self, first: date, last: date, own: Mapping[date, int]) -> int:
        """Free time from `first` to `last`, the planned work `own` not counted."""
        if last < first:
            return 0
        start = self._cover(first, last)
        end = start + (last - first).days + 1
        total = self._sums[end] - self._sums[start]
        left_of = self._left
        at = start - first.toordinal()  # + a day's ordinal: its index
        for day, minutes in own.items():
            if first <= day <= last:
                left = left_of[at + day.toordinal()]
                more = left + minutes
                total += (more if more > 0 else 0) - (left if left > 0 else 0)
        return total


def plan(tasks: Iterable[OpenTask], today: date, person: Person) -> dict[str, dict[date, int]]:
    """Each task's spread (the workload's, on the weekdays of its assignee's schedule
    in force today), and the person's planned work (their sum) filled in."""
    spreads = {}
    work_days = person.schedule.work_days_on(today)  # the same for each task
    planned = person.planned
    for task in tasks:
        spread = spread_days(task.remaining, today, task.due, work_days, start=task.start)
        spreads[task.key] = spread
        for day, minutes in spread.items():
            planned[day] = planned.get(day, 0) + minutes
    return spreads


def free_before(
    person: Person, first: date, last: date, own: Mapping[date, int] | None = None
) -> int:
    """The person's free time from `first` to `last`: their schedule less time off less
    their planned work, but for `own` (the task's own spread)."""
    return person.free_between(first, last, own or {})


def task_flags(
    *,
    today: date,
    due: date | None,
    done: bool,
    estimate: int | None,
    logged: int,
    free: int | None,
    remaining: int,
) -> tuple[str, ...]:
    """A task's flags, in the order shown: overdue, over estimate, at risk. `free` is
    its assignee's free time before its due date (None: unassigned or undated)."""
    flags = []
    overdue = not done and due is not None and due < today
    if overdue:
        flags.append(OVERDUE)
    if estimate is not None and logged > estimate:
        flags.append(OVER_ESTIMATE)
    if not done and not overdue and free is not None and remaining > free:
        flags.append(AT_RISK)
    return tuple(flags)


def finish_day(
    remaining: int, today: date, person: Person, outside: Mapping[date, int]
) -> date | None:
    """The day `remaining` minutes would be done in the person's free time from today,
    less their planned work `outside` the project (None: not within the horizon)."""
    if remaining <= 0:
        return today
    left = remaining
    free_on, planned = person.free_on, outside.get
    day, step = today, timedelta(1)
    for _ in range(FORECAST_HORIZON_DAYS):
        left -= free_on(day, planned(day, 0))
        if left <= 0:
            return day
        day += step
    return None


def milestone_forecasts(
    milestones: Sequence[tuple[str, date]],
    remaining: Mapping[str, Mapping[int, int]],
    unassigned: Mapping[str, int],
    finish: Callable[[int, int], date | None],
    today: date,
) -> dict[str, date | None]:
    """Each milestone's forecast (`milestones`: name and day, in date order): its people
    work its remaining estimate after that of the milestones before it (`remaining`: by
    milestone, minutes by person), the project forecast's rule milestone by milestone;
    milestones of one day are worked together (none comes first by its name).
    `finish(person, minutes)` is the day a person's minutes are done. None for a
    milestone with time nobody is assigned (`unassigned`) or an end past the horizon;
    today when nothing is left."""
    done_by: dict[int, int] = defaultdict(int)
    forecasts: dict[str, date | None] = {}
    for _, group in groupby(milestones, key=lambda m: m[1]):
        names = [name for name, _ in group]
        for name in names:
            for person, minutes in remaining.get(name, {}).items():
                done_by[person] += minutes
        for name in names:
            if unassigned.get(name):
                forecasts[name] = None
                continue
            day: date | None = today
            for person, minutes in remaining.get(name, {}).items():
                if minutes <= 0:
                    continue
                end = finish(person, done_by[person])
                day = None if end is None or day is None else max(day, end)
            forecasts[name] = day
    return forecasts


def remaining_estimate(estimate: int | None, logged: int) -> int:
    """What is left of a task's estimate (never below zero)."""
    left = (estimate or 0) - logged
    return left if left > 0 else 0


#: What a schedule row's assignee's free time before its due date depends on.
_WINDOW = ("start", "due", "assignee")


def revise_row(
    row: ScheduleRow, today: date, changes: Mapping[str, Any]
) -> tuple[ScheduleRow, bool]:
    """An open task's row after a change of its fields (start, due, assignee,
    estimate; logged, title, version as the store has them), as far as the rules tell
    without reading the assignee's time again: its remaining estimate, progress and
    flags. The second value says whether "at risk" is known: the assignee's free time
    (`free`) only holds while the window and the person stay the same, and a hidden
    one (another person's hours) cannot be told again; when not known the row shows no
    "at risk" until the store's answer is read."""
    new = replace(row, **changes)
    dated = new.assignee is not None and new.due is not None and new.due >= today
    kept = all(getattr(new, name) == getattr(row, name) for name in _WINDOW)
    free = row.free if kept else None
    known = not dated or (kept and row.free is not None)
    remaining = remaining_estimate(new.estimate, new.logged)
    flags = task_flags(
        today=today,
        due=new.due,
        done=False,
        estimate=new.estimate,
        logged=new.logged,
        free=free if dated else None,
        remaining=remaining,
    )
    revised = replace(
        new,
        remaining=remaining,
        progress=progress_percent(new.logged, new.estimate, False),
        flags=flags,
        free=free if dated else None,
    )
    return revised, known


def progress_percent(logged: int, estimate: int | None, done: bool) -> int:
    """How far a task is: done is 100; else logged against estimate, at most 99."""
    if done:
        return 100
    if not estimate:
        return 0
    return min(99, logged * 100 // estimate)


def estimate_figures(estimate: int | None, logged: int) -> tuple[int | None, int | None]:
    """Variance (logged less estimate) and logged as a percentage of the estimate; None
    and None without an estimate (None), and no percent of an estimate of 0:00."""
    if estimate is None:
        return None, None
    return logged - estimate, (logged * 100 // estimate if estimate else None)


def week_figures(
    schedule: Schedule,
    off: Mapping[date, int],
    logged: Mapping[date, int],
    first: date,
    last: date,
) -> list[tuple[IsoWeek, int, int, int, int]]:
    """Each ISO week from `first` to `last` (its days within them): scheduled minutes,
    time off, expected (each day's schedule less its time off, never below zero) and
    logged. Overtime is logged less expected."""
    weeks: dict[IsoWeek, list[int]] = {}
    for n in range((last - first).days + 1):
        day = first + timedelta(n)
        figures = weeks.setdefault(IsoWeek.of(day), [0, 0, 0, 0])
        scheduled, taken = schedule.minutes_on(day), off.get(day, 0)
        figures[0] += scheduled
        figures[1] += taken
        figures[2] += max(0, scheduled - taken)
        figures[3] += logged.get(day, 0)
    return [(week, *figures) for week, figures in weeks.items()]  # type: ignore[misc]
