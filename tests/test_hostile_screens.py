"""Hostile stored text on every screen of the app: nothing reaches the terminal raw.

The corpus of `tests.hostile` (escape sequences that clear the screen, retitle the window
or write the clipboard, C1 controls, bidi overrides, NUL, 10,000 characters, combining
marks, wide characters, newlines, Textual markup) is written with SQL into a copy of the
demo store, past the service layer, as an old database or another client would leave it.
Then every screen and dialog is opened:

- through Pilot, at 80x24 and 120x40: each frame's lines hold no character a terminal
  would act on, no hyperlink (markup read as markup), and are exactly the screen's width;
- in a real pseudo-terminal, `python -m tui_board` on the planted store: the bytes the app
  writes hold none of the corpus's sequences and no OSC sequence but Textual's own pointer
  shape.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.hostile import CORPUS, plant, violations
from tests.ui_helpers import (  # noqa: F401  (fixtures)
    CLOCK,
    WORKLOAD_DEMO,
    anyio_backend,
    app_for,
    frame,
    settle,
    steady,
)
from tui_board.backend import open_backend
from tui_board.config import Config
from tui_board.core.clock import Clock, local_today, system_clock
from tui_board.core.text import unsafe_character
from tui_board.core.weeks import IsoWeek
from tui_board.demo import make_demo
from tui_board.ui.app import BoardApp
from tui_board.ui.dialogs import (
    ConfirmScreen,
    DurationPrompt,
    PickerScreen,
    TaskDetailScreen,
    TaskForm,
    TextPrompt,
)
from tui_board.ui.screens.approvals import ApprovalsScreen
from tui_board.ui.screens.archive import ArchiveScreen
from tui_board.ui.screens.board import BoardScreen
from tui_board.ui.screens.help import HelpScreen
from tui_board.ui.screens.reports import ReportsScreen
from tui_board.ui.screens.timesheet import TimesheetScreen
from tui_board.ui.screens.workload import WeekDetailScreen, WorkloadScreen

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parent.parent


def make_hostile_store(path: Path, clock: Clock) -> None:
    """The demo store, with people and teams enough for every string of the corpus to
    be someone's name and some team's, comments on the cards the tests open and my last
    week sent back (so that its note shows and its cells can be changed); then the corpus
    planted into every text column, and the projects named with 10,000 characters, markup
    and a clipboard write."""
    make_demo(str(path), login="alice", size=WORKLOAD_DEMO, seed=7, clock=clock)
    backend = open_backend(Config(db=str(path)), login="alice", clock=clock)
    try:
        extra = len(CORPUS) - len(backend.list_users())
        for number in range(extra):
            team = backend.create_team(f"team{number}").name
            backend.create_user(f"member{number}", f"Member {number}", team=team)
        for project in backend.list_projects():
            first_column = backend.list_columns(project.key)[0]
            for task in backend.list_tasks(project=project.key, column_id=first_column.id)[:2]:
                for number in range(len(CORPUS)):
                    backend.add_comment(task.key, f"comment {number}")
    finally:
        backend.close()
    last_week = str(IsoWeek.of(local_today(clock)).shift(-1))
    conn = sqlite3.connect(path)
    try:
        with conn:
            changed = conn.execute(
                "UPDATE week_states SET state = 'rejected', note = 'fix it', reviewer_id ="
                " (SELECT id FROM users WHERE login = 'sokafor')"
                " WHERE week = ? AND user_id = (SELECT id FROM users WHERE login = 'alice')",
                (last_week,),
            ).rowcount
        assert changed == 1
        assert plant(path) > 0
        with conn:
            for key, name in (("APP", "long"), ("OPS", "markup"), ("WEB", "clipboard")):
                conn.execute("UPDATE projects SET name = ? WHERE key = ?", (CORPUS[name], key))
    finally:
        conn.close()
    # A history and an archive that hold planted text: the cards with comments moved out
    # of their (planted) column and back, one card archived in each project.
    backend = open_backend(Config(db=str(path)), login="alice", clock=clock)
    try:
        for project in backend.list_projects():
            first, second = backend.list_columns(project.key)[:2]
            tasks = backend.list_tasks(project=project.key, column_id=first.id)
            for index, task in enumerate(tasks[:2]):
                moved = backend.move_task(task.key, task.version, second.id)
                backend.move_task(task.key, moved.version, first.id, index)
            backend.archive_task(tasks[2].key, tasks[2].version)
    finally:
        backend.close()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the file that is copied
    finally:
        conn.close()


@pytest.fixture(scope="session")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile-demo") / "hostile.db"
    make_hostile_store(path, CLOCK)
    return path


@pytest.fixture
def hostile_config(hostile_template: Path, tmp_path: Path) -> Config:
    target = tmp_path / "board.db"
    shutil.copy(hostile_template, target)
    return Config(db=str(target))


# --- what a frame shows ---------------------------------------------------------------------


class Frames:
    """Checks each frame the test looks at, and keeps their text."""

    def __init__(self, app: BoardApp, pilot: Pilot[None]) -> None:
        self.app = app
        self.pilot = pilot
        self.seen: list[str] = []
        self.visited: set[str] = set()

    async def check(self, where: str) -> None:
        await settle(self.app, self.pilot)
        width = self.app.size.width
        self.visited.add(type(self.app.screen).__name__)
        lines = frame(self.app)
        assert len(lines) == self.app.size.height, where
        for y, line in enumerate(lines):
            text = line.text
            found = unsafe_character(text)
            assert found is None, f"{where}, line {y}: {found} in {text!r}"
            assert line.cell_length == width, f"{where}, line {y} is {line.cell_length} wide"
            links = [seg.text for seg in line if seg.style is not None and seg.style.link]
            assert not links, f"{where}, line {y}: a hyperlink on {links}"
            self.seen.append(text)

    async def press(self, *keys: str, where: str = "") -> None:
        for key in keys:
            await self.pilot.press(key)
            await settle(self.app, self.pilot)
        await self.check(where or " ".join(keys))

    def screen(self, kind: type) -> None:
        assert isinstance(self.app.screen, kind), (kind, self.app.screen)

    def shows(self, text: str) -> None:
        """The last frame checked holds `text`."""
        height = self.app.size.height
        assert any(text in line for line in self.seen[-height:]), text


async def visit_board(frames: Frames) -> None:
    app = frames.app
    await frames.check("the board")
    frames.screen(BoardScreen)
    board = app.screen
    assert isinstance(board, BoardScreen)
    for index in range(len(board.projects)):
        await frames.press("p", where="the project picker")
        frames.screen(PickerScreen)
        await frames.press(*(["down"] * index), "enter", where=f"project {index + 1}")
        for _ in range(3):
            await frames.press("down", where="a card further down")
        await frames.press("l", "down", where="the next column")
        await frames.press("h", "up", "up", "up", "up", where="back to the first card")
    await frames.press("slash", "e", where="the filter")
    await frames.press("escape", where="the filter cleared")
    await frames.press("enter", where="the card")
    frames.screen(TaskDetailScreen)
    for _ in range(4):
        await frames.press("pagedown", where="the card's comments")
    await frames.press("h", where="the card's history")
    frames.shows("moved from")
    await frames.press("pageup", "h", where="the card again")
    await frames.press("e", where="the card's form")
    frames.screen(TaskForm)
    await frames.press("escape", "escape", where="the board again")
    await frames.press("a", where="the assign picker")
    frames.screen(PickerScreen)
    await frames.press("e", where="the assign picker, filtered")
    await frames.press("escape", "t", where="the log prompt")
    frames.screen(DurationPrompt)
    await frames.press("escape", "d", where="the archive question")
    frames.screen(ConfirmScreen)
    await frames.press("n", "n", where="a new card's form")
    frames.screen(TaskForm)
    await frames.press("escape", "A", where="the archive")
    frames.screen(ArchiveScreen)
    frames.shows("1 archived card")
    await frames.press("escape", "question_mark", where="the board's help")
    frames.screen(HelpScreen)
    await frames.press("escape", "ctrl+p", where="the command palette")
    await frames.press("a", "s", where="the command palette, searching")
    await frames.press("escape")


async def visit_timesheet(frames: Frames) -> None:
    await frames.press("2", where="the timesheet")
    frames.screen(TimesheetScreen)
    await frames.press("left_square_bracket", where="last week, sent back")
    frames.shows("Sent back by sokafor")
    for key in ("right", "right", "down", "left", "down", "right", "down", "end"):
        await frames.press(key, where=f"last week, the cursor moved {key}")
    await frames.press("home", "c", where="a cell's comment")
    frames.shows("Comment on")
    await frames.press("escape", "i", where="quick entry")
    await frames.press("A", where="quick entry, completing")
    await frames.press("P", "P", "space", "1", where="quick entry, a duration")
    await frames.press("escape", "a", where="the task picker")
    frames.screen(PickerScreen)
    await frames.press("escape", "s", where="the submit question")
    frames.screen(ConfirmScreen)
    await frames.press("n", "right_square_bracket", where="this week")


async def visit_workload(frames: Frames) -> None:
    await frames.press("w", where="the workload")
    workload = frames.app.screen
    assert isinstance(workload, WorkloadScreen)
    people = [row.user for row in workload.grid.rows_shown]
    for _ in range(people.index("sokafor")):  # a lead with cards on the demo board
        await frames.press("down", where="the workload, another person")
    await frames.press("enter", where="the drill-down")
    frames.screen(WeekDetailScreen)
    await frames.press("a", where="the reassign picker")
    frames.screen(PickerScreen)
    await frames.press("up", "enter", where="reassigned, a notification naming the person")
    frames.shows("is now")
    await frames.press("enter", where="a card from the drill-down")
    frames.screen(TaskDetailScreen)
    await frames.press("escape", "escape", "f", where="the team picker")
    frames.screen(PickerScreen)
    await frames.press("escape", "question_mark", where="the workload's help")
    await frames.press("escape", "v", where="the approvals queue")
    frames.screen(ApprovalsScreen)
    for _ in range(3):
        await frames.press("down", where="the next week waiting")
    await frames.press("x", where="the reject prompt")
    frames.screen(TextPrompt)
    await frames.press("escape", "o", where="the reopen question")
    frames.screen(ConfirmScreen)
    await frames.press("n", "a", where="approved, a notification naming the person")
    await frames.press("s", where="every recent week")
    for _ in range(12):
        await frames.press("down", where="a recent week with its note")
    await frames.press("escape", "t", where="the report by person")
    frames.screen(ReportsScreen)
    await frames.press("left_square_bracket", where="last week's report")
    await frames.press("b", where="the report by project")
    await frames.press("b", where="the report by task")
    await frames.press("d", where="the report's ranges")
    await frames.press("escape", "e", where="the export prompt")
    await frames.press("escape", "escape")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_every_screen_draws_planted_text_as_plain_text(
    hostile_config: Config, size: tuple[int, int]
) -> None:
    app = app_for(hostile_config)
    async with app.run_test(size=size, notifications=True) as pilot:
        frames = Frames(app, pilot)
        await settle(app, pilot)
        await visit_board(frames)
        await visit_timesheet(frames)
        await visit_workload(frames)
        shown = "\n".join(frames.seen)
    expected = {
        "BoardScreen", "TaskDetailScreen", "TaskForm", "PickerScreen", "DurationPrompt",
        "ConfirmScreen", "HelpScreen", "CommandPalette", "TimesheetScreen", "WorkloadScreen",
        "WeekDetailScreen", "ApprovalsScreen", "TextPrompt", "ReportsScreen", "RulesHelpScreen",
        "ArchiveScreen",
    }  # fmt: skip
    assert expected <= frames.visited
    # The markup in the corpus was shown as the text it is, not read as markup.
    assert "[/nope]" in shown and "[bold red]" in shown
    # The stand-ins are there: the text is shown, not dropped.
    assert "\u241b" in shown


# --- the bytes a real terminal gets ------------------------------------------------------------

#: Textual's own OSC: the mouse pointer's shape (kitty's protocol), a fixed name.
POINTER_SHAPE = re.compile(rb"\x1b\]22;[a-z-]+\x07")
#: Control sequences (CSI ... final byte) and the two-byte ESC sequences Textual writes.
CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[78=>]")


class Terminal:
    """A pseudo-terminal running the app: keys in, every byte the app writes kept."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        columns, rows = size
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the app ended: the pty is closed
                return
            if not data:
                return
            with self._lock:
                self.output.extend(data)

    def text(self, since: int = 0) -> str:
        """What was written since `since`, its control sequences left out."""
        with self._lock:
            data = bytes(self.output[since:])
        return CSI.sub(b"", data).decode("utf-8", "replace")

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if condition():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"the app ended waiting for {what}: {self.text()[-2000:]}")
            time.sleep(0.05)
        raise AssertionError(f"no {what} after {timeout} s: {self.text()[-2000:]!r}")

    def quiet(self, seconds: float = 0.3, at_most: float = 5) -> None:
        """Wait until the app has written nothing for `seconds` (a spinner never stops:
        `at_most` seconds then)."""
        end = time.monotonic() + at_most
        while time.monotonic() < end:
            size = len(self.output)
            time.sleep(seconds)
            if len(self.output) == size:
                return

    def press(self, keys: str, shows: str = "") -> None:
        mark = len(self.output)
        os.write(self.master, keys.encode())
        if shows:
            self.wait(lambda: shows in self.text(mark), repr(shows))
        self.quiet()

    def close(self) -> int:
        try:
            code = self.process.wait(timeout=30)
        finally:
            self._reader.join(timeout=5)
            os.close(self.master)
        return code


