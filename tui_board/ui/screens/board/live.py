"""What comes back to the board from the store: the answers to my writes, and other
people's changes from the change feed: looked at every second or so on a local store;
on a team server, waited on (a long poll the server answers when the feed moves, the
next one opened as soon as the answer is in: `ui/feed.py`).

A write the store refused shows the card as the store has it now (read again once my
writes are answered), and the focus follows it. The feed's rows my own writes made are
recognised and skipped; the cards others changed are read again, keeping the focus
where it was; a long gap or a changed column reads the whole board.

While the team server is away the board is read-only (why not a queue of card writes:
see `tui_board/ui/read_only.py`): the status line says so, keys that would change a
card say `READ_ONLY` and move nothing, and a write already on its way when the server
went down is undone on screen (the columns it changed are put back as they were before
it). Once the server answers again (the app's link watcher, or this screen's own poll),
the board reads itself again, without `r`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.message import Message
from textual.timer import Timer as Ticker

from tui_board.backend.undo import CardChange, CellChange, TimerChange, Undoable
from tui_board.core.errors import NotFound
from tui_board.core.models import Change, Column, Task, Timer
from tui_board.ui.feed import in_thread, look_at_feed, waits_on_server
from tui_board.ui.read_only import READ_ONLY, READ_ONLY_STATUS, not_stored, server_away
from tui_board.ui.screens.board.view import BoardView, read_column
from tui_board.ui.session import describe_error
from tui_board.ui.state.board import Cards
from tui_board.ui.writer import Refusal, Write

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.ui.dialogs.task_form import TaskForm

#: Changes read per poll; a longer gap than this reloads the whole board.
FEED_PAGE = 500
#: More changed cards than this in one poll reload the whole board instead.
MAX_CARD_FETCH = 40
#: Seconds between two looks (no I/O) at whether the server answers again.
BACK_CHECK_SECONDS = 0.25

#: A row of the change feed, to recognise the ones this screen wrote itself.
FeedRow = tuple[str, str, str]

#: Columns (by id) as they were before a write changed them on screen.
Columns = dict[int, Cards]


@dataclass(frozen=True)
class Outcome:
    """What a board write did: the card as the store has it now, my timer when it
    changed, a note for the user, and the change-feed rows it made."""

    task: Task | None = None
    timer_changed: bool = False
    timer: Timer | None = None
    note: str = ""
    own: tuple[FeedRow, ...] = ()
    #: The change it made, for `u` to undo.
    undo: Undoable | None = None

    def stored_version(self) -> tuple[Hashable, int] | None:
        return (self.task.key, self.task.version) if self.task is not None else None


class BoardLive(BoardView):
    """The board, kept up to date with the store."""

    #: Seconds between two looks at the change feed.
    POLL_SECONDS: ClassVar[float] = 1.0

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
        columns: dict[int, Cards] = field(default_factory=dict)

    def __init__(self) -> None:
        super().__init__()
        self._polling = False
        self._poll_failed = False
        #: The feed is waited on (a team server): each answer opens the next wait.
        self._waits = False
        #: Change-feed rows my own writes made, not yet seen in the feed.
        self._own: Counter[FeedRow] = Counter()
        #: Cards to read again once the pending writes are answered.
        self._deferred: dict[str, bool] = {}
        #: A card whose write was refused: the focus goes where the store has it.
        self._follow: str | None = None
        #: The server is away: the board is read-only (the status line says so).
        self.read_only = False
        self._back_watch: Ticker | None = None
        #: The columns each unanswered write changed on screen, as they were before it.
        self._before: dict[Write[Any], Columns] = {}
        #: Those of writes that failed with the server away, to put back in reverse.
        self._undo: list[Columns] = []
        #: New-card forms waiting, open, for their write's answer.
        self._forms: dict[Write[Any], TaskForm] = {}
        #: What asks again, with what was typed and why it was refused, for a write
        #: the store refuses (time logged with `t`: its dialog closed when it was sent).
        self._retries: dict[Write[Any], Callable[[str], None]] = {}

    def on_mount(self) -> None:
        self.set_interval(self.POLL_SECONDS, self._poll_tick)
        self.watch(self.app, "link", self._link_changed, init=False)

    # --- the server away: read-only ---------------------------------------------------------

    def refuse_offline(self) -> bool:
        """True (and the user is told) when the server is away: a key that would change
        the board does nothing."""
        if not server_away(self.board_app.backend):
            return False
        self._set_read_only(True)
        self.notify(READ_ONLY, title="Not changed", severity="warning", markup=False)
        return True

    def show_loaded(self) -> None:
        super().show_loaded()
        if self.read_only:
            self.set_status(READ_ONLY_STATUS, error=True)

    def _link_changed(self, link: str) -> None:
        self._set_read_only(link.startswith("offline"))

    def _set_read_only(self, read_only: bool) -> None:
        """The server went away (the status line says the board is read-only) or came
        back (the board reads itself again)."""
        if read_only == self.read_only:
            return
        self.read_only = read_only
        if read_only:
            self.set_status(READ_ONLY_STATUS, error=True)
            # The app's link watcher asks the server while it is away; the first answer
            # (to it or to anyone) marks the backend online: look for that often.
            self._back_watch = self.set_interval(BACK_CHECK_SECONDS, self._check_back)
        else:
            if self._back_watch is not None:
                self._back_watch.stop()
                self._back_watch = None
            self.set_status("")
            self.load()

    def _check_back(self) -> None:
        if not server_away(self.board_app.backend):
            self._set_read_only(False)

    def change_on_screen(self, column_ids: set[int]) -> Columns:
        """The columns a write is about to change on screen, as they are now (kept with
        `send_board_write(..., before=)`, put back if the server turns out to be away)."""
        assert self.state is not None
        return self.state.snapshot(column_ids)

    def send_board_write(
        self,
        write: Write[Any],
        *,
        before: Columns | None = None,
        form: TaskForm | None = None,
        retry: Callable[[str], None] | None = None,
    ) -> None:
        """Queue a write; `before`: the columns it changed on screen, as they were;
        `form`: a dialog that stays open until the write is answered; `retry`: asks
        again (given why) when the store refuses it, so that nothing typed is lost."""
        if not self.send_write(write):
            if form is not None:
                form.refused("Not connected: nothing was stored.")
            return
        if before is not None:
            self._before[write] = before
        if form is not None:
            self._forms[write] = form
        if retry is not None:
            self._retries[write] = retry

    # --- my writes' answers ------------------------------------------------------------------

    def write_stored(self, write: Write[Any], result: Any) -> None:
        self._before.pop(write, None)
        self._retries.pop(write, None)
        form = self._forms.pop(write, None)
        if form is not None:
            form.saved()
        outcome: Outcome = result
        self._own.update(outcome.own)
        if outcome.timer_changed:
            self.board_app.timer = outcome.timer
        task, state = outcome.task, self.state
        if task is not None and state is not None and task.project == state.project.key:
            state.put(task)
            column_id = state.column_of(task.key)
            index = None if column_id is None else state.column_index(column_id)
            if write.subject is None and index is not None:  # a new card: focus it
                self._focus_column, self._focus_key = index, task.key
                self._focus_row = len(state.shown(task.column_id)) - 1
                self.draw()
                self._scroll_to_focus()
            else:
                self.draw(None if column_id is None else {column_id})
        if outcome.note:
            self.notify(outcome.note, markup=False)

    def write_refused(self, write: Write[Any], refusal: Refusal) -> None:
        key = write.subject if isinstance(write.subject, str) else None
        before = self._before.pop(write, None)
        form = self._forms.pop(write, None)
        retry = self._retries.pop(write, None)
        away = refusal.kind in ("error", "skipped") and server_away(self.board_app.backend)
        if away:
            # Nothing was stored and nothing can be read: the screen goes back to what
            # it showed before the write, and the board reads itself once it is back.
            if before is not None:
                self._undo.append(before)
                if key is not None and key == self._focus_key:
                    self._follow = key
            self._set_read_only(True)
            if form is not None and form.waiting:
                form.refused(not_stored(refusal.message))
            elif refusal.kind != "skipped":
                self.notify(
                    f"{READ_ONLY}: {write.what} was not stored ({refusal.message}).",
                    title="Not stored",
                    severity="warning",
                    markup=False,
                )
            return
        if form is not None and form.waiting:
            form.refused(f"Not stored: {refusal.message}")
        elif retry is not None and refusal.kind in ("locked", "invalid", "conflict"):
            retry(f"Not stored: {refusal.message}")
        elif refusal.kind == "conflict":
            self.notify(
                f"{key or 'The card'} was changed by someone else: the board shows it as it "
                "is now. "
                "Nothing was overwritten; try again.",
                title="Not stored",
                severity="warning",
                markup=False,
            )
        elif refusal.kind != "skipped":
            self.notify(
                refusal.message, title=f"Could not {write.what}", severity="error", markup=False
            )
        if key:
            self._deferred[key] = True
            if key == self._focus_key:
                self._follow = key

    def show_undone(self, change: Undoable | None) -> None:
        """Read again the card an undo changed, with its column, and keep the focus on
        it; anything else: the whole board."""
        if isinstance(change, CardChange):
            self._deferred[change.key] = True
            self._focus_key = self._follow = change.key
        elif isinstance(change, CellChange):
            self._deferred[change.task] = False
        elif isinstance(change, TimerChange) and change.cell is not None:
            self._deferred[change.cell.task] = False
        elif not isinstance(change, TimerChange):
            super().show_undone(change)

    def writes_done(self) -> None:
        if self._waits:
            self.call_later(self._poll_tick)  # the wait skipped while my writes were out
        if self._undo:
            self._put_back()
        if self.read_only:
            # Nothing can be read now; the board reads itself when the server is back.
            self._deferred.clear()
            self._reload_after_writes = False
            return
        if self._reload_after_writes:
            self._deferred.clear()
            super().writes_done()
        elif self._deferred:
            wanted, self._deferred = self._deferred, {}
            self._fetch(wanted)

    def _put_back(self) -> None:
        """Show the columns as they were before the writes that failed, latest first."""
        undo, self._undo = self._undo, []
        state = self.state
        if state is None:
            return
        for columns in reversed(undo):
            for column_id, cards in columns.items():
                state.replace_column(column_id, cards)
        follow, self._follow = self._follow, None
        where = state.column_of(follow) if follow else None
        index = state.column_index(where) if where is not None else None
        if index is not None and follow == self._focus_key:  # the focus goes back with it
            self._focus_column = index
            self._scroll_to_focus()
        self.draw()

    # --- other people's changes: the change feed --------------------------------------------

    def _poll_tick(self) -> None:
        backend = self.board_app.backend
        if (
            backend is None
            or self.state is None
            or not self.state.complete  # a big board still being read: caught up after
            or self._polling
            or self.writes_pending
            or self.app.screen is not self  # a dialog on top: caught up once it closes
        ):
            return
        self._polling = True
        since = self._seen_seq
        if waits_on_server(backend):  # a long poll, on a thread of its own (see ui/feed.py)
            self._waits = True
            in_thread(lambda: self._read_feed(backend, since), "tui-board-board-feed")
        else:
            self._poll(backend, since)

    @work(thread=True, group="board-poll")
    def _poll(self, backend: Backend, since: int) -> None:
        self._read_feed(backend, since)

    def _read_feed(self, backend: Backend, since: int) -> None:
        try:
            changes, last = look_at_feed(backend, since, FEED_PAGE)
        except Exception:
            self.post_message(self.ChangesArrived(None, since))
            return
        self.post_message(self.ChangesArrived(changes, last, len(changes) < FEED_PAGE))

    @on(ChangesArrived)
    def _changes_arrived(self, message: ChangesArrived) -> None:
        self._polling = False
        self._take_changes(message)
        if message.changes is not None and self._waits:
            self._poll_tick()  # the next wait, now (the tick is only a fallback)

    def _take_changes(self, message: ChangesArrived) -> None:
        if message.changes is None:
            if server_away(self.board_app.backend):
                self._set_read_only(True)  # the status line says so
            elif not self._poll_failed:
                self.notify(
                    "Cannot read the change feed; the board may be out of date (r reloads).",
                    severity="warning",
                )
            self._poll_failed = True
            return
        self._poll_failed = False
        if self.read_only:  # the server is back: the board reads itself again
            self._set_read_only(False)
            return
        state = self.state
        me = self.board_app.me
        if state is None or me is None or not message.changes:
            self._seen_seq = max(self._seen_seq, message.last)
            return
        if not message.complete:
            self._seen_seq = max(self._seen_seq, message.last)
            self.load()
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
            self.load()
        elif wanted:
            self._fetch(wanted)

    def _fetch(self, wanted: dict[str, bool]) -> None:
        """Read these cards again (True: and the column each is in now, whose order
        changed), unless writes are still on their way: then after them."""
        backend = self.board_app.backend
        if backend is None or self.state is None:
            return
        if self.writes_pending:
            for key, place in wanted.items():
                self._deferred[key] = self._deferred.get(key, False) or place
            return
        board = {column.id: column for column in self.state.columns}
        self._fetch_cards(backend, self.state.project.key, wanted, board)

    @work(thread=True, group="board-fetch")
    def _fetch_cards(
        self, backend: Backend, project: str, wanted: dict[str, bool], board: dict[int, Column]
    ) -> None:
        tasks: list[Task] = []
        columns: dict[int, Cards] = {}
        try:
            for key, place in wanted.items():
                try:
                    task = backend.get_task(key)
                except NotFound:
                    continue
                tasks.append(task)
                column = board.get(task.column_id)
                if place and not task.archived and column is not None and column.id not in columns:
                    columns[column.id] = read_column(backend, project, column)
        except Exception as error:
            self.post_message(self.LoadFailed(describe_error(error)))
            return
        self.post_message(self.CardsFetched(project, tasks, columns))

    @on(CardsFetched)
    def _cards_fetched(self, message: CardsFetched) -> None:
        state = self.state
        if state is None or message.project != state.project.key:
            return
        if self.writes_pending:  # a write of mine went out meanwhile: read again after it
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
