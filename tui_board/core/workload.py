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


def week_capacity(weekly_capacity: int, time_off_minutes: int) -> int:
    return max(0, weekly_capacity - time_off_minutes)


def working_days(start: date, end: date, work_days: Iterable[int]) -> list[date]:
    days = frozenset(work_days)
    count = (end - start).days + 1
    return [d for d in (start + timedelta(n) for n in range(max(0, count))) if d.weekday() in days]


def spread_remaining(
    remaining: int, today: date, due: date | None, work_days: Iterable[int]
) -> dict[IsoWeek, int]:
    """Spread a task's remaining minutes over the weeks it will be worked in.

    The minutes are shared out day by day so that the weeks add up to `remaining`
    exactly, whatever the rounding."""
    if remaining <= 0:
        return {}
    current = IsoWeek.of(today)
    if due is not None and due < today:
        return {current: remaining}
    end = due if due is not None else today + timedelta(UNDATED_SPREAD_DAYS - 1)
    days = working_days(today, end, work_days)
    if not days:
        return {IsoWeek.of(end): remaining}
    spread: dict[IsoWeek, int] = {}
    given = 0
    for index, day in enumerate(days, start=1):
        share = remaining * index // len(days) - given
        given += share
        week = IsoWeek.of(day)
        spread[week] = spread.get(week, 0) + share
    return {week: minutes for week, minutes in spread.items() if minutes}
