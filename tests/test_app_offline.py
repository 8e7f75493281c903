"""The app on a team server that goes down: the header says so, typed time is kept and
sent once the server is back, the board is read-only meanwhile (see
tui_board/ui/read_only.py for why it is not queued), nothing typed in a dialog is lost,
and the board reads itself again when the server answers."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label

from tests.live_server import LiveServer
from tests.ui_helpers import anyio_backend, steady  # noqa: F401  (fixtures)
from tui_board.backend import remote as remote_module
from tui_board.backend.local import LocalBackend
from tui_board.backend.remote import RemoteBackend
from tui_board.config import Config
from tui_board.core.clock import local_today
from tui_board.store.database import Database
from tui_board.ui import app as app_module
from tui_board.ui.app import BoardApp, make_app
from tui_board.ui.dialogs.task_detail import TaskDetailScreen
from tui_board.ui.dialogs.task_form import TaskForm
from tui_board.ui.read_only import READ_ONLY, server_away
from tui_board.ui.screens.board import BoardScreen
from tui_board.ui.screens.board.live import BoardLive
from tui_board.ui.widgets.top_bar import TopBar

pytestmark = pytest.mark.anyio
S = TypeVar("S")
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


# --- the board while the server is away ---------------------------------------------------------


@dataclass
class Team:
    """A store with WEB-1 and WEB-2 in the backlog, served on loopback; alice's app on it."""

    database: Database
    admin: LocalBackend
    server: LiveServer
    remote: RemoteBackend
    app: BoardApp
    #: Every notification the app showed, in order (toasts expire; these stay).
    said: list[str] = field(default_factory=list)

    def stop(self) -> None:
        self.server.stop()

    def restart(self) -> None:
        """The server again, on the same port and the same database file."""
        self.server = LiveServer(self.database, port=self.server.port).start()

    def column(self, name: str) -> int:
        return next(c.id for c in self.admin.list_columns("WEB") if c.name == name)


@contextmanager
def team(tmp_path: Path) -> Iterator[Team]:
    database = Database.open(str(tmp_path / "team.db"), create=True)
    admin = LocalBackend(database, "alice")
    admin.me()
    admin.create_project("WEB", "Web site")
    admin.create_task("WEB", "Fix login")
    admin.create_task("WEB", "Write docs")
    server = LiveServer(database).start()
    token = server.token_for("alice")
    remote = RemoteBackend.connect(server.url, token, queue_dir=tmp_path / "offline")
    app = make_app(Config(server=server.url, token=token), backend_factory=lambda: remote)
    found = Team(database, admin, server, remote, app)
    notify = app.notify

    def spy(message: str, **options: Any) -> None:
        found.said.append(message)
        notify(message, **options)

    app.notify = spy  # type: ignore[method-assign]
    try:
        yield found
    finally:
        found.server.stop()
        database.close()


async def test_time_refused_when_the_server_is_back_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Time typed while the server was away, and refused once it is back (the day was
    locked meanwhile), is said in the app. The first request back sent the queue before
    its own and kept what it learned to itself: nothing was said."""
    monkeypatch.setattr(app_module, "LINK_CHECK_SECONDS", 0.2)
    with team(tmp_path) as t:
        async with t.app.run_test(size=(120, 30)) as pilot:
            await board_of(t, pilot)
            t.stop()
            t.remote.add_time("WEB-1", DAY, 45)  # a screen's write: queued
            bar = t.app.screen.query_one(TopBar)
            await wait_for(pilot, lambda: bar.link.startswith("offline"))
            t.admin.lock_period(DAY)
            t.restart()
            await wait_for(pilot, lambda: any("The server refused" in m for m in t.said))
            [said] = [m for m in t.said if "The server refused" in m]
            assert "add_time WEB-1 2026-11-24 0:45" in said and "locked" in said
            assert t.remote.pending_writes() == [] and t.admin.list_entries(DAY, DAY) == []


async def test_time_queued_before_the_app_opened_and_refused_is_told(tmp_path: Path) -> None:
    """Time queued in an earlier session (or from the shell) and refused when the app
    opens: the app's first request sent the queue before it listened (a review)."""
    with team(tmp_path) as t:
        t.stop()
        t.remote.add_time("WEB-1", DAY, 45)  # queued: the server is away
        t.admin.lock_period(DAY)
        t.restart()
        async with t.app.run_test(size=(120, 30)) as pilot:
            await board_of(t, pilot)
            await wait_for(pilot, lambda: any("The server refused" in m for m in t.said))
            [said] = [m for m in t.said if "The server refused" in m]
            assert "add_time WEB-1 2026-11-24 0:45" in said and "locked" in said
            assert t.remote.pending_writes() == [] and t.admin.list_entries(DAY, DAY) == []


async def board_of(team: Team, pilot: Pilot[None]) -> BoardScreen:
    app = team.app
    await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen) and loaded(app.screen))
    screen = app.screen
    assert isinstance(screen, BoardScreen)
    return screen


