"""The one rule for text: refused at the door, neutralised wherever it is shown."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.hostile import CORPUS, FORBIDDEN, violations
from tui_board.core.errors import Invalid
from tui_board.core.text import (
    check_text,
    csv_cell,
    printable,
    safe_json,
    same_as_shown,
    unsafe_character,
)

HARMFUL = [k for k, v in CORPUS.items() if unsafe_character(v) is not None]


@pytest.mark.parametrize("name", HARMFUL)
def test_check_text_refuses_every_harmful_string_naming_the_field(name: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_text(CORPUS[name], "a card title")
    assert refused.value.message.startswith("a card title holds U+")


@pytest.mark.parametrize("name", ["long", "combining", "wide", "markup", "formula"])
def test_check_text_takes_text_that_is_only_unusual(name: str) -> None:
    assert check_text(CORPUS[name], "a title") == CORPUS[name]


def test_multi_line_fields_keep_newlines_and_tabs_and_take_crlf_as_newline() -> None:
    assert check_text("one\n\ttwo\r\nthree", "a comment", multiline=True) == "one\n\ttwo\nthree"
    with pytest.raises(Invalid, match=r"U\+000A"):
        check_text("one\ntwo", "a title")
    with pytest.raises(Invalid, match=r"U\+001B"):
        check_text("one\n\x1b[2J", "a comment", multiline=True)
    with pytest.raises(Invalid, match=r"U\+000D"):
        check_text("lone\rreturn", "a comment", multiline=True)


def test_names_that_look_the_same_are_the_same_name() -> None:
    """What a reader cannot tell apart: case, NFKC form, spacing, and the characters
    that show nothing (a zero width space or joiner, a mark, a soft hyphen)."""
    chloe = same_as_shown("Chloé Ruiz")
    for alike in (
        "chloé ruiz", " CHLOÉ  RUIZ ", "Chloe\u0301 Ruiz", "Chlo\u200bé Ruiz",
        "Chloé\u200d Ruiz", "Chloé Ru\u00adiz", "\u200eChloé Ruiz", "Chloé Ruiz\u200c",
    ):  # fmt: skip
        assert same_as_shown(alike) == chloe, repr(alike)
    assert same_as_shown("Chloé Ruis") != chloe


def test_bidi_marks_that_reorder_nothing_are_allowed() -> None:
    assert check_text("שלום\u200fworld\u200e", "a name") == "שלום\u200fworld\u200e"


@pytest.mark.parametrize("name", list(CORPUS))
@pytest.mark.parametrize("multiline", [False, True])
def test_printable_leaves_nothing_a_terminal_acts_on(name: str, multiline: bool) -> None:
    shown = printable(CORPUS[name], multiline=multiline)
    assert violations(shown) == []
    assert "\x1b" not in shown
    assert unsafe_character(shown, multiline=multiline) is None
    if not multiline:
        assert "\n" not in shown


def test_printable_keeps_one_cell_per_control_so_layout_holds() -> None:
    assert printable("a\x1b[2Jb") == "a\u241b[2Jb"
    assert printable("a\x9bb") == "a\ufffdb"
    assert printable("two\nlines") == "two lines"
    assert printable("two\nlines", multiline=True) == "two\nlines"


def test_joined_emoji_come_apart_into_pictures_every_terminal_measures_alike() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert printable(f"a {family} b") == "a \U0001f468\U0001f469\U0001f467 b"
    assert printable("\u2764\ufe0f") == "\u2764"
    assert printable("\U0001f44d\U0001f3fd") == "\U0001f44d"
    assert printable("\U0001f1f3\U0001f1f4 flag") == "NO flag"
    assert printable("Cafe\u0301 \u65e5\u672c") == "Cafe\u0301 \u65e5\u672c"  # kept
    assert printable(f"{family}\n\x1b", multiline=True) == "\U0001f468\U0001f469\U0001f467\n\u241b"


def test_safe_text_is_returned_as_it_is() -> None:
    text = "WEB-12 fixed the login bug ✓"
    assert printable(text) is text


@given(st.text())
def test_printable_is_always_clean_and_idempotent(text: str) -> None:
    once = printable(text)
    assert unsafe_character(once) is None
    assert printable(once) == once
    many = printable(text, multiline=True)
    assert unsafe_character(many, multiline=True) is None


@given(
    st.recursive(st.text() | st.integers(), lambda c: st.lists(c) | st.dictionaries(st.text(), c))
)
def test_safe_json_is_the_same_value_and_holds_no_raw_control(value: object) -> None:
    text = safe_json(value)
    assert json.loads(text) == value
    assert unsafe_character(text) is None


def test_csv_cells_that_would_start_a_formula_are_neutralised() -> None:
    cells = ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "plain", "a=b", 90]
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(c) for c in cells])
    row = next(csv.reader(io.StringIO(out.getvalue())))
    assert row == ["'=1+2", "'+1", "'-1", "'@SUM(A1)", "'\tx", "plain", "a=b", "90"]
    assert not any(marker in out.getvalue() for marker in FORBIDDEN)


def test_what_direct_sql_puts_where_text_belongs_is_shown_as_text() -> None:
    """A BLOB or a number in a text column (SQLite keeps what it is given) must not
    crash a screen that shows it."""
    assert printable(b"blob \x1b]0;x\x07 \xff") == "blob \u241b]0;x\u2407 \ufffd"  # type: ignore[arg-type]
    assert printable(42) == "42"  # type: ignore[arg-type]
