"""What a timesheet write is and what it did (shared by the screen's parts)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tui_board.core.models import TaskRef, TimeEntry, Timer, WeekState
from tui_board.ui.state.timesheet import Cell
from tui_board.ui.writer import Write

if TYPE_CHECKING:
    from tui_board.backend.undo import Undoable

WriteKind = Literal["cell", "clear", "comment", "add", "timer", "rows", "submit"]


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
    #: The change it made, for `u` to undo.
    undo: Undoable | None = None

    def stored_version(self) -> tuple[Hashable, int] | None:
        if self.cell is None:
            return None
        return self.cell, self.entry.version if self.entry is not None else 0


@dataclass(frozen=True, eq=False)
class SheetWrite(Write[Outcome]):
    """A timesheet write: its subject is the cell it stores (None for rows, the timer,
    submitting), its version the cell's as the user saw it."""

    kind: WriteKind = "cell"
    #: What the user typed, offered again when the store refuses it.
    text: str = ""
    #: The week it adds rows to or submits.
    week: str = ""

    @property
    def cell(self) -> Cell | None:
        return self.subject if isinstance(self.subject, tuple) else None
