"""Answers to reads, kept while the store has not changed.

Most requests a team server sees are reads of what nobody has changed since the last
time it was read: a timesheet opened again, a board refreshed, a week read by the app
after each of someone else's writes. Such a read is answered from memory here, before
the framework parses it, when *the same request* (path, body, token, the headers the
app reads, the day) was answered before at the store's present state.

"The store's present state" is a stamp read from the store after the request arrived,
so a reader never sees less than what was committed before it asked (its own write
through another server process included):

- SQLite: `PRAGMA data_version` on a connection of this cache's own, which never
  writes: it changes whenever any connection, of any process, commits to the file.
- PostgreSQL: `pg_current_snapshot()`: two equal snapshots see the same committed
  transactions, so the same data; any transaction that writes changes it (reads take
  no transaction id). It is read with what moved (below) in one statement, at one
  snapshot, prepared on a connection of the cache's own. Requests that arrive while
  such a query is out share the next one, so a busy process asks once for several
  requests, never with a query that began before the request came.

What moved is the store's epoch (migration 0008), which every write moves on except one
that changed timesheet cells alone, and the change feed since the last change the cache
saw (on SQLite read when the stamp has moved, on the same connection). The same epoch:
every commit since was a write of cells, each in the feed with its person and day, so
the answers dropped are those about that person's weeks (the week of the day and the
weeks on either side) and every answer that is not one person's week; another person's
week is kept (a team logging time no longer empties each other's). A new epoch, more
changes than it reads at once (it reads on from there the next time), or a change of
any other kind: every answer goes. On SQLite a commit with nothing in the feed and the
same epoch (a row changed by hand with `sqlite3`) also empties it; on PostgreSQL the
snapshot moves with any transaction of the cluster, so the same epoch and no change
means nothing of ours changed, and a row changed by hand in `psql` is seen after the
next write through tui-board (or a restart).

The cache moves to a state only forward: looks are numbered in the order their queries
began, and a request that waited longer for an older one does not take the cache back
to it (answers kept since were computed after the newer one, and the changes between
were read already).

A stamp is read before the answer is computed and the answer is kept under it: a
commit in between moves the stamp on, and the answer is never served again. Every
answer the cache serves is one the app computed (with every rule, as that caller) at
that state; errors are never kept. Any stamp failure (the database away) and the request
goes to the app as if there were no cache. The operations it may keep are the reads
whose answer depends on the store, the caller, the arguments and the day alone: every
`@reads` operation, as `backend/operations.py` declares them (the server answers the
change feed's long poll, a GET, itself).

Who holds a token is known the same way (`actors`): a request the app answers (a read
not kept, or a write, which takes a look too, shared with the requests around it)
carries its look's epoch, and the token's holder found at an epoch is taken as found
while a look after the request arrived shows the same epoch. Every write that could
change it (a token made or revoked, a person deactivated, their role or teams changed)
moves the epoch on; a token revoked by hand in `psql` is refused after the next write
through tui-board, as a row changed by hand is seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tui_board.core.errors import BoardError
from tui_board.core.weeks import IsoWeek

#: The answers kept, in bytes (with their requests): past it the oldest go first.
MAX_BYTES = 32 << 20
#: An answer larger than this is not kept (a whole 100,000-card board, say).
MAX_ANSWER_BYTES = 1 << 20
#: A request larger than this is answered, not kept (reads' requests are small).
MAX_REQUEST_BYTES = 8 << 10
#: The request headers the app reads: part of what makes two requests the same.
KEY_HEADERS = frozenset({b"authorization", b"content-type", b"idempotency-key"})
#: The answers known to be about one person's week (kept across others' cell writes).
WEEK_PATH = "/api/v1/week"
#: Changes read at once when the store moves on; past it, every answer goes.
MAX_CHANGES = 1000
#: What moved since change `since`: the epoch and the feed after it. On PostgreSQL with
#: the state's stamp, all in one statement (one snapshot). No row: the store has no
#: epoch (every answer goes). The feed is read in a subquery of its own, so the limit
#: bounds the rows read (a join limited after it sorted every change since `since`,
#: 6 ms for 5,000 behind) and one plan serves every `since` (`LOOK_SETTINGS`).
LOOK_SQL = (
    "SELECT {stamp}e.epoch, c.seq, c.entity, c.data FROM store_epoch e LEFT JOIN"
    " (SELECT seq, entity, data FROM changes WHERE seq > :since ORDER BY seq LIMIT :limit) c"
    " ON 1 = 1 WHERE e.id = 1 ORDER BY c.seq"
)
#: Where the feed is when the cache starts (or knows nothing of what came before).
START_SQL = (
    "SELECT {stamp}e.epoch, NULL, (SELECT max(seq) FROM changes) FROM store_epoch e WHERE e.id = 1"
)
#: The look's connection on PostgreSQL plans its statement once: left to choose, PostgreSQL
#: planned it anew at every look (a plan per `since`), 85 us of its CPU each time, four
#: times the look's run; the one plan (the feed's index, bounded by the limit) is the best
#: for every `since`. PostgreSQL's CPU a request under the 3:1 mix: 202 -> 166 us.
LOOK_SETTINGS = {"plan_cache_mode": "force_generic_plan"}
#: PostgreSQL's stamp: the statement's own snapshot.
PG_STAMP = "pg_current_snapshot()::text AS stamp, "


@dataclass(frozen=True, slots=True)
class _Look:
    """The store's state as one query saw it, after a request arrived."""

    #: Looks are numbered in the order their queries began: the cache never goes back
    #: to an older one.
    number: int
    stamp: object
    #: The epoch (None: the store has none).
    epoch: int | None
    #: The changes read are those after this one (None: none were read: a start).
    since: int | None
    #: The last change the look saw (or read, when there were too many).
    last: int | None
    #: (seq, entity, data) of each change after `since`; None: more than `MAX_CHANGES`.
    changes: list[tuple[int, str, str]] | None


