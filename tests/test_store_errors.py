"""Store errors a user can cause, each one clear sentence (never an exception's name):
a directory, a garbage file or a damaged board given as --db, a read-only board (seen
when it is opened, said in the header, every write refused with the same sentence and
the typed value kept), and `serve` on a port another program listens on."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.cli_helpers import Cli, entry_point_env
from tests.test_timesheet import (  # noqa: F401  (fixtures)
    MON,
    NOW,
    WED,
    Clock,
    grid_text,
    line_of,
    open_sheet,
    team_template,
)
from tests.ui_helpers import SIZE, anyio_backend, settle  # noqa: F401  (fixtures)
from tui_board.backend import open_backend
from tui_board.config import Config
from tui_board.core.errors import StoreFailed
from tui_board.store.sqlite_file import store_error
from tui_board.ui.app import make_app
from tui_board.ui.session import describe_error
from tui_board.ui.widgets.week_grid import WeekGrid

#: What must never reach a user: exception class names, SQLite's own phrasing alone.
RAW = ("DatabaseError", "OperationalError", "sqlite3.", "Traceback", "unexpected error")


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` made read-only for this process: mode 0444, or, for root (whom modes do not
    stop), the immutable attribute."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o600)
        return
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"running as root and chattr +i fails here: {made.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.ok("init", "--db", str(runner.db))
    runner.ok("project", "add", "WEB", "Web site")
    runner.ok("task", "add", "WEB", "Fix login", "--estimate", "4h")
    return runner


def one_clear_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert not any(raw in lines[0] for raw in RAW), lines[0]
    return lines[0]


def test_a_directory_as_db(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    for args in (["week"], ["log", "1h", "WEB-1"], ["workload"]):
        ran = cli.run("--db", str(folder), *args, db=False)
        assert ran.code != 0
        assert "is not a regular file" in one_clear_line(ran.stderr)
    assert list(folder.iterdir()) == []


def test_a_garbage_file_as_db(cli: Cli, tmp_path: Path) -> None:
    garbage = tmp_path / "notes.db"
    garbage.write_bytes(b"shopping list\n" * 20)
    ran = cli.run("--db", str(garbage), "week", db=False)
    assert ran.code != 0
    assert "is not a tui-board database" in one_clear_line(ran.stderr)
    assert garbage.read_bytes() == b"shopping list\n" * 20


def damage(db: Path) -> bytes:
    """Keep the header (ours), overwrite every page after it."""
    data = db.read_bytes()
    damaged = data[:100] + b"\xa5" * (len(data) - 100)
    db.write_bytes(damaged)
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    return damaged


def test_a_damaged_board(cli: Cli) -> None:
    damaged = damage(cli.db)
    for args in (["week"], ["log", "1h", "WEB-1"], ["db", "upgrade"], ["task", "list"]):
        ran = cli.run(*args)
        assert ran.code == 1, args
        line = one_clear_line(ran.stderr)
        assert f"{cli.db} is damaged" in line or "the database is damaged" in line
        assert "restore it from a backup" in line
    assert cli.db.read_bytes() == damaged


def test_a_board_in_a_folder_that_is_not_mine_reads_with_nobody_having_it_open(
    tmp_path: Path,
) -> None:
    """Someone else's board, readable, in their folder, and nobody has it open (no
    `-shm` beside it): SQLite would make one to read it, and could not; the commands
    read it as it is, refuse writes in one line, and leave nothing in the folder."""
    folder = tmp_path / "theirs"
    folder.mkdir()
    cli = Cli(tmp_path)
    cli.db = folder / "board.db"
    cli.ok("init", "--db", str(cli.db))
    cli.ok("project", "add", "WEB", "Web site")
    cli.ok("task", "add", "WEB", "Fix login")
    cli.ok("log", "1h", "WEB-1")
    assert sorted(p.name for p in folder.iterdir()) == ["board.db"]
    with read_only(cli.db), read_only(folder):
        assert cli.week_minutes() == 60
        assert "Fix login" in cli.ok("task", "list")
        ran = cli.run("log", "30m", "WEB-1")
        assert ran.code == 1
        assert one_clear_line(ran.stderr) == (
            f"tui-board: read-only: {cli.db} cannot be written by you"
        )
        assert sorted(p.name for p in folder.iterdir()) == ["board.db"]


def test_an_immutable_read_sees_each_commit_and_refuses_one_written_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read as the reader of someone else's folder reads (immutable: no lock, no -shm),
    while the owner writes: each read sees what was committed before it (a kept
    connection showed the board as it first was, for good), and a read the owner wrote
    under is refused as such (it read 'malformed', said as damage)."""
    from tui_board.store import sqlite_file
    from tui_board.store.file import FileDatabase

    board = tmp_path / "theirs.db"
    shm = board.with_name(board.name + "-shm")

    def owner(*args: str) -> None:  # the owner, in a process of their own
        done = subprocess.run(
            [sys.executable, "-m", "tui_board", "--db", str(board), *args],
            env=entry_point_env(tmp_path, TUI_BOARD_USER="alice"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert not shm.exists()  # closed: nobody has it open

    owner("init", "--db", str(board))
    owner("project", "add", "WEB", "Web site")
    immutable = f"{board.resolve().as_uri()}?mode=ro&immutable=1"
    # As `read_only_uri` decides in a folder that is not mine (root may write any here).
    monkeypatch.setattr(
        sqlite_file, "read_only_uri", lambda path: None if shm.exists() else immutable
    )
    monkeypatch.setattr(sqlite_file, "is_read_only", lambda path: True)
    database = FileDatabase.open(board)
    assert database is not None and database.read_only
    try:

        def count() -> int:
            with database.read() as s:
                return int(s.value("SELECT count(*) FROM tasks"))

        assert count() == 0
        owner("task", "add", "WEB", "Another")
        assert count() == 1
        with pytest.raises(StoreFailed, match="changed while it was read"), database.read() as s:
            s.value("SELECT count(*) FROM tasks")
            owner("task", "add", "WEB", "A third")
    finally:
        database.close()


def test_a_read_only_board_reads_and_refuses_writes_up_front(cli: Cli) -> None:
    cli.ok("log", "1h", "WEB-1")
    before = cli.db.read_bytes()
    with read_only(cli.db):
        assert cli.week_minutes() == 60  # reading works
        for args in (["log", "30m", "WEB-1"], ["task", "add", "WEB", "More"], ["submit"]):
            ran = cli.run(*args)
            assert ran.code == 1, args
            assert one_clear_line(ran.stderr) == (
                f"tui-board: read-only: {cli.db} cannot be written by you"
            )
        assert cli.week_minutes() == 60
    assert cli.db.read_bytes() == before


def test_sqlite_errors_become_sentences(tmp_path: Path) -> None:
    board = tmp_path / "b.db"
    cases = {
        "attempt to write a readonly database": f"read-only: {board} cannot be written by you",
        "database is locked": f"{board} is busy: another program has held it",
        "database or disk is full": f"cannot write {board}: the disk is full",
        "file is not a database": f"{board} is damaged and cannot be read as a board",
        "unable to open database file": f"cannot open {board}: it must be a file",
    }
    for said, meant in cases.items():
        failed = store_error(sqlite3.OperationalError(said), board)
        assert isinstance(failed, StoreFailed)
        assert failed.message.startswith(meant), failed.message
        assert not any(raw in describe_error(sqlite3.DatabaseError(said)) for raw in RAW)
    assert store_error(sqlite3.IntegrityError("UNIQUE constraint failed"), board) is None
    assert store_error(ValueError("file is not a database"), board) is None
    assert describe_error(PermissionError(13, "Permission denied", "/x")) == (
        "/x: Permission denied"
    )


# --- the app -------------------------------------------------------------------------------


@pytest.fixture
def board(team_template: Path, tmp_path: Path) -> Config:  # noqa: F811
    """The timesheet's small team, alice with an hour on WEB-1 on Monday."""
    target = tmp_path / "team.db"
    target.write_bytes(team_template.read_bytes())
    config = Config(db=str(target))
    alice = open_backend(config, login="alice", clock=Clock(NOW))
    alice.set_entry("WEB-1", MON, 60)
    alice.close()
    return config


def stored(config: Config) -> dict[tuple[str, object], int]:
    alice = open_backend(config, login="alice", clock=Clock(NOW))
    try:
        return {(e.task, e.day): e.minutes for e in alice.list_entries(MON, WED, user="alice")}
    finally:
        alice.close()


@pytest.mark.anyio
async def test_the_app_says_read_only_up_front_and_keeps_what_was_typed(board: Config) -> None:
    path = Path(board.db)
    with read_only(path):
        clock = Clock(NOW)
        app = make_app(
            board,
            backend_factory=lambda: open_backend(board, login="alice", clock=clock),
            clock=clock,
        )
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_sheet(app, pilot)
            sentence = f"read-only: {path} cannot be written by you"
            assert f"· read-only: {path}"[:60] in str(app.sub_title)
            opened = [n.message for n in app._notifications]
            assert opened == [f"{sentence}: you may look, but nothing can be stored."]
            await pilot.press("2", "h", "enter")
            await settle(app, pilot)
            grid = screen.query_one(WeekGrid)
            assert grid.editing, "the typed value is offered again"
            assert any("2h" in line for line in grid_text(screen))
            assert sentence in line_of(screen)
            shown = [n.message for n in app._notifications]
            assert any(sentence in m for m in shown)
            assert not any(raw in m for m in shown for raw in RAW)
        assert stored(board) == {("WEB-1", MON): 60}


@pytest.mark.anyio
async def test_the_app_on_a_damaged_board_says_so_in_words(board: Config) -> None:
    damage(Path(board.db))
    clock = Clock(NOW)
    app = make_app(
        board,
        backend_factory=lambda: open_backend(board, login="alice", clock=clock),
        clock=clock,
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        shown = [n.message for n in app._notifications]
        assert any(f"{board.db} is damaged" in m for m in shown), shown
        assert not any(raw in m for m in shown for raw in RAW)


# --- serve ---------------------------------------------------------------------------------------


def test_serve_on_a_port_in_use_says_so_before_any_banner(cli: Cli) -> None:
    pytest.importorskip("uvicorn")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ran = cli.run("serve", "--db", str(cli.db), "--port", str(port), db=False)
    assert ran.code == 1
    line = one_clear_line(ran.stderr)
    assert line.startswith(f"tui-board: cannot listen on 127.0.0.1:{port}: ")
    assert "another program listens there" in line
    assert "server on" not in ran.stderr + ran.stdout
