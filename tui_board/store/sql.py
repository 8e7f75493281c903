"""Plain SQL on a transaction's DB-API connection: what the service layer speaks.

The service layer's rules run as SQL text with `:name` parameters, on whichever
connection the transaction holds: the standard library's `sqlite3` for a local file
(`store.file.FileDatabase`, no SQLAlchemy imported: a command answers at once), or the
DB-API connection under a SQLAlchemy session (`store.database.Database`: PostgreSQL, the
team server). Both give the same rows, so one implementation of each rule serves every
store, and the contract suite runs it on each.

Rows have attribute access (`row.minutes`). SQLite keeps dates and times as text and
booleans as integers; they are read back as `date`, `datetime` and `bool` by column name
(the names are listed once here, and a test checks them against the schema). A list or
tuple parameter expands `IN (:ids)`; an empty one matches nothing.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

#: Columns (or aliases) SQLite hands back as text that are dates, times or booleans.
DATE_COLUMNS = frozenset({"day", "due", "until", "span_first", "span_last", "start", "deadline"})
DATETIME_COLUMNS = frozenset({"created", "updated", "started", "time"})
BOOL_COLUMNS = frozenset({"active", "archived", "revoked"})

#: Rows `Sql.each` and `Sql.columns` take from the driver at a time.
ROWS_AT_ONCE = 500

#: The key a write transaction sets in its `info` when all it changes is timesheet
#: cells (each recorded in the change feed with its person and day), the tasks' logged
#: totals and the feed itself: the one kind of write that leaves the store's epoch
#: where it was (migration 0008, `end_write`).
CELLS_ONLY = "cells_only"
#: The key a write transaction sets when all it changed is rows no read answers with
#: (an import's staged parts and its record of rows imported): it leaves the epoch.
UNSEEN_ONLY = "unseen_only"
#: Moves the store's epoch on (made if a store lacks its row).
EPOCH_BUMP = (
    "INSERT INTO store_epoch (id, epoch) VALUES (1, 1)"
    " ON CONFLICT (id) DO UPDATE SET epoch = store_epoch.epoch + 1"
)
#: The same on PostgreSQL, when the transaction has written anything (it has a
#: transaction id: any row written, or locked, takes one).
EPOCH_BUMP_IF_WRITTEN = (
    "INSERT INTO store_epoch (id, epoch) SELECT 1, 1"
    " WHERE pg_current_xact_id_if_assigned() IS NOT NULL"
    " ON CONFLICT (id) DO UPDATE SET epoch = store_epoch.epoch + 1"
)
#: The PostgreSQL channel a write's commit notifies (several in one transaction: once).
CHANGES_CHANNEL = "tui_board_changes"
#: Taken by every write that records a change, held to its commit: sequence numbers in
#: commit order (one statement for both).
FEED_LOCK_AND_NOTIFY = f"SELECT pg_advisory_xact_lock(7320412), pg_notify('{CHANGES_CHANNEL}', '')"
#: The key of a write transaction's `info` that holds the change feed's rows it made
#: (`ServiceBase._record`), stored by `end_write`.
FEED = "feed"
#: The key of a write transaction's `info` that holds statements to run last
#: (`Sql.later`).
LATER = "later"
#: Past this many changes, a transaction's feed rows go in with `executemany` (an
#: import's thousands), not in the round trip that ends it.
FEED_AT_ONCE = 50
#: A change's row as the feed stores it.
FEED_INSERT = (
    "INSERT INTO changes (time, user_id, entity, entity_id, action, data, request_id,"
    " request_hash) VALUES (:time, :user_id, :entity, :entity_id, :action, :data,"
    " :request_id, :request_hash)"
)
#: The unique index that refuses a second change with one person's request id.
REQUEST_INDEX = "ux_changes_user_request"
#: SQLite: the connection's `total_changes` when the write transaction began.
CHANGES_AT_BEGIN = "changes_at_begin"
#: The key a write transaction sets in its `info` when its commit may be sent in the
#: round trip that ends it (`end_write`); `end_write` sets `COMMITTED` when it was.
COMMIT_LAST = "commit_last"
COMMITTED = "committed"

_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_LISTS = (list, tuple, set, frozenset)


def _to_date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _to_datetime(value: Any) -> Any:
    """A moment read back, aware and in UTC (SQLite may hold it without an offset)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is UTC:  # as SQLModel writes it: nothing to do
            return value
        return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)
    return value


