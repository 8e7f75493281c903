"""The Backend protocol as data: each operation's parameters and result type.

The team server builds its routes from this table and the remote backend builds its
methods from it, so the protocol in `protocol.py` is the one place an operation is
declared: add a method there and it is served over HTTP and callable remotely.
"""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

from tui_board.backend.protocol import Backend
from tui_board.core.models import _Patch, from_json, to_json
from tui_board.core.weeks import IsoWeek

READ_PREFIXES = (
    "me", "list_", "get_", "count_", "week", "task_time", "timer_status", "locked_until",
    "workload", "report", "changes_since", "last_change",
)  # fmt: skip


@dataclass(frozen=True)
class Operation:
    name: str
    signature: inspect.Signature
    #: Parameter name -> resolved type, without `self`.
    params: dict[str, Any]
    returns: Any
    doc: str

    @property
    def writes(self) -> bool:
        return not self.name.startswith(READ_PREFIXES)


@cache
def operations() -> dict[str, Operation]:
    found: dict[str, Operation] = {}
    for name, member in inspect.getmembers(Backend, inspect.isfunction):
        if name.startswith("_") or name == "close":
            continue
        hints = typing.get_type_hints(member)
        signature = inspect.signature(member)
        params = {p: hints[p] for p in signature.parameters if p != "self"}
        found[name] = Operation(
            name, signature, params, hints.get("return"), inspect.getdoc(member) or ""
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


__all__ = ["Operation", "from_wire", "operations", "to_wire"]
