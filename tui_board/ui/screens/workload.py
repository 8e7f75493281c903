"""The workload: who is overloaded, who has room, week by week; what lies behind a
figure (and reassigning it); the way to the approvals queue and the time reports.

A lead sees their team, an admin everyone, a member only themself: the backend decides
(`Backend.workload` returns only the people the reader may see). The figures and their
rules live in the service layer; this screen only shows them.
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Label, Static

import tui_board.core.workload as workload_rules
from tui_board.core.clock import local_today
from tui_board.core.durations import format_duration
from tui_board.core.errors import Conflict
from tui_board.core.models import (
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
from tui_board.core.weeks import IsoWeek
from tui_board.core.workload import BANDS
from tui_board.ui.dialogs import PickerScreen, TaskDetailScreen
from tui_board.ui.dialogs.task_form import NOBODY
from tui_board.ui.plain_text import cells, cut, plain_text
from tui_board.ui.screens.approvals import ApprovalsScreen, time_off_text
from tui_board.ui.screens.help import HelpScreen, KeyRow
from tui_board.ui.screens.mode import ModeScreen
from tui_board.ui.screens.reports import ReportsScreen
from tui_board.ui.session import describe_error
from tui_board.ui.widgets.top_bar import TopBar
from tui_board.ui.widgets.workload_grid import (
    BandLegend,
    WorkloadGrid,
    band_text,
    cell_text,
    percent,
)
from tui_board.ui.widgets.workload_table import TableScreen, move_keys, plain

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend

#: Weeks shown before this one, and in all.
WEEKS_BEFORE = 4
WEEKS_SHOWN = 12


def rules() -> list[str]:
    """How the figures are made, in the words of `core.workload`'s docstring (the rule
    lives there and in the service layer; the help quotes it, never restates it)."""
    doc = inspect.getdoc(workload_rules) or ""
    found: list[str] = []
    for line in doc.splitlines():
        if line.startswith("- "):
            found.append(line[2:])
        elif found and line.startswith("  "):
            found[-1] += " " + line.strip()
    bands = ", ".join(text for _, text in BANDS)
    found.append(f"Bands: {bands}; an edge belongs to the lower band (exactly 100% is fine).")
    found.append("A cell shows the load against the capacity in whole hours, e.g. 32/40.")
    return found


def weeks_waiting(states: list[str], mine: str, admin: bool) -> int:
    """Submitted weeks I may review: not my own, unless I am an admin."""
    return sum(1 for user in states if admin or user != mine)


class RulesHelpScreen(HelpScreen):
    """The help with the workload's rules above the keys."""

    def __init__(self, rows: list[KeyRow], *, title: str, rules: list[str]) -> None:
        super().__init__(rows, title=title)
        self.rules = rules

    def on_mount(self) -> None:
        super().on_mount()
        text = "\n".join(f"• {rule}" for rule in self.rules)
        self.query_one("#help-keys").mount(
            Label("How the figures are made", classes="help--group", markup=False),
            Static(text, classes="help--what", markup=False),
            before=0,
        )