def _look_of(number: int, stamp: object, since: int | None, rows: list[Any]) -> _Look:
    """A look from the rows of `LOOK_SQL` (or `START_SQL`, `since` None), without
    their stamp column."""
    if not rows or rows[0][0] is None:
        return _Look(number, stamp, None, None, None, [])
    epoch = int(rows[0][0])
    if since is None:
        last = rows[0][2]
        return _Look(number, stamp, epoch, None, None if last is None else int(last), [])
    changes = [(int(r[1]), str(r[2]), str(r[3])) for r in rows if r[1] is not None]
    last = changes[-1][0] if changes else since
    return _Look(number, stamp, epoch, since, last, None if len(changes) > MAX_CHANGES else changes)


#: Where the front finds the epoch of the request's look (`Caller.epoch`).
EPOCH_KEY = "tui_board.epoch"
#: Tokens whose holders are known at once (`ReadCache.actors`); past it, all are asked again.
MAX_ACTORS = 10_000

#: One person's week, as a kept answer is about it: (login, ISO week).
WeekTag = tuple[str, str]


class ReadCache:
    """ASGI middleware: `app` behind a cache of its answers (to reads: the caller
    sends only those)."""

    def __init__(
        self, app: Any, database: Any, *, today: Callable[[], object], max_body: int
    ) -> None:
        self.app = app
        self.database = database
        self.today = today
        self.max_body = max_body
        self.enabled = True
        #: Figures for tests and the benchmark.
        self.hits = 0
        self.misses = 0
        self.forgot = 0  # every answer dropped
        self.dropped = 0  # answers dropped for a person's cell writes
        self.known = 0  # tokens whose holder was known without asking the store
        self._stamp: object = None
        #: The number of the look the cache is at (`_Look`).
        self._number = -1
        #: The epoch and the last change seen at `_stamp` (None: not known).
        self._epoch: int | None = None
        self._seq: int | None = None
        self._answers: dict[tuple[Any, ...], tuple[int, list[Any], bytes]] = {}
        #: The kept answers about one person's week, by the week; the rest (`_general`).
        self._weeks: dict[WeekTag, set[tuple[Any, ...]]] = {}
        self._tags: dict[tuple[Any, ...], WeekTag] = {}
        self._general: set[tuple[Any, ...]] = set()
        self._bytes = 0
        #: Who holds each token, and the epoch of the look it was asked after: known
        #: while the epoch stays (the app's `authenticated`).
        self.actors: dict[str, tuple[Any, int]] = {}
        self._looks = 0
        self._sqlite = _SqliteLooks(self._next_look)
        self._postgres = _PostgresLooks(self._next_look)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not self.enabled:
            await self.app(scope, receive, send)
            return
        arrived = time.monotonic()
        headers = tuple((k, v) for k, v in scope["headers"] if k in KEY_HEADERS)  # in order
        length = dict(scope["headers"]).get(b"content-length", b"")
        if not length.isdigit() or int(length) > self.max_body:
            await self.app(scope, receive, send)  # the app says what is wrong
            return
        body, more = await read_body(receive, int(length))
        replay = replaying(body, more, receive)
        look = await self.look(arrived)
        if look is None:
            await self.app(scope, replay, send)
            return
        key = (scope["path"], scope.get("query_string", b""), headers, body, self.today())
        if look.stamp != self._stamp:
            self._move_to(look)
        stamp = look.stamp
        found = self._answers.get(key)
        if found is not None:
            self.hits += 1
            status, response_headers, answer = found
            await send(
                {"type": "http.response.start", "status": status, "headers": response_headers}
            )
            await send({"type": "http.response.body", "body": answer})
            return
        self.misses += 1
        if look.epoch is not None:
            scope = {**scope, EPOCH_KEY: look.epoch}
        start: dict[str, Any] = {}
        parts: list[bytes] = []

        async def keep(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body", False) and start.get("status") == 200:
                    self._keep(stamp, key, start, b"".join(parts))
            await send(message)

        await self.app(scope, replay, keep)

    async def look(self, arrived: float) -> _Look | None:
        """The store's state, read after `arrived`; None when it cannot be read."""
        database = self.database
        try:
            if database.is_sqlite:
                return self._sqlite.look(database.path, self._stamp, self._epoch, self._seq)
            return await self._postgres.look(database, arrived, lambda: self._seq)
        except Exception:  # the store is away or busy: no cache, the app answers
            return None

    def _move_to(self, look: _Look) -> None:
        """The store is at `look` now: drop what the commits since may have changed.
        Never back to an older look (a request that waited longer for its own): the
        answers kept since were computed after the newer one, and may not be kept
        under the older one's stamp."""
        if look.number < self._number:
            return
        self._number = look.number
        if look.stamp == self._stamp:
            return
        self._stamp = look.stamp
        changes, seq = look.changes, self._seq
        if (
            look.epoch is None
            or look.epoch != self._epoch
            or changes is None
            or seq is None
            or look.since is None
            or look.since > seq
        ):  # a new epoch, too many changes, or nothing known of what came before
            if look.epoch != self._epoch:  # a holder found at another epoch is not
                self.actors.clear()  # kept (a store restored goes back to old numbers)
            self._epoch, self._seq = look.epoch, look.last
            self._forget()
            return
        fresh = [(entity, data) for at, entity, data in changes if at > seq]
        self._seq = max(seq, look.last or seq)
        if not fresh:
            if self.database.is_sqlite:
                self._forget()  # a commit with nothing in the feed: a row changed by hand
            return  # PostgreSQL: another database's transactions moved the snapshot
        weeks = _weeks_of(fresh)
        if weeks is None:
            self._forget()
            return
        for key in list(self._general):
            self._drop(key)
        for tag in weeks:
            for key in list(self._weeks.get(tag, ())):
                self._drop(key)
                self.dropped += 1

    def forget(self) -> None:
        """Drop every answer and what is known of the store's history: for a store
        whose history went back under the server (a test's store emptied and filled
        again), where the same epoch and no newer change would not mean "unchanged".
        Call it while no request is being answered."""
        self._forget()
        self.actors.clear()
        self._stamp = self._epoch = self._seq = None
        self._number = self._looks + 1  # a look begun before is not applied

    def _next_look(self) -> int:
        self._looks += 1
        return self._looks

    def _forget(self) -> None:
        if self._answers:
            self.forgot += 1
        self._answers.clear()
        self._weeks.clear()
        self._tags.clear()
        self._general.clear()
        self._bytes = 0

    def _drop(self, key: tuple[Any, ...]) -> None:
        found = self._answers.pop(key, None)
        if found is None:
            return
        self._bytes -= _size(key, found[2])
        tag = self._tags.pop(key, None)
        if tag is None:
            self._general.discard(key)
            return
        keys = self._weeks.get(tag)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._weeks[tag]

    def _keep(self, stamp: object, key: tuple[Any, ...], start: Any, answer: bytes) -> None:
        size = _size(key, answer)
        if stamp != self._stamp or size > MAX_ANSWER_BYTES or len(key[3]) > MAX_REQUEST_BYTES:
            return  # the store moved on while the answer was made, or too big to keep
        while self._answers and self._bytes + size > MAX_BYTES:
            self._drop(next(iter(self._answers)))
        self._drop(key)
        self._answers[key] = (start["status"], list(start.get("headers", [])), answer)
        self._bytes += size
        tag = _week_tag(key[0], answer)
        if tag is None:
            self._general.add(key)
        else:
            self._tags[key] = tag
            self._weeks.setdefault(tag, set()).add(key)

    def close(self) -> None:
        self._sqlite.close()
        self._postgres.close()


def _week_tag(path: str, answer: bytes) -> WeekTag | None:
    """The person and ISO week a `week` answer is about (its own `user` and `week`);
    None for any other answer (it goes at any change)."""
    if path != WEEK_PATH:
        return None
    try:
        # The server writes a sheet's fields in order, `user` and `week` first: read
        # them off its start rather than parse the whole answer (a week of entries).
        first = _WEEK_START.match(answer)
        if first is not None:
            user, week = json.loads(first[1]), json.loads(first[2])
        else:
            sheet = json.loads(answer)
            user, week = sheet["user"], sheet["week"]
    except (ValueError, TypeError, KeyError):
        return None
    return (user, week) if isinstance(user, str) and isinstance(week, str) else None


#: The start of a `week` answer: its `user` and `week`, each a JSON string.
_STRING = rb'"(?:[^"\\]|\\.)*"'
_WEEK_START = re.compile(rb'\{"user":(' + _STRING + rb'),"week":(' + _STRING + rb"),")


def _weeks_of(changes: list[tuple[str, str]]) -> set[WeekTag] | None:
    """The weeks whose answers the changes may have changed: for a cell of a person on a
    day, that person's ISO week of the day and the weeks on either side (a week that
    starts on another day than Monday spans two ISO weeks). None when a change is of
    another kind, or does not say whose cell and which day."""
    weeks: set[WeekTag] = set()
    for entity, data in changes:
        if entity != "entry":
            return None
        try:
            said = json.loads(data)
            user, day = said["user"], date.fromisoformat(said["day"])
        except (ValueError, TypeError, KeyError):
            return None
        if not isinstance(user, str):
            return None
        try:
            for step in (-7, 0, 7):
                weeks.add((user, str(IsoWeek.of(day + timedelta(days=step)))))
        except (OverflowError, BoardError):  # a cell on the calendar's first or last days
            return None
    return weeks


def _size(key: tuple[Any, ...], answer: bytes) -> int:
    """What a kept answer costs: its body, the request's, and the headers of the key."""
    return len(answer) + len(key[3]) + sum(len(v) for _, v in key[2]) + 200


async def read_body(receive: Any, length: int) -> tuple[bytes, bool]:
    """The request's body (at most `length` bytes said up front); True when the
    client sent more than it said (the app then refuses it, as without the cache)."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), True  # a disconnect: the app sees it
        chunk = message.get("body", b"")
        parts.append(chunk)
        size += len(chunk)
        if size > length:
            return b"".join(parts), True
        if not message.get("more_body", False):
            return b"".join(parts), False


def replaying(body: bytes, more: bool, receive: Any) -> Any:
    """A `receive` that gives the app the body read already, then the real one."""
    sent = False

    async def replay() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay


class _SqliteLooks:
    """`PRAGMA data_version` on a connection that never writes (a few microseconds: it
    reads the WAL index in shared memory), and when it has moved, the feed since (on
    the same connection, at that state or later)."""

    def __init__(self, number: Callable[[], int]) -> None:
        self._number = number
        self._path: Any = None
        self._conn: sqlite3.Connection | None = None

    def look(self, path: Any, stamp: object, epoch: int | None, since: int | None) -> _Look:
        """The look at the file; at the same stamp as the cache's (nothing committed
        since), its epoch without reading anything more."""
        try:
            if self._conn is None or path != self._path:
                self.close()
                self._conn = sqlite3.connect(str(path), check_same_thread=False)
                self._path = path
            now = (path, int(self._conn.execute("PRAGMA data_version").fetchone()[0]))
            if now == stamp:  # nothing committed since: nothing to read
                return _Look(self._number(), now, epoch, None, None, [])
            sql = (START_SQL if since is None else LOOK_SQL).format(stamp="")
            rows = self._conn.execute(sql, {"since": since, "limit": MAX_CHANGES + 1}).fetchall()
        except sqlite3.Error:
            self.close()
            raise
        return _look_of(self._number(), now, since, rows)

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None


class _PostgresLooks:
    """`LOOK_SQL` with the statement's snapshot on a connection of its own, one query
    at a time; a request takes the first answer of a query that began after it arrived
    (requests that arrive while one is out share the next)."""

    def __init__(self, number: Callable[[], int]) -> None:
        self._number = number
        self._conn: Any = None
        self._engine: Any = None
        self._query: asyncio.Task[_Look] | None = None
        self._began = 0.0

    async def look(self, database: Any, arrived: float, since: Callable[[], int | None]) -> _Look:
        while True:
            query = self._query
            if query is None or query.done():
                self._began = time.monotonic()
                query = asyncio.ensure_future(self._read(database.engine, since()))
                self._query = query
                query.add_done_callback(_retrieved)
                return await asyncio.shield(query)
            if self._began > arrived:
                return await asyncio.shield(query)
            with contextlib.suppress(Exception):  # began before this request: not its answer
                await asyncio.shield(query)

    async def _read(self, engine: Any, since: int | None) -> _Look:
        from tui_board.server.green import OwnConnection

        if self._conn is not None and self._engine is not engine:
            self.close()
        if self._conn is None:
            url = engine.url.set(drivername="postgresql")
            self._conn = OwnConnection(
                url.render_as_string(hide_password=False), settings=LOOK_SETTINGS
            )
            self._engine = engine
        number = self._number()
        if since is None:
            rows = await self._conn.rows(START_SQL.format(stamp=PG_STAMP))
        else:
            sql = LOOK_SQL.format(stamp=PG_STAMP)
            rows = await self._conn.rows(sql, since=since, limit=MAX_CHANGES + 1)
        # no row: the store has no epoch, and each look is a state of its own
        stamp = (id(engine), rows[0][0] if rows else ("no epoch", number))
        return _look_of(number, stamp, since, [r[1:] for r in rows])

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def _retrieved(task: asyncio.Task[Any]) -> None:
    """A failed query whose requests all went away is not an unretrieved exception."""
    if not task.cancelled():
        task.exception()


__all__ = [
    "EPOCH_KEY",
    "MAX_ACTORS",
    "MAX_ANSWER_BYTES",
    "MAX_BYTES",
    "ReadCache",
    "read_body",
    "replaying",
]
