"""The board's view: the current project's columns and cards as read from the store,
and the focus on them.

The focus is a (column, card key) pair, so it survives reloads, filters and live
updates. A big board is read a page per column first (what the screen shows at once),
then a column at a time in full, each shown (and looked in by the filter) as it comes.
What comes back
from the store later (my writes' answers, other people's changes) is in `live.py`; the
keys and what they do in `screen.py`.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.message import Message
from textual.widgets import Label, Static
from textual.worker import get_current_worker

from tui_board.core.models import Column, ColumnCards, Project, Task, Timer, User
from tui_board.ui.collector import collector
from tui_board.ui.plain_text import plain_text
from tui_board.ui.screens.mode import ModeScreen, ReadMark
from tui_board.ui.session import describe_error
from tui_board.ui.state.board import BoardState, Cards, columns_of
from tui_board.ui.widgets.board_card import CARD_HEIGHT
from tui_board.ui.widgets.board_column import BoardColumn, BoardColumns, CardList
from tui_board.ui.widgets.key_footer import KeyFooter
from tui_board.ui.widgets.text_input import TextInput
from tui_board.ui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend

#: A board with more cards than this is read a page per column first, then in full.
PAGE_ABOVE = 1_000
PAGE = 60
#: Cards read at a time after the first page (what a worker holds as records at once).
CHUNK = 5_000


def read_column(
    backend: Backend, project: str, column: Column, first: ColumnCards | None = None
) -> Cards:
    """Every card of a board column, `CHUNK` at a time (after `first`, the column's first
    page, when given): the records held at once are a page's, not the column's."""
    cards = Cards(column)
    if first is not None:
        cards.add(first)
    while True:
        page = backend.column_cards(project, column.id, after=cards.last(), limit=CHUNK)
        cards.add(page)
        if len(page) < CHUNK:
            cards.search_blocks()  # joined here, not at the first filter keystroke
            return cards


def _show(label: Label, text: str, *, layout: bool = True) -> None:
    """Change a label's text only when it changed (an update costs a repaint, and with
    `layout` a relayout of the screen)."""
    content = plain_text(text)
    if str(label.content) != content.plain:
        label.update(content, layout=layout)


class FilterField(TextInput):
    """The board's filter. Each change filters the board at once, in the key's own frame
    (a handler of `Input.Changed` would draw it a frame later: Textual's Input lays the
    screen out again on every keystroke, and that frame comes first)."""

    def __init__(self, on_change: Callable[[str], None]) -> None:
        super().__init__(
            placeholder="filter: key, title, person, #tag", id="board-filter", compact=True
        )
        self._on_change = on_change

    #: A value being set: its watchers run (see `refresh`).
    _typing = False

    async def _on_key(self, event: events.Key) -> None:
        collector.hold()  # no full collection inside the keystroke (`collector.py`)
        await super()._on_key(event)

    def validate_value(self, value: str) -> str:
        # (before the watchers, which run only for a new value; `watch_value` is last)
        self._typing = value != self.value
        return value

    def watch_value(self, value: str) -> None:
        self._typing = False
        self._on_change(value)

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """Without the layout Input asks for on each keystroke (its virtual size is its
        text's width): the field's size is the bar's to give (a share of the line, one
        line high), never its text's, and a layout of the screen was a fifth of a
        keystroke's time on a board of 100,000 cards."""
        if self._typing:
            layout = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


