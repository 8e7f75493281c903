"""What lies behind a workload figure: a person's week, task by task (logged, planned,
time off), to open a card or give it to someone with more room."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.binding import Binding, BindingType

from tui_board.backend.undo import CardChange
from tui_board.core.durations import format_duration
from tui_board.core.errors import Forbidden, NotFound
from tui_board.core.models import (
    PersonSchedule,
    PlannedWork,
    Task,
    TaskPatch,
    TimeEntry,
    TimeOff,
    User,
    Workload,
    WorkloadCell,
    WorkloadRow,
)
from tui_board.core.schedule import format_week
from tui_board.core.weeks import IsoWeek
from tui_board.ui.dialogs import PickerScreen, TaskDetailScreen
from tui_board.ui.dialogs.task_form import NOBODY
from tui_board.ui.plain_text import cells, cut
from tui_board.ui.screens.approvals import time_off_text
from tui_board.ui.screens.table import TableScreen
from tui_board.ui.widgets.workload_grid import (
    band_text,
    cell_text,
    percent,
)
from tui_board.ui.widgets.workload_table import plain
from tui_board.ui.writer import Refusal, Stored, Write

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend


@dataclass(frozen=True)
class WeekDetail:
    """A person's week as the drill-down shows it, read in one go."""

    cell: WorkloadCell | None
    #: Everyone's load that week (for the reassign picker).
    loads: Workload
    planned: list[PlannedWork]
    entries: list[TimeEntry]
    time_off: list[TimeOff]
    tasks: dict[str, Task]
    users: list[User]
    #: The week's days: those it was submitted with, else Monday to Sunday.
    days: tuple[date, ...] = ()
    #: The person's working time per weekday and its dated changes (None: not read).
    schedule: PersonSchedule | None = None


def schedule_text(schedule: PersonSchedule, day: date) -> str:
    """The week in force on `day` as `tui-board user schedule` writes it, and the next
    dated change after it: `works mon-thu 8:00, fri 4:00; from Mon 01 Jun: mon-fri 6:00`."""
    current = next((c for c in reversed(schedule.changes) if c.day is None or c.day <= day), None)
    text = f"works {format_week(current.minutes if current else schedule.current)}"
    following = next((c for c in schedule.changes if c.day is not None and c.day > day), None)
    if following is not None and following.day is not None:
        text += f"; from {following.day:%a %d %b %Y}: {format_week(following.minutes)}"
    return text


@dataclass(frozen=True)
class DetailRow:
    """One task in the drill-down: its planned and logged minutes that week."""

    key: str
    title: str
    due: date | None
    left: int | None
    planned: int
    logged: int
    overdue: bool = False


def detail_rows(detail: WeekDetail) -> list[DetailRow]:
    """The tasks behind the figure: the planned ones (most first), then the ones with
    time logged only."""
    logged: dict[str, int] = defaultdict(int)
    titles: dict[str, str] = {}
    for entry in detail.entries:
        logged[entry.task] += entry.minutes
        titles[entry.task] = entry.task_title
    rows = [
        DetailRow(p.task, p.title, p.due, p.remaining, p.minutes, logged.pop(p.task, 0), p.overdue)
        for p in detail.planned
    ]
    for key, minutes in sorted(logged.items(), key=lambda kv: (-kv[1], kv[0])):
        task = detail.tasks.get(key)
        rows.append(
            DetailRow(
                key,
                titles.get(key, ""),
                task.due if task else None,
                task.remaining if task else None,
                0,
                minutes,
            )
        )
    return rows


