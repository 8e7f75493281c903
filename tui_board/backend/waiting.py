"""`wait_changes` on a store this process opens itself (a local file, PostgreSQL).

There is no server to wake anyone, and none to cost: the feed's end (`max(seq)`, one
indexed read) is looked at a few times a second, and the changes are read only when it
moved. A team server never does this per client (see `tui_board/server/feed.py`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui_board.core.models import Change

#: Seconds between two looks at the feed's end.
LOCAL_STEP = 0.2


def wait_locally(
    last: Callable[[], int],
    read: Callable[[int, int], list[Change]],
    since: int,
    timeout: float,
    limit: int,
    closed: threading.Event,
    step: float = LOCAL_STEP,
) -> list[Change]:
    """The changes after `since` that `read(since, limit)` gives, as soon as there is
    one; [] after `timeout` seconds or once `closed` is set. `read` is asked only when
    `last()` (the feed's end) moved: changes the reader may not see wake nobody twice."""
    deadline = time.monotonic() + max(0.0, timeout)
    looked = since
    while not closed.is_set():
        end = last()
        if end > looked:
            found = read(since, limit)
            if found:
                return found
            looked = end
        remaining = deadline - time.monotonic()
        if remaining <= 0 or closed.wait(min(step, remaining)):
            break
    return []


__all__ = ["LOCAL_STEP", "wait_locally"]
