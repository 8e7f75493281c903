"""What the store answers to the timesheet's writes.

A stored write shows the cell (or rows, or the week's state) as the store has it. A
refused one never overwrites anything: the grid shows what is stored and what the user
typed is offered again (back in the cell, or in the comment line), and the week is read
again once the writes are answered.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tui_board.backend.undo import CellChange, TimerChange, Undoable
from tui_board.core.durations import format_duration
from tui_board.core.models import TimeEntry
from tui_board.ui.screens.timesheet.view import TimesheetView
from tui_board.ui.screens.timesheet.writes import Outcome, SheetWrite
from tui_board.ui.state.timesheet import Cell
from tui_board.ui.writer import Refusal, Write


class TimesheetAnswers(TimesheetView):
    """The timesheet, showing what the store made of my writes."""

    def show_undone(self, change: Undoable | None) -> None:
        """Read the week again, the cursor on the cell an undo changed; the line under
        the grid says what the undo did (not what the change undone said: "u undoes
        it"), or nothing when it was refused (the notification says why)."""
        cell = change.cell if isinstance(change, TimerChange) else change
        if isinstance(cell, CellChange):
            self._focus_after_load = (cell.task, cell.day)
        self._notice = None
        history = self.board_app.history
        if change is not None and change is history.next_redo():  # an undo
            redo = (self.keys_for("redo") or "U").split(" / ")[0]
            self._notice = (f"Undone: {change.what}; {redo} redoes it.", "ok")
        elif change is not None and change is history.next_undo():  # a redo
            undo = (self.keys_for("undo") or "u").split(" / ")[0]
            self._notice = (f"Redone: {change.what}; {undo} undoes it again.", "ok")
        self._draw_line()
        super().show_undone(change)

    def write_stored(self, write: Write[Any], result: Any) -> None:
        assert isinstance(write, SheetWrite) and isinstance(result, Outcome)
        outcome, state = result, self.sheet
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

    def write_refused(self, write: Write[Any], refusal: Refusal) -> None:
        assert isinstance(write, SheetWrite)
        state = self.sheet
        current = refusal.current if isinstance(refusal.current, TimeEntry) else None
        if state is not None and write.cell is not None:
            # After a conflict the store said what the cell holds now (None: nothing).
            known = refusal.kind == "conflict" and (current is not None or refusal.current is None)
            state.refused(write.cell, current, known=known)
            self._redraw()
        if refusal.kind == "skipped":
            return
        if write.kind == "timer":
            self.board_app.refresh_timer()  # a timer that could not log is stopped anyway
        if refusal.kind == "conflict" and write.cell is not None:
            self._conflict(write, current)
        else:  # (a week's submit meets a conflict too: a timer running in it)
            self.notify(
                refusal.message, title=f"Could not {write.what}", severity="error", markup=False
            )
            self.notice(f"Not stored: {refusal.message}", "error")
            if refusal.kind in ("invalid", "error") and write.kind == "cell" and write.cell:
                self._offer_again(write.cell, write.text, error=refusal.message)
        if refusal.kind in ("locked", "conflict") or write.cell is None:
            self._reload_after_writes = True

    def _conflict(self, write: SheetWrite, now: TimeEntry | None) -> None:
        """The cell changed elsewhere: show it as stored, and keep what the user typed."""
        assert write.cell is not None
        key, day = write.cell
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
