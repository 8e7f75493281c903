"""Several processes on one PostgreSQL database: migrations that start together, and two
team servers that serve one team as one.

PostgreSQL only; skipped when it cannot be reached, except under CI=true, where that
fails (the `postgres_server` fixture of tests/conftest.py).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.conftest import PostgresServer
from tui_board.backend.local import LocalBackend
from tui_board.backend.protocol import Backend
from tui_board.backend.remote import RemoteBackend
from tui_board.core.errors import Conflict, Forbidden
from tui_board.core.models import Task, TaskPatch, UserPatch
from tui_board.core.weeks import IsoWeek
from tui_board.store.database import SCHEMA_HEAD, Database

DAY = date(2026, 11, 25)
PROCESSES = 4

#: What `tui-board db upgrade` does, begun by every process at one signal: each
#: imports and connects first, says so, then waits for the go file.
UPGRADE = """
import sys, time
from pathlib import Path

import alembic.command  # noqa: F401 - imported before the start, not after it
from tui_board.store.database import Database

database = Database.connect(sys.argv[1])
database.schema_revision()
print("ready", flush=True)
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.002)
database.upgrade()
print(database.schema_revision(), flush=True)
"""


@pytest.fixture
def empty_database(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a new PostgreSQL database with nothing in it."""
    url = postgres_server.create_database()
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


