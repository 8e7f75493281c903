"""The board: the current project's columns and cards, to move, assign and log time on.

Everything the user does changes the screen at once and is stored by a writer worker,
one write after another, each carrying the card's version: when someone changed the card
first, the store refuses the write, the user is told and the board shows the card as it
is now. A poll of the change feed brings other people's changes in within a second or
two, keeping the focus where it was. The focus is a (column, card key) pair, so it
survives reloads, filters and live updates.
"""

from __future__ import annotations

import gc
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Input, Label, Static
from textual.worker import get_current_worker

from tui_board.core.clock import local_today
from tui_board.core.durations import format_duration
from tui_board.core.errors import Conflict, NotFound
from tui_board.core.models import Change, Column, Project, Task, TaskPatch, Timer, User
from tui_board.ui.dialogs.confirm import ConfirmScreen
from tui_board.ui.dialogs.duration import DurationPrompt, LoggedTime
from tui_board.ui.dialogs.picker import PickerScreen
from tui_board.ui.plain_text import cut, plain_text
from tui_board.ui.screens.mode import ModeScreen
from tui_board.ui.session import describe_error
from tui_board.ui.widgets.board_card import CARD_HEIGHT
from tui_board.ui.widgets.board_column import BoardColumn, BoardColumns, CardList
from tui_board.ui.widgets.board_state import BoardState, SearchIndex, search_index
from tui_board.ui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.ui.dialogs.task_form import TaskDraft

#: Changes read per poll; a longer gap than this reloads the whole board.
FEED_PAGE = 500
#: More changed cards than this in one poll reload the whole board instead.
MAX_CARD_FETCH = 40
#: A board with more cards than this is read a page per column first, then in full.
PAGE_ABOVE = 1_000
PAGE = 60

#: A row of the change feed, to recognise the ones this screen wrote itself.
FeedRow = tuple[str, str, str]


@dataclass(frozen=True)
class Outcome:
    """What a write did: the card as the store has it now, my timer when it changed,
    a note for the user, and the change-feed rows it made."""

    task: Task | None = None
    timer_changed: bool = False
    timer: Timer | None = None
    note: str = ""
    own: tuple[FeedRow, ...] = ()


@dataclass(frozen=True)
class Write:
    """One write, run by the writer worker in the order the user asked for it.

    `send(backend, version)` runs in the worker thread; `version` is the card's version
    as the user saw it, or the one the store gave back for the previous write on the
    same card (None for writes that do not check one)."""

    key: str
    version: int | None
    what: str
    send: Callable[[Backend, int | None], Outcome]


def _show(label: Label, text: str, *, layout: bool = True) -> None:
    """Change a label's text only when it changed (an update costs a repaint, and with
    `layout` a relayout of the screen)."""
    content = plain_text(text)
    if str(label.content) != content.plain:
        label.update(content, layout=layout)


class FilterField(Input):
    """The board's filter. Each change filters the board at once, in the key's own frame
    (a handler of `Input.Changed` would draw it a frame later: Textual's Input lays the
    screen out again on every keystroke, and that frame comes first)."""

    def __init__(self, on_change: Callable[[str], None]) -> None:
        super().__init__(
            placeholder="filter: key, title, person, #tag", id="board-filter", compact=True
        )
        self._on_change = on_change

    def watch_value(self, value: str) -> None:
        self._on_change(value)


def _key(
    keys: str, action: str, description: str, tooltip: str, id: str, *, show: bool = False
) -> Binding:
    return Binding(keys, action, description, show=show, tooltip=tooltip, id=id)


