"""The service layer's plain SQL on PostgreSQL, run on the server's event loop.

The service layer is synchronous code (one implementation of each rule, for every
store). On a worker thread, a PostgreSQL request paid for the trip to the thread and
back, and four threads took turns at the interpreter's lock: a week read cost about
2 ms of the server's CPU, against 0.7 ms for the same work in a loop of its own.

Here the same code runs in a greenlet on the event loop (`spawn`), on asynchronous
psycopg connections (`GreenDatabase`, the `read` and `write` of `PooledDatabase`):
where the code waits for the database (`wait`), the greenlet gives the loop the
driver's awaitable and is resumed with its result, and the loop serves other requests
meanwhile. It is how SQLAlchemy's asyncio extension runs its synchronous core, in a
few lines. A request holds one connection of a small pool while it runs; nothing in it
may block the loop (the code below takes no thread lock and does no file I/O).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

import psycopg
from greenlet import getcurrent, greenlet
from psycopg.adapt import PyFormat, Transformer

from tui_board.store.database import PING_AFTER_IDLE_S, PoolTx
from tui_board.store.sql import COMMIT_LAST, COMMITTED, _statement, end_write

T = TypeVar("T")
_IDLE = psycopg.pq.TransactionStatus.IDLE

#: Connections one server process holds at most (each request holds one while it runs;
#: a request past these waits for one).
POOL_SIZE = 8


class _Spawned(greenlet):  # type: ignore[misc]
    """A greenlet `spawn` runs; `wait` only works inside one."""


async def spawn(fn: Callable[..., T], *args: Any) -> T:
    """Run `fn(*args)` in a greenlet on this event loop, awaiting for it whatever it
    `wait`s for; its result, or its error."""
    child = _Spawned(fn, getcurrent())
    child.gr_context = getcurrent().gr_context  # its context variables are the caller's
    asked = child.switch(*args)
    while not child.dead:
        try:
            answer = await asked
        except BaseException as error:  # given back to the waiting code
            asked = child.throw(error)
        else:
            asked = child.switch(answer)
    return asked  # type: ignore[no-any-return]


def wait(awaitable: Awaitable[T]) -> T:
    """The result of `awaitable`, from code `spawn` runs (the loop runs meanwhile)."""
    current = getcurrent()
    if not isinstance(current, _Spawned):
        if asyncio.iscoroutine(awaitable):
            awaitable.close()
        raise RuntimeError("wait() outside spawn()")
    return current.parent.switch(awaitable)  # type: ignore[no-any-return]


class _Wire:
    """What a pooled connection keeps between requests: its statements prepared (by
    text and parameter types) and the adapters that write parameters and read rows."""

    __slots__ = ("made", "prepared", "schema", "transformer")

    def __init__(self, conn: psycopg.AsyncConnection[Any]) -> None:
        self.prepared: dict[tuple[bytes, tuple[int, ...]], bytes] = {}
        #: Statements prepared so far: each name is new (one dropped is not reused).
        self.made = 0
        #: `_SCHEMA[0]` when its statements were prepared (see `_Stale`).
        self.schema = _SCHEMA[0]
        self.transformer = Transformer(conn)

    @staticmethod
    def of(conn: psycopg.AsyncConnection[Any]) -> _Wire:
        """The connection's wire, made with it (and gone with it)."""
        wire: _Wire | None = getattr(conn, _WIRE, None)
        if wire is None:
            wire = _Wire(conn)
            setattr(conn, _WIRE, wire)
        return wire


#: Where a connection keeps its `_Wire`.
_WIRE = "_tui_board_wire"


class _Cursor:
    """A statement's cursor as `Sql` uses it: the statement goes with the others of its
    pipeline (`_Connection.pipeline`), or alone, when executed outside one."""

    __slots__ = ("_at", "_owner", "pgresult", "statement")

    def __init__(self, owner: _Connection) -> None:
        self._owner = owner
        self.statement: tuple[str, Any] | None = None
        self.pgresult: Any = None
        self._at = 0

    def execute(self, sql: str, params: Any = None) -> None:
        self.statement = (sql, params)
        self.pgresult, self._at = None, 0
        self._owner.send([self])

    def executemany(self, sql: str, params: Any) -> None:
        """The statement once for each parameters, in one round trip."""
        cursors = [_Cursor(self._owner) for _ in params]
        for cursor, each in zip(cursors, params, strict=True):
            cursor.statement = (sql, each)
        with self._owner.pipeline():
            self._owner.send(cursors)

    def fetchmany(self, size: int) -> list[Any]:
        result = self.pgresult
        if result is None or not result.ntuples or self._at >= result.ntuples:
            return []
        end = min(self._at + size, result.ntuples)
        transformer = self._owner.wire.transformer
        transformer.set_pgresult(result)
        rows: list[Any] = transformer.load_rows(self._at, end, tuple)
        self._at = end
        return rows

    @property
    def rowcount(self) -> int:
        result = self.pgresult
        if result is None:
            return -1
        count = result.command_tuples
        return -1 if count is None else int(count)

    def close(self) -> None:
        self.pgresult = None


