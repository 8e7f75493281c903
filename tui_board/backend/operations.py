"""The Backend protocol as data: each operation's parameters, result type and kind.

The team server builds its routes from this table and the remote backend builds its
methods from it, so the protocol in `protocol.py` is the one place an operation is
declared: add a method there (with `@reads` or `@writes`) and it is served over HTTP
and callable remotely. `to_wire` and `from_wire` are the one converter of arguments and
results, used on both sides of the wire.
"""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

from tui_board.backend.declare import declared
from tui_board.backend.protocol import Backend
from tui_board.core.models import _Patch, from_json, to_json
from tui_board.core.weeks import IsoWeek

#: Methods of the protocol that are not operations: never sent as one (`wait_changes`
#: is the server's long poll, `GET /changes`, not a `POST`).
NOT_OPERATIONS = frozenset({"close", "wait_changes"})


@dataclass(frozen=True)
class Operation:
    name: str
    signature: inspect.Signature
    #: Parameter name -> resolved type, without `self`.
    params: dict[str, Any]
    returns: Any
    doc: str
    #: It changes the store (as declared with `@writes`).
    writes: bool
    #: The remote backend may queue it on disk while the server is away.
    queue_offline: bool
    #: It may take minutes: the remote backend waits that long for the answer.
    slow: bool = False


@cache
def operations() -> dict[str, Operation]:
    """The Backend protocol's operations, by name."""
    return operations_of(Backend)


def operations_of(protocol: type) -> dict[str, Operation]:
    """The operations a protocol declares; TypeError for a method declared neither
    `@reads` nor `@writes` (so a new one cannot be served without saying which)."""
    found: dict[str, Operation] = {}
    for name, member in inspect.getmembers(protocol, inspect.isfunction):
        if name.startswith("_") or name in NOT_OPERATIONS:
            continue
        kind = declared(member)
        if kind is None:
            raise TypeError(f"{protocol.__name__}.{name} declares neither @reads nor @writes")
        hints = typing.get_type_hints(member)
        signature = inspect.signature(member)
        params = {p: hints[p] for p in signature.parameters if p != "self"}
        found[name] = Operation(
            name,
            signature,
            params,
            hints.get("return"),
            inspect.getdoc(member) or "",
            writes=kind.writes,
            queue_offline=kind.queue_offline,
            slow=kind.slow,
        )
    return found


def to_wire(value: Any) -> Any:
    """An argument as JSON: weeks as `2026-W48`, patches as the fields they set."""
    if isinstance(value, IsoWeek):
        return str(value)
    if isinstance(value, _Patch):
        return to_json(value.changes())
    return to_json(value)


def from_wire(tp: Any, value: Any) -> Any:
    """An argument or result back from JSON into the protocol's types."""
    if tp is IsoWeek:
        return IsoWeek.parse(value)
    if isinstance(tp, type) and issubclass(tp, _Patch):
        hints = typing.get_type_hints(tp)
        return tp(**{k: from_json(hints[k], v) for k, v in value.items()})
    if typing.get_origin(tp) is dict and value is not None:
        key_type, value_type = typing.get_args(tp)
        return {
            from_json(key_type, _key(key_type, k)): from_json(value_type, v)
            for k, v in value.items()
        }
    return from_json(tp, value)


def _key(tp: Any, key: str) -> Any:
    return int(key) if tp is int else key


__all__ = ["NOT_OPERATIONS", "Operation", "from_wire", "operations", "operations_of", "to_wire"]
