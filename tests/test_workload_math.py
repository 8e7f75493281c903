"""core.workload: the spreading rule, stated day by day here and checked against the
week-by-week implementation the workload uses."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tui_board.core.weeks import IsoWeek
from tui_board.core.workload import band, spread_remaining, week_capacity, working_days


def spread_day_by_day(
    remaining: int, today: date, due: date | None, work_days: tuple[int, ...]
) -> dict[IsoWeek, int]:
    """The rule as the help states it: equal shares per working day to the due date."""
    if remaining <= 0:
        return {}
    if due is not None and due < today:
        return {IsoWeek.of(today): remaining}
    end = due if due is not None else today + timedelta(13)
    days = working_days(today, end, work_days)
    if not days:
        return {IsoWeek.of(end): remaining}
    spread: dict[IsoWeek, int] = {}
    given_out = 0
    for index, day in enumerate(days, start=1):
        share = remaining * index // len(days) - given_out
        given_out += share
        spread[IsoWeek.of(day)] = spread.get(IsoWeek.of(day), 0) + share
    return {week: minutes for week, minutes in spread.items() if minutes}


@given(
    remaining=st.integers(-10, 10_000),
    today=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    due_offset=st.none() | st.integers(-30, 120),
    work_days=st.sets(st.integers(0, 6)).map(lambda s: tuple(sorted(s))),
)
def test_week_by_week_equals_day_by_day(
    remaining: int, today: date, due_offset: int | None, work_days: tuple[int, ...]
) -> None:
    due = None if due_offset is None else today + timedelta(due_offset)
    spread = spread_remaining(remaining, today, due, work_days)
    assert spread == spread_day_by_day(remaining, today, due, work_days)
    assert sum(spread.values()) == max(0, remaining)


def test_the_stated_cases() -> None:
    wednesday = date(2026, 11, 25)  # 2026-W48
    weekdays = (0, 1, 2, 3, 4)
    # overdue: all of it in the current week
    assert spread_remaining(300, wednesday, date(2026, 11, 1), weekdays) == {IsoWeek(2026, 48): 300}
    # no due date: the next two weeks (Wed..Tue 14 days: 3 + 5 + 2 working days)
    assert spread_remaining(600, wednesday, None, weekdays) == {
        IsoWeek(2026, 48): 180,
        IsoWeek(2026, 49): 300,
        IsoWeek(2026, 50): 120,
    }
    # due on a Sunday with weekdays only: the working days before it
    assert spread_remaining(120, wednesday, date(2026, 11, 29), weekdays) == {
        IsoWeek(2026, 48): 120
    }
    # across the year boundary and ISO week 53
    assert spread_remaining(500, date(2026, 12, 28), date(2027, 1, 8), weekdays) == {
        IsoWeek(2026, 53): 250,
        IsoWeek(2027, 1): 250,
    }


def test_band_edges_belong_to_the_lower_band() -> None:
    assert band(0, 0) == "none"
    assert band(1, 0) == "over"
    assert band(49, 100) == "low"
    assert band(50, 100) == "ok"
    assert band(100, 100) == "ok"
    assert band(101, 100) == "high"
    assert band(120, 100) == "high"
    assert band(121, 100) == "over"


def test_capacity_less_time_off_never_negative() -> None:
    assert week_capacity(2400, 480) == 1920
    assert week_capacity(2400, 3000) == 0
