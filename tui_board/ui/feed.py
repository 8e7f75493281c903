"""Following the change feed from a screen: every second or so, while the screen is the
one shown, ask the store how far its feed has gone (`last_change`, one cheap read) and,
when it moved, read the new changes (`changes_since`) and hand them to the screen.

The board does the same for its cards (`screens/board/live.py`, which also recognises
its own writes); this serves the screens that only need to know that something they
show changed (the approvals queue), so each does not write its own poller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from textual.message import Message
from textual.screen import Screen

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.core.models import Change
    from tui_board.ui.app import BoardApp

#: Changes read per look; a longer gap is reported as `complete=False`.
FEED_PAGE = 500


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
            or screen.app.screen is not screen
            or self.feed_paused()
        ):
            return
        self._feed_busy = True
        since = self._feed_seq
        screen.run_worker(
            lambda: self._read_feed(backend, since),
            thread=True,
            group="feed",
            exit_on_error=False,
        )

    def _read_feed(self, backend: Backend, since: int) -> None:
        try:
            last = backend.last_change()
            changes = backend.changes_since(since, limit=FEED_PAGE) if last > since else []
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
