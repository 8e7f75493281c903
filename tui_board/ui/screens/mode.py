"""What the three top-level screens (board, timesheet, workload) have in common.

Each shows the top bar, a body and the footer, follows the app's `connection` (opening,
signed in, failed), reads its data when the backend opens and on `r` (`load`, which a
subclass makes: a thread worker whose answer comes back as a message), and stores
through the app's writer; a read that may miss a write is made again once the writes
are answered (`read_mark`, `read_is_current`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker

from tui_board.core.clock import local_today
from tui_board.ui.plain_text import plain_text
from tui_board.ui.screens.help import key_rows
from tui_board.ui.session import Connected, Connection, Failed, Opening
from tui_board.ui.widgets.key_footer import KeyFooter
from tui_board.ui.widgets.top_bar import TopBar
from tui_board.ui.writer import SendsWrites

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.ui.app import BoardApp


def bind(
    keys: str, action: str, description: str, tooltip: str, id: str, *, show: bool = False
) -> Binding:
    """A key of a screen, with the id a config's `[keymap]` names it by."""
    return Binding(keys, action, description, show=show, tooltip=tooltip, id=id)


#: The keys that move the cursor, alike on every screen: (way, keys, name).
MOVING_KEYS = (
    ("left", "left,h", "Left"),
    ("right", "right,l", "Right"),
    ("up", "up,k", "Up"),
    ("down", "down,j", "Down"),
    ("page-up", "pageup", "Page up"),
    ("page-down", "pagedown", "Page down"),
    ("first", "home,g", "First {}"),
    ("last", "end,G", "Last {}"),
)


def moving_keys(screen: str, thing: str, moves: Sequence[tuple[str, str]]) -> list[Binding]:
    """The moving keys of a screen whose cursor is on a `thing`: `moves` gives each way
    of `MOVING_KEYS`, in its order, an action and a tooltip; ids are `<screen>-<way>`."""
    return [
        bind(keys, action, name.format(thing), tooltip, f"{screen}-{way}")
        for (way, keys, name), (action, tooltip) in zip(MOVING_KEYS, moves, strict=True)
    ]


