"""Long polls on the change feed that cost nothing while nothing changes.

`GET /changes?since=N&wait=S` reads the feed once; when there is nothing after N for
the caller it waits on this process's `ChangeSignal`, which moves when the store may
have changed, and reads again. No waiter ever polls the store:

- PostgreSQL: one `LISTEN` connection per server process. Every write NOTIFYs in the
  transaction that records its change (`backend/local/base.py`), so the signal moves
  when any server process (or `tui-board` on the database itself) commits one. While
  that connection is down, the signal moves once a second instead (waiters read again)
  and the listener reconnects.
- SQLite: the process's own writes move the signal as they are answered (`changed()`);
  a write by another process (another `--workers` process, a `tui-board log` on the
  file) is seen by one look at `PRAGMA data_version` every `SQLITE_LOOK_SECONDS` on a
  connection of its own, one for the whole process and only while someone waits.

Waiters wait on one `asyncio.Event` (replaced each time it is set): 200 idle clients
are 200 open requests and a suspended coroutine each, no query and no timer each.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path
from typing import Any

from tui_board.store.sql import CHANGES_CHANNEL

#: Seconds between two looks at a SQLite file's `data_version` while someone waits.
SQLITE_LOOK_SECONDS = 0.25
#: Seconds between two attempts to LISTEN again after the connection was lost.
LISTEN_RETRY_SECONDS = 1.0


class ChangeSignal:
    """Moves (`generation` grows, waiters wake) when the store may have changed."""

    def __init__(self, database: Any) -> None:
        #: The server's `Database` (or a test's stand-in for one).
        self.database = database
        self.generation = 0
        #: Whether the PostgreSQL listener is connected (tests and the bench read it).
        self.listening = False
        self.waiting = 0
        self._event: asyncio.Event | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    def changed(self) -> None:
        """The store may have changed: every waiter reads again. On the event loop."""
        self.generation += 1
        event, self._event = self._event, asyncio.Event()
        if event is not None:
            event.set()

    async def wait(self, generation: int, timeout: float) -> bool:
        """Wait until the signal moves past `generation` (what the caller read was
        read at it); False when `timeout` passed first or the server is stopping."""
        if self._closed:
            return False
        if self.generation != generation:
            return True
        self._start()
        assert self._event is not None
        event = self._event
        self.waiting += 1
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1
        return not self._closed

    def close(self) -> None:
        """Answer every waiter now, and every later one at once (the server stops:
        uvicorn waits for open requests before it exits). On the event loop."""
        self._closed = True
        if self._watcher is not None:
            self._watcher.cancel()
        self.changed()

    def reopen(self) -> None:
        """Wait again (a server started again after `close`)."""
        self._closed = False

    def close_threadsafe(self) -> None:
        """`close` from another thread (a test's server being stopped)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            self._closed = True
            return
        with contextlib.suppress(RuntimeError):  # the loop has just stopped
            loop.call_soon_threadsafe(self.close)

    # --- watching the store ----------------------------------------------------------------

    def _start(self) -> None:
        if self._event is None:
            self._event = asyncio.Event()
        if self._watcher is None or self._watcher.done():
            self._loop = asyncio.get_running_loop()
            watch = self._watch_file if self.database.is_sqlite else self._listen
            self._watcher = asyncio.create_task(watch())

    async def _watch_file(self) -> None:
        """Other processes' commits to a SQLite file, while anyone waits: one look at
        `data_version` (it changes when another connection commits) per step."""
        path: Path | None = None
        conn: sqlite3.Connection | None = None
        seen = None
        try:
            await asyncio.sleep(0)  # the waiter that started this counts itself first
            while self.waiting and not self._closed:
                if self.database.path != path or conn is None:
                    if conn is not None:
                        conn.close()
                    path = self.database.path
                    conn = sqlite3.connect(str(path), check_same_thread=False)
                    seen = _data_version(conn)
                await asyncio.sleep(SQLITE_LOOK_SECONDS)
                now = _data_version(conn)
                if now != seen:
                    seen = now
                    self.changed()
        except sqlite3.Error:
            self.changed()  # waiters read again (and report what is wrong)
        finally:
            if conn is not None:
                conn.close()

    async def _listen(self) -> None:
        """LISTEN on PostgreSQL for the life of the process; reconnects when the
        connection is lost, moving the signal once a second meanwhile."""
        import psycopg

        url = self.database.engine.url.set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        while not self._closed:
            try:
                connection = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
                async with connection:
                    await connection.execute(f"LISTEN {CHANGES_CHANNEL}")
                    self.listening = True
                    # What was committed while nobody listened, the first time too: the
                    # first waiter counts itself before this LISTEN, and a commit in
                    # between was not heard (its poll waited out its whole timeout).
                    self.changed()
                    async for _notify in connection.notifies():
                        self.changed()
            except (psycopg.Error, OSError):
                pass
            finally:
                self.listening = False
            if not self._closed:
                self.changed()
                await asyncio.sleep(LISTEN_RETRY_SECONDS)


def _data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


__all__ = ["LISTEN_RETRY_SECONDS", "SQLITE_LOOK_SECONDS", "ChangeSignal"]