class WorkloadScreen(ModeScreen):
    TITLE = "Workload"
    BINDING_GROUP_TITLE = "Workload"
    AUTO_FOCUS = ""
    PURPOSE = "Who has how much work, week by week."
    #: The screens it pushes (their keys are remappable too).
    SUBSCREENS: ClassVar[tuple[type[TableScreen], ...]] = ()

    BINDINGS: ClassVar[list[BindingType]] = [
        *move_keys(),
        Binding("enter", "details", "Details", tooltip="The tasks and time behind the figure",
                id="workload-details"),
        Binding("left_square_bracket", "shift(-1)", "Earlier", tooltip="Show a week earlier",
                id="workload-earlier"),
        Binding("right_square_bracket", "shift(1)", "Later", tooltip="Show a week later",
                id="workload-later"),
        Binding("full_stop", "this_week", "This week", show=False,
                tooltip="Back to 4 weeks before and 8 after this one", id="workload-this-week"),
        Binding("v", "approvals", "Approvals", tooltip="Submitted weeks: approve or reject",
                id="workload-approvals"),
        Binding("t", "reports", "Reports", tooltip="Time by person, project or task; export",
                id="workload-reports"),
        Binding("f", "pick_team", "Team", show=False, tooltip="Show one team, or everyone",
                id="workload-team"),
        Binding("r", "reload", "Reload", show=False, tooltip="Read the figures again",
                id="reload"),
    ]  # fmt: skip

    DEFAULT_CSS = """
    WorkloadScreen > .mode-status {
        padding: 0 1;
        margin: 0;
    }
    WorkloadScreen > #workload-head {
        height: 1;
        padding: 0 1;
    }
    WorkloadScreen #workload-head > .mode-facts {
        width: 1fr;
        height: 1;
        min-height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    WorkloadScreen > #workload-legend {
        height: 1;
        padding: 0 1;
        margin-bottom: 1;
    }
    WorkloadScreen #workload-legend > .workload--muted {
        width: auto;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    WorkloadScreen > #workload-body {
        height: 1fr;
        padding: 0 1;
    }
    WorkloadScreen WorkloadGrid {
        height: auto;
        max-height: 100%;
    }
    """

    @dataclass
    class Loaded(Message):
        number: int
        workload: Workload

    @dataclass
    class Waiting(Message):
        """How many submitted weeks I may review."""

        count: int

    @dataclass
    class LoadFailed(Message):
        number: int
        message: str

    def __init__(self) -> None:
        super().__init__()
        self.start: IsoWeek | None = None
        self.team: str | None = None
        #: Teams seen when showing everyone I may see (what the team filter offers).
        self.teams_seen: list[str] = []
        #: Submitted weeks I may review, as last counted.
        self.waiting = 0
        self._loads = 0

    def compose(self) -> ComposeResult:
        yield TopBar(self.title or "Workload")
        yield Static("", classes="mode-status", markup=False)
        with Horizontal(id="workload-head"):
            yield Static("", classes="mode-facts", markup=False)
        with Horizontal(id="workload-legend"):
            yield BandLegend()
            yield Label("hours: load/capacity · ? how", classes="workload--muted")
        with Vertical(id="workload-body"):
            yield WorkloadGrid()
        yield Footer()

    def on_resize(self) -> None:
        self.grid.fit(self.size.width - 2)  # the grid's margins

    def action_move(self, dx: int, dy: int) -> None:
        self.grid.move(dx, dy)

    def action_page(self, step: int) -> None:
        self.grid.page(step)

    def action_edge(self, step: int) -> None:
        self.grid.edge(step)

    @on(WorkloadGrid.Selected)
    def _clicked_twice(self) -> None:
        self.action_details()

    @property
    def grid(self) -> WorkloadGrid:
        return self.query_one(WorkloadGrid)

    @property
    def today(self) -> date:
        return local_today(self.board_app.clock)

    def make_help(self, rows: list[KeyRow]) -> HelpScreen:
        """`?` here: the keys, then how the figures are made."""
        return RulesHelpScreen(rows, title=self.title or "", rules=rules())

    # --- reading --------------------------------------------------------------------------

    def load_facts(self) -> None:
        """Read the figures (when the backend opens, on `r`, after a change of weeks)."""
        backend = self.board_app.backend
        if backend is None:
            return
        today = self.today
        if self.start is None:
            self.start = IsoWeek.of(today).shift(-WEEKS_BEFORE)
        self._loads += 1
        facts = self.query_one(".mode-facts", Static)
        facts.loading = False  # a spinner would take turns with the read for the CPU
        if self.grid.workload is None:
            facts.update("Reading the workload …")
        self._read(backend, self.start, self.team, today, self._loads)

    @work(thread=True, group="workload-read")
    def _read(
        self, backend: Backend, start: IsoWeek, team: str | None, today: date, number: int
    ) -> None:
        try:
            figures = backend.workload(start, WEEKS_SHOWN, team=team, today=today)
        except Exception as error:
            self.post_message(self.LoadFailed(number, describe_error(error)))
            return
        self.post_message(self.Loaded(number, figures))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.number != self._loads:
            return
        figures = message.workload
        if self.team is None:
            self.teams_seen = sorted({r.team for r in figures.rows if r.team})
        self.grid.show(figures)
        self.set_status("")
        self._show_summary()
        backend = self.board_app.backend
        if backend is not None:  # after the grid's first frame: it need not wait for this
            self.call_after_refresh(self._count_waiting, backend)

    @work(thread=True, exclusive=True, group="workload-waiting")
    def _count_waiting(self, backend: Backend) -> None:
        try:
            me = backend.me()
            submitted = [s.user for s in backend.list_week_states(state="submitted")]
        except Exception:  # the summary just leaves the count out; `v` reports errors
            return
        self.post_message(self.Waiting(weeks_waiting(submitted, me.login, me.role == "admin")))

    @on(Waiting)
    def _got_waiting(self, message: Waiting) -> None:
        self.waiting = message.count
        self._show_summary()

    def _show_summary(self) -> None:
        figures = self.grid.workload
        if figures is not None:
            summary = plain_text(self._summary(figures, self.waiting))
            self.query_one(".mode-facts", Static).update(summary)

    def _summary(self, figures: Workload, waiting: int) -> str:
        people = len(figures.rows)
        who = "1 person" if people == 1 else f"{people} people"
        teams = {r.team for r in figures.rows if r.team}
        if self.team is not None:
            who = f"team {self.team}: {who}"
        elif len(teams) > 1:
            who += f" in {len(teams)} teams"
        elif teams:
            who += f" · team {next(iter(teams))}"
        parts = [who, f"{figures.weeks[0]} to {figures.weeks[-1]}"]
        if waiting:
            parts.append(f"{waiting} week{'s' * (waiting != 1)} to approve (v)")
        return " · ".join(parts)

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        if message.number != self._loads:
            return
        self.set_status(f"Cannot read the workload: {message.message}", error=True)
        self.notify(message.message, title="Workload: cannot read", severity="error", markup=False)

    # --- keys ------------------------------------------------------------------------------

    def action_shift(self, step: int) -> None:
        if self.start is None:
            return
        self.start = self.start.shift(step)
        self.load_facts()

    def action_this_week(self) -> None:
        self.start = IsoWeek.of(self.today).shift(-WEEKS_BEFORE)
        self.load_facts()

    def action_details(self) -> None:
        figures = self.grid.workload
        spot = self.grid.spot()
        if figures is None or spot.user is None or spot.week is None:
            self.app.bell()
            return
        row = next(r for r in figures.rows if r.user == spot.user)
        week = spot.week
        detail = WeekDetailScreen(row, week, team=self.team, today=self.today)
        self.app.push_screen(detail, lambda _: self._after(detail))

    def action_approvals(self) -> None:
        if self.board_app.backend is None:
            self.app.bell()
            return
        screen = ApprovalsScreen(today=self.today)
        self.app.push_screen(screen, lambda _: self._after(screen))

    def action_reports(self) -> None:
        if self.board_app.backend is None:
            self.app.bell()
            return
        self.app.push_screen(ReportsScreen(today=self.today))

    def _after(self, screen: TableScreen) -> None:
        if screen.changed:
            self.load_facts()

    def action_pick_team(self) -> None:
        if len(self.teams_seen) < 2:
            self.notify("You see one team's figures (or only your own).", markup=False)
            return
        items: list[tuple[str, str]] = [("everyone I may see", "")]
        items += [(f"team {name}", name) for name in self.teams_seen]

        def picked(name: str | None) -> None:
            if name is None or (name or None) == self.team:
                return
            self.team = name or None
            self.load_facts()

        self.app.push_screen(
            PickerScreen("Show the workload of", items, current=self.team or ""), picked
        )


