"""Quick entry: one line such as `WEB-12 1h30 fixed the login bug` or `WEB-12 yesterday
45m`, read into a task, a day, minutes and a comment; and the completion of task keys
that helps type it.

The line is a task key, then a duration and a day in either order (the day is optional:
today), then the comment. Everything is read by the project's one duration parser and
date reader, so the quick line means what a cell or `tui-board log` would.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import Suggester

from tui_board.core.durations import BareUnit, parse_duration
from tui_board.core.errors import Invalid
from tui_board.core.weeks import parse_date
from tui_board.ui.widgets.text_input import TextInput

KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*-[0-9]+")
EXAMPLE = "WEB-12 1h30 fixed the login bug"


@dataclass(frozen=True)
class QuickEntry:
    """What a quick line asks for: add `minutes` to `task`'s cell on `day`."""

    task: str
    day: date
    minutes: int
    comment: str = ""


@dataclass(frozen=True)
class TaskChoice:
    """A task quick entry can complete: its key and title."""

    key: str
    title: str


def parse_quick_entry(text: str, *, today: date, bare_unit: BareUnit = "hours") -> QuickEntry:
    """Read a quick line, or raise `Invalid` saying what is missing or wrong."""
    words = text.split()
    if not words:
        raise Invalid(f"Type a task key, a duration, a day if not today and a comment: {EXAMPLE}")
    if not KEY_RE.fullmatch(words[0]):
        raise Invalid(f"Start with a task key such as WEB-12, not {words[0]!r} (tab completes).")
    task, rest = words[0].upper(), words[1:]
    day: date | None = None
    minutes: int | None = None
    problem = ""
    at = 0
    while at < len(rest) and (day is None or minutes is None):
        if day is None:
            try:
                day = parse_date(rest[at], today)
            except Invalid:
                pass
            else:
                at += 1
                continue
        if minutes is None:
            # "1h 30m" is two words: the longer reading wins when it is a duration.
            for count in (2, 1):
                if at + count > len(rest):
                    continue
                try:
                    minutes = parse_duration(" ".join(rest[at : at + count]), bare_unit=bare_unit)
                except Invalid as error:
                    if count == 1:
                        problem = error.message
                else:
                    at += count
                    break
            if minutes is not None:
                continue
        break
    if minutes is None:
        looks_like_one = at < len(rest) and rest[at][:1] in "0123456789.,:-"
        if looks_like_one and problem:
            raise Invalid(problem)
        raise Invalid(f"Add how long after the key, e.g. {task} 1h30 (or {task} yesterday 45m).")
    if minutes == 0:
        raise Invalid("0 adds nothing; to clear a cell, select it in the grid and press delete.")
    return QuickEntry(task, day or today, minutes, " ".join(rest[at:]))


def task_candidates(word: str, tasks: Sequence[TaskChoice], limit: int = 5) -> list[TaskChoice]:
    """Tasks whose key starts with `word` (in task order), then those whose key or title
    contains it."""
    needle = word.casefold()
    if not needle:
        return []
    starts = [task for task in tasks if task.key.casefold().startswith(needle)]
    if len(starts) >= limit:
        return starts[:limit]
    seen = {task.key for task in starts}
    contains = [
        task
        for task in tasks
        if task.key not in seen and needle in f"{task.key} {task.title}".casefold()
    ]
    return (starts + contains)[:limit]


def complete_key(value: str, tasks: Sequence[TaskChoice]) -> str | None:
    """The line with its first word completed to a task key (and a space after it),
    or None when there is nothing to complete."""
    first, space, rest = value.lstrip().partition(" ")
    if not first:
        return None
    candidates = task_candidates(first, tasks, limit=1)
    if not candidates:
        return None
    key = candidates[0].key
    if key == first.upper() and space:
        return None
    return f"{key} {rest}" if space else f"{key} "


class TaskKeySuggester(Suggester):
    """Completes the line's first word to a task key starting with it (shown greyed out;
    `right` or `tab` takes it)."""

    def __init__(self, tasks: Iterable[TaskChoice] = ()) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tasks: list[TaskChoice] = list(tasks)

    async def get_suggestion(self, value: str) -> str | None:
        if not value or " " in value:
            return None
        needle = value.casefold()
        if any(task.key.casefold() == needle for task in self.tasks):
            return value + " "
        for task in self.tasks:
            if task.key.casefold().startswith(needle):
                return value + task.key[len(value) :] + " "
        return None


#: How many tasks `tab` goes through, again and again, for one word typed.
CYCLE_LIMIT = 10


class QuickEntryInput(TextInput):
    """The quick-entry line: `tab` completes the task key (a key starting with what was
    typed, else the first task whose title contains it); `tab` again, the next such
    task, and so round (it took the first and stayed there)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "tab",
            "complete",
            "Complete",
            tooltip="Complete the task key",
            show=False,
            id="quick-entry-complete",
        ),
    ]

    def __init__(self, *, id: str | None = None, placeholder: str = "") -> None:
        self.suggester_tasks = TaskKeySuggester()
        super().__init__(placeholder=placeholder, id=id, compact=True)
        self.completes_keys = True
        #: The keys `tab` goes round, the one shown, and the line it made (a line typed
        #: since starts again).
        self._cycle: tuple[list[str], int, str] | None = None

    def set_tasks(self, tasks: Iterable[TaskChoice]) -> None:
        self.suggester_tasks.tasks = list(tasks)

    def open(self, value: str, *, completes_keys: bool) -> None:
        """Show `value` with the cursor at its end; complete task keys or not."""
        self.completes_keys = completes_keys
        self.suggester = self.suggester_tasks if completes_keys else None
        self.value = value
        self.cursor_position = len(value)

    def action_complete(self) -> None:
        if not self.completes_keys:
            return
        cycle = self._cycle
        if cycle is not None and cycle[2] == self.value and len(cycle[0]) > 1:
            keys, at, _ = cycle
            at = (at + 1) % len(keys)
            _, _, rest = self.value.lstrip().partition(" ")
            completed = f"{keys[at]} {rest}"
            self._cycle = (keys, at, completed)
        else:
            found = complete_key(self.value, self.suggester_tasks.tasks)
            if found is None:
                self.app.bell()
                return
            completed = found
            first = self.value.lstrip().partition(" ")[0]
            keys = [t.key for t in task_candidates(first, self.suggester_tasks.tasks, CYCLE_LIMIT)]
            self._cycle = (keys, 0, completed)
        self.value = completed
        self.cursor_position = len(completed)
