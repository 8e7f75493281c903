"""A week that starts on Sunday (or Saturday) is submitted, approved and locked exactly
as its owner saw it, whatever the reader's own first day (backend/local/weeks.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.contract.conftest import World
from tests.contract.helpers import LAST_WEEK, NEXT_WEEK, WEEK, refused, unchanged
from tui_board.core.errors import Invalid, Locked
from tui_board.core.models import TimeEntry

SUNDAY, SATURDAY = 6, 5


def logged_in(world: World, login: str, week_name: str) -> int:
    load = world.lee.workload(LAST_WEEK, 3, team="core")
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


def test_a_day_belongs_to_one_submitted_week(world: World) -> None:
    """Switching from Monday to Sunday: the Sunday between is in the Monday-start
    week already submitted, so the Sunday-start week after is refused, naming it."""
    t = world.task("a")
    world.mia.set_entry(t.key, date(2026, 11, 22), 60)  # Sun 22
    world.mia.submit_week(LAST_WEEK)  # Mon 16 to Sun 22
    with unchanged(world), pytest.raises(Invalid, match=r"Sun 22 Nov is already in week 2026-W47"):
        world.mia.submit_week(WEEK, first_day=SUNDAY)
    # submitted as Monday to Sunday, it is open on Sun 22 only through W47
    done = world.mia.submit_week(WEEK)
    assert done.first_day == 0 and done.submitted_minutes == 0


def test_a_week_that_starts_on_an_unknown_day_is_refused(world: World) -> None:
    with refused(Invalid, world):
        world.mia.submit_week(WEEK, first_day=7)
