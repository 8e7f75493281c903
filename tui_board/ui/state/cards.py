"""A column's cards, held compactly: what a board of 100,000 cards keeps in memory.

A `Task` is some 500 bytes with its numbers, dates and texts; 100,000 of them were most
of the app's memory, for cards of which the screen shows a few dozen. A column keeps its
cards field by field instead: numbers in arrays (8 bytes a card, no object each), the
texts cards share (project, column, login, priority, tags) once, and per card only its
title, its description and what the filter looks in. A `Task` is made when a card is
asked for (`cards[i]`: the cards on screen, the focused one) and kept while it is in use
(`MADE` of them), so that the same card is the same object from one frame to the next.

The compact form gives every field back exactly as it was given (a test holds it to
that, field by field); a card it cannot hold exactly (a key that is not its project's
and number, a moment not in UTC) is kept whole beside it.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, MutableSequence, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import compress, repeat
from operator import contains
from sys import intern
from typing import Any, overload

from tui_board.core.models import Column, ColumnCards, Task

#: An integer field's None (an estimate, a moment).
NONE = -(1 << 63)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def search_text(task: Task) -> str:
    """What the filter looks in: key, title, assignee and tags, lower case."""
    return _search_text(task.key, task.title, task.assignee, task.tags)


def _search_text(key: str, title: str, assignee: str | None, tags: tuple[str, ...]) -> str:
    return f"{key} {title} {assignee or ''} {_hashtags(tags)}".lower()


@lru_cache(maxsize=4096)
def _hashtags(tags: tuple[str, ...]) -> str:
    """`#ux #bug` (the same few sets of tags on many cards)."""
    return " ".join(f"#{tag}" for tag in tags)


class CardSequence(Sequence[Task]):
    """Cards in order, as a column shows them: every card of the column (`Cards`) or
    those the filter lets through (`Shown`). Looking a card up by its key, and where
    it is in its column, costs no `Task`."""

    @overload
    def __getitem__(self, index: int) -> Task: ...
    @overload
    def __getitem__(self, index: slice) -> list[Task]: ...
    def __getitem__(self, index: int | slice) -> Task | list[Task]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self)))]
        return self._at(index)

    def _at(self, index: int) -> Task:
        """The card at `index` (negative: from the end), as a `Task`."""
        raise NotImplementedError

    def key_at(self, index: int) -> str:
        raise NotImplementedError

    def index_of(self, key: str, guess: int = -1) -> int | None:
        """Where the card `key` is (looked for at `guess` first), or None."""
        raise NotImplementedError

    def place(self, index: int) -> int:
        """The place in its column of the card at `index`."""
        raise NotImplementedError

    def nearest(self, place: int) -> int:
        """The index of the card whose place in the column is nearest to `place` (the
        earlier of two as near); 0 when there is none."""
        raise NotImplementedError


class Cards(CardSequence):
    """The cards of one column, in order (see the module's doc)."""

    #: How many cards made as `Task` are kept (a screen shows a few dozen).
    MADE = 2048

    def __init__(self, column: Column, tasks: Iterable[Task] = ()) -> None:
        self.column = column
        #: How many cards the column has, when these are only its first ones (a big
        #: board's first page); None: these are all of them.
        self.total: int | None = None
        self._prefix = f"{column.project}-"
        self._ids = array("q")
        self._numbers = array("q")
        self._ranks = array("d")
        self._estimates = array("q")
        self._dues = array("i")  # date.toordinal(), 0: none
        self._logged = array("q")
        self._created = array("q")  # microseconds since 1970 (UTC)
        self._versions = array("q")
        self._starts = array("i")  # date.toordinal(), 0: none
        self._titles: list[str] = []
        self._descriptions: list[str] = []
        self._assignees: list[str | None] = []
        self._priorities: list[str] = []
        self._tags: list[tuple[str, ...]] = []
        self._milestones: list[str | None] = []
        #: What the filter looks in, card by card (`search_text`).
        self._texts: list[str] = []
        #: Cards the compact form cannot give back exactly, whole, by id.
        self._odd: dict[int, Task] = {}
        #: Cards made as `Task`, by id (at most `MADE`).
        self._made: dict[int, Task] = {}
        #: The search texts joined a block at a time (`_Block`; None: to be joined).
        self._blocks: list[_Block | None] = []
        self.extend(tasks)

    @classmethod
    def of(cls, column: Column, rows: ColumnCards) -> Cards:
        """A column's cards as the store gives them (`Backend.column_cards`)."""
        cards = cls(column)
        cards.add(rows)
        return cards

    def add(self, rows: ColumnCards) -> None:
        """Cards as the store gives them (`Backend.column_cards`), after these: packed
        field by field, no `Task` made."""
        if rows.project != self.column.project or not all(map(_utc, rows.created)):
            self.extend(rows.tasks())  # not the compact form's: card by card
            return
        keys = [self._prefix + str(number) for number in rows.numbers]
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        values: tuple[Iterable[Any], ...] = (
            rows.ids,
            rows.numbers,
            rows.ranks,
            [NONE if estimate is None else estimate for estimate in rows.estimates],
            [0 if due is None else due.toordinal() for due in rows.dues],
            rows.logged,
            [(moment - EPOCH) // MICROSECOND for moment in rows.created],  # type: ignore[operator]
            rows.versions,
            [0 if start is None else start.toordinal() for start in rows.starts],
            rows.titles,
            rows.descriptions,
            # (shared, whichever backend read them: a team server's come as JSON)
            [None if login is None else intern(login) for login in rows.assignees],
            list(map(intern, rows.priorities)),
            [shared.setdefault(tags, tags) for tags in rows.tags],
            [None if name is None else intern(name) for name in rows.milestones],
            list(map(_search_text, keys, rows.titles, rows.assignees, rows.tags)),
        )
        self._texts_changed(len(self))
        for store, given in zip(self._stores(), values, strict=True):
            store.extend(given)

    def last(self) -> tuple[float, int] | None:
        """The rank and id of the last card (where the next page of the column starts;
        None when there is none)."""
        return (self._ranks[-1], self._ids[-1]) if self._ids else None

    def _stores(self) -> tuple[MutableSequence[Any], ...]:
        """Every field's store, in the order `_encode` gives a card's values."""
        return (
            self._ids,
            self._numbers,
            self._ranks,
            self._estimates,
            self._dues,
            self._logged,
            self._created,
            self._versions,
            self._starts,
            self._titles,
            self._descriptions,
            self._assignees,
            self._priorities,
            self._tags,
            self._milestones,
            self._texts,
        )

    def _encode(self, task: Task) -> tuple[Any, ...]:
        """A card's values for `_stores` (a card not held exactly goes to `_odd`)."""
        created = task.created
        exact = task.key == self._prefix + str(task.number) and task.project == self.column.project
        if created is None:
            moment = NONE
        elif _utc(created):
            moment = (created - EPOCH) // MICROSECOND
        else:
            moment, exact = NONE, False
        estimate = NONE if task.estimate is None else task.estimate
        if not exact or (estimate == NONE and task.estimate is not None):
            self._odd[task.id] = _in_column(task, self.column)
        assignee = task.assignee
        return (
            task.id,
            task.number,
            task.rank,
            estimate,
            task.due.toordinal() if task.due is not None else 0,
            task.logged,
            moment,
            task.version,
            task.start.toordinal() if task.start is not None else 0,
            task.title,
            task.description,
            intern(assignee) if assignee is not None else None,
            intern(task.priority),
            task.tags,
            intern(task.milestone) if task.milestone is not None else None,
            search_text(task),
        )

    def _make(self, index: int) -> Task:
        card_id = self._ids[index]
        odd = self._odd.get(card_id)
        if odd is not None:
            return odd
        column = self.column
        estimate = self._estimates[index]
        due = self._dues[index]
        created = self._created[index]
        number = self._numbers[index]
        start = self._starts[index]
        return Task(
            card_id,
            self._prefix + str(number),
            column.project,
            number,
            self._titles[index],
            column.id,
            column.name,
            self._ranks[index],
            self._descriptions[index],
            self._assignees[index],
            None if estimate == NONE else estimate,
            date.fromordinal(due) if due else None,
            self._priorities[index],  # type: ignore[arg-type]
            self._tags[index],
            False,
            self._logged[index],
            None if created == NONE else EPOCH + created * MICROSECOND,
            self._versions[index],
            date.fromordinal(start) if start else None,
            self._milestones[index],
        )

    # --- reading ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ids)

    def _at(self, index: int) -> Task:
        card_id = self._ids[index]  # (an IndexError past the end, as a list's)
        task = self._made.get(card_id)
        if task is None:
            task = self._make(index if index >= 0 else index + len(self))
            if len(self._made) >= self.MADE:
                self._made.clear()
            self._made[card_id] = task
        return task

    def __iter__(self) -> Iterator[Task]:
        return (self[i] for i in range(len(self)))

    def key_at(self, index: int) -> str:
        card_id = self._ids[index]
        odd = self._odd.get(card_id)
        return odd.key if odd is not None else self._prefix + str(self._numbers[index])

    def index_of(self, key: str, guess: int = -1) -> int | None:
        if 0 <= guess < len(self) and self.key_at(guess) == key:
            return guess
        if self._odd:
            for task in self._odd.values():
                if task.key == key:
                    return self._ids.index(task.id)
        number = _number(key, self._prefix)
        if number is None:
            return None
        try:
            index = self._numbers.index(number)
        except ValueError:
            return None
        return index if self.key_at(index) == key else None

    def place(self, index: int) -> int:
        if not 0 <= index < len(self):
            raise IndexError(index)
        return index

    def nearest(self, place: int) -> int:
        return max(0, min(place, len(self) - 1))

    def numbers(self) -> set[int]:
        """The numbers of the cards (their keys without the project's)."""
        return set(self._numbers)

    def matching(
        self, words: Sequence[str], login: str | None, among: Sequence[int] | None = None
    ) -> array[int]:
        """The places of the cards (of those at `among`, in order, when given) whose
        assignee is `login` (None: anyone's) and whose `search_text` holds every word."""
        texts, assignees = self._texts, self._assignees
        words = sorted(words, key=len, reverse=True)  # the longest first: the fewest pass
        places: Sequence[int]
        if words:
            places, words = self._holding(words[0], among), words[1:]
        else:
            places = range(len(texts)) if among is None else among
        if login is not None:
            places = [i for i in places if assignees[i] == login]
        for word in words:
            places = [i for i in places if word in texts[i]]
        if isinstance(places, array) and places is not among:
            return places
        return array("q", places)

    def _holding(self, word: str, among: Sequence[int] | None = None) -> array[int]:
        """The places of every card (of those at `among`, when given) whose
        `search_text` holds `word`, in order.

        Among a few cards, a look into each. Else in the texts joined a block of cards at
        a time, where a word few cards hold costs a pass of `str.find` over the text
        rather than a look into each card's; once a block shows that many cards hold
        it, a look into each card from there on (only those at `among`: a look costs
        about the same whatever the word, so the fewer cards the better)."""
        texts = self._texts
        if among is not None and len(among) * _FEW <= len(texts):
            return array("q", [i for i in among if word in texts[i]])
        if not word or _SEPARATOR in word:
            return self._looked_into(word, 0, among)
        found = array("q")
        wanted: set[int] | None = None
        for block in self.search_blocks():
            held = block.holding(word)
            if held is None:  # a word many cards hold: from here on, card by card
                rest = self._looked_into(word, block.first, among)
                return found + rest if found else rest
            if among is not None and held:
                wanted = set(among) if wanted is None else wanted
                held = [i for i in held if i in wanted]
            found.extend(held)
        return found

    def _looked_into(self, word: str, start: int, among: Sequence[int] | None) -> array[int]:
        """The places from `start` on (of those at `among`) whose text holds `word`,
        a look into each card's text."""
        texts = self._texts
        if among is not None:
            return array("q", [i for i in among[bisect_left(among, start) :] if word in texts[i]])
        rest = texts[start:] if start else texts
        return array("q", compress(range(start, len(texts)), map(contains, rest, repeat(word))))

    def search_blocks(self) -> list[_Block]:
        """The search texts joined a block at a time, joined now where a change (or
        none yet) left them to be (a worker calls it on the cards it read, so that the
        first filter finds them ready)."""
        blocks, texts = self._blocks, self._texts
        wanted = -(-len(texts) // _BLOCK)
        del blocks[wanted:]
        blocks.extend([None] * (wanted - len(blocks)))
        for index, block in enumerate(blocks):
            if block is None:
                blocks[index] = _Block(texts, index * _BLOCK)
        return blocks  # type: ignore[return-value]

    def _texts_changed(self, index: int, *, shifted: bool = True) -> None:
        """The search text of the card at `index` changed (and with `shifted`, of
        every card after it: one came or went): its block (and those after) must be
        joined again."""
        block = index // _BLOCK
        if shifted:
            del self._blocks[block:]
        elif block < len(self._blocks):
            self._blocks[block] = None

    # --- changing ---------------------------------------------------------------------

    def append(self, task: Task) -> None:
        self.insert(len(self), task)

    def extend(self, tasks: Iterable[Task]) -> None:
        rows = [self._encode(task) for task in tasks]
        if rows:
            self._texts_changed(len(self))
            for store, values in zip(self._stores(), zip(*rows, strict=True), strict=True):
                store.extend(values)

    def insert(self, index: int, task: Task) -> None:
        self._texts_changed(min(index, len(self)) if index >= 0 else 0)
        for store, value in zip(self._stores(), self._encode(task), strict=True):
            store.insert(index, value)

    def pop(self, index: int) -> Task:
        task = self[index]
        card_id = self._ids[index]
        self._texts_changed(index if index >= 0 else index + len(self))
        for store in self._stores():
            store.pop(index)
        self._odd.pop(card_id, None)
        self._made.pop(card_id, None)
        return task

    def discard(self, numbers: set[int]) -> int:
        """Take out the cards with these numbers; how many there were."""
        if not numbers or numbers.isdisjoint(self._numbers):
            return 0
        places = [i for i, number in enumerate(self._numbers) if number in numbers]
        for index in reversed(places):
            self.pop(index)
        return len(places)

    def set(self, index: int, task: Task) -> None:
        """The card at `index` replaced by `task` (a newer copy of it)."""
        old = self._ids[index]
        self._texts_changed(index if index >= 0 else index + len(self), shifted=False)
        self._odd.pop(old, None)
        self._made.pop(old, None)
        for store, value in zip(self._stores(), self._encode(task), strict=True):
            store[index] = value

    def copy(self) -> Cards:
        """The cards as they are now (a copy that later changes leave alone)."""
        copied = Cards(self.column)
        for store, mine in zip(copied._stores(), self._stores(), strict=True):
            store.extend(mine)
        copied._odd = dict(self._odd)
        copied._blocks = list(self._blocks)  # (never changed in place: shared)
        copied.total = self.total
        return copied

    def size(self) -> int:
        """How many cards the column has (not only those held, for a first page)."""
        return len(self) if self.total is None else self.total


class Shown(CardSequence):
    """The cards of a column that the filter lets through: their places in it."""

    def __init__(self, cards: Cards, places: array[int]) -> None:
        self.cards = cards
        self.places = places

    def __len__(self) -> int:
        return len(self.places)

    def _at(self, index: int) -> Task:
        return self.cards[self.places[index]]

    def key_at(self, index: int) -> str:
        return self.cards.key_at(self.places[index])

    def index_of(self, key: str, guess: int = -1) -> int | None:
        if 0 <= guess < len(self) and self.key_at(guess) == key:
            return guess
        place = self.cards.index_of(key)
        if place is None:
            return None
        index = bisect_left(self.places, place)
        return index if index < len(self.places) and self.places[index] == place else None

    def place(self, index: int) -> int:
        return self.places[index]

    def nearest(self, place: int) -> int:
        places = self.places
        index = bisect_left(places, place)
        if index == len(places):
            return max(0, index - 1)
        if index > 0 and place - places[index - 1] <= places[index] - place:
            return index - 1
        return index


#: Cards whose search texts are joined in one string (`_Block`), and what joins them.
_BLOCK = 4096
_SEPARATOR = "\x00"
#: Past one card in this many holding a word, a block is looked in card by card.
_DENSE = 12
#: Among at most one card in this many, each card is looked into (no joined texts: a
#: look costs about what a word's find costs a card holding it).
_FEW = 2


class _Block:
    """The search texts of up to `_BLOCK` cards from `first` on, joined by
    `_SEPARATOR`, and where each starts in the joined string.

    A word without the separator is found in the joined string only inside one card's
    text (a match cannot run over a separator), so the card holding it is the one
    whose text starts last at or before the match. Kept apart per block: a text with a
    character beyond Latin-1 makes its whole string wider, and a change rebuilds only
    the blocks from the card changed on."""

    __slots__ = ("first", "joined", "starts")

    def __init__(self, texts: Sequence[str], first: int) -> None:
        mine = texts[first : first + _BLOCK]
        self.first = first
        self.joined = _SEPARATOR.join(mine)
        starts = array("q", [0])
        at = 0
        for text in mine:
            at += len(text) + 1
            starts.append(at)
        self.starts = starts

    def holding(self, word: str) -> list[int] | None:
        """The places of the block's cards whose text holds `word` (no separator);
        None when many do (one card in `_DENSE` or more, once a few are found): a look
        into each text then costs less than a `find` and a bisect for each card."""
        first, starts = self.first, self.starts
        find = self.joined.find
        found: list[int] = []
        at = find(word)
        while at >= 0:
            index = bisect_right(starts, at) - 1
            found.append(first + index)
            if len(found) >= 16 and index < len(found) * _DENSE:
                return None
            at = find(word, starts[index + 1])
        return found


def _utc(moment: datetime | None) -> bool:
    """Whether the compact form holds this moment exactly (microseconds since 1970)."""
    return moment is not None and moment.tzinfo is UTC and not moment.fold


def _number(key: str, prefix: str) -> int | None:
    """The number of a key that starts with `prefix` (`WEB-12`: 12), else None."""
    if not key.startswith(prefix):
        return None
    digits = key[len(prefix) :]
    return int(digits) if digits.isdigit() and digits.isascii() else None


def _in_column(task: Task, column: Column) -> Task:
    """The card as a card of `column` (where a board holds it)."""
    if task.column_id == column.id and task.column == column.name:
        return task
    return replace(task, column_id=column.id, column=column.name)
