"""Imports: a file's rows, read and mapped by the client (`core.importing`), stored in
one transaction under every rule of the service layer.

A file goes in two steps. `stage_import` keeps its rows in parts (a team server takes
requests of at most 1 MiB; a part sent again replaces itself, and parts left behind
are deleted after a day); `import_rows` then stores all of them in one transaction, or
nothing: a row that cannot be stored is refused with its reason and the others are
stored (with `strict`, any refusal stores nothing), and an error stores nothing at all.
A dry run is the same transaction, rolled back: what it reports is what a real run
would do.

What a cell becomes. An import SETS the cells its rows fall in (it never adds to what
they hold): to the sum of the file's rows for that cell, plus the rows earlier imports
put there that this file does not speak for. A file speaks, person by person, for the
time from its first row's start to its last row's (a row that is a whole day's, as
in our CSV or actiTIME's, speaks for that whole day); an earlier imported row that
started within it is replaced, one that started outside it is kept. So:

- a cell that already holds what the file makes it is left alone, and so is one whose
  imported rows are the file's (edited by hand since): importing the same file again,
  or our own export of the same cells, changes nothing (not even a version);
- an overlapping file (January 1-15, then 10-31) counts the days both hold once;
- an interval split at midnight is two rows, the second starting at midnight: a file
  that starts later that morning keeps it, one that speaks for that whole day (a day's
  row, as in our CSV) replaces it;
- an entry edited in the other tool since the last import replaces what it was;
- our own export imported back, in any of its formats, sets the cells it came from.

Each imported row is kept (`imported_rows`: person, task, day, minutes, comment, when
it started, and its source, "kimai export.csv:17"), which is how the rule above knows
what earlier imports put where. Rows are refused, and listed with the reason, for what
every write refuses: a person or task that is not there, someone else's time (unless
an admin imports), a locked period or a submitted or approved week, an archived task,
more than 24:00 in a day, a comment with control characters. Cells are written in
order, those that go down first, so a day's refusal for going over 24:00 does not
depend on the file's order. Projects and tasks named by the file but not on the board
are made with `create`, by an admin only.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tui_board.backend.local.base import Tx, check_text
from tui_board.backend.local.tasks import TaskService
from tui_board.backend.local.time import ENTRY_COMMENT_LIMIT, check_entry_comment
from tui_board.backend.local.weeks import WeekService
from tui_board.core.durations import DAY_MINUTES, format_duration
from tui_board.core.errors import BoardError, Invalid, NotFound
from tui_board.core.importing.mapping import title_key
from tui_board.core.models import ImportRefusal, ImportResult, ImportRow, ImportWeek
from tui_board.core.permissions import Actor, can_edit_time_of, require
from tui_board.core.weeks import IsoWeek
from tui_board.store.database import OrmTx
from tui_board.store.sql import utc

#: A batch's name: the sender's, random (`core.importing.new_batch`).
BATCH_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: The most rows one part holds, parts one file has, and rows one file has.
MAX_PART_ROWS = 20_000
MAX_PARTS = 1_000
MAX_BATCH_ROWS = 2_000_000
#: How long parts wait for the import that stores them.
STAGED_FOR = timedelta(days=1)
#: How long an import's file name ("kimai export.csv") may be.
FILE_LIMIT = 200
#: What joins the comments of a cell's rows.
COMMENT_JOIN = "; "


class ImportService(WeekService, TaskService):
    # --- parts ------------------------------------------------------------------------

    def stage_import(self, batch: str, part: int, rows: list[ImportRow]) -> int:
        check_batch(batch)
        if not 0 <= part < MAX_PARTS:
            raise Invalid(f"a part of an import is numbered 0 to {MAX_PARTS - 1}")
        if len(rows) > MAX_PART_ROWS:
            raise Invalid(f"a part of an import holds at most {MAX_PART_ROWS:,} rows")
        payload = json.dumps([_pack(row) for row in rows], separators=(",", ":"))
        now = self._now()
        with self.db.write() as s:
            actor = self._actor(s)
            s.run("DELETE FROM import_staged WHERE created < :stale", stale=now - STAGED_FOR)
            # A part sent again replaces itself, in one statement: a part sent twice at
            # once (a retry over a slow line) is stored once, not refused by the key.
            s.run(
                "INSERT INTO import_staged (user_id, batch, part, size, payload, created)"
                " VALUES (:user_id, :batch, :part, :size, :payload, :created)"
                " ON CONFLICT (user_id, batch, part) DO UPDATE SET size = excluded.size,"
                " payload = excluded.payload, created = excluded.created",
                user_id=actor.user_id,
                batch=batch,
                part=part,
                size=len(rows),
                payload=payload,
                created=now,
            )
            held = int(
                s.value(
                    "SELECT coalesce(sum(size), 0) FROM import_staged"
                    " WHERE user_id = :user_id AND batch = :batch",
                    user_id=actor.user_id,
                    batch=batch,
                )
            )
            if held > MAX_BATCH_ROWS:
                raise Invalid(f"an import holds at most {MAX_BATCH_ROWS:,} rows; split the file")
            self._unseen_only(s)
            return held

    # --- the import ---------------------------------------------------------------------

    def import_rows(
        self,
        batch: str,
        parts: int,
        file: str,
        *,
        create: bool = False,
        dry_run: bool = False,
        strict: bool = False,
    ) -> ImportResult:
        check_batch(batch)
        if not 0 <= parts <= MAX_PARTS:  # (checked first: it sizes what is compared)
            raise Invalid(f"an import has 0 to {MAX_PARTS} parts, not {parts}")
        try:
            file = check_text(file, "the file's name", limit=FILE_LIMIT, required=False)
            with self.db.write() as s:
                actor = self._actor(s)
                rows = self._take_staged(s, actor, batch, parts)
                result = self._import(s, actor, rows, file or "import", create, dry_run)
                if strict and result.refused:
                    raise Invalid(
                        f"{len(result.refused)} rows of {file or 'the file'} cannot be "
                        "stored, so nothing was (--strict); the first: line "
                        f"{result.refused[0].line}: {result.refused[0].reason}"
                    )
                if dry_run:
                    raise _DryRun(result)
                if result.cells or result.created:
                    # Who imported what, when; an import that changes nothing records
                    # nothing (importing the same file twice leaves the store as it was).
                    summary = {"file": result.file, "rows": result.rows, "cells": result.cells}
                    self._record(s, actor, "import", batch, "apply", summary)
                else:
                    self._unseen_only(s)  # its staged parts and rows imported, at most
                return result
        except _DryRun as done:
            self._drop_staged(batch)
            return done.result
        except BaseException:
            self._drop_staged(batch)
            raise

    def _take_staged(self, s: Tx, actor: Actor, batch: str, parts: int) -> list[ImportRow]:
        """The batch's rows, its parts deleted (in the caller's transaction)."""
        found = s.rows(
            "SELECT part, payload FROM import_staged WHERE user_id = :user_id AND batch = :batch"
            " ORDER BY part",
            user_id=actor.user_id,
            batch=batch,
        )
        if len(found) != parts or any(r.part != at for at, r in enumerate(found)):
            raise Invalid(
                f"{len(found)} of the import's {parts} parts are here; send the file again"
            )
        s.run(
            "DELETE FROM import_staged WHERE user_id = :user_id AND batch = :batch",
            user_id=actor.user_id,
            batch=batch,
        )
        return [_unpack(values) for r in found for values in json.loads(r.payload)]

    def _drop_staged(self, batch: str) -> None:
        """Delete a batch's parts after a dry run or a failed import (its own
        transaction: the import's was rolled back). A batch is used once."""
        try:
            with self.db.write() as s:
                actor = self._actor(s)
                s.run(
                    "DELETE FROM import_staged WHERE user_id = :user_id AND batch = :batch",
                    user_id=actor.user_id,
                    batch=batch,
                )
                self._unseen_only(s)
        except BoardError:
            pass  # a replay of an import done, a read-only store: nothing of ours is left

    def _import(
        self,
        s: Tx,
        actor: Actor,
        rows: list[ImportRow],
        file: str,
        create: bool,
        dry_run: bool,
    ) -> ImportResult:
        if create:
            require(actor.is_admin, "only an admin may make projects and tasks in an import")
        run = _Run(file=file, create=create)
        accepted = self._accepted_rows(s, actor, rows, run)
        cells: dict[tuple[int, int, date], _Cell] = {}
        #: Cells on a day that may not be written: refused unless they hold what the
        #: file says already (our own export of an approved week, imported back).
        closed: set[tuple[int, int, date]] = set()
        for row, owner in accepted:
            trow = self._import_task(s, actor, row, run)
            if trow is None:
                continue
            key = (owner.id, trow.id, row.day)
            if not self._day_open(s, owner, row.day, run):
                closed.add(key)
            cell = cells.setdefault(key, _Cell(owner, trow, row.day))
            cell.rows.append(row)
        # From here on only plain SQL: the cells, many statements (the ORM made what
        # projects and tasks the rows needed above).
        s = self._orm(s).plain()
        by_owner: dict[int, list[_Cell]] = defaultdict(list)
        for cell in cells.values():
            by_owner[cell.owner.id].append(cell)
        plans: list[_Plan] = []
        for owner_id, owner_cells in by_owner.items():
            self._lock_user(s, owner_id)
            plans += self._plan(s, owner_id, owner_cells)
        # Cells that go down first: a day's 24:00 does not depend on the file's order.
        plans.sort(key=lambda p: (p.cell.owner.id, p.cell.day, p.after - p.before))
        weeks: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        new_rows: list[dict[str, Any]] = []
        dropped: list[int] = []
        now = self._now()
        for plan in plans:
            cell = plan.cell
            if not plan.unchanged and (cell.owner.id, cell.trow.id, cell.day) in closed:
                run.refuse(cell.rows, run.closed[(cell.owner.id, cell.day)])
                continue
            if not plan.unchanged and (plan.entry_minutes, plan.entry_comment) != (
                plan.after,
                plan.comment,
            ):
                try:
                    self._write_cell(
                        s, actor, cell.owner, cell.trow, cell.day, plan.entry, plan.after,
                        plan.comment,
                    )  # fmt: skip
                except Invalid as error:
                    run.refuse(cell.rows, error.message)
                    continue
            run.stored.update(row.line for row in cell.rows)
            if plan.unchanged:
                run.unchanged += 1
            else:
                run.cells += 1
                dropped += plan.dropped
                new_rows += [
                    {
                        "user_id": cell.owner.id,
                        "task_id": cell.trow.id,
                        "day": cell.day,
                        "minutes": row.minutes,
                        "comment": row.comment,
                        "started": utc(row.started),
                        "source": f"{file}:{row.line}",
                        "created": now,
                    }
                    for row in cell.rows
                ]
            week = weeks[(cell.owner.login, str(IsoWeek.of(cell.day)))]
            after = plan.entry_minutes if plan.unchanged else plan.after
            week[0] += 1
            week[1] += plan.entry_minutes
            week[2] += after
        for at in range(0, len(dropped), 500):
            s.run("DELETE FROM imported_rows WHERE id IN (:ids)", ids=dropped[at : at + 500])
        s.insert_many("imported_rows", new_rows)
        return ImportResult(
            file=file,
            rows=len(run.stored),
            cells=run.cells,
            unchanged=run.unchanged,
            weeks=tuple(
                ImportWeek(user, week, *figures) for (user, week), figures in sorted(weeks.items())
            ),
            refused=tuple(sorted(run.refused, key=lambda r: r.line)),
            created=tuple(run.created),
            dry_run=dry_run,
        )

    def _accepted_rows(
        self, s: Tx, actor: Actor, rows: list[ImportRow], run: _Run
    ) -> list[tuple[ImportRow, Any]]:
        """The rows whose values, person and comment pass, each with its person's row;
        a row the same as an earlier one of the file is refused (counted once)."""
        owners: dict[str, Any] = {}
        seen: dict[tuple[Any, ...], ImportRow] = {}
        accepted = []
        for row in rows:
            try:
                _check_row(row)
                owner = owners.get(row.user)
                if owner is None:
                    owner = owners[row.user] = self._import_owner(s, actor, row.user)
                if isinstance(owner, BoardError):
                    raise owner
            except BoardError as error:
                run.refuse([row], error.message)
                continue
            same = (
                row.user,
                row.day,
                utc(row.started),
                row.task.upper(),
                row.project.upper(),
                title_key(row.title),
                row.comment,
            )
            first = seen.get(same)
            if first is not None:
                if first.minutes == row.minutes:
                    run.refuse([row], f"the same entry as line {first.line}; counted once")
                else:
                    run.refuse(
                        [row],
                        f"{format_duration(row.minutes)} for the entry line {first.line} "
                        f"gives {format_duration(first.minutes)}; only line {first.line} "
                        "is counted",
                    )
                continue
            seen[same] = row
            accepted.append((row, owner))
        return accepted

    def _import_owner(self, s: Tx, actor: Actor, login: str) -> Any:
        """The person's `users` row, or the error that refuses their rows."""
        try:
            owner = self._user_at(s, login, "a person")
            require(can_edit_time_of(actor, owner.login), f"you may not change {login}'s time")
        except BoardError as error:
            return error
        return owner

    def _import_task(self, s: Tx, actor: Actor, row: ImportRow, run: _Run) -> Any | None:
        """The `tasks` row a row's time goes on (made when the run may make it); None
        when the row is refused."""
        key = (row.task.upper(), row.project.upper(), title_key(row.title))
        found = run.tasks.get(key)
        if found is None:
            try:
                found = self._find_task(s, actor, row, run)
            except BoardError as error:
                found = error
            run.tasks[key] = found
        if isinstance(found, BoardError):
            run.refuse([row], found.message)
            return None
        return found

    def _find_task(self, s: Tx, actor: Actor, row: ImportRow, run: _Run) -> Any:
        if row.task:
            return self._task_at(s, row.task)
        if not row.project or not title_key(row.title):
            raise Invalid("the row names no task (a key such as WEB-12, or a title and project)")
        project = row.project.upper()
        prow = s.row("SELECT id, key, archived FROM projects WHERE key = :key", key=project)
        if prow is None:
            if not (run.create and row.project_name):
                raise NotFound(f"no project {project}; make it with --create (admins)")
            made = self._make_project(self._orm(s), actor, project, row.project_name)
            run.created.append(f"project {made.key} {made.name!r}")
            prow = s.row("SELECT id, key, archived FROM projects WHERE key = :key", key=project)
            assert prow is not None
        titles = run.titles.get(prow.id)
        if titles is None:
            titles = run.titles[prow.id] = _titles(s, prow.id)
        number = titles.get(title_key(row.title))
        if number is None:
            if not run.create:
                raise NotFound(
                    f"no task titled {row.title!r} in {prow.key}; make it with --create (admins)"
                )
            task = self._make_task(self._orm(s), actor, prow.key, row.title)
            run.created.append(f"task {task.key} {task.title!r}")
            number = titles[title_key(row.title)] = task.number
        return self._task_at(s, f"{prow.key}-{number}")

    @staticmethod
    def _orm(s: Tx) -> OrmTx:
        """The transaction as the ORM's (what making projects and tasks is written in);
        an import runs on the whole service layer, whose transactions are."""
        assert isinstance(s, OrmTx)
        return s

    def _day_open(self, s: Tx, owner: Any, day: date, run: _Run) -> bool:
        """Whether the person's day may be written (no lock, no submitted or approved
        week holds it); the reason is kept in `run.closed` when not."""
        key = (owner.id, day)
        if key not in run.closed:
            try:
                self._check_open(s, owner.id, day)
            except BoardError as error:
                run.closed[key] = error.message
            else:
                run.closed[key] = ""
        return not run.closed[key]

    def _plan(self, s: Tx, owner_id: int, cells: list[_Cell]) -> list[_Plan]:
        """What each of a person's cells becomes (see the module's doc)."""
        first = min(c.day for c in cells)
        last = max(c.day for c in cells)
        span = {"user_id": owner_id, "first": first, "last": last}
        entries = {
            (r.task_id, r.day): r
            for r in s.rows(
                "SELECT * FROM time_entries WHERE user_id = :user_id"
                " AND day >= :first AND day <= :last",
                **span,
            )
        }
        recorded: dict[tuple[int, date], list[Any]] = defaultdict(list)
        for r in s.rows(
            "SELECT id, task_id, day, minutes, comment, started FROM imported_rows"
            " WHERE user_id = :user_id AND day >= :first AND day <= :last",
            **span,
        ):
            recorded[(r.task_id, r.day)].append(r)
        rows = [row for c in cells for row in c.rows]
        since = min(utc(row.started) for row in rows)
        until = max(utc(row.through) for row in rows)
        plans = []
        for cell in cells:
            entry = entries.get((cell.trow.id, cell.day))
            before = recorded.get((cell.trow.id, cell.day), [])
            replaced = [r for r in before if since <= r.started <= until]
            kept = [r for r in before if not since <= r.started <= until]
            pieces = [(r.started, 0, r.comment) for r in kept]
            pieces += [(utc(r.started), r.line, r.comment) for r in cell.rows]
            after = sum(r.minutes for r in kept) + sum(r.minutes for r in cell.rows)
            comment = joined_comment(pieces)
            plans.append(
                _Plan(
                    cell=cell,
                    entry=entry,
                    entry_minutes=entry.minutes if entry else 0,
                    entry_comment=entry.comment if entry else "",
                    after=after,
                    comment=comment,
                    dropped=[r.id for r in replaced],
                    unchanged=_same_rows(replaced, cell.rows)
                    or (after, comment)
                    == (
                        entry.minutes if entry else 0,
                        entry.comment if entry else "",
                    ),
                )
            )
        return plans


