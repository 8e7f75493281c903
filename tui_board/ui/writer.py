"""The one way the screens store what the user does: the app's writer.

Every write the user asks for (a card moved, a cell typed, a week approved) is shown at
once and queued here; one thread runs the queue in the order the writes were asked for,
and each answer comes back as a `WriteAnswered` message to the screen or dialog that
asked (see `SendsWrites`).

Versions: a write names its `subject` (a card's key, a timesheet cell) and the version
the user saw. A write asked for while an earlier write of the same subject is still
unanswered follows that one: it carries the version the store gave back for it, or is
skipped when the store refused it (the user has been told once, and sees the record as
it is now). A refusal never overwrites anything.

A thread of our own, started at once, and not a Textual worker: a worker starts on a
later turn of the event loop and is cancelled when the app quits, so a write the screen
already showed could be lost. The app waits for this thread before it closes the store
(`wait`, with a bound), and says what was not stored if the store never answered.

Each write says what it does in the user's words (`what`: "move WEB-12 to Doing") and
gets one answer with its result: what an undo would need to list and reverse.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar, cast

from textual.message import Message

from tui_board.core.errors import Conflict, Invalid, Locked
from tui_board.ui.session import describe_error

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    from tui_board.backend.protocol import Backend
    from tui_board.backend.undo import Undoable
    from tui_board.ui.app import BoardApp

#: Why a write was not stored: someone changed it first, a locked or read-only period,
#: input the store refuses, anything else, or an earlier write of it was refused.
RefusalKind = Literal["conflict", "locked", "invalid", "error", "skipped"]


class Result(Protocol):
    """What a write's `send` returns: the screen's own record of what was stored."""

    def stored_version(self) -> tuple[Hashable, int] | None:
        """The subject this write left behind and its version now (None: none), for a
        write that follows it."""
        ...


R = TypeVar("R", bound=Result)
T = TypeVar("T")


@dataclass(frozen=True)
class Stored(Generic[T]):
    """A write's result that is one record as the store has it now (a card, a comment,
    a week), with the version of its subject when it has one, and what to tell the user."""

    record: T
    subject: Hashable | None = None
    version: int | None = None
    note: str = ""
    #: The change it made, for `u` to undo (None: nothing to undo).
    undo: Undoable | None = None

    def stored_version(self) -> tuple[Hashable, int] | None:
        if self.subject is None or self.version is None:
            return None
        return self.subject, self.version


@dataclass(frozen=True, eq=False)
class Write(Generic[R]):
    """One write, as the user asked for it.

    `send(backend, version)` runs in the writer's thread: `version` is the one the user
    saw, or the one the store gave back for the unanswered write of the same subject
    before this one (None for writes that check none)."""

    #: What it does, for the user: "move WEB-12 to Doing".
    what: str
    send: Callable[[Backend, int | None], R]
    #: What its version belongs to (a card's key, a cell); None: nothing to follow.
    subject: Hashable | None = None
    version: int | None = None


@dataclass(frozen=True)
class Refusal:
    """Why the store did not store a write. `current`: the record as stored now, when
    the store said (a conflict)."""

    kind: RefusalKind
    message: str
    current: object | None = None


@dataclass
class WriteAnswered(Message, bubble=False):
    """The store's answer to a write: its result, or why it refused it."""

    write: Write[Any]
    result: Any = None
    refusal: Refusal | None = None


@dataclass
class _Queued:
    write: Write[Any]
    answer_to: MessagePump
    #: An earlier write of the same subject was unanswered when this one was asked for.
    follows: bool