def _to_bool(value: Any) -> Any:
    return bool(value) if value is not None else None


def _dates(values: list[Any]) -> list[Any]:
    """`_to_date` over a column's values (what `Sql.columns` reads by the thousand)."""
    return [date.fromisoformat(v) if type(v) is str else v for v in values]


def _moments(values: list[Any]) -> list[Any]:
    """`_to_datetime` over a column's values."""
    read = [datetime.fromisoformat(v) if type(v) is str else v for v in values]
    return [v if v is None or v.tzinfo is UTC else _to_datetime(v) for v in read]


def _over(fn: Callable[[Any], Any]) -> Callable[[list[Any]], list[Any]]:
    """A converter of single values, over a column's values."""
    columns: dict[Callable[[Any], Any], Callable[[list[Any]], list[Any]]] = {
        _to_date: _dates,
        _to_datetime: _moments,
    }
    return columns.get(fn) or (lambda values: [v if v is None else fn(v) for v in values])


def _converter(name: str) -> Callable[[Any], Any] | None:
    if name in DATE_COLUMNS:
        return _to_date
    if name in DATETIME_COLUMNS:
        return _to_datetime
    if name in BOOL_COLUMNS:
        return _to_bool
    return None


@lru_cache(maxsize=256)
def _row_type(names: tuple[str, ...]) -> Any:
    return namedtuple("Row", names, rename=True)  # type: ignore[misc]


@lru_cache(maxsize=256)
def _readers(names: tuple[str, ...], sqlite: bool) -> tuple[Any, tuple[tuple[int, Any], ...]]:
    """The row type for these columns and the (index, converter) pairs to apply: every
    converter on SQLite; on PostgreSQL, which has the types, moments to UTC only."""
    pairs = tuple(
        (i, fn)
        for i, name in enumerate(names)
        if (fn := _converter(name)) is not None and (sqlite or fn is _to_datetime)
    )
    return _row_type(names), pairs


def utc(value: datetime) -> datetime:
    """A moment to store: in UTC (a naive one is taken to be UTC already)."""
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


def stored_time(value: datetime) -> str:
    """A moment as SQLite keeps it (as SQLModel's UTCDateTime writes it): UTC, to the
    microsecond, without an offset."""
    return utc(value).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return stored_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _server_value(value: Any) -> Any:
    return utc(value) if isinstance(value, datetime) else value


@lru_cache(maxsize=512)
def _statement(sql: str, sizes: tuple[tuple[str, int], ...], pyformat: bool) -> str:
    """The SQL text for the driver: list parameters expanded, `:name` as `%(name)s`
    for psycopg."""
    for name, size in sizes:
        names = ", ".join(f":{name}__{i}" for i in range(size)) or "NULL"
        sql = re.sub(rf"(?<![:\w]):{name}\b", names, sql)
    if pyformat:
        sql = _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))
    return sql


