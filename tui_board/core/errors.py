"""Errors a user can cause, each with a message the user can read.

The service layer raises these; the CLI prints `message` on one line, the UI shows it in
a notification and the server maps `status` to the HTTP response.
"""

from __future__ import annotations

from typing import Any, ClassVar


class BoardError(Exception):
    """Base of every error that is the user's to fix, not a bug."""

    status: ClassVar[int] = 400
    kind: ClassVar[str] = "error"

    def __init__(self, message: str, *, current: Any = None) -> None:
        super().__init__(message)
        self.message = message
        #: For a Conflict, the row as it is now, so the caller can show it.
        self.current = current

    def __str__(self) -> str:
        return self.message


class Invalid(BoardError):
    """Input that cannot be understood or is out of range."""

    status = 422
    kind = "invalid"


class NotFound(BoardError):
    status = 404
    kind = "not_found"


class Forbidden(BoardError):
    status = 403
    kind = "forbidden"


class Conflict(BoardError):
    """Someone else changed the row first; nothing was written."""

    status = 409
    kind = "conflict"


class Locked(BoardError):
    """The week is submitted, approved or inside a locked period."""

    status = 423
    kind = "locked"


ERROR_KINDS: dict[str, type[BoardError]] = {
    cls.kind: cls for cls in (BoardError, Invalid, NotFound, Forbidden, Conflict, Locked)
}


class Unavailable(BoardError):
    """The team server cannot be reached; what was typed is kept for later."""

    status = 503
    kind = "unavailable"


ERROR_KINDS[Unavailable.kind] = Unavailable


class StoreFailed(BoardError):
    """The store itself cannot do what was asked: its file is read-only, damaged, full
    or held by another program. Nothing was written; the message says what to do."""

    status = 500
    kind = "store"


ERROR_KINDS[StoreFailed.kind] = StoreFailed


class AlreadyApplied(BoardError):
    """A replayed write (same Idempotency-Key) that the store has applied before: the
    replay changes nothing and the server answers it as a success."""

    status = 200
    kind = "already_applied"
