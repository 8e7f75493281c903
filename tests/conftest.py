"""Shared fixtures: a settable clock and `backend_factory`, every backend under test.

`backend_factory` (and `harness`, which it comes from) is parametrized over the stores
in `STORES`; each param is a harness whose `make(login)` returns a `Backend` for that
person on one fresh store shared by everyone the test makes. To add a backend, write
a harness with the `Harness` shape (as `RemoteHarness` does), add its name to `STORES`
and a branch to `_harness`. The contract tests need nothing else.

"remote": RemoteBackends through one real uvicorn server per test session (per xdist
worker, see tests/live_server.py) that each test points at its own SQLite store and
clock (`RemoteHarness`). Everything a remote client cannot do itself goes through the
service layer on the same store, as the local stores would: the first login to call
`me()` on an empty store becomes its admin, and a person who exists gets an API token
(`tb_contract_<login>`, inserted as a row: no change on the feed) before their first
call; a login that is no user has no token, so the server refuses it (Forbidden).
`save`/`restore`/`dump` are SQLite's on that store; `dump` leaves out the harness's own
token rows (the plumbing of the harness, made when a person first calls).

SQLite: each test gets a copy of a store migrated once per session, in its tmp_path.
PostgreSQL: one database per test session (per xdist worker), named
`tui_board_test_<host>_<pid>_<n>`, on the server named by `TUI_BOARD_TEST_POSTGRES`
(default `postgresql://postgres@127.0.0.1:5432/test`: where to connect for CREATE and
DROP DATABASE), dropped at the end, emptied (ids restarted) before each test. When the
server is unreachable the PostgreSQL params are skipped, except when `CI=true`: CI must
never skip them.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import pytest

if TYPE_CHECKING:
    from tests.live_server import LiveServer, SwitchableClock, SwitchableDatabase
    from tui_board.backend.local import LocalBackend
    from tui_board.backend.protocol import Backend
    from tui_board.backend.remote import RemoteBackend
    from tui_board.store.database import Database

#: Wednesday 25 November 2026, 10:00 UTC: ISO week 2026-W48 (2026 has a week 53).
CLOCK_START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

#: Every backend the contract suite runs on.
#: "file": a local board file as the CLI and the app open it (`FileBackend`: the
#: plain-SQL operations on `sqlite3`, the rest on LocalBackend).
#: "remote-postgres": RemoteBackends through a server on PostgreSQL.
STORES = ("sqlite", "postgres", "remote", "remote-postgres", "file")
#: The stores under LocalBackend itself, for tests of what only it has (API tokens).
LOCAL_STORES = ("sqlite", "postgres")

PG_ADMIN_URL = os.environ.get(
    "TUI_BOARD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
_db_numbers = itertools.count(1)
#: Test databases are `tui_board_test_<host>_<pid>_<n>`: a run that was killed leaves
#: one behind, which the next run on the same host drops once that process is gone.
_DB_PREFIX = f"tui_board_test_{hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]}_"


class MutableClock:
    """A clock the test sets: `clock.now = ...`, `clock.advance(minutes=90)`."""

    def __init__(self, now: datetime = CLOCK_START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
        """`clock.set(2026, 12, 30)`: that day at 10:00 UTC (or the given time)."""
        self.now = datetime(year, month, day, hour, minute, tzinfo=UTC)
        return self.now


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock()


@pytest.fixture(autouse=True)
def data_folder_apart(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test's data folder is its own: what an app under test keeps for itself
    (tui_board/kept.py) never reaches the user's folder, nor the next test."""
    monkeypatch.setenv("TUI_BOARD_DATA", str(tmp_path_factory.mktemp("data")))


# --- harnesses -------------------------------------------------------------------------

#: Stores saved by `Harness.save`, by (store, key): each test process keeps its own.
_saved: dict[tuple[str, str], Any] = {}


