"""Time typed while the team server is down: kept on disk, replayed exactly once.

Each queued write is a JSON line with a client id. The remote backend sends that id as
the request's `Idempotency-Key`; the server records it in the same transaction as the
write, so a replay of a write that did reach the server (its answer was lost, or the
queue was replayed twice) changes nothing. Writes the server refuses on replay (the week
was approved meanwhile, say) move to a second file and are reported, never dropped.

One person often has several processes on one queue (the app, a `tui-board log` in
another terminal, a second app). So every read and change of the queue file happens
under an OS lock on a file of its own next to it, a changed queue is written to a
temporary file of a unique name, synced and moved over the old one in one step, and
one process at a time replays the queue (a second one leaves it to the first, which
sends what is added meanwhile too). The folder and its files are the person's only.

Only time waits here (the operations declared `@writes(queue_offline=True)`): a card
write carries the version its sender saw, and replayed later it would either be refused
or overwrite what others did meanwhile; the board is read-only while the server is away
instead (see `tui_board/ui/read_only.py`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui_board.core.durations import format_duration
from tui_board.core.errors import BoardError, Unavailable
from tui_board.files import check_trusted, private_folder

#: The queue's folder and files: the person's own (they hold their time and comments).
FOLDER_MODE = 0o700
FILE_MODE = 0o600


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
        shown = f" {format_duration(int(minutes))}" if minutes is not None else ""
        return f"{self.operation} {what}{shown}"


class FileLock:
    """An exclusive `flock` on a file that holds nothing else: it keeps out other
    processes and other `FileLock`s on the same file in this process (each holds its
    own open file), and is re-entrant for the thread that holds it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread = threading.RLock()
        self._fd: int | None = None
        self._depth = 0

    def acquire(self, *, blocking: bool = True) -> bool:
        if not self._thread.acquire(blocking=blocking):
            return False
        if self._depth == 0:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
            except OSError:
                self._thread.release()
                raise
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BaseException as error:
                os.close(fd)
                self._thread.release()
                if isinstance(error, BlockingIOError):
                    return False
                raise
            self._fd = fd
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the only open file of the lock releases it
        self._thread.release()

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


class OfflineQueue:
    """An append-only file of writes waiting for the server, one per line."""

    def __init__(self, folder: Path, server: str, login_key: str) -> None:
        name = hashlib.sha256(f"{server}\n{login_key}".encode()).hexdigest()[:16]
        self.folder = folder
        self.path = folder / f"{name}.jsonl"
        self.refused_path = folder / f"{name}.refused.jsonl"
        #: Held for every read and change of the two files (a short while).
        self._files = FileLock(folder / f"{name}.lock")
        #: Held by the one process (and thread) replaying the queue.
        self._replay = FileLock(folder / f"{name}.replay.lock")

    @staticmethod
    def new_id() -> str:
        return str(uuid.uuid4())

    def add(self, request_id: str, operation: str, arguments: dict[str, Any]) -> QueuedWrite:
        write = QueuedWrite(request_id, operation, arguments, datetime.now(UTC).isoformat())
        with self._locked():
            self._append(self.path, write)
        return write

    def pending(self) -> list[QueuedWrite]:
        if not self.path.exists():
            return []
        with self._locked():
            return self._read(self.path)

    def refused(self) -> list[QueuedWrite]:
        if not self.refused_path.exists():
            return []
        with self._locked():
            return self._read(self.refused_path)

    def done(self, write: QueuedWrite) -> None:
        """Remove a write that the server has (or had already) applied."""
        with self._locked():
            self._rewrite([w for w in self._read(self.path) if w.id != write.id])

    def refuse(self, write: QueuedWrite, reason: str) -> None:
        with self._locked():
            self._append(self.refused_path, QueuedWrite(**{**write.__dict__, "refused": reason}))
            self.done(write)

    def replay(self, send: Callable[[QueuedWrite], object]) -> tuple[int, list[QueuedWrite]]:
        """Send the queued writes in order with `send`, until the queue is empty or the
        server cannot be reached (`send` raises `Unavailable`); a write the server
        refuses (`BoardError`) moves to the refused file. Returns how many were sent
        and the refused ones (each with its reason).

        While another process (or thread) replays the queue this returns (0, []) at
        once: that one sends every write, those added meanwhile included. It lets go
        of the replay only under the files' lock, when it finds the queue empty, so a
        write added just before is never left waiting for nobody."""
        sent = 0
        refused: list[QueuedWrite] = []
        if not self.path.exists():
            return sent, refused
        self._make_folder()  # (checked before its lock file is opened in it)
        if not self._replay.acquire(blocking=False):
            return sent, refused
        held = True
        try:
            while True:
                with self._locked():
                    batch = self._read(self.path)
                    if not batch:
                        self._replay.release()
                        held = False
                        return sent, refused
                for write in batch:
                    try:
                        send(write)
                    except Unavailable:
                        return sent, refused  # the rest waits for the server
                    except BoardError as error:
                        self.refuse(write, error.message)
                        refused.append(QueuedWrite(**{**write.__dict__, "refused": error.message}))
                    else:
                        self.done(write)
                        sent += 1
        finally:
            if held:
                self._replay.release()

    # --- files ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self._make_folder()
        with self._files:
            yield

    def _make_folder(self) -> None:
        if not self.folder.is_dir():
            private_folder(self.folder)
        found = self.folder.stat()
        if found.st_mode & 0o077 and found.st_uid == os.getuid():
            self.folder.chmod(FOLDER_MODE)  # made by an older version, or by hand
        # Its writes go out with this person's token: never from a folder, or a file,
        # another account could have put there.
        check_trusted(self.folder, "the offline queue's folder")
        for path in (self.path, self.refused_path):
            check_trusted(path, "the offline queue")

    def _append(self, path: Path, write: QueuedWrite) -> None:
        line = json.dumps(write.__dict__, sort_keys=True) + "\n"
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)  # a file an older version made for everyone to read
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def _read(self, path: Path) -> list[QueuedWrite]:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [QueuedWrite(**json.loads(line)) for line in text.splitlines() if line.strip()]

    def _rewrite(self, writes: list[QueuedWrite]) -> None:
        """The queue as `writes`, in one step: a crash leaves the old file or the new."""
        if not writes:
            self.path.unlink(missing_ok=True)
            return
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{self.path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.writelines(json.dumps(w.__dict__, sort_keys=True) + "\n" for w in writes)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _sync_folder(self.folder)


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (it is an entry of the folder's own file)."""
    fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
