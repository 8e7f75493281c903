"""Live updates through a real loopback server, on SQLite and on PostgreSQL: a change
made on one client shows on another's board in under a second, and clients waiting on
the change feed cost the server no request and no SQL while nothing changes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from textual.pilot import Pilot

from tests.live_server import LiveServer
from tests.ui_helpers import anyio_backend, frame_text, steady  # noqa: F401  (fixtures)
from tui_board.backend.local import LocalBackend
from tui_board.backend.remote import RemoteBackend
from tui_board.config import Config
from tui_board.core.models import Change
from tui_board.server import feed as feed_module
from tui_board.store.database import Database
from tui_board.ui.app import make_app
from tui_board.ui.screens.board import BoardScreen

#: Waiting clients in the idle test (the issue's team of 200).
CLIENTS = 200


@dataclass
class Counted:
    """What reached the server: HTTP requests, and SQL statements on its engine."""

    requests: int = 0
    statements: int = 0


@dataclass
class Team:
    database: Database
    server: LiveServer
    counted: Counted

    def remote(self, login: str, folder: Path) -> RemoteBackend:
        return RemoteBackend.connect(
            self.server.url, self.server.token_for(login), queue_dir=folder / f"q-{login}"
        )

    def restart(self) -> None:
        self.server.stop()
        self.server = LiveServer(
            self.database, port=self.server.port, wrap=self.server_wrap
        ).start()

    def server_wrap(self, app: Any) -> Any:
        return _counting(app, self.counted)


def _counting(app: Any, counted: Counted) -> Any:
    async def counting(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            counted.requests += 1
        await app(scope, receive, send)

    return counting


@pytest.fixture(params=["sqlite", "postgres"])
def team(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Team]:
    """alice (admin) and bob on a store with WEB-1, served on loopback; every request
    and every SQL statement the server makes is counted."""
    if request.param == "sqlite":
        database = Database.open(str(tmp_path / "team.db"), create=True)
    else:
        database = Database.open(request.getfixturevalue("postgres_url"))
    admin = LocalBackend(database, "alice")
    admin.me()
    admin.create_user("bob", "Bob")
    admin.create_project("WEB", "Web site")
    admin.create_task("WEB", "Fix login")
    counted = Counted()

    def count(*_args: Any) -> None:
        counted.statements += 1

    event.listen(database.engine, "before_cursor_execute", count)
    server = LiveServer(database, wrap=lambda app: _counting(app, counted)).start()
    found = Team(database, server, counted)
    try:
        yield found
    finally:
        found.server.stop()
        event.remove(database.engine, "before_cursor_execute", count)
        database.close()


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# --- the long poll ------------------------------------------------------------------------------


def test_a_long_poll_answers_a_change_from_anywhere_within_a_second(
    team: Team, tmp_path: Path
) -> None:
    """Through this server (another client), and straight into the store (another
    process or server: NOTIFY on PostgreSQL, `data_version` on SQLite)."""
    bob, alice = team.remote("bob", tmp_path), team.remote("alice", tmp_path)
    direct = LocalBackend(team.database, "alice")
    feed = team.server.change_feed
    try:
        for write in (
            lambda: alice.create_task("WEB", "Through the server"),
            lambda: direct.create_task("WEB", "Straight into the store"),
        ):
            since = bob.last_change()
            answer: list[list[Change]] = []
            waiter = threading.Thread(
                target=lambda a=answer, n=since: a.append(bob.wait_changes(n, 20))
            )
            waiter.start()
            wait_until(lambda: feed.waiting == 1)
            made = time.monotonic()
            write()
            waiter.join(5)
            took = time.monotonic() - made
            assert [(c.entity, c.action) for c in answer[0]] == [("task", "create")]
            assert took < 1.0, f"{took:.2f} s"
    finally:
        bob.close()
        alice.close()


def test_a_waiting_long_poll_of_a_revoked_token_is_refused_at_once(
    team: Team, tmp_path: Path
) -> None:
    """The token is checked again whenever the poll wakes: revoked while it waits (by
    an admin, straight into the store), the wait ends with a 401, not with the
    changes made after the revocation."""
    import httpx

    token = team.server.token_for("bob")
    since = LocalBackend(team.database, "alice").last_change()
    answers: list[httpx.Response] = []

    def wait() -> None:
        answers.append(
            httpx.get(
                f"{team.server.url}/api/v1/changes",
                params={"since": since, "wait": 20},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
        )

    waiter = threading.Thread(target=wait)
    waiter.start()
    wait_until(lambda: team.server.change_feed.waiting == 1)
    made = time.monotonic()
    assert LocalBackend(team.database, "alice").revoke_tokens("bob") == 1
    waiter.join(5)
    assert time.monotonic() - made < 1.0
    assert [a.status_code for a in answers] == [401]
    assert "revoked" in answers[0].json()["message"]


#: 200 clients, each its own person, each one long poll; in a process of their own
#: (their CPU is not the server's), as lean as HTTP/1.1 gets (httpx's pool of 200
#: connections costs more than the server does). Prints, once all are answered, the wall-clock
#: time of each answer and what it held.
CLIENTS_SCRIPT = """
import asyncio, json, sys, time
from urllib.parse import urlsplit
url, since, tokens = json.loads(sys.stdin.read())
where = urlsplit(url)
async def one(token):
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    writer.write((
        f"GET /api/v1/changes?since={since}&wait=30 HTTP/1.1\\r\\n"
        f"Host: {where.netloc}\\r\\nAuthorization: Bearer {token}\\r\\n"
        "Connection: close\\r\\n\\r\\n"
    ).encode())
    head = await reader.readuntil(b"\\r\\n\\r\\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    length = next(
        int(line.split(b":")[1]) for line in head.lower().split(b"\\r\\n")
        if line.startswith(b"content-length:")
    )
    body = await reader.readexactly(length)
    at = time.time()
    writer.close()
    return at, [change["action"] for change in json.loads(body)]
