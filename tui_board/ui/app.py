"""The Textual app: three modes (board, timesheet, workload), help, palette, themes.

Start-up budget: nothing imported here touches the store. The first frame shows each
screen's loading state; the backend is opened in a thread worker after that frame, and
its answer comes back as a message (`BoardApp.BackendOpened` or `BackendFailed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.filter import Monochrome, NoColor
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.theme import Theme, ThemeProvider
from textual.worker import get_current_worker

from tui_board.backend import open_backend
from tui_board.backend.protocol import SyncingBackend
from tui_board.config import DEFAULT_THEME, Config
from tui_board.core.clock import Clock, system_clock
from tui_board.core.text import printable
from tui_board.kept import load_kept, save_kept
from tui_board.themes import load_themes
from tui_board.ui.collector import collector
from tui_board.ui.dialogs.base import Dialog
from tui_board.ui.plain_text import PASSAGE, cut
from tui_board.ui.screens.board import BoardScreen
from tui_board.ui.screens.help import HelpScreen, key_rows
from tui_board.ui.screens.mode import ModeScreen
from tui_board.ui.session import (
    Connected,
    Connection,
    Failed,
    Opening,
    describe_error,
    describe_target,
)
from tui_board.ui.terminal_colours import terminal_filter
from tui_board.ui.theme_variables import app_variable_defaults, resolve_auto_colours
from tui_board.ui.undo import History, UndoWrite, change_of, undo_write
from tui_board.ui.writer import SendsWrites, WriteAnswered, Writer

if TYPE_CHECKING:
    from textual.driver import Driver

    from tui_board.backend.offline import QueuedWrite
    from tui_board.backend.protocol import Backend
    from tui_board.core.models import Timer, User
    from tui_board.ui.terminal import TerminalGone

#: How often the app looks at a team server's link while it is down or writes wait.
LINK_CHECK_SECONDS = 2.0

#: How long quitting waits for the writes already asked for (a team server's request
#: times out after 10 s).
QUIT_WAIT_SECONDS = 15.0

#: How long the user has pressed no key when the backend is warmed (`warm_backend`).
WARM_WHEN_IDLE_S = 0.8

#: The theme on the terminal's own 16 colours, used there unless another is chosen.
ANSI_THEME = "tui-board-ansi"
#: Used when neither the configured theme nor tui-board's own default can be loaded.
LAST_RESORT_THEME = "textual-dark"


@dataclass(frozen=True)
class _Note:
    """A notification found before the app could show one (themes, keymap)."""

    message: str
    title: str
    severity: SeverityLevel = "warning"


class BoardApp(App[None], inherit_bindings=False):
    """The whole terminal app. Configure it through the constructor (or `make_app`)."""

    TITLE = "tui-board"
    CSS_PATH = "app.tcss"
    # The board is the first frame; the other screens are imported when first shown.
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "board": BoardScreen,
        "timesheet": lambda: _screen_class("timesheet")(),
        "workload": lambda: _screen_class("workload")(),
        "schedule": lambda: _screen_class("schedule")(),
    }
    DEFAULT_MODE = "board"
    # The palette finds cards, projects and people too (imported when it first opens).
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        *App.COMMANDS,
        lambda: _find_anything(),
    }
    BINDING_GROUP_TITLE = "Everywhere"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "switch_mode('board')", "Board", tooltip="The kanban board", id="board"),
        Binding(
            "2",
            "switch_mode('timesheet')",
            "Timesheet",
            tooltip="Your week's time, task by day",
            id="timesheet",
        ),
        Binding(
            "3",
            "switch_mode('workload')",
            "Workload",
            tooltip="Who has how much work, week by week",
            id="workload",
        ),
        Binding(
            "4",
            "switch_mode('schedule')",
            "Schedule",
            tooltip="A project's timeline: what is late, at risk, when it will finish",
            id="schedule",
        ),
        Binding(
            "u,ctrl+z", "undo", "Undo", tooltip="Undo your last change of this session", id="undo"
        ),
        Binding(
            "U,ctrl+y", "redo", "Redo", show=False, tooltip="Redo the change undone", id="redo"
        ),
        Binding("question_mark", "help", "Help", tooltip="Every key of this screen", id="help"),
        Binding("q", "quit", "Quit", tooltip="Quit tui-board", id="quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="quit-anywhere"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            show=False,
            priority=True,
            tooltip="Search every command",
            id="command-palette",
        ),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    #: Opening, signed in, or failed; every mode screen watches it.
    connection: var[Connection] = var(Opening(""))
    #: My running timer (every screen's top bar shows it); None when none runs.
    timer: var[Timer | None] = var(None)
    #: "" while the store answers; else what the header says (a team server is down).
    link: var[str] = var("")

    @dataclass
    class BackendOpened(Message):
        """The worker opened the backend and it knows who I am."""

        backend: Backend
        me: User

    @dataclass
    class BackendFailed(Message):
        """The worker could not open the backend; `message` is for the user."""

        message: str

    @dataclass
    class TimerRead(Message):
        """The worker read my running timer."""

        timer: Timer | None

    @dataclass
    class LinkChecked(Message):
        """The worker looked at the team server: reachable, and writes still queued."""

        online: bool
        queued: int
        sent: int = 0
        refused: tuple[str, ...] = ()

    def __init__(
        self,
        config: Config,
        backend_factory: Callable[[], Backend],
        *,
        clock: Clock = system_clock,
        theme_dirs: Iterable[Path] = (),
    ) -> None:
        super().__init__()
        self.config = config
        self.clock = clock
        self._backend_factory = backend_factory
        self._notes: list[_Note] = []
        #: A mode's screen is being shown with its data already read (`_first_show`).
        self._switch_at_once = False
        #: The modes whose screens are being shown for the first time (`_first_show`).
        self._first_showing: set[str] = set()
        #: The backend `warm_backend` last warmed.
        self._warmed: Backend | None = None
        #: When the user last pressed a key or a mouse button (`time.monotonic`).
        self._last_input = 0.0
        #: The backend `warm_backend` was first asked to warm.
        self._warm_asked: Backend | None = None
        #: What the stylesheet's variables were last made from (`refresh_css`).
        self._css_made_for: tuple[dict[str, str], frozenset[str]] | None = None
        #: The theme the CSS variables were last made for, and them (`_css_source`).
        self._css_variables_of: tuple[Theme, dict[str, str]] | None = None
        #: Every screen's writes, in the order the user asked for them.
        self.writer = Writer()
        #: The changes this session made, for `u` and `U`.
        self.history = History()
        #: `u` or `U` pressed while a write was on its way (True: a redo): done, in
        #: order, once every write is answered (the change to undo may be that one).
        self._undos_waiting: list[bool] = []
        self.set_reactive(BoardApp.connection, Opening(describe_target(config)))
        #: What the app kept for itself when it last ran (`tui_board/kept.py`).
        self.kept, problem = load_kept()
        if problem:
            self._notes.append(_Note(problem, "Kept state not read"))
        colours = terminal_filter(self.console.color_system)
        if colours is not None:  # before NO_COLOR's filter, which then has the last word
            self._filters.insert(1, colours)
        self._use_themes(theme_dirs)

    # --- the backend --------------------------------------------------------------------

    @property
    def backend(self) -> Backend | None:
        """The open backend, or None while opening or after a failure."""
        connection = self.connection
        return connection.backend if isinstance(connection, Connected) else None

    @property
    def me(self) -> User | None:
        connection = self.connection
        return connection.me if isinstance(connection, Connected) else None

    def open_board(self) -> None:
        """(Re)open the backend in a worker; the screens show that it is opening."""
        self.connection = Opening(describe_target(self.config))
        self._open_in_worker()

    @work(thread=True, exclusive=True, group="backend", exit_on_error=False)
    def _open_in_worker(self) -> None:
        try:
            backend = self._backend_factory()
        except Exception as error:
            self.post_message(self.BackendFailed(describe_error(error)))
            return
        if isinstance(backend, SyncingBackend):
            # Before the first request: it sends what an earlier session queued, and
            # what the server refuses of it is said (it was told to nobody).
            self._tell_syncs(backend)
        try:
            me = backend.me()
        except Exception as error:
            _close_quietly(backend)
            self.post_message(self.BackendFailed(describe_error(error)))
            return
        if get_current_worker().is_cancelled:  # the app quit while the backend was opening
            _close_quietly(backend)
            return
        self.post_message(self.BackendOpened(backend, me))

    @on(BackendOpened)
    def _backend_opened(self, message: BackendOpened) -> None:
        previous = self.backend
        if previous is not None and previous is not message.backend:
            _close_quietly(previous)
        connection = Connected(message.backend, message.me)
        self.sub_title = cut(f"{connection.who} · {message.backend.description}")
        self.connection = connection
        self.refresh_timer()
        if getattr(message.backend, "read_only", False):  # said once, whole, up front
            self.notify(
                f"{message.backend.description}: you may look, but nothing can be stored.",
                title="Read-only",
                severity="warning",
                timeout=10,
            )
        if isinstance(message.backend, SyncingBackend):  # a team server: watch the link
            self.set_interval(LINK_CHECK_SECONDS, self._check_link)
            self._tell_syncs(message.backend)

    def _tell_syncs(self, link: SyncingBackend) -> None:
        """What the link's sends of queued writes did, as the link check says it."""

        def told(sent: int, refused: list[QueuedWrite]) -> None:  # any thread
            described = tuple(_refusal(w) for w in refused)
            self.post_message(
                self.LinkChecked(link.online, len(link.pending_writes()), sent, described)
            )

        link.on_sync = told

    @on(BackendFailed)
    def _backend_failed(self, message: BackendFailed) -> None:
        target = describe_target(self.config)
        self.sub_title = cut(f"not signed in · {target}")
        self.connection = Failed(target, message.message)
        self.notify(
            message.message,
            title="Cannot open the board",
            severity="error",
            timeout=10,
            markup=False,
        )

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification, as plain text: messages echo stored text (a card's title,
        a name, an error about either), so none is read as markup (`markup` is never
        used) or reaches the terminal with a control character, and a long one is cut
        to a few lines."""
        text = printable(message, multiline=True)
        if len(text) > PASSAGE:
            text = text[: PASSAGE - 1].rstrip() + "…"
        super().notify(text, title=cut(title), severity=severity, timeout=timeout, markup=False)

    def warm_backend(self) -> None:
        """Once the first screen has drawn its data and the user has pressed no key for
        a moment: a backend that opens part of itself on first use (a local file's
        SQLAlchemy half, for writes) opens it then, in a thread of its own, rather than
        when the first key that writes waits for it. Its imports share the interpreter
        with this thread, so they wait for a pause in the typing, to begin and again
        each time keys come (`_typing`). Once per backend; nothing to do for the
        others."""
        backend = self.backend
        if backend is None or backend is self._warmed:
            return
        if self._warm_asked is not backend:  # the screen just drawn counts as input
            self._warm_asked = backend
            self._last_input = time.monotonic()
        idle = time.monotonic() - self._last_input
        if idle < WARM_WHEN_IDLE_S:
            self.set_timer(WARM_WHEN_IDLE_S - idle, self.warm_backend)
            return
        self._warmed = backend
        warm = getattr(backend, "warm", None)
        if callable(warm):
            warm(hold=self._typing)

    def _typing(self) -> float:
        """How much longer a warming backend waits before its next import: until no key
        has come for `WARM_WHEN_IDLE_S` (asked from the warming thread)."""
        return self._last_input + WARM_WHEN_IDLE_S - time.monotonic()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_input = time.monotonic()
        await super().on_event(event)

    # --- my timer ---------------------------------------------------------------------------

    def refresh_timer(self) -> None:
        """Read my running timer again (in a worker); `timer` follows."""
        backend = self.backend
        if backend is not None:
            self._read_timer(backend)

    @work(thread=True, exclusive=True, group="timer", exit_on_error=False)
    def _read_timer(self, backend: Backend) -> None:
        try:
            timer = backend.timer_status()
        except Exception:  # the header just shows no timer; the screens report errors
            return
        self.post_message(self.TimerRead(timer))

    @on(TimerRead)
    def _timer_read(self, message: TimerRead) -> None:
        self.timer = message.timer

    # --- the team server's link -------------------------------------------------------------

    def _check_link(self) -> None:
        backend = self.backend
        if isinstance(backend, SyncingBackend):
            self._probe_link(backend, backend)

    @work(thread=True, exclusive=True, group="link", exit_on_error=False)
    def _probe_link(self, backend: Backend, link: SyncingBackend) -> None:
        """While the server is down (or writes wait), ask it something cheap; once it
        answers, send what was typed meanwhile (`link` is `backend`, as the syncing
        backend it is)."""
        sent = 0
        refused: list[QueuedWrite] = []
        if not link.online or link.pending_writes():
            with contextlib.suppress(Exception):  # down still: the header says so
                backend.last_change()
            if link.online and link.pending_writes():
                with contextlib.suppress(Exception):
                    sent, refused = link.sync()
        queued = len(link.pending_writes())
        message = self.LinkChecked(link.online, queued, sent, tuple(_refusal(w) for w in refused))
        self.post_message(message)

    @on(LinkChecked)
    def _link_checked(self, message: LinkChecked) -> None:
        queued = f" · {message.queued} entr{'y' if message.queued == 1 else 'ies'} queued"
        if not message.online:
            self.link = "offline" + (queued if message.queued else "")
        else:
            self.link = "sending" + queued if message.queued else ""
        if message.sent:
            self.notify(
                f"Sent {message.sent} time entr{'y' if message.sent == 1 else 'ies'} "
                "typed while the server was down.",
                title="Back online",
            )
        if message.refused:
            self.notify(
                "The server refused: "
                + "; ".join(message.refused)
                + ". They are kept in the offline folder (tui-board locate data).",
                title="Not stored",
                severity="error",
                timeout=30,
                markup=False,
            )

    # --- start and stop -------------------------------------------------------------------

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this terminal; on Linux and macOS, one that notices the
        terminal going away (`tui_board/ui/terminal.py`)."""
        driver = super().get_driver_class()
        if driver.__name__ != "LinuxDriver":  # headless, web, Windows: as they are
            return driver
        from tui_board.ui.terminal import TerminalDriver

        return TerminalDriver

    def on_terminal_gone(self, message: TerminalGone) -> None:
        """The terminal hung up, or the process was asked to end: quit as `q` does, so
        that the writes already asked for are stored first (`on_unmount`)."""
        self.exit(return_code=message.code)

    def on_mount(self) -> None:
        if self.config.keymap:  # checking it imports every screen: only when there is one
            self._check_keymap()
            self.set_keymap(self.config.keymap)
        for note in self._notes:
            self.notify(
                note.message, title=note.title, severity=note.severity, timeout=10, markup=False
            )
        self._notes.clear()
        # After the first frame: opening the store imports SQLModel, which must not delay it.
        self.call_after_refresh(self.open_board)

    def on_unmount(self) -> None:
        # What the screens showed as stored is stored before the store closes (the
        # writer's thread would die with the process).
        if not self.writer.wait(QUIT_WAIT_SECONDS):
            unsent = self.writer.unsent()
            self.exit(
                return_code=1,
                message=Text(
                    f"The store did not answer in {QUIT_WAIT_SECONDS:.0f} s; these may not "
                    f"be stored: {'; '.join(printable(what) for what in unsent)}"
                ),
            )
        backend = self.backend
        if backend is not None:
            _close_quietly(backend)

    def watch_theme(self, theme: str) -> None:
        """Under NO_COLOR, the filter that takes the colours away suits the theme: Textual
        picks it once, for the theme before ours (an ANSI theme's colours, greyed as if
        they were true colours, all came out black)."""
        if not self.no_color:
            return
        wanted = NoColor if self.native_ansi_color else Monochrome
        for index, line_filter in enumerate(self._filters):
            if isinstance(line_filter, NoColor | Monochrome) and type(line_filter) is not wanted:
                self._filters[index] = wanted()

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, with `auto` colours (`$text-muted` is `auto 60%`) made
        the ink that contrasts with the theme's background: the line-drawn widgets blend
        component styles themselves, and there an `auto` came out white, unreadable on
        a light theme."""
        variables = super().get_css_variables()
        concrete = resolve_auto_colours(variables)
        self.theme_variables = concrete
        return concrete

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """The app's own variables (bands, overdue, today, ...), from the theme's colours
        unless the theme sets them."""
        return app_variable_defaults(self.current_theme.to_color_system().generate())

    def _use_themes(self, extra_dirs: Iterable[Path]) -> None:
        themes, problems = load_themes(extra_dirs)
        for theme in themes.values():
            self.register_theme(theme)
        #: tui-board's themes (Textual's own stay registered, but are not offered: its
        #: screens were not made with them, and some hide text).
        self.our_themes = frozenset(themes)
        if problems:
            count = len(problems)
            self._notes.append(
                _Note("\n".join(problems), f"Skipped {count} theme file{'s' * (count > 1)}")
            )
        wanted = self._first_theme()
        if wanted not in self.our_themes:
            fallback = DEFAULT_THEME
            if fallback not in self.available_themes:
                fallback = LAST_RESORT_THEME
            self._notes.append(
                _Note(
                    f"Using {fallback!r} instead; ctrl+p, Theme lists the others",
                    f"Unknown theme {wanted!r}",
                )
            )
            wanted = fallback
        if (
            wanted == DEFAULT_THEME
            and self.console.color_system == "standard"
            and ANSI_THEME in self.available_themes
        ):  # the default's colours come down to greys on 16 colours: use the terminal's own
            wanted = ANSI_THEME
        self.theme = wanted
        # The stylesheet is not parsed yet: its variables now, from this theme, and the
        # refreshes that setting the theme asked for have nothing left to do.
        self._css_made_for = self._css_source()
        self.stylesheet.set_variables(self._css_made_for[0])

    def _css_source(self) -> tuple[dict[str, str], frozenset[str]]:
        """What the styles are made from: the theme's variables, and the app's classes
        (dark or light, the theme's name). The variables are made again only for another
        theme: making them (the theme's colour system, twice) was a tenth of a mode's
        first frame, asked for twice on the way to it."""
        theme, classes = self.current_theme, frozenset(self.classes)
        made = self._css_variables_of
        if made is None or made[0] is not theme:
            made = self._css_variables_of = (theme, self.get_css_variables())
        return made[1], classes

    def refresh_css(self, animate: bool = True) -> None:
        """Textual's, when the styles would come out differently: each refresh parses
        all the CSS again and styles every widget, and at start Textual asked twice
        (for the theme set in `__init__`, and for the first mode's screen) for the
        variables the stylesheet already had."""
        made_for = self._css_source()
        if made_for == self._css_made_for:
            return
        self._css_made_for = made_for
        super().refresh_css(animate)

    def _first_theme(self) -> str:
        """The theme the config (or `--theme`) names; else the one last picked in the
        palette, while it is still there; else the default."""
        kept = self.kept.theme
        if "theme" not in self.config.chosen and kept in self.available_themes:
            return kept
        return self.config.theme

    def keep(self, **changes: str) -> None:
        """Remember `changes` (fields of `Kept`) for the next start; a file that cannot
        be written is said, and the app goes on."""
        kept = dataclasses.replace(self.kept, **changes)
        if kept == self.kept:
            return
        self.kept = kept
        try:
            save_kept(kept)
        except OSError as error:
            self.notify(
                f"Cannot keep it for next time: {error.strerror or error}",
                title="State not saved",
                severity="warning",
            )

    def search_themes(self) -> None:
        """The palette's theme picker: the theme picked is kept for the next start."""
        from textual.command import CommandPalette

        self.push_screen(
            CommandPalette(providers=[_KeptThemeProvider], placeholder="Search for themes…")
        )

    def _check_keymap(self) -> None:
        """One note naming the `[keymap]` ids no binding has (they are ignored)."""
        known = binding_ids()
        unknown = sorted(set(self.config.keymap) - known)
        if not unknown:
            return
        import difflib

        hints = [
            f"{name!r} (did you mean {close[0]!r}?)" if close else repr(name)
            for name in unknown
            for close in [difflib.get_close_matches(name, known, n=1)]
        ]
        self._notes.append(
            _Note(
                f"No key binding has the id {', '.join(hints)}; the README lists every id "
                "(Keys). The other entries are used.",
                "Keymap entries ignored",
            )
        )

    # --- undo and redo ----------------------------------------------------------------------

    def action_undo(self) -> None:
        self._undo_or_redo(redo=False)

    def action_redo(self) -> None:
        self._undo_or_redo(redo=True)

    def _undo_or_redo(self, *, redo: bool) -> bool:
        """Undo (or redo) the last change, or wait for the writes on their way; False
        when nothing went out and nothing waits."""
        screen = self.screen
        if not isinstance(screen, SendsWrites):
            self.notify("Close this dialog first, then undo.", severity="warning")
            return False
        if self.writer.busy():  # the change to undo may be the one still on its way
            self._undos_waiting.append(redo)
            return True
        change = self.history.take(redo)
        if change is None:
            self.notify("Nothing to redo." if redo else "Nothing to undo in this session.")
            return False
        if not screen.send_write(undo_write(change, redo=redo)):
            self.history.put_back(change, redo=redo)
            return False
        return True

    def undo_answered(self, screen: SendsWrites, message: WriteAnswered) -> bool:
        """Keep what a stored write changed, for `u`; show an undo's (or a redo's)
        answer. True for an undo or a redo (the screen shows nothing more). Then an undo
        pressed meanwhile goes out, once nothing is on its way (none after a refusal:
        the history moved on from what the keys were pressed for)."""
        undo = self._undo_answered(screen, message)
        if message.refusal is not None:  # the history is not what the keys were for
            self._undos_waiting.clear()
        if self._undos_waiting:
            self.call_later(self._undo_waiting)
        return undo

    def _undo_waiting(self) -> None:
        if not self._undos_waiting:
            return
        if self.writer.busy():  # its thread ends just after its last answer
            self.set_timer(0.02, self._undo_waiting)
            return
        if not self._undo_or_redo(redo=self._undos_waiting.pop(0)):
            # It did not go out (nothing to undo, a dialog in front): the presses after
            # it go with it. (One that went out may be stored already: the writer's
            # being idle again says nothing.)
            self._undos_waiting.clear()

    def _undo_answered(self, screen: SendsWrites, message: WriteAnswered) -> bool:
        write = message.write
        if not isinstance(write, UndoWrite):
            change = change_of(message.result) if message.refusal is None else None
            if change is not None:
                self.history.made(change)
            return False
        assert write.change is not None
        done, again = ("Redone", "u undoes it again") if write.redo else ("Undone", "U redoes it")
        if message.refusal is not None:
            verb = "redo" if write.redo else "undo"
            refusal = message.refusal
            reason = refusal.message.rstrip(".")
            if refusal.kind == "conflict":
                reason = write.change.changed_since(reason)
            if refusal.kind == "error":  # not refused by the store: try again later
                self.history.put_back(write.change, redo=write.redo)
                after = f"{verb} it again later"
            else:
                key = "U" if write.redo else "u"
                after = f"it leaves the history ({key} goes on to the change before it)"
            self.notify(
                f"Cannot {verb} {write.change.what}: {reason}. Nothing was changed; {after}.",
                title="Not undone" if not write.redo else "Not redone",
                severity="warning",
                markup=False,
            )
            screen.show_undone(None)
            return True
        self.history.settled(write, message.result)
        self.notify(f"{done}: {write.change.what}. {again}.", markup=False)
        if write.change.KIND == "timer":
            self.refresh_timer()
        screen.show_undone(message.result.redo)
        return True

    # --- actions, help and the command palette ---------------------------------------------

    async def action_switch_mode(self, mode: str) -> None:
        """A mode's key lands on its main screen (the board, the timesheet, the workload
        grid): the screens left open over it (approvals, reports, a dialog) close."""
        collector.hold()  # no collection inside the keystroke (a first screen reads)
        if mode in self._first_showing:  # pressed again while its screen reads first
            return
        if mode not in self._screen_stacks and mode != self.current_mode:
            self._first_showing.add(mode)
            try:
                await self._first_show(mode)
            finally:
                self._first_showing.discard(mode)
        else:
            await self.switch_mode(mode)
        while len(self.screen_stack) > 1:
            screen = self.screen
            await screen.dismiss(screen.cancelled() if isinstance(screen, Dialog) else None)

    async def _first_show(self, mode: str) -> None:
        """A mode's screen shown for the first time: made, then given up to its
        `FIRST_READ_WAIT_S` to read its data before it is shown (the screen left stays
        up meanwhile), so that its first frame is drawn once, with its data."""
        make = self._modes[mode]
        assert callable(make)
        screen = make()
        wait = screen.FIRST_READ_WAIT_S if isinstance(screen, ModeScreen) else 0.0
        early = screen.read_before_shown() if isinstance(screen, ModeScreen) and wait else None
        if early is not None:

            async def answered() -> None:
                with contextlib.suppress(Exception):  # the screen says what went wrong
                    await early.wait()

            await asyncio.wait({asyncio.ensure_future(answered())}, timeout=wait)
        self._modes[mode] = lambda: screen
        # Read already: its first layout has the data, so the 50 ms that Textual holds
        # a new screen's frames back for (to hide a frame drawn before it is laid out)
        # would only be waited.
        self._switch_at_once = early is not None and early.is_finished
        try:
            await self.switch_mode(mode)
        finally:
            self._modes[mode] = make
            self._switch_at_once = False

    def delay_update(self, delay: float = 0.05) -> None:
        if not self._switch_at_once:
            super().delay_update(delay)

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        rows = key_rows(screen)
        make_help = getattr(screen, "make_help", None)  # a screen may say more than its keys
        self.push_screen(
            make_help(rows) if make_help else HelpScreen(rows, title=screen.title or "")
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every key's action as a palette command, then Textual's own (theme, screenshot)
        unless one of ours has the same title."""
        rows = [
            row
            for row in key_rows(screen)
            if row.binding_id is not None and row.action != "command_palette"
        ]
        titles = {row.description for row in rows}
        next_change = {"undo": self.history.next_undo(), "redo": self.history.next_redo()}
        for row in rows:
            help_text = f"{row.tooltip} ({row.keys})" if row.tooltip else f"Key: {row.keys}"
            change = next_change.get(row.action)
            if change is not None:  # what it would undo now: "Undo: move WEB-12 to Doing"
                help_text = f"{row.description}: {printable(change.what)} ({row.keys})"
            yield SystemCommand(
                row.description, help_text, partial(self.run_action, row.action, row.namespace)
            )
        # Every screen, from every screen (a digit types a duration on the timesheet).
        for title, mode, help_text in MODE_WAYS:
            if title not in titles and self.current_mode != mode:
                titles.add(title)
                yield SystemCommand(title, help_text, partial(self.action_switch_mode, mode))
        # The workload's ways in, from any screen (their keys work on the workload).
        for title, action, help_text in WORKLOAD_WAYS:
            if title not in titles:
                titles.add(title)
                yield SystemCommand(title, help_text, partial(self._via_workload, action))
        for command in super().get_system_commands(screen):
            if command.title not in titles:
                yield command

    async def _via_workload(self, action: str) -> None:
        """The workload screen's `action` (its reports, its approvals) from anywhere."""
        await self.action_switch_mode("workload")
        await self.run_action(action, self.screen)


#: Palette commands that open each screen, found on every other: (title, mode, help).
MODE_WAYS = (
    ("Board", "board", "The kanban board (1)"),
    ("Timesheet", "timesheet", "My week, tasks by days (2)"),
    ("Workload", "workload", "Who has how much work, week by week (3)"),
    ("Schedule", "schedule", "The project's schedule: milestones, deadline, what is at risk (4)"),
)

#: Palette commands found on every screen that open what the workload screen opens:
#: (title, the workload's action, help).
WORKLOAD_WAYS = (
    ("Reports", "reports", "Time by person, project or task; estimates; overtime (t on 3)"),
    ("Approvals", "approvals", "Submitted weeks: approve or reject (v on 3)"),
)

#: Mode screens imported on first use: (module, class).
LAZY_SCREENS = {
    "timesheet": ("tui_board.ui.screens.timesheet", "TimesheetScreen"),
    "workload": ("tui_board.ui.screens.workload", "WorkloadScreen"),
    "schedule": ("tui_board.ui.screens.schedule", "ScheduleScreen"),
}


class _KeptThemeProvider(ThemeProvider):
    """Textual's theme picker, whose choice the app keeps (`BoardApp.keep`)."""

    @property
    def commands(self) -> list[tuple[str, Callable[[], None]]]:
        app = cast("BoardApp", self.app)

        def pick(name: str) -> None:
            app.theme = name
            app.keep(theme=name)

        return [
            (name, partial(pick, name)) for name, _ in super().commands if name in app.our_themes
        ]


def _find_anything() -> type[Provider]:
    from tui_board.ui.commands import FindAnything

    return FindAnything


def _screen_class(mode: str) -> type[Screen[Any]]:
    module, name = LAZY_SCREENS[mode]
    return cast("type[Screen[Any]]", getattr(importlib.import_module(module), name))


def _mode_screen_types() -> list[type]:
    """The mode screens, and the screens they push that have keys of their own
    (a mode screen's `SUBSCREENS`)."""
    from tui_board.ui.dialogs import DIALOGS
    from tui_board.ui.screens.archive import ArchiveScreen  # the board's, kept off start-up

    modes: list[type] = [BoardScreen, *(_screen_class(mode) for mode in LAZY_SCREENS)]
    subscreens = [ArchiveScreen, *(s for mode in modes for s in getattr(mode, "SUBSCREENS", ()))]
    return [*modes, *DIALOGS, *subscreens]


def node_types() -> list[type]:
    """Every screen, dialog and widget class of tui-board (every screen imported first,
    with the widgets it uses)."""
    from textual.dom import DOMNode

    _mode_screen_types()
    found: list[type] = []
    classes: list[type] = [DOMNode]
    while classes:
        node_type = classes.pop()
        classes.extend(node_type.__subclasses__())
        if node_type.__module__.startswith("tui_board."):
            found.append(node_type)
    return found


def binding_ids() -> set[str]:
    """The id of every binding of tui-board: what the config's `[keymap]` may name."""
    return {
        binding.id
        for node_type in node_types()
        for binding in vars(node_type).get("BINDINGS", ())
        if isinstance(binding, Binding) and binding.id
    }


def _close_quietly(backend: Backend) -> None:
    with contextlib.suppress(Exception):  # best effort: the app is ending or reopening
        backend.close()


def make_app(
    config: Config | None = None,
    *,
    backend_factory: Callable[[], Backend] | None = None,
    clock: Clock = system_clock,
) -> BoardApp:
    """The app as the CLI and the tests build it. Without a factory the backend is the
    one the config names, opened (in a worker) by `open_backend`."""
    config = config if config is not None else Config.load()
    if backend_factory is None:
        chosen = config

        def backend_factory() -> Backend:
            return open_backend(chosen, clock=clock)

    return BoardApp(config, backend_factory, clock=clock)


def _refusal(write: QueuedWrite) -> str:
    """A write the server refused on replay, and why (printable, and cut: it is the
    server's text and the person's own queued arguments)."""
    text = f"{write.describe()} ({write.refused})" if write.refused else write.describe()
    return cut(printable(text), 300)
