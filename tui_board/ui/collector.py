"""Python's cyclic garbage collector kept out of the way of keys being answered.

Drawing a frame makes thousands of short-lived objects (Textual's strips and caches),
so the collector runs every few keystrokes; a full collection walks every object the
app holds (60-80 ms of CPU on a board of 100,000 cards), and when it falls inside a
keystroke that keystroke's frame comes that much later. `hold` (called as a key comes
in) pauses the collector until no key has come for `QUIET` seconds, then runs it (a
full collection) in that pause, where nobody waits for it. Memory is still freed as
it is let go (reference counting); only cycles wait, never longer than `LONGEST`.
"""

from __future__ import annotations

import asyncio
import gc
from time import monotonic

#: The collector runs again once no key has come for this long (seconds): a pause in
#: the typing, longer than the time between keys of someone typing on.
QUIET = 1.0
#: It runs again after this long whatever comes (a key held down).
LONGEST = 30.0


class CollectorPause:
    """Pauses the collector while keys come in (`hold`), on the running asyncio loop."""

    def __init__(self) -> None:
        self._held = False
        self._since = 0.0
        self._until = 0.0

    @property
    def held(self) -> bool:
        return self._held

    def hold(self) -> None:
        """Keep the collector paused until `QUIET` seconds from now (a collector some
        other code paused is left to it)."""
        now = monotonic()
        self._until = now + QUIET
        if self._held or not gc.isenabled():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop to let it run again from: left running
        gc.disable()
        self._held, self._since = True, now
        loop.call_later(QUIET, self._check, loop)

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        now = monotonic()
        if now < self._until and now - self._since < LONGEST:
            loop.call_later(self._until - now, self._check, loop)
            return
        self.release()

    def release(self) -> None:
        """Let the collector run again, and run it now: what the keys left is collected
        in this pause, not at whichever allocation comes first (the next key's)."""
        if self._held:
            self._held = False
            gc.enable()
            gc.collect()


#: The app's one pause (the collector is the process's).
collector = CollectorPause()
