"""ISO weeks and the small date words users type (``today``, ``mon``, ``-1``).

Timesheets, submissions and the workload are all per ISO week (``date.isocalendar()``),
so a week is a value of its own rather than a Monday date: it prints as ``2026-W48``,
sorts, and shifts across year ends and week 53 without off-by-one surprises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import overload

from tui_board.core.errors import Invalid

__all__ = [
    "DAY_NAMES",
    "IsoWeek",
    "parse_date",
    "parse_day_name",
    "weeks_in_year",
]

#: Full weekday names, index 0 = Monday as in `date.weekday()`.
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ALIASES = {"weds": 2}
#: The ISO week of `date.max` (9999-12-31, a Friday): the only week whose days the
#: calendar does not all hold.
_LAST_WEEK = date.max.isocalendar()[:2]

_WEEK_RE = re.compile(r"([0-9]{4}) ?-? ?w ?([0-9]{1,2})", re.ASCII)
_ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", re.ASCII)
_DAYS_AGO_RE = re.compile(r"- ?([0-9]{1,6})", re.ASCII)
_DAYS_AHEAD_RE = re.compile(r"\+ ?([0-9]{1,6})", re.ASCII)
_NEXT_RE = re.compile(r"next ?([a-z]+)", re.ASCII)


def _squash(text: str) -> str:
    """Lower-case and reduce any run of whitespace to one space, for lenient matching."""
    return " ".join(text.lower().split())


def weeks_in_year(year: int) -> int:
    """52 or 53: Dec 28 always lies in the last ISO week of its year."""
    if not 1 <= year <= 9999:
        raise Invalid(f"{year} is not a year this calendar knows; use e.g. 2026.")
    return date(year, 12, 28).isocalendar()[1]


@dataclass(frozen=True, order=True)
class IsoWeek:
    """One ISO week, e.g. ``IsoWeek(2026, 48)``; ordered by (year, week)."""

    year: int
    week: int

    def __post_init__(self) -> None:
        last = weeks_in_year(self.year)
        if not 1 <= self.week <= last:
            raise Invalid(
                f"{self.year} has {last} weeks, so there is no {self.year:04d}-W{self.week:02d}; "
                f"use a week from {self.year:04d}-W01 to {self.year:04d}-W{last}."
            )
        if (self.year, self.week) == _LAST_WEEK:
            # Its Monday is 9999-12-27, its Sunday 10000-01-02: past the last day a
            # date holds, so it could be neither shown, nor summed, nor submitted.
            raise Invalid(
                f"{self} runs past {date.max}, the last day the calendar holds; "
                f"the last week is {self.year:04d}-W{self.week - 1:02d}."
            )

    @classmethod
    def of(cls, d: date) -> IsoWeek:
        """The ISO week a date falls in (Jan 1 may belong to the previous year's week)."""
        year, week, _ = d.isocalendar()
        return cls(year, week)

    @classmethod
    def holding(cls, d: date, first_day: int = 0) -> IsoWeek:
        """The week whose days from ``first_day`` on (`days`) hold ``d``: for a Sunday
        start, a Sunday is the first day of the next ISO week's span."""
        try:
            return cls.of(d + timedelta(days=(-first_day) % 7))
        except OverflowError:
            raise Invalid(f"{d} with that first day falls outside the calendar.") from None

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """Read ``2026-W48``, ``2026W48`` or ``2026-w5``; raise `Invalid` otherwise."""
        match = _WEEK_RE.fullmatch(_squash(text))
        if match is None:
            raise Invalid(f"Cannot read {text.strip()!r} as a week; write it like 2026-W48.")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def range(cls, start: IsoWeek, count: int) -> list[IsoWeek]:
        """``count`` consecutive weeks from ``start`` on, e.g. the columns of the workload."""
        if count < 0:
            raise Invalid(f"Cannot list {count} weeks; the count must be 0 or more, e.g. 4.")
        return [start.shift(n) for n in range(count)]

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def sunday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 7)

    def days(self, first_day: int = 0) -> list[date]:
        """The 7 days to show for this week, starting on ``first_day`` (0=Mon .. 6=Sun).

        A week that starts on another day than Monday begins on the last such day on or
        before the ISO Monday, so a Sunday-start W48 runs from the Sunday before W48's
        Monday through its Saturday.
        """
        if not 0 <= first_day <= 6:
            raise Invalid(
                f"The first day of the week must be 0 (Monday) to 6 (Sunday), not {first_day}."
            )
        try:
            start = self.monday() - timedelta(days=(-first_day) % 7)
            return [start + timedelta(days=n) for n in range(7)]
        except OverflowError:
            raise Invalid(f"{self} with that first day falls outside the calendar.") from None

    def shift(self, n: int) -> IsoWeek:
        """The week ``n`` weeks later (earlier if negative), across year ends and W53."""
        try:
            return IsoWeek.of(self.monday() + timedelta(weeks=n))
        except OverflowError:
            raise Invalid(f"{self} shifted by {n} weeks falls outside the calendar.") from None

    def and_next(self) -> list[IsoWeek]:
        """This week and the next (this one alone at the calendar's end): the weeks whose
        days may hold a day of this ISO week, whatever day they start on."""
        try:
            return [self, self.shift(1)]
        except Invalid:
            return [self]

    def contains(self, d: date) -> bool:
        """Whether ``d`` lies in this week (ISO: Monday through Sunday)."""
        return IsoWeek.of(d) == self

    def __add__(self, n: int) -> IsoWeek:
        if isinstance(n, bool) or not isinstance(n, int):
            return NotImplemented
        return self.shift(n)

    __radd__ = __add__

    @overload
    def __sub__(self, other: int) -> IsoWeek: ...
    @overload
    def __sub__(self, other: IsoWeek) -> int: ...
    def __sub__(self, other: int | IsoWeek) -> IsoWeek | int:
        """``week - 2`` is a week; ``week - other_week`` is the number of weeks between."""
        if isinstance(other, IsoWeek):
            return (self.monday() - other.monday()).days // 7
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return self.shift(-other)


