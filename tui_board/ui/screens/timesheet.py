"""The timesheet: my week as a grid of tasks by day, to log time in a few keystrokes and
submit the week.

Every change is stored at once by a writer thread, one write after another, each cell
write carrying the cell's version as the user saw it: when the cell was changed
elsewhere meanwhile the store refuses it, the grid shows the stored value and what the
user typed is offered again (nothing typed is lost, nothing stored is overwritten
unseen). Weeks are read in a worker; the cursor stays on its task and day.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Input, Label, Static
from textual.worker import get_current_worker

from tui_board.core.clock import local_today
from tui_board.core.durations import format_duration
from tui_board.core.errors import Conflict, Invalid, Locked
from tui_board.core.models import Task, TaskRef, TimeEntry, Timer, WeekSheet, WeekState
from tui_board.core.text import printable
from tui_board.core.weeks import IsoWeek
from tui_board.ui.dialogs import ConfirmScreen, PickerScreen
from tui_board.ui.plain_text import PASSAGE, cut, plain_text
from tui_board.ui.screens.mode import ModeScreen
from tui_board.ui.session import describe_error
from tui_board.ui.widgets.timesheet_entry import (
    QuickEntry,
    QuickEntryInput,
    TaskChoice,
    parse_quick_entry,
    task_candidates,
)
from tui_board.ui.widgets.timesheet_state import Cell, WeekGridState
from tui_board.ui.widgets.top_bar import TopBar
from tui_board.ui.widgets.week_grid import CellValue, Move, WeekGrid

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend

WriteKind = Literal["cell", "clear", "comment", "add", "timer", "rows", "submit"]
FailureKind = Literal["conflict", "locked", "invalid", "error", "skipped"]

#: The most lines the line under the grid takes (a long error wraps).
LINE_LINES = 3
DASH = "\u2013"
PROMPT = "\u203a"


@dataclass(frozen=True)
class Outcome:
    """What a write did, as the store answered: a cell now (`entry`, None when it has
    none), rows added or removed, the week's state, my timer, and a note for the user."""

    cell: Cell | None = None
    entry: TimeEntry | None = None
    rows: tuple[TaskRef, ...] = ()
    removed: str | None = None
    state: WeekState | None = None
    timer_changed: bool = False
    timer: Timer | None = None
    note: str = ""


@dataclass(frozen=True)
class Write:
    """One write, run by the writer thread in the order the user asked for it.

    `send(backend, version)` runs in the writer thread. `version` is the cell's version
    as the user saw it (`base`), or, when an earlier write of the same cell was still on
    its way (`chained`), the version the store gave back for that one."""

    kind: WriteKind
    what: str
    send: Callable[[Backend, int | None], Outcome]
    cell: Cell | None = None
    base: int | None = None
    chained: bool = False
    #: What the user typed, offered again when the store refuses it.
    text: str = ""
    week: str = ""


def _key(
    keys: str, action: str, description: str, tooltip: str, id: str, *, show: bool = False
) -> Binding:
    return Binding(keys, action, description, show=show, tooltip=tooltip, id=id)


def _days(days: list[date]) -> str:
    return ", ".join(f"{day:%a} {day.day}" for day in days)


