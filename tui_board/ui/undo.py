"""The session's undo and redo (`u` / `ctrl+z`, `U` / `ctrl+y`, on every screen).

Each write a screen stores may come back with the change it made
(`tui_board.backend.undo.Undoable`, as its result's `undo`); the app keeps them here,
newest last. Undoing sends that change's reverse through the app's writer like any other
write, from the screen in front, so it is versioned, checked and recorded by the store:
when someone changed the thing since, the store refuses it, the user is told why, and
that change leaves the history (it cannot be undone any more; the ones before it still
can). A change undone can be redone until a new change is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui_board.backend.undo import Undoable, Undone, follow
from tui_board.ui.writer import Write

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend

#: Changes kept per session.
LIMIT = 100


class History:
    """The changes this session made, to undo (newest last) and to redo."""

    def __init__(self) -> None:
        self._undo: list[Undoable] = []
        self._redo: list[Undoable] = []

    def made(self, change: Undoable) -> None:
        """A new change was stored: it can be undone, and nothing can be redone."""
        self._undo.append(change)
        del self._undo[:-LIMIT]
        self._redo.clear()

    def next_undo(self) -> Undoable | None:
        return self._undo[-1] if self._undo else None

    def next_redo(self) -> Undoable | None:
        return self._redo[-1] if self._redo else None

    def take(self, redo: bool) -> Undoable | None:
        """The change to undo (or redo) now, taken off its list while it is on its way."""
        stack = self._redo if redo else self._undo
        return stack.pop() if stack else None

    def put_back(self, change: Undoable, *, redo: bool) -> None:
        """An undo (or redo) that could not be sent, or that failed for a reason that
        may pass (the server away), goes back where it was, to try again."""
        (self._redo if redo else self._undo).append(change)

    def settled(self, write: UndoWrite, undone: Undone | None) -> None:
        """An undo (or redo) was answered: what it stored can be reversed in turn;
        a refused one is gone."""
        if undone is None:
            return
        (self._undo if write.redo else self._redo).append(undone.redo)
        del self._undo[:-LIMIT]
        # The next change of the same thing to undo (or redo) expects it as it is now.
        follow(self._redo if write.redo else self._undo, undone.redo)


@dataclass(frozen=True, eq=False)
class UndoWrite(Write[Undone]):
    """A write that undoes (or redoes) a change; answered like any other write."""

    change: Undoable | None = None
    redo: bool = False


def undo_write(change: Undoable, *, redo: bool) -> UndoWrite:
    def send(backend: Backend, _version: int | None) -> Undone:
        return change.undo(backend)

    what = f"{'redo' if redo else 'undo'} {change.what}"
    return UndoWrite(what, send, change=change, redo=redo)


def change_of(result: Any) -> Undoable | None:
    """The change a write's result says it made, if it can be undone."""
    change = getattr(result, "undo", None)
    return change if isinstance(change, Undoable) else None