class WeekDetailScreen(TableScreen):
    """One person's week behind a workload cell: capacity and time off, then each task
    with its planned and logged time. `a` reassigns a task, `enter` opens its card."""

    TITLE = "Workload details"
    BINDING_GROUP_TITLE = "Details"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "reassign", "Reassign", tooltip="Give the task to someone with room",
                id="workload-reassign"),
        Binding("enter", "open_card", "Card", tooltip="The task's card: details, time, edit",
                id="workload-open-card"),
    ]  # fmt: skip

    def __init__(self, row: WorkloadRow, week: str, *, team: str | None, today: date) -> None:
        super().__init__(_heading(row, week, IsoWeek.parse(week).days()))
        self.person = row
        self.week = week
        self.team = team
        self.today = today
        self.detail: WeekDetail | None = None
        self.rows: list[DetailRow] = []

    def read(self, backend: Backend) -> WeekDetail:
        week = IsoWeek.parse(self.week)
        login = self.person.user
        loads = backend.workload(week, 1, team=self.team, today=self.today)
        planned = backend.list_planned_work(login, week, today=self.today)
        # the sheet's days are the ones the week was submitted with (weeks.py)
        sheet = backend.week(week, user=login)
        # a short week's own days only: the others are another week's (weeks.py)
        entries = list(sheet.own_entries)
        time_off = [t for t in sheet.time_off if t.day in sheet.counted_days]
        keys = dict.fromkeys([p.task for p in planned] + [e.task for e in entries])
        tasks = {key: backend.get_task(key) for key in keys}
        users = backend.list_users()
        cell = next((r.cells[0] for r in loads.rows if r.user == login), None)
        try:
            schedule: PersonSchedule | None = backend.get_schedule(login, today=self.today)
        except (Forbidden, NotFound):
            schedule = None
        return WeekDetail(
            cell, loads, planned, entries, time_off, tasks, users, sheet.days, schedule
        )

    def show(self, data: WeekDetail) -> None:
        self.detail = data
        if data.days:
            self.set_heading(_heading(self.person, self.week, data.days))
        key = self._row_key()
        self.rows = detail_rows(data)
        self._figures(data)
        table = self.table
        table.clear(columns=True)
        key_width = max([4, *(cells(row.key) for row in self.rows)])
        fixed = key_width + 2 + 12 + 3 * 9 + table.styles.scrollbar_size_vertical
        titles = max([5, *(cells(row.title) for row in self.rows)])
        for label, width in (
            ("Task", key_width),
            ("Title", min(titles, self.room(fixed))),
            ("Due", 10),
            ("Left", 7),
            ("Planned", 7),
            ("Logged", 7),
        ):
            right = label in ("Left", "Planned", "Logged")
            table.add_column(
                plain(label, justify="right" if right else "left"), width=width, key=label
            )
        for row in self.rows:
            table.add_row(
                plain(row.key),
                plain(row.title),
                self._due(row),
                plain(format_duration(row.left) if row.left is not None else "-", justify="right"),
                self._minutes(row.planned),
                self._minutes(row.logged),
                key=row.key,
            )
        if self.rows:
            table.add_row(
                table.styled("Total", "strong"),
                plain(""),
                plain(""),
                plain(""),
                self._minutes(sum(r.planned for r in self.rows), "strong"),
                self._minutes(sum(r.logged for r in self.rows), "strong"),
                key="\0total",
            )
        keys = [r.key for r in self.rows]
        if key in keys:
            table.move_cursor(row=keys.index(key), animate=False)
        self.set_notes(self._notes(data))

    def on_resize(self) -> None:
        if self.detail is not None:
            self.show(self.detail)

    def _row_key(self) -> str | None:
        index = self.table.row_index
        return self.rows[index].key if 0 <= index < len(self.rows) else None

    def _minutes(self, minutes: int, look: str = "") -> object:
        if not minutes:
            return self.table.styled("-", "muted", justify="right")
        return self.table.styled(format_duration(minutes), look, justify="right")

    def _due(self, row: DetailRow) -> object:
        if row.due is None:
            return self.table.styled("none", "muted")
        if row.overdue or (row.due < self.today and row.planned):
            return self.table.styled(f"{row.due:%d %b}!", "error")
        return plain(f"{row.due:%a %d %b}")

    def _figures(self, data: WeekDetail) -> None:
        cell = data.cell
        if cell is None:
            self.set_figures("Not in the workload (inactive, or not yours to see).")
            return
        off = sum(t.minutes for t in data.time_off)
        capacity = f"Capacity {format_duration(cell.capacity)}"
        if off:
            capacity += (
                f" ({format_duration(cell.capacity + off)} less time off: "
                f"{time_off_text(data.time_off)})"
            )
        when = (
            "past week"
            if cell.past
            else ("this week" if self.week == data.loads.current else "coming week")
        )
        load = (
            f"load {format_duration(cell.load)} = {percent(cell.load, cell.capacity)}"
            f" ({band_text(cell.load, cell.capacity)})"
        )
        parts = [when, capacity]
        if when != "coming week" or cell.logged:
            parts.append(f"logged {format_duration(cell.logged)}")
        if not cell.past:
            parts.append(f"planned {format_duration(cell.planned)}")
        parts.append(load)
        if data.schedule is not None:
            first = data.days[0] if data.days else IsoWeek.parse(self.week).days()[0]
            parts.append(schedule_text(data.schedule, first))
        self.set_figures(" · ".join(parts))

    def _notes(self, data: WeekDetail) -> str:
        if data.cell is not None and data.cell.past:
            return "A past week's load is the time logged in it."
        first = self.person.name.split()[0] if self.person.name else self.person.user
        lines = [
            f"Planned: each open task's remaining estimate, spread evenly over {first}'s "
            "working days from today to its due date; no due date: the next two weeks; "
            "overdue (!): all of it in this week. ? says more.",
        ]
        if not self.rows:
            lines.insert(0, "Nothing planned or logged this week.")
        return "\n".join(lines)

    # --- reassign and open ---------------------------------------------------------------------

    def _task_or_bell(self) -> Task | None:
        key = self._row_key()
        task = self.detail.tasks.get(key) if self.detail and key else None
        if task is None:
            self.app.bell()
        return task

    def action_open_card(self) -> None:
        task = self._task_or_bell()
        backend = self.board_app.backend
        if task is None or backend is None or self.detail is None:
            return
        card = TaskDetailScreen(
            backend,
            task,
            users=self.detail.users,
            today=self.today,
            bare_unit=self.board_app.config.bare_unit,
        )

        def closed(changed: Task | None) -> None:
            if changed is not None:
                self.changed = True
                self.action_reload()

        self.app.push_screen(card, closed)

    def action_reassign(self) -> None:
        task = self._task_or_bell()
        if task is None or self.detail is None:
            return
        items = reassign_items(self.detail.loads)
        picker = PickerScreen(
            f"Give {task.key} to (load in {self.week})", items, current=task.assignee or NOBODY
        )

        def picked(login: str | None) -> None:
            if login is None or (login or None) == task.assignee:
                return
            self._reassign(task.key, task.version, login or None, task.assignee)

        self.app.push_screen(picker, picked)

    def _reassign(self, key: str, version: int, login: str | None, was: str | None) -> None:
        names = {u.login: u.name for u in self.detail.users} if self.detail else {}
        who = names.get(login, login) if login else "nobody"

        def send(backend: Backend, version: int | None) -> Stored[Task]:
            assert version is not None
            task = backend.update_task(key, version, TaskPatch(assignee=login))
            undo = CardChange(
                f"give {key} to {who}", key, task.version, {"assignee": was}, {"assignee": login}
            )
            return Stored(task, key, task.version, f"{key} is now {who}'s; u undoes it.", undo)

        self.send_write(Write(f"give {key} to {who}", send, key, version))

    def write_stored(self, write: Write[Any], result: Any) -> None:
        self.changed = True
        self.notify(cast("Stored[Task]", result).note, title="Reassigned", markup=False)
        self.action_reload()

    def write_refused(self, write: Write[Any], refusal: Refusal) -> None:
        if refusal.kind == "conflict":
            self.notify(
                f"{write.subject} was changed by someone else: nothing was changed; here it "
                "is as it is now.",
                title="Not reassigned",
                severity="warning",
                markup=False,
            )
            self.action_reload()
        else:
            self.notify(refusal.message, title="Not reassigned", severity="error", markup=False)


def reassign_items(loads: Workload) -> list[tuple[str, str]]:
    """The reassign picker's people, most room first (`Ben Okafor · 12:00/40:00 · 30% · under
    50%`), and `nobody` last (the picker marks who has the card as current)."""

    def ratio(row: WorkloadRow) -> float:
        cell = row.cells[0]
        return cell.load / cell.capacity if cell.capacity else float("inf")

    items = []
    for row in sorted(loads.rows, key=lambda r: (ratio(r), r.name.casefold())):
        cell = row.cells[0]
        load = f"{cell_text(cell)} · {percent(cell.load, cell.capacity)}"
        items.append(
            (
                f"{cut(row.name, 40)} · {load} · {band_text(cell.load, cell.capacity)}",
                row.user,
            )
        )
    items.append(("nobody", NOBODY))
    return items


def _heading(row: WorkloadRow, week: str, days: Sequence[date]) -> str:
    return f"{cut(row.name)} · {week}, {days[0]:%a %d %b} to {days[-1]:%a %d %b}"
