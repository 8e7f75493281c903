"""Projects, their columns, and tasks (the board's cards) with their comments."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from tui_board.backend.local.base import (
    MAX_POSITION,
    RANK_STEP,
    canonical_task_key,
    check_column_kind,
    check_text,
    column_record,
    parse_task_key,
    task_record,
)
from tui_board.backend.local.orm import OrmService
from tui_board.core.errors import Invalid, NotFound
from tui_board.core.models import (
    DEFAULT_COLUMNS,
    PRIORITIES,
    ArchivedTask,
    Column,
    ColumnKind,
    ColumnPatch,
    Comment,
    Priority,
    Project,
    ProjectPatch,
    Task,
    TaskPatch,
)
from tui_board.core.permissions import Actor, can_manage_projects, require
from tui_board.core.text import check_text as refuse_controls
from tui_board.store.database import OrmTx
from tui_board.store.tables import (
    ChangeRow,
    ColumnRow,
    CommentRow,
    CustomerRow,
    ProjectRow,
    TaskRow,
    UserRow,
)

PROJECT_KEY = re.compile(r"[A-Z][A-Z0-9]{0,9}")

#: How long a card's text may be: a title is one line on a card, a description pages.
TITLE_LIMIT = 500
DESCRIPTION_LIMIT = 50_000
COMMENT_LIMIT = 10_000
#: A column's name is a column's header; the store holds 100 characters.
COLUMN_NAME_LIMIT = 100
#: All of a card's tags together (the store holds 500 characters), and one tag.
TAGS_LIMIT = 500
TAG_LIMIT = 50


class TaskService(OrmService):
    # --- projects ----------------------------------------------------------------------

    def get_project(self, key: str) -> Project:
        with self.db.read() as s:
            self._actor(s)
            row = self._project_row(s, key)
            return self._project_record(row, self._customer_name(s, row.customer_id))

    def create_project(
        self,
        key: str,
        name: str,
        *,
        customer: str | None = None,
        columns: tuple[tuple[str, ColumnKind, int | None], ...] | None = None,
    ) -> Project:
        with self.db.write() as s:
            actor = self._actor(s)
            return self._make_project(s, actor, key, name, customer=customer, columns=columns)

    def _make_project(
        self,
        s: OrmTx,
        actor: Actor,
        key: str,
        name: str,
        *,
        customer: str | None = None,
        columns: tuple[tuple[str, ColumnKind, int | None], ...] | None = None,
    ) -> Project:
        """`create_project` in the caller's transaction (an import makes projects too)."""
        key = check_project_key(key)
        name = check_text(name, "a project name")
        columns = tuple(
            (check_column_name(column), check_column_kind(kind), check_wip(limit))
            for column, kind, limit in (columns or DEFAULT_COLUMNS)
        )
        require(can_manage_projects(actor), "only a lead or an admin may add projects")
        if s.exec(select(ProjectRow.id).where(ProjectRow.key == key)).first() is not None:
            raise Invalid(f"there is already a project {key}")
        row = ProjectRow(key=key, name=name, customer_id=self._customer_id(s, customer))
        s.add(row)
        s.flush()
        assert row.id is not None
        for position, (column, kind, limit) in enumerate(columns):
            s.add(
                ColumnRow(
                    project_id=row.id,
                    name=column,
                    position=position,
                    kind=kind,
                    wip_limit=limit,
                )
            )
        self._record(s, actor, "project", key, "create", {"name": name})
        return self._project_record(row, customer)

    def update_project(self, key: str, version: int, patch: ProjectPatch) -> Project:
        changes = patch.changes()
        with self.db.write() as s:
            actor = self._actor(s)
            require(can_manage_projects(actor), "only a lead or an admin may change projects")
            row = self._project_row(s, key, lock=True)
            current = self._project_record(row, self._customer_name(s, row.customer_id))
            self._check_version(row, version, f"project {row.key}", current)
            if "name" in changes:
                row.name = check_text(changes["name"], "a project name")
            if "customer" in changes:
                row.customer_id = self._customer_id(s, changes["customer"])
            if "archived" in changes:
                row.archived = bool(changes["archived"])
            if "deadline" in changes:
                row.deadline = changes["deadline"]
            row.version += 1
            s.add(row)
            self._record(s, actor, "project", row.key, "update", changes)
            return self._project_record(row, self._customer_name(s, row.customer_id))

    def _customer_id(self, s: OrmTx, name: str | None) -> int | None:
        if not name:
            return None
        refuse_controls(name, "a customer")
        row = s.exec(select(CustomerRow).where(CustomerRow.name == name)).first()
        if row is None:
            raise NotFound(f"no customer {name!r}")
        return row.id

    def _customer_name(self, s: OrmTx, customer_id: int | None) -> str | None:
        row = s.get(CustomerRow, customer_id) if customer_id else None
        return row.name if row else None

    # --- columns -----------------------------------------------------------------------------

    def create_column(
        self, project: str, name: str, *, kind: ColumnKind = "open", wip_limit: int | None = None
    ) -> Column:
        with self.db.write() as s:
            actor = self._actor(s)
            require(can_manage_projects(actor), "only a lead or an admin may change columns")
            prow = self._project_row(s, project, lock=True)
            last = s.exec(
                select(func.max(ColumnRow.position)).where(ColumnRow.project_id == prow.id)
            ).one()
            assert prow.id is not None
            row = ColumnRow(
                project_id=prow.id,
                name=check_column_name(name),
                position=(last if last is not None else -1) + 1,
                kind=check_column_kind(kind),
                wip_limit=check_wip(wip_limit),
            )
            s.add(row)
            s.flush()
            self._record(s, actor, "column", str(row.id), "create", {"project": prow.key})
            return column_record(row, prow.key)

    def update_column(self, column_id: int, version: int, patch: ColumnPatch) -> Column:
        changes = patch.changes()
        with self.db.write() as s:
            actor = self._actor(s)
            require(can_manage_projects(actor), "only a lead or an admin may change columns")
            row = self._column_row(s, column_id)
            project = s.get(ProjectRow, row.project_id)
            assert project is not None
            self._check_version(row, version, f"column {row.name}", column_record(row, project.key))
            if "name" in changes:
                row.name = check_column_name(changes["name"])
            if "kind" in changes:
                row.kind = check_column_kind(changes["kind"])
            if "wip_limit" in changes:
                row.wip_limit = check_wip(changes["wip_limit"])
            if "position" in changes:
                row.position = int(changes["position"])
            row.version += 1
            s.add(row)
            self._record(s, actor, "column", str(column_id), "update", changes)
            return column_record(row, project.key)

    def _column_row(self, s: OrmTx, column_id: int) -> ColumnRow:
        row = s.get(ColumnRow, column_id)
        if row is None:
            raise NotFound(f"no column {column_id}")
        return row

    # --- tasks --------------------------------------------------------------------------

    def create_task(
        self,
        project: str,
        title: str,
        *,
        description: str = "",
        column_id: int | None = None,
        assignee: str | None = None,
        estimate: int | None = None,
        due: date | None = None,
        priority: Priority = "normal",
        tags: tuple[str, ...] = (),
    ) -> Task:
        with self.db.write() as s:
            actor = self._actor(s)
            return self._make_task(
                s,
                actor,
                project,
                title,
                description=description,
                column_id=column_id,
                assignee=assignee,
                estimate=estimate,
                due=due,
                priority=priority,
                tags=tags,
            )

    def _make_task(
        self,
        s: OrmTx,
        actor: Actor,
        project: str,
        title: str,
        *,
        description: str = "",
        column_id: int | None = None,
        assignee: str | None = None,
        estimate: int | None = None,
        due: date | None = None,
        priority: Priority = "normal",
        tags: tuple[str, ...] = (),
    ) -> Task:
        """`create_task` in the caller's transaction (an import makes tasks too)."""
        title = check_text(title, "a title", limit=TITLE_LIMIT)
        description = check_description(description)
        stored_tags = format_tags(tags)
        check_priority(priority)
        check_estimate(estimate)
        prow = self._project_row(s, project, lock=True)
        if prow.archived:
            raise Invalid(f"project {prow.key} is archived")
        assert prow.id is not None
        if column_id is None:
            first = s.exec(
                select(ColumnRow)
                .where(ColumnRow.project_id == prow.id)
                .order_by(col(ColumnRow.position))
            ).first()
            if first is None:
                raise Invalid(f"project {prow.key} has no columns")
            column = first
        else:
            column = self._column_row(s, column_id)
            if column.project_id != prow.id:
                raise Invalid(f"column {column.name!r} is not in project {prow.key}")
        assert column.id is not None
        self._lock_column(s, column.id)
        now = self._now()
        row = TaskRow(
            project_id=prow.id,
            number=prow.next_number,
            title=title,
            description=description,
            column_id=column.id,
            rank=self._rank_at(s, column.id, None, None),
            assignee_id=self._assignee_id(s, assignee),
            estimate=estimate,
            due=due,
            priority=priority,
            tags=stored_tags,
            created=now,
            updated=now,
        )
        prow.next_number += 1
        s.add(prow)
        s.add(row)
        s.flush()
        key = f"{prow.key}-{row.number}"
        self._record(s, actor, "task", key, "create", {"column": column.name, "title": title})
        return task_record(row, prow.key, column.name, assignee)

    def update_task(self, key: str, version: int, patch: TaskPatch) -> Task:
        changes = patch.changes()
        with self.db.write() as s:
            actor = self._actor(s)
            row = self._task_row(s, key, lock=True)
            before = self._task_record(s, row)
            self._check_version(row, version, canonical_task_key(key), before)
            # What each field was, for the history's "from X to Y" (not the description:
            # long, and "description changed" says enough).
            was = {n: getattr(before, n) for n in changes if n != "description"}
            for name, value in changes.items():
                if name == "title":
                    row.title = check_text(value, "a title", limit=TITLE_LIMIT)
                elif name == "description":
                    row.description = check_description(value or "")
                elif name == "assignee":
                    row.assignee_id = self._assignee_id(s, value)
                elif name == "estimate":
                    row.estimate = check_estimate(value)
                elif name == "due":
                    row.due = value
                elif name == "start":
                    row.start = value
                elif name == "milestone":
                    row.milestone_id = self._milestone_id(s, row.project_id, value)
                elif name == "priority":
                    row.priority = check_priority(value)
                elif name == "tags":
                    row.tags = format_tags(value)
            if row.start is not None and row.due is not None and row.start > row.due:
                raise Invalid(
                    f"a task starts on or before its due date (start {row.start}, due {row.due})"
                )
            self._touch(s, actor, row, key, "update", {**changes, "was": was})
            return self._task_record(s, row)

    def move_task(self, key: str, version: int, column_id: int, index: int | None = None) -> Task:
        with self.db.write() as s:
            actor = self._actor(s)
            column = self._column_row(s, column_id)
            self._lock_column(s, column_id)  # before the card: see _lock_column
            row = self._task_row(s, key, lock=True)
            before = self._task_record(s, row)
            self._check_version(row, version, canonical_task_key(key), before)
            if column.project_id != row.project_id:
                raise Invalid(f"column {column.name!r} is on another project's board")
            if row.archived:
                raise Invalid(f"{canonical_task_key(key)} is archived: restore it first")
            row.column_id = column_id
            row.rank = self._rank_at(s, column_id, index, row.id)
            moved = {"column": column.name, "index": index, "from": before.column}
            self._touch(s, actor, row, key, "move", moved)
            return self._task_record(s, row)

    def archive_task(self, key: str, version: int, *, archived: bool = True) -> Task:
        with self.db.write() as s:
            actor = self._actor(s)
            if not archived:
                self._lock_column(s, self._task_column_id(s, key))
            row = self._task_row(s, key, lock=True)
            # (a card that moved since has a new version: the column locked is its own)
            self._check_version(row, version, canonical_task_key(key), self._task_record(s, row))
            if archived and not row.archived:
                self._check_no_timer(s, actor, row.id, canonical_task_key(key))
            if row.archived and not archived:
                # Back at the bottom of its column: its old rank may be another card's
                # by now (ranks are handed out among the cards on the board only).
                row.rank = self._rank_at(s, row.column_id, None, row.id)
            row.archived = archived
            self._touch(s, actor, row, key, "archive" if archived else "restore", {})
            return self._task_record(s, row)

    @staticmethod
    def _check_no_timer(s: Any, actor: Actor, task_id: int | None, key: str) -> None:
        """A card is not archived while a timer runs on it: its time, once stopped,
        could not go into an archived card, and was lost."""
        running = [
            r.user_id for r in s.rows("SELECT user_id FROM timers WHERE task_id = :t", t=task_id)
        ]
        if actor.user_id in running:
            raise Invalid(f"your timer runs on {key}: stop it first (its time goes into the card)")
        if running:
            raise Invalid(
                f"a timer runs on {key} (someone is working on it): archive it once it stops"
            )

    def list_archived(self, project: str) -> list[ArchivedTask]:
        with self.db.read() as s:
            self._actor(s)
            prow = self._project_row(s, project)
            rows = s.exec(
                select(TaskRow, ColumnRow.name, UserRow.login)
                .join(ColumnRow, col(ColumnRow.id) == TaskRow.column_id)
                .join(UserRow, col(UserRow.id) == TaskRow.assignee_id, isouter=True)
                .where(TaskRow.project_id == prow.id, col(TaskRow.archived).is_(True))
            ).all()
            if not rows:
                return []
            last = (
                select(func.max(ChangeRow.seq))
                .where(ChangeRow.entity == "task", ChangeRow.action == "archive")
                .where(col(ChangeRow.entity_id).startswith(f"{prow.key}-"))
                .group_by(col(ChangeRow.entity_id))
            )
            archived = {
                key: (time, login)
                for key, time, login in s.exec(
                    select(ChangeRow.entity_id, ChangeRow.time, UserRow.login)
                    .join(UserRow, col(UserRow.id) == ChangeRow.user_id, isouter=True)
                    .where(col(ChangeRow.seq).in_(last))
                )
            }
            found = []
            for row, column, assignee in rows:
                task = task_record(row, prow.key, column, assignee)
                found.append(ArchivedTask(task, *archived.get(task.key, (None, None))))
            found.sort(
                key=lambda a: (a.archived.timestamp() if a.archived else 0.0, a.task.number),
                reverse=True,
            )
            return found

    def _touch(
        self, s: OrmTx, actor: Actor, row: TaskRow, key: str, action: str, data: dict[str, Any]
    ) -> None:
        row.version += 1
        row.updated = self._now()
        s.add(row)
        self._record(s, actor, "task", canonical_task_key(key), action, data)

    def _milestone_id(self, s: OrmTx, project_id: int, name: str | None) -> int | None:
        """The id of a milestone of the project, by name (None: none)."""
        if name is None:
            return None
        refuse_controls(name, "a milestone")
        found = s.value(
            "SELECT id FROM milestones WHERE project_id = :project_id AND name = :name",
            project_id=project_id,
            name=name.strip(),
        )
        if found is None:
            raise NotFound(f"no milestone {name.strip()!r} in this project")
        return int(found)

    def _assignee_id(self, s: OrmTx, login: str | None) -> int | None:
        if not login:
            return None
        row = self._user_row(s, login, "an assignee")
        if not row.active:
            raise Invalid(f"{login} is deactivated and cannot be assigned")
        return row.id

    def _lock_column(self, s: OrmTx, column_id: int) -> None:
        """Serialise rank changes in one column on PostgreSQL, so that two cards put
        at the same place at once do not get the same rank (SQLite's BEGIN IMMEDIATE
        serialises every write). Taken before any card's row lock, always."""
        if not self.db.is_sqlite:
            s.exec(select(ColumnRow.id).where(ColumnRow.id == column_id).with_for_update()).first()

    def _task_column_id(self, s: OrmTx, key: str) -> int:
        project, number = parse_task_key(key)
        column_id = s.exec(
            select(TaskRow.column_id)
            .join(ProjectRow, col(ProjectRow.id) == TaskRow.project_id)
            .where(ProjectRow.key == project, TaskRow.number == number)
        ).first()
        if column_id is None:
            raise NotFound(f"no task {key.upper()}")
        return column_id

    def _rank_at(self, s: OrmTx, column_id: int, index: int | None, moving: int | None) -> float:
        """A rank that puts a card at `index` among the column's other cards (None:
        last). Ranks are spaced floats; when two neighbours get too close the column
        is renumbered, which happens about once in fifty inserts at the same place."""
        base = select(TaskRow.rank).where(
            TaskRow.column_id == column_id, col(TaskRow.archived).is_(False)
        )
        if moving is not None:
            base = base.where(TaskRow.id != moving)
        if index is None:
            last = s.exec(base.order_by(col(TaskRow.rank).desc()).limit(1)).first()
            return RANK_STEP if last is None else last + RANK_STEP
        if not 0 <= index <= MAX_POSITION:
            raise Invalid(f"a position in a column is 0 to {MAX_POSITION}")
        window = list(
            s.exec(
                base.order_by(col(TaskRow.rank), col(TaskRow.id)).offset(max(0, index - 1)).limit(2)
            )
        )
        if index == 0:
            return window[0] - RANK_STEP if window else RANK_STEP
        if not window:
            return self._rank_at(s, column_id, None, moving)
        if len(window) == 1:
            return window[0] + RANK_STEP
        before, after = window
        middle = (before + after) / 2
        if before < middle < after:
            return middle
        self._renumber(s, column_id, moving)
        return self._rank_at(s, column_id, index, moving)

    def _renumber(self, s: OrmTx, column_id: int, moving: int | None) -> None:
        """The column's cards (but `moving`) ranked again a step apart, in their order:
        one statement, however long the column (it loaded and wrote every card through
        the ORM: seconds for a column of 25,000)."""
        s.run(
            "UPDATE tasks SET rank = ranked.position * :step FROM ("
            " SELECT id, row_number() OVER (ORDER BY rank, id) AS position FROM tasks"
            " WHERE column_id = :column_id AND NOT archived AND id != :moving"
            ") AS ranked WHERE tasks.id = ranked.id",
            step=RANK_STEP,
            column_id=column_id,
            moving=-1 if moving is None else moving,
        )
        for held in list(s.identity_map.values()):  # what the session holds is stale
            if isinstance(held, TaskRow) and held.id != moving:
                s.expire(held, ["rank"])

    # --- comments ------------------------------------------------------------------------

    def add_comment(self, key: str, body: str) -> Comment:
        body = check_text(body, "a comment", limit=COMMENT_LIMIT, multiline=True)
        with self.db.write() as s:
            actor = self._actor(s)
            task = self._task_row(s, key)
            assert task.id is not None
            row = CommentRow(task_id=task.id, author_id=actor.user_id, body=body, time=self._now())
            s.add(row)
            s.flush()
            task_key = canonical_task_key(key)
            self._record(s, actor, "comment", task_key, "create", {"id": row.id})
            return Comment(row.id or 0, task_key, actor.login, body, row.time)


