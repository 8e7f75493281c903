"""A column's cards held compactly (ui/state/cards.py): every field given back exactly,
no `Task` made for a card nobody asks for, positions found without making any."""

from __future__ import annotations

import tracemalloc
from array import array
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from tui_board.core.models import PRIORITIES, Column, ColumnCards, Task
from tui_board.ui.state import cards as cards_module
from tui_board.ui.state.cards import Cards, Shown, search_text

COLUMN = Column(7, "WEB", "Doing", 1, "active", 3)
OTHER = Column(8, "WEB", "Done", 2, "done")
START = datetime(2026, 11, 25, 9, 30, 15, 123456, tzinfo=UTC)

moments = st.one_of(
    st.none(),
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(),  # naive
    st.datetimes(timezones=st.sampled_from([timezone(timedelta(hours=2)), UTC])),
)


@st.composite
def tasks(draw: st.DrawFn) -> list[Task]:
    numbers = draw(st.lists(st.integers(1, 2**31 - 1), unique=True, max_size=12))
    found = []
    for index, number in enumerate(numbers):
        project = draw(st.sampled_from(["WEB", "WEB", "APP"]))
        key = draw(st.sampled_from([f"{project}-{number}", f"{project}-{number}", "ODD-1"]))
        found.append(
            Task(
                id=index + 1,
                key=key,
                project=project,
                number=number,
                title=draw(st.text(max_size=30)),
                column_id=draw(st.sampled_from([COLUMN.id, OTHER.id])),
                column=draw(st.sampled_from([COLUMN.name, OTHER.name])),
                rank=draw(st.floats(allow_nan=False)),
                description=draw(st.text(max_size=20)),
                assignee=draw(st.sampled_from([None, "alice", "bob"])),
                estimate=draw(st.one_of(st.none(), st.integers(0, 2**40))),
                due=draw(st.one_of(st.none(), st.dates())),
                priority=draw(st.sampled_from(PRIORITIES)),
                tags=tuple(draw(st.lists(st.sampled_from(["ux", "bug", "é"]), max_size=3))),
                logged=draw(st.integers(0, 2**40)),
                created=draw(moments),
                version=draw(st.integers(1, 2**40)),
            )
        )
    return found


def as_held(task: Task, column: Column = COLUMN) -> Task:
    """The card as a column holds it: in that column."""
    return replace(task, column_id=column.id, column=column.name)


@settings(max_examples=200, deadline=None)
@given(tasks())
def test_every_field_comes_back_exactly_as_it_was_given(given_tasks: list[Task]) -> None:
    cards = Cards(COLUMN, given_tasks)
    # repr: the same values of the same types (a moment's zone too), field by field
    assert [repr(t) for t in cards] == [repr(as_held(t)) for t in given_tasks]
    assert [cards.key_at(i) for i in range(len(cards))] == [t.key for t in given_tasks]
    for index, task in enumerate(given_tasks):
        if task.key != "ODD-1" or index == next(
            i for i, t in enumerate(given_tasks) if t.key == "ODD-1"
        ):
            assert cards.index_of(task.key) == index


def rows(count: int, *, created: datetime | None = START) -> ColumnCards:
    """A column of `count` cards as the store gives them."""
    return ColumnCards(
        "WEB",
        COLUMN.id,
        COLUMN.name,
        ids=tuple(range(1, count + 1)),
        numbers=tuple(range(101, count + 101)),
        titles=tuple(f"Card number {i} of the board" for i in range(count)),
        ranks=tuple(1024.0 * i for i in range(count)),
        descriptions=tuple("" if i % 3 else "more" for i in range(count)),
        assignees=tuple(("alice", "bob", None)[i % 3] for i in range(count)),
        estimates=tuple(None if i % 4 else 90 for i in range(count)),
        dues=tuple(None if i % 2 else date(2026, 12, 1) + timedelta(i % 40) for i in range(count)),
        priorities=tuple(PRIORITIES[i % 4] for i in range(count)),
        tags=tuple(((), ("ux",), ("ux", "bug"))[i % 3] for i in range(count)),
        logged=tuple(i % 500 for i in range(count)),
        created=tuple(created and created + timedelta(seconds=i) for i in range(count)),
        versions=tuple(1 + i % 7 for i in range(count)),
        starts=tuple(None if i % 5 else date(2026, 11, 2) + timedelta(i % 9) for i in range(count)),
        milestones=tuple(None if i % 6 else "Beta" for i in range(count)),
    )