class BoardScreen(ModeScreen):
    TITLE = "Board"
    BINDING_GROUP_TITLE = "Board"
    AUTO_FOCUS = ""  # the board's keys belong to the screen, not to a widget
    PURPOSE = "The current project's columns and cards."
    #: Seconds between two looks at the change feed.
    POLL_SECONDS: ClassVar[float] = 1.0
    #: The screens this one opens, for the app's check of the config's `[keymap]`.

    BINDINGS: ClassVar[list[BindingType]] = [
        # Moving the focus: in help and the palette, not in the footer.
        _key("left,h", "focus_column(-1)", "Left", "Focus the column on the left", "board-left"),
        _key("right,l", "focus_column(1)", "Right", "Focus the column on the right", "board-right"),
        _key("up,k", "focus_card(-1)", "Up", "Focus the card above", "board-up"),
        _key("down,j", "focus_card(1)", "Down", "Focus the card below", "board-down"),
        _key("pageup", "focus_page(-1)", "Page up", "Focus a page of cards up", "board-page-up"),
        _key("pagedown", "focus_page(1)", "Page down", "Focus a page down", "board-page-down"),
        _key("home,g", "focus_end(-1)", "First card", "Focus the column's first card",
             "board-first"),
        _key("end,G", "focus_end(1)", "Last card", "Focus the column's last card", "board-last"),
        # Moving the card.
        _key("shift+left,H", "move_card(-1)", "Move left", "Move the card to the previous column",
             "board-move-left"),
        _key("shift+right,L", "move_card(1)", "Move right", "Move the card to the next column",
             "board-move-right"),
        _key("shift+up,K", "reorder_card(-1)", "Move up", "Move the card up in its column",
             "board-move-up"),
        _key("shift+down,J", "reorder_card(1)", "Move down", "Move the card down in its column",
             "board-move-down"),
        # The card's actions, in the footer.
        _key("n", "new_card", "New", "A new card in this column", "board-new", show=True),
        _key("enter", "open_card", "Open", "The card's details, comments and time; edit it",
             "board-open", show=True),
        _key("a", "assign", "Assign", "Assign the card to someone", "board-assign", show=True),
        _key("t", "log_time", "Log", "Log time on the card", "board-log-time", show=True),
        _key("space", "toggle_timer", "Timer", "Start or stop my timer on the card",
             "board-timer", show=True),
        _key("d", "archive", "Archive", "Archive the card (asks first)", "board-archive",
             show=True),
        _key("slash", "filter", "Filter", "Show only cards matching a text", "board-filter",
             show=True),
        _key("m", "only_mine", "Mine", "Show only my cards (again: everyone's)", "board-mine",
             show=True),
        _key("p", "pick_project", "Project", "Switch to another project", "board-project",
             show=True),
        _key("escape", "clear_filter", "Clear filter", "Show every card again",
             "board-clear-filter"),
        # The board follows other people's changes by itself: reloading stays out of sight.
        _key("r", "reload", "Reload", "Read the board again (or retry opening it)", "reload"),
    ]  # fmt: skip

    DEFAULT_CSS = """
    BoardScreen > #board-bar {
        height: 1;
        padding: 0 1;
    }
    BoardScreen #board-project {
        width: auto;
        max-width: 50%;
        text-overflow: ellipsis;
        text-style: bold;
        color: $text-primary;
        text-wrap: nowrap;
    }
    BoardScreen #board-summary {
        width: 1fr;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    BoardScreen #board-filter {
        display: none;
        width: 1fr;
        max-width: 40;
    }
    BoardScreen.-filtering #board-filter {
        display: block;
    }
    BoardScreen > .mode-status {
        padding: 0 1;
        margin: 0;
    }
    BoardScreen > .mode-facts {
        padding: 1 2;
        height: 1fr;
    }
    BoardScreen > BoardColumns {
        display: none;
    }
    BoardScreen.-loaded > BoardColumns {
        display: block;
    }
    BoardScreen.-loaded > .mode-facts {
        display: none;
    }
    """

    # --- messages from the workers ------------------------------------------------------

    @dataclass
    class Loaded(Message):
        """A project's board: every card, or (with `totals`) each column's first page."""

        projects: list[Project]
        project: Project
        columns: list[Column]
        tasks: list[Task]
        users: list[User]
        #: The change feed's position before the reads.
        seq: int
        #: How many writes the screen had asked for when the reads began.
        writes: int
        #: Cards per column when `tasks` holds only the first page of each.
        totals: dict[int, int] | None = None
        #: What the filter looks in, for every card (made in the worker).
        search: SearchIndex | None = None

    @dataclass
    class NoProjects(Message):
        """There is no project to show."""

    @dataclass
    class LoadFailed(Message):
        message: str

    @dataclass
    class Written(Message):
        """A write was stored."""

        write: Write
        outcome: Outcome

    @dataclass
    class WriteFailed(Message):
        """A write was refused; nothing was stored."""

        write: Write
        message: str
        conflict: bool = False

    @dataclass
    class ChangesArrived(Message):
        """The change feed moved on (or the poll failed: `changes` is None)."""

        changes: list[Change] | None
        last: int
        complete: bool = True

    @dataclass
    class CardsFetched(Message):
        """Cards as the store has them now, and whole columns where cards moved."""

        project: str
        tasks: list[Task]
        columns: dict[int, list[Task]] = field(default_factory=dict)

    @dataclass
    class ProjectsListed(Message):
        projects: list[Project]

    # --- state ---------------------------------------------------------------------------------

    def __init__(self) -> None:
        super().__init__()
        self.state: BoardState | None = None
        self.users: list[User] = []
        self.projects: list[Project] = []
        self._views: list[BoardColumn] = []
        self._wanted_project: str | None = None
        #: The focus: a column index and the key of the card in it (None: no card), and
        #: the card's index, used when that card is gone.
        self._focus_column = 0
        self._focus_key: str | None = None
        self._focus_row = 0
        #: The change feed is read up to here.
        self._seen_seq = 0
        self._polling = False
        self._poll_failed = False
        #: Change-feed rows my own writes made, not yet seen in the feed.
        self._own: Counter[FeedRow] = Counter()
        #: The writer: a queue, run by one worker at a time.
        self._writes: deque[Write] = deque()
        self._write_lock = threading.Lock()
        self._writing = False
        #: Writes asked for and not answered yet, and all writes ever asked for.
        self._pending = 0
        self._writes_asked = 0
        #: A read of the board was dropped because writes were on their way.
        self._reload_after_writes = False
        #: Set once the first page of a big board is on the screen.
        self._first_page_shown = threading.Event()
        #: Cards to read again once the pending writes are answered.
        self._deferred: dict[str, bool] = {}
        #: A card whose write was refused: the focus goes where the store has it.
        self._follow: str | None = None

    def compose(self) -> ComposeResult:
        yield TopBar(self.title or "Board")
        with Horizontal(id="board-bar"):
            yield Label("", id="board-project", markup=False)
            yield FilterField(self.apply_filter)
            yield Label("", id="board-summary", markup=False)
        yield Static("", classes="mode-status", markup=False)
        yield Static("", classes="mode-facts", markup=False)
        yield BoardColumns()
        yield Footer()

    def on_mount(self) -> None:
        # (ModeScreen's on_mount runs too: Textual calls it for each class.)
        self.watch(self.app, "timer", self._timer_changed, init=False)
        self.set_interval(self.POLL_SECONDS, self._poll_tick)

    # --- loading ------------------------------------------------------------------------------

    def load_facts(self) -> None:
        """Read the board (ModeScreen calls this when the backend opens, and on `r`)."""
        self.load_board()

    def load_board(self, project: str | None = None) -> None:
        """Read a project's board (None: the one shown, else the first project)."""
        backend = self.board_app.backend
        if backend is None:
            return
        if project is not None:
            self._wanted_project = project
        elif self.state is not None:
            self._wanted_project = self.state.project.key
        if self.state is None:
            self.query_one(".mode-facts", Static).loading = True
        self._load(backend, self._wanted_project, self._writes_asked)

    @work(thread=True, exclusive=True, group="board-load")
    def _load(self, backend: Backend, wanted: str | None, writes: int) -> None:
        """Read the board; a big one first a page per column (what the screen shows at
        once), then all of it."""
        worker = get_current_worker()
        try:
            projects = backend.list_projects()
            if not projects:
                self.post_message(self.NoProjects())
                return
            project = next((p for p in projects if p.key == wanted), projects[0])
            key = project.key
            seq = backend.last_change()  # before the reads: a later change is seen again
            columns = backend.list_columns(key)
            users = backend.list_users()
            totals = backend.count_tasks(key)
            if sum(totals.values()) > PAGE_ABOVE:
                first = [
                    task
                    for column in columns
                    for task in backend.list_tasks(project=key, column_id=column.id, limit=PAGE)
                ]
                if worker.is_cancelled:
                    return
                loaded = self.Loaded(projects, project, columns, first, users, seq, writes, totals)
                self._first_page_shown.clear()
                self.post_message(loaded)
                # Let the screen draw the first page before this thread takes the GIL
                # for the long read.
                self._first_page_shown.wait(0.5)
            tasks = backend.list_tasks(project=key)
        except Exception as error:
            self.post_message(self.LoadFailed(describe_error(error)))
            return
        search = search_index(tasks)
        if not worker.is_cancelled:
            loaded = self.Loaded(projects, project, columns, tasks, users, seq, writes)
            loaded.search = search
            self.post_message(loaded)

    @on(Loaded)
    async def _loaded(self, message: Loaded) -> None:
        if message.writes != self._writes_asked:
            # A write went out after the reads began: they may not show it. Read again
            # once the writes are answered.
            self._reload_after_writes = True
            self._after_writes()
            return
        old = self.state
        state = BoardState(
            message.project,
            message.columns,
            message.tasks,
            totals=message.totals,
            search=message.search,
        )
        if old is not None:
            state.set_filter(old.query, only_login=old.only_login)
            if old.project.key != message.project.key:
                self._focus_column, self._focus_key, self._focus_row = 0, None, 0
        self.state = state
        self.projects = message.projects
        self.users = message.users
        self._seen_seq = max(self._seen_seq, message.seq)
        facts = self.query_one(".mode-facts", Static)
        facts.loading = False
        facts.update("")
        ids = [column.id for column in message.columns]
        if ids != [view.column.id for view in self._views]:
            container = self.query_one(BoardColumns)
            await container.remove_children()
            self._views = [BoardColumn(column) for column in message.columns]
            await container.mount_all(self._views)
            container.fit_columns()
        else:
            for view, column in zip(self._views, message.columns, strict=True):
                view.column = column
        self._focus_column = max(0, min(self._focus_column, len(self._views) - 1))
        self.add_class("-loaded")
        self.set_status("")
        self.draw()
        if not state.complete:
            self.call_after_refresh(self._first_page_shown.set)
        else:
            # The cards live as long as the board: keep the cyclic garbage collector from
            # walking them on each full collection (a 50-150 ms pause with 10,000 cards).
            gc.freeze()
        self.call_after_refresh(self._scroll_to_focus)

    @on(NoProjects)
    def _no_projects(self) -> None:
        self.remove_class("-loaded")
        facts = self.query_one(".mode-facts", Static)
        facts.loading = False
        facts.update("No projects yet. An admin adds one with: tui-board project add KEY NAME")

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.query_one(".mode-facts", Static).loading = False
        self.set_status(f"Cannot read the board: {message.message}", error=True)
        self.notify(message.message, title="Board: cannot read", severity="error", markup=False)

    # --- drawing ------------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return local_today(self.board_app.clock)

    def draw(self, column_ids: Iterable[int] | None = None) -> None:
        """Show the state in the columns (all of them, or these), and the bar above."""
        state = self.state
        if state is None:
            return
        wanted = set(column_ids) if column_ids is not None else None
        today = self.today
        timer = self.board_app.timer
        timer_key = timer.task if timer is not None else None
        empty = "no cards match" if state.filtered else "no cards"
        for index, view in enumerate(self._views):
            column_id = view.column.id
            if wanted is not None and column_id not in wanted:
                continue
            shown = state.shown(column_id)
            cursor = self._cursor(index) if index == self._focus_column else None
            view.card_list.show(shown, cursor, today=today, timer_key=timer_key, empty_text=empty)
            view.show_header(
                state.count(column_id),
                shown=len(shown) if state.filtered else None,
                focused=index == self._focus_column,
            )
        self._draw_bar()

    def _draw_bar(self) -> None:
        state = self.state
        if state is None:
            return
        project = state.project
        _show(self.query_one("#board-project", Label), f"{project.key} · {project.name}")
        parts = [f"{state.total:,} cards"]
        if state.filtered:
            shown = sum(len(state.shown(column.id)) for column in state.columns)
            parts.append(f"{shown:,} shown")
        if state.only_login:
            parts.append("only mine")
        first, last = self.query_one(BoardColumns).shown_range()
        if 0 < last - first + 1 < len(state.columns):
            parts.append(f"columns {first + 1}-{last + 1} of {len(state.columns)} (h/l)")
        _show(self.query_one("#board-summary", Label), " · ".join(parts), layout=False)
        self.set_class(bool(state.query) or self.query_one("#board-filter").has_focus, "-filtering")

    @on(BoardColumns.Fitted)
    def _fitted(self) -> None:
        self._draw_bar()

    def _timer_changed(self, timer: Timer | None) -> None:
        self.draw()

    # --- the focus ----------------------------------------------------------------------------

    def _column_id(self, index: int | None = None) -> int | None:
        index = self._focus_column if index is None else index
        if self.state is None or not 0 <= index < len(self._views):
            return None
        return self._views[index].column.id

    def _cursor(self, index: int) -> int | None:
        """The shown index of the focused card in column `index`; when the card has
        left the column, the card now at its old place (and the focus follows it)."""
        column_id = self._column_id(index)
        if self.state is None or column_id is None:
            return None
        shown = self.state.shown(column_id)
        if not shown:
            self._focus_key = None
            return None
        row = min(self._focus_row, len(shown) - 1)
        if shown[row].key != self._focus_key:
            found = next((i for i, t in enumerate(shown) if t.key == self._focus_key), None)
            row = found if found is not None else row
        self._focus_row = row
        self._focus_key = shown[row].key
        return row

    def focused_card(self) -> Task | None:
        column_id = self._column_id()
        if self.state is None or column_id is None:
            return None
        row = self._cursor(self._focus_column)
        return None if row is None else self.state.shown(column_id)[row]

    def _set_focus(self, column: int, row: int) -> None:
        """Focus the card at `row` of column `column` (both clamped)."""
        if self.state is None or not self._views:
            return
        before = self._focus_column
        column = max(0, min(column, len(self._views) - 1))
        shown = self.state.shown(self._views[column].column.id)
        row = max(0, min(row, len(shown) - 1))
        self._focus_column = column
        self._focus_row = row
        self._focus_key = shown[row].key if shown else None
        self.draw({self._views[before].column.id, self._views[column].column.id})
        if before != column:
            self._scroll_to_focus()

    def _scroll_to_focus(self) -> None:
        if self._views:
            self.query_one(BoardColumns).show_column(self._focus_column)

    def _list(self, index: int | None = None) -> CardList:
        return self._views[self._focus_column if index is None else index].card_list

    def action_focus_card(self, step: int) -> None:
        if self._views:
            self._set_focus(self._focus_column, self._focus_row + step)

    def action_focus_page(self, step: int) -> None:
        if self._views:
            page = max(1, self._list().scrollable_content_region.height // CARD_HEIGHT)
            self._set_focus(self._focus_column, self._focus_row + step * page)

    def action_focus_end(self, step: int) -> None:
        if self._views:
            self._set_focus(self._focus_column, 0 if step < 0 else 1 << 30)

    def action_focus_column(self, step: int) -> None:
        target = self._focus_column + step
        if not self._views or not 0 <= target < len(self._views):
            return
        row = self._list(target).card_at_row(self._list().cursor_row())
        self._set_focus(target, row)

    @on(CardList.Clicked)
    def _clicked(self, event: CardList.Clicked) -> None:
        index = next(
            (i for i, view in enumerate(self._views) if view.card_list is event.card_list), None
        )
        if index is not None:
            self._set_focus(index, event.index if event.index is not None else 1 << 30)

    # --- moving cards ---------------------------------------------------------------------------

    def _card_or_bell(self) -> Task | None:
        task = self.focused_card()
        if task is None:
            self.app.bell()
        return task

    def action_move_card(self, step: int) -> None:
        task = self._card_or_bell()
        target = self._focus_column + step
        if task is None or self.state is None:
            return
        if not 0 <= target < len(self._views):
            self.app.bell()
            return
        row = self._list(target).card_at_row(self._list().cursor_row(), allow_end=True)
        self._move(task, target, row)

    def action_reorder_card(self, step: int) -> None:
        task = self._card_or_bell()
        if task is None or self.state is None:
            return
        row = self._focus_row + step
        column_id = self._column_id()
        assert column_id is not None
        if not 0 <= row < len(self.state.shown(column_id)):
            self.app.bell()
            return
        self._move(task, self._focus_column, row)

    def _move(self, task: Task, column: int, row: int) -> None:
        """Move the card on screen now; the writer stores it."""
        assert self.state is not None
        source = self._column_id()
        target = self._views[column].column
        placement = self.state.move(task.key, target.id, row)
        if placement is None:
            return
        before = self._focus_column
        self._focus_column = column
        self._focus_row = placement.shown_index
        self._focus_key = task.key
        self.draw({c for c in (source, target.id) if c is not None})
        if before != column:
            self._scroll_to_focus()
        key, column_id, index = task.key, target.id, placement.index

        def send(backend: Backend, version: int | None) -> Outcome:
            assert version is not None
            moved = backend.move_task(key, version, column_id, index)
            return Outcome(moved, own=(("task", key, "move"),))

        self.queue_write(Write(key, task.version, f"move {key}", send))

    # --- the writer ------------------------------------------------------------------------------

    def queue_write(self, write: Write) -> None:
        """Store a write after the ones already asked for (in a worker)."""
        backend = self.board_app.backend
        if backend is None:
            self.notify("Not connected: nothing was stored.", severity="error")
            return
        self._pending += 1
        self._writes_asked += 1
        with self._write_lock:
            self._writes.append(write)
            start = not self._writing
            self._writing = True
        if start:
            self._run_writes(backend)

    @work(thread=True, group="board-writes")
    def _run_writes(self, backend: Backend) -> None:
        sent: dict[str, int] = {}
        refused: set[str] = set()
        while True:
            with self._write_lock:
                if not self._writes:
                    self._writing = False
                    return
                write = self._writes.popleft()
            if write.key and write.key in refused:
                self.post_message(self.WriteFailed(write, ""))
                continue
            version = write.version
            if version is not None:
                version = max(version, sent.get(write.key, 0))
            try:
                outcome = write.send(backend, version)
            except Conflict:
                refused.add(write.key)
                message = f"{write.key} was changed by someone else"
                self.post_message(self.WriteFailed(write, message, conflict=True))
            except Exception as error:
                refused.add(write.key)
                self.post_message(self.WriteFailed(write, describe_error(error)))
            else:
                if outcome.task is not None:
                    sent[outcome.task.key] = outcome.task.version
                self.post_message(self.Written(write, outcome))

    @on(Written)
    def _written(self, message: Written) -> None:
        self._pending -= 1
        outcome = message.outcome
        self._own.update(outcome.own)
        if outcome.timer_changed:
            self.board_app.timer = outcome.timer
        task, state = outcome.task, self.state
        if task is not None and state is not None and task.project == state.project.key:
            state.put(task)
            column_id = state.column_of(task.key)
            index = None if column_id is None else state.column_index(column_id)
            if not message.write.key and index is not None:  # a new card: focus it
                self._focus_column, self._focus_key = index, task.key
                self._focus_row = len(state.shown(task.column_id)) - 1
                self.draw()
                self._scroll_to_focus()
            else:
                self.draw(None if column_id is None else {column_id})
        if outcome.note:
            self.notify(outcome.note, markup=False)
        self._after_writes()

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        self._pending -= 1
        write = message.write
        if message.message:
            if message.conflict:
                self.notify(
                    f"{message.message}: the board shows it as it is now. "
                    "Nothing was overwritten; try again.",
                    title="Not stored",
                    severity="warning",
                    markup=False,
                )
            else:
                self.notify(
                    message.message,
                    title=f"Could not {write.what}",
                    severity="error",
                    markup=False,
                )
        if write.key:
            self._deferred[write.key] = True
            if write.key == self._focus_key:
                self._follow = write.key
        self._after_writes()

    def _after_writes(self) -> None:
        if self._pending:
            return
        if self._reload_after_writes:
            self._reload_after_writes = False
            self._deferred.clear()
            self.load_board()
        elif self._deferred:
            wanted, self._deferred = self._deferred, {}
            self._fetch(wanted)

    # --- live: the change feed ----------------------------------------------------------------

    def _poll_tick(self) -> None:
        backend = self.board_app.backend
        if (
            backend is None
            or self.state is None
            or self._polling
            or self._pending
            or self not in self.app.screen_stack
        ):
            return
        self._polling = True
        self._poll(backend, self._seen_seq)

    @work(thread=True, group="board-poll")
    def _poll(self, backend: Backend, since: int) -> None:
        try:
            last = backend.last_change()
            changes = backend.changes_since(since, limit=FEED_PAGE) if last > since else []
        except Exception:
            self.post_message(self.ChangesArrived(None, since))
            return
        self.post_message(self.ChangesArrived(changes, last, len(changes) < FEED_PAGE))

    @on(ChangesArrived)
    def _changes_arrived(self, message: ChangesArrived) -> None:
        self._polling = False
        if message.changes is None:
            if not self._poll_failed:
                self.notify(
                    "Cannot read the change feed; the board may be out of date (r reloads).",
                    severity="warning",
                )
            self._poll_failed = True
            return
        self._poll_failed = False
        state = self.state
        me = self.board_app.me
        if state is None or me is None or not message.changes:
            self._seen_seq = max(self._seen_seq, message.last)
            return
        if not message.complete:
            self._seen_seq = message.last
            self.load_board()
            return
        project = state.project.key
        column_ids = {str(column.id) for column in state.columns}
        wanted: dict[str, bool] = {}
        reload = timer = False
        for change in message.changes:
            self._seen_seq = max(self._seen_seq, change.seq)
            row = (change.entity, change.entity_id, change.action)
            if change.user == me.login and self._own[row] > 0:
                self._own[row] -= 1
                continue
            if change.entity in ("task", "entry") and change.entity_id.startswith(f"{project}-"):
                place = change.action in ("move", "create", "restore")
                wanted[change.entity_id] = wanted.get(change.entity_id, False) or place
            elif change.entity == "column":
                reload = reload or change.entity_id in column_ids
                reload = reload or change.data.get("project") == project
            elif change.entity == "project":
                reload = reload or change.entity_id == project
            elif change.entity == "timer" and change.entity_id == me.login:
                timer = True
        if timer:
            self.board_app.refresh_timer()
        if reload or len(wanted) > MAX_CARD_FETCH:
            self.load_board()
        elif wanted:
            self._fetch(wanted)

    def _fetch(self, wanted: dict[str, bool]) -> None:
        """Read these cards again (True: and the column each is in now, whose order
        changed), unless writes are still on their way: then after them."""
        backend = self.board_app.backend
        if backend is None or self.state is None:
            return
        if self._pending:
            for key, place in wanted.items():
                self._deferred[key] = self._deferred.get(key, False) or place
            return
        self._fetch_cards(backend, self.state.project.key, wanted)

    @work(thread=True, group="board-fetch")
    def _fetch_cards(self, backend: Backend, project: str, wanted: dict[str, bool]) -> None:
        tasks: list[Task] = []
        columns: dict[int, list[Task]] = {}
        try:
            for key, place in wanted.items():
                try:
                    task = backend.get_task(key)
                except NotFound:
                    continue
                tasks.append(task)
                if place and not task.archived and task.column_id not in columns:
                    columns[task.column_id] = backend.list_tasks(
                        project=project, column_id=task.column_id
                    )
        except Exception as error:
            self.post_message(self.LoadFailed(describe_error(error)))
            return
        self.post_message(self.CardsFetched(project, tasks, columns))

    @on(CardsFetched)
    def _cards_fetched(self, message: CardsFetched) -> None:
        state = self.state
        if state is None or message.project != state.project.key:
            return
        if self._pending:  # a write of mine went out meanwhile: read again after it
            self._fetch({t.key: t.column_id in message.columns for t in message.tasks})
            return
        for task in message.tasks:
            if task.archived:
                state.remove(task.key)
            elif task.column_id not in message.columns:
                where = state.column_of(task.key)
                if where is not None and where != task.column_id:
                    state.remove(task.key)
                state.put(task)
        for column_id, tasks in message.columns.items():
            state.replace_column(column_id, tasks)
        follow, self._follow = self._follow, None
        where = state.column_of(follow) if follow else None
        index = state.column_index(where) if where is not None else None
        if index is not None and follow == self._focus_key:
            self._focus_column = index
            self._scroll_to_focus()
        self.draw()

    # --- card actions -------------------------------------------------------------------------

    def _backend_or_none(self) -> Backend | None:
        backend = self.board_app.backend
        if backend is None:
            self.notify("Not connected yet.", severity="warning")
        return backend

    def action_new_card(self) -> None:
        column_id = self._column_id()
        if self.state is None or column_id is None:
            self.app.bell()
            return
        from tui_board.ui.dialogs.task_form import TaskForm  # opened here: kept off start-up

        column = self._views[self._focus_column].column
        project = self.state.project.key
        form = TaskForm(
            f"New card in {project} · {column.name}",
            users=self.users,
            today=self.today,
            bare_unit=self.board_app.config.bare_unit,
        )

        def create(draft: TaskDraft | None) -> None:
            if draft is None:
                return

            def send(backend: Backend, _version: int | None) -> Outcome:
                task = backend.create_task(
                    project,
                    draft.title,
                    description=draft.description,
                    column_id=column.id,
                    assignee=draft.assignee,
                    estimate=draft.estimate,
                    due=draft.due,
                    priority=draft.priority,
                    tags=draft.tags,
                )
                return Outcome(task, note=f"Made {task.key}.", own=(("task", task.key, "create"),))

            self.queue_write(Write("", None, "make the card", send))

        self.app.push_screen(form, create)

    def action_open_card(self) -> None:
        task = self._card_or_bell()
        backend = self.board_app.backend
        if task is None or backend is None:
            return
        from tui_board.ui.dialogs.task_detail import TaskDetailScreen

        detail = TaskDetailScreen(
            backend,
            task,
            users=self.users,
            today=self.today,
            bare_unit=self.board_app.config.bare_unit,
        )

        def closed(changed: Task | None) -> None:
            if changed is not None and self.state is not None:
                self.state.put(changed)
                self.draw()

        self.app.push_screen(detail, closed)

    def action_assign(self) -> None:
        task = self._card_or_bell()
        if task is None:
            return
        from tui_board.ui.dialogs.task_form import NOBODY

        items = [("nobody", NOBODY)] + [
            (f"{user.login} · {user.name}", user.login) for user in self.users if user.active
        ]
        picker = PickerScreen(f"Assign {task.key} to", items, current=task.assignee or NOBODY)

        def picked(login: str | None) -> None:
            if login is None or (login or None) == task.assignee:
                return
            assignee = login or None
            key = task.key

            def send(backend: Backend, version: int | None) -> Outcome:
                assert version is not None
                done = backend.update_task(key, version, TaskPatch(assignee=assignee))
                who = f"@{assignee}" if assignee else "nobody"
                note = f"{key} assigned to {who}."
                return Outcome(done, note=note, own=(("task", key, "update"),))

            self.queue_write(Write(key, task.version, f"assign {key}", send))

        self.app.push_screen(picker, picked)

    def action_log_time(self) -> None:
        task = self._card_or_bell()
        if task is None:
            return
        today = self.today
        prompt = DurationPrompt(
            f"Log time on {task.key}",
            context=f"{cut(task.title, 40)} · today, {today:%a %d %b}",
            bare_unit=self.board_app.config.bare_unit,
        )
        key = task.key

        def logged(answer: LoggedTime | None) -> None:
            if answer is None:
                return

            def send(backend: Backend, _version: int | None) -> Outcome:
                entry = backend.add_time(key, today, answer.minutes, comment=answer.comment)
                now = backend.get_task(key)
                note = (
                    f"Logged {format_duration(answer.minutes)} on {key} "
                    f"({format_duration(entry.minutes)} today)."
                )
                return Outcome(now, note=note, own=(("entry", key, "set"),))

            self.queue_write(Write(key, None, f"log time on {key}", send))

        self.app.push_screen(prompt, logged)

    def action_toggle_timer(self) -> None:
        task = self._card_or_bell()
        me = self.board_app.me
        if task is None or me is None:
            return
        key, login = task.key, me.login

        def send(backend: Backend, _version: int | None) -> Outcome:
            running = backend.timer_status()
            if running is not None and running.task == key:
                entry = backend.timer_stop()
                own: tuple[FeedRow, ...] = (("timer", login, "stop"),)
                if entry is None:
                    note = f"Timer stopped on {key}: under a minute, nothing logged."
                else:
                    own += (("entry", key, "set"),)
                    note = f"Timer stopped on {key}: {format_duration(entry.minutes)} today."
                return Outcome(backend.get_task(key), True, None, note, own)
            timer = backend.timer_start(key)
            note = f"Timer started on {key}."
            own = (("timer", login, "start"),)
            if running is not None:
                note += f" (Stopped the one on {running.task}.)"
                own += (("timer", login, "stop"),)
            return Outcome(None, True, timer, note, own)

        self.queue_write(Write(key, None, f"start or stop the timer on {key}", send))

    def action_archive(self) -> None:
        task = self._card_or_bell()
        if task is None:
            return
        confirm = ConfirmScreen(
            f"Archive {task.key} · {cut(task.title)}?\nIt leaves the board; "
            f"`tui-board task archive {task.key} --restore` brings it back.",
            title="Archive the card",
            yes="Archive",
            no="Keep",
        )

        def answered(yes: bool | None) -> None:
            if not yes or self.state is None:
                return
            column_id = self.state.column_of(task.key)
            if self.state.remove(task.key) is None:
                return
            self.draw(None if column_id is None else {column_id})
            key = task.key

            def send(backend: Backend, version: int | None) -> Outcome:
                assert version is not None
                done = backend.archive_task(key, version)
                return Outcome(done, note=f"Archived {key}.", own=(("task", key, "archive"),))

            self.queue_write(Write(key, task.version, f"archive {key}", send))

        self.app.push_screen(confirm, answered)

    # --- filters and projects --------------------------------------------------------------------

    def action_filter(self) -> None:
        if self.state is None:
            return
        self.add_class("-filtering")
        self.query_one("#board-filter", Input).focus()

    def apply_filter(self, query: str) -> None:
        if self.state is not None and query != self.state.query:
            self.state.set_filter(query)
            self.draw()

    @on(Input.Submitted, "#board-filter")
    def _filter_done(self) -> None:
        self.set_focus(None)
        self._draw_bar()

    def action_clear_filter(self) -> None:
        field = self.query_one("#board-filter", Input)
        if field.value:
            field.value = ""  # the field redraws the board
        self.set_focus(None)
        self.remove_class("-filtering")

    def action_only_mine(self) -> None:
        me = self.board_app.me
        if self.state is None or me is None:
            return
        mine = None if self.state.only_login else me.login
        self.state.set_filter(only_login=mine)
        self.draw()

    def action_pick_project(self) -> None:
        backend = self._backend_or_none()
        if backend is not None:
            self._list_projects(backend)

    @work(thread=True, exclusive=True, group="board-projects")
    def _list_projects(self, backend: Backend) -> None:
        try:
            projects = backend.list_projects()
        except Exception as error:
            self.post_message(self.LoadFailed(describe_error(error)))
            return
        self.post_message(self.ProjectsListed(projects))

    @on(ProjectsListed)
    def _projects_listed(self, message: ProjectsListed) -> None:
        if not message.projects:
            self.notify("There are no projects yet.", severity="warning")
            return
        current = self.state.project.key if self.state else None
        items = [(f"{p.key} · {p.name}", p.key) for p in message.projects]

        def picked(key: str | None) -> None:
            if key is not None and key != current:
                self.load_board(key)

        self.app.push_screen(PickerScreen("Switch project", items, current=current), picked)
