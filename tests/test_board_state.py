"""The board's state without a screen: moves and where they land, filters (also typed
on, a letter at a time), live updates, a board read a page at a time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from tui_board.core.models import Column, Project, Task
from tui_board.ui.state.board import BoardState, Cards, search_text

PROJECT = Project(1, "WEB", "Web site")
COLUMNS = [Column(10, "WEB", "To do", 0), Column(11, "WEB", "Doing", 1, "active", 2)]
WORDS = ["fix", "login", "form", "add", "dark", "mode", "docs", "cache"]
PEOPLE = ["alice", "bob", None]


def card(number: int, column: int = 10, title: str = "", **fields: object) -> Task:
    column_name = next(c.name for c in COLUMNS if c.id == column)
    task = Task(
        id=number,
        key=f"WEB-{number}",
        project="WEB",
        number=number,
        title=title or f"Card {number}",
        column_id=column,
        column=column_name,
        rank=float(number),
    )
    return replace(task, **fields)  # type: ignore[arg-type]


def keys(cards: Iterable[Task]) -> list[str]:
    return [t.key for t in cards]


def board(*tasks: Task) -> BoardState:
    return BoardState(PROJECT, COLUMNS, list(tasks))


def test_cards_go_to_their_columns_in_order_and_archived_ones_stay_out() -> None:
    state = board(card(1), card(2, 11), card(3), card(4, archived=True))
    assert keys(state.shown(10)) == ["WEB-1", "WEB-3"]
    assert keys(state.shown(11)) == ["WEB-2"]
    assert state.total == 3 and state.count(10) == 2
    assert state.get("WEB-4") is None


def test_a_move_lands_where_asked_and_says_where_for_the_store() -> None:
    state = board(card(1), card(2), card(3), card(4, 11), card(5, 11))
    placement = state.move("WEB-1", 11, 1)
    assert placement is not None
    assert (placement.column_id, placement.index, placement.shown_index) == (11, 1, 1)
    assert keys(state.shown(11)) == ["WEB-4", "WEB-1", "WEB-5"]
    assert keys(state.shown(10)) == ["WEB-2", "WEB-3"]
    moved = state.get("WEB-1")
    assert moved is not None and moved.column_id == 11 and moved.column == "Doing"
    # Down one in its column: after the card that was below it.
    down = state.move("WEB-2", 10, 1)
    assert down is not None and (down.index, down.shown_index) == (1, 1)
    assert keys(state.shown(10)) == ["WEB-3", "WEB-2"]
    # Past the end: at the bottom.
    state.move("WEB-3", 11, 99)
    assert keys(state.shown(11))[-1] == "WEB-3"
    assert state.move("WEB-99", 10, 0) is None


def test_a_move_under_a_filter_lands_next_to_the_cards_shown() -> None:
    state = board(
        card(1, title="fix login"),
        card(2, title="add docs"),
        card(3, title="fix form"),
        card(4, 11, title="add cache"),
        card(5, 11, title="fix cache"),
    )
    state.set_filter("fix")
    assert keys(state.shown(11)) == ["WEB-5"]
    placement = state.move("WEB-3", 11, 0)  # above WEB-5, which is below a hidden card
    assert placement is not None and placement.index == 1
    assert keys(state.cards(11)) == ["WEB-4", "WEB-3", "WEB-5"]
    assert keys(state.shown(11)) == ["WEB-3", "WEB-5"]


def test_the_filter_looks_in_key_title_assignee_and_tags() -> None:
    state = board(
        card(1, title="Fix login", assignee="alice"),
        card(2, title="Dark mode", tags=("ux",)),
        card(13, title="Docs", assignee="bob"),
    )
    for query, expected in (
        ("login", ["WEB-1"]),
        ("#ux", ["WEB-2"]),
        ("bob", ["WEB-13"]),
        ("web-1", ["WEB-1", "WEB-13"]),
        ("web-1 docs", ["WEB-13"]),
        ("", ["WEB-1", "WEB-2", "WEB-13"]),
    ):
        state.set_filter(query)
        assert keys(state.shown(10)) == expected, query
    state.set_filter("", only_login="alice")
    assert keys(state.shown(10)) == ["WEB-1"]
    assert state.count(10) == 3  # the count is every card, for the WIP limit


def test_put_keeps_a_card_in_its_place_and_a_new_one_goes_to_the_bottom() -> None:
    state = board(card(1), card(2), card(3))
    state.put(card(2, title="Renamed", version=2))
    assert keys(state.shown(10)) == ["WEB-1", "WEB-2", "WEB-3"]
    assert state.get("WEB-2") is not None and state.get("WEB-2").title == "Renamed"  # type: ignore[union-attr]
    state.put(card(4))
    assert keys(state.shown(10))[-1] == "WEB-4"
    state.put(card(1, archived=True))
    assert "WEB-1" not in keys(state.shown(10))


def test_a_column_read_again_takes_its_cards_from_other_columns() -> None:
    state = board(card(1), card(2), card(3, 11))
    state.replace_column(11, [card(2, 11), card(3, 11)])
    assert keys(state.shown(10)) == ["WEB-1"]
    assert keys(state.shown(11)) == ["WEB-2", "WEB-3"]
    assert state.column_of("WEB-2") == 11


def test_a_board_read_a_page_at_a_time_counts_every_card() -> None:
    state = BoardState(PROJECT, COLUMNS, [card(1), card(2, 11)], totals={10: 500, 11: 3})
    assert not state.complete
    assert state.count(10) == 500 and state.total == 503
    state.move("WEB-1", 11, 0)
    assert (state.count(10), state.count(11)) == (499, 4)


def test_a_move_put_back_on_a_board_still_read_leaves_its_counts_as_they_were() -> None:
    """A write undone on screen (the server away) puts back the columns it changed as
    they were: a first page stays a first page, counted by its total."""
    state = BoardState(PROJECT, COLUMNS, [card(1), card(2, 11)], totals={10: 500, 11: 3})
    before = state.snapshot({10, 11})
    state.move("WEB-1", 11, 0)
    assert (state.count(10), state.count(11)) == (499, 4)
    for column_id, cards in before.items():
        state.replace_column(column_id, cards)
    assert (state.count(10), state.count(11)) == (500, 3)
    assert keys(state.cards(10)) == ["WEB-1"] and not state.complete
    # A column read whole (its first page's cards among them) is whole.
    state.fill(10, Cards(COLUMNS[0], [card(1), card(3)]))
    state.fill(11, Cards(COLUMNS[1], [card(2, 11)]))
    assert state.complete and state.total == 3


cards_strategy = st.lists(
    st.tuples(
        st.sampled_from([10, 11]),
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
        st.sampled_from(PEOPLE),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(
    cards=cards_strategy,
    typed=st.lists(st.sampled_from([*"fixlogindarkmoe ", "\b"]), max_size=12),
    moves=st.lists(st.tuples(st.integers(0, 30), st.sampled_from([10, 11]), st.integers(0, 30))),
    only_bob=st.booleans(),
)
def test_typing_a_filter_shows_what_filtering_from_scratch_shows(
    cards: list[tuple[int, list[str], str | None]],
    typed: list[str],
    moves: list[tuple[int, int, int]],
    only_bob: bool,
) -> None:
    tasks = [
        card(i + 1, column, " ".join(words), assignee=who)
        for i, (column, words, who) in enumerate(cards)
    ]
    state = board(*tasks)
    query = ""
    if only_bob:
        state.set_filter(only_login="bob")
    for index, char in enumerate(typed):
        query = query[:-1] if char == "\b" else query + char
        state.set_filter(query)
        for column in COLUMNS:
            state.shown(column.id)  # what the screen does on each key
        if moves and tasks:
            number, column_id, row = moves[index % len(moves)]
            state.move(f"WEB-{number % len(tasks) + 1}", column_id, row)
        for column in COLUMNS:
            words = query.lower().split()
            expected = [
                t
                for t in state.cards(column.id)
                if all(w in search_text(t) for w in words) and (not only_bob or t.assignee == "bob")
            ]
            assert keys(state.shown(column.id)) == keys(expected), (query, column.name)


#: What a user may type or paste into the filter: case, letters whose lower case is
#: longer or wider, the separator the texts are joined with, spaces between words.
hostile_query = st.lists(
    st.sampled_from([*"fixlogFIX ", "İ", "ß", "木", "\x00", "\n", "\t", "#", "@"]), max_size=8
).map("".join)


@settings(max_examples=200, deadline=None)
@given(
    cards=st.lists(
        st.tuples(
            st.sampled_from([10, 11]),
            st.lists(st.sampled_from([*WORDS, "İx", "木 log", "a\x00fix", "FIX\nlog"]), max_size=3),
            st.sampled_from(PEOPLE),
        ),
        max_size=25,
    ),
    steps=st.lists(
        st.one_of(
            st.sampled_from([*"fixlog F", "İ", "\x00", "\b", "\b\b", "mine", "put", "drop"]),
            hostile_query.map(lambda text: "=" + text),  # pasted over what was there
        ),
        max_size=16,
    ),
)
def test_every_filter_shows_what_a_look_at_every_card_shows(
    cards: list[tuple[int, list[str], str | None]], steps: list[str]
) -> None:
    """Typed on, taken back (backspace widens it), pasted over, "only mine" switched,
    cards changed on the way: what each column shows is, in order, every card the rule
    lets through, as a look at every card finds them."""
    tasks = [
        card(i + 1, column, " ".join(words), assignee=who)
        for i, (column, words, who) in enumerate(cards)
    ]
    state = board(*tasks)
    query, mine = "", False
    for step in steps:
        if step == "mine":
            mine = not mine
            state.set_filter(only_login="bob" if mine else None)
        elif step == "put" and tasks:
            first = state.get(tasks[0].key)
            if first is not None:
                state.put(replace(first, title=first.title + " fix"))
        elif step == "drop" and tasks:
            state.remove(tasks[-1].key)
        else:
            if step.startswith("="):
                query = step[1:]
            elif step.startswith("\b"):
                query = query[: -len(step)]
            else:
                query += step
            state.set_filter(query)
        words = query.lower().split()
        for column in COLUMNS:
            expected = [
                t
                for t in state.cards(column.id)
                if all(w in search_text(t) for w in words) and (not mine or t.assignee == "bob")
            ]
            assert keys(state.shown(column.id)) == keys(expected), (query, mine, column.name)


def test_a_letter_taken_back_shows_what_the_shorter_text_showed() -> None:
    """Backspace shows the cards the shorter text showed (kept), with no new look;
    typing on looks among the fewest cards an earlier, wider text let through."""
    state = board(*[card(i, title=("fix login" if i % 3 else "fix form")) for i in range(1, 30)])
    state.set_filter("fix")
    fix = state.shown(10)
    state.set_filter("fix l")
    fix_l = state.shown(10)
    state.set_filter("fix lo")
    assert len(state.shown(10)) == len(fix_l) < len(fix)
    state.set_filter("fix l")
    assert state.shown(10) is fix_l
    state.set_filter("fix")
    assert state.shown(10) is fix
    state.set_filter("login fix")  # narrower than `fix l`: looked for among its cards
    assert keys(state.shown(10)) == keys(fix_l)
    # A change to a column's cards: what was kept for it goes.
    state.put(replace(fix_l[0], title="fix form"))
    state.set_filter("fix l")
    assert state.shown(10) is not fix_l and len(state.shown(10)) == len(fix_l) - 1
