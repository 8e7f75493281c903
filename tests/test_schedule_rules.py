"""The schedule's pure rules: a week of working time read and written, dated changes,
the day-by-day spread agreeing with the workload's week-by-week one, flags, finish day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_board.core.errors import Invalid
from tui_board.core.models import ScheduleRow
from tui_board.core.schedule import (
    AT_RISK,
    OVER_ESTIMATE,
    OVERDUE,
    Person,
    Schedule,
    default_week,
    finish_day,
    format_week,
    free_before,
    parse_week,
    revise_row,
    task_flags,
)
from tui_board.core.weeks import IsoWeek
from tui_board.core.workload import spread_days, spread_remaining, work_begins


def test_a_week_read_from_text_and_written_back() -> None:
    week = parse_week("mon-thu 8h, fri 4h")
    assert week == (480, 480, 480, 480, 240, 0, 0)
    assert format_week(week) == "mon-thu 8:00, fri 4:00"
    assert parse_week(format_week(week)) == week
    assert parse_week(" Sat 1h30 ") == (0, 0, 0, 0, 0, 90, 0)
    assert format_week((0,) * 7) == "none"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "names days"),
        ("mon", "not a day and a duration"),
        ("fri-mon 8h", "runs Monday to Sunday"),
        ("moo 8h", "not a weekday"),
        ("mon-fri 8h, wed 4h", "named twice"),
        ("mon 25h", "24"),
        ("mon -1h", "negative"),
    ],
)
def test_a_week_refused(text: str, says: str) -> None:
    with pytest.raises(Invalid, match=says):
        parse_week(text)


def test_the_default_week_adds_up_to_the_capacity() -> None:
    assert default_week(2400, (0, 1, 2, 3, 4)) == (480, 480, 480, 480, 480, 0, 0)
    assert default_week(1000, (0, 2, 4)) == (334, 0, 333, 0, 333, 0, 0)
    assert default_week(600, ()) == (0,) * 7


def test_dated_changes() -> None:
    schedule = Schedule(
        (480,) * 5 + (0, 0),
        ((date(2026, 11, 26), (240,) * 5 + (0, 0)), (date(2027, 1, 4), (0,) * 7)),
    )
    assert schedule.minutes_on(date(2026, 11, 25)) == 480
    assert schedule.minutes_on(date(2026, 11, 26)) == 240
    assert schedule.minutes_between(date(2026, 11, 25), date(2026, 11, 29)) == 960
    assert schedule.work_days_on(date(2027, 1, 5)) == ()


@given(
    remaining=st.integers(0, 10_000),
    today=st.dates(date(2026, 12, 20), date(2027, 1, 10)),
    due=st.none() | st.dates(date(2026, 12, 10), date(2027, 2, 10)),
    start=st.none() | st.dates(date(2026, 12, 10), date(2027, 2, 10)),
    work_days=st.sets(st.integers(0, 6)),
)
def test_the_spread_by_day_adds_up_to_the_workloads_by_week(
    remaining: int, today: date, due: date | None, start: date | None, work_days: set[int]
) -> None:
    by_day = spread_days(remaining, today, due, work_days, start=start)
    weeks: dict[IsoWeek, int] = defaultdict(int)
    for day, minutes in by_day.items():
        weeks[IsoWeek.of(day)] += minutes
    assert dict(weeks) == spread_remaining(remaining, today, due, work_days, start=start)
    assert sum(by_day.values()) == max(0, remaining)
    if by_day and (due is None or due >= today):
        assert min(by_day) >= work_begins(today, due, start) >= today


def test_flags() -> None:
    today = date(2026, 11, 25)

    def flags(due: date | None, done: bool, free: int | None, logged: int = 0) -> tuple[str, ...]:
        remaining = max(0, 60 - logged)
        return task_flags(
            today=today,
            due=due,
            done=done,
            estimate=60,
            logged=logged,
            free=free,
            remaining=remaining,
        )

    assert flags(today - timedelta(1), False, None) == (OVERDUE,)
    assert flags(today - timedelta(1), True, None) == ()
    assert flags(today, False, 59) == (AT_RISK,)
    assert flags(today, False, 60) == ()
    assert flags(None, False, None, logged=61) == (OVER_ESTIMATE,)


def test_finish_day_and_a_person_with_no_time() -> None:
    today = date(2026, 11, 25)
    person = Person(Schedule((480,) * 5 + (0, 0)), {date(2026, 11, 26): 480})
    assert finish_day(0, today, person, {}) == today
    assert finish_day(960, today, person, {}) == date(2026, 11, 27)
    assert finish_day(961, today, person, {}) == date(2026, 11, 30)
    assert finish_day(1, today, Person(Schedule((0,) * 7)), {}) is None


@given(
    off=st.dictionaries(st.integers(0, 40), st.integers(0, 600), max_size=8),
    planned=st.dictionaries(st.integers(0, 40), st.integers(0, 900), max_size=20),
    own=st.dictionaries(st.integers(0, 40), st.integers(0, 900), max_size=8),
    windows=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=5),
)
def test_free_time_by_running_sums_is_the_day_by_day_rule(
    off: dict[int, int],
    planned: dict[int, int],
    own: dict[int, int],
    windows: list[tuple[int, int]],
) -> None:
    """Each day: schedule less time off less the planned work that is not the task's
    own, never below zero; summed over the window (asked in any order)."""
    today = date(2026, 12, 28)

    def on(offsets: dict[int, int]) -> dict[date, int]:
        return {today + timedelta(n): m for n, m in offsets.items()}

    mine = own
    everyone = {n: planned.get(n, 0) + mine.get(n, 0) for n in {*planned, *mine}}
    schedule = Schedule((480, 480, 480, 480, 240, 0, 0), ((date(2027, 1, 4), (300,) * 7),))
    person = Person(schedule, on(off), on(everyone))
    for a, b in windows:
        first, last = today + timedelta(a), today + timedelta(b)
        naive = sum(
            person.free_on(d, everyone.get((d - today).days, 0) - mine.get((d - today).days, 0))
            for d in (first + timedelta(n) for n in range((last - first).days + 1))
        )
        assert free_before(person, first, last, on(mine)) == naive


WED = date(2026, 5, 13)


def a_row(**fields: object) -> ScheduleRow:
    values: dict[str, object] = dict(
        task="WEB-1", title="t", column="Todo", assignee="bob", milestone=None, start=None,
        due=WED + timedelta(1), estimate=900, logged=0, remaining=900, progress=0,
        flags=(AT_RISK,), free=480, version=3,
    )  # fmt: skip
    values.update(fields)
    return ScheduleRow(**values)  # type: ignore[arg-type]


def test_a_row_revised_here_knows_at_risk_only_in_the_same_window() -> None:
    # re-estimated: the same person and days, so the free time still holds
    row, known = revise_row(a_row(), WED, {"estimate": 400})
    assert known and row.flags == () and row.remaining == 400 and row.free == 480
    row, known = revise_row(a_row(), WED, {"estimate": 2000})
    assert known and row.flags == (AT_RISK,)
    # moved or given to someone else: only the store can say
    for change in ({"due": WED + timedelta(8)}, {"assignee": "mia"}, {"start": WED}):
        row, known = revise_row(a_row(), WED, change)
        assert not known and AT_RISK not in row.flags and row.free is None
    # nobody's, undated or overdue: nothing to know
    assert revise_row(a_row(), WED, {"assignee": None})[1]
    assert revise_row(a_row(), WED, {"due": None})[1]
    row, known = revise_row(a_row(), WED, {"due": WED - timedelta(1)})
    assert known and row.flags == (OVERDUE,)
    # another person's hours hidden: at risk cannot be told again
    assert not revise_row(a_row(free=None), WED, {"estimate": 100})[1]
    # logged over the estimate; progress by the same rule
    row, _ = revise_row(a_row(logged=600), WED, {"estimate": 300})
    assert OVER_ESTIMATE in row.flags and row.progress == 99 and row.remaining == 0


def test_a_milestones_heading_says_late_or_at_risk_with_its_forecast() -> None:
    from tui_board.core.models import Milestone
    from tui_board.ui.screens.schedule import milestone_flag

    beta = Milestone(1, "WEB", "Beta", date(2026, 12, 25), open_tasks=3)
    assert milestone_flag(replace(beta, forecast=date(2026, 12, 24))) == ""
    at_risk = replace(beta, forecast=date(2026, 12, 28))
    assert milestone_flag(at_risk) == " · AT RISK: forecast 2026-12-28"
    assert milestone_flag(replace(at_risk, late=True)) == " · LATE"


def test_milestones_of_one_day_are_worked_together_whatever_their_names() -> None:
    from tui_board.core.schedule import milestone_forecasts

    today = date(2026, 11, 23)

    def finish(person: int, minutes: int) -> date:  # 8 hours a day, every day
        return today + timedelta(days=max(0, (minutes - 1) // 480))

    day = date(2026, 11, 25)
    remaining = {"Alpha": {1: 960}, "Beta": {1: 960}, "Later": {1: 480}}
    for order in (["Alpha", "Beta"], ["Beta", "Alpha"]):
        forecasts = milestone_forecasts(
            [*((name, day) for name in order), ("Later", date(2026, 12, 1))],
            remaining,
            {},
            finish,
            today,
        )
        assert forecasts == {
            "Alpha": date(2026, 11, 26),
            "Beta": date(2026, 11, 26),
            "Later": date(2026, 11, 27),
        }
    nobody = milestone_forecasts([("Alpha", day)], remaining, {"Alpha": 60}, finish, today)
    assert nobody == {"Alpha": None}


def test_a_milestone_with_open_work_and_no_forecast_says_so() -> None:
    from tui_board.core.models import Milestone
    from tui_board.ui.screens.schedule import milestone_flag

    beta = Milestone(1, "WEB", "Beta", date(2026, 12, 25), open_tasks=2)
    assert milestone_flag(beta) == " · no forecast: not within its people's free time ahead"
    # why, when it is work nobody holds (the project's own forecast leaves it out, and
    # a new user saw the project ON TIME beside a milestone with "no forecast")
    unheld = replace(beta, unassigned=16 * 60 + 45)
    assert milestone_flag(unheld) == " · no forecast: 16:45 is assigned to nobody"
    assert milestone_flag(replace(beta, open_tasks=0)) == ""