def test_a_column_as_the_store_gives_it_is_held_field_by_field() -> None:
    given_rows = rows(50)
    cards = Cards.of(COLUMN, given_rows)
    assert not cards._made  # no Task made for a card nobody asked for
    assert [repr(t) for t in cards] == [repr(t) for t in given_rows.tasks()]
    assert [cards._texts[i] for i in range(50)] == [search_text(t) for t in given_rows.tasks()]
    # Moments not in UTC (a store that kept them otherwise) are kept as they came.
    naive = rows(5, created=START.replace(tzinfo=None))
    assert [repr(t) for t in Cards.of(COLUMN, naive)] == [repr(t) for t in naive.tasks()]
    # Page after page: the next starts after the last card's rank and id.
    paged = Cards.of(COLUMN, rows(3))
    assert paged.last() == (2048.0, 3)
    assert Cards(COLUMN).last() is None


def test_a_card_is_made_when_asked_for_and_stays_the_same_object() -> None:
    cards = Cards.of(COLUMN, rows(20))
    first = cards[3]
    assert cards[3] is first and cards[-17] is first
    assert len(cards._made) == 1
    cards.set(3, replace(first, title="Renamed", version=2))
    assert cards[3] is not first and cards[3].title == "Renamed"
    assert cards[2:4] == [cards[2], cards[3]]


def test_a_board_keeps_a_card_in_a_few_hundred_bytes() -> None:
    """What 100,000 cards cost: a Task each was some 500 bytes (with its texts); held
    field by field, a card is its title, the filter's text and a few numbers."""
    given_rows = rows(20_000)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cards = Cards.of(COLUMN, given_rows)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(cards) == 20_000
    assert held / 20_000 < 320, f"{held / 20_000:.0f} bytes a card"


def test_a_copy_is_left_alone_by_later_changes() -> None:
    cards = Cards.of(COLUMN, rows(6))
    before = [repr(t) for t in cards]
    copy = cards.copy()
    moved = cards.pop(0)
    cards.insert(3, moved)
    cards.set(1, replace(cards[1], title="x"))
    assert cards.discard({103, 104}) == 2
    assert [repr(t) for t in copy] == before


def old_nearest(cards: list[str], shown: list[str], place: int) -> int:
    """The board's `_nearest` before cards were held compactly: the index in `shown` of
    the card whose place in `cards` is nearest to `place` (the earlier of two)."""
    best, best_distance, next_shown = 0, None, 0
    for index, key in enumerate(cards):
        if next_shown == len(shown):
            break
        if key == shown[next_shown]:
            distance = abs(index - place)
            if best_distance is None or distance < best_distance:
                best, best_distance = next_shown, distance
            elif index > place:
                break
            next_shown += 1
    return best


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.booleans(), min_size=1, max_size=30),
    st.integers(0, 40),
    st.integers(-1, 40),
)
def test_positions_are_found_without_making_cards(
    passing: list[bool], place: int, guess: int
) -> None:
    cards = Cards.of(COLUMN, rows(len(passing)))
    keys = [cards.key_at(i) for i in range(len(cards))]
    shown = Shown(cards, array("q", [i for i, p in enumerate(passing) if p]))
    shown_keys = [shown.key_at(i) for i in range(len(shown))]
    if shown_keys:
        assert shown.nearest(place) == old_nearest(keys, shown_keys, place)
    assert cards.nearest(place) == min(place, len(cards) - 1)
    for key in keys:
        index = shown.index_of(key, guess)
        assert index == (shown_keys.index(key) if key in shown_keys else None)
        assert cards.index_of(key, guess) == keys.index(key)
    assert cards.index_of("WEB-1") is None and cards.index_of("APP-101") is None
    assert not cards._made


# --- the filter's look into the texts (Cards.matching) ------------------------------------

#: Titles a user may give: case, letters beyond Latin-1 (a wider joined string), the
#: separator the texts are joined with, line breaks, repeated letters.
hostile_titles = st.text(
    alphabet=st.sampled_from([*"abcAB z", "é", "ß", "İ", "木", "\x00", "\n", "🙂"]), max_size=12
)
hostile_words = st.lists(
    st.sampled_from([*"abcz", "é", "ß", "i̇", "木", "\x00", "\n", "🙂", "#", "-"]),
    min_size=1,
    max_size=3,
).map("".join)


PEOPLE = [None, "alice", "bob"]


def held_by_hand(cards: Cards, words: list[str], login: str | None) -> list[int]:
    """The rule, card by card: every word in the card's `search_text`, and its assignee
    `login` when one is given."""
    return [
        i
        for i, task in enumerate(cards)
        if all(word in search_text(task) for word in words)
        and (login is None or task.assignee == login)
    ]


