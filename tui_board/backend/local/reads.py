"""What the board reads: projects, columns, cards and their counts, people, comments,
week states and the change feed, in plain SQL.

The app draws its board (and polls the change feed every second) with these alone; as
plain SQL they run on the standard library's `sqlite3` for a local file (`file.py`),
so the app's first real frame imports no SQLAlchemy, SQLModel or pydantic. The same
code serves `LocalBackend` on the ORM session's connection (PostgreSQL, the team
server): one implementation of each read, run by the contract suite on every store.
"""

from __future__ import annotations

import json
from typing import Any

from tui_board.backend.local.base import (
    ServiceBase,
    Tx,
    check_window,
    column_cards_record,
    column_record,
    task_record,
)
from tui_board.backend.local.time import _week_state, trow_key
from tui_board.core.errors import NotFound
from tui_board.core.models import (
    Change,
    Column,
    ColumnCards,
    Comment,
    Project,
    Task,
    User,
    WeekState,
)
from tui_board.core.permissions import Actor, can_see_person

#: The changes the feed files under a task's key.
TASK_ENTITIES = ("task", "comment", "entry")

#: Changes to a person's own things: their time (entries, the timer, time off, their
#: weeks and timesheet rows) and their API tokens. Only those who may see that
#: person's time see them; to anyone else they are not in the feed at all (who did
#: what, when, is itself what is private).
PRIVATE_ENTITIES = frozenset({"entry", "time_off", "week", "week_row", "timer", "token"})
#: Changes to a person's record that are about their time (their working week, which
#: `get_schedule` shows only to those who may see their time): to anyone else the feed
#: says the record changed, without what or by whom (a project's schedule that counts on
#: that person is read again; the hours stay theirs).
PRIVATE_USER_ACTIONS = frozenset({"schedule"})

#: A card with what its record names: its project's key, its column's name, its
#: assignee's login and its milestone's name (the `tasks` columns a record holds, no
#: more: a board reads 100,000).
TASKS = (
    "SELECT t.id, t.number, t.title, t.description, t.column_id, t.rank, t.estimate,"
    " t.due, t.priority, t.tags, t.archived, t.logged, t.created, t.version, t.start,"
    " p.key AS project_key, c.name AS column_name, u.login AS assignee_login,"
    " m.name AS milestone_name"
    " FROM tasks t JOIN projects p ON p.id = t.project_id"
    " JOIN board_columns c ON c.id = t.column_id"
    " LEFT JOIN users u ON u.id = t.assignee_id"
    " LEFT JOIN milestones m ON m.id = t.milestone_id"
)

#: A board column's cards, field by field (`ColumnCards`), in the column's order.
COLUMN_CARDS = (
    "SELECT t.id, t.number, t.title, t.rank, t.description, u.login AS assignee,"
    " t.estimate, t.due, t.priority, t.tags, t.logged, t.created, t.version, t.start,"
    " m.name AS milestone"
    " FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id"
    " LEFT JOIN milestones m ON m.id = t.milestone_id"
    " WHERE t.column_id = :column_id AND t.archived = :no"
)

#: The order of a column's cards (its index: column, archived, rank).
COLUMN_ORDER = " ORDER BY t.rank, t.id"

#: Changes with the login of who made each.
CHANGES = (
    "SELECT c.seq, c.time, c.entity, c.entity_id, c.action, c.data, u.login"
    " FROM changes c LEFT JOIN users u ON u.id = c.user_id"
)


