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
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from greenlet import getcurrent, greenlet

from tui_board.store.database import PING_AFTER_IDLE_S, PoolTx
from tui_board.store.sql import COMMIT_LAST, COMMITTED, end_write

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


class _Cursor:
    """An async psycopg cursor as the DB-API cursor `Sql` uses."""

    __slots__ = ("_cursor", "_owner")

    def __init__(self, cursor: psycopg.AsyncCursor[Any], owner: _Connection) -> None:
        self._cursor = cursor
        self._owner = owner

    def execute(self, sql: str, params: Any = None) -> None:
        if self._owner.begin and self._owner.piped == 0:
            with self._owner.pipeline():  # BEGIN and the statement in one round trip
                wait(self._cursor.execute(sql, params))
            return
        wait(self._cursor.execute(sql, params))

    def executemany(self, sql: str, params: Any) -> None:
        if self._owner.begin:
            with self._owner.pipeline():
                pass
        wait(self._cursor.executemany(sql, params))

    def fetchmany(self, size: int) -> list[Any]:
        return wait(self._cursor.fetchmany(size))

    @property
    def pgresult(self) -> Any:
        return self._cursor.pgresult

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def close(self) -> None:
        wait(self._cursor.close())


class _Connection:
    """An async psycopg connection (in autocommit mode) as the DB-API connection `Sql`
    uses. A write's connection sends its BEGIN with the first statements, in their
    round trip (`begin`)."""

    __slots__ = ("_conn", "begin", "begun", "piped")

    def __init__(self, conn: psycopg.AsyncConnection[Any], *, begin: bool = False) -> None:
        self._conn = conn
        #: BEGIN is yet to be sent, ahead of the next statement.
        self.begin = begin
        #: BEGIN was sent: the transaction ends with COMMIT or ROLLBACK.
        self.begun = False
        self.piped = 0

    def cursor(self) -> _Cursor:
        return _Cursor(self._conn.cursor(), self)

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        entered = self._conn.pipeline()
        wait(entered.__aenter__())
        self.piped += 1
        try:
            if self.begin:
                self.begin, self.begun = False, True
                wait(self._conn.execute("BEGIN"))
            yield
        except BaseException as error:
            self.piped -= 1
            if not wait(entered.__aexit__(type(error), error, error.__traceback__)):
                raise
        else:
            self.piped -= 1
            wait(entered.__aexit__(None, None, None))


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
        if conn.closed or conn.broken or conn.pgconn.transaction_status != _IDLE:
            self._open -= 1  # gone, or left in a transaction (a request cancelled in it)
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
            yield PoolTx(_Connection(conn), "postgresql")

    @contextmanager
    def write(self) -> Iterator[PoolTx]:
        """One transaction: its BEGIN sent with its first statements, its COMMIT with
        its last (`end_write`), so a cell write is as many round trips as it has
        batches of statements."""
        with self._checkout() as conn:
            connection = _Connection(conn, begin=True)
            tx = PoolTx(connection, "postgresql")
            tx.info[COMMIT_LAST] = True
            try:
                yield tx
                end_write(tx, tx.info)
                if connection.begun and not tx.info.get(COMMITTED):
                    wait(conn.execute("COMMIT"))
            except BaseException:
                if connection.begun and not (conn.closed or conn.broken):
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


__all__ = ["POOL_SIZE", "GreenDatabase", "spawn", "wait"]