def check_wip(limit: int | None) -> int | None:
    if limit is not None and limit < 1:
        raise Invalid("a WIP limit is at least 1 (or none)")
    return limit


def check_priority(priority: str) -> str:
    if priority not in PRIORITIES:
        raise Invalid(f"a priority is one of {', '.join(PRIORITIES)}, not {priority!r}")
    return priority


def check_estimate(estimate: int | None) -> int | None:
    if estimate is not None and not 0 <= estimate <= 10_000 * 60:
        raise Invalid("an estimate is between 0 and 10000 hours")
    return estimate


def check_project_key(key: str) -> str:
    """A project key as stored: an ASCII letter, then up to 9 letters or digits."""
    key = refuse_controls(key, "a project key").strip().upper()
    if not PROJECT_KEY.fullmatch(key):
        raise Invalid(
            f"{key!r} is not a project key: a letter then up to 9 letters or digits, "
            "like WEB or APP2"
        )
    return key


def check_column_name(name: str) -> str:
    return check_text(name, "a column name", limit=COLUMN_NAME_LIMIT)


def check_description(description: str) -> str:
    return check_text(
        description, "a description", limit=DESCRIPTION_LIMIT, multiline=True, required=False
    )


def format_tags(tags: tuple[str, ...] | list[str]) -> str:
    """Tags as stored: words without `#`, in the order given, each once."""
    cleaned = [check_text(t, "a tag", limit=TAG_LIMIT, required=False).lstrip("#") for t in tags]
    if any(char.isspace() for t in cleaned for char in t):
        raise Invalid("a tag is one word")
    stored = " ".join(dict.fromkeys(t for t in cleaned if t))
    if len(stored) > TAGS_LIMIT:
        raise Invalid(f"the tags are too long ({len(stored)} characters, at most {TAGS_LIMIT})")
    return stored
