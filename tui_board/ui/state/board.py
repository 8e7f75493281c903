"""The board's data as the screen holds it: a project's columns and their cards, in order.

Plain Python (no Textual, no I/O), so that moves, filters and live updates are quick to
reason about and to test. The screen changes it on the UI thread only; workers hand
their results over in messages. Each column's cards are held compactly (`cards.py`): a
board of 100,000 cards makes a `Task` only for the cards asked for.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from tui_board.core.models import Column, Project, Task
from tui_board.ui.state.cards import Cards, CardSequence, Shown, search_text

__all__ = ["BoardState", "CardSequence", "Cards", "Placement", "columns_of", "search_text"]

#: A filter: its words (lower case), and the login of "only mine" (None: everyone's).
_Filter = tuple[tuple[str, ...], str | None]
#: How many filters' shown cards are kept (the text typed, a letter at a time).
RECENT_FILTERS = 12


@dataclass(frozen=True)
class Placement:
    """Where a card went: its column, its index among the column's *other* cards (what
    `Backend.move_task` takes) and its index among the cards shown."""

    column_id: int
    index: int
    shown_index: int


class BoardState:
    """A project's columns, each holding its cards (not archived) in rank order, and
    the filter that decides which of them are shown.

    A big board is read a column at a time: with `totals` (cards per column id) every
    column holds only its first cards, and counts come from `totals` (`Cards.total`),
    until `fill` gives it all of its cards."""

    def __init__(
        self,
        project: Project,
        columns: list[Column],
        tasks: Iterable[Task] = (),
        *,
        totals: dict[int, int] | None = None,
        cards: dict[int, Cards] | None = None,
    ) -> None:
        self.project = project
        self.columns = list(columns)
        self._cards: dict[int, Cards] = {}
        for column in self.columns:
            given = cards.get(column.id) if cards is not None else None
            self._cards[column.id] = given if given is not None else Cards(column)
        for column_id, found in _by_column(tasks, self._cards).items():
            self._cards[column_id].extend(found)
        if totals is not None:
            for column_id, held in self._cards.items():
                held.total = totals.get(column_id, 0)
        self.query = ""
        self._words: tuple[str, ...] = ()
        self.only_login: str | None = None
        self._shown: dict[int, CardSequence] = {}
        #: What recent filters showed, by column (the latest last; the current one's is
        #: `_shown`): typing on looks only among the cards the shorter text let through,
        #: and taking a letter back shows what the shorter text showed, with no look at
        #: all the cards.
        self._recent: OrderedDict[_Filter, dict[int, CardSequence]] = OrderedDict()

    # --- reading ----------------------------------------------------------------------

    @property
    def filtered(self) -> bool:
        return bool(self.query) or self.only_login is not None

    @property
    def complete(self) -> bool:
        """Whether every card has been read (not just the first cards of some columns)."""
        return all(cards.total is None for cards in self._cards.values())

    @property
    def total(self) -> int:
        return sum(self.count(column.id) for column in self.columns)

    def column_index(self, column_id: int) -> int | None:
        return next((i for i, c in enumerate(self.columns) if c.id == column_id), None)

    def count(self, column_id: int) -> int:
        """Every card in the column, whatever the filter (what its WIP limit counts)."""
        cards = self._cards.get(column_id)
        return cards.size() if cards is not None else 0

    def cards(self, column_id: int) -> Cards:
        """Every card of the column (an empty one for a column the board has not)."""
        cards = self._cards.get(column_id)
        if cards is None:
            return Cards(Column(column_id, self.project.key, "", -1))
        return cards

    def shown(self, column_id: int) -> CardSequence:
        """The column's cards that pass the filter, in order (cached until a change)."""
        found = self._shown.get(column_id)
        if found is None:
            cards = self.cards(column_id)
            if not self.filtered:
                found = cards
            else:
                among = self._fewest_before(column_id)
                found = Shown(cards, cards.matching(self._words, self.only_login, among))
            self._shown[column_id] = found
        return found

    def _fewest_before(self, column_id: int) -> array[int] | None:
        """The fewest cards of the column a recent filter showed, when the filter now
        shows only cards among them (None: look at all the cards)."""
        now = (self._words, self.only_login)
        fewest: array[int] | None = None
        for before, shown in self._recent.items():
            found = shown.get(column_id)
            if not isinstance(found, Shown) or before == now or not _narrower(now, before):
                continue
            if fewest is None or len(found.places) < len(fewest):
                fewest = found.places
        return fewest

    def get(self, key: str) -> Task | None:
        column_id = self.column_of(key)
        if column_id is None:
            return None
        cards = self._cards[column_id]
        index = cards.index_of(key)
        return cards[index] if index is not None else None

    def column_of(self, key: str, likely: int | None = None) -> int | None:
        """The column holding the card `key` (looked for in `likely` first)."""
        order = list(self._cards)
        if likely in self._cards:
            order.remove(likely)
            order.insert(0, likely)
        for column_id in order:
            if self._cards[column_id].index_of(key) is not None:
                return column_id
        return None

    def matches(self, task: Task) -> bool:
        if self.only_login is not None and task.assignee != self.only_login:
            return False
        text = search_text(task)
        return all(word in text for word in self._words)

    # --- the filter --------------------------------------------------------------------

    def set_filter(
        self, query: str | None = None, *, only_login: str | bool | None = False
    ) -> None:
        """Change the text filter and/or "only mine" (`only_login=False` leaves it)."""
        if query is not None:
            self._words = tuple(query.lower().split())
            self.query = " ".join(self._words)
        if only_login is not False:
            self.only_login = only_login if isinstance(only_login, str) else None
        now = (self._words, self.only_login)
        if not self.filtered:
            self._shown = {}
            return
        recent = self._recent
        self._shown = recent.pop(now, {})
        recent[now] = self._shown
        while len(recent) > RECENT_FILTERS:
            recent.popitem(last=False)

    # --- changing ----------------------------------------------------------------------

    def put(self, task: Task) -> None:
        """Take a newer copy of a card. A card the board holds keeps its place (and the
        column it is shown in); a new one goes to the bottom of its column; an archived
        one leaves the board."""
        if task.archived:
            self.remove(task.key)
            return
        column_id = self.column_of(task.key, likely=task.column_id)
        if column_id is None:
            cards = self._cards.get(task.column_id)
            if cards is None:
                return
            cards.append(task)
            self._changed(task.column_id)
            self._add_to_total(task.column_id, 1)
            return
        cards = self._cards[column_id]
        index = cards.index_of(task.key)
        assert index is not None
        cards.set(index, task)
        self._changed(column_id)

    def remove(self, key: str, likely: int | None = None) -> Task | None:
        column_id = self.column_of(key, likely)
        if column_id is None:
            return None
        cards = self._cards[column_id]
        index = cards.index_of(key)
        assert index is not None
        task = cards.pop(index)
        self._changed(column_id)
        self._add_to_total(column_id, -1)
        return task

    def replace_column(self, column_id: int, tasks: Iterable[Task] | Cards) -> None:
        """The column as the store has it now (all of its cards: a list or a `Cards`
        with no `total`), or as it was (a `snapshot`); its cards leave any other
        column."""
        column = next((c for c in self.columns if c.id == column_id), None)
        if column is None:
            return
        if isinstance(tasks, Cards) and tasks.column == column:
            fresh = tasks
        else:
            fresh = Cards(column, (t for t in tasks if not t.archived and t.column_id == column_id))
        numbers = fresh.numbers()
        for other_id, other in self._cards.items():
            if other_id != column_id:
                gone = other.discard(numbers)
                if gone:
                    self._changed(other_id)
                    self._add_to_total(other_id, -gone)
        self._cards[column_id] = fresh
        self._changed(column_id)

    def fill(self, column_id: int, cards: Cards) -> None:
        """Every card of a column that held only its first ones (read a column at a
        time: `replace_column`)."""
        self.replace_column(column_id, cards)

    def snapshot(self, column_ids: Iterable[int]) -> dict[int, Cards]:
        """These columns' cards (and counts) as they are now, to put back with
        `replace_column`."""
        return {column_id: self.cards(column_id).copy() for column_id in column_ids}

    def move(self, key: str, column_id: int, shown_index: int) -> Placement | None:
        """Put a card at `shown_index` among the cards shown in a column (clamped).
        Returns where it went, or None when the board does not hold the card."""
        if column_id not in self._cards:
            return None
        task = self.remove(key, likely=column_id)
        if task is None:
            return None
        shown = self.shown(column_id)
        cards = self._cards[column_id]
        shown_index = max(0, min(shown_index, len(shown)))
        if shown_index < len(shown):
            index = shown.place(shown_index)
        elif shown:
            index = shown.place(len(shown) - 1) + 1
        else:
            index = len(cards)
        cards.insert(index, task)
        self._changed(column_id)
        self._add_to_total(column_id, 1)
        return Placement(column_id, index, shown_index)

    # --- helpers ------------------------------------------------------------------------

    def _changed(self, column_id: int) -> None:
        """The column's cards changed: what was shown and looked in is out of date."""
        self._shown.pop(column_id, None)
        for shown in self._recent.values():
            shown.pop(column_id, None)

    def _add_to_total(self, column_id: int, delta: int) -> None:
        cards = self._cards.get(column_id)
        if cards is not None and cards.total is not None:
            cards.total += delta


def _narrower(filter: _Filter, than: _Filter) -> bool:
    """Whether `filter` lets through only cards that `than` lets through: the same
    "only mine", and each of `than`'s words inside one of its words (a text holding the
    longer word holds the shorter)."""
    (words, login), (words_than, login_than) = filter, than
    return login == login_than and all(any(old in new for new in words) for old in words_than)


def columns_of(columns: Iterable[Column], tasks: Iterable[Task]) -> dict[int, Cards]:
    """Each column's cards (not archived) among `tasks`, in their order."""
    cards = {column.id: Cards(column) for column in columns}
    for column_id, found in _by_column(tasks, cards).items():
        cards[column_id].extend(found)
    return cards


def _by_column(tasks: Iterable[Task], columns: Iterable[int]) -> dict[int, list[Task]]:
    """The cards (not archived) of these columns, by column id."""
    wanted = set(columns)
    found: dict[int, list[Task]] = {}
    for task in tasks:
        if task.column_id in wanted and not task.archived:
            found.setdefault(task.column_id, []).append(task)
    return found