class Harness(Protocol):
    name: str

    def make(self, login: str) -> Backend: ...

    def save(self, key: str) -> None:
        """Remember what the store holds now under `key` (for this test process)."""

    def restore(self, key: str) -> bool:
        """Make the store hold what `save(key)` saw; False when nothing was saved.
        Only before the first `make`: a fixture that builds a scenario through the
        protocol once, then restores it for every later test, in a few milliseconds."""

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, by table: what "nothing changed" compares."""

    def close(self) -> None: ...


@dataclass
class LocalHarness:
    """LocalBackends on one `Database`; `make` is cheap (no connection of its own)."""

    name: str
    database: Database
    clock: MutableClock
    made: list[LocalBackend] = field(default_factory=list)

    def make(self, login: str) -> LocalBackend:
        from tui_board.backend.local import LocalBackend

        backend = LocalBackend(self.database, login, clock=self.clock)
        self.made.append(backend)
        return backend

    def close(self) -> None:
        pass

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        with self.database.engine.connect() as conn:
            return {
                t.name: [tuple(r) for r in conn.execute(t.select().order_by(*t.primary_key))]
                for t in _tables()
            }


@dataclass
class SqliteHarness(LocalHarness):
    folder: Path = Path()
    cache: Path = Path()

    def save(self, key: str) -> None:
        _saved[(self.name, key)] = self.database.backup(self.cache / f"{key}.db", replace=True)

    def restore(self, key: str) -> bool:
        saved = _saved.get((self.name, key))
        if saved is None:
            return False
        assert not self.made, "restore before making any backend"
        self.database.close()
        self.database = fresh_sqlite(saved, self.folder, name=f"{key}.db")
        return True

    def close(self) -> None:
        self.database.close()


@dataclass
class FileHarness(SqliteHarness):
    """FileBackends on one file: `sqlite3` for the operations in plain SQL, the
    harness's own `Database` for the rest."""

    quick: Any = None

    def make(self, login: str) -> Any:
        from tui_board.backend.local.file import FileBackend
        from tui_board.store.file import FileDatabase

        if self.quick is None:
            assert self.database.path is not None
            self.quick = FileDatabase.open(self.database.path)
            assert self.quick is not None
        backend = FileBackend(self.quick, login, clock=self.clock, full=self.database, owns=False)
        self.made.append(cast(Any, backend))
        return backend

    def restore(self, key: str) -> bool:
        assert self.quick is None, "restore before making any backend"
        return super().restore(key)

    def close(self) -> None:
        if self.quick is not None:
            self.quick.close()
        super().close()


@dataclass
class PostgresHarness(LocalHarness):
    def save(self, key: str) -> None:
        _saved[(self.name, key)] = pg_rows(self.database)

    def restore(self, key: str) -> bool:
        saved = _saved.get((self.name, key))
        if saved is None:
            return False
        assert not self.made, "restore before making any backend"
        pg_reset(self.database, saved)
        return True


# --- remote: a real server on the test's SQLite store -----------------------------------------

#: The name of the token rows the remote harness makes (left out of its `dump`).
HARNESS_TOKEN = "contract-harness"


def harness_token(login: str) -> str:
    return f"tb_contract_{login}"


@dataclass
class RemoteServer:
    """The session's live server, and the store and clock it serves now."""

    live: LiveServer
    database: SwitchableDatabase
    clock: SwitchableClock


@pytest.fixture(scope="session")
def remote_server(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RemoteServer]:
    """One live server for the session (building its app takes ~0.1 s), which each
    remote harness points at its own store and clock."""
    from tests.live_server import LiveServer, SwitchableClock, SwitchableDatabase
    from tui_board.store.database import Database

    idle = fresh_sqlite(sqlite_template, tmp_path_factory.mktemp("idle"))  # between tests
    database, clock = SwitchableDatabase(idle), SwitchableClock()
    live = LiveServer(cast(Database, database), clock=clock).start()
    try:
        yield RemoteServer(live, database, clock)
    finally:
        live.stop()
        idle.close()


