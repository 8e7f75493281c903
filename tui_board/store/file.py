"""A local board file opened with the standard library's `sqlite3` alone.

What `tui-board log`, `week`, `remind` and `timer` use, and the app for its first frame:
importing SQLAlchemy, SQLModel and pydantic costs several times what these commands
otherwise take. The file is checked as `Database.open` checks it (ours, on a local disk,
writable or said to be read-only); a file whose schema is not the current one is left to
`Database.open`, which upgrades it (after a backup). Connections are set up exactly as
`Database`'s, and every write runs in `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tui_board.core.errors import StoreFailed
from tui_board.store import sqlite_file
from tui_board.store.sql import Sql, begin_write, end_write

#: The newest migration in `tui_board/store/migrations/versions` (a test keeps it true).
SCHEMA_HEAD = "0009"
BUSY_TIMEOUT_MS = 10_000


def set_up_connection(conn: sqlite3.Connection) -> None:
    """What every connection to a board file runs first (SQLAlchemy's too)."""
    # Transactions are begun explicitly: BEGIN IMMEDIATE for writes (pysqlite would
    # defer them, and two processes could both read a row and both write it).
    conn.isolation_level = None
    cursor = conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


class FileTx(Sql):
    """One transaction on one `sqlite3` connection."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        #: What the service layer notes for the rest of the transaction.
        self.info: dict[str, Any] = {}

    def _connection(self) -> sqlite3.Connection:
        return self.conn


class FileDatabase:
    """A board file on this machine. Thread-safe: each transaction takes a connection
    of its own from a small pool."""

    is_sqlite = True

    def __init__(self, path: Path) -> None:
        self.path: Path | None = path
        self.read_only = False
        self._free: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        #: This process has the file open (`sqlite_file.hold`) until `close`.
        self._held: tuple[int, int] | None = None

    @classmethod
    def open(cls, path: Path) -> FileDatabase | None:
        """The board at `path`, ready to use; None when its schema must be upgraded
        first (or it has none yet): `Database.open` does that. A file that is not ours,
        missing or on a network disk is refused as `Database.open` refuses it."""
        sqlite_file.prepare(path, create=False)
        database = cls(path)
        database.read_only = sqlite_file.is_read_only(path)
        try:
            with database.explained():
                revision = database.schema_revision()
        except BaseException:
            database.close()
            raise
        if revision != SCHEMA_HEAD:
            database.close()
            return None
        database._held = sqlite_file.hold(path)
        return database

    def schema_revision(self) -> str | None:
        with self._connection(self._immutable_uri()) as conn:
            try:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.OperationalError:
                return None
        return str(row[0]) if row else None

    @contextmanager
    def explained(self) -> Iterator[None]:
        """SQLite's errors a user can cause as `StoreFailed`, one sentence each."""
        try:
            yield
        except sqlite3.Error as error:
            failed = sqlite_file.store_error(error, self.path)
            if failed is None:
                raise
            raise failed from None

    def _immutable_uri(self) -> str | None:
        """The URI to read a board others write from a folder that is not mine, while
        nobody has it open (`sqlite_file.read_only_uri`); None: a plain connection."""
        if not self.read_only or self.path is None:
            return None
        return sqlite_file.read_only_uri(self.path)

    @contextmanager
    def _connection(self, immutable: str | None = None) -> Iterator[sqlite3.Connection]:
        if immutable is not None:
            # Never kept: an immutable connection keeps its pages and takes no lock, so a
            # kept one would show the board as it was when it opened, for good.
            once = sqlite3.connect(immutable, uri=True, check_same_thread=False)
            try:
                set_up_connection(once)
                yield once
            finally:
                once.close()
            return
        with self._lock:
            conn = self._free.pop() if self._free else None
        if conn is None:
            conn = sqlite3.connect(self.path or ":memory:", check_same_thread=False)
            set_up_connection(conn)
        try:
            yield conn
        finally:
            if conn.in_transaction:  # an error left it open
                conn.execute("ROLLBACK")
            with self._lock:
                self._free.append(conn)

    @contextmanager
    def read(self) -> Iterator[FileTx]:
        """A read transaction: one snapshot for every statement in it. Read immutable
        (`_immutable_uri`), nothing holds the owner back: a read the file changed under
        (its size, time or inode, a `-wal` or `-shm` come) is refused as such, never
        taken for what the board holds (nor for damage)."""
        immutable = self._immutable_uri()
        if immutable is None:
            with self.explained(), self._connection() as conn:
                conn.execute("BEGIN")
                try:
                    yield FileTx(conn)
                finally:
                    conn.execute("ROLLBACK")
            return
        assert self.path is not None
        before = sqlite_file.file_state(self.path)
        changed = StoreFailed(
            f"{self.path} changed while it was read (its owner is writing it); try again"
        )
        try:
            with self._connection(immutable) as conn:
                conn.execute("BEGIN")
                try:
                    yield FileTx(conn)
                finally:
                    conn.execute("ROLLBACK")
        except sqlite3.DatabaseError as error:
            if sqlite_file.file_state(self.path) != before or "malformed" in str(error):
                raise changed from None
            failed = sqlite_file.store_error(error, self.path)
            if failed is None:
                raise
            raise failed from None
        if sqlite_file.file_state(self.path) != before:
            raise changed

    @contextmanager
    def write(self) -> Iterator[FileTx]:
        """A write transaction, BEGIN IMMEDIATE: committed when the block ends without
        an error, rolled back otherwise. A read-only file refuses it up front."""
        if self.read_only and self.path is not None:
            raise StoreFailed(sqlite_file.read_only_message(self.path))
        with self.explained(), self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                tx = FileTx(conn)
                begin_write(conn, tx.info)
                yield tx
                end_write(tx, tx.info)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            free, self._free = self._free, []
            held, self._held = self._held, None
        for conn in free:
            conn.close()
        sqlite_file.release(held)
