"""Workload math: capacity, planned work spread over days, load bands.

The rules, as the workload screen's help states them:
- A week's capacity is the person's weekly capacity less their time off that week.
- Planned work is each open task's remaining estimate (estimate less everyone's logged
  time, never below zero), spread evenly over the assignee's working days from today to
  the due date. A task with no due date spreads over the next two weeks; an overdue one
  lands in full in the current week.
- A past week's load is the time logged; the current and coming weeks' load is time
  logged plus time planned.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from tui_board.core.weeks import IsoWeek

Band = Literal["none", "low", "ok", "high", "over"]
BANDS: tuple[tuple[Band, str], ...] = (
    ("low", "under 50%"),
    ("ok", "50-100%"),
    ("high", "100-120%"),
    ("over", "over 120%"),
)
UNDATED_SPREAD_DAYS = 14
#: What the workload shows at first: twelve weeks, four of them past.
WEEKS_SHOWN = 12
WEEKS_BEFORE = 4

_week_of = lru_cache(maxsize=4096)(IsoWeek.of)


#: Each band's mark, shown beside the figure wherever a band is shown (the app, the
#: CLI): a band is never told by colour alone.
BAND_MARKS: dict[Band, str] = {"none": " ", "low": "↓", "ok": "✓", "high": "!", "over": "‼"}


def band(load: int, capacity: int) -> Band:
    """The load band; its edges belong to the lower band (exactly 100% is "ok")."""
    if capacity <= 0:
        return "over" if load > 0 else "none"
    percent = load * 100 / capacity
    if percent < 50:
        return "low"
    if percent <= 100:
        return "ok"
    if percent <= 120:
        return "high"
    return "over"


def first_week(today: date, count: int) -> IsoWeek:
    """The first of `count` weeks to show: this week and the ones ahead always, and up to
    `WEEKS_BEFORE` past weeks in front of them when there is room beyond
    `WEEKS_SHOWN - WEEKS_BEFORE` (twelve weeks: four past, this week, seven ahead, as
    the workload screen opens; three weeks: this week and two ahead)."""
    before = max(0, min(WEEKS_BEFORE, count - (WEEKS_SHOWN - WEEKS_BEFORE)))
    return IsoWeek.of(today).shift(-before)


def week_capacity(weekly_capacity: int, time_off_minutes: int) -> int:
    return max(0, weekly_capacity - time_off_minutes)


def working_days(start: date, end: date, work_days: Iterable[int]) -> list[date]:
    days = frozenset(work_days)
    first = start.weekday()
    count = (end - start).days + 1
    return [start + timedelta(n) for n in range(max(0, count)) if (first + n) % 7 in days]


def work_begins(today: date, due: date | None, start: date | None) -> date:
    """The first day a task is worked: today, or its start when later (but not after
    its due date)."""
    begin = today if start is None or start < today else start
    return min(begin, due) if due is not None and due >= today else begin


def spread_days(
    remaining: int,
    today: date,
    due: date | None,
    work_days: Iterable[int],
    *,
    start: date | None = None,
) -> dict[date, int]:
    """`spread_remaining` day by day: the same shares (the first k working days hold
    remaining * k // n), so that a week's days add up to its share."""
    if remaining <= 0:
        return {}
    if due is not None and due < today:
        return {today: remaining}
    begin = work_begins(today, due, start)
    end = due if due is not None else begin + timedelta(UNDATED_SPREAD_DAYS - 1)
    if type(work_days) is not tuple:  # a tuple is taken as it is (the schedule's)
        work_days = tuple(sorted(set(work_days)))
    days = _days_worked(begin, end, work_days)
    if not days:
        return {end: remaining}
    n = len(days)
    spread = {}
    held = 0  # what the days before hold: remaining * k // n
    for k, day in enumerate(days, 1):
        upto = remaining * k // n
        if upto != held:
            spread[day] = upto - held
            held = upto
    return spread


def spread_remaining(
    remaining: int,
    today: date,
    due: date | None,
    work_days: Iterable[int],
    *,
    start: date | None = None,
) -> dict[IsoWeek, int]:
    """Spread a task's remaining minutes over the weeks it will be worked in.

    Each working day from today (or a later start) to the due date gets an equal share,
    rounded so that the days add up to `remaining` exactly: the first k days hold
    remaining * k // n. A week's share is therefore fixed by how many of those days it
    holds, which lets this work week by week (the workload sums thousands of tasks per
    frame)."""
    if remaining <= 0:
        return {}
    if due is not None and due < today:
        return {_week_of(today): remaining}
    begin = work_begins(today, due, start)
    counts = _weeks_worked(begin, due, tuple(sorted(set(work_days))))
    total = sum(held for _, held in counts)
    if total == 0:
        end = due if due is not None else begin + timedelta(UNDATED_SPREAD_DAYS - 1)
        return {_week_of(end): remaining}
    spread: dict[IsoWeek, int] = {}
    seen = 0
    for week, held in counts:
        share = remaining * (seen + held) // total - remaining * seen // total
        seen += held
        if share:
            spread[week] = share
    return spread


@lru_cache(maxsize=4096)
def _days_worked(begin: date, end: date, worked: tuple[int, ...]) -> tuple[date, ...]:
    """`working_days`, kept: the same for every task with these dates and work days."""
    return tuple(working_days(begin, end, worked))


@lru_cache(maxsize=4096)
def _weeks_worked(
    today: date, due: date | None, worked: tuple[int, ...]
) -> tuple[tuple[IsoWeek, int], ...]:
    """Each week from today's to the due date's (two weeks when undated) with how many
    of its working days lie in that range (none: left out). The same for every task with
    this due date and these work days: kept (the workload spreads thousands of tasks)."""
    end = due if due is not None else today + timedelta(UNDATED_SPREAD_DAYS - 1)
    # before[k]: working weekdays before weekday k; a week's days in range are contiguous
    before = [sum(1 for d in worked if d < k) for k in range(8)]
    counts: list[tuple[IsoWeek, int]] = []
    monday = today - timedelta(today.weekday())
    while monday <= end:
        first, last = max(monday, today), min(monday + timedelta(6), end)
        held = before[last.weekday() + 1] - before[first.weekday()]
        if held:
            counts.append((_week_of(first), held))
        monday += timedelta(7)
    return tuple(counts)