class _Connection:
    """A pooled connection (in autocommit mode) as the DB-API connection `Sql` uses,
    spoken to through libpq's pipeline mode directly (psycopg's `pq`): the statements of
    a pipeline go in one round trip, each prepared on its connection the first time it
    is sent, with psycopg's own adapters for parameters and rows. Its cursors and
    pipelines cost a tenth of psycopg's asynchronous ones (what the server spent most
    of a request on). A write's connection sends its BEGIN with its first statements,
    in their round trip (`begin`)."""

    __slots__ = ("_conn", "_queue", "begin", "begun", "wire")

    def __init__(
        self, conn: psycopg.AsyncConnection[Any], wire: _Wire, *, begin: bool = False
    ) -> None:
        self._conn = conn
        self.wire = wire
        #: BEGIN is yet to be sent, ahead of the next statement.
        self.begin = begin
        #: BEGIN was sent: the transaction ends with COMMIT or ROLLBACK.
        self.begun = False
        #: The cursors of the pipeline open now (None: none is).
        self._queue: list[_Cursor] | None = None

    def cursor(self) -> _Cursor:
        return _Cursor(self)

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        """The statements executed in the block go together at its end (one round trip);
        the first that fails raises its error there, and the rest are not run."""
        if self._queue is not None:  # within another: part of it
            yield
            return
        queued: list[_Cursor] = []
        self._queue = queued
        try:
            yield
        finally:
            self._queue = None
        self._round_trip(queued)

    def send(self, cursors: list[_Cursor]) -> None:
        if self._queue is not None:
            self._queue.extend(cursors)
        else:
            self._round_trip(cursors)

    def _round_trip(self, cursors: list[_Cursor]) -> None:
        trip = self._trip(cursors)
        for fd, write in trip:
            try:
                _ready(fd, write=write)
            except BaseException as error:  # cancelled: the trip gives up, and raises
                trip.throw(error)

    async def round_trip(self, cursors: list[_Cursor]) -> None:
        """`_round_trip` from asynchronous code (outside `spawn`)."""
        trip = self._trip(cursors)
        for fd, write in trip:
            try:
                await _ready_async(fd, write=write)
            except BaseException as error:
                trip.throw(error)

    def _trip(self, cursors: list[_Cursor]) -> Generator[tuple[int, bool], None, None]:
        """The statements' round trip, yielding the socket and whether to write where
        it waits for it (`_round_trip` waits in a greenlet, `round_trip` awaits)."""
        if not cursors:
            return
        pgconn = self._conn.pgconn
        for again in (False, True):
            alone = not (self.begin or self.begun)  # no transaction of the caller's
            sent = self._send(cursors)
            try:
                while pgconn.flush():  # what libpq holds (reading meanwhile: a server
                    yield pgconn.socket, True  # that cannot send cannot read)
                    pgconn.consume_input()
                results: list[Any] = []
                while not _take_results(pgconn, results):
                    yield pgconn.socket, False
                    pgconn.consume_input()
            except BaseException:
                self._broken()
                raise
            try:
                self._deliver(sent, results)
                return
            except _Stale as stale:  # outside a transaction nothing of the trip stayed
                if again or not alone:  # (a pipeline's statements are one transaction):
                    raise stale.error from None  # sent again, prepared anew

    def _send(self, cursors: list[_Cursor]) -> _Sent:
        """The statements into libpq, in pipeline mode, with a sync after them (each
        prepared first if new); whose each result will be (None: BEGIN, a PREPARE), and
        the statements prepared on the way."""
        pgconn = self._conn.pgconn
        if self.wire.schema != _SCHEMA[0]:  # a table changed: prepared anew
            self.wire.prepared.clear()
            self.wire.schema = _SCHEMA[0]
        prepared = self.wire.prepared
        transformer = self.wire.transformer
        answers: list[_Cursor | None] = []
        made: list[tuple[int, tuple[bytes, tuple[int, ...]]]] = []
        keys: dict[int, tuple[bytes, tuple[int, ...]]] = {}  # the prepared statements run
        pgconn.enter_pipeline_mode()
        try:
            if self.begin:
                self.begin, self.begun = False, True
                pgconn.send_query_params(b"BEGIN", None)
                answers.append(None)
            for cursor in cursors:
                assert cursor.statement is not None
                sql, params = cursor.statement
                text, names = _numbered(sql)
                if names:
                    values = [params[name] for name in names]
                    dumped = transformer.dump_sequence(values, [_AUTO] * len(values))
                    types, formats = tuple(transformer.types or ()), transformer.formats
                else:
                    dumped, types, formats = None, (), None
                key = (text, types)
                name = prepared.get(key)
                if name is None and len(prepared) < PREPARED_PER_CONNECTION:
                    self.wire.made += 1
                    name = prepared[key] = b"tb_%d" % self.wire.made
                    made.append((len(answers), key))
                    pgconn.send_prepare(name, text, param_types=types)
                    answers.append(None)
                if name is None:
                    pgconn.send_query_params(text, dumped, param_types=types, param_formats=formats)
                else:
                    pgconn.send_query_prepared(name, dumped, param_formats=formats)
                    keys[len(answers)] = key
                answers.append(cursor)
            pgconn.pipeline_sync()
        except BaseException:
            self._broken()
            raise
        return answers, made, keys

    def _broken(self) -> None:
        """Cancelled, or the connection failed, mid-trip: it is in no state to be used
        again (not idle, or in pipeline mode: the pool closes it). A statement still
        running on the server is cancelled (a thread sends the cancel request): closing
        the connection would not stop it, and a write waiting for a row's lock would
        hold its own locks meanwhile."""
        self.wire.prepared.clear()
        pgconn = self._conn.pgconn
        if pgconn.transaction_status == _ACTIVE:
            with contextlib.suppress(Exception):
                cancel = pgconn.get_cancel()
                sent = asyncio.get_running_loop().run_in_executor(None, cancel.cancel)
                sent.add_done_callback(_retrieved)

    def _deliver(self, sent: _Sent, results: list[Any]) -> None:
        """Each result to its cursor; the first error raised, as psycopg raises it."""
        self._conn.pgconn.exit_pipeline_mode()
        answers, made, keys = sent
        failed = None
        for at, (answers_to, result) in enumerate(zip(answers, results, strict=True)):
            if result.status == _FATAL_ERROR and failed is None:
                failed = at
            elif answers_to is not None:
                answers_to.pgresult = result
        if failed is not None:
            prepared = self.wire.prepared
            for at, key in made:  # a PREPARE that failed, or was not run, made nothing
                if results[at].status != _COMMAND_OK:
                    prepared.pop(key, None)
            error = psycopg.errors.error_from_result(results[failed], encoding=_ENCODING)
            if failed in keys and error.sqlstate in _STALE:
                # A statement prepared before a table it reads changed (a migration:
                # "cached plan must not change result type"): every connection's
                # statements are prepared again.
                _SCHEMA[0] += 1
                raise _Stale(error) from error
            raise error