class BoardView(ModeScreen):
    """The board's columns, cards and focus, read from the store."""

    DATA = "the board"

    # --- messages from the workers ------------------------------------------------------

    @dataclass
    class Loaded(Message):
        """A project's board: every card, or (with `totals`) each column's first page."""

        projects: list[Project]
        project: Project
        columns: list[Column]
        #: Each column's cards (made in the worker).
        cards: dict[int, Cards]
        users: list[User]
        #: The change feed's position before the reads.
        seq: int
        #: Where the screen's writes stood when the reads began.
        mark: ReadMark
        #: Cards per column when `cards` holds only the first page of each.
        totals: dict[int, int] | None = None
        #: The read it is part of (its `ColumnRead`s carry the same).
        read: object = None

    @dataclass
    class ColumnRead(Message):
        """Every card of one column of a big board, read after the first pages."""

        read: object
        column_id: int
        cards: Cards
        mark: ReadMark

    @dataclass
    class NoProjects(Message):
        """There is no project to show."""

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
        #: The focused card was hidden while no other card was shown: the first card
        #: shown again takes the focus (a column the user chose stays, empty or not).
        self._focus_lost = False
        #: The change feed is read up to here.
        self._seen_seq = 0
        #: Set once the first page of a big board is on the screen.
        self._first_page_shown = threading.Event()
        #: The read the state came from (a big board's columns come from it one by one).
        self._read: object = None

    def compose(self) -> ComposeResult:
        yield TopBar(self.title or "Board")
        with Horizontal(id="board-bar"):
            yield Label("", id="board-project", markup=False)
            yield Label("/", id="board-filter-prompt", markup=False)
            yield FilterField(self.apply_filter)
            yield Label("", id="board-summary", markup=False)
        yield Static("", classes="mode-status", markup=False)
        yield Static("", classes="mode-facts", markup=False)
        yield BoardColumns()
        yield KeyFooter(keep_help=True)

    def on_mount(self) -> None:
        # (ModeScreen's on_mount runs too: Textual calls it for each class.)
        self.watch(self.app, "timer", self._timer_changed, init=False)

    def on_unmount(self) -> None:
        collector.release()  # (the app may end inside a pause)

    # --- loading ------------------------------------------------------------------------------

    def load_board(self, project: str | None = None) -> None:
        """Read a project's board (None: the one shown, else the first project)."""
        if project is not None:
            self._wanted_project = project
        self.load()

    def read(self, backend: Backend, mark: ReadMark) -> None:
        if self._wanted_project is None:  # the first read: the project shown last time
            self._wanted_project = getattr(getattr(self.app, "kept", None), "project", None)
        self._load(backend, self._wanted_project, mark)

    @work(thread=True, exclusive=True, group="board-load")
    def _load(self, backend: Backend, wanted: str | None, mark: ReadMark) -> None:
        """Read the board; a big one first a page per column (what the screen shows at
        once), then each column in full, in order, handed over as it is read."""
        worker = get_current_worker()
        read = object()
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
            if sum(totals.values()) <= PAGE_ABOVE:
                cards = columns_of(columns, backend.list_tasks(project=key))
                if not worker.is_cancelled:
                    self.post_message(
                        self.Loaded(projects, project, columns, cards, users, seq, mark, read=read)
                    )
                return
            pages = {
                column.id: backend.column_cards(key, column.id, limit=PAGE) for column in columns
            }
            first = {column.id: Cards.of(column, pages[column.id]) for column in columns}
            if worker.is_cancelled:
                return
            self._first_page_shown.clear()
            self.post_message(
                self.Loaded(projects, project, columns, first, users, seq, mark, totals, read)
            )
            # Let the screen draw the first page before this thread takes the GIL for
            # the long reads.
            self._first_page_shown.wait(0.5)
            for column in columns:
                whole = read_column(backend, key, column, pages[column.id])
                if worker.is_cancelled:
                    return
                self.post_message(self.ColumnRead(read, column.id, whole, mark))
        except Exception as error:
            self.post_message(self.LoadFailed(describe_error(error)))

    @on(Loaded)
    async def _loaded(self, message: Loaded) -> None:
        if not self.read_is_current(message.mark):
            return  # read again once the writes are answered
        old = self.state
        state = BoardState(
            message.project, message.columns, totals=message.totals, cards=message.cards
        )
        if old is not None:
            state.set_filter(old.query, only_login=old.only_login)
            if old.project.key != message.project.key:
                self._focus_column, self._focus_key, self._focus_row = 0, None, 0
                self._focus_lost = False
        self.state = state
        self._read = message.read
        self._wanted_project = state.project.key
        keep = getattr(self.app, "keep", None)  # the app's memory (`tui_board/kept.py`)
        if keep is not None:
            keep(project=state.project.key)
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
        self.show_loaded()
        self.draw()
        if not state.complete:
            self.call_after_refresh(self._first_page_shown.set)
        else:
            self._all_read()
        self.call_after_refresh(self._scroll_to_focus)
        self.board_shown()

    @on(ColumnRead)
    def _column_read(self, message: ColumnRead) -> None:
        state = self.state
        if state is None or message.read is not self._read or state.complete:
            return  # from a read since replaced
        if not self.read_is_current(message.mark):
            self._read = None  # the board is read again once the writes are answered
            return
        state.fill(message.column_id, message.cards)
        self.draw({message.column_id})
        if state.complete:
            self._all_read()
        self.board_shown()

    def _all_read(self) -> None:
        """Every card of the board is in."""
        # The cards live as long as the board: keep the cyclic garbage collector from
        # walking them on each full collection.
        gc.freeze()
        # The board with every card drawn: what else the backend opens, now.
        self.call_after_refresh(self.board_app.warm_backend)

    def board_shown(self) -> None:
        """Runs each time a read of the board is shown."""

    @on(NoProjects)
    def _no_projects(self) -> None:
        self.set_loaded(False)
        facts = self.query_one(".mode-facts", Static)
        facts.loading = False
        facts.update("No projects yet. An admin adds one with: tui-board project add KEY NAME")
        self.call_after_refresh(self.board_app.warm_backend)

    # --- drawing ------------------------------------------------------------------------------

    def draw(self, column_ids: Iterable[int] | None = None) -> None:
        """Show the state in the columns (all of them, or these), and the bar above.

        Every change on screen comes here, so the focus is kept on a shown card here:
        see `keep_focus_shown`."""
        state = self.state
        if state is None:
            return
        wanted = set(column_ids) if column_ids is not None else None
        before = self._focus_column
        if self.keep_focus_shown() and wanted is not None:
            wanted |= {self._views[before].column.id, self._views[self._focus_column].column.id}
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
        field = self.query_one("#board-filter")
        filtering = bool(state.query) or field.has_focus
        self.set_class(filtering, "-filtering")
        field.display = filtering  # (`/` shows it at once, inline: the class alone would
        # leave it shown after esc, its placeholder run into the project's name)

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
        if self._focus_key is not None:
            found = shown.index_of(self._focus_key, guess=row)
            row = found if found is not None else row
        self._focus_row = row
        self._focus_key = shown.key_at(row)
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
        self._focus_key = shown.key_at(row) if shown else None
        self._focus_lost = False
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

    def apply_filter(self, query: str) -> None:
        if self.state is not None and query != self.state.query:
            self.state.set_filter(query)
            self.draw()

    def keep_focus_shown(self) -> bool:
        """When the focused card is no longer shown in its column (a filter hides it,
        my own or someone else's change moved, reassigned or archived it, an undo took
        it away), focus the shown card nearest to it: in its column if it has one, else
        in the nearest column that has one. When no card is shown, nothing has the
        focus, until a card is shown again. Returns whether the focused column changed."""
        state = self.state
        if state is None or not self._views:
            return False
        here = self._focus_column = max(0, min(self._focus_column, len(self._views) - 1))
        column_id = self._views[here].column.id
        shown = state.shown(column_id)
        key = self._focus_key
        if key is None and not self._focus_lost:
            return False  # no card focused: a column the user went to, or a fresh board
        if key is not None and shown.index_of(key, guess=self._focus_row) is not None:
            self._focus_lost = False
            return False
        cards = state.cards(column_id)
        place = cards.index_of(key, guess=self._focus_row) if key is not None else None
        if place is None and shown:
            # The card left the column: the one now at its place.
            row = min(self._focus_row, len(shown) - 1)
            self._focus_row, self._focus_key, self._focus_lost = row, shown.key_at(row), False
            return False
        if place is None:
            place = self._focus_row
        order = sorted(range(len(self._views)), key=lambda index: (abs(index - here), index))
        for index in order:
            column = self._views[index].column.id
            shown = state.shown(column)
            if shown:
                row = shown.nearest(place)
                self._focus_column, self._focus_row = index, row
                self._focus_key, self._focus_lost = shown.key_at(row), False
                break
        else:
            # (the row kept: when the cards come back, the focus comes back near it)
            self._focus_key, self._focus_row, self._focus_lost = None, place, True
        if here == self._focus_column:
            return False
        self.call_after_refresh(self._scroll_to_focus)
        return True
