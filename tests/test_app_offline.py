"""The app on a team server that goes down: the header says so, typed time is kept and
sent once the server is back."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.live_server import LiveServer
from tests.ui_helpers import anyio_backend, steady  # noqa: F401  (fixtures)
from tui_board.backend.local import LocalBackend
from tui_board.backend.remote import RemoteBackend
from tui_board.config import Config
from tui_board.store.database import Database
from tui_board.ui import app as app_module
from tui_board.ui.app import make_app
from tui_board.ui.widgets.top_bar import TopBar

pytestmark = pytest.mark.anyio
DAY = date(2026, 11, 24)


async def test_the_header_says_offline_and_nothing_typed_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "LINK_CHECK_SECONDS", 0.2)
    database = Database.open(str(tmp_path / "team.db"), create=True)
    admin = LocalBackend(database, "alice")
    admin.me()
    admin.create_project("WEB", "Web site")
    admin.create_task("WEB", "Fix login")
    server = LiveServer(database).start()
    token, url, port = server.token_for("alice"), server.url, server.port
    remote = RemoteBackend.connect(url, token, queue_dir=tmp_path / "offline")
    app = make_app(Config(server=url, token=token), backend_factory=lambda: remote)
    restarted: LiveServer | None = None
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            bar = app.screen.query_one(TopBar)
            await wait_for(pilot, lambda: app.backend is not None)
            assert bar.link == ""
            server.stop()
            entry = remote.add_time("WEB-1", DAY, 45, comment="on the train")  # a screen's write
            assert entry.id == 0
            await wait_for(pilot, lambda: bar.link.startswith("offline"))
            assert bar.link == "offline · 1 entry queued"
            restarted = LiveServer(database, port=port).start()
            await wait_for(pilot, lambda: bar.link == "")
            stored = admin.list_entries(DAY, DAY)
            assert [(e.task, e.minutes, e.comment) for e in stored] == [
                ("WEB-1", 45, "on the train")
            ]
            assert remote.pending_writes() == []
    finally:
        (restarted or server).stop()
        database.close()


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 10.0
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)