class ReadService(ServiceBase):
    # --- projects and columns -------------------------------------------------------------

    def list_projects(self, *, include_archived: bool = False) -> list[Project]:
        with self.db.read() as s:
            self._actor(s)
            sql = (
                "SELECT p.id, p.key, p.name, p.archived, p.version, p.deadline,"
                " c.name AS customer"
                " FROM projects p LEFT JOIN customers c ON c.id = p.customer_id"
            )
            if not include_archived:
                sql += " WHERE NOT p.archived"
            rows = s.rows(sql + " ORDER BY p.key")
            return [self._project_record(row, row.customer) for row in rows]

    def list_columns(self, project: str) -> list[Column]:
        with self.db.read() as s:
            self._actor(s)
            found = self._project_at(s, project)
            rows = s.rows(
                "SELECT * FROM board_columns WHERE project_id = :project_id ORDER BY position, id",
                project_id=found.id,
            )
            return [column_record(row, found.key) for row in rows]

    # --- cards ---------------------------------------------------------------------------

    def list_tasks(
        self,
        *,
        project: str | None = None,
        column_id: int | None = None,
        assignee: str | None = None,
        include_archived: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Task]:
        check_window(offset, limit, "cards")
        with self.db.read() as s:
            self._actor(s)
            where = []
            params: dict[str, Any] = {}
            if project is not None:
                where.append("p.key = :project")
                params["project"] = project.upper()
            if column_id is not None:
                where.append("t.column_id = :column_id")
                params["column_id"] = column_id
            if assignee is not None:
                where.append("u.login = :assignee")
                params["assignee"] = assignee
            if not include_archived:
                # (`= :no`, not `NOT t.archived`: the column's index holds `archived`)
                where.append("t.archived = :no")
                params["no"] = False
            sql = TASKS + (" WHERE " + " AND ".join(where) if where else "")
            # One column's cards come in the order of its index (column, archived, rank):
            # the first page of a column of 30,000 is read without sorting them all.
            sql += COLUMN_ORDER if column_id is not None else " ORDER BY c.position, t.rank, t.id"
            if limit is not None:
                sql += " LIMIT :limit"
                params["limit"] = limit
            elif offset and self.db.is_sqlite:
                sql += " LIMIT -1"  # SQLite takes no OFFSET without a LIMIT
            if offset:
                sql += " OFFSET :offset"
                params["offset"] = offset
            return [
                task_record(r, r.project_key, r.column_name, r.assignee_login, r.milestone_name)
                for r in s.each(sql, **params)
            ]

    def column_cards(
        self,
        project: str,
        column_id: int,
        *,
        after: tuple[float, int] | None = None,
        limit: int | None = None,
    ) -> ColumnCards:
        check_window(0, limit, "cards")
        with self.db.read() as s:
            self._actor(s)
            found = self._project_at(s, project)
            column = s.row(
                "SELECT id, name FROM board_columns WHERE id = :id AND project_id = :project_id",
                id=column_id,
                project_id=found.id,
            )
            if column is None:
                raise NotFound(f"no column {column_id} on the board of {found.key}")
            sql = COLUMN_CARDS
            params: dict[str, Any] = {"column_id": column_id, "no": False}
            if after is not None:
                # (rank, id) after the given: a range of the column's index
                sql += " AND t.rank >= :rank AND (t.rank > :rank OR t.id > :id)"
                params["rank"], params["id"] = after
            sql += COLUMN_ORDER
            if limit is not None:
                sql += " LIMIT :limit"
                params["limit"] = limit
            return column_cards_record(found.key, column.id, column.name, s.columns(sql, **params))

    def count_tasks(self, project: str) -> dict[int, int]:
        with self.db.read() as s:
            self._actor(s)
            # By the project's columns (a card is always in a column of its project):
            # counted in the columns' index, not read card by card.
            rows = s.rows(
                "SELECT t.column_id, count(*) AS n FROM board_columns c"
                " JOIN tasks t ON t.column_id = c.id"
                " WHERE c.project_id = :project_id AND t.archived = :no GROUP BY t.column_id",
                project_id=self._project_id(s, project),
                no=False,
            )
            return {row.column_id: int(row.n) for row in rows}

    def get_task(self, key: str) -> Task:
        with self.db.read() as s:
            self._actor(s)
            return self._task_record(s, self._task_at(s, key))

    def list_comments(self, key: str) -> list[Comment]:
        with self.db.read() as s:
            self._actor(s)
            task = self._task_at(s, key)
            task_key = trow_key(s, task)
            rows = s.rows(
                "SELECT c.id, c.body, c.time, u.login FROM comments c"
                " JOIN users u ON u.id = c.author_id WHERE c.task_id = :task_id"
                " ORDER BY c.time, c.id",
                task_id=task.id,
            )
            return [Comment(row.id or 0, task_key, row.login, row.body, row.time) for row in rows]

    # --- people ----------------------------------------------------------------------------

    def list_users(self, *, include_inactive: bool = False) -> list[User]:
        with self.db.read() as s:
            self._actor(s)
            sql = "SELECT u.*, t.name AS team FROM users u LEFT JOIN teams t ON t.id = u.team_id"
            if not include_inactive:
                sql += " WHERE u.active"
            return [
                self._user_record_of(row, row.team) for row in s.rows(sql + " ORDER BY u.login")
            ]

    # --- week states ---------------------------------------------------------------------------

    def list_week_states(
        self, *, state: str | None = None, user: str | None = None
    ) -> list[WeekState]:
        with self.db.read() as s:
            actor = self._actor(s)
            sql = (
                "SELECT s.week, s.state, s.note, s.submitted_minutes, s.version, s.first_day,"
                " s.span_first, s.span_last, r.login AS reviewer,"
                " u.login AS owner, u.team_id AS owner_team_id"
                " FROM week_states s JOIN users u ON u.id = s.user_id"
                " LEFT JOIN users r ON r.id = s.reviewer_id"
            )
            where = []
            params: dict[str, Any] = {}
            if state is not None:
                where.append("s.state = :state")
                params["state"] = state
            if user is not None:
                where.append("u.login = :user")
                params["user"] = user
            if where:
                sql += " WHERE " + " AND ".join(where)
            rows = s.rows(sql + " ORDER BY s.week, u.login", **params)
            teams: dict[int | None, str | None] = {}
            found = []
            for row in rows:
                if row.owner_team_id not in teams:
                    teams[row.owner_team_id] = self._team_name(s, row.owner_team_id)
                if can_see_person(actor, row.owner, teams[row.owner_team_id]):
                    found.append(_week_state(row.owner, row))
            return found

    # --- the change feed ------------------------------------------------------------------

    def changes_since(self, seq: int, *, limit: int = 500) -> list[Change]:
        """Up to `limit` changes after `seq` that the reader may see. Those left out do
        not count toward `limit`: a page is short only at the end of the feed."""
        with self.db.read() as s:
            actor = self._actor(s)
            visible = None if actor.is_admin else self._visible_logins(s, actor)
            changes: list[Change] = []
            while len(changes) < limit:
                rows = s.rows(
                    CHANGES + " WHERE c.seq > :seq ORDER BY c.seq LIMIT :limit",
                    seq=seq,
                    limit=limit,
                )
                for row in rows:
                    change = _as_seen(row, visible)
                    if change is not None and len(changes) < limit:
                        changes.append(change)
                if len(rows) < limit:
                    break
                seq = rows[-1].seq or 0
            return changes

    def task_history(self, key: str) -> list[Change]:
        with self.db.read() as s:
            actor = self._actor(s)
            task = self._task_at(s, key)
            task_key = trow_key(s, task)
            visible = None if actor.is_admin else self._visible_logins(s, actor)
            rows = s.rows(
                CHANGES + " WHERE c.entity IN (:entities) AND c.entity_id = :key ORDER BY c.seq",
                entities=TASK_ENTITIES,
                key=task_key,
            )
            seen = (_as_seen(row, visible) for row in rows)
            return [change for change in seen if change is not None]

    def _visible_logins(self, s: Tx, actor: Actor) -> set[str]:
        logins = {actor.login}
        if actor.leads:
            logins.update(
                s.column(
                    "SELECT u.login FROM users u JOIN teams t ON t.id = u.team_id"
                    " WHERE t.name IN (:teams)",
                    teams=sorted(actor.leads),
                )
            )
        return logins

    def last_change(self) -> int:
        with self.db.read() as s:
            return int(s.value("SELECT max(seq) FROM changes") or 0)


def _as_seen(row: Any, visible: set[str] | None) -> Change | None:
    """A change (a row of `CHANGES`) as a reader who may see the time of `visible`
    (everyone: None) sees it.

    Another person's private change is not shown, with one exception that names nobody:
    time logged on a task changes the total every card shows to everyone, so the board
    learns of it as the task's own change (action `logged`, no user, no data)."""
    try:
        data = json.loads(row.data)
    except (ValueError, TypeError):  # (a row written by hand into the shared file)
        data = {}
    if not isinstance(data, dict):
        data = {}
    if visible is not None and row.entity in PRIVATE_ENTITIES:
        owner = data.get("user") or row.entity_id.split("/")[0]
        if owner not in visible:
            if row.entity != "entry":
                return None
            return Change(row.seq or 0, row.time, None, "task", row.entity_id, "logged", {})
    if (
        visible is not None
        and row.entity == "user"
        and row.action in PRIVATE_USER_ACTIONS
        and row.entity_id not in visible
    ):
        return Change(row.seq or 0, row.time, None, row.entity, row.entity_id, row.action, {})
    return Change(row.seq or 0, row.time, row.login, row.entity, row.entity_id, row.action, data)
