"""An idle app writes nothing to its terminal: over a slow SSH link every frame resent is
a cost. Run in a real pseudo-terminal; the bytes the app writes while nobody types are
counted, on the board and with a dialog over it (the board's change-feed poll used to
repaint the whole screen under a dialog every second)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_hostile_screens import ROOT, Terminal
from tests.ui_helpers import copy_store, demo_template  # noqa: F401  (fixtures)

#: What an idle second may cost: a cursor blink in a text field, not a frame.
IDLE_BYTES = 2_000


@pytest.fixture
def terminal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Terminal]:
    config = copy_store(request.getfixturevalue("demo_template"), tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "TUI_BOARD"))}
    env.update(
        TERM="xterm-256color",
        TUI_BOARD_USER="alice",
        TUI_BOARD_CONFIG=str(tmp_path / "config.toml"),
        TUI_BOARD_DATA=str(tmp_path / "data"),
        PYTHONPATH=str(ROOT),
    )
    argv = [sys.executable, "-m", "tui_board", "--db", config.db]
    running = Terminal(argv, env, (120, 40))
    yield running
    running.process.kill()
    running.process.wait()
    os.close(running.master)


def idle_bytes(terminal: Terminal, seconds: float) -> int:
    terminal.quiet(0.5)
    mark = len(terminal.output)
    time.sleep(seconds)
    return len(terminal.output) - mark


def test_an_idle_board_and_a_dialog_over_it_write_nothing(terminal: Terminal) -> None:
    terminal.wait(lambda: "APP-3" in terminal.text(), "the board with its cards")
    assert idle_bytes(terminal, 2.5) == 0
    for key, shows in (("?", "Keys"), ("\x1b", ""), ("\r", "APP-3")):
        terminal.press(key, shows)
        if key != "\x1b":
            spent = idle_bytes(terminal, 2.5)
            assert spent <= IDLE_BYTES, (key, spent)