class _RemoteHarness:
    """RemoteBackends through a session's server, which serves this harness's store
    (`database`: the local view, for `dump` and for what a client cannot do)."""

    database: Database
    clock: MutableClock
    folder: Path
    server: RemoteServer | None
    made_remote: list[RemoteBackend]

    def _serve(self) -> None:
        assert self.server is not None
        self.server.database.target = self.database
        self.server.clock.target = self.clock

    def make(self, login: str) -> RemoteBackend:
        from tests.live_server import PreparedRemoteBackend

        assert self.server is not None
        queue_dir = self.folder / "offline" / f"{len(self.made_remote)}-{login}"
        backend = PreparedRemoteBackend.prepared(
            self.server.live.url,
            harness_token(login),
            prepare=lambda first_call: self.prepare(login, me=first_call == "me"),
            clock=self.clock,
            queue_dir=queue_dir,
        )
        self.made_remote.append(backend)
        return backend

    def prepare(self, login: str, *, me: bool) -> bool:
        """What the server needs before `login`'s first call: on an empty store, `me()`
        makes them its admin (the service layer's rule, which only a local caller can
        trigger); a person gets their token. False when `login` is no user (yet)."""
        from sqlalchemy import func
        from sqlmodel import select

        from tui_board.backend.local import LocalBackend
        from tui_board.backend.local.people import hash_token
        from tui_board.store.tables import ApiTokenRow, UserRow

        if me:
            with self.database.read() as s:
                empty = s.exec(select(func.count()).select_from(UserRow)).one() == 0
            if empty:
                LocalBackend(self.database, login, clock=self.clock).me()
        token_hash = hash_token(harness_token(login))
        with self.database.read() as s:
            user_id = s.exec(select(UserRow.id).where(UserRow.login == login)).first()
            known = select(ApiTokenRow.id).where(ApiTokenRow.token_hash == token_hash)
            if user_id is None or s.exec(known).first() is not None:
                return user_id is not None
        with self.database.write() as s:
            token = ApiTokenRow(
                user_id=user_id, token_hash=token_hash, name=HARNESS_TOKEN, created=self.clock()
            )
            s.add(token)
        return True

    @staticmethod
    def _without_harness_rows(
        rows: dict[str, list[tuple[Any, ...]]],
    ) -> dict[str, list[tuple[Any, ...]]]:
        from tui_board.store.tables import ApiTokenRow

        name = list(ApiTokenRow.__table__.columns.keys()).index("name")  # type: ignore[attr-defined]
        rows["api_tokens"] = [r for r in rows["api_tokens"] if r[name] != HARNESS_TOKEN]
        # The harness's tokens, made at a person's first call, are writes: they move the
        # store's epoch (the local harnesses still hold it to "nothing changed").
        rows.pop("store_epoch", None)
        return rows

    def __post_init__(self) -> None:
        self._serve()

    def restore(self, key: str) -> bool:
        assert not self.made_remote, "restore before making any backend"
        restored = super().restore(key)  # type: ignore[misc]
        self._serve()
        return bool(restored)

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        rows = super().dump()  # type: ignore[misc]
        return self._without_harness_rows(rows)

    def close(self) -> None:
        for backend in self.made_remote:
            backend.close()
        super().close()  # type: ignore[misc]


@dataclass
class RemoteHarness(_RemoteHarness, SqliteHarness):  # type: ignore[misc]
    """RemoteBackends through the session's server on this harness's SQLite store."""

    server: RemoteServer | None = None
    made_remote: list[RemoteBackend] = field(default_factory=list)


@dataclass
class RemotePostgresHarness(_RemoteHarness, PostgresHarness):  # type: ignore[misc]
    """RemoteBackends through the session's server on PostgreSQL: the session's
    database, emptied for each test. The server runs the plain-SQL part of the service
    layer on its event loop (`server/green.py`), a path no other store takes."""

    folder: Path = Path()
    server: RemoteServer | None = None
    made_remote: list[RemoteBackend] = field(default_factory=list)

    def _serve(self) -> None:
        """The store was emptied (and filled): its epoch and feed went back, which a
        server never sees in use; its read cache starts again."""
        super()._serve()
        assert self.server is not None
        self.server.live.app.read_cache.forget()