async def main():
    return await asyncio.gather(*(one(token) for token in tokens))
print(json.dumps(asyncio.run(main())))
"""


def test_idle_waiting_clients_cost_the_server_no_request_and_no_sql(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    looks = [0]
    data_version = feed_module._data_version

    def counted_look(conn: Any) -> int:
        looks[0] += 1
        return data_version(conn)

    monkeypatch.setattr(feed_module, "_data_version", counted_look)
    admin = LocalBackend(team.database, "alice")
    tokens = []
    for n in range(CLIENTS):
        admin.create_user(f"member{n}", f"Member {n}")
        tokens.append(admin.create_token(f"member{n}", name="test"))
    since = admin.last_change()
    feed = team.server.change_feed
    alice = team.remote("alice", tmp_path)
    alice.me()  # its connection is open
    clients = subprocess.Popen(
        [sys.executable, "-c", CLIENTS_SCRIPT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert clients.stdin is not None
    clients.stdin.write(json.dumps([team.server.url, since, tokens]))
    clients.stdin.close()
    try:
        wait_until(lambda: feed.waiting == CLIENTS, timeout=30)
        if not team.database.is_sqlite:
            assert feed.listening
        before = (team.counted.requests, team.counted.statements, looks[0])
        assert before[0] == CLIENTS + 1  # alice's `me`, and one wait each
        cpu = time.process_time()  # the server's (and this idle test's)
        time.sleep(3)
        cpu = time.process_time() - cpu
        requests, statements, file_looks = (
            team.counted.requests - before[0],
            team.counted.statements - before[1],
            looks[0] - before[2],
        )
        assert (requests, statements) == (0, 0)
        # SQLite: one look at the file per SQLITE_LOOK_SECONDS for the whole process,
        # however many wait; PostgreSQL: none (LISTEN).
        most = 3 / feed_module.SQLITE_LOOK_SECONDS + 2 if team.database.is_sqlite else 0
        assert file_looks <= most
        assert cpu < 0.3, f"{cpu:.2f} s of CPU in 3 s with {CLIENTS} idle clients"

        made = time.time()
        alice.create_task("WEB", "Everyone wakes")  # a client's change, through the server
        assert clients.stdout is not None
        answers = json.loads(clients.stdout.read())
        clients.wait(10)
        assert len(answers) == CLIENTS
        assert all(actions == ["create"] for _, actions in answers)
        slowest = max(at for at, _ in answers) - made
        print(f"{CLIENTS} woken: the last answered {slowest:.3f} s after the write")
        # All 200 read the feed again at once (each as who they are): the last one
        # has it well within the second on two cores.
        assert slowest < 1.0, f"the last of {CLIENTS} answered after {slowest:.2f} s"
    finally:
        alice.close()
        if clients.poll() is None:
            clients.kill()
            clients.wait()


# --- the board ----------------------------------------------------------------------------------


def board_shows(pilot: Pilot[None], text: str) -> bool:
    return any(text in line for line in frame_text(pilot.app))  # type: ignore[arg-type]


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.02)


@pytest.mark.anyio
async def test_a_change_on_one_client_shows_on_anothers_board_within_a_second(
    team: Team, tmp_path: Path
) -> None:
    alice = team.remote("alice", tmp_path)
    bob = team.remote("bob", tmp_path)
    app = make_app(Config(server=team.server.url, token="unused"), backend_factory=lambda: alice)
    feed = team.server.change_feed
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, BoardScreen) and app.screen.state is not None,
        )
        await wait_for(pilot, lambda: board_shows(pilot, "Fix login"))
        await wait_for(pilot, lambda: feed.waiting >= 1)  # the board waits on the feed

        # Idle: the open wait is all the board costs the server.
        requests = team.counted.requests
        await pilot.pause(2.5)
        assert team.counted.requests == requests

        for title in ("Made elsewhere", "Made elsewhere too"):
            await wait_for(pilot, lambda: feed.waiting >= 1)
            made = time.monotonic()
            bob.create_task("WEB", title)
            await wait_for(pilot, lambda title=title: board_shows(pilot, title), timeout=5)  # type: ignore[misc]
            took = time.monotonic() - made
            assert took < 1.0, f"{title!r} showed after {took:.2f} s"

        # The server goes away and comes back: the board waits on it again.
        team.restart()
        feed = team.server.change_feed
        await wait_for(pilot, lambda: feed.waiting >= 1)
        made = time.monotonic()
        bob.create_task("WEB", "After the restart")
        await wait_for(pilot, lambda: board_shows(pilot, "After the restart"), timeout=5)
        took = time.monotonic() - made
        assert took < 1.0, f"after the restart: {took:.2f} s"
    # Quitting ended the board's wait (closing the backend ends it at once).
    wait_until(
        lambda: not any(t.name.startswith("tui-board-") for t in threading.enumerate()),
        timeout=2,
    )
    bob.close()


def test_a_stopping_server_answers_its_long_polls_and_stops_at_once(tmp_path: Path) -> None:
    """`tui-board serve` stopped (Ctrl-C) with a client waiting on the change feed: the
    wait is answered (an empty list, 200), the process ends within a second, and no
    traceback is printed (uvicorn waited 2 s for it, then cancelled it into a 500)."""
    import signal
    import socket

    import httpx

    from tests.cli_helpers import entry_point_env

    database = Database.open(str(tmp_path / "serve.db"), create=True)
    LocalBackend(database, "alice").me()
    token = LocalBackend(database, "alice").create_token("alice")
    database.close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["serve", "--db", str(tmp_path / "serve.db"), "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, "-m", "tui_board", *command],
        env=entry_point_env(tmp_path, TUI_BOARD_USER="alice"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    answers: list[httpx.Response] = []
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/healthz")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)

        def wait() -> None:
            answers.append(
                httpx.get(
                    f"{url}/api/v1/changes",
                    params={"since": 10**6, "wait": 30},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=40,
                )
            )

        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(0.5)  # the poll is waiting
        stopped = time.monotonic()
        server.send_signal(signal.SIGINT)
        _out, err = server.communicate(timeout=20)
        took = time.monotonic() - stopped
        waiter.join(10)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert [(a.status_code, a.json()) for a in answers] == [(200, [])]
    assert took < 1.0, f"took {took:.2f} s to stop"
    assert "Traceback" not in err and "CancelledError" not in err