def parse_day_name(text: str) -> int:
    """``mon``/``monday``/``tu``/``sun`` ... -> 0..6 (Monday = 0); raise `Invalid` otherwise.

    Any prefix of two letters or more of a day's name is accepted, since two letters
    already tell the seven days apart.
    """
    word = _squash(text).rstrip(".")
    if word in _DAY_ALIASES:
        return _DAY_ALIASES[word]
    if len(word) >= 2:
        for index, name in enumerate(DAY_NAMES):
            if name.startswith(word):
                return index
    raise Invalid(f"Cannot read {text.strip()!r} as a day of the week; write e.g. mon or monday.")


def parse_date(text: str, today: date, *, ahead: bool = False) -> date:
    """Read the dates people type; relative words count from ``today``.

    Accepts ``2026-11-24``, ``today``, ``yesterday``, ``tomorrow``, ``-1``/``-2`` (days
    ago), ``+3`` (days ahead), ``next fri`` (the first Friday after today) and a
    weekday name: the most recent such day on or before today where dates are of days
    that have passed (logging time), the next one on or after today where they lie
    `ahead` (a due date, a start, a milestone, a deadline).
    """
    word = _squash(text)
    if word == "today":
        return today
    try:
        if word == "yesterday":
            return today - timedelta(days=1)
        if word == "tomorrow":
            return today + timedelta(days=1)
        ago = _DAYS_AGO_RE.fullmatch(word)
        if ago:
            return today - timedelta(days=int(ago[1]))
        later = _DAYS_AHEAD_RE.fullmatch(word)
        if later:
            return today + timedelta(days=int(later[1]))
        following = _NEXT_RE.fullmatch(word)
        if following:
            weekday = parse_day_name(following[1])
            return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    except OverflowError:
        raise Invalid(f"{text.strip()!r} falls outside the calendar.") from None
    iso = _ISO_DATE_RE.fullmatch(word)
    if iso:
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            raise Invalid(
                f"{text.strip()!r} is not a real date; write it as YYYY-MM-DD, e.g. 2026-11-24."
            ) from None
    try:
        weekday = parse_day_name(word)
    except Invalid:
        raise Invalid(
            f"Cannot read {text.strip()!r} as a date; write e.g. 2026-11-24, today, "
            + (
                "tomorrow, fri, next mon or +3 (in three days)."
                if ahead
                else "yesterday, mon or -1 (one day ago)."
            )
        ) from None
    try:
        if ahead:
            return today + timedelta(days=(weekday - today.weekday()) % 7)
        return today - timedelta(days=(today.weekday() - weekday) % 7)
    except OverflowError:
        raise Invalid(f"{text.strip()!r} falls outside the calendar.") from None


def day_text(day: date, today: date) -> str:
    """A day as messages name it: `Thu 01 Jan`, with its year when that is not this
    year's (`Thu 01 Jan 2099`: a typo in the year must show)."""
    return f"{day:%a %d %b}" if day.year == today.year else f"{day:%a %d %b %Y}"
