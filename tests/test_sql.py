"""The plain-SQL layer (`store.sql`) and the board file opened on sqlite3 alone
(`store.file`): what the service layer's rules run on for `log`, `week` and the timer."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Boolean, Date, DateTime

from tests.test_store_errors import read_only
from tui_board.core.errors import StoreFailed
from tui_board.store import sql
from tui_board.store.database import Database
from tui_board.store.file import FileDatabase
from tui_board.store.sql import _statement


def test_the_converted_column_names_are_the_schemas() -> None:
    """SQLite hands dates, moments and booleans back as text or integers; `store.sql`
    converts them by column name. Every such column of the schema is named, and no
    name stands for two types."""
    from sqlmodel import SQLModel

    import tui_board.store.tables  # noqa: F401 - registers the tables

    kinds: dict[str, set[str]] = {}
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            stored = getattr(column.type, "impl", column.type)  # SQLModel's UTCDateTime
            kind = (
                "datetime"
                if isinstance(stored, DateTime)
                else "date"
                if isinstance(stored, Date)
                else "bool"
                if isinstance(stored, Boolean)
                else "other"
            )
            kinds.setdefault(column.name, set()).add(kind)
    assert all(len(k) == 1 for k in kinds.values()), kinds
    by_kind = {name: k.pop() for name, k in kinds.items()}
    assert {n for n, k in by_kind.items() if k == "date"} == sql.DATE_COLUMNS
    assert {n for n, k in by_kind.items() if k == "datetime"} == sql.DATETIME_COLUMNS
    assert {n for n, k in by_kind.items() if k == "bool"} == sql.BOOL_COLUMNS


def test_statements_for_psycopg_keep_casts_and_percent_signs() -> None:
    text = "SELECT :a::date, 'x%' WHERE b IN (:ids) AND c = :c"
    assert _statement(text, (("ids", 2),), True) == (
        "SELECT %(a)s::date, 'x%%' WHERE b IN (%(ids__0)s, %(ids__1)s) AND c = %(c)s"
    )
    assert _statement(text, (("ids", 0),), False) == (
        "SELECT :a::date, 'x%' WHERE b IN (NULL) AND c = :c"
    )


@pytest.fixture
def board(tmp_path: Path) -> Path:
    path = tmp_path / "board.db"
    Database.open(str(path), create=True).close()
    return path


def test_dates_moments_and_flags_round_trip_on_sqlite3_as_the_orm_stores_them(
    board: Path,
) -> None:
    """A row written through the plain layer reads back the same through it and through
    SQLAlchemy, and the other way round: both store the same text."""
    from sqlmodel import select

    from tui_board.store.tables import UserRow

    file = FileDatabase.open(board)
    assert file is not None
    tokyo = timezone(timedelta(hours=9))
    made = datetime(2026, 12, 4, 18, 30, 5, 120, tzinfo=tokyo)
    with file.write() as tx:
        user_id = tx.insert(
            "users",
            login="ann",
            name="Ann",
            email="",
            role="member",
            capacity=2400,
            work_days="0,1,2,3,4",
            active=False,
            version=1,
            created=made,
        )
    with file.read() as tx:
        row = tx.row("SELECT * FROM users WHERE id = :id", id=user_id)
    assert row is not None
    assert (row.active, row.created) == (False, made.astimezone(UTC))
    assert row.created.tzinfo is UTC
    orm = Database.open(str(board))
    with orm.read() as s:
        stored = s.exec(select(UserRow).where(UserRow.id == user_id)).one()
        assert (stored.active, stored.created) == (False, made)
    with orm.write() as s:
        stored = s.exec(select(UserRow).where(UserRow.id == user_id)).one()
        stored.created = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        s.add(stored)
    orm.close()
    with file.read() as tx:
        assert tx.value("SELECT created FROM users WHERE id = :id", id=user_id) == datetime(
            2026, 1, 2, 3, 4, 5, tzinfo=UTC
        )
        # dates compare as the text SQLite keeps
        assert tx.value("SELECT :d < :e", d=date(2026, 12, 4), e=date(2026, 12, 10)) == 1
        assert tx.column("SELECT id FROM users WHERE id IN (:ids)", ids=[]) == []
    file.close()


def test_a_failed_write_leaves_nothing_and_the_connection_usable(board: Path) -> None:
    file = FileDatabase.open(board)
    assert file is not None
    with pytest.raises(RuntimeError), file.write() as tx:
        tx.run("INSERT INTO teams (name, version) VALUES ('core', 1)")
        raise RuntimeError("the rule refused it")
    with file.read() as tx:
        assert tx.value("SELECT count(*) FROM teams") == 0
    with file.write() as tx:
        tx.run("INSERT INTO teams (name, version) VALUES ('core', 1)")
    with file.read() as tx:
        assert tx.column("SELECT name FROM teams") == ["core"]
    file.close()


def test_writes_from_threads_each_take_a_connection_and_lose_nothing(board: Path) -> None:
    """The app writes from a worker while it reads from others: BEGIN IMMEDIATE on
    connections of their own, so no increment is lost."""
    file = FileDatabase.open(board)
    assert file is not None
    with file.write() as tx:
        tx.run("INSERT INTO teams (name, version) VALUES ('core', 0)")

    def bump() -> None:
        for _ in range(25):
            with file.write() as tx:
                seen = tx.value("SELECT version FROM teams WHERE name = 'core'")
                tx.run("UPDATE teams SET version = :v WHERE name = 'core'", v=seen + 1)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with file.read() as tx:
        assert tx.value("SELECT version FROM teams WHERE name = 'core'") == 100
    file.close()


def test_a_read_only_board_reads_and_refuses_writes_in_one_sentence(board: Path) -> None:
    with read_only(board):
        file = FileDatabase.open(board)
        assert file is not None and file.read_only
        with file.read() as tx:
            assert tx.value("SELECT count(*) FROM users") == 0
        with pytest.raises(StoreFailed, match="read-only"), file.write():
            pass
        file.close()


def test_a_foreign_file_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    from tui_board.core.errors import Invalid

    with pytest.raises(Invalid, match="not a tui-board database"):
        FileDatabase.open(other)
    assert other.read_bytes() == before
    assert not Path(f"{other}-wal").exists()


def test_opening_a_held_board_again_keeps_this_process_s_locks(board: Path) -> None:
    """The app opens a file on sqlite3, then (for its first write) through SQLAlchemy.
    Reading the file's header again then would close a descriptor of it and drop every
    POSIX lock this process holds, SQLite's included: another process closing its own
    connection would take itself for the last one and delete the `-wal` file under ours
    (a trial lost writes and damaged a board that way). The second open reads nothing."""
    import subprocess
    import sys

    file = FileDatabase.open(board)
    assert file is not None
    with file.write() as tx:  # a connection of this process now holds its WAL locks
        tx.run("INSERT INTO teams (name, version) VALUES ('core', 1)")
    orm = Database.open(str(board))  # what FileBackend.full() does
    other = (
        "import sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "conn.execute('PRAGMA journal_mode = WAL')\n"
        "conn.execute(\"INSERT INTO teams (name, version) VALUES ('web', 1)\")\n"
        "conn.close()\n"
    )
    subprocess.run([sys.executable, "-c", other, str(board)], check=True)
    assert Path(f"{board}-wal").exists(), "another process took itself for the last one"
    with file.read() as tx:
        assert sorted(tx.column("SELECT name FROM teams")) == ["core", "web"]
    with orm.read() as s:
        assert s.value("PRAGMA integrity_check") == "ok"
    orm.close()
    file.close()


def test_a_batch_on_postgresql_reads_in_order_and_fails_as_one_statement_does(
    postgres_url: str,
) -> None:
    """`Sql.batch` on PostgreSQL (psycopg's pipeline mode): the rows of each read in
    order, list parameters expanded; a statement that fails fails the batch as it fails
    alone (SQLAlchemy's error on the ORM's transaction, the driver's on a pooled one),
    and the connection is usable after."""
    import psycopg
    from sqlalchemy.exc import DBAPIError

    from tui_board.store.database import Database

    database = Database.open(postgres_url, create=True)
    try:
        statements: tuple[tuple[str, dict[str, Any]], ...] = (
            ("SELECT 1 AS a WHERE 1 IN (:ids)", {"ids": [1, 2]}),
            ("SELECT x AS b FROM generate_series(1, 3) AS x ORDER BY x", {}),
            ("SELECT :n AS c", {"n": 7}),
        )
        with database.read() as s:
            assert [[tuple(r) for r in rows] for rows in s.batch(*statements)] == [
                [(1,)],
                [(1,), (2,), (3,)],
                [(7,)],
            ]
        bad: tuple[str, dict[str, Any]] = ("SELECT 1 / 0 AS d", {})
        with pytest.raises(DBAPIError), database.read() as s:
            s.batch(statements[0], bad)
        with pytest.raises(psycopg.errors.DivisionByZero), database.pooled.read() as tx:
            tx.batch(statements[0], bad)
        with database.pooled.read() as tx:
            assert [r.c for r in tx.batch(statements[2])[0]] == [7]
    finally:
        database.close()
