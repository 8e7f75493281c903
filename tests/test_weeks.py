"""ISO weeks: week 53, year ends, Sunday-start weeks and the date words users type."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_board.core.errors import Invalid
from tui_board.core.weeks import (
    IsoWeek,
    parse_date,
    parse_day_name,
    weeks_in_year,
)

# --- weeks_in_year and construction -------------------------------------------------


@pytest.mark.parametrize(
    ("year", "weeks"),
    [(2015, 53), (2020, 53), (2024, 52), (2025, 52), (2026, 53), (2027, 52), (2032, 53)],
)
def test_weeks_in_year(year: int, weeks: int) -> None:
    assert weeks_in_year(year) == weeks


@pytest.mark.parametrize(("year", "week"), [(2025, 53), (2026, 54), (2026, 0), (2026, -1), (0, 1)])
def test_week_that_does_not_exist(year: int, week: int) -> None:
    with pytest.raises(Invalid):
        IsoWeek(year, week)


def test_of() -> None:
    assert IsoWeek.of(date(2026, 11, 24)) == IsoWeek(2026, 48)
    # Jan 1 2027 is a Friday: it belongs to 2026's week 53.
    assert IsoWeek.of(date(2027, 1, 1)) == IsoWeek(2026, 53)
    # Dec 30 2024 is a Monday: it starts 2025's week 1.
    assert IsoWeek.of(date(2024, 12, 30)) == IsoWeek(2025, 1)


# --- parse and str ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "week"),
    [
        ("2026-W48", IsoWeek(2026, 48)),
        ("2026W48", IsoWeek(2026, 48)),
        ("2026-w5", IsoWeek(2026, 5)),
        ("2026-W05", IsoWeek(2026, 5)),
        (" 2026-W53 ", IsoWeek(2026, 53)),
        ("2026 w 1", IsoWeek(2026, 1)),
    ],
)
def test_parse(text: str, week: IsoWeek) -> None:
    assert IsoWeek.parse(text) == week


@pytest.mark.parametrize(
    "text", ["", "2026", "W48", "2026-48", "26-W48", "2026-W", "2026-W123", "2026-W4x", "abc"]
)
def test_parse_garbage(text: str) -> None:
    with pytest.raises(Invalid, match="2026-W48"):
        IsoWeek.parse(text)


def test_parse_week_that_does_not_exist() -> None:
    with pytest.raises(Invalid) as info:
        IsoWeek.parse("2025-W53")
    assert "2025 has 52 weeks" in info.value.message
    assert "2025-W52" in info.value.message
    with pytest.raises(Invalid, match="2026 has 53 weeks"):
        IsoWeek.parse("2026-W54")
    with pytest.raises(Invalid):
        IsoWeek.parse("2026-W00")


def test_str() -> None:
    assert str(IsoWeek(2026, 48)) == "2026-W48"
    assert str(IsoWeek(2026, 5)) == "2026-W05"
    assert str(IsoWeek(999, 1)) == "0999-W01"


@given(st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31)))
def test_str_parse_round_trip(d: date) -> None:
    week = IsoWeek.of(d)
    assert IsoWeek.parse(str(week)) == week


# --- days ---------------------------------------------------------------------------


def test_monday_sunday_and_days_of_w53() -> None:
    week = IsoWeek(2026, 53)
    assert week.monday() == date(2026, 12, 28)
    assert week.sunday() == date(2027, 1, 3)
    assert week.days() == [date(2026, 12, 28) + timedelta(days=n) for n in range(7)]
    assert week.days()[-1] == date(2027, 1, 3)


def test_sunday_start_days() -> None:
    week = IsoWeek(2026, 48)
    assert week.monday() == date(2026, 11, 23)
    days = week.days(first_day=6)
    assert days[0] == date(2026, 11, 22)  # the Sunday before that Monday
    assert days[-1] == date(2026, 11, 28)  # through Saturday
    assert [d.weekday() for d in days] == [6, 0, 1, 2, 3, 4, 5]


def test_other_first_days() -> None:
    week = IsoWeek(2026, 48)
    assert week.days(5)[0] == date(2026, 11, 21)  # Saturday
    assert week.days(1)[0] == date(2026, 11, 17)  # Tuesday: last one on or before Monday
    with pytest.raises(Invalid):
        week.days(7)
    with pytest.raises(Invalid):
        week.days(-1)


@given(
    st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31)),
    st.integers(min_value=0, max_value=6),
)
def test_days_property(d: date, first_day: int) -> None:
    week = IsoWeek.of(d)
    days = week.days(first_day)
    assert len(days) == 7
    assert days[0].weekday() == first_day
    assert all(b - a == timedelta(days=1) for a, b in pairwise(days))
    assert days[0] <= week.monday() < days[0] + timedelta(days=7)
    assert week.monday().weekday() == 0
    assert week.sunday() - week.monday() == timedelta(days=6)


# --- shift, arithmetic, range -------------------------------------------------------


def test_shift_across_year_ends() -> None:
    assert IsoWeek(2026, 53) + 1 == IsoWeek(2027, 1)
    assert IsoWeek(2027, 1) - 1 == IsoWeek(2026, 53)
    assert IsoWeek(2024, 52) + 1 == IsoWeek(2025, 1)
    assert IsoWeek(2025, 1) - 1 == IsoWeek(2024, 52)
    assert IsoWeek(2026, 48).shift(0) == IsoWeek(2026, 48)
    assert IsoWeek(2026, 48).shift(-48) == IsoWeek(2025, 52)
    assert IsoWeek(2026, 1).shift(53) == IsoWeek(2027, 1)
    assert 1 + IsoWeek(2026, 53) == IsoWeek(2027, 1)


def test_week_minus_week() -> None:
    assert IsoWeek(2027, 1) - IsoWeek(2026, 53) == 1
    assert IsoWeek(2026, 1) - IsoWeek(2027, 1) == -53


def test_shift_outside_the_calendar() -> None:
    with pytest.raises(Invalid):
        IsoWeek(9999, 52).shift(1)
    with pytest.raises(Invalid):
        IsoWeek(1, 1).shift(-1)


def test_ordering() -> None:
    assert IsoWeek(2026, 53) < IsoWeek(2027, 1) < IsoWeek(2027, 2)
    assert sorted([IsoWeek(2027, 1), IsoWeek(2026, 53)]) == [IsoWeek(2026, 53), IsoWeek(2027, 1)]


def test_range() -> None:
    assert IsoWeek.range(IsoWeek(2026, 52), 3) == [
        IsoWeek(2026, 52),
        IsoWeek(2026, 53),
        IsoWeek(2027, 1),
    ]
    assert IsoWeek.range(IsoWeek(2026, 52), 0) == []
    with pytest.raises(Invalid):
        IsoWeek.range(IsoWeek(2026, 52), -1)


@given(
    st.dates(min_value=date(100, 1, 1), max_value=date(9900, 12, 31)),
    st.integers(min_value=-1000, max_value=1000),
)
def test_shift_properties(d: date, n: int) -> None:
    week = IsoWeek.of(d)
    shifted = week.shift(n)
    assert shifted.monday() == week.monday() + timedelta(weeks=n)
    assert shifted - n == week
    assert shifted - week == n
    assert (shifted > week) == (n > 0)


@given(st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31)))
def test_contains_property(d: date) -> None:
    week = IsoWeek.of(d)
    assert week.contains(d)
    assert week.contains(week.monday())
    assert week.contains(week.sunday())
    assert not week.contains(week.monday() - timedelta(days=1))
    assert not week.contains(week.sunday() + timedelta(days=1))


def test_contains_w53() -> None:
    week = IsoWeek(2026, 53)
    assert week.contains(date(2027, 1, 3))
    assert not week.contains(date(2027, 1, 4))
    assert not week.contains(date(2026, 12, 27))


# --- day names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("mon", 0),
        ("Monday", 0),
        ("mo", 0),
        ("mond", 0),
        ("tue", 1),
        ("tues", 1),
        ("wed", 2),
        ("weds", 2),
        ("thu", 3),
        ("thurs", 3),
        ("fri", 4),
        ("sat", 5),
        ("sun", 6),
        ("SUNDAY", 6),
        (" sun. ", 6),
    ],
)
def test_parse_day_name(text: str, index: int) -> None:
    assert parse_day_name(text) == index


@pytest.mark.parametrize("text", ["", "m", "t", "s", "funday", "1", "mondays"])
def test_parse_day_name_refused(text: str) -> None:
    with pytest.raises(Invalid, match="mon"):
        parse_day_name(text)


# --- parse_date ---------------------------------------------------------------------

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-24", date(2026, 11, 24)),
        ("2027-1-3", date(2027, 1, 3)),
        ("today", TODAY),
        (" Today ", TODAY),
        ("yesterday", date(2026, 11, 24)),
        ("tomorrow", date(2026, 11, 26)),
        ("wed", TODAY),  # on or before today: today itself
        ("wednesday", TODAY),
        ("mon", date(2026, 11, 23)),
        ("tuesday", date(2026, 11, 24)),
        ("thu", date(2026, 11, 19)),  # last week's, never a future day
        ("sun", date(2026, 11, 22)),
        ("-1", date(2026, 11, 24)),
        ("-2", date(2026, 11, 23)),
        ("- 7", date(2026, 11, 18)),
        ("-0", TODAY),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wed", TODAY),  # on or after today: today itself
        ("thu", date(2026, 11, 26)),
        ("friday", date(2026, 11, 27)),
        ("mon", date(2026, 11, 30)),  # next week's, never a past day
        ("tue", date(2026, 12, 1)),
        ("+3", date(2026, 11, 28)),
        ("+ 10", date(2026, 12, 5)),
        ("next wed", date(2026, 12, 2)),  # after today, so a week on
        ("next fri", date(2026, 11, 27)),
        ("yesterday", date(2026, 11, 24)),  # still what it says
        ("-1", date(2026, 11, 24)),
        ("2026-11-01", date(2026, 11, 1)),
    ],
)
def test_parse_date_ahead_reads_a_weekday_as_the_next_one(text: str, expected: date) -> None:
    """Due dates, starts, milestones and deadlines lie ahead: `fri` is the coming one."""
    assert parse_date(text, TODAY, ahead=True) == expected


def test_days_ahead_and_next_read_the_same_when_logging() -> None:
    assert parse_date("+2", TODAY) == date(2026, 11, 27)
    assert parse_date("next mon", TODAY) == date(2026, 11, 30)
    with pytest.raises(Invalid, match="next mon"):
        parse_date("someday", TODAY, ahead=True)


@pytest.mark.parametrize(
    "text", ["", "someday", "2026-13-01", "2026-02-30", "26-11-24", "2026/11/24", "1", "-x", "+x"]
)
def test_parse_date_refused(text: str) -> None:
    with pytest.raises(Invalid, match="2026-11-24"):
        parse_date(text, TODAY)


def test_parse_date_outside_the_calendar() -> None:
    with pytest.raises(Invalid):
        parse_date("-999999", date(2026, 1, 1))
    with pytest.raises(Invalid):
        parse_date("yesterday", date.min)
    with pytest.raises(Invalid):
        parse_date("tomorrow", date.max)


@given(
    st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31)),
    st.integers(min_value=0, max_value=6),
)
def test_weekday_name_is_most_recent_on_or_before_today(today: date, weekday: int) -> None:
    got = parse_date(["mon", "tue", "wed", "thu", "fri", "sat", "sun"][weekday], today)
    assert got.weekday() == weekday
    assert today - timedelta(days=6) <= got <= today


@given(st.text(max_size=20), st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31)))
def test_parse_date_never_crashes(text: str, today: date) -> None:
    try:
        result = parse_date(text, today)
    except Invalid as error:
        assert error.message
        return
    assert isinstance(result, date)


@given(st.text(max_size=12))
def test_week_parse_never_crashes(text: str) -> None:
    try:
        week = IsoWeek.parse(text)
    except Invalid as error:
        assert error.message
        return
    assert 1 <= week.week <= weeks_in_year(week.year)