class TimesheetScreen(ModeScreen):
    TITLE = "Timesheet"
    BINDING_GROUP_TITLE = "Timesheet"
    PURPOSE = "Your week: tasks by day, to log time and submit the week."

    BINDINGS: ClassVar[list[BindingType]] = [
        # Moving: in help and the palette, not in the footer.
        _key("enter", "edit", "Edit", "Edit the cell (or just type a duration: 1h30, 1:30, "
             "90m, 1.5)", "timesheet-edit"),
        _key("left,h", "move('left')", "Left", "The day before", "timesheet-left"),
        _key("right,l", "move('right')", "Right", "The day after", "timesheet-right"),
        _key("up,k", "move('up')", "Up", "The task above", "timesheet-up"),
        _key("down,j", "move('down')", "Down", "The task below", "timesheet-down"),
        _key("pageup", "move('page_up')", "Page up", "A page of tasks up", "timesheet-page-up"),
        _key("pagedown", "move('page_down')", "Page down", "A page of tasks down",
             "timesheet-page-down"),
        _key("home,g", "move('first')", "First task", "The week's first task",
             "timesheet-first"),
        _key("end,G", "move('last')", "Last task", "The week's last task", "timesheet-last"),
        _key("tab", "move('next')", "Next cell", "The next day (then the next task)",
             "timesheet-next"),
        _key("shift+tab", "move('previous')", "Previous cell", "The day before (then the task "
             "above)", "timesheet-previous"),
        # Acting on the cell, the row, the week (the footer shows them in this order).
        _key("i", "quick_entry", "Quick", "Log time in one line: WEB-12 1h30 fixed the login",
             "timesheet-quick", show=True),
        _key("c", "comment", "Comment", "Write the cell's comment", "timesheet-comment",
             show=True),
        _key("a", "add_row", "Add row", "Add a task to the week (a task picker)",
             "timesheet-add-row", show=True),
        _key("left_square_bracket", "week(-1)", "Prev week", "The week before",
             "timesheet-previous-week", show=True),
        _key("right_square_bracket", "week(1)", "Next week", "The week after",
             "timesheet-next-week", show=True),
        _key("s", "submit", "Submit", "Submit the week for approval (asks first)",
             "timesheet-submit", show=True),
        _key("space", "toggle_timer", "Timer", "Start or stop my timer on the row's task",
             "timesheet-timer", show=True),
        _key("full_stop", "this_week", "This week", "Back to this week", "timesheet-this-week",
             show=True),
        _key("y", "copy_rows", "Copy rows", "Add last week's rows (the tasks, not their time)",
             "timesheet-copy-rows", show=True),
        _key("delete,backspace", "clear", "Clear", "Clear the cell (its entry is deleted)",
             "timesheet-clear", show=True),
        _key("x", "remove_row", "Remove row", "Remove a row without time from the week",
             "timesheet-remove-row"),
        # Digits type durations here: these reach the other screens.
        _key("b", "app.switch_mode('board')", "Board", "The kanban board (1 elsewhere)",
             "timesheet-board", show=True),
        _key("w", "app.switch_mode('workload')", "Workload", "Who has how much work (3 "
             "elsewhere)", "timesheet-workload", show=True),
        _key("escape", "close_prompt", "Close", "Close the line below the grid",
             "timesheet-close-prompt", show=True),
        _key("r", "reload", "Reload", "Read the week again (or retry opening the board)",
             "reload"),
        # While a cell is being typed into (the digits and letters go into the cell).
        _key("enter", "store('down')", "Store", "Store the cell, then the next task",
             "timesheet-store", show=True),
        _key("tab", "store('next')", "Store, next day", "Store the cell, then the next day",
             "timesheet-store-next", show=True),
        _key("shift+tab", "store('previous')", "Store, day before", "Store the cell, then "
             "the day before", "timesheet-store-previous"),
        _key("up", "store('up')", "Store, up", "Store the cell, then the task above",
             "timesheet-store-up"),
        _key("down", "store('down')", "Store, down", "Store the cell, then the task below",
             "timesheet-store-down"),
        _key("left", "store('left')", "Store, left", "Store the cell, then the day before",
             "timesheet-store-left"),
        _key("right", "store('right')", "Store, right", "Store the cell, then the day after",
             "timesheet-store-right"),
        _key("escape", "cancel_edit", "Cancel", "Leave the cell as it was",
             "timesheet-cancel-edit", show=True),
        _key("backspace,delete", "erase", "Erase", "Erase the last character",
             "timesheet-erase"),
        _key("ctrl+u", "clear_input", "Erase all", "Erase what was typed",
             "timesheet-erase-all"),
    ]  # fmt: skip

    #: The actions of a cell being typed into; the others wait until it is stored.
    EDIT_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {"store", "cancel_edit", "erase", "clear_input"}
    )

    DEFAULT_CSS = """
    TimesheetScreen > .mode-facts {
        height: 1;
        min-height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    TimesheetScreen > .mode-status {
        padding: 0 1;
        margin: 0;
    }
    TimesheetScreen > #timesheet-state {
        display: none;
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    TimesheetScreen > #timesheet-state.-shown {
        display: block;
    }
    TimesheetScreen > #timesheet-state.-rejected {
        color: $text-warning;
        text-style: bold;
    }
    TimesheetScreen > #timesheet-state.-read-only {
        color: $text-primary;
    }
    TimesheetScreen > #timesheet-body {
        display: none;
        height: 1fr;
    }
    TimesheetScreen.-loaded > #timesheet-body {
        display: block;
    }
    TimesheetScreen WeekGrid {
        height: auto;
    }
    TimesheetScreen #timesheet-line {
        height: auto;
        max-height: 3;
        width: 1fr;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    TimesheetScreen #timesheet-line.-ok {
        color: $text-success;
    }
    TimesheetScreen #timesheet-line.-error {
        color: $text-error;
        text-style: bold;
        text-wrap: wrap;
    }
    TimesheetScreen #timesheet-line.-warning {
        color: $text-warning;
        text-wrap: wrap;
    }
    TimesheetScreen #timesheet-prompt {
        display: none;
        height: 1;
        padding: 0 1;
    }
    TimesheetScreen.-prompting #timesheet-prompt {
        display: block;
    }
    TimesheetScreen #timesheet-prompt-label {
        width: auto;
        padding-right: 1;
        color: $text-primary;
        text-style: bold;
    }
    TimesheetScreen #timesheet-input {
        width: 1fr;
        background: $panel;
    }
    """

    # --- messages from the workers and the writer ----------------------------------------

    @dataclass
    class WeekLoaded(Message):
        sheet: WeekSheet
        week: IsoWeek
        #: How many writes the screen had asked for when the read began.
        writes: int
        #: Whether the store had answered all of them by then.
        settled: bool
        #: Project names by key, when they were read too (the first time).
        projects: dict[str, str] | None = None

    @dataclass
    class WeekFailed(Message):
        message: str

    @dataclass
    class Written(Message):
        write: Write
        outcome: Outcome

    @dataclass
    class WriteFailed(Message):
        """A write was refused; nothing was stored. `current`: the cell as stored now,
        when the store said (`known`)."""

        write: Write
        message: str
        kind: FailureKind
        current: TimeEntry | None = None
        known: bool = False

    @dataclass
    class TasksListed(Message):
        tasks: list[Task]
        projects: dict[str, str]
        then: str = ""

    @dataclass
    class ReadFailed(Message):
        message: str
        title: str

    # --- state ---------------------------------------------------------------------------

    def __init__(self) -> None:
        super().__init__()
        #: The week shown (or being read), and the sheet as the grid holds it.
        self.week: IsoWeek | None = None
        self.sheet: WeekGridState | None = None
        self.tasks: list[TaskChoice] = []
        self._task_list: list[Task] = []
        self.project_names: dict[str, str] = {}
        self._tasks_loaded = False
        #: Where the cursor goes once the week being read is shown.
        self._focus_after_load: Cell | None = None
        #: The task the cursor follows from week to week.
        self._wanted_key: str | None = None
        #: The writer: a queue, run by one writer thread at a time.
        self._writes: deque[Write] = deque()
        self._write_lock = threading.Lock()
        self._writing = False
        self._pending = 0
        self._writes_asked = 0
        self._reload_after_writes = False
        #: The line under the grid: a note about the last thing that happened.
        self._notice: tuple[str, str] | None = None
        #: What the prompt line is for: quick entry, or a cell's comment.
        self._prompt: Literal["quick", "comment"] | None = None
        self._comment_cell: Cell | None = None
        #: The screen left its mode (not just a dialog over it): read the week on return.
        self._away = False
        self._grid = WeekGrid(id="timesheet-grid")

    def compose(self) -> ComposeResult:
        yield TopBar(self.title or "Timesheet")
        yield Static("", classes="mode-facts", markup=False)
        yield Static("", id="timesheet-state", markup=False)
        yield Static("", classes="mode-status", markup=False)
        with Vertical(id="timesheet-body"):
            yield self._grid
            yield Label("", id="timesheet-line", markup=False)
            with Horizontal(id="timesheet-prompt"):
                yield Label("", id="timesheet-prompt-label", markup=False)
                yield QuickEntryInput(id="timesheet-input")
        yield Footer()

    @property
    def grid(self) -> WeekGrid:
        return self._grid

    @property
    def today(self) -> date:
        return local_today(self.board_app.clock)

    def on_mount(self) -> None:
        super().on_mount()
        self.grid.bare_unit = self.board_app.config.bare_unit
        self.grid.reserve = LINE_LINES
        self.watch(self.app, "timer", self._timer_changed)

    def on_screen_suspend(self) -> None:
        self._away = self not in self.app.screen_stack

    def on_screen_resume(self) -> None:
        # Time may have been logged elsewhere (the board's `t`, a timer) meanwhile.
        if self._away and self.sheet is not None:
            self.load_week()
        self._away = False
        if self._prompt is None:
            self.grid.focus()

    # --- loading -----------------------------------------------------------------------------

    def load_facts(self) -> None:
        """Read the week (ModeScreen calls this when the backend opens, and on `r`)."""
        self.load_week()

    def load_week(self, week: IsoWeek | None = None) -> None:
        """Read a week (None: the one shown, at first this one) in a worker."""
        backend = self.board_app.backend
        if backend is None:
            return
        if week is not None:
            self.week = week
        elif self.week is None:
            self.week = IsoWeek.of(self.today)
        if self.sheet is None:
            self.query_one(".mode-facts", Static).loading = True
        first_day = self.board_app.config.first_day
        with_projects = not self.project_names
        writes = (self._writes_asked, self._pending == 0)
        self._read_week(backend, self.week, first_day, writes, with_projects)

    @work(thread=True, exclusive=True, group="timesheet-week")
    def _read_week(
        self,
        backend: Backend,
        week: IsoWeek,
        first_day: int,
        writes: tuple[int, bool],
        with_projects: bool,
    ) -> None:
        worker = get_current_worker()
        try:
            sheet = backend.week(week, first_day=first_day)
            projects = None
            if with_projects:
                projects = {p.key: p.name for p in backend.list_projects(include_archived=True)}
        except Exception as error:
            if not worker.is_cancelled:
                self.post_message(self.WeekFailed(describe_error(error)))
            return
        if not worker.is_cancelled:
            self.post_message(self.WeekLoaded(sheet, week, *writes, projects))

    @on(WeekLoaded)
    def _week_loaded(self, message: WeekLoaded) -> None:
        if message.week != self.week:
            return  # the user moved on to another week meanwhile
        if not message.settled or message.writes != self._writes_asked:
            # A write was on its way when the read began, or went out since: the read
            # may not show it. Read again once the writes are answered.
            self._reload_after_writes = True
            self._after_writes()
            return
        me = self.board_app.me
        if me is None:
            return
        if message.projects:
            self.project_names = message.projects
            self.grid.project_names = message.projects
        config = self.board_app.config
        target = config.daily_target_minutes or me.daily_capacity
        state = WeekGridState(
            message.sheet, today=self.today, work_days=me.work_days, daily_target=target
        )
        old = self.sheet
        focus, self._focus_after_load = self._focus_after_load, None
        if focus is not None and focus[1] in state.days:
            state.place(focus[0], state.days.index(focus[1]))
        elif old is not None:
            # The task the cursor was on, even across a week without it (or any rows).
            self._wanted_key = old.focus_key or self._wanted_key
            state.place(self._wanted_key, old.cursor_day, fallback_row=old.cursor_row)
        self.sheet = state
        facts = self.query_one(".mode-facts", Static)
        facts.loading = False
        self.add_class("-loaded")
        self.set_status("")
        grid = self.grid
        grid.timer_key = self._timer_key()
        grid.empty_text = (
            f"No tasks on week {state.week.week} yet: {self.keys_for('add_row') or 'a'} adds "
            f"one, {self.keys_for('copy_rows') or 'y'} copies last week's rows, "
            f"{self.keys_for('quick_entry') or 'i'} logs time by task key."
        )
        grid.show(state)
        self._draw_week()
        if self._prompt is None and not isinstance(self.app.focused, Input):
            grid.focus()

    @on(WeekFailed)
    def _week_failed(self, message: WeekFailed) -> None:
        self.query_one(".mode-facts", Static).loading = False
        self.set_status(f"Cannot read the week: {message.message}", error=True)
        self.notify(message.message, title="Timesheet: cannot read", severity="error", markup=False)

    # --- drawing -----------------------------------------------------------------------------

    def _draw_week(self) -> None:
        """The title line (week, dates, logged against the target) and the week's state."""
        state = self.sheet
        if state is None:
            return
        days = state.days
        first, last = (
            f"{days[0]:%a} {days[0].day}",
            f"{days[-1]:%a} {days[-1].day} {days[-1]:%b %Y}",
        )
        if days[0].month != days[-1].month:
            first += f" {days[0]:%b}"
        span = f"{first} {DASH} {last}"
        this_week = IsoWeek.of(self.today)
        offset = state.week - this_week
        when = {0: "this week", -1: "last week", 1: "next week"}.get(
            offset, f"{-offset} weeks ago" if offset < 0 else f"in {offset} weeks"
        )
        total, target = state.week_total(), state.week_target()
        logged = f"{format_duration(total)} logged of {format_duration(target)}"
        facts = Content.assemble(
            (f"{state.week}", "bold $text-primary"),
            f" · {span} · ",
            (logged, "bold"),
            (f" · {when}", "$text-muted"),
        )
        title = self.query_one(".mode-facts", Static)
        if str(title.content) != facts.plain:
            title.update(facts, layout=False)  # one line, whatever it says: no relayout
        self._draw_state(state)
        self._draw_line()

    def _draw_state(self, state: WeekGridState) -> None:
        line = self.query_one("#timesheet-state", Static)
        week = state.sheet.state
        submit = self.keys_for("submit") or "s"
        text, kind = "", ""
        if week.state == "rejected":
            who = week.reviewer or "your lead"
            note = f": “{cut(week.note, PASSAGE)}”" if week.note else ""
            text = f"Sent back by {who}{note} Fix it, then {submit} submits it again."
            kind = "-rejected"
        elif week.state in ("submitted", "approved") or state.read_only_reason() is not None:
            text = f"{(state.read_only_reason() or '').capitalize()}."
            if week.state == "submitted":
                text += f" {format_duration(week.submitted_minutes)} submitted."
            kind = "-read-only"
        elif state.sheet.locked_until is not None and state.sheet.locked_until >= state.days[0]:
            locked = state.sheet.locked_until
            text = f"Time up to {locked:%a %d %b} is locked: those days are read-only."
            kind = "-read-only"
        content = plain_text(text)
        if str(line.content) != content.plain:
            line.update(content)
        line.set_class(bool(text), "-shown")
        line.set_class(kind == "-rejected", "-rejected")
        line.set_class(kind == "-read-only", "-read-only")

    def _draw_line(self) -> None:
        """The line under the grid: what is being typed and what it would store, else the
        last thing that happened, else the cursor's cell."""
        line = self.query_one("#timesheet-line", Label)
        text, tone = self._line_text()
        wraps = tone in ("error", "warning")
        content = plain_text(text)
        if str(line.content) != content.plain:
            line.update(content, layout=wraps or line.size.height != 1)
        for name in ("ok", "error", "warning"):
            line.set_class(tone == name, f"-{name}")

    def _line_text(self) -> tuple[str, str]:
        grid, state = self.grid, self.sheet
        if self._prompt == "quick":
            return self._quick_preview(self.query_one(QuickEntryInput).value)
        if self._prompt == "comment" and self._comment_cell is not None:
            key, day = self._comment_cell
            return f"The comment on {key} for {day:%a %d %b}: enter stores it, esc cancels.", ""
        if grid.edit is not None:
            preview, ok = grid.preview()
            hint = "  ·  enter: store · esc: cancel"
            return (preview + hint, "ok") if ok else (preview, "error")
        if self._notice is not None:
            return self._notice
        if state is None:
            return "", ""
        cell = state.focus_cell
        if cell is None:
            return "", ""
        return state.describe_cell(*cell), ""

    def notice(self, text: str, tone: str = "") -> None:
        """Say something on the line under the grid until the next key."""
        self._notice = (text, tone)
        self._draw_line()

    def _redraw(self) -> None:
        """Show a change of the sheet at once: the grid, the title line and the line
        under the grid in the same frame (the grid's `Changed` message comes later)."""
        self.grid.changed()
        self._draw_week()

    @on(WeekGrid.Changed)
    def _grid_changed(self) -> None:
        if self.grid.editing:
            self._notice = None
        self._draw_week()

    @on(WeekGrid.Refused)
    def _grid_refused(self, message: WeekGrid.Refused) -> None:
        self.app.bell()
        self.notice(f"{message.reason[:1].upper()}{message.reason[1:]}.", "warning")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a cell is being typed into, its keys store or drop it. The footer is not
        # rebuilt for it (that costs more than a key's whole budget, at every cell): the
        # line under the grid says what enter and esc do.
        if action == "close_prompt":
            return self._prompt is not None
        return (action in self.EDIT_ACTIONS) == self._grid.editing

    def _timer_key(self) -> str | None:
        timer = self.board_app.timer
        return timer.task if timer is not None else None

    def _timer_changed(self, timer: Timer | None) -> None:
        grid = self.grid
        key = timer.task if timer is not None else None
        if grid.timer_key != key:
            grid.timer_key = key
            grid.refresh()

    # --- moving ------------------------------------------------------------------------------

    def action_move(self, move: Move) -> None:
        self._notice = None
        self.grid.apply_move(move)
        self._draw_week()

    def action_week(self, step: int) -> None:
        if self.week is not None and self.board_app.backend is not None:
            self._notice = None
            self.load_week(self.week.shift(step))

    def action_this_week(self) -> None:
        if self.board_app.backend is not None:
            self._notice = None
            self.load_week(IsoWeek.of(self.today))

    # --- the cell ----------------------------------------------------------------------------

    def _editable_cell(self) -> Cell | None:
        """The cursor's cell when it may be changed; else None, and the user is told."""
        state = self.sheet
        cell = state.focus_cell if state is not None else None
        if state is None or cell is None:
            self.app.bell()
            if state is not None:
                self.notice(f"Add a task first: {self.keys_for('add_row') or 'a'}.", "warning")
            return None
        reason = state.read_only_reason(cell[1])
        if reason is not None:
            self.app.bell()
            self.notice(f"{reason[:1].upper()}{reason[1:]}.", "warning")
            return None
        return cell

    def action_store(self, move: Move) -> None:
        value = self._grid.commit(move)
        if value is not None:
            self._store_cell(value)
        self._draw_week()

    def action_cancel_edit(self) -> None:
        self._grid.cancel_edit()
        self._draw_week()

    def action_erase(self) -> None:
        self._grid.erase()
        self._draw_week()

    def action_clear_input(self) -> None:
        self._grid.clear_input()
        self._draw_week()

    def action_edit(self) -> None:
        cell = self._editable_cell()
        if cell is None or self.sheet is None:
            return
        minutes = self.sheet.minutes(*cell)
        if minutes:
            self.grid.start_edit(format_duration(minutes), replace=True)
        else:
            self.grid.start_edit("")

    def _store_cell(self, value: CellValue) -> None:
        """Show a typed value at once and have the writer store it."""
        state = self.sheet
        if state is None:
            return
        cell: Cell = (value.key, value.day)
        comment = state.comment(*cell)
        base = state.version(*cell)
        chained = state.begin(cell, value.minutes, comment)
        self._redraw()
        key, day, minutes = value.key, value.day, value.minutes

        def send(backend: Backend, version: int | None) -> Outcome:
            entry = backend.set_entry(key, day, minutes, version=version)
            return Outcome(cell, entry)

        what = f"store {format_duration(minutes)} on {key} for {day:%a %d %b}"
        self.queue_write(Write("cell", what, send, cell, base, chained, value.text))

    def action_clear(self) -> None:
        cell = self._editable_cell()
        state = self.sheet
        if cell is None or state is None:
            return
        if not state.minutes(*cell) and not state.comment(*cell) and state.entry(*cell) is None:
            self.app.bell()
            self.notice("That cell is empty already.", "warning")
            return
        before = format_duration(state.minutes(*cell))
        base = state.version(*cell)
        chained = state.begin(cell, 0, "")
        self._redraw()
        key, day = cell

        def send(backend: Backend, version: int | None) -> Outcome:
            backend.clear_entry(key, day, version=version)
            return Outcome(cell, None, note=f"Cleared {key} on {day:%a %d %b} (was {before}).")

        self.queue_write(
            Write("clear", f"clear {key} on {day:%a %d %b}", send, cell, base, chained)
        )

    def action_comment(self) -> None:
        cell = self._editable_cell()
        if cell is None or self.sheet is None:
            return
        self._comment_cell = cell
        self._open_prompt("comment", self.sheet.comment(*cell))

    def _store_comment(self, text: str) -> None:
        state, cell = self.sheet, self._comment_cell
        self._close_prompt()
        if state is None or cell is None:
            return
        comment = text.strip()
        if comment == state.comment(*cell):
            return
        minutes = state.minutes(*cell)
        base = state.version(*cell)
        chained = state.begin(cell, minutes, comment)
        self._redraw()
        key, day = cell

        def send(backend: Backend, version: int | None) -> Outcome:
            entry = backend.set_entry(key, day, minutes, comment=comment, version=version)
            note = f"Comment stored on {key} for {day:%a %d %b}: “{comment}”."
            return Outcome(cell, entry, note=note)

        what = f"store the comment on {key} for {day:%a %d %b}"
        self.queue_write(Write("comment", what, send, cell, base, chained, comment))

    # --- the prompt line: quick entry and comments -------------------------------------------

    def _open_prompt(self, kind: Literal["quick", "comment"], value: str) -> None:
        self._prompt = kind
        self._notice = None
        self.refresh_bindings()
        field = self.query_one(QuickEntryInput)
        label = self.query_one("#timesheet-prompt-label", Label)
        if kind == "quick":
            label.update(f"Log {PROMPT}")
            field.placeholder = "WEB-12 1h30 fixed the login bug  ·  WEB-12 yesterday 45m"
        else:
            assert self._comment_cell is not None
            key, day = self._comment_cell
            label.update(plain_text(f"Comment on {key} {day:%a %d} {PROMPT}"))
            field.placeholder = "what you did"
        field.open(printable(value), completes_keys=kind == "quick")
        self.add_class("-prompting")
        self._leave_lines(LINE_LINES + 1)
        field.focus()
        self._draw_line()

    def _close_prompt(self) -> None:
        self._prompt = None
        self.refresh_bindings()
        self._comment_cell = None
        self.remove_class("-prompting")
        self._leave_lines(LINE_LINES)
        self.grid.focus()
        self._draw_line()

    def _leave_lines(self, count: int) -> None:
        """Keep `count` lines under the grid (the line, and the prompt when open)."""
        if self.grid.reserve != count:
            self.grid.reserve = count
            self.grid.refresh(layout=True)

    def action_close_prompt(self) -> None:
        if self._prompt is not None:
            self._close_prompt()

    @on(Input.Changed, "#timesheet-input")
    def _prompt_changed(self) -> None:
        self._draw_line()

    @on(Input.Submitted, "#timesheet-input")
    def _prompt_submitted(self, event: Input.Submitted) -> None:
        if self._prompt == "comment":
            self._store_comment(event.value)
        elif self._prompt == "quick":
            self._store_quick_entry(event.value)

    def action_quick_entry(self) -> None:
        if self.sheet is None:
            self.app.bell()
            return
        self._open_prompt("quick", "")
        self._list_tasks_once()

    def _quick_preview(self, text: str) -> tuple[str, str]:
        if not text.strip():
            return "A task key, how long, a day if not today, a comment · tab completes the key", ""
        first, space, _ = text.lstrip().partition(" ")
        if not space:
            found = task_candidates(first, self.tasks)
            if found:
                names = " · ".join(f"{task.key} {task.title}" for task in found)
                return f"{names}  (tab completes)", ""
            if self._tasks_loaded:
                return f"No task matches {first!r}.", "warning"
            return "", ""
        try:
            entry = parse_quick_entry(
                text, today=self.today, bare_unit=self.board_app.config.bare_unit
            )
        except Invalid as error:
            return error.message, "error"
        return self._describe_quick(entry)

    def _describe_quick(self, entry: QuickEntry) -> tuple[str, str]:
        title = next((task.title for task in self.tasks if task.key == entry.task), None)
        if title is None and self._tasks_loaded:
            return f"There is no open task {entry.task}.", "error"
        parts = [f"{entry.task} {title or ''}".strip(), f"{entry.day:%a %d %b}"]
        state = self.sheet
        adding = f"+{format_duration(entry.minutes)}"
        if state is not None and entry.day in state.days:
            now = state.minutes(entry.task, entry.day) + entry.minutes
            adding += f" (the cell then holds {format_duration(now)})"
        parts.append(adding)
        if entry.comment:
            parts.append(f"“{entry.comment}”")
        return " · ".join(parts) + "  ·  enter stores it", "ok"

    def _store_quick_entry(self, text: str) -> None:
        try:
            entry = parse_quick_entry(
                text, today=self.today, bare_unit=self.board_app.config.bare_unit
            )
        except Invalid:
            self.app.bell()
            self._draw_line()
            return
        _line, tone = self._describe_quick(entry)
        if tone == "error":
            self.app.bell()
            self._draw_line()
            return
        self._close_prompt()
        state = self.sheet
        cell: Cell = (entry.task, entry.day)
        base, chained = None, False
        if state is not None and entry.day in state.days:
            old = state.comment(*cell)
            comment = "; ".join(c for c in (old, entry.comment) if c)
            title = next((t.title for t in self.tasks if t.key == entry.task), "")
            chained = state.begin(cell, state.minutes(*cell) + entry.minutes, comment, title=title)
            state.place(entry.task, state.days.index(entry.day))
            self._redraw()
        elif state is not None:
            self._focus_after_load = cell
        task, day, minutes, comment = entry.task, entry.day, entry.minutes, entry.comment

        def send(backend: Backend, _version: int | None) -> Outcome:
            stored = backend.add_time(task, day, minutes, comment=comment)
            note = (
                f"Logged {format_duration(minutes)} on {task} for {day:%a %d %b}; the cell "
                f"holds {format_duration(stored.minutes)}."
            )
            return Outcome(cell, stored, note=note)

        what = f"log {format_duration(minutes)} on {task}"
        self.queue_write(Write("add", what, send, cell, base, chained, text))
        if state is not None and entry.day not in state.days:
            self.load_week(IsoWeek.of(entry.day))

    # --- rows --------------------------------------------------------------------------------

    def _list_tasks_once(self, then: str = "") -> None:
        backend = self.board_app.backend
        if backend is None:
            return
        if self._tasks_loaded and not then:
            return
        self._list_tasks(backend, then)

    @work(thread=True, exclusive=True, group="timesheet-tasks")
    def _list_tasks(self, backend: Backend, then: str) -> None:
        try:
            tasks = backend.list_tasks()
            projects = {p.key: p.name for p in backend.list_projects()}
        except Exception as error:
            self.post_message(self.ReadFailed(describe_error(error), "Cannot list the tasks"))
            return
        self.post_message(self.TasksListed(tasks, projects, then))

    @on(TasksListed)
    def _tasks_listed(self, message: TasksListed) -> None:
        me = self.board_app.me
        mine = me.login if me else None
        tasks = sorted(message.tasks, key=lambda t: (t.assignee != mine, t.project, t.number))
        self._task_list = tasks
        self.project_names = message.projects
        self.grid.project_names = message.projects
        self.tasks = [
            TaskChoice(t.key, t.title) for t in sorted(tasks, key=lambda t: (t.project, t.number))
        ]
        self._tasks_loaded = True
        self.query_one(QuickEntryInput).set_tasks(self.tasks)
        if self._prompt == "quick":
            self._draw_line()
        if message.then == "pick":
            self._pick_task()

    @on(ReadFailed)
    def _read_failed(self, message: ReadFailed) -> None:
        self.notify(message.message, title=message.title, severity="error", markup=False)

    def action_add_row(self) -> None:
        if self.sheet is None or self.board_app.backend is None:
            self.app.bell()
            return
        self._list_tasks_once(then="pick")

    def _pick_task(self) -> None:
        state = self.sheet
        if state is None:
            return
        shown = {row.key for row in state.rows}
        me = self.board_app.me
        items = []
        for task in self._task_list:
            if task.key in shown:
                continue
            project = self.project_names.get(task.project, task.project)
            mine = " · mine" if me is not None and task.assignee == me.login else ""
            items.append(
                (f"{task.key} · {cut(task.title, 60)} · {cut(project, 30)}{mine}", task.key)
            )
        if not items:
            self.notify("Every open task is on this week already.", markup=False)
            return
        week = state.week
        picker: PickerScreen[str] = PickerScreen(
            f"Add a task to week {week.week}", items, placeholder="Type a key, a title, a project"
        )

        def picked(key: str | None) -> None:
            if key is None:
                return

            def send(backend: Backend, _version: int | None) -> Outcome:
                ref = backend.add_week_row(week, key)
                return Outcome(rows=(ref,), note=f"Added {key} to week {week.week}.")

            task = next((t for t in self._task_list if t.key == key), None)
            if task is not None and self.sheet is not None and self.sheet.week == week:
                self.sheet.cursor_row = self.sheet.add_row(TaskRef(key, task.title, task.project))
                self._redraw()
            self.queue_write(Write("rows", f"add {key} to the week", send, week=str(week)))

        self.app.push_screen(picker, picked)

    def action_remove_row(self) -> None:
        state = self.sheet
        key = state.focus_key if state is not None else None
        if state is None or key is None:
            self.app.bell()
            return
        if state.has_time(key):
            self.app.bell()
            self.notice(f"{key} has time this week: clear its cells first.", "warning")
            return
        week = state.week
        state.remove_row(key)
        self._redraw()

        def send(backend: Backend, _version: int | None) -> Outcome:
            backend.remove_week_row(week, key)
            return Outcome(removed=key, note=f"Removed {key} from week {week.week}.")

        self.queue_write(Write("rows", f"remove {key} from the week", send, week=str(week)))

    def action_copy_rows(self) -> None:
        state = self.sheet
        if state is None or self.board_app.backend is None:
            self.app.bell()
            return
        week = state.week
        last = week.shift(-1)

        def send(backend: Backend, _version: int | None) -> Outcome:
            refs = backend.copy_week_rows(last, week)
            if not refs:
                note = f"Week {last.week}'s rows are all on week {week.week} already."
            else:
                note = f"Added {len(refs)} row{'s' * (len(refs) != 1)} from week {last.week}."
            return Outcome(rows=tuple(refs), note=note)

        self.queue_write(Write("rows", f"copy week {last.week}'s rows", send, week=str(week)))

    # --- the timer ---------------------------------------------------------------------------

    def action_toggle_timer(self) -> None:
        state = self.sheet
        key = state.focus_key if state is not None else None
        if key is None:
            self.app.bell()
            return

        def send(backend: Backend, _version: int | None) -> Outcome:
            running = backend.timer_status()
            if running is not None and running.task == key:
                entry = backend.timer_stop()
                if entry is None:
                    note = f"Timer stopped on {key}: under a minute, nothing logged."
                    return Outcome(timer_changed=True, note=note)
                note = (
                    f"Timer stopped on {key}: today's cell holds {format_duration(entry.minutes)}."
                )
                return Outcome((entry.task, entry.day), entry, timer_changed=True, note=note)
            timer = backend.timer_start(key)
            note = f"Timer started on {key}."
            if running is not None:
                note += f" (Stopped the one on {running.task}.)"
            return Outcome(timer_changed=True, timer=timer, note=note)

        self.queue_write(Write("timer", f"start or stop the timer on {key}", send))

    # --- submitting --------------------------------------------------------------------------

    def action_submit(self) -> None:
        state = self.sheet
        if state is None or self.board_app.backend is None:
            self.app.bell()
            return
        reason = state.read_only_reason()
        if state.state_name in ("submitted", "approved") or reason is not None:
            self.app.bell()
            self.notice(f"{(reason or 'the week is read-only').capitalize()}.", "warning")
            return
        week = state.week
        total = format_duration(state.week_total())
        short = state.short_days(min(state.days[-1], self.today))
        lines = [
            f"Submit week {week.week} ({state.days[0]:%a %d} {DASH} {state.days[-1]:%a %d %b}) "
            f"with {total} logged (target {format_duration(state.week_target())})?"
        ]
        if short:
            lines.append(f"Under the daily target: {_days(short)}.")
        lines.append("It is read-only until your lead approves it or sends it back.")
        confirm = ConfirmScreen("\n".join(lines), title=f"Submit week {week.week}", yes="Submit",
                                no="Not yet")  # fmt: skip

        def answered(yes: bool | None) -> None:
            if not yes:
                return

            def send(backend: Backend, _version: int | None) -> Outcome:
                done = backend.submit_week(week)
                note = f"Submitted week {week.week} ({format_duration(done.submitted_minutes)})."
                return Outcome(state=done, note=note)

            self.queue_write(Write("submit", f"submit week {week.week}", send, week=str(week)))

        self.app.push_screen(confirm, answered)

    # --- the writer --------------------------------------------------------------------------

    def queue_write(self, write: Write) -> None:
        """Store a write after the ones already asked for (in the writer thread)."""
        backend = self.board_app.backend
        if backend is None:
            self.notify("Not connected: nothing was stored.", severity="error")
            return
        self._pending += 1
        self._writes_asked += 1
        with self._write_lock:
            self._writes.append(write)
            start = not self._writing
            self._writing = True
        if start:
            # A thread of its own, started here and now, not a Textual worker: a worker
            # begins on a later turn of the event loop, and one cancelled by a quit in
            # between would never store what the user already saw stored. Python waits
            # for this thread before the process ends.
            writer = threading.Thread(target=self._run_writes, args=(backend,), name="writer")
            writer.start()

    def _answer(self, message: Message) -> None:
        """Hand a writer's answer to the screen (nobody listens once the app has quit)."""
        with contextlib.suppress(RuntimeError):  # the event loop is closed
            self.post_message(message)

    def _run_writes(self, backend: Backend) -> None:
        """The writer thread: the queued writes, one after another, until none is left."""
        sent: dict[Cell, int] = {}
        refused: set[Cell] = set()
        while True:
            with self._write_lock:
                if not self._writes:
                    self._writing = False
                    return
                write = self._writes.popleft()
            cell = write.cell
            if cell is not None and write.chained and cell in refused:
                self._answer(self.WriteFailed(write, "", "skipped"))
                continue
            version = write.base
            if cell is not None and write.chained and version is not None and cell in sent:
                version = sent[cell]
            try:
                outcome = write.send(backend, version)
            except Conflict as error:
                current = error.current if isinstance(error.current, TimeEntry) else None
                known = current is not None or error.current is None
                self._refuse(refused, write, error.message, "conflict", current, known)
            except Locked as error:
                self._refuse(refused, write, error.message, "locked")
            except Invalid as error:
                self._refuse(refused, write, error.message, "invalid")
            except Exception as error:
                self._refuse(refused, write, describe_error(error), "error")
            else:
                if cell is not None:
                    refused.discard(cell)
                    sent[cell] = outcome.entry.version if outcome.entry is not None else 0
                elif outcome.cell is not None:
                    sent[outcome.cell] = outcome.entry.version if outcome.entry is not None else 0
                self._answer(self.Written(write, outcome))

    def _refuse(
        self,
        refused: set[Cell],
        write: Write,
        message: str,
        kind: FailureKind,
        current: TimeEntry | None = None,
        known: bool = False,
    ) -> None:
        if write.cell is not None:
            refused.add(write.cell)
        self._answer(self.WriteFailed(write, message, kind, current, known))

    @on(Written)
    def _written(self, message: Written) -> None:
        self._pending -= 1
        write, outcome = message.write, message.outcome
        state = self.sheet
        if outcome.timer_changed:
            self.board_app.timer = outcome.timer
        note = outcome.note if write.kind != "cell" else ""
        if state is not None:
            entry = outcome.entry
            if entry is not None and entry.id == 0 and write.cell is not None:
                # A team server out of reach: the write waits on disk, and the entry is
                # a guess; for added time, the cell's total is the better one.
                if write.kind == "add":
                    entry = replace(entry, minutes=state.minutes(*write.cell))
                note = "The server cannot be reached: kept on disk, sent when it is back."
            if write.cell is not None:
                state.stored(write.cell, entry)
            elif outcome.cell is not None:
                state.put(outcome.cell, outcome.entry)
            if write.week == str(state.week):
                for ref in outcome.rows:
                    state.add_row(ref)
            if outcome.state is not None and outcome.state.week == str(state.week):
                self._reload_after_writes = True
            self._redraw()
        if note:
            self.notice(note, "ok")
        self._after_writes()

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        self._pending -= 1
        write, state = message.write, self.sheet
        if state is not None and write.cell is not None:
            state.refused(write.cell, message.current, known=message.known)
            self._redraw()
        if message.kind == "skipped":
            self._after_writes()
            return
        if write.kind == "timer":
            self.board_app.refresh_timer()  # a timer that could not log is stopped anyway
        if message.kind == "conflict":
            self._conflict(message)
        else:
            self.notify(
                message.message, title=f"Could not {write.what}", severity="error", markup=False
            )
            self.notice(f"Not stored: {message.message}", "error")
            if message.kind == "invalid" and write.kind == "cell" and write.cell is not None:
                self._offer_again(write.cell, write.text, error=message.message)
        if message.kind in ("locked", "conflict") or write.cell is None:
            self._reload_after_writes = True
        self._after_writes()

    def _conflict(self, message: WriteFailed) -> None:
        """The cell changed elsewhere: show it as stored, and keep what the user typed."""
        write = message.write
        assert write.cell is not None
        key, day = write.cell
        now = message.current
        stored = (
            f"it holds {format_duration(now.minutes)} now" if now is not None and now.minutes
            else "it is empty now"
        )  # fmt: skip
        where = f"{key} on {day:%a %d %b}"
        if write.kind == "clear":
            text = f"{where} was changed elsewhere meanwhile; {stored}. Nothing was cleared."
        elif write.kind == "comment":
            text = f"{where} was changed elsewhere meanwhile; {stored}. Your comment is kept below."
        elif self._offer_again(write.cell, write.text):
            text = (
                f"{where} was changed elsewhere meanwhile; {stored}. Your {write.text!r} was "
                "not stored: it is back in the cell, enter stores it, esc keeps what is there."
            )
        else:
            text = (
                f"{where} was changed elsewhere meanwhile; {stored}. Your {write.text!r} was "
                "not stored."
            )
        self.notify(text, title="Changed elsewhere", severity="warning", timeout=12, markup=False)
        if write.kind == "comment":
            if self._prompt is None and self.sheet is not None and day in self.sheet.days:
                self.sheet.place(key, self.sheet.days.index(day))
                self._redraw()
                self._comment_cell = write.cell
                self._open_prompt("comment", write.text)
            return
        self.notice(text, "warning")

    def _offer_again(self, cell: Cell, text: str, *, error: str = "") -> bool:
        """Put the cursor back on a refused cell with the user's input in it, unless the
        user is typing something else already; True when it did."""
        state, grid = self.sheet, self.grid
        if state is None or cell[1] not in state.days or not text:
            return False
        if grid.editing or self._prompt is not None:
            return False
        state.place(cell[0], state.days.index(cell[1]))
        started = grid.start_edit(text, error=error)
        self._draw_week()
        return started

    def _after_writes(self) -> None:
        if self._pending:
            return
        if self._reload_after_writes:
            self._reload_after_writes = False
            self.load_week()