# --- what lies behind a figure -------------------------------------------------------------


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
        iso = IsoWeek.parse(week)
        super().__init__(
            f"{cut(row.name)} · {week}, {iso.monday():%a %d %b} to {iso.sunday():%a %d %b}"
        )
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
        entries = backend.list_entries(week.monday(), week.sunday(), user=login)
        time_off = backend.list_time_off(week.monday(), week.sunday(), user=login)
        keys = dict.fromkeys([p.task for p in planned] + [e.task for e in entries])
        tasks = {key: backend.get_task(key) for key in keys}
        users = backend.list_users()
        cell = next((r.cells[0] for r in loads.rows if r.user == login), None)
        return WeekDetail(cell, loads, planned, entries, time_off, tasks, users)

    def show(self, data: WeekDetail) -> None:
        self.detail = data
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
        items = reassign_items(self.detail.loads, task.assignee)
        picker = PickerScreen(
            f"Give {task.key} to (load in {self.week})", items, current=task.assignee or NOBODY
        )

        def picked(login: str | None) -> None:
            if login is None or (login or None) == task.assignee:
                return
            self._reassign(task.key, task.version, login or None)

        self.app.push_screen(picker, picked)

    @dataclass
    class Reassigned(Message):
        task: Task

    @dataclass
    class ReassignFailed(Message):
        message: str
        conflict: bool = False

    @work(thread=True, group="workload-reassign")
    def _reassign(self, key: str, version: int, login: str | None) -> None:
        backend = self.board_app.backend
        if backend is None:
            return
        try:
            task = backend.update_task(key, version, TaskPatch(assignee=login))
        except Conflict:
            self.post_message(self.ReassignFailed(f"{key} was changed by someone else", True))
        except Exception as error:
            self.post_message(self.ReassignFailed(describe_error(error)))
        else:
            self.post_message(self.Reassigned(task))

    @on(Reassigned)
    def _reassigned(self, message: Reassigned) -> None:
        self.changed = True
        task = message.task
        names = {u.login: u.name for u in self.detail.users} if self.detail else {}
        who = names.get(task.assignee, task.assignee) if task.assignee else "nobody"
        self.notify(f"{task.key} is now {who}'s.", title="Reassigned", markup=False)
        self.action_reload()

    @on(ReassignFailed)
    def _reassign_failed(self, message: ReassignFailed) -> None:
        if message.conflict:
            self.notify(
                f"{message.message}: nothing was changed; here it is as it is now.",
                title="Not reassigned",
                severity="warning",
                markup=False,
            )
            self.action_reload()
        else:
            self.notify(message.message, title="Not reassigned", severity="error", markup=False)


def reassign_items(loads: Workload, current: str | None) -> list[tuple[str, str]]:
    """The reassign picker's people, most room first (`Ben Okafor · 12/40h · 30% · under
    50%`), and `nobody` last."""

    def ratio(row: WorkloadRow) -> float:
        cell = row.cells[0]
        return cell.load / cell.capacity if cell.capacity else float("inf")

    items = []
    for row in sorted(loads.rows, key=lambda r: (ratio(r), r.name.casefold())):
        cell = row.cells[0]
        mark = " (has it)" if row.user == current else ""
        load = f"{cell_text(cell)}h · {percent(cell.load, cell.capacity)}"
        items.append(
            (
                f"{cut(row.name, 40)}{mark} · {load} · {band_text(cell.load, cell.capacity)}",
                row.user,
            )
        )
    items.append(("nobody", NOBODY))
    return items


WorkloadScreen.SUBSCREENS = (WeekDetailScreen, ApprovalsScreen, ReportsScreen)

__all__ = ["RulesHelpScreen", "WeekDetailScreen", "WorkloadScreen", "rules"]