class Sql:
    """Plain SQL in one transaction. Subclasses give the DB-API connection."""

    #: "sqlite" or "postgresql".
    dialect: str = "sqlite"

    def _connection(self) -> Any:
        raise NotImplementedError

    def _cursor(self, sql: str, params: dict[str, Any]) -> Any:
        sqlite = self.dialect == "sqlite"
        sizes = []
        for name, value in list(params.items()):
            if isinstance(value, _LISTS):
                del params[name]
                items = sorted(value) if isinstance(value, set | frozenset) else value
                sizes.append((name, len(items)))
                for i, item in enumerate(items):
                    params[f"{name}__{i}"] = item
        convert = _sqlite_value if sqlite else _server_value
        params = {k: convert(v) for k, v in params.items()}
        text = _statement(sql, tuple(sizes), not sqlite) if sizes or not sqlite else sql
        cursor = self._connection().cursor()
        cursor.execute(text, params)
        return cursor

    def rows(self, sql: str, /, **params: Any) -> list[Any]:
        """Every row the statement gives."""
        return list(self.each(sql, **params))

    def later(self, sql: str, /, **params: Any) -> None:
        """A change nobody reads the answer of, run at the end of the write
        transaction, before its commit, in order with the others (`end_write`): on
        PostgreSQL in the round trip that ends it. The row locks it takes are held for
        that round trip alone (a task everyone logs time on: each writer waits for its
        row). A transaction's own reads do not see it."""
        info: dict[str, Any] = self.info  # type: ignore[attr-defined]
        info.setdefault(LATER, []).append((sql, params))

    def batch(self, *statements: tuple[str, dict[str, Any]]) -> list[list[Any]]:
        """The rows of several reads that do not depend on each other, in order.

        On PostgreSQL they go to the server together (psycopg's pipeline mode) and come
        back together: one round trip instead of one each (a week read: seven), which
        is most of what the server spends on a read it has not kept. SQLite runs them
        one after another (no round trips to save)."""
        if self.dialect == "sqlite":
            return [self.rows(sql, **params) for sql, params in statements]
        cursors = []
        try:
            with self._connection().pipeline():
                for sql, params in statements:
                    cursors.append(self._cursor(sql, dict(params)))
            return [list(self._read(cursor)) for cursor in cursors]
        except Exception as error:  # raised at the pipeline's end, not by `_cursor`
            translated = self._driver_error(error, statements[len(cursors) - 1][0])
            if translated is error:
                raise
            raise translated from error
        finally:
            for cursor in cursors:
                cursor.close()

    def _driver_error(self, error: Exception, sql: str) -> Exception:
        """A driver's error as this transaction's `_cursor` raises it (unchanged here)."""
        return error

    def each(self, sql: str, /, **params: Any) -> Iterator[Any]:
        """The rows the statement gives, read from the driver a few hundred at a time:
        a caller that keeps something smaller than each row (a board of 100,000 cards)
        never holds every row at once. Read them all before the transaction ends."""
        cursor = self._cursor(sql, params)
        try:
            yield from self._read(cursor)
        finally:
            cursor.close()

    def _read(self, cursor: Any) -> Iterator[Any]:
        """A statement's rows from its cursor, as `each` gives them."""
        names = _names(cursor)
        if names is None:
            return
        make, pairs = _readers(names, self.dialect == "sqlite")
        while found := cursor.fetchmany(ROWS_AT_ONCE):
            if not pairs:
                yield from map(make._make, found)
                continue
            for r in found:
                values = list(r)
                for i, fn in pairs:
                    if values[i] is not None:
                        values[i] = fn(values[i])
                yield make._make(values)

    def columns(self, sql: str, /, **params: Any) -> dict[str, tuple[Any, ...]]:
        """Every row the statement gives, column by column (by name), converted as
        `rows` converts them: many rows into a few tuples, no object per row."""
        cursor = self._cursor(sql, params)
        try:
            names = _names(cursor) or ()
            _, pairs = _readers(names, self.dialect == "sqlite")
            found: list[list[Any]] = [[] for _ in names]
            while rows := cursor.fetchmany(ROWS_AT_ONCE):
                for values, into in zip(zip(*rows, strict=True), found, strict=True):
                    into.extend(values)
        finally:
            cursor.close()
        for i, fn in pairs:
            found[i] = _over(fn)(found[i])
        return {name: tuple(values) for name, values in zip(names, found, strict=True)}

    def row(self, sql: str, /, **params: Any) -> Any | None:
        """The first row, or None."""
        found = self.rows(sql, **params)
        return found[0] if found else None

    def value(self, sql: str, /, **params: Any) -> Any:
        """The first column of the first row, or None."""
        found = self.rows(sql, **params)
        return found[0][0] if found else None

    def column(self, sql: str, /, **params: Any) -> list[Any]:
        """The first column of every row."""
        return [r[0] for r in self.rows(sql, **params)]

    def run(self, sql: str, /, **params: Any) -> int:
        """A statement that changes rows; how many it changed."""
        cursor = self._cursor(sql, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def insert(self, table: str, /, *, returning: str | None = "id", **values: Any) -> Any:
        """Insert one row; the value of its `returning` column (its generated id), or
        None for a table without one."""
        names = ", ".join(values)
        marks = ", ".join(f":{n}" for n in values)
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        if returning is None:
            self.run(sql, **values)
            return None
        return self.value(f"{sql} RETURNING {returning}", **values)

    def insert_many(self, table: str, rows: list[dict[str, Any]], /) -> None:
        """Insert rows that all have the same columns, in one statement run for each
        (the driver's `executemany`): what storing a big import costs least with."""
        if not rows:
            return
        names = list(rows[0])
        sql = (
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(f':{n}' for n in names)})"
        )
        sqlite = self.dialect == "sqlite"
        convert = _sqlite_value if sqlite else _server_value
        text = sql if sqlite else _statement(sql, (), True)
        self._execute_many(text, [{n: convert(row[n]) for n in names} for row in rows])

    def _execute_many(self, text: str, params: list[dict[str, Any]]) -> None:
        cursor = self._connection().cursor()
        try:
            cursor.executemany(text, params)
        finally:
            cursor.close()

    def update(self, table: str, row_id: int, /, *, later: bool = False, **values: Any) -> None:
        """Set columns of the row with this id (`later`: at the end of the write, as
        `later` runs it)."""
        sets = ", ".join(f"{n} = :{n}" for n in values)
        change = self.later if later else self.run
        change(f"UPDATE {table} SET {sets} WHERE id = :id__", id__=row_id, **values)


