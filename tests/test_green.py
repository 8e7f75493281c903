"""The service layer's plain SQL on the server's event loop (`server/green.py`), on a
real PostgreSQL database: the bridge, the pool, and what happens when connections go.
The rules themselves run through it in the contract suite (`remote-postgres`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.conftest import pg_reset
from tui_board.backend.local import LocalBackend
from tui_board.backend.local.file import QuickService
from tui_board.core.errors import NotFound
from tui_board.core.weeks import IsoWeek
from tui_board.server.green import GreenDatabase, spawn, wait
from tui_board.store.database import Database


@pytest.fixture
def store(postgres_session_db: tuple[str, Database]) -> Iterator[Database]:
    _url, database = postgres_session_db
    pg_reset(database)
    admin = LocalBackend(database, "ada")
    admin.me()
    admin.create_project("WEB", "Web site")
    admin.create_task("WEB", "Fix login")
    yield database


def test_spawn_gives_back_what_the_code_returns_and_raises() -> None:
    async def later(value: int) -> int:
        await asyncio.sleep(0)
        return value * 2

    def code(value: int) -> int:
        return wait(later(value)) + wait(later(1))

    def fails() -> None:
        wait(later(1))
        raise NotFound("no such card")

    async def main() -> None:
        assert await spawn(code, 20) == 42
        with pytest.raises(NotFound, match="no such card"):
            await spawn(fails)

    asyncio.run(main())


def test_an_awaited_error_reaches_the_waiting_code() -> None:
    async def broken() -> None:
        raise OSError("gone")

    def code() -> str:
        try:
            wait(broken())
        except OSError as error:
            return f"caught {error}"
        return "not caught"

    assert asyncio.run(spawn_in_loop(code)) == "caught gone"


async def spawn_in_loop(fn: Any) -> Any:
    return await spawn(fn)


def test_wait_outside_spawn_is_refused() -> None:
    async def nothing() -> None:
        return None

    with pytest.raises(RuntimeError, match="outside spawn"):
        wait(nothing())


def test_requests_share_a_few_connections_and_each_reads_its_own_answer(store: Database) -> None:
    green = GreenDatabase.of(store, size=2)
    week = IsoWeek.parse("2026-W48")

    def read(i: int) -> tuple[int, str]:
        sheet = QuickService(green, "ada").week(week)
        with green.read() as tx:
            return tx.value("SELECT :i::int + pg_backend_pid() * 0", i=i), sheet.user

    async def main() -> list[tuple[int, str]]:
        try:
            return list(await asyncio.gather(*(spawn(read, i) for i in range(12))))
        finally:
            assert green._open <= 2
            green.close()

    assert asyncio.run(main()) == [(i, "ada") for i in range(12)]


def test_a_write_commits_at_its_end_and_a_failed_one_leaves_nothing(store: Database) -> None:
    green = GreenDatabase.of(store, size=1)

    def log(minutes: int) -> Any:
        return QuickService(green, "ada").add_time("WEB-1", _day(), minutes)

    def fails_half_way() -> None:
        with green.write() as tx:
            tx.run("UPDATE users SET name = 'Changed' WHERE login = 'ada'")
            raise NotFound("stop here")

    async def main() -> None:
        try:
            entry = await spawn(log, 90)
            assert entry.minutes == 90
            with pytest.raises(NotFound):
                await spawn(fails_half_way)
            again = await spawn(log, 30)  # the same connection, back in autocommit
            assert again.minutes == 120
        finally:
            green.close()

    asyncio.run(main())
    names = LocalBackend(store, "ada").me().name
    assert names != "Changed"
    assert LocalBackend(store, "ada").week(IsoWeek.of(_day())).total == 120


def test_connections_the_database_dropped_are_replaced(store: Database) -> None:
    """The database restarted (its connections to the server ended): a request that
    meets a dead connection fails, every idle one is dropped with it, and the next
    requests are answered on new connections."""
    green = GreenDatabase.of(store, size=3)
    week = IsoWeek.parse("2026-W48")

    def read() -> int:
        QuickService(green, "ada").week(week)
        with green.read() as tx:
            return int(tx.value("SELECT pg_backend_pid()"))

    async def main() -> tuple[set[int], list[Any], set[int]]:
        try:
            before = set(await asyncio.gather(*(spawn(read) for _ in range(3))))
            with psycopg.connect(green.conninfo, autocommit=True) as admin:
                for pid in before:
                    admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            outcomes: list[Any] = []
            for _ in range(2):
                try:
                    outcomes.append(await spawn(read))
                except psycopg.OperationalError as error:
                    outcomes.append(error)
            after = {await spawn(read) for _ in range(3)}
            return before, outcomes, after
        finally:
            green.close()

    before, outcomes, after = asyncio.run(main())
    failed = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failed) <= 1, outcomes  # the first meets a dead one; the rest are dropped
    assert isinstance(outcomes[-1], int)
    assert after and after.isdisjoint(before)


def test_a_cancelled_request_gives_its_connection_back(store: Database) -> None:
    """A client gone while its request waits on the database: the request is
    cancelled; the pool neither loses the connection nor hands it over mid-query."""
    green = GreenDatabase.of(store, size=1)

    def slow() -> None:
        with green.read() as tx:
            tx.value("SELECT pg_sleep(0.3)")

    def quick() -> int:
        with green.read() as tx:
            return int(tx.value("SELECT 7"))

    async def main() -> int:
        try:
            task = asyncio.ensure_future(spawn(slow))
            waiting = asyncio.ensure_future(spawn(quick))  # waits for the one connection
            await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert await waiting == 7
            return await spawn(quick)
        finally:
            assert green._open <= 1
            green.close()

    assert asyncio.run(main()) == 7


def _day() -> Any:
    from datetime import date

    return date(2026, 11, 24)


def test_a_write_that_fails_in_its_last_round_trip_commits_nothing(store: Database) -> None:
    """A write's COMMIT goes in the round trip that ends it (with the change feed's
    rows): a statement of that round trip failing rolls back all of it, and the
    connection is given back clean for the next request."""
    green = GreenDatabase.of(store, size=1)

    def fails_at_the_end() -> None:
        with green.write() as tx:
            tx.run("UPDATE users SET name = 'Changed' WHERE login = 'ada'")
            tx.later("UPDATE users SET capacity = 1 / 0 WHERE login = 'ada'")

    def commits() -> None:
        with green.write() as tx:
            tx.run("UPDATE users SET capacity = 2000 WHERE login = 'ada'")
            tx.later("UPDATE users SET capacity = capacity + 400 WHERE login = 'ada'")

    def ada() -> tuple[Any, ...]:
        with store.engine.connect() as conn:
            found = conn.exec_driver_sql("SELECT name, capacity FROM users WHERE login = 'ada'")
            return tuple(found.one())

    before = ada()

    async def main() -> None:
        try:
            with pytest.raises(psycopg.errors.DivisionByZero):
                await spawn(fails_at_the_end)
            assert ada() == before  # nothing of it, its first round trip included
            await spawn(commits)
            assert green._open == 1
        finally:
            green.close()

    asyncio.run(main())
    assert ada() == (before[0], 2400)


def test_a_request_cancelled_while_its_connection_is_pinged_frees_its_place(
    store: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection idle long enough is pinged before use; a request cancelled during
    the ping leaves no place of the pool taken for good."""
    monkeypatch.setattr("tui_board.server.green.PING_AFTER_IDLE_S", 0.0)
    green = GreenDatabase.of(store, size=1)

    def read() -> int:
        with green.read() as tx:
            return int(tx.value("SELECT 7"))

    async def main() -> int:
        try:
            assert await spawn(read) == 7
            task = asyncio.ensure_future(spawn(read))
            for _ in range(3):
                await asyncio.sleep(0)  # it waits on the ping's answer now
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return await asyncio.wait_for(spawn(read), 5)
        finally:
            green.close()

    assert asyncio.run(main()) == 7