@dataclass
class _Cell:
    owner: Any
    trow: Any
    day: date
    rows: list[ImportRow] = field(default_factory=list)


@dataclass
class _Plan:
    cell: _Cell
    entry: Any
    entry_minutes: int
    entry_comment: str
    #: The cell's minutes and comment after the import.
    after: int
    comment: str
    #: The ids of the imported rows the file replaces.
    dropped: list[int]
    #: The file brings nothing new to the cell: its rows are those it replaces, or the
    #: cell holds what it would make it already (left alone, its imported rows too).
    unchanged: bool

    @property
    def before(self) -> int:
        return self.entry_minutes


@dataclass
class _Run:
    """What one import keeps while it runs."""

    file: str
    create: bool
    refused: list[ImportRefusal] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    #: The lines of the rows stored (an interval split at midnight is one line).
    stored: set[int] = field(default_factory=set)
    cells: int = 0
    unchanged: int = 0
    #: (task key, project key, title) -> a `tasks` row, or the error refusing it.
    tasks: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    #: project id -> {title key: task number}.
    titles: dict[int, dict[str, int]] = field(default_factory=dict)
    #: (person id, day) -> why the day cannot be written ("" when it can).
    closed: dict[tuple[int, date], str] = field(default_factory=dict)

    def refuse(self, rows: list[ImportRow], reason: str) -> None:
        self.refused.extend(ImportRefusal(row.line, reason) for row in rows)


