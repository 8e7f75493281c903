"""What every part of the service layer shares: the actor, lookups, records, changes."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import func
from sqlmodel import Session, col, select

from tui_board.backend import full_name
from tui_board.backend.local import prepared
from tui_board.core.clock import Clock, local_today, system_clock
from tui_board.core.errors import AlreadyApplied, Conflict, Forbidden, Invalid, NotFound
from tui_board.core.models import (
    ColumnKind,
    Priority,
    Project,
    Role,
    Task,
    User,
)
from tui_board.core.permissions import Actor, can_see_person, require
from tui_board.core.text import check_text as refuse_controls
from tui_board.store.database import Database
from tui_board.store.tables import (
    ChangeRow,
    ColumnRow,
    ProjectRow,
    TaskRow,
    TeamRow,
    UserRow,
)

RANK_STEP = 1024.0

#: A login: what `tui-board user add` takes and every command names a person by.
LOGIN_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}")


class ServiceBase:
    """The state and helpers of `LocalBackend`; its parts are mixins of this class."""

    def __init__(
        self,
        database: Database,
        login: str,
        *,
        clock: Clock = system_clock,
        actor: Actor | None = None,
        request_id: str | None = None,
    ) -> None:
        self.db = database
        self.login = login
        self.clock = clock
        #: Who is asking, when the caller has just established it (the server's token
        #: check does): saves looking the person up again on every call.
        self._known_actor = actor
        #: The client's id for the write this backend makes (an `Idempotency-Key`).
        self.request_id = request_id
        where = str(database.path) if database.path else database.engine.url.render_as_string()
        self.description = f"local: {where}"
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

    def _actor(self, s: Session) -> Actor:
        """Who is asking; every operation starts here, so a replayed write stops here."""
        actor = self._known_actor or self._find_actor(s)
        if self.request_id is not None:
            self._check_not_applied(s, actor)
        return actor

    def _find_actor(self, s: Session) -> Actor:
        found = s.connection().execute(prepared.ACTOR_BY_LOGIN, {"login": self.login}).first()
        if found is None:
            raise Forbidden(
                f"{self.login!r} is not a user of this board; ask an admin to run "
                f"`tui-board user add {self.login}`"
            )
        if not found.active:
            raise Forbidden(f"the account {self.login!r} is deactivated")
        return self._actor_from(s, found.id, found.login, found.role, found.team)

    def _actor_from(
        self, s: Session, user_id: int, login: str, role: str, team: str | None
    ) -> Actor:
        led = set(s.connection().execute(prepared.TEAMS_LED, {"user_id": user_id}).scalars())
        if role == "lead" and team:
            led.add(team)
        return Actor(user_id, login, cast(Role, role), team, frozenset(led))

    def _check_not_applied(self, s: Session, actor: Actor | None) -> None:
        """A write with a key this person used before was applied then: stop. A key is
        the sender's own: another person's write with the same key is theirs to make."""
        user_id = actor.user_id if actor else None
        params = {"request_id": self.request_id, "user_id": user_id}
        seen = s.connection().execute(prepared.REQUEST_APPLIED, params).scalar()
        if seen is not None:
            raise AlreadyApplied(f"request {self.request_id} was applied as change {seen}")

    def _bootstrap_admin(self, s: Session) -> UserRow:
        """The first person to open a database with no users becomes its admin
        (that is what `tui-board init` does); anyone else must be added by an admin."""
        if s.exec(select(func.count()).select_from(UserRow)).one() > 0:
            raise Forbidden(
                f"{self.login!r} is not a user of this board; ask an admin to run "
                f"`tui-board user add {self.login}`"
            )
        login = check_login(self.login)
        row = UserRow(login=login, name=full_name(login), role="admin", created=self._now())
        s.add(row)
        s.flush()
        assert row.id is not None
        admin = Actor(row.id, row.login, "admin")
        self._record(s, admin, "user", login, "create", {"role": "admin"})
        return row

    # --- lookups by natural key -----------------------------------------------------------

    # A name that holds a control character names nothing that is stored: refused as
    # such (naming the field), so that no error message echoes it either.

    def _user_row(self, s: Session, login: str, what: str = "a login") -> UserRow:
        refuse_controls(login, what)
        row = s.exec(select(UserRow).where(UserRow.login == login)).first()
        if row is None:
            raise NotFound(f"no user {login!r}")
        return row

    def _visible_user_row(self, s: Session, actor: Actor, login: str | None) -> UserRow:
        """The named person (me when None), if the actor may see their data."""
        if login is None or login == actor.login:
            return cast(UserRow, s.get(UserRow, actor.user_id))
        row = self._user_row(s, login)
        require(
            can_see_person(actor, row.login, self._team_name(s, row.team_id)),
            f"you may not see {login}'s time",
        )
        return row

    def _team_name(self, s: Session, team_id: int | None) -> str | None:
        if team_id is None:
            return None
        team = s.get(TeamRow, team_id)
        return team.name if team else None

    def _team_row(self, s: Session, name: str, what: str = "a team") -> TeamRow:
        refuse_controls(name, what)
        row = s.exec(select(TeamRow).where(TeamRow.name == name)).first()
        if row is None:
            raise NotFound(f"no team {name!r}")
        return row

    def _project_row(self, s: Session, key: str, *, lock: bool = False) -> ProjectRow:
        refuse_controls(key, "a project key")
        query = select(ProjectRow).where(ProjectRow.key == key.upper())
        if lock:
            query = query.with_for_update()
        row = s.exec(query).first()
        if row is None:
            raise NotFound(f"no project {key!r}")
        return row

    def _task_row(self, s: Session, key: str, *, lock: bool = False) -> TaskRow:
        project_key, number = parse_task_key(key)
        query = (
            select(TaskRow)
            .join(ProjectRow, col(ProjectRow.id) == TaskRow.project_id)
            .where(ProjectRow.key == project_key, TaskRow.number == number)
        )
        if lock:
            query = query.with_for_update(of=TaskRow)  # not the project's row
        row = s.exec(query).first()
        if row is None:
            raise NotFound(f"no task {key.upper()}")
        return row

    def _lock_user(self, s: Session, user_id: int) -> None:
        """Serialise writes to one person's time on PostgreSQL (SQLite's BEGIN
        IMMEDIATE already serialises every write)."""
        if not self.db.is_sqlite:
            s.exec(select(UserRow.id).where(UserRow.id == user_id).with_for_update()).first()

    # --- records -----------------------------------------------------------------------

    def _user_record(self, s: Session, row: UserRow) -> User:
        assert row.id is not None
        return User(
            id=row.id,
            login=row.login,
            name=row.name,
            email=row.email,
            role=cast(Role, row.role),
            team=self._team_name(s, row.team_id),
            capacity=row.capacity,
            work_days=parse_work_days(row.work_days),
            active=row.active,
            version=row.version,
        )

    def _task_record(self, s: Session, row: TaskRow) -> Task:
        project = s.get(ProjectRow, row.project_id)
        column = s.get(ColumnRow, row.column_id)
        assignee = s.get(UserRow, row.assignee_id) if row.assignee_id else None
        assert project is not None and column is not None
        return task_record(row, project.key, column.name, assignee.login if assignee else None)

    @staticmethod
    def _project_record(row: ProjectRow, customer: str | None) -> Project:
        assert row.id is not None
        return Project(row.id, row.key, row.name, customer, row.archived, row.version)

    # --- writes ---------------------------------------------------------------------------

    def _record(
        self,
        s: Session,
        actor: Actor | None,
        entity: str,
        entity_id: str,
        action: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Append to the change feed in the writer's transaction. On PostgreSQL an
        advisory lock held to commit keeps sequence numbers in commit order, so a
        reader of "changes since N" never skips one that commits late."""
        request_id = None
        if self.request_id is not None and not s.info.get("request_id_recorded"):
            if not self.db.is_sqlite:  # a twin request may have committed meanwhile
                s.exec(select(func.pg_advisory_xact_lock(7320412))).first()
                self._check_not_applied(s, actor)
            s.info["request_id_recorded"] = request_id = self.request_id
        elif not self.db.is_sqlite:
            s.exec(select(func.pg_advisory_xact_lock(7320412))).first()
        s.add(
            ChangeRow(
                time=self._now(),
                user_id=actor.user_id if actor else None,
                entity=entity,
                entity_id=entity_id,
                action=action,
                data=json.dumps(data or {}, default=str, sort_keys=True),
                request_id=request_id,
            )
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


def task_record(row: TaskRow, project: str, column: str, assignee: str | None) -> Task:
    assert row.id is not None
    return Task(
        id=row.id,
        key=f"{project}-{row.number}",
        project=project,
        number=row.number,
        title=row.title,
        column_id=row.column_id,
        column=column,
        rank=row.rank,
        description=row.description,
        assignee=assignee,
        estimate=row.estimate,
        due=row.due,
        priority=cast(Priority, row.priority),
        tags=tuple(row.tags.split()),
        archived=row.archived,
        logged=row.logged,
        created=row.created,
        version=row.version,
    )


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
