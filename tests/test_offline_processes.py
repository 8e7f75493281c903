"""One person's processes on one offline queue at once: the app and `tui-board log` in
another terminal, each adding time while the server is down and sending it when it is
back. Every queued write reaches the server exactly once: none lost, none sent twice,
no process crashes. And the queue is the person's only (0700 folder, 0600 files).

The writers are real processes (this file run as a module) against a real server on a
loopback port that is down when they start and comes up while they are still typing.
"""

from __future__ import annotations

import os
import random
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from tests.live_server import LiveServer, bobs_team
from tui_board.backend.offline import OfflineQueue
from tui_board.backend.remote import RemoteBackend
from tui_board.store.tables import TimeEntryRow

FIRST_DAY = date(2026, 1, 5)
PROCESSES = 4
WRITES = 40
ROOT = Path(__file__).resolve().parent.parent
WRITER = [sys.executable, "-m", "tests.test_offline_processes"]

Scope = MutableMapping[str, Any]
Asgi = Callable[[Scope, Any, Any], Awaitable[None]]


class KeyCounter:
    """Counts the requests that reach the server, by `Idempotency-Key`."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def wrap(self, app: Asgi) -> Asgi:
        async def counting(scope: Scope, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                for name, value in scope["headers"]:
                    if name == b"idempotency-key":
                        self.seen[value.decode()] += 1
            await app(scope, receive, send)

        return counting


def write_time(url: str, token: str, queue_dir: str, name: str, first: int) -> None:
    """One process: a minute on each of WRITES days (its own), typed a few ms apart,
    then it sends what is left until its queue is empty (as the app does)."""
    backend = RemoteBackend.connect(url, token, queue_dir=Path(queue_dir))
    for n in range(WRITES):
        day = FIRST_DAY + timedelta(days=first + n)
        backend.add_time("WEB-1", day, 1, comment=f"{name}-{n}")
        time.sleep(random.uniform(0, 0.01))
    deadline = time.monotonic() + 60
    while backend.pending_writes() and time.monotonic() < deadline:
        backend.sync()
        time.sleep(0.02)
    backend.close()


@pytest.mark.parametrize("round_", range(3))
def test_processes_sharing_a_queue_send_every_write_exactly_once(
    tmp_path: Path, round_: int
) -> None:
    database = bobs_team(tmp_path)
    counter = KeyCounter()
    server = LiveServer(database, wrap=counter.wrap).start()
    token, url, port = server.token_for("bob"), server.url, server.port
    server.stop()  # the writers start while the server is down
    queue_dir = tmp_path / "offline"
    queue = RemoteBackend.connect(url, token, queue_dir=queue_dir).queue

    writers = [
        subprocess.Popen(
            [*WRITER, url, token, str(queue_dir), f"p{p}", str(p * WRITES)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(PROCESSES)
    ]
    restarted = None
    try:
        deadline = time.monotonic() + 60
        while len(queue.pending()) < PROCESSES * WRITES // 3:
            assert time.monotonic() < deadline, "the writers queued nothing"
            assert all(w.poll() is None for w in writers), [w.communicate() for w in writers]
            time.sleep(0.02)
        restarted = LiveServer(database, port=port, wrap=counter.wrap).start()
        outcomes = [w.communicate(timeout=120) for w in writers]
    finally:
        for w in writers:
            if w.poll() is None:
                w.kill()
        if restarted is not None:
            restarted.stop()

    try:
        assert [w.returncode for w in writers] == [0] * PROCESSES, outcomes
        with database.read() as s:
            entries = [(e.comment, e.minutes) for e in s.exec(select(TimeEntryRow))]
        expected = {f"p{p}-{n}" for p in range(PROCESSES) for n in range(WRITES)}
        comments = Counter(comment for comment, _ in entries)
        lost = expected - set(comments)
        assert not lost, f"round {round_}: {len(lost)} of {len(expected)} writes lost"
        assert all(minutes == 1 for _, minutes in entries), "a write applied twice"
        assert comments == Counter(expected)
        assert queue.pending() == [] and queue.refused() == []
        sent_twice = {key: n for key, n in counter.seen.items() if n > 1}
        assert not sent_twice, f"{len(sent_twice)} writes reached the server more than once"
        assert len(counter.seen) == len(expected)
    finally:
        database.close()


def test_the_queue_is_the_persons_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        folder = tmp_path / "data" / "offline"
        queue = OfflineQueue(folder, "https://team.example", "key")
        write = queue.add(OfflineQueue.new_id(), "add_time", {"task": "WEB-1", "minutes": 5})
        queue.add(OfflineQueue.new_id(), "add_time", {"task": "WEB-2", "minutes": 5})
        queue.refuse(write, "the week is approved")
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.iterdir())
    assert {f.suffix for f in files} == {".jsonl", ".lock"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_a_queue_an_older_version_left_open_is_closed(tmp_path: Path) -> None:
    folder = tmp_path / "offline"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    queue = OfflineQueue(folder, "https://team.example", "key")
    queue.path.write_text("")
    queue.path.chmod(0o644)
    queue.add(OfflineQueue.new_id(), "add_time", {"task": "WEB-1", "minutes": 5})
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(queue.path.stat().st_mode) == 0o600


if __name__ == "__main__":
    url, token, queue_dir, name, first = sys.argv[1:6]
    write_time(url, token, queue_dir, name, int(first))
