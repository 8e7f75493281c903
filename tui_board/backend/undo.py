"""Undo and redo: a change a person made, with what puts it back.

An `Undoable` is one thing the person did (moved a card, typed a cell, approved a
week), kept as the state before and after it. Undoing it is an ordinary versioned write
through the Backend, carrying the version the change left behind: when someone changed
the thing since, the store refuses it (Conflict) and nothing is overwritten. So an undo
works alike on every store, checks permissions like any write and shows in the change
feed. Undoing returns the change that redoes it (the same, before and after swapped,
with the version the undo left).

The app keeps the session's changes in a `History` (`u` undoes, `U` redoes); the CLI
keeps the last changes made from the shell in a small file (`tui-board undo`), which is
why every change turns to and from plain JSON (`to_json`, `change_from_json`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from tui_board.core.durations import format_duration
from tui_board.core.models import UNSET, Task, TaskPatch, TimeEntry, Timer, WeekState
from tui_board.core.weeks import IsoWeek

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend

#: The card fields a change may put back, beyond its column and place.
PATCH_FIELDS = tuple(f.name for f in dataclasses.fields(TaskPatch))


@dataclass(frozen=True)
class Undoable:
    """Something done, that can be undone. `what` says it in the user's words."""

    KIND: ClassVar[str] = ""

    what: str

    def undo(self, backend: Backend) -> Undone:
        """Put things back as they were before; the answer holds the change that redoes
        it. Raises what the store raises (Conflict when changed since)."""
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.KIND, **_plain(dataclasses.asdict(self))}

    @property
    def subject(self) -> tuple[object, ...] | None:
        """The versioned thing it changes (None: nothing versioned)."""
        return None

    def changed_since(self, message: str) -> str:
        """Why the store refused to undo it as stale, for the user (`message`: the
        store's own words, which speak of reloading and retrying)."""
        return message

    def at_version(self, version: int) -> Undoable:
        """The same change, expecting its subject at `version` (an undo or a redo of a
        later change of the same subject left it there)."""
        return self

    @property
    def version_now(self) -> int | None:
        """The version it expects its subject at."""
        return None


class _AtItsVersion:
    """A change whose own `version` field is the version it expects its subject at."""

    version: int

    @property
    def version_now(self) -> int:
        return self.version

    def at_version(self, version: int) -> Undoable:
        return cast(Undoable, replace(cast(Any, self), version=version))


@dataclass(frozen=True)
class Undone:
    """What an undo (or a redo) stored: the records as they are now, and the change
    that reverses it."""

    redo: Undoable
    records: tuple[object, ...] = ()

    def stored_version(self) -> None:
        """An undo names no subject a later write follows."""
        return None


# --- cards ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardChange(_AtItsVersion, Undoable):
    """A card's fields, its column and place, or its being archived, before and after.

    `before` and `after` name the same fields: `column_id` with `index` (a move), any
    field of `TaskPatch` (an edit), `archived` (archive, restore, and a card made: it
    is undone by archiving it)."""

    KIND: ClassVar[str] = "card"

    key: str = ""
    version: int = 0
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> tuple[object, ...]:
        return ("card", self.key)

    def changed_since(self, message: str) -> str:
        return f"{self.key} was changed since (here or elsewhere)"

    def undo(self, backend: Backend) -> Undone:
        task = put_card(backend, self.key, self.version, self.before)
        redo = replace(self, version=task.version, before=self.after, after=self.before)
        return Undone(redo, (task,))


def put_card(backend: Backend, key: str, version: int, values: Mapping[str, Any]) -> Task:
    """Give a card these values (column and place, fields, archived), each a versioned
    write following the one before."""
    task: Task | None = None
    if "archived" in values:
        task = backend.archive_task(key, version, archived=bool(values["archived"]))
        version = task.version
    patch = {name: values[name] for name in PATCH_FIELDS if name in values}
    if patch:
        task = backend.update_task(key, version, TaskPatch(**patch))
        version = task.version
    if "column_id" in values:
        task = backend.move_task(key, version, int(values["column_id"]), values.get("index"))
    if task is None:
        raise ValueError("a card change that changes nothing")
    return task


