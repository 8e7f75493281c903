"""Opening a store: the engine, the transactions, the schema.

SQLite is opened in WAL mode with a busy timeout and foreign keys on, and every write
transaction begins with `BEGIN IMMEDIATE`: pysqlite's default deferred BEGIN lets two
processes read the same row and both write it, and one update is silently lost.
PostgreSQL takes row locks (`FOR UPDATE`) in the service layer instead.

A local file is opened only when it is ours and on a local disk (`sqlite_file`); it is
created, as are its backups, without rights for others (`tui_board.files`).

The schema is managed by Alembic. Opening a local file checks its revision with one
query (Alembic itself is imported only when an upgrade is due) and upgrades it after a
backup made with SQLite's backup API.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    OperationalError,
    ProgrammingError,
)
from sqlmodel import Session

from tui_board import files
from tui_board.core.errors import Invalid, StoreFailed
from tui_board.store import sqlite_file
from tui_board.store.file import BUSY_TIMEOUT_MS, SCHEMA_HEAD, set_up_connection
from tui_board.store.sql import Sql, begin_write, end_write

__all__ = [
    "SCHEMA_HEAD",
    "Database",
    "OrmTx",
    "PooledDatabase",
    "WriterBusy",
    "database_url",
    "sqlite_path",
]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

#: SQLite's own threshold for a checkpoint at commit, in pages of the log (its default).
WAL_AUTOCHECKPOINT = 1000

#: A pooled PostgreSQL connection idle this long is pinged when next checked out (a
#: database restarted meanwhile would fail it); a busy server never pays for a ping. A
#: connection that fails in use is dropped, with every idle one (`PooledDatabase`).
PING_AFTER_IDLE_S = 30.0

_begin_mode: ContextVar[str] = ContextVar("tui_board_begin_mode", default="BEGIN")


def database_url(target: str) -> str:
    """A database URL from what a user types: a path is a SQLite file."""
    if "://" in target:
        try:
            url = make_url(target)
        except (ArgumentError, ValueError):  # (a port that is not a number: ValueError)
            shown = re.sub(r"(//[^/:@]*):[^/@]*@", r"\1:***@", target)  # not its password
            raise Invalid(f"{shown!r} is not a database URL") from None
        if url.drivername in ("postgresql", "postgres") or url.drivername.startswith(
            "postgresql+"
        ):  # (whichever driver it names, ours is psycopg 3)
            url = url.set(drivername="postgresql+psycopg")
        elif not url.drivername.startswith("sqlite"):
            # (a mysql:// URL ended in "unexpected error: ModuleNotFoundError: MySQLdb")
            raise Invalid(
                f"tui-board keeps its data in a SQLite file or PostgreSQL "
                f"(postgresql://...), not {url.drivername!r}"
            )
        return url.render_as_string(hide_password=False)
    return f"sqlite:///{Path(target).expanduser().resolve()}"


def sqlite_path(target: str) -> Path | None:
    """The SQLite file a target names; None for a database server."""
    url = database_url(target)
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite") else None


class OrmTx(Session, Sql):
    """A transaction that speaks both the ORM (the parts of the service layer not yet
    in plain SQL) and plain SQL (`Sql`) on the same DB-API connection."""

    def _connection(self) -> Any:
        self.flush()  # what the ORM holds goes first, as autoflush would
        return self.connection().connection.driver_connection

    def _cursor(self, sql: str, params: dict[str, Any]) -> Any:
        """The driver's errors as SQLAlchemy's, as the ORM raises them (a value the
        store cannot hold is a `DataError`, which the team server answers with 422)."""
        dialect = self.connection().dialect
        try:
            return super()._cursor(sql, params)
        except dialect.loaded_dbapi.Error as error:
            raise _as_sqlalchemy_error(dialect, sql, params, error) from error

    def _execute_many(self, text: str, params: list[dict[str, Any]]) -> None:
        dialect = self.connection().dialect
        try:
            super()._execute_many(text, params)
        except dialect.loaded_dbapi.Error as error:
            raise _as_sqlalchemy_error(dialect, text, params, error) from error

    def _driver_error(self, error: Exception, sql: str) -> Exception:
        dialect = self.connection().dialect
        if isinstance(error, dialect.loaded_dbapi.Error):
            return _as_sqlalchemy_error(dialect, sql, {}, error)
        return error

    def plain(self) -> Sql:
        """This transaction as plain SQL alone, for a long run of statements (an
        import's cells): what the ORM holds is flushed once, here, instead of before
        every statement, and the connection is looked up once. Change no ORM object
        while using it."""
        self.flush()
        return _PlainOnOrm(self)


class _PlainOnOrm(Sql):
    """`OrmTx.plain()`: the same connection, transaction and `info`."""

    def __init__(self, tx: OrmTx) -> None:
        connection = tx.connection()
        self.dialect = tx.dialect
        self.info = tx.info
        self._dialect = connection.dialect
        self._driver = connection.connection.driver_connection

    def _connection(self) -> Any:
        return self._driver

    def _cursor(self, sql: str, params: dict[str, Any]) -> Any:
        try:
            return super()._cursor(sql, params)
        except self._dialect.loaded_dbapi.Error as error:
            raise _as_sqlalchemy_error(self._dialect, sql, params, error) from error

    def _execute_many(self, text: str, params: list[dict[str, Any]]) -> None:
        try:
            super()._execute_many(text, params)
        except self._dialect.loaded_dbapi.Error as error:
            raise _as_sqlalchemy_error(self._dialect, text, params, error) from error

    def _driver_error(self, error: Exception, sql: str) -> Exception:
        if isinstance(error, self._dialect.loaded_dbapi.Error):
            return _as_sqlalchemy_error(self._dialect, sql, {}, error)
        return error


def _as_sqlalchemy_error(dialect: Any, sql: str, params: Any, error: Exception) -> Exception:
    return DBAPIError.instance(sql, params, error, dialect.loaded_dbapi.Error, dialect=dialect)


class Database:
    """One store: an engine and its transactions. Thread-safe; one per process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        #: The plain-SQL transactions on this engine's pool (`pooled`), made once.
        self._pooled: PooledDatabase | None = None
        self.is_sqlite = engine.dialect.name == "sqlite"
        database = engine.url.database
        self.path: Path | None = Path(database) if self.is_sqlite and database else None
        #: This process has the file open (`sqlite_file.hold`) until `close`.
        self._held: tuple[int, int] | None = None
        #: The caller cannot write the file (`Database.open` finds out): reads work,
        #: every write is refused up front with one sentence.
        self.read_only = False
        #: SQLite: this process's writers take turns here before `BEGIN IMMEDIATE`.
        #: SQLite's own wait for its write lock is a sleep of 1 to 100 ms between
        #: tries, so threads of one server contending for it idled (a busy server
        #: did 45% nothing, and its slowest writes waited 100 ms); a lock wakes the
        #: next writer the moment the last one commits. Other processes still meet
        #: SQLite's lock and its busy timeout.
        self.writing = threading.RLock() if self.is_sqlite else contextlib.nullcontext()

    # --- opening --------------------------------------------------------------------

    @classmethod
    def connect(cls, target: str, *, read_only_uri: str | None = None) -> Database:
        """`read_only_uri`: a SQLite file read by that URI (`sqlite_file.read_only_uri`)."""
        url = database_url(target)
        if url.startswith("sqlite"):
            # Connections are cheap to keep and costly to open (each runs the PRAGMAs
            # above): keep enough for a server's thread pool, so none churn.
            options: dict[str, Any] = {
                "connect_args": {"check_same_thread": False},
                "pool_size": 20,
                "max_overflow": 20,
            }
            if read_only_uri is not None:
                # A new immutable connection each time, never kept (a kept one shows the
                # board as it was when it opened, for good).
                from sqlalchemy.pool import NullPool

                options = {
                    "creator": lambda: sqlite3.connect(
                        read_only_uri, uri=True, check_same_thread=False
                    ),
                    "poolclass": NullPool,
                }
            engine = create_engine(url, **options)
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_on_begin)
        else:
            from tui_board.extras import import_extra

            import_extra("psycopg", "postgres")
            # No `pool_pre_ping`: a round trip on every checkout, a third of a week
            # read's. An idle connection is pinged instead (`_ping_if_idle`).
            engine = create_engine(url, pool_size=10, max_overflow=20)
            event.listen(engine, "checkin", _note_checkin)
            event.listen(engine, "checkout", _ping_if_idle)
        return cls(engine)

    @classmethod
    def open(cls, target: str, *, create: bool = False, migrate: bool = True) -> Database:
        """Open a store for use. A SQLite file must be ours (see `sqlite_file`); one that
        does not exist, or an empty one, is an error unless `create`. An old local schema
        is upgraded (after a backup) when `migrate`."""
        path = sqlite_path(target)
        if path is not None:
            sqlite_file.prepare(path, create=create)
        read_only = path is not None and sqlite_file.is_read_only(path)
        uri = sqlite_file.read_only_uri(path) if read_only and path is not None else None
        database = cls.connect(target, read_only_uri=uri)
        database.read_only = read_only
        try:
            with database.explained():
                database._bring_up_to_date(create=create, migrate=migrate)
        except BaseException:
            database.close()
            raise
        if path is not None:
            database._held = sqlite_file.hold(path)
        return database

    def _bring_up_to_date(self, *, create: bool, migrate: bool) -> None:
        revision = self.schema_revision()
        if revision == SCHEMA_HEAD:
            return
        if revision is not None and revision > SCHEMA_HEAD:
            raise Invalid(
                f"the database is at schema {revision}, newer than this tui-board "
                f"({SCHEMA_HEAD}); upgrade tui-board"
            )
        if not self.is_sqlite and revision is not None and not create:
            raise Invalid(
                f"the database schema is {revision}, not {SCHEMA_HEAD}; "
                "run `tui-board db upgrade` on the server"
            )
        if migrate or revision is None:
            if self.read_only and self.path is not None:
                raise StoreFailed(
                    f"{sqlite_file.read_only_message(self.path)}, and its schema must be "
                    f"upgraded first by someone who can: tui-board db upgrade --db {self.path}"
                )
            if revision is not None and self.path is not None:
                self.backup_before_upgrade(revision)
            self.upgrade()

    @contextmanager
    def explained(self) -> Iterator[None]:
        """SQLite's errors a user can cause (a read-only, damaged, busy or full file)
        raised as `StoreFailed`, one sentence each; any other error as it was."""
        try:
            yield
        except (DBAPIError, sqlite3.Error) as error:
            failed = sqlite_file.store_error(error, self.path) if self.is_sqlite else None
            if failed is None:
                raise
            raise failed from None

    def close(self) -> None:
        self.engine.dispose()
        held, self._held = self._held, None
        sqlite_file.release(held)

    # --- transactions --------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[OrmTx]:
        """A read transaction (deferred on SQLite: readers never wait for writers)."""
        with self.explained(), self._session() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[OrmTx]:
        """A write transaction: BEGIN IMMEDIATE on SQLite, committed when the block
        ends without an error and rolled back otherwise. A read-only file refuses it
        before anything is typed into it."""
        if self.read_only and self.path is not None:
            raise StoreFailed(sqlite_file.read_only_message(self.path))
        with self.writing, self.explained(), self._session() as session:
            token: Token[str] = _begin_mode.set("BEGIN IMMEDIATE")
            try:
                begun = session.connection()  # begin now, while the mode is set
            finally:
                _begin_mode.reset(token)
            if self.is_sqlite:
                begin_write(begun.connection.driver_connection, session.info)
            try:
                yield session
                end_write(session, session.info)
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @property
    def pooled(self) -> PooledDatabase:
        """Plain-SQL transactions on this store's pooled connections, without a
        Session: what the server runs the plain-SQL operations on."""
        if self._pooled is None:
            self._pooled = PooledDatabase(self)
        return self._pooled

    def _session(self) -> OrmTx:
        session = OrmTx(self.engine, expire_on_commit=False)
        session.dialect = "sqlite" if self.is_sqlite else "postgresql"
        return session

    # --- schema ------------------------------------------------------------------------

    def schema_revision(self) -> str | None:
        """The Alembic revision of the store, None when it has no schema yet."""
        try:
            with self.engine.connect() as conn:
                row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
                return str(row[0]) if row else None
        except (OperationalError, ProgrammingError):
            return None

    def upgrade(self, revision: str = "head") -> None:
        """Run Alembic's migrations. On PostgreSQL an advisory lock makes several
        servers starting at once take turns instead of racing."""
        from alembic import command
        from alembic.config import Config as AlembicConfig

        config = AlembicConfig()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self.engine.begin() as conn:
            if not self.is_sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(7320411)"))
            config.attributes["connection"] = conn
            command.upgrade(config, revision)

    def backup(self, destination: Path, *, replace: bool = False) -> Path:
        """A consistent copy of a SQLite store, made with SQLite's online backup API,
        with the rights its folder implies. An existing file is replaced only when
        `replace` (and never the store itself)."""
        if self.path is None:
            raise Invalid("backup works on a SQLite file; use pg_dump for PostgreSQL")
        destination = destination.expanduser()
        if destination.is_dir():
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            destination = destination / f"{self.path.stem}-{stamp}.db"
        if destination.resolve() == self.path.resolve():
            raise Invalid(f"{destination} is the database itself; back it up elsewhere")
        exists = f"{destination} already exists and was left unchanged (--force replaces it)"
        if destination.exists() and not replace:
            raise Invalid(exists)
        if not destination.parent.is_dir():  # a typo in a path made a tree of folders
            raise Invalid(f"no folder {destination.parent}: make it first, or name another")
        try:
            with files.new_file(destination, replace=replace) as copy:
                source = sqlite3.connect(self.path)
                try:
                    target = sqlite3.connect(copy)
                    try:
                        source.backup(target)
                    finally:
                        target.close()
                finally:
                    source.close()
        except FileExistsError:  # made meanwhile
            raise Invalid(exists) from None
        except (OSError, sqlite3.Error) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise Invalid(f"cannot write {destination}: {reason}") from None
        return destination

    def backup_before_upgrade(self, revision: str) -> Path:
        assert self.path is not None
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        name = f"{self.path.name}.{revision}-{stamp}.bak"
        return self.backup(self.path.with_name(name), replace=True)