def loaded(screen: BoardScreen) -> bool:
    return screen.has_class("-loaded") and screen.state is not None


def top(app: BoardApp, kind: type[S]) -> S:
    """The screen on top, which is a `kind`."""
    screen = app.screen
    assert isinstance(screen, kind)
    return screen


def keys_in(screen: BoardScreen, column_id: int) -> list[str]:
    assert screen.state is not None
    return [task.key for task in screen.state.cards(column_id)]


def status_of(screen: BoardScreen) -> str:
    status = screen.query_one(".mode-status")
    return str(status.render()) if status.display else ""


async def test_the_board_is_read_only_while_the_server_is_away_and_reads_itself_when_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "LINK_CHECK_SECONDS", 0.2)
    monkeypatch.setattr(BoardLive, "POLL_SECONDS", 0.2)
    with team(tmp_path) as t:
        app = t.app
        backlog, done = t.column("Backlog"), t.column("Done")
        async with app.run_test(size=(120, 30)) as pilot:
            screen = await board_of(t, pilot)
            assert keys_in(screen, backlog) == ["WEB-1", "WEB-2"]
            assert screen.focused_card() is not None
            assert screen.focused_card().key == "WEB-1"  # type: ignore[union-attr]
            versions = {task.key: task.version for task in t.admin.list_tasks(project="WEB")}
            seq = t.admin.last_change()

            t.stop()
            await wait_for(pilot, lambda: screen.read_only)
            assert "read-only until the server answers" in status_of(screen)
            t.said.clear()
            for key in ("L", "J", "shift+right", "n", "a", "d", "space"):
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is screen, f"{key} opened {app.screen}"
                assert keys_in(screen, backlog) == ["WEB-1", "WEB-2"], key
                assert t.said[-1] == READ_ONLY, key
            assert screen.writes_asked == 0

            # Time on the card is the person's own: it is queued, as on the timesheet.
            await pilot.press("t", "1", "enter")
            await wait_for(pilot, lambda: not app.writer.busy() and not screen.writes_pending)
            assert any(note.startswith("Queued 1:00 on WEB-1") for note in t.said)
            assert len(t.remote.pending_writes()) == 1

            # Someone else (on the server's own store) finishes WEB-2 meanwhile.
            t.admin.move_task("WEB-2", versions["WEB-2"], done)
            t.restart()
            # The board reads itself again: no `r` pressed.
            await wait_for(
                pilot, lambda: not screen.read_only and keys_in(screen, done) == ["WEB-2"]
            )
            await wait_for(pilot, lambda: app.link == "")
            assert keys_in(screen, backlog) == ["WEB-1"]
            assert status_of(screen) == ""

        # Stored: nothing of the board's keys; the logged hour exactly once.
        assert t.admin.get_task("WEB-1").version == versions["WEB-1"]
        assert t.admin.get_task("WEB-1").column_id == backlog
        assert t.admin.get_task("WEB-1").assignee is None
        assert not t.admin.get_task("WEB-1").archived
        assert t.admin.timer_status() is None
        assert [task.title for task in t.admin.list_tasks(project="WEB")] == [
            "Fix login",
            "Write docs",
        ]
        mine = [c for c in t.admin.changes_since(seq) if c.entity == "task"]
        assert [(c.entity_id, c.action) for c in mine] == [("WEB-2", "move")]
        today = local_today(app.clock)
        entries = t.admin.list_entries(today, today, task="WEB-1")
        assert [(e.user, e.minutes) for e in entries] == [("alice", 60)]
        assert t.remote.pending_writes() == []


async def test_moves_on_their_way_when_the_server_hangs_are_undone_on_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The board does not know yet: its change feed is read only once a minute here. The
    # server hangs (its port takes connections, nothing answers) and requests give up
    # after a second.
    monkeypatch.setattr(app_module, "LINK_CHECK_SECONDS", 0.2)
    monkeypatch.setattr(BoardLive, "POLL_SECONDS", 60.0)
    monkeypatch.setattr(remote_module, "TIMEOUT", httpx.Timeout(1.0))
    with team(tmp_path) as t:
        app = t.app
        backlog, todo, doing = t.column("Backlog"), t.column("To do"), t.column("In progress")
        async with app.run_test(size=(120, 30)) as pilot:
            screen = await board_of(t, pilot)
            version = t.admin.get_task("WEB-1").version
            seq = t.admin.last_change()
            t.stop()
            with hung(t.server.port):
                assert not screen.read_only
                await pilot.press("L", "L", "H")  # three writes before the first one fails
                assert keys_in(screen, todo) == ["WEB-1"]  # shown at once, as always
                await wait_for(
                    pilot, lambda: screen.writes_asked == 3 and not screen.writes_pending
                )
            assert screen.read_only
            assert keys_in(screen, backlog) == ["WEB-1", "WEB-2"]
            assert keys_in(screen, todo) == []
            assert "read-only until the server answers" in status_of(screen)
            assert keys_in(screen, doing) == []
            assert screen.focused_card() is not None
            assert screen.focused_card().key == "WEB-1"  # type: ignore[union-attr]
            assert any(n.startswith(f"{READ_ONLY}: move WEB-1 to To do") for n in t.said)

            t.admin.move_task("WEB-2", t.admin.get_task("WEB-2").version, todo)
            t.restart()
            await wait_for(
                pilot, lambda: not screen.read_only and keys_in(screen, todo) == ["WEB-2"]
            )
            assert keys_in(screen, backlog) == ["WEB-1"]
        assert t.admin.get_task("WEB-1").version == version
        assert t.admin.get_task("WEB-1").column_id == backlog
        moves = [(c.entity_id, c.action) for c in t.admin.changes_since(seq)]
        assert moves == [("WEB-2", "move")]


