"""No update is lost when several processes write at once.

Real OS processes (not threads: SQLite's locks are per process) start together and
each adds one minute to a timesheet cell N times through `LocalBackend.add_time`: two
of them as the same person on the same cell, a third as someone else on the same task
(so `task.logged`, kept by the service layer, is written by everyone). Each also edits
the task by read-then-write with its version (get, change, `update_task`), retrying on
Conflict. At the end every minute and every edit must be there: a plain ORM
get-modify-commit loses about 40% of them between two processes on SQLite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import fresh_sqlite

N = 200
EDITS = 40
DAY = date(2026, 11, 25)
#: (login, cell owner): two processes share ann's cell, one writes bob's.
WORKERS = ("ann", "ann", "bob")

WORKER = r"""
import json, sys
from datetime import date

from tui_board.backend.local import LocalBackend
from tui_board.core.errors import Conflict
from tui_board.core.models import TaskPatch
from tui_board.store.database import Database

url, login, n, edits, task, day = sys.argv[1:7]
n, edits, day = int(n), int(edits), date.fromisoformat(day)
backend = LocalBackend(Database.open(url), login)
backend.me()
print("ready", flush=True)
sys.stdin.readline()  # start together
conflicts = 0
for i in range(n):
    backend.add_time(task, day, 1)
    if i < edits:
        while True:
            seen = backend.get_task(task)
            try:
                patch = TaskPatch(description=seen.description + "x")
                backend.update_task(task, seen.version, patch)
                break
            except Conflict:
                conflicts += 1
print(json.dumps({"conflicts": conflicts}), flush=True)
"""


def prepare(url: str) -> str:
    """An admin, the people and one task; returns the task's key."""
    from tui_board.backend.local import LocalBackend
    from tui_board.store.database import Database

    database = Database.open(url)
    try:
        admin = LocalBackend(database, "ada")
        admin.me()
        for login in sorted(set(WORKERS)):
            admin.create_user(login, login.title())
        admin.create_project("RACE", "Race")
        return admin.create_task("RACE", "contended").key
    finally:
        database.close()


def run_workers(url: str, task: str) -> list[dict[str, int]]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, login, str(N), str(EDITS), task, DAY.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for login in WORKERS
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.strip() == "ready", proc.communicate(timeout=30)[1]
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


def check(url: str, task: str, results: list[dict[str, int]]) -> None:
    from tui_board.backend.local import LocalBackend
    from tui_board.store.database import Database

    database = Database.open(url)
    try:
        admin = LocalBackend(database, "ada")
        cells = {e.user: e.minutes for e in admin.list_entries(DAY, DAY, task=task)}
        expected = {login: N * WORKERS.count(login) for login in set(WORKERS)}
        assert cells == expected
        stored = admin.get_task(task)
        assert stored.logged == N * len(WORKERS)
        assert stored.description == "x" * (EDITS * len(WORKERS))
        assert stored.version == 1 + EDITS * len(WORKERS)
        # every write left exactly one change, none were lost or doubled
        changes = admin.changes_since(0, limit=10_000)
        assert sum(1 for c in changes if c.entity == "entry") == N * len(WORKERS)
        assert sum(1 for c in changes if c.action == "update") == EDITS * len(WORKERS)
        assert sum(r["conflicts"] for r in results) >= 0
    finally:
        database.close()


@pytest.mark.slow
def test_no_lost_updates_on_sqlite(sqlite_template: Path, tmp_path: Path) -> None:
    database = fresh_sqlite(sqlite_template, tmp_path)
    database.close()
    url = str(tmp_path / "board.db")
    task = prepare(url)
    check(url, task, run_workers(url, task))


@pytest.mark.slow
def test_no_lost_updates_on_postgres(postgres_url: str) -> None:
    task = prepare(postgres_url)
    check(postgres_url, task, run_workers(postgres_url, task))


MOVER = r"""
import json, sys

from tui_board.backend.local import LocalBackend
from tui_board.store.database import Database

url, login, moves, *keys = sys.argv[1:]
backend = LocalBackend(Database.open(url), login)
columns = [c.id for c in backend.list_columns("RACE")][:2]
backend.me()
print("ready", flush=True)
sys.stdin.readline()
for i in range(int(moves)):
    key = keys[i % len(keys)]
    task = backend.get_task(key)
    target = columns[1] if task.column_id == columns[0] else columns[0]
    backend.move_task(key, task.version, target, 0)
print(json.dumps({}), flush=True)
"""