class _DryRun(Exception):
    """Ends a dry run's transaction (rolled back) with what it would have done."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__("dry run")
        self.result = result


def check_batch(batch: str) -> str:
    if not BATCH_PATTERN.fullmatch(batch):
        raise Invalid("an import's batch is 1 to 64 letters, digits, '-' or '_'")
    return batch


def _check_row(row: ImportRow) -> None:
    if not 0 <= row.minutes <= DAY_MINUTES:
        raise Invalid(f"{row.minutes} minutes is not a day's time (0 to {DAY_MINUTES})")
    if utc(row.through) < utc(row.started):
        raise Invalid("the row ends before it starts")
    check_entry_comment(row.comment)


def _titles(s: Tx, project_id: int) -> dict[str, int]:
    """A project's tasks by title (`title_key`): the lowest number of the open ones,
    else of the archived."""
    found: dict[str, int] = {}
    for r in s.rows(
        "SELECT number, title FROM tasks WHERE project_id = :project_id"
        " ORDER BY archived, number DESC",
        project_id=project_id,
    ):
        found[title_key(r.title)] = r.number
    return found


def _same_rows(recorded: list[Any], rows: list[ImportRow]) -> bool:
    """The file's rows for a cell are the ones earlier imports recorded there."""
    if len(recorded) != len(rows):
        return False
    return sorted((r.started, r.minutes, r.comment) for r in recorded) == sorted(
        (utc(r.started), r.minutes, r.comment) for r in rows
    )


