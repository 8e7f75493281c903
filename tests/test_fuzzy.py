"""The pickers' fuzzy matcher: finds what a user means, in time linear in the label."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from tui_board.core.fuzzy import fuzzy_match


def test_letters_in_order_match_and_others_do_not() -> None:
    assert fuzzy_match("web log", "WEB-12 Fix the login bug") is not None
    assert fuzzy_match("xyz", "WEB-12 Fix the login bug") is None
    assert fuzzy_match("gol", "login") is None


def test_word_starts_and_letters_in_a_row_rank_first() -> None:
    labels = ["Samuel Anthony Yates", "Tommy Ayala", "Maya Okafor"]
    scores = {label: fuzzy_match("may", label) for label in labels}
    ranked = sorted(labels, key=lambda label: -scores[label].score)  # type: ignore[union-attr]
    assert ranked == ["Maya Okafor", "Tommy Ayala", "Samuel Anthony Yates"]


def test_the_offsets_are_the_shortest_window_of_the_leftmost_match() -> None:
    match = fuzzy_match("ab", "a-x-a-b")
    assert match is not None and match.offsets == (4, 6)


@given(st.text(max_size=30), st.text(max_size=80))
def test_a_match_holds_the_query_in_order(query: str, label: str) -> None:
    match = fuzzy_match(query, label)
    wanted = [c for c in query.casefold() if not c.isspace()]
    if match is None:
        return
    assert len(match.offsets) == len(wanted)
    assert list(match.offsets) == sorted(set(match.offsets))


def test_a_crafted_label_costs_no_more_than_a_plain_one() -> None:
    """Textual's fuzzy search took seconds on this per keystroke (a member can name
    themselves so, for everyone's pickers)."""
    label = "a" * 60 + "b" * 60
    start = time.process_time()
    for _ in range(1000):
        fuzzy_match("aaaab", label)
        fuzzy_match("ababa", label)
    assert time.process_time() - start < 1.0