class Writer:
    """The app's queue of writes and the thread that runs it (one at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._queue: deque[_Queued] = deque()
        self._running: _Queued | None = None
        self._thread: threading.Thread | None = None
        #: Writes asked for and not answered yet (answers not yet shown), by subject.
        self._unanswered: Counter[Hashable] = Counter()
        #: The version the store gave back, and the refused subjects, while writes of
        #: the subject are unanswered.
        self._versions: dict[Hashable, int] = {}
        self._refused: set[Hashable] = set()

    def send(self, write: Write[Any], backend: Backend, answer_to: MessagePump) -> None:
        """Queue a write after the ones asked for before it (on the app's thread)."""
        with self._lock:
            subject = write.subject
            follows = subject is not None and self._unanswered[subject] > 0
            if subject is not None:
                self._unanswered[subject] += 1
            self._queue.append(_Queued(write, answer_to, follows))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, args=(backend,), name="tui-board writer", daemon=True
                )
                self._thread.start()

    def answered(self, write: Write[Any]) -> None:
        """The screen has shown a write's answer: later writes of its subject follow
        what it shows now."""
        subject = write.subject
        if subject is None:
            return
        with self._lock:
            self._unanswered[subject] -= 1
            if self._unanswered[subject] <= 0:
                del self._unanswered[subject]
                self._versions.pop(subject, None)
                self._refused.discard(subject)

    def busy(self) -> bool:
        """Whether writes wait or run."""
        with self._lock:
            return self._thread is not None

    def wait(self, timeout: float) -> bool:
        """Wait until every queued write has run (at most `timeout` seconds); True when
        none is left."""
        with self._lock:
            return self._lock.wait_for(lambda: self._thread is None, timeout)

    def unsent(self) -> list[str]:
        """What the writes still waiting or running do, in order."""
        with self._lock:
            running = [self._running] if self._running is not None else []
            return [queued.write.what for queued in (*running, *self._queue)]

    def _run(self, backend: Backend) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._running = self._thread = None
                    self._lock.notify_all()
                    return
                queued = self._running = self._queue.popleft()
                version = self._version_for(queued)
            answer = self._store(queued, backend, version)
            with self._lock:
                self._remember(queued.write, answer)
                self._running = None
            self._deliver(queued, answer)

    def _version_for(self, queued: _Queued) -> int | None:
        """The version to send (under the lock); -1: skip the write."""
        write = queued.write
        if not queued.follows:
            return write.version
        if write.subject in self._refused:
            return -1
        if write.version is None:
            return None
        return self._versions.get(write.subject, write.version)

    @staticmethod
    def _store(queued: _Queued, backend: Backend, version: int | None) -> WriteAnswered:
        write = queued.write
        if version == -1:
            return WriteAnswered(write, refusal=Refusal("skipped", ""))
        try:
            result = write.send(backend, version)
        except Conflict as error:
            refusal = Refusal("conflict", error.message, error.current)
        except Locked as error:
            refusal = Refusal("locked", error.message)
        except Invalid as error:
            refusal = Refusal("invalid", error.message)
        except Exception as error:  # a user's write never ends in a traceback
            refusal = Refusal("error", describe_error(error))
        else:
            return WriteAnswered(write, result)
        return WriteAnswered(write, refusal=refusal)

    def _remember(self, write: Write[Any], answer: WriteAnswered) -> None:
        """Keep what a following write needs (under the lock)."""
        if answer.refusal is not None:
            if write.subject is not None:
                self._refused.add(write.subject)
            return
        self._refused.discard(write.subject)
        result = cast("Result | None", answer.result)
        stored = result.stored_version() if result is not None else None
        if stored is not None and self._unanswered[stored[0]] > 0:
            self._versions[stored[0]] = stored[1]

    def _deliver(self, queued: _Queued, answer: WriteAnswered) -> None:
        """Hand the answer to whoever asked; when it is gone (a dialog closed, the app
        quit), nobody shows it and the writer settles it itself."""
        delivered = False
        with contextlib.suppress(RuntimeError):  # the event loop is closed
            delivered = queued.answer_to.post_message(answer)
        if not delivered:
            self.answered(queued.write)


class SendsWrites:
    """A screen or dialog that stores through the app's writer (mixed into a Textual
    `Screen`): `send_write` queues, `write_stored` and `write_refused` see the answers,
    `writes_done` runs when none of its writes is unanswered."""

    _writes_pending = 0
    _writes_asked = 0

    @property
    def writes_pending(self) -> int:
        """This screen's writes not answered yet."""
        return self._writes_pending

    @property
    def writes_asked(self) -> int:
        """How many writes this screen ever asked for."""
        return self._writes_asked

    def _board_app(self) -> BoardApp:
        return cast("BoardApp", cast("MessagePump", self).app)

    def send_write(self, write: Write[Any]) -> bool:
        """Queue a write; False (and the user is told) when no store is open."""
        app = self._board_app()
        backend = app.backend
        if backend is None:
            app.notify("Not connected: nothing was stored.", severity="error")
            return False
        self._writes_pending += 1
        self._writes_asked += 1
        app.writer.send(write, backend, cast("MessagePump", self))
        return True

    def on_write_answered(self, message: WriteAnswered) -> None:
        app = self._board_app()
        app.writer.answered(message.write)
        self._writes_pending -= 1
        if app.undo_answered(self, message):
            pass  # an undo or a redo: the app told the user, `show_undone` showed it
        elif message.refusal is None:
            self.write_stored(message.write, message.result)
        else:
            self.write_refused(message.write, message.refusal)
        if not self._writes_pending:
            self.writes_done()

    def show_undone(self, change: Undoable | None) -> None:
        """An undo or a redo sent from here was answered: show the data as it is now
        (`change`: what it redoes in turn; None when it was refused). By default the
        screen reads its data again."""
        reload = getattr(self, "action_reload", None)
        if callable(reload):
            reload()

    def write_stored(self, write: Write[Any], result: Any) -> None:
        """A write was stored; `result` is what its `send` returned."""

    def write_refused(self, write: Write[Any], refusal: Refusal) -> None:
        """A write was refused (or skipped): nothing was stored."""

    def writes_done(self) -> None:
        """None of this screen's writes is unanswered any more."""
