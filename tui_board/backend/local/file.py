"""`FileBackend`: a local board file, answering at once.

`tui-board log 15m WEB-1` used to spend most of a second importing SQLAlchemy, SQLModel
and pydantic, to run SQL that takes SQLite a few milliseconds. The parts of the service
layer written in plain SQL (`TimeService`: who am I, the week sheet, cells, the timer,
week rows; `ReadService`: what the board reads and polls; `ScheduleService`: the
project schedule, 2,000 tasks in 50 ms where opening SQLAlchemy first took 0.4 s) need
none of them: here they run on a `FileDatabase` (the standard library's `sqlite3`).
Every other operation goes to a `LocalBackend` on the same file, opened when first asked
for (`full()`), or ahead of that in a thread (`warm()`: the app does so once its board is
drawn). It is the same code either way, one implementation of each rule; the contract
suite runs on this class as on the others (store "file").
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_board.backend.local.reads import ReadService
from tui_board.backend.local.schedule import ScheduleService
from tui_board.backend.local.time import TimeService
from tui_board.backend.local.workload import WorkloadService
from tui_board.backend.protocol import Backend
from tui_board.backend.waiting import wait_locally
from tui_board.core.clock import Clock, system_clock
from tui_board.store.file import FileDatabase

if TYPE_CHECKING:
    from tui_board.backend.local.service import LocalBackend
    from tui_board.core.models import Change
    from tui_board.store.database import Database


class QuickService(ReadService, ScheduleService, WorkloadService, TimeService):
    """The plain-SQL part of the service layer, on a `FileDatabase`."""


def _operations() -> list[str]:
    """The Backend's operations (its methods but `close`)."""
    return [
        name
        for name, value in vars(Backend).items()
        if inspect.isfunction(value) and not name.startswith("_") and name != "close"
    ]


#: The operations `QuickService` runs itself.
QUICK = frozenset(name for name in _operations() if hasattr(QuickService, name))


class FileBackend:
    """The Backend on a local board file (see the module's doc)."""

    def __init__(
        self,
        database: FileDatabase,
        login: str,
        *,
        clock: Clock = system_clock,
        full: Database | None = None,
        owns: bool = True,
    ) -> None:
        self.quick = QuickService(database, login, clock=clock)
        self.login = login
        self.clock = clock
        self.description = self.quick.description
        self.read_only = self.quick.read_only
        #: The SQLAlchemy store of the other operations: given, or opened on first use.
        self._database = full
        self._full: LocalBackend | None = None
        #: Whether closing this backend closes its stores (not one made by `as_user`).
        self._owns = owns
        self._lock = threading.Lock()
        #: Set by `close`: ends a `wait_changes` in another thread, and a warm-up still
        #: under way opens nothing more.
        self._closed = threading.Event()
        self._warming: threading.Thread | None = None

    @property
    def path(self) -> Path:
        assert self.quick.db.path is not None
        return Path(self.quick.db.path)

    def full(self) -> LocalBackend:
        """The whole service layer on this file (SQLAlchemy), opened on first use."""
        with self._lock:
            return self._open_full()

    def _open_full(self) -> LocalBackend:
        """`full()`, the lock held."""
        if self._full is None:
            from tui_board.backend.local.service import LocalBackend
            from tui_board.store.database import Database

            if self._database is None:
                self._database = Database.open(str(self.path))
            self._full = LocalBackend(self._database, self.login, clock=self.clock)
        return self._full

    def warm(self, hold: Callable[[], float] | None = None) -> threading.Thread:
        """Open the whole service layer in a thread of its own, so that the first
        operation not in plain SQL (the app's first write) finds it ready rather than
        waiting half a second for SQLAlchemy's imports. What the app does once its first
        screen is drawn and the user is idle. Returns at once; closing meanwhile is safe
        (the thread opens nothing after `close`, and `close` does not wait for its
        imports).

        `hold`, asked before each module: how many more seconds the warming is to wait
        (0 or less: none), so that it waits while the user types (its imports share the
        interpreter with the app's thread)."""
        with self._lock:
            if self._warming is None:
                self._warming = threading.Thread(
                    target=self._warm, args=(hold,), name="tui-board-warm", daemon=True
                )
                self._warming.start()
            return self._warming

    def _warm(self, hold: Callable[[], float] | None) -> None:
        # The imports first, outside the lock: `close` (the app quitting) need not wait.
        # A pause before each module gives the interpreter back to the app's thread
        # between them (else a key waits for whole imports: frames of 100-600 ms).
        pausing = _PausingImports(threading.current_thread(), hold, self._closed)
        sys.meta_path.insert(0, pausing)
        try:
            importlib.import_module("tui_board.backend.local.service")
            importlib.import_module("tui_board.store.database")
            from sqlalchemy.orm import configure_mappers

            configure_mappers()  # what the first query would do (the table classes' mappers)
        finally:
            sys.meta_path.remove(pausing)
        with self._lock:
            if not self._closed.is_set():
                with contextlib.suppress(Exception):  # the operation that needs it says why
                    self._open_full()

    def as_user(self, login: str) -> FileBackend:
        """The same file seen by another person."""
        return FileBackend(
            self.quick.db, login, clock=self.clock, full=self._full_database(), owns=False
        )

    def _full_database(self) -> Database | None:
        with self._lock:
            return self._database

    def wait_changes(self, since: int, timeout: float, *, limit: int = 500) -> list[Change]:
        return wait_locally(
            self._feed_end,
            lambda seq, most: self.quick.changes_since(seq, limit=most),
            since,
            timeout,
            limit,
            self._closed,
        )

    def _feed_end(self) -> int:
        """`last_change` on sqlite3 alone (it is the same for every reader)."""
        with self.quick.db.read() as s:
            return int(s.value("SELECT max(seq) FROM changes") or 0)

    def close(self) -> None:
        self._closed.set()
        if not self._owns:
            return
        self.quick.close()
        with self._lock:
            if self._database is not None:
                self._database.close()
            self._database = self._full = None


