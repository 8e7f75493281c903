"""The timesheet's view: the week read from the store, the grid, the lines around it,
and moving the cursor and the week.

Weeks are read in a worker; the cursor stays on its task and day. A read that may miss
one of my writes is made again once they are answered (`ModeScreen.read_is_current`).

The week follows the change feed while it is shown (`FollowsFeed`): time logged from the
shell or another terminal, rows, the week's state, time off, a lock, a task renamed on
it; the week is read again, the cursor where it was. Not while a cell is being typed
into, the prompt line is open or a dialog is over the screen: then once they close.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, Static
from textual.worker import get_current_worker

from tui_board.backend.undo import cell_change
from tui_board.core.durations import format_duration
from tui_board.core.models import Change, Timer, WeekSheet
from tui_board.core.text import printable
from tui_board.core.weeks import IsoWeek
from tui_board.ui.feed import FollowsFeed
from tui_board.ui.plain_text import PASSAGE, cut, plain_text
from tui_board.ui.screens.mode import ModeScreen, ReadMark
from tui_board.ui.screens.timesheet.writes import Outcome, SheetWrite, WriteKind
from tui_board.ui.session import describe_error
from tui_board.ui.state.timesheet import Cell, WeekGridState
from tui_board.ui.widgets.key_footer import KeyFooter
from tui_board.ui.widgets.timesheet_entry import QuickEntryInput, TaskChoice
from tui_board.ui.widgets.top_bar import TopBar
from tui_board.ui.widgets.week_grid import Move, WeekGrid

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.core.models import Task

#: The most lines the line under the grid takes (a long error wraps).
LINE_LINES = 3
DASH = "\u2013"
PROMPT = "\u203a"


class TimesheetView(FollowsFeed, ModeScreen):
    """My week as a grid, read from the store."""

    DATA = "the week"

    #: The actions of a cell being typed into; the others wait until it is stored.
    EDIT_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {"store", "cancel_edit", "erase", "clear_input"}
    )
    #: The keys that change the week as a whole: dimmed while it is read-only
    #: (submitted, approved, locked, a read-only board).
    WRITES_TO_THE_WEEK: ClassVar[frozenset[str]] = frozenset(
        {"submit", "clear", "add_row", "remove_row", "copy_rows", "comment"}
    )
    #: Whether the week shown is read-only (its keys above are dimmed).
    _read_only = False

    @dataclass
    class WeekLoaded(Message):
        sheet: WeekSheet
        week: IsoWeek
        #: Where my writes stood when the read began.
        mark: ReadMark
        #: Project names by key, when they were read too (the first time).
        projects: dict[str, str] | None = None
        #: The change feed's position before the read, when it was asked (the first
        #: time: the feed is followed from there on).
        seq: int | None = None

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
        #: The line under the grid: a note about the last thing that happened.
        self._notice: tuple[str, str] | None = None
        #: What the prompt line is for: quick entry, or a cell's comment.
        self._prompt: Literal["quick", "comment"] | None = None
        self._comment_cell: Cell | None = None
        #: The screen left its mode (not just a dialog over it): read the week on return.
        self._away = False
        #: The change feed showed a change of the week while it could not be read again
        #: (a cell being typed into, the prompt line or a dialog open).
        self._feed_stale = False
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
        yield KeyFooter()

    @property
    def grid(self) -> WeekGrid:
        return self._grid

    def on_mount(self) -> None:
        # (ModeScreen's on_mount runs too: Textual calls it for each class.)
        self.grid.bare_unit = self.board_app.config.bare_unit
        self.grid.reserve = LINE_LINES
        self.watch(self.app, "timer", self._timer_changed)

    def on_screen_suspend(self) -> None:
        self._away = self not in self.app.screen_stack

    def on_screen_resume(self) -> None:
        # Time may have been logged elsewhere (the board's `t`, a timer) meanwhile.
        if self._away and self.sheet is not None:
            self.load()
        self._away = False
        if self._prompt is None:
            self.grid.focus()
        self._catch_up()

    # --- loading -----------------------------------------------------------------------------

    def load_week(self, week: IsoWeek | None = None) -> None:
        """Read a week (None: the one shown, at first this one)."""
        if week is not None:
            self.week = week
        self.load()

    def read(self, backend: Backend, mark: ReadMark) -> None:
        if self.week is None:
            self.week = IsoWeek.holding(self.today, self.board_app.config.first_day)
        first_day = self.board_app.config.first_day
        with_seq = not self.feed_followed
        self._read_week(backend, self.week, first_day, mark, not self.project_names, with_seq)

    @work(thread=True, exclusive=True, group="timesheet-week")
    def _read_week(
        self,
        backend: Backend,
        week: IsoWeek,
        first_day: int,
        mark: ReadMark,
        with_projects: bool,
        with_seq: bool = False,
    ) -> None:
        worker = get_current_worker()
        try:
            # Before the reads: a change after it is seen again (once, at first: then
            # the feed's own reads keep its place, and a week switch costs no request).
            seq = backend.last_change() if with_seq else None
            sheet = backend.week(week, first_day=first_day)
            projects = None
            if with_projects:
                projects = {p.key: p.name for p in backend.list_projects(include_archived=True)}
        except Exception as error:
            if not worker.is_cancelled:
                self.post_message(self.LoadFailed(describe_error(error)))
            return
        if not worker.is_cancelled:
            self.post_message(self.WeekLoaded(sheet, week, mark, projects, seq))

    @on(WeekLoaded)
    def _week_loaded(self, message: WeekLoaded) -> None:
        if message.week != self.week:
            return  # the user moved on to another week meanwhile
        if not self.read_is_current(message.mark):
            return  # read again once the writes are answered
        me = self.board_app.me
        if me is None:
            return
        if message.seq is not None:
            self.follow_feed(message.seq)
        if message.projects:
            self.project_names = message.projects
            self.grid.project_names = message.projects
        config = self.board_app.config
        target = config.daily_target_minutes or me.daily_capacity
        state = WeekGridState(
            message.sheet,
            today=self.today,
            work_days=me.work_days,
            daily_target=target,
            fixed_target=bool(config.daily_target_minutes),
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
        self.show_loaded()
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

    # --- other people's (and other processes') changes ----------------------------------------

    @property
    def feed_followed(self) -> bool:
        return self._feed_seq is not None

    def feed_paused(self) -> bool:
        return bool(self.writes_pending)  # their answers read the week again if need be

    def feed_changed(self, changes: list[Change], complete: bool) -> None:
        """Read the week again when a change touches it (every change, after a gap)."""
        me = self.board_app.me
        if me is not None and any(c.entity == "timer" and c.entity_id == me.login for c in changes):
            self.board_app.refresh_timer()  # started or stopped from the shell, say
        if self.sheet is None:
            return
        if complete and not any(self.touches_week(change) for change in changes):
            return
        self._feed_stale = True
        self._catch_up()

    def touches_week(self, change: Change) -> bool:
        """Whether a change is of what the week shown holds, and not shown yet: my time
        on its days, its rows, its state, my time off, a lock, a task on it, my own
        settings."""
        state, me = self.sheet, self.board_app.me
        if state is None or me is None:
            return False
        login, week, data = me.login, str(state.week), change.data
        match change.entity:
            case "entry":
                if data.get("user") != login or not _day_in(data.get("day"), state.days):
                    return False
                # My own writes' changes: the sheet holds the entry as they left it.
                held = state.entry(change.entity_id, date.fromisoformat(data["day"]))
                if change.action == "delete":
                    return held is not None
                return held is None or held.version != data.get("version")
            case "week_row":
                if data.get("user") != login or data.get("week") != week:
                    return False
                shown = any(row.key == change.entity_id for row in state.rows)
                return shown != (change.action == "create")
            case "week":
                return change.entity_id == f"{login}/{week}"
            case "time_off" | "user":
                return change.entity_id == login
            case "lock":
                return True
            case "task":  # renamed or archived (time others logged on it is not mine)
                return change.action != "logged" and any(
                    row.key == change.entity_id for row in state.rows
                )
        return False

    def _catch_up(self) -> None:
        """Read the week again if the feed changed it, unless the user is typing in a
        cell or the prompt line, or a dialog is open (then when they close)."""
        if not self._feed_stale or self.sheet is None:
            return
        if self.grid.editing or self._prompt is not None or self.app.screen is not self:
            return
        self._feed_stale = False
        if self.writes_pending:
            self.reload_after_writes()
        else:
            self.load()

    # --- drawing -----------------------------------------------------------------------------

    def _draw_week(self) -> None:
        """The title line (week, dates, logged against the target) and the week's state."""
        if (state := self.sheet) is None:
            return
        days = state.days
        first, last = (
            f"{days[0]:%a} {days[0].day}",
            f"{days[-1]:%a} {days[-1].day} {days[-1]:%b %Y}",
        )
        if days[0].month != days[-1].month:
            first += f" {days[0]:%b}"
        span = f"{first} {DASH} {last}"
        this_week = IsoWeek.holding(self.today, self.board_app.config.first_day)
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
        read_only = state.read_only_reason() is not None
        if read_only != self._read_only:
            self._read_only = read_only
            self.refresh_bindings()
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
        elif taken := [(d, w) for d in state.days if (w := state.elsewhere(d))]:
            own = state.counted_days
            text = (
                ", ".join(f"{d:%a} {d.day} is in week {IsoWeek.parse(w).week}" for d, w in taken)
                + f", which closed it first: this week is {own[0]:%a} {own[0].day} {DASH} "
                f"{own[-1]:%a} {own[-1].day} {own[-1]:%b}."
            )
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
        prompting = self.prompt_text()
        if prompting is not None:
            return prompting
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

    def prompt_text(self) -> tuple[str, str] | None:
        """What the line says while the prompt line is open (None: it is closed)."""
        return None

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
        self._catch_up()  # a cell stored or left: a change seen meanwhile is shown now

    @on(WeekGrid.Refused)
    def _grid_refused(self, message: WeekGrid.Refused) -> None:
        self.app.bell()
        self.notice(f"{message.reason[:1].upper()}{message.reason[1:]}.", "warning")

    @on(WeekGrid.NeedsRow)
    def _grid_needs_row(self) -> None:
        self.app.bell()
        add, quick = self.keys_for("add_row") or "a", self.keys_for("quick_entry") or "i"
        self.notice(f"Add a row first: {add} (or {quick} for quick entry).", "warning")

    @on(WeekGrid.Hint)
    def _grid_hint(self, message: WeekGrid.Hint) -> None:
        self.notice(f"{message.text[:1].upper()}{message.text[1:]}.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a cell is being typed into, its keys store or drop it. The footer is not
        # rebuilt for it (that costs more than a key's whole budget, at every cell): the
        # line under the grid says what enter and esc do.
        if action == "close_prompt":
            return self._prompt is not None
        return (action in self.EDIT_ACTIONS) == self._grid.editing

    def dimmed_actions(self) -> frozenset[str]:
        """The keys the footer shows dimmed: those that change the week, while it is
        read-only (pressed, each still says why)."""
        return self.WRITES_TO_THE_WEEK if self._read_only else frozenset()

    def _timer_key(self) -> str | None:
        timer = self.board_app.timer
        return timer.task if timer is not None else None

    def _timer_changed(self, timer: Timer | None) -> None:
        grid = self.grid
        key = timer.task if timer is not None else None
        if grid.timer_key != key:
            grid.timer_key = key
            grid.refresh()

    # --- the prompt line ----------------------------------------------------------------------

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
        self._catch_up()

    def _leave_lines(self, count: int) -> None:
        """Keep `count` lines under the grid (the line, and the prompt when open)."""
        if self.grid.reserve != count:
            self.grid.reserve = count
            self.grid.refresh(layout=True)

    def action_close_prompt(self) -> None:
        if self._prompt is not None:
            self._close_prompt()

    # --- the cell ------------------------------------------------------------------------------

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

    def refuse_read_only(self) -> bool:
        """True (with a bell and the reason on the line) when the week shown cannot be
        changed: submitted, approved, or locked."""
        state = self.sheet
        reason = state.read_only_reason() if state is not None else None
        if reason is None:
            return False
        self.app.bell()
        self.notice(f"{reason[:1].upper()}{reason[1:]}.", "warning")
        return True

    def store_in_cell(
        self,
        kind: WriteKind,
        cell: Cell,
        minutes: int,
        comment: str,
        what: str,
        send: Callable[[Backend, int | None], Outcome],
        text: str = "",
    ) -> None:
        """Show a cell's new value at once and have the writer store it, checking the
        cell's version as shown."""
        state = self.sheet
        assert state is not None
        was = (state.minutes(*cell), state.comment(*cell))
        key, day = cell

        def send_to_undo(backend: Backend, version: int | None) -> Outcome:
            outcome = send(backend, version)
            return replace(outcome, undo=cell_change(what, key, day, was, outcome.entry))

        write = SheetWrite(what, send_to_undo, cell, state.version(*cell), kind=kind, text=text)
        state.begin(cell, minutes, comment)
        self._redraw()
        self.send_write(write)

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
            self.load_week(IsoWeek.holding(self.today, self.board_app.config.first_day))


def _day_in(day: object, days: Sequence[date]) -> bool:
    """Whether a change's day (`2026-11-25`) is one of `days`."""
    try:
        return isinstance(day, str) and date.fromisoformat(day) in days
    except ValueError:
        return False
