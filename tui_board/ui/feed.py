"""Following the change feed from a screen: every second or so, while the screen is the
one shown, ask the store how far its feed has gone (`last_change`, one cheap read) and,
when it moved, read the new changes (`changes_since`) and hand them to the screen.

On a team server there is no such look: the screen keeps one long poll open
(`wait_changes`, which the server answers as soon as the feed moves), on a thread of
its own (a wait is no Textual worker: those would keep the app's pool busy and never
settle), and opens the next as soon as it has the answer. Closing the backend (the app
quitting) ends a wait at once.

The board does the same for its cards (`screens/board/live.py`, which also recognises
its own writes); this serves the screens that only need to know that something they
show changed (the approvals queue), so each does not write its own poller.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ScreenStackError
from textual.message import Message
from textual.screen import Screen

from tui_board.backend.protocol import SyncingBackend

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.core.models import Change
    from tui_board.ui.app import BoardApp

#: Changes read per look; a longer gap is reported as `complete=False`.
FEED_PAGE = 500
#: Seconds a long poll on a team server waits before it is answered with nothing (and
#: the next one opens): its only cost while nothing changes.
WAIT_SECONDS = 25.0
#: A wait answered with nothing sooner than this is followed by a pause as long.
SHORT_WAIT_SECONDS = 0.5


def waits_on_server(backend: Backend) -> bool:
    """Whether `backend` is a team server, whose feed is waited on (not looked at)."""
    return isinstance(backend, SyncingBackend)


def look_at_feed(backend: Backend, since: int, page: int = FEED_PAGE) -> tuple[list[Change], int]:
    """The changes after `since` (at most `page`) and how far the feed has gone: a
    look now on a local store; on a team server, a long poll answered when there are
    changes or after `WAIT_SECONDS` with none."""
    if waits_on_server(backend):
        started = time.monotonic()
        changes = backend.wait_changes(since, WAIT_SECONDS, limit=page)
        if not changes and time.monotonic() - started < SHORT_WAIT_SECONDS:
            # Answered with nothing at once (the backend closed, the server stopping):
            # the next wait, opened as soon as this returns, must not spin.
            time.sleep(SHORT_WAIT_SECONDS)
        return changes, max([since, *(change.seq for change in changes)])
    last = backend.last_change()
    changes = backend.changes_since(since, limit=page) if last > since else []
    return changes, last


def in_thread(work: Callable[[], None], name: str) -> None:
    """Run a long poll on a daemon thread of its own (see the module's doc), in the
    caller's context (Textual finds its app there, to post the answer). An answer for
    an app that has ended meanwhile is dropped."""

    def run() -> None:
        with contextlib.suppress(RuntimeError):  # the app's loop is closed
            work()

    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(run,), name=name, daemon=True).start()


def _on_top(screen: Screen[object]) -> bool:
    """Whether `screen` is the one shown (not while the app ends: its stacks empty while
    a screen's timer may still fire)."""
    try:
        return screen.app.screen is screen
    except ScreenStackError:
        return False


@dataclass
class FeedRead(Message, bubble=False):
    """What a look at the feed found: the changes after the screen's mark (None when
    the store did not answer), and where the feed is now."""

    changes: list[Change] | None
    last: int
    #: False when there were more changes than one page.
    complete: bool = True


class FollowsFeed:
    """A screen (mixed into a Textual `Screen`) that follows the change feed while it is
    shown: call `follow_feed(seq)` once its data is read as of `seq` (the feed's
    position taken before the reads), and `feed_changed` sees what came after."""

    #: Seconds between two looks at the feed.
    FEED_SECONDS: ClassVar[float] = 1.0

    _feed_seq: int | None = None
    _feed_busy = False
    _feed_started = False

    def follow_feed(self, seq: int) -> None:
        """The screen's data is read as of `seq`: changes after it are news."""
        self._feed_seq = seq if self._feed_seq is None else max(self._feed_seq, seq)
        if not self._feed_started:
            self._feed_started = True
            self._screen().set_interval(self.FEED_SECONDS, self._feed_tick)

    def feed_changed(self, changes: list[Change], complete: bool) -> None:
        """New changes in the feed (`complete`: all of them, else the first page)."""

    def feed_paused(self) -> bool:
        """Whether to skip this look (say, while the screen's own writes are on their
        way); it is shown and connected, else it is skipped anyway."""
        return False

    def _screen(self) -> Screen[object]:
        return cast("Screen[object]", self)

    def _feed_tick(self) -> None:
        screen = self._screen()
        backend = cast("BoardApp", screen.app).backend
        if (
            backend is None
            or self._feed_busy
            or self._feed_seq is None
            or not _on_top(screen)
            or self.feed_paused()
        ):
            return
        self._feed_busy = True
        since = self._feed_seq
        if waits_on_server(backend):
            in_thread(lambda: self._read_feed(backend, since), "tui-board-feed")
            return
        screen.run_worker(
            lambda: self._read_feed(backend, since),
            thread=True,
            group="feed",
            exit_on_error=False,
        )

    def _read_feed(self, backend: Backend, since: int) -> None:
        try:
            changes, last = look_at_feed(backend, since)
        except Exception:  # the next look tries again; the screen's reads report errors
            self._screen().post_message(FeedRead(None, since))
            return
        self._screen().post_message(FeedRead(changes, last, len(changes) < FEED_PAGE))

    def on_feed_read(self, message: FeedRead) -> None:
        self._feed_busy = False
        if message.changes is None:
            return
        self._feed_seq = max(self._feed_seq or 0, message.last)
        if message.changes:
            self.feed_changed(message.changes, message.complete)
        backend = cast("BoardApp", self._screen().app).backend
        if backend is not None and waits_on_server(backend):
            self._feed_tick()  # the next wait, now (the tick is only a fallback)
