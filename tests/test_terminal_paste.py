"""Pasting into the app in a real terminal (a pseudo-terminal, bracketed paste on):
text copied with its colours, escape sequences inside the paste, arrives as the text
alone, in its order, and none of it as key presses (`PasteGuard`)."""

from __future__ import annotations

import contextlib
import os
import select
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from tests.test_terminal_gone import (  # noqa: F401  (board: a fixture)
    ESCAPES,
    board,
    drain,
    environment,
    spawn,
    wait_exit,
    wait_for_card,
)
from tui_board.ui.terminal import PASTE_END, PASTE_START, PasteGuard


@pytest.mark.parametrize(
    ("pasted", "text"),
    [
        ("Fix \x1b[31mred\x1b[0m login", "Fix red login"),
        ("a\x1bb", "ab"),  # a lone escape
        ("\x1b[38;2;255;0;0m" + "q" * 40 + "\x1b[m", "q" * 40),  # past the parser's 32
        ("no escape at all", "no escape at all"),
    ],
)
def test_a_paste_reaches_the_parser_as_its_text_whatever_the_reads_cut(
    pasted: str, text: str
) -> None:
    """Through Textual's own parser, with the input cut into two reads at every place:
    one Paste event with the text, and the keys around it as keys."""
    from textual import events
    from textual._xterm_parser import XTermParser

    stream = "k" + PASTE_START + pasted + PASTE_END + "j"
    for cut in range(len(stream) + 1):
        guard, parser = PasteGuard(), XTermParser()
        got = []
        for part in (stream[:cut], stream[cut:]):
            if fed := guard.feed(part):
                got += list(parser.feed(fed))
        got += list(parser.tick())
        pastes = [e.text for e in got if isinstance(e, events.Paste)]
        keys = [e.key for e in got if isinstance(e, events.Key)]
        assert (keys, pastes) == (["k", "j"], [text]), (cut, got)


def test_an_escape_key_goes_through_at_once() -> None:
    """Outside a paste nothing waits for what comes next (escape, alone, is a key)."""
    guard = PasteGuard()
    assert guard.feed("\x1b") == "\x1b"
    assert guard.feed("\x1b[A") == "\x1b[A"  # the up arrow
    assert guard.feed("x\x1b[20") == "x\x1b[20"  # (a paste's start, cut) goes on as read
    assert guard.feed("0~pasted\x1b[3") == "0~pasted"  # the paste: the cut sequence waits
    assert guard.feed("1mon" + PASTE_END + "\x1b") == "on" + PASTE_END + "\x1b"


def test_an_escape_key_then_bracket_typed_later_is_no_paste() -> None:
    """Escape pressed, then `[200~` typed as keys a while later: the parser took the
    escape as the key, so the guard must not take what follows as a paste either (it
    would take the escape sequences of the keys after it out, arrows among them)."""
    now = [0.0]
    guard = PasteGuard(clock=lambda: now[0])
    assert guard.feed("\x1b") == "\x1b"
    now[0] += 0.5
    assert guard.feed("[200~") == "[200~" and not guard.pasting
    assert guard.feed("\x1b[A") == "\x1b[A"  # an arrow goes through whole


def test_a_title_pasted_with_its_colours_in_a_terminal(
    board: Path,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> None:
    """`n` on the board, the title pasted as a terminal pastes it, enter: the card's
    title is the text, whole and in order."""
    db = tmp_path / "board.db"
    with (
        contextlib.closing(sqlite3.connect(board)) as source,
        contextlib.closing(sqlite3.connect(db)) as copy,
    ):
        source.backup(copy)
    argv = [sys.executable, "-m", "tui_board", "--db", str(db)]
    pid, master = spawn(argv, environment(tmp_path), controlling=False)
    try:
        wait_for_card(master)
        os.write(master, b"n")
        wait_for_text(master, b"Title")  # the new card's form, its title field focused
        pasted = "Fix \x1b[31mred\x1b[0m login \x1b[1m" + "q" * 40 + "\x1b[0m"
        os.write(master, f"{PASTE_START}{pasted}{PASTE_END}".encode())
        wait_for_text(master, b"qqqqqqqq")  # drawn in the field
        os.write(master, b"\r")
        deadline = time.monotonic() + 30
        while len(titles_of(db)) < 2:  # stored
            assert time.monotonic() < deadline, titles_of(db)
            drain(master, 0.1)
        # The form closes once the board has its answer, a moment after the store
        # has it: esc (closes it if it is still open; nothing on the board), then q.
        drain(master, 0.3)
        os.write(master, b"\x1b")
        drain(master, 0.5)
        os.write(master, b"q")
        assert wait_exit(pid, 30) is not None
    finally:
        with contextlib.suppress(OSError):
            os.kill(pid, 9)
        os.close(master)
    assert titles_of(db)[-1] == "Fix red login " + "q" * 40


def titles_of(db: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return [t for (t,) in conn.execute("SELECT title FROM tasks ORDER BY id")]


def wait_for_text(master: int, text: bytes, timeout: float = 30) -> None:
    """Read what the app draws until `text` is on the screen (escapes taken out)."""
    shown = b""
    deadline = time.monotonic() + timeout
    while text not in ESCAPES.sub(b"", shown):
        assert time.monotonic() < deadline, ESCAPES.sub(b"", shown)[-400:]
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            shown += os.read(master, 1 << 16)
