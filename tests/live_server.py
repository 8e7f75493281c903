"""A real uvicorn server on a loopback port, in a thread, for tests that cross HTTP.

`Switchable` lets one server (its app is costly to build: ~0.1 s) serve a fresh store
and clock per test: the app is built once over a `Switchable` database and clock, and
each test points them at its own.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn

from tui_board.backend.local import LocalBackend
from tui_board.backend.operations import Operation
from tui_board.backend.remote import RemoteBackend
from tui_board.core.clock import Clock, system_clock
from tui_board.server.app import create_app
from tui_board.server.feed import ChangeSignal
from tui_board.store.database import Database


class SwitchableDatabase:
    """Stands for the `Database` it points at (every attribute is the target's)."""

    def __init__(self, target: Database) -> None:
        self.target = target

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


class SwitchableClock:
    """A clock that reads the clock it points at."""

    def __init__(self, target: Clock = system_clock) -> None:
        self.target = target

    def __call__(self) -> datetime:
        return self.target()


class PreparedRemoteBackend(RemoteBackend):
    """A RemoteBackend that lets the test ready the server before each call until
    `prepare(operation name)` says it is ready (e.g. makes the caller's token once the
    caller is a user). Otherwise exactly a RemoteBackend."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        prepare: Callable[[str], bool],
        clock: Clock = system_clock,
        queue_dir: Path | None = None,
    ) -> None:
        super().__init__(url, token, clock=clock, queue_dir=queue_dir)
        self._prepare: Callable[[str], bool] | None = prepare

    @classmethod
    def prepared(
        cls,
        url: str,
        token: str,
        *,
        prepare: Callable[[str], bool],
        clock: Clock = system_clock,
        queue_dir: Path | None = None,
    ) -> PreparedRemoteBackend:
        """One made as `RemoteBackend.connect` makes one (see remote.py)."""
        return cls(url, token, prepare=prepare, clock=clock, queue_dir=queue_dir)

    def call(self, operation: Operation, arguments: dict[str, Any]) -> Any:
        if self._prepare is not None and self._prepare(operation.name):
            self._prepare = None
        return super().call(operation, arguments)


class LiveServer:
    def __init__(
        self,
        database: Database,
        *,
        clock: Clock = system_clock,
        port: int = 0,
        wrap: Callable[[Any], Any] | None = None,
    ) -> None:
        """`wrap`, if given, wraps the ASGI app (a test's middleware that watches the
        requests, say)."""
        self.database = database
        self.clock = clock
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        app: Any = create_app(database, clock=clock)
        #: The app (its read cache: `app.read_cache`).
        self.app = app
        #: The app's long polls: answered at once when the server stops (uvicorn would
        #: wait for them before it exits).
        self.change_feed: ChangeSignal = app.state.change_feed
        config = uvicorn.Config(
            wrap(app) if wrap else app, log_level="warning", access_log=False, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    def start(self) -> LiveServer:
        self._server.should_exit = False
        self.change_feed.reopen()
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.change_feed.close_threadsafe()
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._server.started = False

    def token_for(self, login: str) -> str:
        """A fresh API token for `login`, made on the server's own database."""
        local = LocalBackend(self.database, login, clock=self.clock)
        return local.create_token(login, name="test")


@contextmanager
def live_server(database: Database, *, clock: Clock = system_clock) -> Iterator[LiveServer]:
    server = LiveServer(database, clock=clock).start()
    try:
        yield server
    finally:
        server.stop()


def bobs_team(folder: Path) -> Database:
    """A new store in `folder`: alice its admin, bob a member, WEB-1 to log time on."""
    database = Database.open(str(folder / "team.db"), create=True)
    admin = LocalBackend(database, "alice")
    admin.me()
    admin.create_user("bob", "Bob")
    admin.create_project("WEB", "Web site")
    admin.create_task("WEB", "Fix login")
    return database
