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
import selectors
import signal
from codecs import getincrementaldecoder
from dataclasses import dataclass
from typing import IO, Any, cast

from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

#: The signals that end the app as `q` does.
ENDING_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


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
                text = decode(data, final=final)  # ("" while a character is cut)
                for event in parser.feed(text) if text else ():
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