@pytest.fixture(scope="session")
def remote_postgres_server(
    postgres_session_db: tuple[str, Database],
) -> Iterator[RemoteServer]:
    """One live server for the session on its PostgreSQL database."""
    from tests.live_server import LiveServer, SwitchableClock, SwitchableDatabase

    _url, database = postgres_session_db
    switchable, clock = SwitchableDatabase(database), SwitchableClock()
    live = LiveServer(cast("Database", switchable), clock=clock).start()
    try:
        yield RemoteServer(live, switchable, clock)
    finally:
        live.stop()


# --- SQLite: a migrated template, copied per test ------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store at the schema head, made once; each test gets a fresh copy of it."""
    from tui_board.store.database import Database

    folder = tmp_path_factory.mktemp("template")
    database = Database.open(str(folder / "build.db"), create=True)
    try:
        return database.backup(folder / "template.db")
    finally:
        database.close()


def fresh_sqlite(template: Path, folder: Path, name: str = "board.db") -> Database:
    from tui_board.store.database import Database

    path = folder / name
    shutil.copyfile(template, path)
    return Database.open(str(path))


# --- PostgreSQL: one database per session, emptied per test ---------------------------------


def _pg_unavailable(reason: str) -> None:
    message = f"PostgreSQL at {PG_ADMIN_URL} is not usable ({reason})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true, so the PostgreSQL tests must run", pytrace=False)
    pytest.skip(f"{message}; set TUI_BOARD_TEST_POSTGRES to run these tests")


def _pg_admin_conninfo() -> str:
    from sqlalchemy.engine import make_url

    url = make_url(PG_ADMIN_URL)
    parts = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "password": url.password,
        "dbname": url.database or "postgres",
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v is not None)


