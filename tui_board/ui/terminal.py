"""The terminal the app runs in, and what the app does when it goes away.

A terminal goes away when an SSH session drops, a tmux pane or session is killed, or
whatever holds the pseudo-terminal's other end closes it. Textual's Linux driver did not
notice: its input thread read end-of-file over and over (a core kept busy), its output
thread died on the first failed write (after which the app blocked on a full queue), and
the app ran on with nobody to see it, its writes never finished. Here the driver tells
the app (`TerminalGone`), which quits as `q` does: the writes already asked for are
stored (or kept in the offline queue), then the process ends.

The signals that mean the same: SIGHUP (the terminal hung up: what the kernel sends
when its other end closes, what sshd and tmux send) and SIGTERM (asked to end).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import selectors
import signal
import time
from codecs import getincrementaldecoder
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, cast

from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.constants import ESCAPE_DELAY
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

#: The signals that end the app as `q` does.
ENDING_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
#: What a terminal sends around pasted text (bracketed paste).
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
#: A control sequence (colours copied with the text, say): ESC [ parameters final.
_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
#: The start of one, cut at the end of what was read.
_CSI_CUT = re.compile(r"\x1b(\[[0-?]*[ -/]*)?\Z")


class PasteGuard:
    """What the terminal sends, with the escape sequences *inside* a pasted text taken
    out before Textual's parser sees it. The parser reads an escape in a paste as the
    start of a sequence and, past 32 characters without one it knows, hands them on as
    key presses: pasting a line copied with its colours typed the text after the escape
    as keys (hotkeys, outside an input), ahead of the rest of the paste. Outside a paste
    everything goes through at once (an escape key must not wait)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.pasting = False
        #: The end of the last read, as far as a paste's start could be cut in it.
        self._tail = ""
        #: Inside a paste: what could be the start of a sequence or of the paste's end.
        self._held = ""
        self._clock = clock
        self._last = clock()

    def feed(self, text: str) -> str:
        out: list[str] = []
        at = 0
        now = self._clock()
        if now - self._last > ESCAPE_DELAY:
            # The parser took an escape read before as the escape key by now: `[200~`
            # typed after it is no paste (the tail would have made it one here alone).
            self._tail = ""
        self._last = now
        if self._held:
            text, self._held = self._held + text, ""
        while at < len(text):
            if not self.pasting:
                seen = self._tail + text[at:]
                found = seen.find(PASTE_START)
                if found < 0:
                    out.append(text[at:])
                    self._tail = seen[-(len(PASTE_START) - 1) :]
                    break
                after = at + found - len(self._tail) + len(PASTE_START)
                out.append(text[at:after])
                self._tail, self.pasting, at = "", True, after
                continue
            escape = text.find("\x1b", at)
            if escape < 0:
                out.append(text[at:])
                break
            out.append(text[at:escape])
            rest = text[escape:]
            if rest.startswith(PASTE_END):
                out.append(PASTE_END)
                self.pasting, at = False, escape + len(PASTE_END)
            elif PASTE_END.startswith(rest) or _CSI_CUT.match(rest):
                self._held = rest  # cut by the read: decided with what comes next
                break
            elif found_csi := _CSI.match(text, escape):
                at = found_csi.end()  # a sequence of the pasted text: left out
            else:
                at = escape + 1  # a lone escape: left out
        return "".join(out)


@dataclass
class TerminalGone(Message):
    """The terminal hung up (or the process was asked to end): quit, losing nothing."""

    #: The exit status: 128 + the signal's number, as a shell reports one it ended by
    #: (129 for a hang-up, seen as the end of the input too).
    code: int


class TerminalDriver(LinuxDriver):
    """Textual's Linux driver, which also notices the terminal going away."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._told = False
        if self._file is not None:  # (what the writer thread writes to; a file for it)
            self._file = cast(Any, _TerminalOutput(self._file))

    def start_application_mode(self) -> None:
        super().start_application_mode()
        loop = asyncio.get_running_loop()
        for number in ENDING_SIGNALS:
            loop.add_signal_handler(number, self._gone, 128 + number)

    def stop_application_mode(self) -> None:
        with contextlib.suppress(RuntimeError):  # (no loop: nothing was added)
            loop = asyncio.get_running_loop()
            for number in ENDING_SIGNALS:
                loop.remove_signal_handler(number)
        super().stop_application_mode()

    def _gone(self, code: int = 128 + signal.SIGHUP) -> None:
        """Tell the app, once (from any thread: `post_message` is thread-safe)."""
        if not self._told:
            self._told = True
            self._app.post_message(TerminalGone(code))

    def run_input_thread(self) -> None:
        """Textual's input loop (textual 8.2.8, `LinuxDriver.run_input_thread`), which
        also stops at the end of the input: a terminal in raw mode gives at least a byte
        to a read that select said was ready, so a read of nothing (or EIO) is the
        terminal hanging up. Textual's loop read nothing again every few microseconds."""
        fileno = self.fileno
        parser = XTermParser(self._debug)
        guard = PasteGuard()
        decode = getincrementaldecoder("utf-8")().decode
        selector = selectors.SelectSelector()
        selector.register(fileno, selectors.EVENT_READ)

        def read_ready(timeout: float, final: bool = False) -> bool:
            """Hand on what came within `timeout`; False at the end of the input."""
            if selector.select(timeout):
                try:
                    data = os.read(fileno, 1024 * 4)
                except OSError:  # EIO: the terminal is gone
                    data = b""
                if not data:
                    return False
                text = guard.feed(decode(data, final=final))  # ("" while a character
                for event in parser.feed(text) if text else ():  # or a paste's sequence is cut)
                    self.process_message(event)
            for event in parser.tick():
                self.process_message(event)
            return True

        try:
            while not self.exit_event.is_set():
                if not read_ready(0.1):
                    self._gone()
                    return
            selector.unregister(fileno)
            read_ready(0.1, final=True)
        finally:
            selector.close()
            with contextlib.suppress(EOFError, ParseError):
                for _event in parser.feed(""):
                    pass


class _TerminalOutput:
    """The terminal's output for Textual's writer thread. Once a write fails (EIO: the
    terminal is gone), what follows is dropped: the thread lives on to empty its queue,
    where the app's frames and its goodbye would otherwise block the app for good."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self._failed = False

    def write(self, text: str) -> None:
        if not self._failed:
            try:
                self._file.write(text)
            except OSError:
                self._failed = True

    def flush(self) -> None:
        if not self._failed:
            try:
                self._file.flush()
            except OSError:
                self._failed = True

    def fileno(self) -> int:
        return self._file.fileno()

    def isatty(self) -> bool:
        return self._file.isatty()
