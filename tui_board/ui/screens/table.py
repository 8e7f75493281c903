"""The screen pushed over the workload that shows one table under a heading: the
drill-down of a week, the approvals queue, the report. It reads in a thread worker and
stores through the app's writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tui_board.ui.plain_text import plain_text
from tui_board.ui.session import Connected, describe_error
from tui_board.ui.widgets.key_footer import KeyFooter
from tui_board.ui.widgets.top_bar import TopBar
from tui_board.ui.widgets.workload_table import KeyTable, move_keys
from tui_board.ui.writer import SendsWrites

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.ui.app import BoardApp


class TableScreen(SendsWrites, Screen[None]):
    """A screen pushed over the workload: the top bar, a heading and a line of figures,
    one table, a line of notes, and the footer; `escape` goes back.

    Subclasses read their data in a thread worker (`read` runs in it) and show it in
    `show` (on the screen's thread); an error becomes a notification."""

    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        *move_keys(),
        Binding("escape", "back", "Back", tooltip="Back to the screen before", id="back"),
        Binding("r", "reload", "Reload", show=False, tooltip="Read it again", id="reload"),
    ]

    DEFAULT_CSS = """
    TableScreen {
        background: $background;
    }
    TableScreen > #table-body {
        height: 1fr;
        padding: 0 1;
    }
    TableScreen .table-screen--heading {
        height: auto;
        text-style: bold;
        color: $text-primary;
        padding: 1 1 0 1;
    }
    TableScreen .table-screen--figures {
        height: auto;
        color: $foreground;
        padding: 0 1 1 1;
    }
    TableScreen > #table-body > #table-frame {
        height: 1fr;
    }
    TableScreen KeyTable {
        height: auto;
        max-height: 100%;
    }
    TableScreen .table-screen--notes {
        height: auto;
        color: $text-muted;
        padding: 1 1 0 1;
    }
    """

    @dataclass
    class Read(Message):
        """The worker's answer to read number `number`: whatever `read` returned."""

        number: int
        data: Any

    @dataclass
    class ReadFailed(Message):
        number: int
        message: str

    def __init__(self, heading: str) -> None:
        super().__init__()
        self.heading = heading
        #: Reads asked for; only the last one's answer is shown.
        self._reads = 0
        #: Set when this screen wrote something the screen below shows.
        self.changed = False

    @property
    def board_app(self) -> BoardApp:
        return cast("BoardApp", self.app)

    @property
    def table(self) -> KeyTable:
        return self.query_one("#table-screen-table", KeyTable)

    def compose(self) -> ComposeResult:
        yield TopBar(self.title or type(self).__name__)
        with Vertical(id="table-body"):
            yield Static(plain_text(self.heading), classes="table-screen--heading", markup=False)
            yield Static("", classes="table-screen--figures", markup=False)
            # The table and what follows it take the room the lines around them leave: a
            # table as tall as the whole body would lose its last rows under them.
            with Vertical(id="table-frame"):
                yield KeyTable(id="table-screen-table")
                yield from self.compose_below()
            yield Static("", classes="table-screen--notes", markup=False)
        yield KeyFooter()

    def compose_below(self) -> ComposeResult:
        """What a subclass shows between the table and the notes."""
        yield from ()

    def on_mount(self) -> None:
        self.set_notes("")
        connection = self.board_app.connection
        if isinstance(connection, Connected):
            self.query_one(TopBar).who = f"{connection.who} · {connection.backend.description}"
        self.action_reload()

    # --- reading --------------------------------------------------------------------------

    def action_reload(self) -> None:
        backend = self.board_app.backend
        if backend is None:
            return
        self.table.loading = True
        self._reads += 1
        self._read_in_worker(backend, self._reads)

    @work(thread=True, group="table-screen-read")
    def _read_in_worker(self, backend: Backend, number: int) -> None:
        try:
            data = self.read(backend)
        except Exception as error:
            self.post_message(self.ReadFailed(number, describe_error(error)))
        else:
            self.post_message(self.Read(number, data))

    def read(self, backend: Backend) -> Any:
        """What the screen shows, read in a worker thread (no widgets here)."""
        raise NotImplementedError

    def show(self, data: Any) -> None:
        """Show what `read` returned."""
        raise NotImplementedError

    @on(Read)
    def _got(self, message: Read) -> None:
        if message.number == self._reads:  # an older read's answer is out of date
            self.table.loading = False
            self.show(message.data)

    @on(ReadFailed)
    def _failed(self, message: ReadFailed) -> None:
        if message.number == self._reads:
            self.table.loading = False
        self.notify(
            message.message, title=f"{self.title}: cannot read", severity="error", markup=False
        )

    # --- the lines around the table -------------------------------------------------------------

    def set_heading(self, text: str) -> None:
        self.query_one(".table-screen--heading", Static).update(plain_text(text))

    def set_figures(self, text: str) -> None:
        self.query_one(".table-screen--figures", Static).update(plain_text(text))

    def set_notes(self, text: str) -> None:
        notes = self.query_one(".table-screen--notes", Static)
        notes.update(plain_text(text, multiline=True))
        notes.display = bool(text)

    def room(self, fixed: int) -> int:
        """The width left for a table's one wide column (its padding apart) when the
        other columns, with their padding and the scrollbar, take `fixed` cells."""
        return max(8, self.size.width - 2 - fixed - 2)

    def fits(self, fixed: int) -> bool:
        """Whether a table whose other columns take `fixed` cells leaves its wide column
        its least (`room`) inside the screen: if not, the table is cut at the right,
        and a cut figure reads as another (1:45 as 1)."""
        return self.size.width - 2 - fixed - 2 >= 8

    def action_move(self, dx: int, dy: int) -> None:
        table = self.table
        if dy < 0:
            table.action_cursor_up()
        elif dy > 0:
            table.action_cursor_down()
        if dx < 0:
            table.action_cursor_left()
        elif dx > 0:
            table.action_cursor_right()

    def action_page(self, step: int) -> None:
        if step < 0:
            self.table.action_page_up()
        else:
            self.table.action_page_down()

    def action_edge(self, step: int) -> None:
        if step < 0:
            self.table.action_scroll_top()
        else:
            self.table.action_scroll_bottom()

    def action_back(self) -> None:
        self.dismiss(None)
