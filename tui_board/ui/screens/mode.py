"""What the three top-level screens (board, timesheet, workload) have in common.

Each shows the top bar, a body and the footer, follows the app's `connection` (opening,
signed in, failed) and reads its data from the backend in a thread worker, whose result
comes back as a message. Subclasses say what they are for and what to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui_board.core.clock import local_today
from tui_board.ui.plain_text import plain_text
from tui_board.ui.screens.help import key_rows
from tui_board.ui.session import Connected, Connection, Failed, Opening, describe_error
from tui_board.ui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.config import Config
    from tui_board.ui.app import BoardApp


class ModeScreen(Screen[None]):
    """A top-level screen; one per mode of the app."""

    #: What this screen is for, shown above its data.
    PURPOSE: ClassVar[str] = ""

    BINDINGS = [
        Binding(
            "r",
            "reload",
            "Reload",
            tooltip="Read this screen's data again (or retry opening the board)",
            id="reload",
        ),
    ]

    @dataclass
    class FactsLoaded(Message):
        """The worker read the screen's data."""

        facts: tuple[str, ...]

    @dataclass
    class FactsFailed(Message):
        """The worker could not read the screen's data; `message` is for the user."""

        message: str

    @property
    def board_app(self) -> BoardApp:
        return cast("BoardApp", self.app)

    def compose(self) -> ComposeResult:
        yield TopBar(self.title or type(self).__name__)
        with Vertical(classes="mode-body"):
            yield Static(self.PURPOSE, classes="mode-purpose", markup=False)
            yield Static("", classes="mode-status", markup=False)
            yield Static("", classes="mode-facts", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "connection", self.show_connection)

    def show_connection(self, connection: Connection) -> None:
        if not isinstance(connection, Connected):
            self.remove_class("-loaded")  # a screen marks itself -loaded once it has data
        top_bar = self.query_one(TopBar)
        facts = self.query_one(".mode-facts", Static)
        match connection:
            case Opening(target=target):
                top_bar.who = f"opening {target}"
                self.set_status(f"Opening {target} …")
                facts.update("")
                facts.loading = True
            case Failed(target=target, message=message):
                top_bar.who = f"not signed in · {target}"
                retry = self.keys_for("reload")
                hint = f"\nPress {retry} to try again." if retry else ""
                self.set_status(f"Cannot open the board: {message}{hint}", error=True)
                facts.update("")
                facts.loading = False
            case Connected(backend=backend):
                top_bar.who = f"{connection.who} · {backend.description}"
                self.set_status("")
                self.load_facts()

    def set_status(self, text: str, *, error: bool = False) -> None:
        """The line under the purpose: what is happening, or what went wrong."""
        status = self.query_one(".mode-status", Static)
        status.update(plain_text(text, multiline=True))
        status.display = bool(text)
        status.set_class(error, "-error")

    def keys_for(self, action: str) -> str:
        """The keys bound to `action` here, as the footer shows them (after the keymap)."""
        return next((row.keys for row in key_rows(self) if row.action == action), "")

    def action_reload(self) -> None:
        connection = self.board_app.connection
        if isinstance(connection, Failed):
            self.board_app.open_board()
        elif isinstance(connection, Connected):
            self.load_facts()

    def load_facts(self) -> None:
        """Read this screen's data again, in a worker; the facts area shows it loading."""
        connection = self.board_app.connection
        if not isinstance(connection, Connected):
            return
        self.query_one(".mode-facts", Static).loading = True
        today = local_today(self.board_app.clock)
        self._read_in_worker(connection.backend, today, self.board_app.config)

    @work(thread=True, exclusive=True, group="mode-facts")
    def _read_in_worker(self, backend: Backend, today: date, config: Config) -> None:
        try:
            facts = self.read_facts(backend, today=today, config=config)
        except Exception as error:
            self.post_message(self.FactsFailed(describe_error(error)))
        else:
            self.post_message(self.FactsLoaded(tuple(facts)))

    def read_facts(self, backend: Backend, *, today: date, config: Config) -> list[str]:
        """The lines this screen shows. Runs in a worker thread: use only the arguments,
        never widgets."""
        return []

    @on(FactsLoaded)
    def _show_facts(self, message: FactsLoaded) -> None:
        facts = self.query_one(".mode-facts", Static)
        facts.loading = False
        facts.update(plain_text("\n".join(message.facts), multiline=True))

    @on(FactsFailed)
    def _show_failure(self, message: FactsFailed) -> None:
        facts = self.query_one(".mode-facts", Static)
        facts.loading = False
        facts.update("")
        self.set_status(f"Cannot read this screen's data: {message.message}", error=True)
        self.notify(
            message.message, title=f"{self.title}: cannot read", severity="error", markup=False
        )
