"""A week that starts on Sunday (or Saturday) is submitted, approved and locked exactly
as its owner saw it, whatever the reader's own first day (backend/local/weeks.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.contract.conftest import World
from tests.contract.helpers import LAST_WEEK, MONDAY, NEXT_WEEK, WEEK, refused, unchanged
from tui_board.core.errors import Conflict, Invalid, Locked
from tui_board.core.models import TimeEntry
from tui_board.core.weeks import IsoWeek

SUNDAY, SATURDAY = 6, 5


def logged_in(world: World, login: str, week_name: str) -> int:
    load = world.lee.workload(LAST_WEEK, 3, team="core")
    # the totals move the same days as the rows do
    assert [c.logged for c in load.totals] == [
        sum(r.cells[i].logged for r in load.rows) for i in range(3)
    ]
    row = next(r for r in load.rows if r.user == login)
    return next(c.logged for c in row.cells if c.week == week_name)


@pytest.mark.parametrize("first_day", [SUNDAY, SATURDAY], ids=["sunday", "saturday"])
def test_a_week_is_submitted_approved_and_locked_as_shown(world: World, first_day: int) -> None:
    t = world.task("a")
    days = WEEK.days(first_day)
    before, after = days[0] - timedelta(1), days[-1] + timedelta(1)
    assert (days[0], days[-1]) == {
        SUNDAY: (date(2026, 11, 22), date(2026, 11, 28)),
        SATURDAY: (date(2026, 11, 21), date(2026, 11, 27)),
    }[first_day]
    world.mia.set_entry(t.key, before, 15)  # the week before, as she sees it
    world.mia.set_entry(t.key, days[0], 60)
    world.mia.set_entry(t.key, days[3], 45)
    world.mia.set_entry(t.key, days[-1], 30)
    world.mia.set_entry(t.key, after, 20)  # the week after (a day of ISO W48 itself)

    shown = world.mia.week(WEEK, first_day=first_day)
    assert shown.days == tuple(days) and shown.total == 135

    submitted = world.mia.submit_week(WEEK, first_day=first_day)
    assert (submitted.state, submitted.submitted_minutes, submitted.first_day) == (
        "submitted",
        135,
        first_day,
    )
    # everyone reads the week with the days it was submitted with, whatever their own
    for reader, user in ((world.mia, None), (world.lee, "mia"), (world.ada, "mia")):
        sheet = reader.week(WEEK, user=user)  # first_day=0: a Monday reader
        assert sheet.days == tuple(days)
        assert sheet.total == 135 and sheet.state == submitted
    assert world.lee.list_week_states(user="mia") == [submitted]
    assert logged_in(world, "mia", str(WEEK)) == 135

    def edges_hold() -> None:
        for edge in (days[0], days[-1]):
            with refused(Locked, world):
                world.mia.set_entry(t.key, edge, 90)
            with refused(Locked, world):
                world.mia.add_time(t.key, edge, 5)
            with refused(Locked, world):
                world.mia.clear_entry(t.key, edge)
        # the days just outside are other weeks, still open
        assert isinstance(world.mia.add_time(t.key, before, 5), TimeEntry)
        assert isinstance(world.mia.add_time(t.key, after, 5), TimeEntry)

    edges_hold()
    approved = world.lee.approve_week("mia", WEEK)
    assert (approved.state, approved.submitted_minutes, approved.first_day) == (
        "approved",
        135,
        first_day,
    )
    assert world.lee.week(WEEK, user="mia").days == tuple(days)
    edges_hold()
    # the workload counts her weeks as she sees them: W48 is what was approved, the
    # days around it count in the weeks before and after
    assert logged_in(world, "mia", str(WEEK)) == 135
    assert logged_in(world, "mia", str(LAST_WEEK)) == 15 + 10
    assert logged_in(world, "mia", str(NEXT_WEEK)) == 20 + 10

    # sent back, the week opens again on the same days
    world.lee.reject_week("mia", WEEK, "which task?")
    assert world.mia.week(WEEK).days == tuple(days)
    assert world.mia.set_entry(t.key, days[-1], 40) is not None
    again = world.mia.submit_week(WEEK, first_day=first_day)
    assert again.submitted_minutes == 145


def span(first: date, last: date) -> tuple[date, ...]:
    return tuple(first + timedelta(n) for n in range((last - first).days + 1))


def test_switching_to_sunday_makes_a_short_week(world: World) -> None:
    """Monday -> Sunday: W48 submitted Mon 23 - Sun 29; the Sunday-start W49 shows
    Sun 29 - Sat 5, but Sun 29 is W48's (the first week to close it). W49 is submitted,
    approved and locked as Mon 30 - Sat 5, and counts only those days."""
    t = world.task("a")
    sun29, mon30, sat5, sun6 = (date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 5),
                                date(2026, 12, 6))  # fmt: skip
    world.mia.set_entry(t.key, MONDAY, 60)
    world.mia.set_entry(t.key, sun29, 30)
    world.mia.set_entry(t.key, mon30, 45)
    world.mia.set_entry(t.key, sat5, 20)
    world.mia.set_entry(t.key, sun6, 10)  # W50 as she sees it
    w48 = world.mia.submit_week(WEEK)
    assert (w48.submitted_minutes, w48.days) == (90, span(MONDAY, sun29))

    sheet = world.mia.week(NEXT_WEEK, first_day=SUNDAY)
    assert sheet.days == span(sun29, sat5)
    assert sheet.counted_days == span(mon30, sat5)
    assert [w.week for w in sheet.others] == [str(WEEK)]
    assert sheet.elsewhere(sun29) == str(WEEK) and sheet.elsewhere(mon30) is None
    assert sheet.total == 65  # Sun 29's 0:30 is W48's
    assert sum(e.minutes for e in sheet.entries) == 95  # shown, read-only

    submitted = world.mia.submit_week(NEXT_WEEK, first_day=SUNDAY)
    assert (submitted.state, submitted.submitted_minutes, submitted.first_day) == (
        "submitted",
        65,
        SUNDAY,
    )
    assert submitted.days == span(mon30, sat5)
    # every reader sees the short week, whatever their own first day
    for reader, user in ((world.mia, None), (world.lee, "mia"), (world.ada, "mia")):
        shown = reader.week(NEXT_WEEK, user=user)
        assert shown.days == span(sun29, sat5) and shown.counted_days == span(mon30, sat5)
        assert shown.total == 65 and shown.state == submitted
        assert shown.elsewhere(sun29) == str(WEEK)
        assert reader.week(WEEK, user=user).total == 90
    assert world.lee.list_week_states(user="mia") == [w48, submitted]

    def locks_hold() -> None:
        for edge, holder in ((sun29, WEEK), (mon30, NEXT_WEEK), (sat5, NEXT_WEEK)):
            with unchanged(world), pytest.raises(Locked, match=f"week {holder} "):
                world.mia.add_time(t.key, edge, 5)
            with refused(Locked, world):
                world.mia.clear_entry(t.key, edge)
        assert isinstance(world.mia.add_time(t.key, sun6, 5), TimeEntry)

    locks_hold()
    approved = world.lee.approve_week("mia", NEXT_WEEK)
    assert (approved.state, approved.submitted_minutes, approved.days) == (
        "approved",
        65,
        span(mon30, sat5),
    )
    locks_hold()
    # the workload counts Sun 29 once, in W48
    assert logged_in(world, "mia", str(WEEK)) == 90
    assert logged_in(world, "mia", str(NEXT_WEEK)) == 65


def test_a_week_put_back_may_not_take_a_day_closed_since(world: World) -> None:
    """Undoing a reopen (set_review) puts the week back only when its days are still
    its own: here W49 closed Sun 29 meanwhile."""
    t = world.task("a")
    sun29 = date(2026, 11, 29)
    world.mia.set_entry(t.key, sun29, 30)
    world.mia.submit_week(WEEK)  # Mon 23 - Sun 29
    reopened = world.lee.reopen_week("mia", WEEK)
    full = world.mia.submit_week(NEXT_WEEK, first_day=SUNDAY)  # Sun 29 is free: all 7
    assert (full.days[0], full.submitted_minutes) == (sun29, 30)
    with unchanged(world), pytest.raises(Conflict, match=r"Sun 29 Nov is in week"):
        world.lee.set_review("mia", WEEK, "submitted", version=reopened.version)
    # submitted again, W48 is short: Mon 23 - Sat 28
    again = world.mia.submit_week(WEEK)
    assert again.days == span(MONDAY, date(2026, 11, 28)) and again.submitted_minutes == 0


def test_switching_back_to_monday_makes_the_late_week_short(world: World) -> None:
    """Sunday -> Monday: W48 submitted Sun 22 - Sat 28; W47, submitted late from Monday,
    shows Mon 16 - Sun 22 and is submitted as Mon 16 - Sat 21 (Sun 22 is W48's)."""
    t = world.task("a")
    mon16, sat21, sun22, sun29 = (date(2026, 11, 16), date(2026, 11, 21), date(2026, 11, 22),
                                  date(2026, 11, 29))  # fmt: skip
    for d, minutes in ((mon16, 60), (sat21, 15), (sun22, 30), (MONDAY, 45), (sun29, 25)):
        world.mia.set_entry(t.key, d, minutes)
    w48 = world.mia.submit_week(WEEK, first_day=SUNDAY)
    assert (w48.days, w48.submitted_minutes) == (span(sun22, date(2026, 11, 28)), 75)

    sheet = world.mia.week(LAST_WEEK)
    assert sheet.days == span(mon16, sun22) and sheet.counted_days == span(mon16, sat21)
    assert sheet.elsewhere(sun22) == str(WEEK) and sheet.total == 75
    w47 = world.mia.submit_week(LAST_WEEK)
    assert (w47.days, w47.submitted_minutes, w47.first_day) == (span(mon16, sat21), 75, 0)
    approved = world.lee.approve_week("mia", LAST_WEEK)
    assert approved.days == span(mon16, sat21)
    with unchanged(world), pytest.raises(Locked, match=f"week {WEEK} "):
        world.mia.set_entry(t.key, sun22, 90)
    with unchanged(world), pytest.raises(Locked, match=f"week {LAST_WEEK} "):
        world.mia.set_entry(t.key, sat21, 90)
    assert world.lee.week(LAST_WEEK, user="mia").total == 75
    assert logged_in(world, "mia", str(LAST_WEEK)) == 75
    assert logged_in(world, "mia", str(WEEK)) == 75
    # the Sunday after W48 is in no closed week: it stays open (and counts in W49)
    assert isinstance(world.mia.add_time(t.key, sun29, 5), TimeEntry)
    assert logged_in(world, "mia", str(NEXT_WEEK)) == 30


def test_a_week_short_at_both_ends(world: World) -> None:
    """W48 from Monday (to Sun 29) and W50 from Saturday (from Sat 5) closed: the
    Sunday-start W49 is Mon 30 - Fri 4."""
    t = world.task("a")
    for d in (date(2026, 11, 29), date(2026, 12, 2), date(2026, 12, 5)):
        world.mia.set_entry(t.key, d, 60)
    world.mia.submit_week(WEEK)
    world.mia.submit_week(IsoWeek(2026, 50), first_day=SATURDAY)
    sheet = world.mia.week(NEXT_WEEK, first_day=SUNDAY)
    assert sheet.counted_days == span(date(2026, 11, 30), date(2026, 12, 4))
    assert sheet.elsewhere(date(2026, 12, 5)) == "2026-W50"
    done = world.mia.submit_week(NEXT_WEEK, first_day=SUNDAY)
    assert (done.days, done.submitted_minutes) == (sheet.counted_days, 60)


def test_a_week_that_starts_on_an_unknown_day_is_refused(world: World) -> None:
    with refused(Invalid, world):
        world.mia.submit_week(WEEK, first_day=7)