def test_upgrades_started_together_end_at_head(empty_database: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", UPGRADE, empty_database, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    try:
        for racer in racers:
            assert racer.stdout is not None
            assert racer.stdout.readline().strip() == "ready", racer.stderr
        go.touch()
        outcomes = [racer.communicate(timeout=60) for racer in racers]
    finally:
        for racer in racers:
            if racer.poll() is None:
                racer.kill()
                racer.wait()
    for racer, (out, err) in zip(racers, outcomes, strict=True):
        assert racer.returncode == 0, err
        assert out.strip() == SCHEMA_HEAD, err
    database = Database.open(empty_database)  # refuses a schema that is not the head
    try:
        with database.engine.connect() as conn:
            versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        assert [v for (v,) in versions] == [SCHEMA_HEAD]
        admin = LocalBackend(database, "ada")
        assert admin.me().role == "admin"  # the schema is whole: a first user, a change
        assert [c.entity for c in admin.changes_since(0)] == ["user"]
    finally:
        database.close()


# --- two servers, one team ----------------------------------------------------------------


class ServerProcess:
    """`python -m tui_board serve --db URL --port P`, as an admin would start it."""

    def __init__(self, url: str, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.db_url = url
        self.env = {
            **os.environ,
            "TUI_BOARD_CONFIG": str(folder / "config.toml"),
            "TUI_BOARD_DATA": str(folder / "data"),
        }
        self.log = folder / "server.log"
        self._start()

    def _start(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = ["serve", "--db", self.db_url, "--port", str(self.port)]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tui_board", *command],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = self.log.read_text()
                if "address already in use" in said.lower():  # another process took the port
                    self._start()
                    continue
                raise AssertionError(f"the server stopped: {said}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"the server on port {self.port} did not get ready")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Team:
    def __init__(self, database: Database, a: ServerProcess, b: ServerProcess, tmp: Path) -> None:
        self.database = database
        self.a, self.b = a, b
        self.tmp = tmp
        self.clients: list[RemoteBackend] = []

    def token(self, login: str) -> str:
        """A token as `tui-board user token` makes one: in the store, by its owner."""
        return LocalBackend(self.database, login).create_token(login, name="test")

    def client(self, server: ServerProcess, token: str) -> Backend:
        queue = self.tmp / "queues" / str(len(self.clients))
        client = RemoteBackend.connect(server.url, token, queue_dir=queue)
        self.clients.append(client)
        return client


@pytest.fixture
def team(empty_database: str, tmp_path: Path) -> Iterator[Team]:
    database = Database.open(empty_database, create=True)  # what `db upgrade` leaves
    admin = LocalBackend(database, "ada")
    admin.me()
    admin.create_user("mia", "Mia")
    admin.create_user("max", "Max")
    admin.create_project("WEB", "Website")
    admin.create_task("WEB", "Fix login")
    a, b = (ServerProcess(empty_database, tmp_path / name) for name in ("a", "b"))
    servers = [a, b]
    team = Team(database, a, b, tmp_path)
    try:
        for server in servers:
            server.wait_ready()
        yield team
    finally:
        for client in team.clients:
            client.close()
        for server in servers:
            server.stop()
        database.close()


def test_two_server_processes_serve_one_team_consistently(team: Team) -> None:
    assert team.a.process.pid != team.b.process.pid
    mia_token = team.token("mia")
    mia_a, mia_b = team.client(team.a, mia_token), team.client(team.b, mia_token)
    max_b = team.client(team.b, team.token("max"))

    # a token made once works on both
    assert mia_a.me() == mia_b.me()
    assert mia_b.me().login == "mia"

    # a write through A is read through B at once
    made = mia_a.create_task("WEB", "Through A", estimate=60)
    assert mia_b.get_task(made.key) == made
    assert max_b.list_tasks(project="WEB")[-1] == made
    entry = mia_a.set_entry(made.key, DAY, 45, version=0)
    assert entry is not None
    assert mia_b.week(IsoWeek.of(DAY)).entries == (entry,)
    assert mia_b.last_change() == mia_a.last_change()
    assert mia_b.changes_since(mia_b.last_change() - 1)[0].entity == "entry"

    # a stale write through B, after an update through A, gets 409 with the current row
    seen_by_b = max_b.get_task(made.key)
    updated = mia_a.update_task(made.key, seen_by_b.version, TaskPatch(title="A's title"))
    with pytest.raises(Conflict) as caught:
        max_b.update_task(made.key, seen_by_b.version, TaskPatch(title="B's title"))
    assert isinstance(caught.value.current, Task)
    assert caught.value.current == updated
    raw = httpx.post(
        f"{team.b.url}/api/v1/update_task",
        json={"key": made.key, "version": seen_by_b.version, "patch": {"title": "again"}},
        headers={"Authorization": f"Bearer {mia_token}"},
    )
    assert raw.status_code == 409
    assert raw.json()["current"]["title"] == "A's title"
    assert mia_b.get_task(made.key).title == "A's title"
    with pytest.raises(Conflict):  # the same for a timesheet cell B saw empty
        mia_b.set_entry(made.key, DAY, 30, version=0)
    (kept,) = mia_a.week(IsoWeek.of(DAY)).entries
    assert (kept.id, kept.minutes, kept.version) == (entry.id, 45, entry.version)


def test_tokens_and_rights_are_read_from_the_store_on_every_request(team: Team) -> None:
    """Nothing about people is kept in a server process: a revoked token and a new
    role are seen by both servers at once, whichever made them."""
    token = team.token("mia")
    mia_a, mia_b = team.client(team.a, token), team.client(team.b, token)
    assert mia_a.me().role == mia_b.me().role == "member"
    ada = LocalBackend(team.database, "ada")

    ada.update_user("mia", ada.get_user("mia").version, UserPatch(role="lead"))
    assert mia_a.me().role == mia_b.me().role == "lead"
    ada.revoke_tokens("mia")
    for client in (mia_a, mia_b):
        with pytest.raises(Forbidden):
            client.me()


def test_a_demo_on_postgresql_takes_new_rows(empty_database: str) -> None:
    """The demo writes its rows with their ids; the sequences must go on after them."""
    from tui_board.backend import open_backend
    from tui_board.config import Config
    from tui_board.demo import DemoSize, make_demo

    make_demo(empty_database, login="alice", size=DemoSize(users=4, tasks=10, weeks=2))
    alice = open_backend(Config(db=empty_database), login="alice")
    try:
        task = alice.create_task("WEB", "a new card")
        entry = alice.add_time(task.key, date(2027, 6, 1), 30)  # a week nobody closed
        assert entry.minutes == 30 and alice.get_task(task.key).logged == 30
    finally:
        alice.close()


def test_writes_go_on_after_a_column_is_added_under_the_server(
    postgres_server: PostgresServer,
) -> None:
    """A migration adds a column while the server runs: the statements its connections
    prepared before (`SELECT *`) are refused by PostgreSQL once ("cached plan must not
    change result type"); the write that meets it is rolled back whole and done again,
    prepared anew, on whichever connection: every request is answered, each cell once."""
    url = postgres_server.create_database()
    database = Database.open(url, create=True)
    try:
        admin = LocalBackend(database, "alice")
        admin.me()
        admin.create_user("bob", "Bob")
        admin.create_project("WEB", "Web site")
        admin.create_task("WEB", "Fix login")
        from tests.live_server import live_server

        with live_server(database) as server:
            token = server.token_for("bob")

            def log(n: int) -> int:
                response = httpx.post(
                    f"{server.url}/api/v1/add_time",
                    json={"task": "WEB-1", "day": DAY.isoformat(), "minutes": 1},
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"k{n}"},
                    timeout=30,
                )
                return response.status_code

            assert [log(n) for n in range(12)] == [200] * 12  # prepared on its connections
            with database.engine.begin() as conn:
                conn.exec_driver_sql("ALTER TABLE users ADD COLUMN later_extra int")
            assert [log(n) for n in range(12, 24)] == [200] * 12
        assert LocalBackend(database, "bob").week(IsoWeek.of(DAY)).total == 24
    finally:
        database.close()
        postgres_server.drop_database(url)


def test_the_same_new_row_asked_for_at_once_is_made_once_without_a_500(
    postgres_server: PostgresServer,
) -> None:
    """Twenty requests at the same moment that each make the same row (a team by one
    name; an import's part sent again, which replaces itself): each checked before
    any had written, and all but the first met a unique key at their insert, answered
    500 (an attacker's trial). Done again, they see the row: one team made and the
    rest refused as taken, every part stored, no 5xx."""
    import asyncio

    from tests.live_server import live_server

    url = postgres_server.create_database()
    database = Database.open(url, create=True)
    try:
        admin = LocalBackend(database, "alice")
        admin.me()
        admin.create_user("bob", "Bob")
        with live_server(database) as server:
            alice, bob = server.token_for("alice"), server.token_for("bob")

            async def at_once(operation: str, token: str, body: object) -> list[int]:
                async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
                    answers = await asyncio.gather(
                        *(
                            client.post(
                                f"/api/v1/{operation}",
                                json=body,
                                headers={"Authorization": f"Bearer {token}"},
                            )
                            for _ in range(20)
                        )
                    )
                return [answer.status_code for answer in answers]

            for round_ in range(3):
                teams = asyncio.run(at_once("create_team", alice, {"name": f"Ops {round_}"}))
                assert sorted(set(teams)) in ([200, 409], [200, 422], [200, 409, 422]), teams
                assert teams.count(200) == 1, teams
                parts = asyncio.run(
                    at_once("stage_import", bob, {"batch": f"b{round_}", "part": 0, "rows": []})
                )
                assert set(parts) == {200}, parts
        assert [t.name for t in admin.list_teams()] == ["Ops 0", "Ops 1", "Ops 2"]
    finally:
        database.close()
        postgres_server.drop_database(url)