ESC = "\x1b"


def test_no_planted_sequence_reaches_a_real_terminal(tmp_path: Path) -> None:
    # Made "now": the app in the terminal runs on the system clock.
    store = tmp_path / "hostile.db"
    make_hostile_store(store, system_clock)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TEXTUAL", "TUI_BOARD"))
    }
    env.update(
        TERM="xterm-256color",
        TUI_BOARD_USER="alice",
        TUI_BOARD_CONFIG=str(tmp_path / "config.toml"),
        TUI_BOARD_DATA=str(tmp_path / "data"),  # what the app keeps stays with the test
        PYTHONPATH=str(ROOT),
    )
    terminal = Terminal([sys.executable, "-m", "tui_board", "--db", str(store)], env, (120, 40))
    try:
        terminal.wait(lambda: " cards" in terminal.text(), "the board")
        terminal.quiet(0.5)
        steps = [
            ("\r", "Comments ("), ("e", "Save"), (ESC, ""), (ESC, ""),
            ("a", "Assign"), ("e", ""), (ESC, ""), ("p", "Switch project"), ("o", ""),
            ("\r", " cards"),
            ("/", ""), ("e", ""), (ESC, ""), ("t", "Duration"), (ESC, ""),
            ("d", "Archive"), ("n", ""), ("n", "New card"), (ESC, ""),
            ("2", "Timesheet"), ("[", "Sent back"), ("\x1b[C", ""), ("\x1b[B", ""),
            ("c", "Comment on"), (ESC, ""), ("i", "Log"), ("A", ""), (ESC, ""),
            ("a", "Add a task"), (ESC, ""),
            ("w", "Workload"), ("\x1b[B", ""), ("\r", "Capacity"), ("a", "Give"),
            ("\x1b[A", ""), ("\r", "is now"), (ESC, ""), ("v", "Weeks"), ("\x1b[B", ""),
            ("x", "Reject"), (ESC, ""), ("a", ""),
            ("s", "Recent weeks"), ("\x1b[B", ""), ("\x1b[B", ""), (ESC, ""),
            ("t", "Time by person"), ("b", "Time by project"), ("b", "Time by task"),
            (ESC, ""), ("?", "Keys"), (ESC, ""), ("\x10", ""), ("a", ""), (ESC, ""),
        ]  # fmt: skip
        for keys, shows in steps:
            terminal.press(keys, shows)
        terminal.press("q")
    finally:
        code = terminal.close()
    assert code == 0, terminal.text()[-2000:]
    written = bytes(terminal.output)
    text = written.decode("utf-8", "replace")
    assert violations(POINTER_SHAPE.sub(b"", written).decode("utf-8", "replace")) == []
    assert re.findall(rb"\x1b\][^\x07\x1b]{0,20}", POINTER_SHAPE.sub(b"", written)) == []
    # Nothing else a terminal acts on: after Textual's own sequences, no control
    # character but line ends, and no bidi override.
    rest = CSI.sub(b"", POINTER_SHAPE.sub(b"", written)).decode("utf-8", "replace")
    found = unsafe_character(rest.replace("\r", ""), multiline=True)
    assert found is None, (found, rest[max(0, found[0] - 40) : found[0] + 40])
    # What was planted was shown (as stand-ins), not left out.
    assert "\u241b" in text
