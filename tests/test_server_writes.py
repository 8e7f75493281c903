"""Where the team server runs a write on a SQLite file: on its event loop when the
file's write lock is free (`PooledDatabase.at_once`), on a worker thread, which waits
its turn, when another writer holds it. Real files, a real server over HTTP."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.live_server import bobs_team, live_server
from tui_board.backend.local import LocalBackend
from tui_board.core.weeks import IsoWeek
from tui_board.store.database import Database, WriterBusy

DAY = date(2026, 11, 24)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = bobs_team(tmp_path)
    yield database
    database.close()


def test_a_write_at_once_is_refused_while_another_connection_writes(database: Database) -> None:
    assert database.path is not None
    other = sqlite3.connect(database.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(WriterBusy), database.pooled.at_once().write() as tx:
            tx.run("UPDATE users SET name = 'Changed' WHERE login = 'bob'")
    finally:
        other.execute("ROLLBACK")
        other.close()
    # nothing was written, and the connection waits again as every writer does
    assert LocalBackend(database, "bob").me().name == "Bob"
    with database.pooled.write() as tx:
        assert tx.value("PRAGMA busy_timeout") == 10_000


def test_a_write_at_once_is_refused_while_this_process_writes(database: Database) -> None:
    with database.writing:  # a worker thread of this process has a write under way
        started = threading.Event()
        outcome: list[object] = []

        def try_at_once() -> None:
            started.set()
            try:
                with database.pooled.at_once().write():
                    outcome.append("wrote")
            except WriterBusy:
                outcome.append("busy")

        thread = threading.Thread(target=try_at_once)
        thread.start()
        thread.join(5)
    assert started.is_set() and outcome == ["busy"]


def test_the_server_writes_after_another_writer_and_answers_reads_meanwhile(
    database: Database,
) -> None:
    """Another process holds the file's write lock for a while: bob's cell write is
    not refused, it lands once the lock is let go; meanwhile the server is not stuck
    behind it (a read is answered at once)."""
    assert database.path is not None
    with live_server(database) as server:
        token = server.token_for("bob")
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"{server.url}/api/v1", headers=headers) as client:
            other = sqlite3.connect(database.path, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            answers: dict[str, httpx.Response] = {}

            def write() -> None:
                body = {"task": "WEB-1", "day": DAY.isoformat(), "minutes": 45}
                answers["write"] = client.post("/add_time", json=body)

            writer = threading.Thread(target=write)
            writer.start()
            time.sleep(0.3)
            began = time.perf_counter()
            read = client.post("/week", json={"week": str(IsoWeek.of(DAY))})
            read_took = time.perf_counter() - began
            assert writer.is_alive(), "the write did not wait for the lock"
            other.execute("COMMIT")
            other.close()
            writer.join(10)
    assert read.status_code == 200 and read.json()["entries"] == []
    assert read_took < 0.25
    assert answers["write"].status_code == 200
    sheet = LocalBackend(database, "bob").week(IsoWeek.of(DAY))
    assert [(e.task, e.minutes) for e in sheet.entries] == [("WEB-1", 45)]


def test_writes_on_the_loop_land_once_each(database: Database) -> None:
    """Many writes at once from several clients: each lands, once (the loop's writes
    and the threads' take turns on one lock)."""
    with live_server(database) as server:
        token = server.token_for("bob")
        headers = {"Authorization": f"Bearer {token}"}

        def log(n: int) -> int:
            body = {"task": "WEB-1", "day": DAY.isoformat(), "minutes": 1}
            key = {"Idempotency-Key": f"test-{n}"}
            return httpx.post(
                f"{server.url}/api/v1/add_time", json=body, headers=headers | key
            ).status_code

        results: list[int] = []
        threads = [
            threading.Thread(target=lambda k=k: results.extend(log(k * 10 + i) for i in range(10)))
            for k in range(6)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert results.count(200) == 60
    sheet = LocalBackend(database, "bob").week(IsoWeek.of(DAY))
    assert sum(e.minutes for e in sheet.entries) == 60


def test_a_write_at_once_leaves_the_checkpoint_to_whoever_asks(database: Database) -> None:
    """SQLite checkpoints in the committing connection once the log is past 1,000
    pages: a stall the team server's event loop must not take. A write at once commits
    without it; `checkpoint` (a thread's, on the server) copies the log; the other
    writes checkpoint as before."""
    pooled = database.pooled
    for n in range(1_100):  # a page or more of the log each
        with pooled.at_once().write() as tx:
            tx.run("UPDATE users SET name = :name WHERE login = 'bob'", name=f"Bob {n}")
    busy, frames, copied = pooled.checkpoint()
    assert busy == 0 and frames > 1_000 and copied == frames  # nothing was copied before
    with pooled.write() as tx:
        assert tx.value("PRAGMA wal_autocheckpoint") == 1_000  # as every writer has it


def test_the_server_copies_the_log_on_a_thread_after_writes_on_its_loop(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_board.server import app as server_app
    from tui_board.store.database import PooledDatabase

    monkeypatch.setattr(server_app, "CHECKPOINT_EVERY_S", 0.0)
    ran: list[str] = []
    checkpoint = PooledDatabase.checkpoint

    def recorded(self: PooledDatabase) -> tuple[int, int, int]:
        ran.append(threading.current_thread().name)
        return checkpoint(self)

    monkeypatch.setattr(PooledDatabase, "checkpoint", recorded)
    with live_server(database) as server:
        token = server.token_for("bob")
        body = {"task": "WEB-1", "day": DAY.isoformat(), "minutes": 1}  # (400 fit in a day)
        headers = {"Authorization": f"Bearer {token}"}
        # A write goes on the loop when the file's write lock is free at that instant,
        # else to a thread (whose COMMIT checkpoints as SQLite does): write on, a
        # little apart, until one has gone on the loop and its checkpoint has run.
        deadline = time.monotonic() + 20
        while not ran and time.monotonic() < deadline:
            response = httpx.post(f"{server.url}/api/v1/add_time", json=body, headers=headers)
            assert response.status_code == 200
            time.sleep(0.05)
        loop_thread = server._thread.name if server._thread else ""
    assert ran and loop_thread and loop_thread not in ran
