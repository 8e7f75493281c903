"""Time typed while the team server is down: kept on disk, replayed exactly once.

Each queued write is a JSON line with a client id. The remote backend sends that id as
the request's `Idempotency-Key`; the server records it in the same transaction as the
write, so a replay of a write that did reach the server (its answer was lost, or the
queue was replayed twice) changes nothing. Writes the server refuses on replay (the week
was approved meanwhile, say) move to a second file and are reported, never dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class QueuedWrite:
    id: str
    operation: str
    #: Arguments as sent over the wire (JSON).
    arguments: dict[str, Any]
    queued: str
    #: Why the server refused it on replay (only in the refused file).
    refused: str = ""

    def describe(self) -> str:
        args = self.arguments
        what = f"{args.get('task', '?')} {args.get('day', '')}".strip()
        minutes = args.get("minutes")
        return f"{self.operation} {what}" + (f" {minutes}m" if minutes is not None else "")


class OfflineQueue:
    """An append-only file of writes waiting for the server, one per line."""

    def __init__(self, folder: Path, server: str, login_key: str) -> None:
        name = hashlib.sha256(f"{server}\n{login_key}".encode()).hexdigest()[:16]
        self.path = folder / f"{name}.jsonl"
        self.refused_path = folder / f"{name}.refused.jsonl"

    @staticmethod
    def new_id() -> str:
        return str(uuid.uuid4())

    def add(self, request_id: str, operation: str, arguments: dict[str, Any]) -> QueuedWrite:
        write = QueuedWrite(request_id, operation, arguments, datetime.now(UTC).isoformat())
        self._append(self.path, write)
        return write

    def pending(self) -> list[QueuedWrite]:
        return self._read(self.path)

    def refused(self) -> list[QueuedWrite]:
        return self._read(self.refused_path)

    def done(self, write: QueuedWrite) -> None:
        """Remove a write that the server has (or had already) applied."""
        self._rewrite([w for w in self.pending() if w.id != write.id])

    def refuse(self, write: QueuedWrite, reason: str) -> None:
        self._append(self.refused_path, QueuedWrite(**{**write.__dict__, "refused": reason}))
        self.done(write)

    # --- files ---------------------------------------------------------------------------

    def _append(self, path: Path, write: QueuedWrite) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(write.__dict__, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def _read(self, path: Path) -> list[QueuedWrite]:
        if not path.exists():
            return []
        writes = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                writes.append(QueuedWrite(**json.loads(line)))
        return writes

    def _rewrite(self, writes: list[QueuedWrite]) -> None:
        if not writes:
            self.path.unlink(missing_ok=True)
            return
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(w.__dict__, sort_keys=True) + "\n" for w in writes))
        tmp.replace(self.path)