def hostile_task(number: int, title: str, assignee: str | None) -> Task:
    return Task(number, f"WEB-{number}", "WEB", number, title, COLUMN.id, COLUMN.name, 1.0,
                assignee=assignee)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    titles=st.lists(st.tuples(hostile_titles, st.sampled_from(PEOPLE)), max_size=40),
    queries=st.lists(
        st.tuples(st.lists(hostile_words, max_size=3), st.sampled_from([None, "alice"])),
        min_size=1,
        max_size=6,
    ),
    changes=st.lists(st.tuples(st.sampled_from("ipsa"), st.integers(0, 60), hostile_titles)),
    block=st.sampled_from([1, 3, 7, 4096]),
)
def test_the_joined_texts_find_what_a_look_into_each_card_finds(
    titles: list[tuple[str, str | None]],
    queries: list[tuple[list[str], str | None]],
    changes: list[tuple[str, int, str]],
    block: int,
) -> None:
    """Blocks of 1, 3 and 7 cards (and the real size): words that cross a block's end,
    hold the separator, widen a block's string, or many cards hold; the blocks joined
    again after cards come, go and change."""
    with patch.object(cards_module, "_BLOCK", block):
        cards = Cards(COLUMN, [hostile_task(i + 1, t, who) for i, (t, who) in enumerate(titles)])
        number = len(titles) + 1
        for step, (words, login) in enumerate(queries):
            words = [w.lower() for w in words]
            places = list(cards.matching(words, login))
            assert places == held_by_hand(cards, words, login), (words, login)
            among = places if step % 2 else None  # as the board does for a longer text
            assert list(cards.matching(words, login, among)) == places
            # among the cards a shorter text let through (each word less its last letter)
            wider = cards.matching([w[:-1] for w in words], login)
            assert list(cards.matching(words, login, wider)) == places, (words, login)
            if not changes:
                continue
            what, where, title = changes[step % len(changes)]
            where = where % (len(cards) + 1)
            number += 1
            if what == "i":
                cards.insert(where, hostile_task(number, title, "bob"))
            elif what == "a":
                cards.extend([hostile_task(number, title, None)])
            elif where < len(cards) and what == "p":
                cards.pop(where)
            elif where < len(cards):
                cards.set(where, replace(cards[where], title=title))


@settings(max_examples=150, deadline=None)
@given(
    rare=st.integers(0, 300),  # cards before the word becomes common
    every=st.integers(1, 20),  # then one card in this many holds it
    keep=st.integers(1, 8),  # `among`: one card in this many, or (8) none given
    block=st.sampled_from([32, 64, 4096]),
)
def test_a_word_rare_then_common_is_found_among_the_cards_given(
    rare: int, every: int, keep: int, block: int
) -> None:
    """A word few cards hold in the first blocks and many in later ones (the look into
    the joined texts gives way to a look into each card part way), among some of the
    cards or all of them."""
    titles = [
        "zebra crossing" if (i < rare and i % 97 == 5) or (i >= rare and i % every == 0)
        else "plain card"
        for i in range(400)
    ]  # fmt: skip
    with patch.object(cards_module, "_BLOCK", block):
        cards = Cards(COLUMN, [hostile_task(i + 1, t, None) for i, t in enumerate(titles)])
        among = None if keep == 8 else array("q", range(0, 400, keep))
        expected = [i for i in held_by_hand(cards, ["zebra"], None) if among is None or i in among]
        assert list(cards.matching(["zebra"], None, among)) == expected


def test_a_word_few_cards_hold_is_found_without_a_look_into_each_card() -> None:
    """On 20,000 cards a word two cards hold is found in the joined texts (a `find`
    per block and per card holding it), a word every card holds card by card."""
    cards = Cards.of(COLUMN, rows(20_000))
    cards.search_blocks()
    assert len(cards._blocks) == 5  # (4,096 cards a block)
    assert list(cards.matching(["number 19999 "], None)) == [19_999]
    assert list(cards.matching(["web-102 "], None)) == [1]
    assert len(cards.matching(["card"], None)) == 20_000
    assert len(cards.matching(["card", "#bug"], "bob")) == len(
        held_by_hand(cards, ["card", "#bug"], "bob")
    )
    cards.set(3, replace(cards[3], title="Zebra"))
    assert [block is None for block in cards._blocks] == [True, False, False, False, False]
    assert list(cards.matching(["zebra"], None)) == [3]
    cards.pop(5000)
    assert [block is None for block in cards._blocks[:1]] == [False]
    assert len(cards._blocks) == 1  # the blocks from the card taken out are joined again
    assert list(cards.matching(["number 19999 "], None)) == [19_998]
