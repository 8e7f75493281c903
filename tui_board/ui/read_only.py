"""The board while the team server is away: read-only, visibly, and nothing typed is lost.

Two ways were open: queue the board's writes on disk like time entries and replay them
when the server is back, or make the board read-only while it is away. The board is
read-only, because queued card writes cannot be replayed honestly:

- A card write carries the version the user saw (optimistic concurrency). Replayed an
  hour later, it is refused whenever anyone touched the card meanwhile: the move the
  board showed for an hour is then undone at replay, and the person has planned on a
  board that never was. Sending it without the version instead would overwrite other
  people's work, which the store refuses by design.
- Two writes of one card typed offline (move it, then move it again) need the version
  the first one would get; only the server gives it. A card made offline has no key
  yet, so nothing typed later (a move, an assignment, time on it) could name it, and
  the key shown would be a guess.
- A reorder is an index among the cards as they were shown; replayed on a column
  others changed, it lands somewhere else.

Time is different: a timesheet cell is the person's own, keyed by (task, day), and
`add_time` adds minutes without a version, so it is queued (see
`backend/offline.py`); logging time on a card (`t`) is queued the same way offline.

So while the server cannot be reached, every key that would change a card (move,
reorder, new card, edit, assign, archive, comment, timer) says `READ_ONLY` and nothing
moves on screen; the board's status line says so the whole time. A write that was
already on its way when the server went down is undone on screen when it fails. A
dialog keeps what was typed and shows why it was not stored, so it can be saved once
the server answers. When the server answers again the board reads itself again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_board.backend.protocol import SyncingBackend

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend

#: What a key that would change the board says while the server is away.
READ_ONLY = "offline: the board is read-only until the server answers"

#: The board's status line while the server is away.
READ_ONLY_STATUS = "Offline: read-only until the server answers; time logged with t is queued."


def server_away(backend: Backend | None) -> bool:
    """Whether `backend` is a team server that did not answer its last request."""
    return isinstance(backend, SyncingBackend) and not backend.online


def not_stored(message: str) -> str:
    """What a dialog shows when its write failed because the server is away."""
    return f"Not stored: {message}. What you typed is kept: save again once it answers."
