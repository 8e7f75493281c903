"""The timesheet: my week as a grid of tasks by day, to log time in a few keystrokes and
submit the week.

Every change is stored at once by the app's writer (`tui_board/ui/writer.py`), one
write after another, each cell write carrying the cell's version as the user saw it:
when the cell was changed elsewhere meanwhile the store refuses it, the grid shows the
stored value and what the user typed is offered again (`answers.py`: nothing typed is
lost, nothing stored is overwritten unseen). The week and the grid: `view.py`; the
prompt line (quick entry, comments): `entry.py`; the keys and what they do: here.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from textual.binding import BindingType

from tui_board.backend.undo import RowsChange, toggle_timer
from tui_board.core.durations import format_duration
from tui_board.core.weeks import IsoWeek
from tui_board.ui.dialogs import ConfirmScreen
from tui_board.ui.screens.help import HelpScreen, KeyRow, MarksHelp
from tui_board.ui.screens.mode import bind, moving_keys
from tui_board.ui.screens.timesheet.entry import TimesheetEntry
from tui_board.ui.screens.timesheet.view import DASH
from tui_board.ui.screens.timesheet.writes import Outcome, SheetWrite
from tui_board.ui.state.timesheet import Cell
from tui_board.ui.widgets.week_grid import (
    COMMENT_MARK,
    STATUS_MARKS,
    TIMER_GLYPH,
    CellValue,
    Move,
)

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend


def _days(days: list[date]) -> str:
    return ", ".join(f"{day:%a} {day.day}" for day in days)


class TimesheetScreen(TimesheetEntry):
    TITLE = "Timesheet"
    BINDING_GROUP_TITLE = "Timesheet"
    PURPOSE = "Your week: tasks by day, to log time and submit the week."

    BINDINGS: ClassVar[list[BindingType]] = [
        # Moving: in help and the palette, not in the footer.
        bind("enter", "edit", "Edit", "Edit the cell (or just type a duration: 1h30, 1:30, "
             "90m, 1.5)", "timesheet-edit"),
        *moving_keys("timesheet", "task", (
            ("move('left')", "The day before"), ("move('right')", "The day after"),
            ("move('up')", "The task above"), ("move('down')", "The task below"),
            ("move('page_up')", "A page of tasks up"),
            ("move('page_down')", "A page of tasks down"),
            ("move('first')", "The week's first task"), ("move('last')", "The week's last task"),
        )),
        bind("tab", "move('next')", "Next cell", "The next day (then the next task)",
             "timesheet-next"),
        bind("shift+tab", "move('previous')", "Previous cell", "The day before (then the task "
             "above)", "timesheet-previous"),
        # Acting on the cell, the row, the week (the footer shows them in this order).
        bind("i", "quick_entry", "Quick", "Log time in one line: WEB-12 1h30 fixed the login",
             "timesheet-quick", show=True),
        bind("c", "comment", "Comment", "Write the cell's comment", "timesheet-comment",
             show=True),
        bind("a", "add_row", "Add row", "Add a task to the week (a task picker)",
             "timesheet-add-row", show=True),
        bind("left_square_bracket", "week(-1)", "Prev week", "The week before",
             "timesheet-previous-week", show=True),
        bind("right_square_bracket", "week(1)", "Next week", "The week after",
             "timesheet-next-week", show=True),
        bind("s", "submit", "Submit", "Submit the week for approval (asks first)",
             "timesheet-submit", show=True),
        bind("space", "toggle_timer", "Timer", "Start or stop my timer on the row's task",
             "timesheet-timer", show=True),
        bind("full_stop", "this_week", "This week", "Back to this week", "timesheet-this-week",
             show=True),
        bind("y", "copy_rows", "Copy rows", "Add last week's rows (the tasks, not their time)",
             "timesheet-copy-rows", show=True),
        bind("delete,backspace", "clear", "Clear", "Clear the cell (its entry is deleted)",
             "timesheet-clear", show=True),
        bind("x", "remove_row", "Remove row", "Remove a row without time from the week",
             "timesheet-remove-row"),
        # Digits type durations here: these reach the other screens.
        bind("b", "app.switch_mode('board')", "Board", "The kanban board (1 elsewhere)",
             "timesheet-board", show=True),
        bind("w", "app.switch_mode('workload')", "Workload", "Who has how much work (3 "
             "elsewhere)", "timesheet-workload", show=True),
        bind("escape", "close_prompt", "Close", "Close the line below the grid",
             "timesheet-close-prompt", show=True),
        bind("r", "reload", "Reload", "Read the week again (or retry opening the board)",
             "reload"),
        # While a cell is being typed into (the digits and letters go into the cell).
        bind("enter", "store('down')", "Store", "Store the cell, then the next task",
             "timesheet-store", show=True),
        bind("tab", "store('next')", "Store, next day", "Store the cell, then the next day",
             "timesheet-store-next", show=True),
        bind("shift+tab", "store('previous')", "Store, day before", "Store the cell, then "
             "the day before", "timesheet-store-previous"),
        *(
            bind(arrow, f"store({arrow!r})", f"Store, {arrow}", f"Store the cell, then {then}",
                 f"timesheet-store-{arrow}")
            for arrow, then in (("up", "the task above"), ("down", "the task below"),
                                ("left", "the day before"), ("right", "the day after"))
        ),
        bind("escape", "cancel_edit", "Cancel", "Leave the cell as it was",
             "timesheet-cancel-edit", show=True),
        bind("backspace,delete", "erase", "Erase", "Erase the last character",
             "timesheet-erase"),
        bind("ctrl+u", "clear_input", "Erase all", "Erase what was typed",
             "timesheet-erase-all"),
    ]  # fmt: skip

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

    # --- the cell ----------------------------------------------------------------------------

    def make_help(self, rows: list[KeyRow]) -> HelpScreen:
        """`?` here: what the grid's marks mean, then the keys."""
        return TimesheetHelp(rows, title=self.title or "")

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
        key, day, minutes = value.key, value.day, value.minutes

        def send(backend: Backend, version: int | None) -> Outcome:
            entry = backend.set_entry(key, day, minutes, version=version)
            return Outcome(cell, entry)

        what = f"store {format_duration(minutes)} on {key} for {day:%a %d %b}"
        self.store_in_cell("cell", cell, minutes, comment, what, send, value.text)

    def action_comment(self) -> None:
        cell = self._editable_cell()
        if cell is None or self.sheet is None:
            return
        self._comment_cell = cell
        self._open_prompt("comment", self.sheet.comment(*cell))

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
        key, day = cell

        def send(backend: Backend, version: int | None) -> Outcome:
            backend.clear_entry(key, day, version=version)
            note = f"Cleared {key} on {day:%a %d %b} (was {before}); u undoes it."
            return Outcome(cell, None, note=note)

        self.store_in_cell("clear", cell, 0, "", f"clear {key} on {day:%a %d %b}", send)

    def action_remove_row(self) -> None:
        state = self.sheet
        key = state.focus_key if state is not None else None
        if state is None or key is None:
            self.app.bell()
            return
        if self.refuse_read_only():
            return
        if state.has_time(key):
            self.app.bell()
            self.notice(f"{key} has time this week: clear its cells first.", "warning")
            return
        week = state.week
        question = f"Remove {key} from week {week.week}? It has no time on it; a shows it again."

        def answered(yes: bool | None) -> None:
            current = self.sheet
            if not yes or current is None or current.week != week:
                return
            if not current.remove_row(key):  # time was logged on it meanwhile
                self.notice(f"{key} has time this week: clear its cells first.", "warning")
                return
            self._redraw()

            what = f"remove {key} from week {week.week}"

            def send(backend: Backend, _version: int | None) -> Outcome:
                backend.remove_week_row(week, key)
                note = f"Removed {key} from week {week.week}; u undoes it."
                undo = RowsChange(what, str(week), removed=(key,))
                return Outcome(removed=key, note=note, undo=undo)

            self.send_write(SheetWrite(what, send, kind="rows", week=str(week)))

        self.app.push_screen(
            ConfirmScreen(question, title="Remove row", yes="Remove", no="Keep it"), answered
        )

    def action_copy_rows(self) -> None:
        state = self.sheet
        if state is None or self.board_app.backend is None:
            self.app.bell()
            return
        if self.refuse_read_only():
            return
        week = state.week
        last = week.shift(-1)
        first_day = state.days[0].weekday()  # the weeks as shown

        def copy() -> None:
            what = f"copy week {last.week}'s rows"

            def send(backend: Backend, _version: int | None) -> Outcome:
                # Only the rows the week did not show: the count and `u` are right.
                refs = backend.copy_week_rows(last, week, first_day=first_day)
                if not refs:
                    note = f"Week {last.week}'s rows are all on week {week.week} already."
                    return Outcome(note=note)
                added = f"{len(refs)} row{'s' * (len(refs) != 1)}"
                note = f"Added {added} from week {last.week}; u undoes it."
                undo = RowsChange(what, str(week), added=tuple(ref.key for ref in refs))
                return Outcome(rows=tuple(refs), note=note, undo=undo)

            self.send_write(SheetWrite(what, send, kind="rows", week=str(week)))

        if not state.rows:
            copy()  # an empty week: nothing there to mix them with
            return
        rows = len(state.rows)
        question = (
            f"Add week {last.week}'s rows (the tasks, not their time) to week {week.week}, "
            f"beside its {rows} row{'s' * (rows != 1)}?"
        )
        self.app.push_screen(
            ConfirmScreen(question, title="Copy last week's rows", yes="Copy", no="Not now"),
            lambda yes: copy() if yes else None,
        )

    # --- the timer ---------------------------------------------------------------------------

    def action_toggle_timer(self) -> None:
        state = self.sheet
        key = state.focus_key if state is not None else None
        if key is None:
            self.app.bell()
            return

        me, today = self.board_app.me, self.today
        login = me.login if me is not None else ""

        def send(backend: Backend, _version: int | None) -> Outcome:
            done = toggle_timer(backend, login, key, today)
            entry, stopped = done.entry, done.stopped
            cell = (stopped.task, today) if stopped is not None else None
            return Outcome(
                cell,
                entry,
                timer_changed=True,
                timer=done.running,
                note=done.note(),
                undo=done.undo,
            )

        self.send_write(SheetWrite(f"start or stop the timer on {key}", send, kind="timer"))

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
        first_day = state.days[0].weekday()  # the week is submitted as it is shown
        total = format_duration(state.week_total())
        short = state.short_days(min(state.days[-1], self.today))
        # the days submitted: a short week leaves out those another week closed first
        own = state.counted_days
        first = f"{own[0]:%a} {own[0].day}" + (
            f" {own[0]:%b}" if own[0].month != own[-1].month else ""
        )
        span = f"{first} {DASH} {own[-1]:%a} {own[-1].day} {own[-1]:%b}"
        taken = [(d, w) for d in state.days if (w := state.elsewhere(d))]
        if taken:
            span += ": " + ", ".join(
                f"{d:%a} {d.day} is in week {IsoWeek.parse(w).week}" for d, w in taken
            )
        lines = [
            f"Submit week {week.week} ({span}) "
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
                done = backend.submit_week(week, first_day=first_day)
                note = f"Submitted week {week.week} ({format_duration(done.submitted_minutes)})."
                return Outcome(state=done, note=note)

            what = f"submit week {week.week}"
            self.send_write(SheetWrite(what, send, kind="submit", week=str(week)))

        self.app.push_screen(confirm, answered)


class TimesheetHelp(MarksHelp):
    """The timesheet's help: its marks, then its keys."""

    def marks(self) -> list[str]:
        under, met, over = (STATUS_MARKS[k] for k in ("under", "met", "over"))
        return [
            f"1:30{COMMENT_MARK}  the cell has a comment (c reads and writes it)",
            f"{TIMER_GLYPH}     your timer runs on the row's task",
            f"6:00{under}  a day (or the week) under its target, 8:00{met} met, 9:30{over} over",
            "dim     a day that is not a working day, or one that cannot be changed",
        ]