async def test_a_new_card_keeps_what_was_typed_when_it_cannot_be_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "LINK_CHECK_SECONDS", 0.2)
    monkeypatch.setattr(BoardLive, "POLL_SECONDS", 60.0)
    with team(tmp_path) as t:
        app = t.app
        async with app.run_test(size=(120, 30)) as pilot:
            screen = await board_of(t, pilot)
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, TaskForm))
            form = top(app, TaskForm)
            await type_text(pilot, "Cache the avatars")
            await pilot.press("tab", "tab", "tab")  # description, assignee, estimate
            await type_text(pilot, "3h")
            t.stop()
            await pilot.press("ctrl+s")  # the write goes out and fails
            await wait_for(pilot, lambda: form.sending is None)
            assert app.screen is form
            assert form.query_one("#task-form-title", Input).value == "Cache the avatars"
            assert form.query_one("#task-form-estimate", Input).value == "3h"
            error = str(form.query_one(".dialog--error", Label).render())
            assert error.startswith("Not stored: cannot reach the server")
            assert "What you typed is kept" in error

            await pilot.press("ctrl+s")  # now the app knows: refused at once
            await pilot.pause()
            assert app.screen is form
            assert READ_ONLY in str(form.query_one(".dialog--error", Label).render())
            assert [task.title for task in t.admin.list_tasks(project="WEB")] == [
                "Fix login",
                "Write docs",
            ]

            t.restart()
            await wait_for(pilot, lambda: app.link == "")
            await wait_for(pilot, lambda: not screen.read_only)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: app.screen is screen and not screen.writes_pending)
            assert screen.focused_card() is not None
            assert screen.focused_card().title == "Cache the avatars"  # type: ignore[union-attr]
        made = [
            task for task in t.admin.list_tasks(project="WEB") if task.title.startswith("Cache")
        ]
        assert [(task.key, task.estimate) for task in made] == [("WEB-3", 180)]


async def test_an_edit_and_a_comment_keep_what_was_typed_when_they_cannot_be_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "LINK_CHECK_SECONDS", 0.2)
    monkeypatch.setattr(BoardLive, "POLL_SECONDS", 60.0)
    with team(tmp_path) as t:
        app = t.app
        async with app.run_test(size=(120, 30)) as pilot:
            await board_of(t, pilot)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, TaskDetailScreen))
            detail = top(app, TaskDetailScreen)

            # A comment: the server goes down as it is posted.
            await pilot.press("c")
            await type_text(pilot, "the cache is stale")
            t.stop()
            await pilot.press("enter")
            await wait_for(pilot, lambda: not detail.writes_pending and detail.writes_asked == 1)
            field = detail.query_one("#detail-comment", Input)
            assert field.value == "the cache is stale"
            assert any("the comment was not posted" in n for n in t.said)

            # The card's form: refused at once now that the app knows, and nothing opens.
            await pilot.press("escape", "e")  # leave the comment field, then edit
            await pilot.pause()
            assert app.screen is detail
            assert t.said[-1] == READ_ONLY

            t.restart()
            await wait_for(pilot, lambda: app.link == "")
            field.focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: detail.writes_asked == 2 and not detail.writes_pending)
            assert field.value == ""

            # The form, open when the server goes down: it keeps the new title.
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, TaskForm))
            form = top(app, TaskForm)
            await pilot.press("end", "exclamation_mark")
            t.stop()
            await pilot.press("enter")
            await wait_for(pilot, lambda: form.sending is None)
            assert app.screen is form
            assert form.query_one("#task-form-title", Input).value == "Fix login!"
            assert "Not stored" in str(form.query_one(".dialog--error", Label).render())
            assert t.admin.get_task("WEB-1").title == "Fix login"
            t.restart()
            await wait_for(pilot, lambda: app.link == "" and not server_away(app.backend))
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is detail and not detail.writes_pending)
            assert detail.card.title == "Fix login!"
        stored = t.admin.get_task("WEB-1")
        assert (stored.title, stored.version) == ("Fix login!", 2)
        assert [c.body for c in t.admin.list_comments("WEB-1")] == ["the cache is stale"]


@contextmanager
def hung(port: int) -> Iterator[None]:
    """A server that takes connections on `port` and never answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    try:
        yield
    finally:
        listener.close()


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*("space" if c == " " else c for c in text))


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 20.0
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)