def card_fields(task: Task, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a card as it is (what a change keeps as `before`)."""
    return {name: getattr(task, name) for name in names}


def card_edit(what: str, before: Task, after: Task, patch: TaskPatch) -> CardChange | None:
    """An edit of a card's fields: the fields the patch set, as they were and are."""
    names = tuple(name for name, value in patch.changes().items() if value is not UNSET)
    if not names:
        return None
    return CardChange(
        what, after.key, after.version, card_fields(before, names), card_fields(after, names)
    )


def card_move(
    what: str, before: Task, index_before: int | None, after: Task, index_after: int | None = None
) -> CardChange:
    """A card moved or reordered: back to its column at the place it had (and again to
    where it went: `index_after`, None for the bottom)."""
    return CardChange(
        what,
        after.key,
        after.version,
        {"column_id": before.column_id, "index": index_before},
        {"column_id": after.column_id, "index": index_after},
    )


def card_archived(what: str, after: Task, index: int | None = None) -> CardChange:
    """A card archived (after.archived), or restored or made (not after.archived).
    `index`: its place in its column while on the board, where undoing an archive (or
    redoing a restore) puts it back (None: at the bottom)."""
    on_board = {"archived": False, "column_id": after.column_id, "index": index}
    if after.archived:
        return CardChange(what, after.key, after.version, on_board, {"archived": True})
    return CardChange(what, after.key, after.version, {"archived": True}, on_board)


# --- timesheet cells -----------------------------------------------------------------------


@dataclass(frozen=True)
class CellChange(_AtItsVersion, Undoable):
    """A timesheet cell's minutes and comment, before and after. `version` is the
    cell's version now (0: it has no entry)."""

    KIND: ClassVar[str] = "cell"

    task: str = ""
    day: date = date.min
    user: str | None = None
    version: int = 0
    before: tuple[int, str] = (0, "")
    after: tuple[int, str] = (0, "")

    @property
    def subject(self) -> tuple[object, ...]:
        return ("cell", self.task, self.day, self.user)

    def changed_since(self, message: str) -> str:
        whose = f"{self.user}'s time" if self.user else "the time"
        return f"{whose} on {self.task} for {self.day:%a %d %b} was changed since"

    def undo(self, backend: Backend) -> Undone:
        minutes, comment = self.before
        entry = backend.set_entry(
            self.task, self.day, minutes, comment=comment, version=self.version, user=self.user
        )
        version = entry.version if entry is not None else 0
        redo = replace(self, version=version, before=self.after, after=self.before)
        return Undone(redo, (entry,) if entry is not None else ())


def cell_change(
    what: str,
    task: str,
    day: date,
    was: tuple[int, str],
    after: TimeEntry | None,
    *,
    user: str | None = None,
) -> CellChange | None:
    """A cell that held `was` (minutes, comment; (0, "") when empty) and now holds
    `after` (None: no entry); None when nothing changed, and for a write a team server
    out of reach keeps on disk (`id` 0: not stored yet, so nothing to undo)."""
    if after is not None and after.id == 0:
        return None
    now = (after.minutes, after.comment) if after is not None else (0, "")
    if was == now:
        return None
    return CellChange(what, task, day, user, after.version if after is not None else 0, was, now)


def cell_now(backend: Backend, login: str, task: str, day: date) -> TimeEntry | None:
    """My cell of a task on a day as stored now (what a timer's stop adds to)."""
    found = backend.list_entries(day, day, user=login, task=task)
    return found[0] if found else None


def cell_before(backend: Backend, login: str, task: str, day: date) -> tuple[int, str]:
    """What a cell holds now, as a change keeps it: (minutes, comment)."""
    entry = cell_now(backend, login, task, day)
    return (entry.minutes, entry.comment) if entry is not None else (0, "")


def before_adding(entry: TimeEntry, minutes: int, comment: str = "") -> tuple[int, str]:
    """What a cell held before `add_time` added `minutes` (and its comment, which the
    store joins to the cell's own with "; ")."""
    text = entry.comment
    if comment and text == comment:
        text = ""
    elif comment and text.endswith(f"; {comment}"):
        text = text[: -len(comment) - 2]
    return entry.minutes - minutes, text


# --- timesheet rows ------------------------------------------------------------------------


@dataclass(frozen=True)
class RowsChange(Undoable):
    """Rows added to or removed from my timesheet week (rows are not versioned: a row
    carries no time of its own, so putting one back overwrites nothing)."""

    KIND: ClassVar[str] = "rows"

    week: str = ""
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def undo(self, backend: Backend) -> Undone:
        week = IsoWeek.parse(self.week)
        for key in self.added:
            backend.remove_week_row(week, key)
        records = tuple(backend.add_week_row(week, key) for key in self.removed)
        return Undone(replace(self, added=self.removed, removed=self.added), records)


# --- weeks: reviews ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewChange(_AtItsVersion, Undoable):
    """A reviewed week's state (and note), before and after; `version` is the week
    state's version now."""

    KIND: ClassVar[str] = "review"

    login: str = ""
    week: str = ""
    version: int = 0
    before: tuple[str, str] = ("submitted", "")
    after: tuple[str, str] = ("approved", "")

    @property
    def subject(self) -> tuple[object, ...]:
        return ("week", self.login, self.week)

    def undo(self, backend: Backend) -> Undone:
        state, note = self.before
        stored = backend.set_review(
            self.login,
            IsoWeek.parse(self.week),
            state,  # type: ignore[arg-type]  # one of WEEK_STATES, as stored
            version=self.version,
            note=note,
        )
        redo = replace(self, version=stored.version, before=self.after, after=self.before)
        return Undone(redo, (stored,))


def review_change(what: str, before: WeekState, after: WeekState) -> ReviewChange:
    return ReviewChange(
        what,
        after.user,
        after.week,
        after.version,
        (before.state, before.note),
        (after.state, after.note),
    )


# --- the timer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimerChange(Undoable):
    """My timer before and after (task and start, or none), and the cell a stopped
    timer's minutes went to."""

    KIND: ClassVar[str] = "timer"

    before: tuple[str, datetime] | None = None
    after: tuple[str, datetime] | None = None
    cell: CellChange | None = None

    @property
    def subject(self) -> tuple[object, ...] | None:
        return self.cell.subject if self.cell is not None else None

    @property
    def version_now(self) -> int | None:
        return self.cell.version if self.cell is not None else None

    def at_version(self, version: int) -> Undoable:
        if self.cell is None:
            return self
        return replace(self, cell=replace(self.cell, version=version))

    def changed_since(self, message: str) -> str:
        if self.cell is not None and "timer" not in message:
            return self.cell.changed_since(message)
        return message

    def undo(self, backend: Backend) -> Undone:
        task, started = self.before if self.before is not None else (None, None)
        expect = self.after[1] if self.after is not None else None
        timer = backend.timer_set(task, started=started, expect=expect)
        records: tuple[object, ...] = (timer,) if timer is not None else ()
        cell = self.cell
        if cell is not None:
            done = cell.undo(backend)
            cell = done.redo  # type: ignore[assignment]  # a cell's redo is a cell change
            records += done.records
        after = None if timer is None else (timer.task, timer.started)
        redo = replace(self, before=self.after, after=after, cell=cell)
        return Undone(redo, records)


def timer_change(
    what: str, before: Timer | None, after: Timer | None, cell: CellChange | None = None
) -> TimerChange:
    return TimerChange(
        what,
        None if before is None else (before.task, before.started),
        None if after is None else (after.task, after.started),
        cell,
    )


@dataclass(frozen=True)
class TimerToggled:
    """What the timer key did: the timer now running (None: it was stopped), the one it
    stopped, the stopped one's cell as stored now (None: nothing logged), and the
    change, to undo."""

    running: Timer | None
    stopped: Timer | None
    entry: TimeEntry | None
    undo: TimerChange

    def note(self) -> str:
        if self.running is None:
            assert self.stopped is not None
            key = self.stopped.task
            if self.entry is None:
                return f"Timer stopped on {key}: under a minute, nothing logged."
            return (
                f"Timer stopped on {key}: today's cell holds {format_duration(self.entry.minutes)}."
            )
        note = f"Timer started on {self.running.task}."
        if self.stopped is not None and self.entry is None:
            note += f" (Stopped the one on {self.stopped.task}: under a minute, nothing logged.)"
        elif self.stopped is not None and self.entry is not None:
            held = format_duration(self.entry.minutes)
            note += f" (Stopped the one on {self.stopped.task}: today's cell holds {held}.)"
        return note


def toggle_timer(backend: Backend, login: str, key: str, today: date) -> TimerToggled:
    """Stop my timer when it runs on `key`, else start it there (stopping the one that
    runs): the timer key of the board and of the timesheet."""
    running = backend.timer_status()
    if running is not None and running.task == key:
        was = cell_before(backend, login, key, today)
        entry = backend.timer_stop()
        what = f"stop the timer on {key}"
        cell = cell_change(what, key, today, was, entry)
        return TimerToggled(None, running, entry, timer_change(what, running, None, cell))
    held = None if running is None else cell_before(backend, login, running.task, today)
    timer = backend.timer_start(key)
    what = f"start the timer on {key}"
    entry = cell = None
    if running is not None and held is not None:
        entry = cell_now(backend, login, running.task, today)
        cell = cell_change(what, running.task, today, held, entry)
    return TimerToggled(timer, running, entry, timer_change(what, running, timer, cell))


def follow(stack: list[Undoable], done: Undoable) -> None:
    """The newest change in `stack` of what `done` changed now expects the version
    `done` left it at."""
    subject, version = done.subject, done.version_now
    if subject is None or version is None:
        return
    for at in range(len(stack) - 1, -1, -1):
        if stack[at].subject == subject:
            stack[at] = stack[at].at_version(version)
            return


# --- to and from JSON (the shell's undo file) ----------------------------------------------

KINDS: dict[str, type[Undoable]] = {
    kind.KIND: kind for kind in (CardChange, CellChange, RowsChange, ReviewChange, TimerChange)
}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _card_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """A card change's values as read from JSON, typed as the card has them."""
    typed = dict(values)
    for name in ("due", "start"):
        if isinstance(typed.get(name), str):
            typed[name] = date.fromisoformat(typed[name])
    if "tags" in typed:
        typed["tags"] = tuple(typed["tags"])
    return typed


def change_from_json(data: Mapping[str, Any]) -> Undoable:
    """A change written by `to_json`; ValueError when it is not one."""
    kind = KINDS.get(str(data.get("kind")))
    if kind is None:
        raise ValueError(f"not a change: {data.get('kind')!r}")
    values = {k: v for k, v in data.items() if k != "kind"}
    if kind is CardChange:
        values["before"] = _card_values(values["before"])
        values["after"] = _card_values(values["after"])
    elif kind is CellChange:
        values["day"] = date.fromisoformat(values["day"])
        values["before"] = tuple(values["before"])
        values["after"] = tuple(values["after"])
    elif kind is ReviewChange:
        values["before"] = tuple(values["before"])
        values["after"] = tuple(values["after"])
    elif kind is RowsChange:
        values["added"] = tuple(values["added"])
        values["removed"] = tuple(values["removed"])
    elif kind is TimerChange:
        for name in ("before", "after"):
            if values.get(name) is not None:
                task, started = values[name]
                values[name] = (task, datetime.fromisoformat(started))
        if values.get("cell") is not None:
            cell = change_from_json({"kind": "cell", **values["cell"]})
            values["cell"] = cell
    return kind(**values)