class _Stale(Exception):
    """A prepared statement no longer fits its tables (`_deliver`). Every connection
    of the process prepares its statements again (`_SCHEMA`): a read is sent again at
    once (`_trip`), a write is done again by the server (`STALE`: its transaction was
    rolled back whole, its commit included)."""

    def __init__(self, error: psycopg.Error) -> None:
        super().__init__(str(error))
        self.error = error


#: Errors of a statement prepared before its tables changed (and one gone).
_STALE = frozenset({"0A000", "26000"})
#: The errors `_Stale` raises at last: a write transaction that raised one (marked
#: `rolled_back`) is done again by the server, once.
STALE = (psycopg.errors.FeatureNotSupported, psycopg.errors.InvalidSqlStatementName)
#: Moves on when a prepared statement was found stale: each wire prepares anew.
_SCHEMA = [0]
_ACTIVE = psycopg.pq.TransactionStatus.ACTIVE


#: What `_Connection._send` sent: whose each result is, the statements prepared on the
#: way, and the prepared statement each result at a place is of.
_Sent = tuple[
    list[_Cursor | None],
    list[tuple[int, tuple[bytes, tuple[int, ...]]]],
    dict[int, tuple[bytes, tuple[int, ...]]],
]

#: Statements one connection keeps prepared at most (past them: sent unprepared).
PREPARED_PER_CONNECTION = 200
_AUTO = PyFormat.AUTO
_FATAL_ERROR = psycopg.pq.ExecStatus.FATAL_ERROR
_COMMAND_OK = psycopg.pq.ExecStatus.COMMAND_OK
_PIPELINE_SYNC = psycopg.pq.ExecStatus.PIPELINE_SYNC
_PIPELINE_OFF = psycopg.pq.PipelineStatus.OFF
_ENCODING = "utf-8"
_STATEMENT_PARAM = re.compile(r"%%|%\((\w+)\)s")