def run_movers(url: str, cards: dict[str, list[str]], moves: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", MOVER, url, login, str(moves), *keys],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for login, keys in cards.items()
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready", proc.communicate(timeout=30)[1]
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for proc in procs:
            _out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


def check_moves(url: str) -> None:
    from tui_board.backend.local import LocalBackend
    from tui_board.store.database import Database

    database = Database.open(url)
    try:
        admin = LocalBackend(database, "ada")
        for column in admin.list_columns("RACE"):
            ranks = [t.rank for t in admin.list_tasks(column_id=column.id)]
            assert ranks == sorted(set(ranks)), f"ranks tie or disorder in {column.name}"
    finally:
        database.close()


def moves_on(url: str) -> None:
    prepare(url)
    from tui_board.backend.local import LocalBackend
    from tui_board.store.database import Database

    database = Database.open(url)
    try:
        admin = LocalBackend(database, "ada")
        cards = {
            login: [admin.create_task("RACE", f"{login} {n}").key for n in range(3)]
            for login in ("ann", "bob")
        }
    finally:
        database.close()
    run_movers(url, cards, 100)
    check_moves(url)


@pytest.mark.slow
def test_concurrent_moves_never_tie_ranks_on_sqlite(sqlite_template: Path, tmp_path: Path) -> None:
    fresh_sqlite(sqlite_template, tmp_path).close()
    moves_on(str(tmp_path / "board.db"))


@pytest.mark.slow
def test_concurrent_moves_never_tie_ranks_on_postgres(postgres_url: str) -> None:
    moves_on(postgres_url)


def waiting_on_locks(watcher: Any, count: int) -> int:
    """How many sessions of the test's database wait for a lock, once `count` do (or
    after 20 s); `watcher`: a psycopg connection of the test's own."""
    import time

    deadline, found = time.monotonic() + 20, 0
    while found < count and time.monotonic() < deadline:
        row = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
        found = int(row[0]) if row else 0
        time.sleep(0.02)
    return found


@pytest.mark.parametrize("write", ["add_time", "set_entry"])
def test_twin_requests_racing_on_postgres_apply_once(postgres_url: str, write: str) -> None:
    """Two sends of one write (a client retrying before the first answer came), both
    begun before either commits: the store applies one; the other is already applied
    (not refused for what its twin did: `set_entry` from version 0 would be a stale
    edit), and nothing is doubled. A session holding the feed's lock holds the first
    at the end of its write, the second waits for the person's row it holds."""
    import threading

    import psycopg
    from sqlalchemy.engine import make_url

    from tui_board.backend.local import LocalBackend
    from tui_board.core.errors import AlreadyApplied
    from tui_board.core.models import TimeEntry
    from tui_board.store.database import Database

    task = prepare(postgres_url)
    conninfo = make_url(postgres_url).set(drivername="postgresql")
    holder = psycopg.connect(conninfo.render_as_string(hide_password=False), autocommit=True)
    database = Database.open(postgres_url)
    results: list[object] = []

    def twin() -> None:
        backend = LocalBackend(database.pooled, "ann", request_id="twin-key-1")
        try:
            if write == "add_time":
                results.append(backend.add_time(task, DAY, 5))
            else:
                results.append(backend.set_entry(task, DAY, 5, version=0))
        except AlreadyApplied as error:
            results.append(error)

    try:
        holder.execute("SELECT pg_advisory_lock(7320412)")
        threads = [threading.Thread(target=twin) for _ in range(2)]
        for thread in threads:
            thread.start()
        # the first waits for the feed's lock, the second for ann's row the first holds
        assert waiting_on_locks(holder, 2) == 2
        holder.execute("SELECT pg_advisory_unlock(7320412)")
        for thread in threads:
            thread.join(30)
        assert sorted(type(r).__name__ for r in results) == ["AlreadyApplied", "TimeEntry"]
        stored = next(r for r in results if isinstance(r, TimeEntry))
        assert stored.minutes == 5
        admin = LocalBackend(database, "ada")
        assert [e.minutes for e in admin.list_entries(DAY, DAY, task=task)] == [5]
        assert admin.get_task(task).logged == 5
        entries = [c for c in admin.changes_since(0, limit=100) if c.entity == "entry"]
        assert len(entries) == 1
    finally:
        holder.close()
        database.close()


def test_a_task_is_not_archived_under_a_cell_write_on_postgres(postgres_url: str) -> None:
    """A cell write reads its task without taking the row every other writer of the task
    waits for (its logged total changes last): archiving the task meanwhile waits for the
    write to commit, so no time is logged on a task archived under it. A session holding
    the cell's row pauses the write between its reads and its commit."""
    import threading

    import psycopg
    from sqlalchemy.engine import make_url

    from tui_board.backend.local import LocalBackend
    from tui_board.store.database import Database

    task = prepare(postgres_url)
    conninfo = make_url(postgres_url).set(drivername="postgresql")
    plain = conninfo.render_as_string(hide_password=False)
    database = Database.open(postgres_url)
    holder = psycopg.connect(plain)
    watcher = psycopg.connect(plain, autocommit=True)
    ann = LocalBackend(database.pooled, "ann")
    admin = LocalBackend(database, "ada")
    results: dict[str, object] = {}

    def run(name: str, work: Callable[[], object]) -> threading.Thread:
        def go() -> None:
            try:
                results[name] = work()
            except Exception as error:
                results[name] = error

        thread = threading.Thread(target=go)
        thread.start()
        return thread

    try:
        cell = ann.add_time(task, DAY, 5)
        holder.execute("SELECT id FROM time_entries WHERE id = %s FOR UPDATE", (cell.id,))
        writing = run("write", lambda: ann.add_time(task, DAY, 5))
        assert waiting_on_locks(watcher, 1) == 1  # the write, at the cell, its reads done
        version = admin.get_task(task).version
        archiving = run("archive", lambda: admin.archive_task(task, version))
        assert waiting_on_locks(watcher, 2) == 2  # the archive waits for the write
        assert "archive" not in results
        holder.commit()
        writing.join(30)
        archiving.join(30)
        assert getattr(results["write"], "minutes", None) == 10, results
        assert getattr(results["archive"], "archived", None) is True, results
        assert admin.get_task(task).logged == 10
    finally:
        holder.close()
        watcher.close()
        database.close()