class PoolTx(Sql):
    """One plain-SQL transaction on a pooled DB-API connection."""

    def __init__(self, conn: Any, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect
        #: What the service layer notes for the rest of the transaction.
        self.info: dict[str, Any] = {}

    def _connection(self) -> Any:
        return self.conn


class PooledDatabase:
    """A `Database`'s plain-SQL transactions, each on a connection of the engine's pool
    taken for it alone: no Session, no SQLAlchemy Connection, no ping. What the service
    layer's plain-SQL part needs of a store (`read`, `write`, `is_sqlite`, `path`,
    `read_only`), as `store.file.FileDatabase` gives it for a local file.

    SQLite: `BEGIN` (readers never wait) or `BEGIN IMMEDIATE`, as `Database` does.
    PostgreSQL: a read runs each statement on its own (autocommit): under READ
    COMMITTED, PostgreSQL's level and ours, every statement of a transaction sees its
    own snapshot anyway, so BEGIN and ROLLBACK would be two round trips for nothing. A
    write is one transaction, committed at the end of the block."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.engine = database.engine
        self.is_sqlite = database.is_sqlite
        self.path = database.path
        self._dialect = "sqlite" if self.is_sqlite else "postgresql"

    @property
    def read_only(self) -> bool:
        return self.database.read_only

    def explained(self) -> Any:
        return self.database.explained()

    def close(self) -> None:
        """The pool is the `Database`'s: closing that closes it."""

    @contextmanager
    def _checkout(self) -> Iterator[Any]:
        pooled = self.engine.raw_connection()
        conn = pooled.driver_connection
        try:
            yield conn
        except BaseException as error:
            if _connection_lost(conn, error):
                # The server went away: this connection, and every idle one, is dead.
                pooled.invalidate(error)
                self.engine.pool.dispose()
            raise
        finally:
            pooled.close()  # back to the pool (rolled back by it if still open)

    @contextmanager
    def read(self) -> Iterator[PoolTx]:
        with self.explained(), self._checkout() as conn:
            if self.is_sqlite:
                conn.execute("BEGIN")
                try:
                    yield PoolTx(conn, self._dialect)
                finally:
                    conn.execute("ROLLBACK")
                return
            conn.autocommit = True
            try:
                yield PoolTx(conn, self._dialect)
            finally:
                if not conn.closed:
                    conn.autocommit = False  # as the pool's other users expect it

    def at_once(self) -> _AtOnce:
        """These transactions, with writes that never wait for the file's write lock:
        they raise `WriterBusy` when another writer holds it, before anything is done
        (SQLite; the team server writes on its event loop when it can, and on a thread
        when it cannot)."""
        return _AtOnce(self)

    @contextmanager
    def write(self, *, at_once: bool = False) -> Iterator[PoolTx]:
        if self.read_only and self.path is not None:
            raise StoreFailed(sqlite_file.read_only_message(self.path))
        lock: Any = self.database.writing
        at_once = at_once and self.is_sqlite
        if at_once and not lock.acquire(blocking=False):
            raise WriterBusy("this process has a write under way")
        with lock if not at_once else _held(lock), self.explained(), self._checkout() as conn:
            if self.is_sqlite and at_once:
                _begin_at_once(conn)
            elif self.is_sqlite:
                conn.execute("BEGIN IMMEDIATE")
            try:
                tx = PoolTx(conn, self._dialect)
                if self.is_sqlite:
                    begin_write(conn, tx.info)
                yield tx
                end_write(tx, tx.info)
            except BaseException:
                if not getattr(conn, "closed", False):
                    conn.rollback() if not self.is_sqlite else conn.execute("ROLLBACK")
                raise
            if self.is_sqlite and at_once:
                _commit_without_checkpoint(conn)
            elif self.is_sqlite:
                conn.execute("COMMIT")
            else:
                conn.commit()

    def checkpoint(self) -> tuple[int, int, int]:
        """SQLite: copy the write-ahead log into the file as far as readers allow
        (PASSIVE: it waits for nobody), the checkpoint that writes `at_once` leave out;
        SQLite's (busy, frames in the log, frames copied)."""
        with self._checkout() as conn:
            busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(busy), int(frames), int(copied)


class WriterBusy(Exception):
    """Another writer holds the file's write lock (`PooledDatabase.at_once`)."""


class _AtOnce:
    """`PooledDatabase.at_once()`: its reads, and writes that do not wait."""

    def __init__(self, pooled: PooledDatabase) -> None:
        self.pooled = pooled
        self.is_sqlite = pooled.is_sqlite
        self.path = pooled.path
        self.engine = pooled.engine
        self.read = pooled.read

    @property
    def read_only(self) -> bool:
        return self.pooled.read_only

    def write(self) -> Any:
        return self.pooled.write(at_once=True)


@contextmanager
def _held(lock: Any) -> Iterator[None]:
    """A lock already acquired, released at the end of the block."""
    try:
        yield
    finally:
        lock.release()


def _begin_at_once(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, or `WriterBusy` at once when another connection (of any
    process) holds the write lock: SQLite's busy timeout off for this one BEGIN."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error) and "busy" not in str(error):
            raise
        raise WriterBusy(str(error)) from None
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _commit_without_checkpoint(conn: sqlite3.Connection) -> None:
    """COMMIT without the checkpoint SQLite runs in the committing connection once the
    log is past its threshold (page copies and a sync of the file: on the team server's
    event loop, a stall of every request; `PooledDatabase.checkpoint` runs it on a
    thread instead)."""
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        conn.execute("COMMIT")
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")


def _connection_lost(conn: Any, error: BaseException) -> bool:
    """Whether `error` left a PostgreSQL connection unusable (closed or broken)."""
    return bool(getattr(conn, "closed", False) or getattr(conn, "broken", False))


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Ping a connection that sat idle for a while; a dead one is replaced (SQLAlchemy
    retries the checkout on `DisconnectionError`)."""
    since = record.info.get("checked_in")
    if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        dbapi_connection.rollback()
    except Exception as error:
        raise DisconnectionError(str(error)) from error


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it).
    set_up_connection(dbapi_connection)


def _sqlite_on_begin(conn: Any) -> None:
    conn.exec_driver_sql(_begin_mode.get())