@dataclass
class PostgresServer:
    conninfo: str
    admin_url: str

    def create_database(self) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg
        from sqlalchemy.engine import make_url

        name = f"{_DB_PREFIX}{os.getpid()}_{next(_db_numbers)}"
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
            # A test store need not survive a crash: commits skip the WAL flush.
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        url = make_url(self.admin_url).set(drivername="postgresql+psycopg", database=name)
        return url.render_as_string(hide_password=False)

    def drop_leftovers(self) -> None:
        """Drop this host's test databases whose process is gone (a killed run)."""
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            names = [
                row[0]
                for row in conn.execute(
                    "SELECT datname FROM pg_database WHERE starts_with(datname, %s)",
                    (_DB_PREFIX,),
                )
            ]
            for name in names:
                pid = name.removeprefix(_DB_PREFIX).split("_")[0]
                if pid.isdigit() and not _alive(int(pid)):
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_database(self, url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    try:
        import psycopg
    except ImportError as error:  # pragma: no cover - psycopg is a test dependency
        _pg_unavailable(f"psycopg is not installed: {error}")
        raise
    conninfo = _pg_admin_conninfo()
    try:
        with psycopg.connect(conninfo, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        _pg_unavailable(str(error).strip().splitlines()[0] if str(error) else repr(error))
    server = PostgresServer(conninfo, PG_ADMIN_URL)
    server.drop_leftovers()
    return server


@pytest.fixture(scope="session")
def postgres_session_db(postgres_server: PostgresServer) -> Iterator[tuple[str, Database]]:
    """This session's database at the schema head, and one `Database` on it."""
    from tui_board.store.database import Database

    url = postgres_server.create_database()
    database = Database.open(url, create=True)
    try:
        yield url, database
    finally:
        database.close()
        postgres_server.drop_database(url)


def _tables() -> list[Any]:
    from sqlmodel import SQLModel

    import tui_board.store.tables  # noqa: F401 - registers the tables

    return list(SQLModel.metadata.sorted_tables)


def pg_rows(database: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the schema, by table name."""
    with database.engine.connect() as conn:
        return {t.name: [dict(r._mapping) for r in conn.execute(t.select())] for t in _tables()}


def pg_reset(database: Database, rows: dict[str, list[dict[str, Any]]] | None = None) -> None:
    """Empty the schema's tables (not Alembic's), put `rows` back and set every id
    sequence after the largest id, in one transaction. Faster than TRUNCATE on the
    few rows a test makes."""
    from sqlalchemy import Integer, func, literal, select

    rows = rows or {}
    tables = _tables()
    with database.engine.begin() as conn:
        for table in reversed(tables):
            conn.execute(table.delete())
        for table in tables:
            if rows.get(table.name):
                conn.execute(table.insert(), rows[table.name])
        sequences = []
        for table in tables:
            (pk, *more) = table.primary_key.columns
            if more or pk.foreign_keys or not isinstance(pk.type, Integer):
                continue
            top = select(func.max(pk)).scalar_subquery()
            sequences.append(
                func.setval(
                    func.pg_get_serial_sequence(literal(table.name), literal(pk.name)),
                    func.coalesce(top, 1),
                    top.is_not(None),
                )
            )
        conn.execute(select(*sequences))


@pytest.fixture
def postgres_url(postgres_session_db: tuple[str, Database]) -> str:
    """The URL of an emptied PostgreSQL store at the schema head (for tests that open
    their own connections, e.g. from other processes)."""
    url, database = postgres_session_db
    pg_reset(database)
    return url


# --- the fixture the contract suite uses -------------------------------------------------------


def _harness(request: pytest.FixtureRequest, store: str, clock: MutableClock) -> Any:
    if store == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        folder = request.getfixturevalue("tmp_path")
        cache = request.getfixturevalue("tmp_path_factory").getbasetemp()
        return SqliteHarness(
            store, fresh_sqlite(template, folder), clock, folder=folder, cache=cache
        )
    if store == "file":
        template = request.getfixturevalue("sqlite_template")
        folder = request.getfixturevalue("tmp_path")
        cache = request.getfixturevalue("tmp_path_factory").getbasetemp()
        return FileHarness(store, fresh_sqlite(template, folder), clock, folder=folder, cache=cache)
    if store == "postgres":
        _url, database = request.getfixturevalue("postgres_session_db")
        pg_reset(database)
        return PostgresHarness(store, database, clock)
    if store == "remote":
        template = request.getfixturevalue("sqlite_template")
        folder = request.getfixturevalue("tmp_path")
        cache = request.getfixturevalue("tmp_path_factory").getbasetemp()
        return RemoteHarness(
            store,
            fresh_sqlite(template, folder),
            clock,
            folder=folder,
            cache=cache,
            server=request.getfixturevalue("remote_server"),
        )
    if store == "remote-postgres":
        _url, database = request.getfixturevalue("postgres_session_db")
        pg_reset(database)
        return RemotePostgresHarness(
            store,
            database,
            clock,
            folder=request.getfixturevalue("tmp_path"),
            server=request.getfixturevalue("remote_postgres_server"),
        )
    raise AssertionError(f"unknown store {store!r}")


@pytest.fixture(params=STORES)
def store_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def harness(request: pytest.FixtureRequest, store_name: str, clock: MutableClock) -> Iterator[Any]:
    harness = _harness(request, store_name, clock)
    try:
        yield harness
    finally:
        harness.close()


@pytest.fixture(params=LOCAL_STORES)
def local_harness(request: pytest.FixtureRequest, clock: MutableClock) -> Iterator[Any]:
    """Like `harness`, always over LocalBackend (whatever `STORES` grows to)."""
    harness = _harness(request, str(request.param), clock)
    try:
        yield harness
    finally:
        harness.close()


@pytest.fixture
def backend_factory(harness: Any) -> Callable[[str], Backend]:
    """`make(login) -> Backend` on one fresh store shared by everyone the test makes.
    On an empty store, the first login that calls `.me()` becomes its admin."""
    return harness.make  # type: ignore[no-any-return]