class _PausingImports:
    """A finder that finds nothing: it pauses the warming thread before each module it
    imports (other threads' imports are left alone), and for as long as `hold` says
    (the user typing), until closed. A module half imported is locked meanwhile: a
    thread that needs it waits for the hold too (the app's thread imports none of
    them; while it waits it takes no keys, so the hold ends)."""

    def __init__(
        self,
        thread: threading.Thread,
        hold: Callable[[], float] | None = None,
        closed: threading.Event | None = None,
    ) -> None:
        self.thread = thread
        self.hold = hold
        self.closed = closed or threading.Event()

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if threading.current_thread() is not self.thread:
            return
        time.sleep(WARM_PAUSE_S)
        if self.hold is not None:
            while not self.closed.is_set() and (wait := self.hold()) > 0:
                self.closed.wait(min(wait, WARM_HOLD_STEP_S))


#: How long warming pauses before each module it imports (a few hundred of them).
WARM_PAUSE_S = 0.001
#: How often a held warming asks again whether it may go on (seconds).
WARM_HOLD_STEP_S = 0.05


def _quick(name: str) -> Callable[..., Any]:
    def operation(self: FileBackend, *args: Any, **kwargs: Any) -> Any:
        return getattr(self.quick, name)(*args, **kwargs)

    return operation


def _full(name: str) -> Callable[..., Any]:
    def operation(self: FileBackend, *args: Any, **kwargs: Any) -> Any:
        return getattr(self.full(), name)(*args, **kwargs)

    return operation


for _name in _operations():
    if _name in FileBackend.__dict__:  # its own (`wait_changes`)
        continue
    _method = (_quick if _name in QUICK else _full)(_name)
    functools.update_wrapper(_method, getattr(Backend, _name))  # name, doc, declaration
    setattr(FileBackend, _name, _method)


def open_file(path: Path, login: str, *, clock: Clock = system_clock) -> Backend | None:
    """The board file at `path` as a FileBackend; None when its schema must be upgraded
    first (`Database.open` does that)."""
    database = FileDatabase.open(path)
    if database is None:
        return None
    return FileBackend(database, login, clock=clock)  # type: ignore[return-value]