class ModeScreen(SendsWrites, Screen[None]):
    """A top-level screen; one per mode of the app."""

    #: A read came back while writes were on their way: read again after them.
    _reload_after_writes = False

    #: What this screen is for, shown above its data.
    PURPOSE: ClassVar[str] = ""
    #: What it reads, for "Cannot read the board: …".
    DATA: ClassVar[str] = "this screen's data"
    #: Shown the first time, the screen is given this long to read its data before it
    #: is shown (`read_before_shown`; 0: shown at once, with a loading state).
    FIRST_READ_WAIT_S: ClassVar[float] = 0.0

    #: The read begun before the screen was shown (`read_before_shown`), until mounted.
    _read_before: Worker[None] | None = None
    #: The app's loop, when a read began before the screen was mounted.
    _loop_before: asyncio.AbstractEventLoop | None = None

    BINDINGS = [
        Binding(
            "r",
            "reload",
            "Reload",
            tooltip="Read this screen's data again (or retry opening the board)",
            id="reload",
        ),
    ]

    @property
    def board_app(self) -> BoardApp:
        return cast("BoardApp", self.app)

    @property
    def today(self) -> date:
        return local_today(self.board_app.clock)

    def compose(self) -> ComposeResult:
        yield TopBar(self.title or type(self).__name__)
        with Vertical(classes="mode-body"):
            yield Static(self.PURPOSE, classes="mode-purpose", markup=False)
            yield Static("", classes="mode-status", markup=False)
            yield Static("", classes="mode-facts", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "connection", self.show_connection)

    def show_connection(self, connection: Connection) -> None:
        if not isinstance(connection, Connected):
            self.set_loaded(False)
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
                early, self._read_before = self._read_before, None
                if early is None:
                    self.load()
                elif not early.is_finished:  # its answer is on its way: spin until then
                    self.show_loading()

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
            self.load()

    # --- reading, and reading again after writes ---------------------------------------------

    def load(self) -> None:
        """Read this screen's data: when the backend opens, on `r`, and again after writes
        a read may have missed. The facts area spins until the first data is shown."""
        backend = self.board_app.backend
        if backend is None:
            return
        if not self.has_class("-loaded"):
            self.show_loading()
        self.read(backend, self.read_mark())

    def read(self, backend: Backend, mark: ReadMark) -> Worker[None] | None:
        """Start the worker that reads the screen's data; its answer carries `mark`."""
        return None

    def read_before_shown(self) -> Worker[None] | None:
        """Begin the first read before the screen is mounted (the app waits up to
        `FIRST_READ_WAIT_S` for it, then shows the screen): its answer, queued for the
        screen, is shown before the screen's first layout, so its first frame is drawn
        once and with its data, not as a loading state drawn and then drawn again. None
        when there is no open backend to read (the screen reads when it opens)."""
        backend = self.board_app.backend
        if backend is None:
            return None
        self._loop_before = asyncio.get_running_loop()
        self._read_before = self.read(backend, self.read_mark())
        return self._read_before

    def post_answer(self, message: Message) -> None:
        """Post a read's answer from its worker's thread. A screen read before it is
        mounted has no app above it to find the app's loop by, so its answer goes
        through the loop the read began on."""
        loop = self._loop_before
        if loop is None or self.is_attached:
            self.post_message(message)
        else:
            loop.call_soon_threadsafe(self._answered_before_shown, message)

    def _answered_before_shown(self, message: Message) -> None:
        """A read's answer, on the app's loop: its data is shown before the first
        layout (its message is ahead of any other), so a screen not yet mounted takes
        the `-loaded` class now, styled with it once rather than styled again."""
        if not self.is_attached and not isinstance(message, self.LoadFailed):
            self.set_class(True, "-loaded", update=False)
        self.post_message(message)

    def show_loading(self) -> None:
        """The facts area spins until the first data is shown."""
        self.query_one(".mode-facts", Static).loading = True

    def show_loaded(self) -> None:
        """Data is shown: no spinner, no status line."""
        self.query_one(".mode-facts", Static).loading = False
        self.set_loaded(True)
        self.set_status("")

    def set_loaded(self, loaded: bool) -> None:
        """The screen's `-loaded` class, which it has once it shows data. The class only
        shows and hides the screen's own children (every rule names it as
        `Screen.-loaded > child`, a test holds them to it), so only they are styled again:
        `set_class` would style every widget beneath, every card of the board (a fifth of
        the app's work before its first frame with cards)."""
        if self.has_class("-loaded") == loaded:
            return
        self.set_class(loaded, "-loaded", update=False)
        if self.is_attached:
            self.app.stylesheet.update_nodes([self, *self.children], animate=True)

    @dataclass
    class LoadFailed(Message):
        """A read of the screen's data failed; `message` is for the user."""

        message: str

    @on(LoadFailed)
    def _show_load_failure(self, message: LoadFailed) -> None:
        """The status line and a notification say so."""
        self.query_one(".mode-facts", Static).loading = False
        self.set_status(f"Cannot read {self.DATA}: {message.message}", error=True)
        self.notify(
            message.message, title=f"{self.title}: cannot read", severity="error", markup=False
        )

    def read_mark(self) -> ReadMark:
        """Taken when a read begins, to tell whether it can show every write."""
        return ReadMark(self.writes_asked, self.writes_pending == 0)

    def push_dialog_if_in_front(self, dialog: Screen[Any], callback: Any = None) -> bool:
        """A dialog that waited for a read (the tasks to pick from, the people): shown
        only if this screen is still the one in front. A user who moved on meanwhile
        (another mode, a dialog of their own) is not followed there by it, where what
        they pick would change what they no longer see."""
        if not self.is_active:
            return False
        self.app.push_screen(dialog, callback)
        return True

    def read_is_current(self, mark: ReadMark) -> bool:
        """Whether a read begun at `mark` shows every write asked for; if not (a write
        was on its way, or went out since), it is read again once they are answered."""
        if mark.settled and mark.writes == self.writes_asked:
            return True
        self.reload_after_writes()
        return False

    def reload_after_writes(self) -> None:
        """Read the data again once this screen's writes are answered."""
        self._reload_after_writes = True
        if not self.writes_pending:
            self.writes_done()

    def writes_done(self) -> None:
        if self._reload_after_writes:
            self._reload_after_writes = False
            self.load()


@dataclass(frozen=True)
class ReadMark:
    """Where the screen's writes stood when a read began."""

    #: How many writes the screen had asked for.
    writes: int
    #: Whether the store had answered all of them.
    settled: bool