def test_a_waiter_cancelled_as_a_place_is_freed_passes_it_on(store: Database) -> None:
    """The one connection breaks in use: its place goes to the first request waiting;
    that request's client is gone at the same moment: the next one gets the place."""
    green = GreenDatabase.of(store, size=1)

    async def main() -> None:
        held = await green._take()
        first = asyncio.ensure_future(green._take())
        second = asyncio.ensure_future(green._take())
        await asyncio.sleep(0.01)
        held.pgconn.finish()  # broken in use
        green._give_back(held)  # the place is handed to `first`...
        first.cancel()  # ...whose request is cancelled before it runs
        await asyncio.gather(first, return_exceptions=True)
        conn = await asyncio.wait_for(second, 5)
        assert not conn.closed
        green._give_back(conn)
        green.close()

    asyncio.run(main())


def test_statements_go_through_libpq_as_psycopg_would_send_them(
    store: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pipeline spoken to libpq directly (`_Connection`): parameters of any type in
    one statement (each mix of types prepared on its own), a percent sign, a name used
    twice, many rows read a few hundred at a time, `executemany`; past the statements a
    connection keeps prepared, the rest are sent unprepared."""
    monkeypatch.setattr("tui_board.server.green.PREPARED_PER_CONNECTION", 6)
    green = GreenDatabase.of(store, size=1)

    def code() -> list[Any]:
        seen: list[Any] = []
        with green.read() as tx:
            for value in (1, 10**12, None, "x", 2.5, _day(), 40000):
                seen.append(tx.value("SELECT :v::text", v=value))
            seen.append(tx.value("SELECT 'a%b' || :x", x="c"))
            seen.append(tx.value("SELECT :a::int + :a::int * 10", a=3))
            seen.append(sum(1 for _ in tx.each("SELECT generate_series(1, 1234)")))
            seen.append(tx.rows("SELECT n, n * 2 FROM generate_series(1, 3) n"))
        with green.write() as tx:
            tx.run("CREATE TEMP TABLE many (n int, label text) ON COMMIT DROP")
            tx.insert_many("many", [{"n": n, "label": f"#{n}"} for n in range(120)])
            seen.append(tx.rows("SELECT count(*), max(label) FROM many"))
        return seen

    async def main() -> list[Any]:
        try:
            first = await spawn(code)
            assert await spawn(code) == first  # prepared ones and unprepared alike
            return first
        finally:
            green.close()

    assert asyncio.run(main()) == [
        "1",
        "1000000000000",
        None,
        "x",
        "2.5",
        "2026-11-24",
        "40000",
        "a%bc",
        33,
        1234,
        [(1, 2), (2, 4), (3, 6)],
        [(120, "#99")],
    ]


def test_a_statement_that_fails_raises_psycopgs_error_and_is_prepared_again(
    store: Database,
) -> None:
    """A failing statement raises the error psycopg raises (its class and its
    diagnostics: what the service layer reads a refusal by), the rest of its round
    trip is not run, and the connection serves the next request; a statement whose
    PREPARE failed is prepared again when sent again (here once its column exists)."""
    green = GreenDatabase.of(store, size=1)

    def code() -> list[Any]:
        seen: list[Any] = []
        with green.read() as tx:
            tx.run("CREATE TEMP TABLE notes (a int PRIMARY KEY)")
            with pytest.raises(psycopg.errors.UndefinedColumn):
                tx.value("SELECT b FROM notes")
            tx.run("ALTER TABLE notes ADD COLUMN b int")
            tx.run("INSERT INTO notes (a, b) VALUES (1, 2)")
            seen.append(tx.value("SELECT b FROM notes"))
        try:
            with green.write() as tx:
                tx.batch(
                    ("INSERT INTO notes (a, b) VALUES (5, 5)", {}),
                    ("INSERT INTO notes (a, b) VALUES (:a, 3)", {"a": 1}),
                    ("INSERT INTO notes (a, b) VALUES (6, 6)", {}),
                )
        except psycopg.errors.UniqueViolation as error:
            seen.append(error.diag.constraint_name)
        with green.read() as tx:
            seen.append(tx.column("SELECT a FROM notes ORDER BY a"))
            tx.run("DROP TABLE notes")
        return seen

    async def main() -> list[Any]:
        try:
            return await spawn(code)
        finally:
            assert green._open == 1
            green.close()

    assert asyncio.run(main()) == [2, "notes_pkey", [1]]


def _admin(green: GreenDatabase) -> psycopg.Connection[Any]:
    return psycopg.connect(green.conninfo, autocommit=True)


def test_a_statement_prepared_before_its_table_changed_is_prepared_again(
    store: Database,
) -> None:
    """Statements prepared on a pooled connection, then a column added to their table
    (a migration while the server runs): PostgreSQL refuses a prepared `SELECT *`
    ("cached plan must not change result type"). A write's transaction is spoiled by
    it, so that write fails here (the server does it again: see
    tests/test_postgres_servers.py) and every statement is prepared anew; a read is sent
    again at once. Every one failed on that connection until it was closed."""
    green = GreenDatabase.of(store, size=1)
    with _admin(green) as admin:
        admin.execute("DROP TABLE IF EXISTS green_notes")
        admin.execute("CREATE TABLE green_notes (id int PRIMARY KEY, a int)")
        admin.execute("INSERT INTO green_notes VALUES (1, 10)")
    week = IsoWeek.parse("2026-W48")
    minutes = iter(range(30, 600, 30))

    def read() -> Any:
        with green.read() as tx:
            return tuple(tx.rows("SELECT * FROM green_notes WHERE id = :id", id=1)[0])

    def log() -> int:
        service = QuickService(green, "ada")
        service.set_entry("WEB-1", week.monday(), next(minutes))  # SELECT * FROM users
        return service.week(week).total

    async def main() -> list[Any]:
        seen: list[Any] = []

        async def each(*codes: Any) -> None:
            for code in codes:
                try:
                    seen.append(await spawn(code))
                except psycopg.Error as error:
                    seen.append(type(error).__name__)

        try:
            await each(read, log)
            with _admin(green) as admin:
                admin.execute("ALTER TABLE users ADD COLUMN green_extra int")
            await each(log, log)
            with _admin(green) as admin:
                admin.execute("ALTER TABLE green_notes ADD COLUMN b int")
            await each(read, read)
            assert green._open == 1
            return seen
        finally:
            green.close()

    try:
        seen = asyncio.run(main())
    finally:
        with _admin(green) as admin:
            admin.execute("DROP TABLE IF EXISTS green_notes")
            admin.execute("ALTER TABLE users DROP COLUMN IF EXISTS green_extra")
    assert seen == [(1, 10), 30, "FeatureNotSupported", 90, (1, 10, None), (1, 10, None)]


def test_a_write_cancelled_while_it_waits_for_a_lock_is_cancelled_in_the_server(
    store: Database,
) -> None:
    """A write waits for a row another transaction holds, and its client goes (the
    request is cancelled): the pool closes its connection, and the statement is
    cancelled in the server too (closing the connection would not stop it, and it
    would hold its locks meanwhile)."""
    green = GreenDatabase.of(store, size=2)

    def write() -> None:
        with green.write() as tx:
            tx.run("UPDATE users SET name = 'Changed' WHERE login = 'ada'")

    async def main() -> list[Any]:
        holder = await psycopg.AsyncConnection.connect(green.conninfo)
        try:
            await holder.execute("SELECT * FROM users WHERE login = 'ada' FOR UPDATE")
            task = asyncio.ensure_future(spawn(write))
            await asyncio.sleep(0.3)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            assert green._open == 0
            for _ in range(50):
                await asyncio.sleep(0.05)
                with _admin(green) as admin:
                    left = admin.execute(
                        "SELECT pid, state FROM pg_stat_activity WHERE state = 'active'"
                        " AND query LIKE 'UPDATE users SET name = ''Changed''%'"
                    ).fetchall()
                if not left:
                    break
            await holder.rollback()
            return left
        finally:
            await holder.close()
            green.close()

    assert asyncio.run(main()) == []


def test_connections_the_pool_closed_are_let_go(store: Database) -> None:
    """What a connection keeps (its prepared statements, its adapters) goes with it:
    nothing holds a connection the pool closed."""
    import gc
    import weakref

    green = GreenDatabase.of(store, size=3)
    held: list[weakref.ref[Any]] = []

    def read() -> int:
        with green.read() as tx:
            held.append(weakref.ref(tx.conn._conn))
            return int(tx.value("SELECT 1"))

    async def main() -> None:
        for _ in range(3):
            await asyncio.gather(*(spawn(read) for _ in range(3)))
            green.close()  # as when the database went away

    asyncio.run(main())
    gc.collect()
    assert held and all(ref() is None for ref in held)