@lru_cache(maxsize=1024)
def _numbered(sql: str) -> tuple[bytes, tuple[str, ...]]:
    """A statement with `%(name)s` parameters (as `Sql` gives it to psycopg) in
    PostgreSQL's terms (`$1`, `$2`...), and the parameters' names in their order."""
    names: list[str] = []

    def number(found: re.Match[str]) -> str:
        name = found[1]
        if name is None:
            return "%"  # `%%`: a percent sign
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _STATEMENT_PARAM.sub(number, sql).encode(_ENCODING), tuple(names)


def _ready(fd: int, *, write: bool = False) -> None:
    """Wait, from code `spawn` runs, until the socket can be read (or written)."""
    ready, done = _when_ready(fd, write)
    try:
        wait(ready)
    finally:
        done()


async def _ready_async(fd: int, *, write: bool = False) -> None:
    """Wait until the socket can be read (or written)."""
    ready, done = _when_ready(fd, write)
    try:
        await ready
    finally:
        done()


def _when_ready(fd: int, write: bool) -> tuple[asyncio.Future[None], Callable[[], object]]:
    """A future done when the socket can be read (or written), and what stops watching."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def now() -> None:
        if not ready.done():
            ready.set_result(None)

    if write:
        loop.add_writer(fd, now)
        return ready, lambda: loop.remove_writer(fd)
    loop.add_reader(fd, now)
    return ready, lambda: loop.remove_reader(fd)


def _take_results(pgconn: Any, results: list[Any]) -> bool:
    """The results libpq has of a pipeline, into `results`; True at its sync (all
    come), False when it waits for more from the server."""
    while not pgconn.is_busy():
        result = pgconn.get_result()
        if result is None:
            continue  # the end of one statement's results
        if result.status == _PIPELINE_SYNC:
            return True
        results.append(result)
    return False


class OwnConnection:
    """A connection of its own for asynchronous code (the read cache's look at the
    store), spoken to as the pool's are (`_Connection`): opened when first used, and
    again after it failed."""

    def __init__(self, conninfo: str, *, settings: dict[str, str] | None = None) -> None:
        self.conninfo = conninfo
        #: Run-time settings of the connection (`SET name = value` once it is open).
        self.settings = dict(settings or {})
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._wire: _Wire | None = None

    async def rows(self, sql: str, /, **params: Any) -> list[tuple[Any, ...]]:
        """The rows of one statement with `:name` parameters (as `Sql` takes them)."""
        conn, wire = self._conn, self._wire
        if conn is None or wire is None or conn.closed:
            self.close()
            conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
            for name, value in self.settings.items():
                await conn.execute("SELECT set_config(%s, %s, false)", (name, value))
            wire = _Wire.of(conn)
            self._conn, self._wire = conn, wire
        connection = _Connection(conn, wire)
        cursor = _Cursor(connection)
        cursor.statement = (_statement(sql, (), True), params)
        try:
            await connection.round_trip([cursor])
        except BaseException:
            if conn.broken or conn.pgconn.pipeline_status != _PIPELINE_OFF:
                self.close()  # failed, or cancelled mid-trip: a new one next time
            raise
        result = cursor.pgresult
        return cursor.fetchmany(result.ntuples) if result is not None else []

    def close(self) -> None:
        conn, self._conn, self._wire = self._conn, None, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.pgconn.finish()


class GreenDatabase:
    """`PooledDatabase`'s plain-SQL transactions on PostgreSQL, for code `spawn` runs:
    a read runs each statement on its own (autocommit), a write is one transaction
    committed at the end of its block. A connection idle for `PING_AFTER_IDLE_S` is
    pinged before use; one that fails in use is dropped, with every idle one (the
    database went away)."""

    is_sqlite = False
    path = None
    read_only = False
    engine: Any = None

    def __init__(self, conninfo: str, size: int = POOL_SIZE) -> None:
        self.conninfo = conninfo
        self.size = size
        self._idle: list[tuple[float, psycopg.AsyncConnection[Any]]] = []
        self._open = 0
        self._waiting: deque[asyncio.Future[Any]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def of(cls, database: Any, size: int = POOL_SIZE) -> GreenDatabase:
        """The pool for a `Database` on PostgreSQL."""
        url = database.engine.url.set(drivername="postgresql")
        green = cls(url.render_as_string(hide_password=False), size)
        green.engine = database.engine  # what a backend says it is on
        return green

    def explained(self) -> contextlib.nullcontext[None]:
        return contextlib.nullcontext()

    async def _take(self) -> psycopg.AsyncConnection[Any]:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a server started again: its connections were the
            self.close()  # old loop's
            self._open, self._waiting, self._loop = 0, deque(), loop
        while True:
            while self._idle:
                since, conn = self._idle.pop()
                if conn.closed:
                    self._open -= 1
                    continue
                if time.monotonic() - since >= PING_AFTER_IDLE_S:
                    try:
                        await conn.execute("SELECT 1")
                    except BaseException as error:  # dead, or the request cancelled
                        self._open -= 1
                        conn.pgconn.finish()
                        self._wake(None)  # its place is free for a waiter
                        if isinstance(error, psycopg.Error):
                            continue
                        raise
                return conn
            if self._open < self.size:
                self._open += 1
                try:
                    return await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
                except BaseException:
                    self._open -= 1
                    self._wake(None)
                    raise
            handed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._waiting.append(handed)
            try:
                conn = await handed  # a connection given back, or None: try again
            except asyncio.CancelledError:
                if handed.done() and not handed.cancelled():  # handed over as it was
                    given = handed.result()  # cancelled: to the next one waiting
                    if given is not None:
                        self._give_back(given)
                    else:
                        self._wake(None)
                raise
            if conn is not None:
                return conn  # type: ignore[no-any-return]

    def _give_back(self, conn: psycopg.AsyncConnection[Any]) -> None:
        pgconn = conn.pgconn
        if (
            conn.closed
            or conn.broken
            or pgconn.transaction_status != _IDLE
            or pgconn.pipeline_status != _PIPELINE_OFF
        ):
            # gone, or left in a transaction or a round trip (a request cancelled in it)
            self._open -= 1
            with contextlib.suppress(Exception):
                conn.pgconn.finish()
            self._wake(None)
        elif not self._wake(conn):
            self._idle.append((time.monotonic(), conn))

    def _wake(self, conn: psycopg.AsyncConnection[Any] | None) -> bool:
        """Hand `conn` (or the chance to open one) to the first request waiting."""
        while self._waiting:
            handed = self._waiting.popleft()
            if not handed.done():  # not cancelled meanwhile
                handed.set_result(conn)
                return True
        return False

    def _lost(self) -> None:
        """The database went away: every idle connection is dead too."""
        self.close()

    @contextmanager
    def _checkout(self) -> Iterator[psycopg.AsyncConnection[Any]]:
        conn = wait(self._take())
        try:
            yield conn
        except BaseException:
            if conn.closed or conn.broken:
                self._lost()
            raise
        finally:
            self._give_back(conn)

    @contextmanager
    def read(self) -> Iterator[PoolTx]:
        with self._checkout() as conn:
            yield PoolTx(_Connection(conn, _Wire.of(conn)), "postgresql")

    @contextmanager
    def write(self) -> Iterator[PoolTx]:
        """One transaction: its BEGIN sent with its first statements, its COMMIT with
        its last (`end_write`), so a cell write is as many round trips as it has
        batches of statements."""
        with self._checkout() as conn:
            connection = _Connection(conn, _Wire.of(conn), begin=True)
            tx = PoolTx(connection, "postgresql")
            tx.info[COMMIT_LAST] = True
            try:
                yield tx
                end_write(tx, tx.info)
                if connection.begun and not tx.info.get(COMMITTED):
                    wait(conn.execute("COMMIT"))
            except BaseException as error:
                if isinstance(error, STALE):  # nothing of it stayed: it may be done again
                    error.rolled_back = True  # type: ignore[union-attr]
                pgconn = conn.pgconn
                if (
                    connection.begun
                    and not (conn.closed or conn.broken)
                    and pgconn.pipeline_status == _PIPELINE_OFF
                ):
                    with contextlib.suppress(psycopg.Error):  # else it is not given back
                        wait(conn.execute("ROLLBACK"))
                raise

    def close(self) -> None:
        """Close every idle connection (at the server's end)."""
        idle, self._idle = self._idle, []
        for _since, conn in idle:
            self._open -= 1
            with contextlib.suppress(Exception):
                conn.pgconn.finish()


def _retrieved(future: asyncio.Future[Any]) -> None:
    """A cancel request that failed (the server gone too) is not an unretrieved error."""
    if not future.cancelled():
        future.exception()


__all__ = ["POOL_SIZE", "STALE", "GreenDatabase", "OwnConnection", "spawn", "wait"]
