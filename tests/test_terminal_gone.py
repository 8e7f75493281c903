"""The app in a real pseudo-terminal that goes away (an SSH session dropping, a tmux pane
killed, whatever holds the terminal closing it) while a write waits for the store: the
app quits within seconds, and the write is stored first (`tui_board/ui/terminal.py`).

Before, the app ran on, a core busy, when the terminal was not its controlling one, and
was killed by the hang-up, its write lost, when it was."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CARD_KEY = re.compile(rb"\b(APP|WEB|OPS)-\d+\b")
ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_]|[ -/][0-~])")
SIZE = struct.pack("HHHH", 30, 100, 0, 0)


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A board whose first column holds a card (the focus is on it at start)."""
    folder = tmp_path_factory.mktemp("gone")
    db = folder / "board.db"
    for command in (["init"], ["project", "add", "WEB", "Website"], ["task", "add", "WEB", "A"]):
        made = subprocess.run(
            [sys.executable, "-m", "tui_board", "--db", str(db), *command],
            env=environment(folder),
            capture_output=True,
            text=True,
        )
        assert made.returncode == 0, made.stderr
    return db


def environment(folder: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "TUI_BOARD_USER": "alice",
        "TUI_BOARD_CONFIG": str(folder / "config.toml"),
        "TUI_BOARD_DATA": str(folder / "data"),
        "TERM": "xterm-256color",
    }
    for name in ("NO_COLOR", "TEXTUAL", "TEXTUAL_DRIVER", "TUI_BOARD_TOKEN"):
        env.pop(name, None)
    return env


def columns_of(db: Path) -> dict[int, int]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return dict(conn.execute("SELECT id, column_id FROM tasks"))


def spawn(argv: list[str], env: dict[str, str], *, controlling: bool) -> tuple[int, int]:
    """The program in a new pseudo-terminal: its pid and the terminal's master end. With
    `controlling`, the terminal is the session's own (the kernel hangs it up: SIGHUP when
    the master closes), as in a terminal window, sshd or tmux; else it is only the
    program's input and output, as a test harness or a pipe-minded launcher leaves it."""
    if controlling:
        pid, master = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, SIZE)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        return pid, master
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, SIZE)
    child = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    return child.pid, master


def wait_for_card(master: int, timeout: float = 30) -> None:
    shown = b""
    deadline = time.monotonic() + timeout
    while not CARD_KEY.search(ESCAPES.sub(b"", shown)):
        assert time.monotonic() < deadline, shown[-300:]
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            shown += os.read(master, 1 << 16)


def drain(master: int, seconds: float, *, redrawn: bool = False) -> None:
    """Read what the app draws for a while (a terminal that is read); with `redrawn`,
    first wait (up to 20 s, on a busy machine) until it draws something: a key written
    is read then."""
    if redrawn:
        ready, _, _ = select.select([master], [], [], 20)
        assert ready, "the app drew nothing after the key"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            os.read(master, 1 << 16)


def wait_exit(pid: int, timeout: float) -> int | None:
    """The program's wait status once it ended within `timeout`, else None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ended, status = os.waitpid(pid, os.WNOHANG)
        if ended:
            return status
        time.sleep(0.05)
    return None


@contextlib.contextmanager
def store_locked(db: Path) -> Iterator[None]:
    """The store takes no write meanwhile: the app's write waits (its busy timeout)."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


@pytest.mark.parametrize(
    "how", ["master closed", "master closed, controlling terminal", "SIGHUP", "SIGTERM"]
)
def test_the_app_quits_when_its_terminal_goes_and_stores_the_write_first(
    board: Path, tmp_path: Path, how: str
) -> None:
    db = tmp_path / "board.db"
    db.write_bytes(board.read_bytes())
    before = columns_of(db)
    argv = [sys.executable, "-m", "tui_board", "--db", str(db)]
    pid, master = spawn(argv, environment(tmp_path), controlling="controlling" in how)
    status: int | None = None
    try:
        wait_for_card(master)
        drain(master, 0.3)
        with store_locked(db):
            os.write(master, b"L")  # the focused card to the next column
            drain(master, 0.5, redrawn=True)  # the key is read; the write waits
            gone = time.monotonic()
            if how.startswith("master closed"):
                os.close(master)
                master = -1
            else:
                os.kill(pid, signal.SIGHUP if how == "SIGHUP" else signal.SIGTERM)
            time.sleep(0.5)  # the store answers only after the terminal has gone
        status = wait_exit(pid, timeout=5)
        took = time.monotonic() - gone
    finally:
        if status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        if master >= 0:
            os.close(master)
    assert status is not None, f"{how}: the app still ran 5 s after its terminal went"
    assert os.WIFEXITED(status), f"{how}: ended by signal {os.WTERMSIG(status)}, not by quitting"
    signal_number = signal.SIGTERM if how == "SIGTERM" else signal.SIGHUP
    assert os.WEXITSTATUS(status) == 128 + signal_number
    assert took < 3, took
    after = columns_of(db)
    moved = [task for task in before if before[task] != after[task]]
    assert len(moved) == 1, f"{how}: the card's move was not stored"