def _names(cursor: Any) -> tuple[str, ...] | None:
    """The names of a statement's columns; None for a statement that gives no rows.
    From psycopg's result itself: its `description` makes an object per column at
    every look, a tenth of a short read's time."""
    result = getattr(cursor, "pgresult", None)
    if result is None:
        description = cursor.description
        return None if description is None else tuple(d[0] for d in description)
    if not result.nfields:
        return None
    return tuple(result.fname(i).decode() for i in range(result.nfields))


def end_write(tx: Sql, info: dict[str, Any]) -> None:
    """What every write transaction runs last, before its commit.

    The statements held back for the end (`Sql.later`), then the change feed's rows it
    made (`FEED`), on PostgreSQL under the feed's lock: taken
    this late, the lock is held for one round trip, not for the rest of the write (it
    serialises every writer of the store). A person's request id already in the feed
    (a twin request committed meanwhile) is `AlreadyApplied`.

    A transaction that says so (`COMMIT_LAST`) is committed in that same round trip.

    Then the store's epoch moves on unless the transaction changed timesheet cells alone
    (`CELLS_ONLY`), rows no read shows (`UNSEEN_ONLY`), or nothing at all ("nothing
    changed" holds), so a server's read cache knows which of its answers the commit may
    have changed. Whether anything changed is the store's word, not the code's: SQLite's
    count of rows changed on the connection, PostgreSQL's transaction id. On PostgreSQL
    all of it is one round trip (`Sql.batch`)."""
    later: list[tuple[str, dict[str, Any]]] = info.pop(LATER, [])
    feed: list[dict[str, Any]] = info.pop(FEED, [])
    bump = not (info.get(CELLS_ONLY) or info.get(UNSEEN_ONLY))
    try:
        if tx.dialect != "sqlite":
            statements = [*later, (FEED_LOCK_AND_NOTIFY, {})] if feed else later
            if len(feed) > FEED_AT_ONCE:
                tx.batch(*statements)
                tx.insert_many("changes", feed)
                statements = []
            else:
                statements += [(FEED_INSERT, row) for row in feed]
            statements += [(EPOCH_BUMP_IF_WRITTEN, {})] if bump else []
            if statements and info.get(COMMIT_LAST):
                # The commit in the same round trip: the feed's lock is let go as soon
                # as PostgreSQL has run it, not a round trip later.
                statements.append(("COMMIT", {}))
                info[COMMITTED] = True
            if statements:
                tx.batch(*statements)
            return
        for sql, params in later:
            tx.run(sql, **params)
        tx.insert_many("changes", feed)
        before = info.get(CHANGES_AT_BEGIN)
        if bump and (before is None or tx._connection().total_changes != before):
            tx.run(EPOCH_BUMP)
    except Exception as error:
        if _refused_by(error, REQUEST_INDEX):
            from tui_board.core.errors import AlreadyApplied

            raise AlreadyApplied("this request was applied already") from None
        raise


def _refused_by(error: BaseException, index: str) -> bool:
    """Whether a driver's error (or SQLAlchemy's wrapping of one) is a unique index's
    refusal: PostgreSQL names the index; SQLite names its columns."""
    cause = getattr(error, "orig", None) or error
    diag = getattr(cause, "diag", None)
    if diag is not None:
        return getattr(diag, "constraint_name", None) == index
    return "UNIQUE constraint failed: changes.user_id, changes.request_id" in str(cause)


def begin_write(conn: Any, info: dict[str, Any]) -> None:
    """Note where a SQLite write transaction begins (`end_write`); `conn` is the
    `sqlite3` connection, just after its BEGIN IMMEDIATE."""
    info[CHANGES_AT_BEGIN] = conn.total_changes
