"""What every part of the service layer shares: the actor, lookups, records, changes.

The service layer speaks plain SQL (`tui_board.store.sql`) wherever it has been moved
off the ORM, which is everything `tui-board log`, `week`, `remind` and `timer` touch,
and what the app reads to draw its board (`reads.py`): those parts import no SQLAlchemy,
and run on a `sqlite3` connection of their own (`store.file`) or on the session's
connection (`store.database`). The ORM's own helpers, for the parts still on it, are in
`orm.py`.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from functools import lru_cache
from sys import intern
from typing import Any, cast

from tui_board.backend import full_name
from tui_board.backend.local import prepared
from tui_board.core.clock import Clock, local_today, system_clock
from tui_board.core.errors import AlreadyApplied, Conflict, Forbidden, Invalid, NotFound
from tui_board.core.models import (
    DEFAULT_CAPACITY,
    DEFAULT_WORK_DAYS,
    Column,
    ColumnCards,
    ColumnKind,
    Priority,
    Project,
    Role,
    Task,
    User,
)
from tui_board.core.permissions import Actor, can_see_person, require
from tui_board.core.text import check_text as refuse_controls
from tui_board.store.sql import CELLS_ONLY, FEED, UNSEEN_ONLY
from tui_board.store.sql import Sql as Tx

RANK_STEP = 1024.0
#: The last position a card can be asked for in a column (past its cards: the bottom);
#: as the team server takes it (a 32-bit integer).
MAX_POSITION = 2**31 - 1

#: A task's row by its key, with its project's key as `project_key`.
TASK_BY_KEY = (
    "SELECT t.*, p.key AS project_key FROM tasks t"
    " JOIN projects p ON p.id = t.project_id WHERE p.key = :project AND t.number = :number"
)


#: A login: what `tui-board user add` takes and every command names a person by.
LOGIN_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}")


class ServiceBase:
    """The state and helpers of `LocalBackend`; its parts are mixins of this class."""

    def __init__(
        self,
        database: Any,
        login: str,
        *,
        clock: Clock = system_clock,
        actor: Actor | None = None,
        request_id: str | None = None,
        request_hash: str | None = None,
    ) -> None:
        self.db = database
        self.login = login
        self.clock = clock
        #: Who is asking, when the caller has just established it (the server's token
        #: check does): saves looking the person up again on every call.
        self._known_actor = actor
        #: The client's id for the write this backend makes (an `Idempotency-Key`).
        self.request_id = request_id
        #: What that write asks for, hashed (the server's `request_fingerprint`).
        self.request_hash = request_hash
        self.description = _described(database.path, getattr(database, "engine", None))
        #: The store cannot be written by this process (every write is refused).
        self.read_only = database.read_only
        if database.read_only and database.path is not None:
            from tui_board.store.sqlite_file import read_only_message

            self.description = read_only_message(database.path)

    def close(self) -> None:
        self.db.close()

    # --- time -------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.clock()

    def _today(self) -> date:
        return local_today(self.clock)

    # --- who is asking ------------------------------------------------------------------

    def _actor(self, s: Tx, *, replay: bool = True) -> Actor:
        """Who is asking; every operation starts here, so a replayed write stops here
        (unless `replay` is False: the caller checks `prepared.REQUEST_APPLIED`)."""
        actor = self._known_actor or self._find_actor(s)
        if replay and self.request_id is not None:
            self._check_not_applied(s, actor)
        return actor

    def _find_actor(self, s: Tx) -> Actor:
        found = s.row(prepared.ACTOR_BY_LOGIN, login=self.login)
        if found is None:
            raise Forbidden(
                f"{self.login!r} is not a user of this board; ask an admin to run "
                f"`tui-board user add {self.login}`"
            )
        if not found.active:
            raise Forbidden(f"the account {self.login!r} is deactivated")
        return self._actor_from(s, found.id, found.login, found.role, found.team)

    def _actor_from(self, s: Tx, user_id: int, login: str, role: str, team: str | None) -> Actor:
        led = set(s.column(prepared.TEAMS_LED, user_id=user_id))
        if role == "lead" and team:
            led.add(team)
        return Actor(user_id, login, cast(Role, role), team, frozenset(led))

    def authenticate(self, token: str) -> Actor:
        """Who holds this API token, resolved in one statement (the server asks it
        for a request unless it asked for the same token at the same store epoch: see
        `server/cache.py`); Forbidden when unknown, revoked or the user is inactive."""
        with self.db.read() as s:
            found = s.rows(prepared.ACTOR_BY_TOKEN, token_hash=hash_token(token))
        if not found:
            raise Forbidden("unknown API token")
        first = found[0]
        if first.revoked:
            raise Forbidden("this API token was revoked")
        if not first.active:
            raise Forbidden(f"the account {first.login!r} is deactivated")
        led = {r.led for r in found if r.led is not None}
        if first.role == "lead" and first.team:
            led.add(first.team)
        return Actor(first.id, first.login, cast(Role, first.role), first.team, frozenset(led))

    def _check_not_applied(self, s: Tx, actor: Actor | None) -> None:
        """A write with a key this person used before was applied then: stop. A key is
        the sender's own: another person's write with the same key is theirs to make."""
        user_id = actor.user_id if actor else None
        seen = s.row(prepared.REQUEST_APPLIED, request_id=self.request_id, user_id=user_id)
        if seen is not None:
            self._replayed(seen)

    def _replayed(self, seen: Any) -> None:
        """This person's key was used before (`seen`: its row of `REQUEST_APPLIED`): the
        same request sent again is a replay; another request under it is refused (it
        was answered as a replay and dropped)."""
        if (
            seen.request_hash is not None
            and self.request_hash is not None
            and seen.request_hash != self.request_hash
        ):
            raise Invalid(
                f"the Idempotency-Key {self.request_id} was used for another request; "
                "send a new key with a new request"
            )
        raise AlreadyApplied(f"request {self.request_id} was applied as change {seen.seq}")

    def me(self) -> User:
        with self.db.read() as s:
            known = s.value("SELECT id FROM users WHERE login = :login", login=self.login)
            if known is not None:
                return self._user_record(s, self._user_at_id(s, self._actor(s).user_id))
        with self.db.write() as s:
            return self._user_record(s, self._bootstrap_admin(s))

    def _bootstrap_admin(self, s: Tx) -> Any:
        """The first person to open a database with no users becomes its admin
        (that is what `tui-board init` does); anyone else must be added by an admin."""
        if s.value("SELECT count(*) FROM users") > 0:
            raise Forbidden(
                f"{self.login!r} is not a user of this board; ask an admin to run "
                f"`tui-board user add {self.login}`"
            )
        login = check_login(self.login)
        user_id = self._insert_user(s, login, full_name(login), role="admin")
        admin = Actor(user_id, login, "admin")
        self._record(s, admin, "user", login, "create", {"role": "admin"})
        return self._user_at_id(s, user_id)

    def _insert_user(
        self,
        s: Tx,
        login: str,
        name: str,
        *,
        role: str = "member",
        email: str = "",
        team_id: int | None = None,
        capacity: int = DEFAULT_CAPACITY,
        work_days: str = ",".join(map(str, DEFAULT_WORK_DAYS)),
    ) -> int:
        return int(
            s.insert(
                "users",
                login=login,
                name=name,
                email=email,
                role=role,
                team_id=team_id,
                capacity=capacity,
                work_days=work_days,
                active=True,
                version=1,
                created=self._now(),
            )
        )

    # --- lookups by natural key -----------------------------------------------------------

    # A name that holds a control character names nothing that is stored: refused as
    # such (naming the field), so that no error message echoes it either.

    def _user_at(self, s: Tx, login: str, what: str = "a login") -> Any:
        """The `users` row of a login."""
        refuse_controls(login, what)
        row = s.row("SELECT * FROM users WHERE login = :login", login=login)
        if row is None:
            raise NotFound(f"no user {login!r}")
        return row

    @staticmethod
    def _user_at_id(s: Tx, user_id: int) -> Any:
        row = s.row("SELECT * FROM users WHERE id = :id", id=user_id)
        assert row is not None, f"user {user_id} is gone"
        return row

    def _visible_user_at(self, s: Tx, actor: Actor, login: str | None) -> Any:
        """The named person's row (mine when None), if the actor may see their data."""
        if login is None or login == actor.login:
            return self._user_at_id(s, actor.user_id)
        row = self._user_at(s, login)
        require(
            can_see_person(actor, row.login, self._team_name(s, row.team_id)),
            f"you may not see {login}'s time",
        )
        return row

    @staticmethod
    def _team_name(s: Tx, team_id: int | None) -> str | None:
        if team_id is None:
            return None
        return cast("str | None", s.value("SELECT name FROM teams WHERE id = :id", id=team_id))

    def _project_id(self, s: Tx, key: str) -> int:
        return int(self._project_at(s, key).id)

    def _project_at(self, s: Tx, key: str) -> Any:
        """The id and stored key of the project a key names."""
        refuse_controls(key, "a project key")
        found = s.row("SELECT id, key FROM projects WHERE key = :key", key=key.upper())
        if found is None:
            raise NotFound(f"no project {key!r}")
        return found

    def _task_at(self, s: Tx, key: str, *, lock: bool = False) -> Any:
        """The `tasks` row a key names, with its project's key as `project_key`; locked
        for update (on PostgreSQL) when its row is about to change."""
        project_key, number = parse_task_key(key)
        sql = TASK_BY_KEY
        if lock and not self.db.is_sqlite:
            sql += " FOR UPDATE OF t"  # not the project's row
        row = s.row(sql, project=project_key, number=number)
        if row is None:
            raise NotFound(f"no task {key.upper()}")
        return row

    def _task_at_id(self, s: Tx, task_id: int, *, lock: bool = False) -> Any:
        sql = (
            "SELECT t.*, p.key AS project_key FROM tasks t"
            " JOIN projects p ON p.id = t.project_id WHERE t.id = :id"
        )
        if lock and not self.db.is_sqlite:
            sql += " FOR UPDATE OF t"
        row = s.row(sql, id=task_id)
        assert row is not None, f"task {task_id} is gone"
        return row

    def _lock_user(self, s: Tx, user_id: int) -> None:
        """Serialise writes to one person's time on PostgreSQL (SQLite's BEGIN
        IMMEDIATE already serialises every write)."""
        if not self.db.is_sqlite:
            s.value("SELECT id FROM users WHERE id = :id FOR UPDATE", id=user_id)

    # --- records -----------------------------------------------------------------------

    def _user_record(self, s: Tx, row: Any) -> User:
        """A person from a `users` row (plain or ORM)."""
        return self._user_record_of(row, self._team_name(s, row.team_id))

    @staticmethod
    def _user_record_of(row: Any, team: str | None) -> User:
        """A person from a `users` row and the name of their team."""
        assert row.id is not None
        return User(
            id=row.id,
            login=row.login,
            name=row.name,
            email=row.email,
            role=cast(Role, row.role),
            team=team,
            capacity=row.capacity,
            work_days=parse_work_days(row.work_days),
            active=bool(row.active),
            version=row.version,
        )

    @staticmethod
    def _task_record(s: Tx, row: Any) -> Task:
        """A card from its `tasks` row (plain or ORM): its project's key, its column's
        name and its assignee's login read by the ids the row holds."""
        names = s.row(
            "SELECT p.key, c.name, u.login, m.name AS milestone FROM projects p"
            " JOIN board_columns c ON c.id = :column_id"
            " LEFT JOIN users u ON u.id = :assignee_id"
            " LEFT JOIN milestones m ON m.id = :milestone_id WHERE p.id = :project_id",
            project_id=row.project_id,
            column_id=row.column_id,
            assignee_id=row.assignee_id,
            milestone_id=row.milestone_id,
        )
        assert names is not None, f"task {row.id} has no project or column"
        return task_record(row, names.key, names.name, names.login, names.milestone)

    @staticmethod
    def _project_record(row: Any, customer: str | None) -> Project:
        assert row.id is not None
        return Project(
            row.id, row.key, row.name, customer, bool(row.archived), row.version, row.deadline
        )

    # --- writes ---------------------------------------------------------------------------

    @staticmethod
    def _cells_only(s: Tx) -> None:
        """Say that this transaction changed timesheet cells alone (each recorded in
        the feed with its person and day): it leaves the store's epoch where it was, so
        a server's kept answers about other people's weeks stay (`store.sql.end_write`).
        Said by the operations that write nothing else, once they have written."""
        info = cast("dict[str, Any]", s.info)  # type: ignore[attr-defined]
        info[CELLS_ONLY] = True

    @staticmethod
    def _unseen_only(s: Tx) -> None:
        """Say that this transaction changed only rows no read answers with (an
        import's staged parts and its record of rows imported): it leaves the store's
        epoch, and a server's kept answers, as they were."""
        info = cast("dict[str, Any]", s.info)  # type: ignore[attr-defined]
        info[UNSEEN_ONLY] = True

    def _record(
        self,
        s: Tx,
        actor: Actor | None,
        entity: str,
        entity_id: str,
        action: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Append to the change feed in the writer's transaction: the rows are
        written when it ends, last before its commit (`store.sql.end_write`), where on
        PostgreSQL an advisory lock held to commit keeps sequence numbers in commit
        order (a reader of "changes since N" never skips one that commits late) and a
        NOTIFY on `CHANGES_CHANNEL`, delivered at commit, wakes the servers' long polls
        (`server/feed.py`). A write's `Idempotency-Key` goes with its first change: a
        twin request that committed meanwhile makes the store refuse it (a unique
        index), and the write is rolled back as already applied."""
        request_id = request_hash = None
        info = cast("dict[str, Any]", s.info)  # type: ignore[attr-defined]
        if self.request_id is not None and not info.get("request_id_recorded"):
            info["request_id_recorded"] = request_id = self.request_id
            request_hash = self.request_hash
        info.setdefault(FEED, []).append(
            {
                "time": self._now(),
                "user_id": actor.user_id if actor else None,
                "entity": entity,
                "entity_id": entity_id,
                "action": action,
                "data": json.dumps(data or {}, default=str, sort_keys=True),
                "request_id": request_id,
                "request_hash": request_hash,
            }
        )

    @staticmethod
    def _check_version(row: Any, version: int, what: str, current: Any = None) -> None:
        if row.version != version:
            raise Conflict(
                f"{what} was changed by someone else (version {row.version}, you had "
                f"{version}); reload and try again",
                current=current,
            )


# --- small pure helpers -------------------------------------------------------------------


def hash_token(token: str) -> str:
    """What the store keeps of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def task_record(
    row: Any, project: str, column: str, assignee: str | None, milestone: str | None = None
) -> Task:
    """A card from its `tasks` row (plain or ORM) and the names its ids stand for.

    The texts many cards share (project key, column, login, priority, tags) are shared,
    not copied per card: a board reads 100,000 of them."""
    assert row.id is not None
    project = intern(project)
    return Task(
        row.id,
        f"{project}-{row.number}",
        project,
        row.number,
        row.title,
        row.column_id,
        intern(column),
        row.rank,
        row.description,
        intern(assignee) if assignee is not None else None,
        row.estimate,
        row.due,
        cast(Priority, intern(row.priority)),
        parse_tags(row.tags),
        bool(row.archived),
        row.logged,
        row.created,
        row.version,
        row.start,
        intern(milestone) if milestone is not None else None,
    )


def column_cards_record(
    project: str, column_id: int, column: str, fields: dict[str, tuple[Any, ...]]
) -> ColumnCards:
    """A column's cards from its rows read column by column (`reads.COLUMN_CARDS`),
    as `task_record` makes each. (Whoever keeps them shares the texts they have in
    common: the board does.)"""
    return ColumnCards(
        project,
        column_id,
        column,
        fields["id"],
        fields["number"],
        fields["title"],
        fields["rank"],
        fields["description"],
        fields["assignee"],
        fields["estimate"],
        fields["due"],
        fields["priority"],
        tuple(map(parse_tags, fields["tags"])),
        fields["logged"],
        fields["created"],
        fields["version"],
        fields["start"],
        fields["milestone"],
    )


@lru_cache(maxsize=4096)
def parse_tags(text: str) -> tuple[str, ...]:
    """A card's tags as the store holds them (`ux bug`), as a tuple shared by the
    cards that have the same."""
    return tuple(intern(tag) for tag in text.split())


def column_record(row: Any, project: str) -> Column:
    """A column from its `board_columns` row (plain or ORM) and its project's key."""
    assert row.id is not None
    return Column(
        id=row.id,
        project=project,
        name=row.name,
        position=row.position,
        kind=check_column_kind(row.kind),
        wip_limit=row.wip_limit,
        version=row.version,
    )


def check_window(offset: int, limit: int | None, what: str) -> None:
    """A page asked for (of cards, of people): it starts at 0 and holds 0 or more."""
    if offset < 0 or (limit is not None and limit < 0):
        raise Invalid(f"a page of {what} starts at 0 and holds 0 or more")


def parse_task_key(key: str) -> tuple[str, int]:
    refuse_controls(key, "a task key")
    project, _, number = key.strip().upper().rpartition("-")
    if not project or not number.isdigit() or not number.isascii():
        raise Invalid(f"{key!r} is not a task key; task keys look like WEB-12")
    if len(number) > 9:  # the store's integers; a longer number names no task
        raise NotFound(f"no task {key.strip().upper()}")
    return project, int(number)


def canonical_task_key(key: str) -> str:
    """`web-012 ` as the store names it: `WEB-12` (what the change feed records)."""
    project, number = parse_task_key(key)
    return f"{project}-{number}"


def parse_work_days(text: str) -> tuple[int, ...]:
    return tuple(int(d) for d in text.split(",") if d.strip())


def check_column_kind(kind: str) -> ColumnKind:
    if kind not in ("open", "active", "done"):
        raise Invalid(f"a column's kind is open, active or done, not {kind!r}")
    return cast(ColumnKind, kind)


def check_text(
    value: str,
    what: str,
    *,
    limit: int = 200,
    multiline: bool = False,
    required: bool = True,
) -> str:
    """Text a person stores, for everyone else to see: it keeps to the rule of
    `core.text` (no control or bidi-override character; newlines and tabs only in a
    `multiline` field), loses its surrounding blanks, is at most `limit` characters
    and, when `required`, not empty. Every stored text goes through here."""
    value = refuse_controls(value, what, multiline=multiline).strip()
    if required and not value:
        raise Invalid(f"{what} cannot be empty")
    if len(value) > limit:
        raise Invalid(f"{what} is too long ({len(value)} characters, at most {limit})")
    return value


def check_login(login: str, what: str = "a login") -> str:
    """A login as stored: ASCII letters, digits and `_ . @ -`, at most 64."""
    login = refuse_controls(login, what).strip()
    if not LOGIN_PATTERN.fullmatch(login):
        raise Invalid(f"{login!r} is not a valid login (letters, digits and _ . @ -, at most 64)")
    return login


@lru_cache(maxsize=16)
def _described(path: Any, engine: Any) -> str:
    """Where a store is, for a backend's `description` (worked out once: the server
    makes a backend for every request)."""
    return f"local: {path if path else engine.url.render_as_string()}"