def joined_comment(pieces: list[tuple[datetime, int, str]]) -> str:
    """A cell's comment from its rows' (start, line, comment): the distinct comments in
    the order the rows started, joined with "; ", cut to what a cell holds."""
    seen: list[str] = []
    for _started, _line, comment in sorted(pieces):
        if comment and comment not in seen:
            seen.append(comment)
    text = COMMENT_JOIN.join(seen)
    if len(text) > ENTRY_COMMENT_LIMIT:
        text = text[: ENTRY_COMMENT_LIMIT - 1] + "…"
    return text


_FIELDS = (
    "line",
    "user",
    "day",
    "minutes",
    "started",
    "through",
    "comment",
    "task",
    "project",
    "title",
    "project_name",
)


def _pack(row: ImportRow) -> list[Any]:
    """A row as a staged part keeps it: its fields in order, days and moments as text."""
    return [
        row.line,
        row.user,
        row.day.isoformat(),
        row.minutes,
        utc(row.started).isoformat(),
        utc(row.through).isoformat(),
        row.comment,
        row.task,
        row.project,
        row.title,
        row.project_name,
    ]


def _unpack(values: list[Any]) -> ImportRow:
    fields = dict(zip(_FIELDS, values, strict=True))
    fields["day"] = date.fromisoformat(fields["day"])
    fields["started"] = datetime.fromisoformat(fields["started"])
    fields["through"] = datetime.fromisoformat(fields["through"])
    return ImportRow(**fields)


__all__ = ["ImportService", "joined_comment"]
