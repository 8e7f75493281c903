"""What an operation is, declared on it: `@reads`, `@writes`, `@writes(queue_offline=True)`.

The team server, the remote backend and the tests need to know whether an operation
reads or writes (a write carries an `Idempotency-Key`; a read of a SQLite file runs on
the event loop) and whether it may wait in the offline queue while the server is away.
That is said once, on the protocol's method, never guessed from its name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])

_ATTRIBUTE = "__tui_board_operation__"


@dataclass(frozen=True)
class Declared:
    writes: bool
    #: A write that may be kept on disk and sent later while the server is away (a
    #: day's time: what a person types offline and must not lose).
    queue_offline: bool = False
    #: A write that may take minutes (an import of a big file, all in one transaction):
    #: the remote backend waits that long for its answer.
    slow: bool = False


def reads(method: F) -> F:
    """The operation changes nothing."""
    setattr(method, _ATTRIBUTE, Declared(writes=False))
    return method


@overload
def writes(method: F, /) -> F: ...
@overload
def writes(*, queue_offline: bool = False, slow: bool = False) -> Callable[[F], F]: ...
def writes(method: Any = None, /, *, queue_offline: bool = False, slow: bool = False) -> Any:
    """The operation changes the store (and records a Change); `queue_offline`: the
    remote backend may queue it on disk while the server cannot be reached; `slow`: it
    may take minutes (the remote backend waits for it that long)."""

    def declare(function: F) -> F:
        setattr(function, _ATTRIBUTE, Declared(True, queue_offline=queue_offline, slow=slow))
        return function

    return declare if method is None else declare(method)


def declared(method: Callable[..., Any]) -> Declared | None:
    """What `method` was declared as, None when it was not."""
    found = getattr(method, _ATTRIBUTE, None)
    return found if isinstance(found, Declared) else None


__all__ = ["Declared", "declared", "reads", "writes"]
