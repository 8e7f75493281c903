"""The board's data as the screen holds it: a project's columns and their cards, in order.

Plain Python (no Textual, no I/O), so that moves, filters and live updates are quick to
reason about and to test. The screen changes it on the UI thread only; workers hand
their results over in messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from tui_board.core.models import Column, Project, Task


@dataclass(frozen=True)
class Placement:
    """Where a card went: its column, its index among the column's *other* cards (what
    `Backend.move_task` takes) and its index among the cards shown."""

    column_id: int
    index: int
    shown_index: int


def search_text(task: Task) -> str:
    """What the filter looks in: key, title, assignee and tags, lower case."""
    tags = " ".join(f"#{tag}" for tag in task.tags)
    return f"{task.key} {task.title} {task.assignee or ''} {tags}".lower()


SearchIndex = dict[str, tuple[Task, str]]


def search_index(tasks: Iterable[Task]) -> SearchIndex:
    """Each card's `search_text`, by key (with the card it was made from). Building it
    for 10,000 cards takes some 50 ms: a worker does it, not the first filter key."""
    return {task.key: (task, search_text(task)) for task in tasks}


class BoardState:
    """A project's columns, each holding its cards (not archived) in rank order, and
    the filter that decides which of them are shown.

    A board may be read a page at a time: with `totals` (cards per column id) the
    columns hold only their first cards so far, and the counts come from `totals`."""

    def __init__(
        self,
        project: Project,
        columns: list[Column],
        tasks: Iterable[Task],
        *,
        totals: dict[int, int] | None = None,
        search: SearchIndex | None = None,
    ) -> None:
        self.project = project
        self.totals = dict(totals) if totals is not None else None
        self.columns = list(columns)
        self._cards: dict[int, list[Task]] = {column.id: [] for column in self.columns}
        self._where: dict[str, int] = {}
        for task in tasks:
            cards = self._cards.get(task.column_id)
            if cards is not None and not task.archived:
                cards.append(task)
                self._where[task.key] = task.column_id
        self.query = ""
        self._words: tuple[str, ...] = ()
        self.only_login: str | None = None
        self._shown: dict[int, list[Task]] = {}
        #: The cards shown before the query grew longer, by column (None: look at all).
        self._refine: dict[int, list[Task]] | None = None
        self._search: SearchIndex = search if search is not None else {}

    # --- reading ----------------------------------------------------------------------

    @property
    def filtered(self) -> bool:
        return bool(self.query) or self.only_login is not None

    @property
    def complete(self) -> bool:
        """Whether every card has been read (not just the first page of each column)."""
        return self.totals is None

    @property
    def total(self) -> int:
        if self.totals is not None:
            return sum(self.totals.values())
        return len(self._where)

    def column_index(self, column_id: int) -> int | None:
        return next((i for i, c in enumerate(self.columns) if c.id == column_id), None)

    def count(self, column_id: int) -> int:
        """Every card in the column, whatever the filter (what its WIP limit counts)."""
        if self.totals is not None:
            return self.totals.get(column_id, 0)
        return len(self._cards.get(column_id, ()))

    def cards(self, column_id: int) -> list[Task]:
        return self._cards.get(column_id, [])

    def shown(self, column_id: int) -> list[Task]:
        """The column's cards that pass the filter, in order (cached until a change)."""
        found = self._shown.get(column_id)
        if found is None:
            cards = self._cards.get(column_id, [])
            if self._refine is not None and column_id in self._refine:
                cards = self._refine[column_id]  # a longer query: look only in these
            found = self._filter(cards) if self.filtered else cards
            self._shown[column_id] = found
        return found

    def _filter(self, cards: list[Task]) -> list[Task]:
        """`matches` over many cards, written out: it runs over 10,000 on a keystroke."""
        login, words, index = self.only_login, self._words, self._search
        found = []
        for task in cards:
            if login is not None and task.assignee != login:
                continue
            if words:
                entry = index.get(task.key)
                if entry is None or entry[0] is not task:
                    entry = index[task.key] = (task, search_text(task))
                text = entry[1]
                if not all(word in text for word in words):
                    continue
            found.append(task)
        return found

    def get(self, key: str) -> Task | None:
        column_id = self._where.get(key)
        if column_id is None:
            return None
        return next((t for t in self._cards[column_id] if t.key == key), None)

    def column_of(self, key: str) -> int | None:
        return self._where.get(key)

    def matches(self, task: Task) -> bool:
        return bool(self._filter([task]))

    # --- the filter --------------------------------------------------------------------

    def set_filter(
        self, query: str | None = None, *, only_login: str | bool | None = False
    ) -> None:
        """Change the text filter and/or "only mine" (`only_login=False` leaves it)."""
        before = (self._words, self.only_login)
        if query is not None:
            self._words = tuple(query.lower().split())
            self.query = " ".join(self._words)
        if only_login is not False:
            self.only_login = only_login if isinstance(only_login, str) else None
        # Typing on (every word still there, each the same or longer) only narrows the
        # cards shown: the next filter looks among them, not among all the cards.
        narrower = self.only_login == before[1] and len(self._words) >= len(before[0])
        narrower = narrower and all(
            old in new for old, new in zip(before[0], self._words, strict=False)
        )
        self._refine = dict(self._shown) if narrower and before[0] else None
        self._shown.clear()

    # --- changing ----------------------------------------------------------------------

    def put(self, task: Task) -> None:
        """Take a newer copy of a card. A card the board holds keeps its place (and the
        column it is shown in); a new one goes to the bottom of its column; an archived
        one leaves the board."""
        if task.archived:
            self.remove(task.key)
            return
        column_id = self._where.get(task.key)
        if column_id is None:
            cards = self._cards.get(task.column_id)
            if cards is None:
                return
            cards.append(task)
            self._where[task.key] = task.column_id
            self._changed(task.column_id)
            self._add_to_total(task.column_id, 1)
            return
        cards = self._cards[column_id]
        index = self._index(cards, task.key)
        if task.column_id != column_id:
            task = _in_column(task, self._column(column_id))
        cards[index] = task
        self._changed(column_id)

    def remove(self, key: str) -> Task | None:
        column_id = self._where.pop(key, None)
        if column_id is None:
            return None
        cards = self._cards[column_id]
        task = cards.pop(self._index(cards, key))
        self._changed(column_id)
        self._add_to_total(column_id, -1)
        return task

    def replace_column(self, column_id: int, tasks: list[Task]) -> None:
        """The column as the store has it now; its cards leave any other column."""
        if column_id not in self._cards:
            return
        for key in [k for k, c in self._where.items() if c == column_id]:
            del self._where[key]
        fresh = [t for t in tasks if not t.archived and t.column_id == column_id]
        for task in fresh:
            old = self._where.get(task.key)
            if old is not None:
                self.remove(task.key)
            self._where[task.key] = column_id
        self._cards[column_id] = fresh
        self._changed(column_id)
        if self.totals is not None:
            self.totals[column_id] = max(self.totals.get(column_id, 0), len(fresh))

    def move(self, key: str, column_id: int, shown_index: int) -> Placement | None:
        """Put a card at `shown_index` among the cards shown in a column (clamped).
        Returns where it went, or None when the board does not hold the card."""
        task = self.remove(key)
        if task is None:
            return None
        shown = self.shown(column_id)
        cards = self._cards[column_id]
        shown_index = max(0, min(shown_index, len(shown)))
        if shown_index < len(shown):
            index = self._index(cards, shown[shown_index].key)
        elif shown:
            index = self._index(cards, shown[-1].key) + 1
        else:
            index = len(cards)
        cards.insert(index, _in_column(task, self._column(column_id)))
        self._where[key] = column_id
        self._changed(column_id)
        self._add_to_total(column_id, 1)
        return Placement(column_id, index, shown_index)

    # --- helpers ------------------------------------------------------------------------

    def _changed(self, column_id: int) -> None:
        """The column's cards changed: what was shown and looked in is out of date."""
        self._shown.pop(column_id, None)
        if self._refine is not None:
            self._refine.pop(column_id, None)

    def _add_to_total(self, column_id: int, delta: int) -> None:
        if self.totals is not None:
            self.totals[column_id] = self.totals.get(column_id, 0) + delta

    def _column(self, column_id: int) -> Column:
        return next(c for c in self.columns if c.id == column_id)

    @staticmethod
    def _index(cards: list[Task], key: str) -> int:
        return next(i for i, t in enumerate(cards) if t.key == key)


def _in_column(task: Task, column: Column) -> Task:
    if task.column_id == column.id:
        return task
    return replace(task, column_id=column.id, column=column.name)
