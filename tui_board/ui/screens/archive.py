"""The archive: the current project's archived cards (key, title, assignee, when and by
whom each was archived), the most recent first; `enter` or `r` puts the highlighted one
back on the board, at the bottom of the column it left.

Pushed over the board (`A`). A restore is a versioned write through the app's writer:
a card someone changed meanwhile is refused and the list is read again. The cards put
back are in `restored`, for the board to show at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import on
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from tui_board.backend.undo import card_archived
from tui_board.core.history import when
from tui_board.core.models import ArchivedTask, Project, Task
from tui_board.ui.plain_text import cells, cut
from tui_board.ui.screens.table import TableScreen
from tui_board.ui.widgets.workload_table import plain
from tui_board.ui.writer import Refusal, Stored, Write

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend

#: How long the read waits for the writes asked for before it (a card archived a moment
#: ago is in the list), in seconds.
WRITES_WAIT = 5.0
#: The widest the assignee and "by" columns get.
WHO_WIDTH = 12


class ArchiveScreen(TableScreen):
    TITLE = "Archive"
    BINDING_GROUP_TITLE = "Archive"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,r", "restore", "Restore", tooltip="Put the card back on the board",
                id="archive-restore"),
    ]  # fmt: skip

    def __init__(self, project: Project) -> None:
        super().__init__(f"Archived cards of {project.key} · {project.name}")
        self.project = project
        self.cards: list[ArchivedTask] = []
        #: The cards put back on the board from here, as the store has them now.
        self.restored: list[Task] = []

    def on_resize(self) -> None:
        if self.cards:
            self.show(self.cards)

    # --- reading ---------------------------------------------------------------------------

    def read(self, backend: Backend) -> list[ArchivedTask]:
        self.board_app.writer.wait(WRITES_WAIT)  # a card archived just now is listed
        return backend.list_archived(self.project.key)

    def show(self, data: list[ArchivedTask]) -> None:
        before = self._current()
        index = self.table.row_index
        self.cards = data
        now = self.board_app.clock()
        table = self.table
        table.clear(columns=True)
        times = [when(card.archived, now) if card.archived else "-" for card in data]
        keys = max([3, *(cells(card.task.key) for card in data)])
        assignees = min(WHO_WIDTH, max([8, *(cells(c.task.assignee or "") for c in data)]))
        people = min(WHO_WIDTH, max([2, *(cells(card.by or "") for card in data)]))
        stamps = max([8, *map(cells, times)])
        # every column but the title, with its padding, and the scrollbar
        fixed = keys + assignees + stamps + people + 4 * 2 + table.styles.scrollbar_size_vertical
        titles = max([5, *(cells(card.task.title) for card in data)])
        table.add_column(plain("Key"), key="key", width=keys)
        table.add_column(plain("Title"), key="title", width=min(titles, self.room(fixed)))
        table.add_column(plain("Assignee"), key="assignee", width=assignees)
        table.add_column(plain("Archived"), key="archived", width=stamps)
        table.add_column(plain("By"), key="by", width=people)
        for card, time in zip(data, times, strict=True):
            task = card.task
            table.add_row(
                plain(task.key),
                plain(task.title),
                plain(task.assignee or "-"),
                plain(time),
                plain(card.by or "-"),
                key=task.key,
            )
        keys_shown = [card.task.key for card in data]
        if keys_shown:
            row = (
                keys_shown.index(before.task.key)
                if before is not None and before.task.key in keys_shown
                else min(max(index, 0), len(keys_shown) - 1)
            )
            table.move_cursor(row=row, animate=False)
        count = len(data)
        self.set_figures(
            f"{count} archived card{'s' * (count != 1)}, the most recently archived first"
            if count
            else f"Nothing is archived in {self.project.key}."
        )
        self._describe_current()

    def _current(self) -> ArchivedTask | None:
        index = self.table.row_index
        return self.cards[index] if 0 <= index < len(self.cards) else None

    @on(DataTable.RowHighlighted)
    def _describe_current(self) -> None:
        card = self._current()
        self.set_notes(
            f"enter or r puts {card.task.key} back on the board, at the bottom of "
            f"{cut(card.task.column)}."
            if card
            else ""
        )

    # --- restoring -------------------------------------------------------------------------------

    def action_restore(self) -> None:
        card = self._current()
        if card is None:
            self.app.bell()
            return
        key = card.task.key

        def send(backend: Backend, version: int | None) -> Stored[Task]:
            assert version is not None
            task = backend.archive_task(key, version, archived=False)
            note = f"Restored {key} to {cut(task.column)}; u undoes it."
            return Stored(task, key, task.version, note, card_archived(f"restore {key}", task))

        self.send_write(Write(f"restore {key}", send, key, card.task.version))

    def write_stored(self, write: Write[Any], result: Any) -> None:
        stored = cast("Stored[Task]", result)
        self.changed = True
        self.restored.append(stored.record)
        self.notify(stored.note, markup=False)
        self.action_reload()

    def write_refused(self, write: Write[Any], refusal: Refusal) -> None:
        message = refusal.message
        if refusal.kind == "conflict":
            message = f"{write.subject} was changed by someone else; this is the list as it is now."
        self.notify(message, title="Not restored", severity="error", markup=False)
        self.action_reload()
