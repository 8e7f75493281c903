"""The timesheet's week as the screen holds it: task rows, cells by day, time off, the
totals against the daily target, and the cursor.

Plain Python (no Textual, no I/O), so that what a cell shows, what a day adds up to and
where the cursor goes are quick to reason about and to test. The screen changes it on
the UI thread only; workers hand their results over in messages.

A cell being stored shows the value the user typed until the store answers (`begin`,
then `stored` or `refused`); writes to one cell are sent one after another, and each
knows the version the store gave back for the previous one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from tui_board.core.durations import format_duration
from tui_board.core.models import TaskRef, TimeEntry, TimeOffKind, WeekSheet
from tui_board.core.weeks import IsoWeek

#: A cell: a task key and a day.
Cell = tuple[str, date]

#: How a day's total compares with its target: no target and nothing logged (`off`),
#: a day still to come that is not there yet (`future`), `under`, `met` or `over`.
DayStatus = Literal["off", "future", "under", "met", "over"]

TIME_OFF_LABELS: dict[TimeOffKind, str] = {
    "vacation": "Vacation",
    "sick": "Sick leave",
    "holiday": "Holiday",
}


def task_order(key: str) -> tuple[str, int, str]:
    """`WEB-9` before `WEB-10`: by project, then by number."""
    project, _, number = key.rpartition("-")
    return (project, int(number), key) if number.isdigit() else (key, 0, key)


@dataclass(frozen=True)
class GridRow:
    """A task row: the task, and whether the person added it to the week (a row that
    stays without time on it)."""

    key: str
    title: str
    project: str
    archived: bool = False
    added: bool = False


class WeekGridState:
    """One person's week: its rows (tasks added to the week, and tasks with time on
    it), in task order; the cells; time off by kind; and the cursor, a row and a day,
    which follows its task when rows come and go."""

    def __init__(
        self,
        sheet: WeekSheet,
        *,
        today: date,
        work_days: tuple[int, ...],
        daily_target: int,
        fixed_target: bool = False,
    ) -> None:
        """`daily_target` is what a working day is held against when the sheet holds
        no schedule, or always when `fixed_target` (the config's `daily_target`);
        else each day's target is the person's schedule for it."""
        self.sheet = sheet
        #: The person's scheduled minutes per day (the sheet's), when it has them.
        self.scheduled: dict[date, int] = (
            {} if fixed_target else dict(zip(sheet.days, sheet.schedule, strict=False))
        )
        self._working = dict(zip(sheet.days, (m > 0 for m in sheet.schedule), strict=False))
        self.week = IsoWeek.parse(sheet.week)
        self.days: tuple[date, ...] = sheet.days
        self.today = today
        self.work_days = work_days
        self.daily_target = daily_target
        self._entries: dict[Cell, TimeEntry] = {(e.task, e.day): e for e in sheet.entries}
        rows: dict[str, GridRow] = {
            ref.key: GridRow(ref.key, ref.title, ref.project, ref.archived, added=True)
            for ref in sheet.rows
        }
        for entry in sheet.entries:
            if entry.task not in rows:
                rows[entry.task] = GridRow(entry.task, entry.task_title, entry.project)
        self.rows: list[GridRow] = sorted(rows.values(), key=lambda row: task_order(row.key))
        self.time_off: dict[TimeOffKind, dict[date, int]] = {}
        for off in sorted(sheet.time_off, key=lambda off: list(TIME_OFF_LABELS).index(off.kind)):
            per_day = self.time_off.setdefault(off.kind, {})
            per_day[off.day] = per_day.get(off.day, 0) + off.minutes
        #: Values shown while their write is on its way: minutes and comment.
        self._pending: dict[Cell, tuple[int, str]] = {}
        self._inflight: Counter[Cell] = Counter()
        self.cursor_row = 0
        self.cursor_day = self._first_cursor_day()

    def _first_cursor_day(self) -> int:
        """Today when the week holds it, else the week's first working day."""
        if self.today in self.days:
            return self.days.index(self.today)
        return next((i for i, day in enumerate(self.days) if self.is_working(day)), 0)

    # --- the week -------------------------------------------------------------------------

    @property
    def state_name(self) -> str:
        return self.sheet.state.state

    def is_working(self, day: date) -> bool:
        working = self._working.get(day)
        return day.weekday() in self.work_days if working is None else working

    def elsewhere(self, day: date) -> str | None:
        """The week a shown day belongs to when it is not this week's (a short week:
        the day was closed by that week first); None when it is this week's."""
        return self.sheet.elsewhere(day)

    @property
    def counted_days(self) -> tuple[date, ...]:
        """This week's own days: what its totals, its target and a submit count."""
        return self.sheet.counted_days

    def read_only_reason(self, day: date | None = None) -> str | None:
        """Why the week (or this day of it) cannot be changed; None when it can."""
        state = self.sheet.state
        other = self.elsewhere(day) if day is not None else None
        if other is not None and day is not None:
            holder = next((w for w in self.sheet.others if w.week == other), None)
            how = f", which is {holder.state}" if holder is not None else ""
            return f"{day:%a} {day.day} is in week {IsoWeek.parse(other).week}{how}: read-only here"
        if state.state == "submitted":
            return f"week {self.week.week} is submitted for approval: it is read-only"
        if state.state == "approved":
            who = f" by {state.reviewer}" if state.reviewer else ""
            return f"week {self.week.week} is approved{who}: it is read-only"
        locked = self.sheet.locked_until
        if locked is not None:
            if day is None and self.days[-1] <= locked:
                return f"time up to {locked:%a %d %b %Y} is locked: this week is read-only"
            if day is not None and day <= locked:
                return f"time up to {locked:%a %d %b %Y} is locked: {day:%a %d} is read-only"
        return None

    # --- cells -------------------------------------------------------------------------------

    def entry(self, key: str, day: date) -> TimeEntry | None:
        """The cell as the store has it (as far as this screen knows)."""
        return self._entries.get((key, day))

    def minutes(self, key: str, day: date) -> int:
        pending = self._pending.get((key, day))
        if pending is not None:
            return pending[0]
        entry = self._entries.get((key, day))
        return entry.minutes if entry else 0

    def comment(self, key: str, day: date) -> str:
        pending = self._pending.get((key, day))
        if pending is not None:
            return pending[1]
        entry = self._entries.get((key, day))
        return entry.comment if entry else ""

    def version(self, key: str, day: date) -> int:
        """The cell's version as shown: what a write sends to be refused when the cell
        changed elsewhere meanwhile (0: no entry)."""
        entry = self._entries.get((key, day))
        return entry.version if entry else 0

    def is_pending(self, key: str, day: date) -> bool:
        return (key, day) in self._pending

    def begin(self, cell: Cell, minutes: int, comment: str, *, title: str = "") -> bool:
        """Show a value on its way to the store. True when an earlier write of the same
        cell is still on its way (this one then follows it)."""
        chained = self._inflight[cell] > 0
        self._inflight[cell] += 1
        self._pending[cell] = (minutes, comment)
        if cell[1] in self.days:
            self._ensure_row(cell[0], title)
        return chained

    def stored(self, cell: Cell, entry: TimeEntry | None, *, title: str = "") -> None:
        """The store answered a write of this cell: `entry` is the cell now (None: gone)."""
        self._settle(cell)
        self.put(cell, entry, title=title)

    def refused(self, cell: Cell, current: TimeEntry | None, *, known: bool) -> None:
        """The store refused a write; with `known`, `current` is the cell as stored."""
        self._settle(cell)
        if known:
            self.put(cell, current)

    def _settle(self, cell: Cell) -> None:
        if self._inflight[cell] > 0:
            self._inflight[cell] -= 1
        if self._inflight[cell] == 0:
            del self._inflight[cell]
            self._pending.pop(cell, None)

    def put(self, cell: Cell, entry: TimeEntry | None, *, title: str = "") -> None:
        """Show a cell as the store has it (None: it has no entry)."""
        if cell[1] not in self.days:
            return
        if entry is None:
            self._entries.pop(cell, None)
        else:
            self._entries[cell] = entry
            self._ensure_row(entry.task, entry.task_title or title, entry.project)

    # --- rows --------------------------------------------------------------------------------

    def row_index(self, key: str) -> int | None:
        return next((i for i, row in enumerate(self.rows) if row.key == key), None)

    def _ensure_row(self, key: str, title: str = "", project: str = "") -> None:
        index = self.row_index(key)
        if index is None:
            self._insert(GridRow(key, title, project or key.rpartition("-")[0]))
        elif title and not self.rows[index].title:
            self.rows[index] = replace(self.rows[index], title=title)

    def _insert(self, row: GridRow) -> int:
        focus = self.focus_key
        self.rows.append(row)
        self.rows.sort(key=lambda r: task_order(r.key))
        if focus is not None:
            self.cursor_row = self.row_index(focus) or 0
        return self.rows.index(row)

    def add_row(self, ref: TaskRef) -> int:
        """Add a task the person added to the week; returns its row index."""
        index = self.row_index(ref.key)
        if index is not None:
            old = self.rows[index]
            self.rows[index] = GridRow(old.key, ref.title, ref.project, ref.archived, added=True)
            return index
        return self._insert(GridRow(ref.key, ref.title, ref.project, ref.archived, added=True))

    def has_time(self, key: str) -> bool:
        return any(self.minutes(key, day) or self.comment(key, day) for day in self.days)

    def remove_row(self, key: str) -> bool:
        """Drop a row without time on it; False when it has time (then it stays)."""
        index = self.row_index(key)
        if index is None or self.has_time(key):
            return False
        del self.rows[index]
        self.cursor_row = max(0, min(self.cursor_row, len(self.rows) - 1))
        return True

    # --- totals ------------------------------------------------------------------------------

    def row_total(self, key: str) -> int:
        return sum(self.minutes(key, day) for day in self.counted_days)

    def time_off_total(self, day: date) -> int:
        return sum(per_day.get(day, 0) for per_day in self.time_off.values())

    def day_total(self, day: date) -> int:
        """Time on tasks plus time off: what the day is held against its target."""
        return sum(self.minutes(row.key, day) for row in self.rows) + self.time_off_total(day)

    def week_total(self) -> int:
        return sum(self.day_total(day) for day in self.counted_days)

    def target(self, day: date) -> int:
        """A working day's target; none on a day off or a day of another week."""
        if not self.is_working(day) or self.elsewhere(day) is not None:
            return 0
        return self.scheduled.get(day, self.daily_target)

    def week_target(self) -> int:
        return sum(self.target(day) for day in self.counted_days)

    def targets(self) -> tuple[int, tuple[tuple[date, int], ...]]:
        """The target most of the week's working days have (the longer one on a tie), and
        the working days held against another one, in order (a part-time Friday). (0, ())
        for a week with no working day."""
        days = [(day, self.target(day)) for day in self.counted_days]
        days = [(day, minutes) for day, minutes in days if minutes > 0]
        if not days:
            return 0, ()
        counts = Counter(minutes for _, minutes in days)
        usual = max(counts, key=lambda minutes: (counts[minutes], minutes))
        return usual, tuple((day, minutes) for day, minutes in days if minutes != usual)

    def status(self, day: date) -> DayStatus:
        if self.elsewhere(day) is not None:
            return "off"  # another week's day: held against that week's target
        total, target = self.day_total(day), self.target(day)
        if total > target:
            return "over"
        if target == 0:
            return "off"
        if total == target:
            return "met"
        return "future" if day >= self.today else "under"

    def week_status(self) -> DayStatus:
        total, target = self.week_total(), self.week_target()
        if total > target:
            return "over"
        if total == target:
            return "met" if target else "off"
        return "future" if self.counted_days[-1] >= self.today else "under"

    def short_days(self, until: date) -> list[date]:
        """The working days up to `until` whose total is under their target."""
        return [
            day
            for day in self.counted_days
            if day <= until and self.day_total(day) < self.target(day)
        ]

    # --- the cursor --------------------------------------------------------------------------

    @property
    def focus_key(self) -> str | None:
        if not self.rows:
            return None
        return self.rows[min(self.cursor_row, len(self.rows) - 1)].key

    @property
    def focus_day(self) -> date:
        return self.days[self.cursor_day]

    @property
    def focus_cell(self) -> Cell | None:
        key = self.focus_key
        return None if key is None else (key, self.focus_day)

    def place(self, key: str | None, day_index: int, *, fallback_row: int = 0) -> None:
        """Put the cursor on this task's row (or the row at `fallback_row`) and day."""
        index = self.row_index(key) if key is not None else None
        row = fallback_row if index is None else index
        self.cursor_row = max(0, min(row, len(self.rows) - 1))
        self.cursor_day = max(0, min(day_index, len(self.days) - 1))

    def move(self, rows: int, days: int) -> bool:
        """Move the cursor, stopping at the edges; False when it could not move."""
        row = max(0, min(self.cursor_row + rows, len(self.rows) - 1))
        day = max(0, min(self.cursor_day + days, len(self.days) - 1))
        moved = (row, day) != (self.cursor_row, self.cursor_day)
        self.cursor_row, self.cursor_day = max(0, row), day
        return moved

    def step(self, forward: bool = True) -> bool:
        """`tab`: the next day, and from the week's last day the next row's first day."""
        last_row, last_day = len(self.rows) - 1, len(self.days) - 1
        row, day = self.cursor_row, self.cursor_day + (1 if forward else -1)
        if day > last_day:
            row, day = row + 1, 0
        elif day < 0:
            row, day = row - 1, last_day
        if not 0 <= row <= max(0, last_row):
            return False
        self.cursor_row, self.cursor_day = row, day
        return True

    def next_down(self) -> bool:
        """After `enter`: the next task on the same day, and from the last task the
        first task of the next day (logging a day, then the next, in one go)."""
        if self.cursor_row < len(self.rows) - 1:
            self.cursor_row += 1
            return True
        if self.cursor_day < len(self.days) - 1:
            self.cursor_row, self.cursor_day = 0, self.cursor_day + 1
            return True
        return False

    # --- words -------------------------------------------------------------------------------

    def describe_cell(self, key: str, day: date) -> str:
        """`WEB-12 Fix the login · Tue 24 Nov · 1:30 · “review”`: the cursor's cell."""
        index = self.row_index(key)
        title = self.rows[index].title if index is not None else ""
        minutes = self.minutes(key, day)
        parts = [f"{key} {title}".strip(), f"{day:%a %d %b}"]
        parts.append(format_duration(minutes) if minutes else "nothing logged")
        comment = self.comment(key, day)
        if comment:
            parts.append(f"“{comment}”")
        return " · ".join(parts)
