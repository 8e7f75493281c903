"""Time off: recorded by the person, their lead or an admin; lowers capacity."""

from __future__ import annotations

import pytest

from tests.contract.conftest import World
from tests.contract.helpers import (
    FAR_FUTURE,
    FAR_PAST,
    MONDAY,
    TODAY,
    WEEK,
    day,
    refused,
    unchanged,
)
from tui_board.core.errors import Forbidden, Invalid, NotFound


def test_add_list_remove_own_time_off(world: World) -> None:
    made = world.mia.add_time_off(TODAY, 8 * 60)
    assert (made.user, made.day, made.minutes, made.kind) == ("mia", TODAY, 480, "vacation")
    sick = world.mia.add_time_off(day(1), 240, kind="sick")
    assert world.mia.list_time_off(MONDAY, WEEK.sunday()) == [made, sick]
    assert world.mia.list_time_off(day(1), day(1)) == [sick]
    assert world.lee.list_time_off(FAR_PAST, FAR_FUTURE, user="mia") == [made, sick]
    assert world.mia.week(WEEK).time_off == (made, sick)
    world.mia.remove_time_off(made.id)
    assert world.mia.list_time_off(FAR_PAST, FAR_FUTURE) == [sick]
    for nothing in (made.id, 0, -1):
        with refused(NotFound, world):
            world.mia.remove_time_off(nothing)
    # past any id: refused, not SQLite's OverflowError (the server's check says Invalid)
    with unchanged(world), pytest.raises((NotFound, Invalid)):
        world.mia.remove_time_off(2**70)


def test_a_lead_records_time_off_for_their_team(world: World) -> None:
    made = world.lee.add_time_off(TODAY, 480, kind="holiday", user="mia")
    assert made.user == "mia"
    assert world.mia.list_time_off(TODAY, TODAY) == [made]
    world.lee.remove_time_off(made.id)
    assert world.mia.list_time_off(TODAY, TODAY) == []
    assert world.ada.add_time_off(TODAY, 60, user="oscar").user == "oscar"


def test_who_may_not_record_time_off(world: World) -> None:
    theirs = world.oscar.add_time_off(TODAY, 60)
    for who, login in ((world.max, "mia"), (world.lee, "oscar"), (world.olga, "mia")):
        with refused(Forbidden, world):
            who.add_time_off(TODAY, 60, user=login)
    for who in (world.mia, world.lee):
        with refused(Forbidden, world):
            who.remove_time_off(theirs.id)
        with refused(Forbidden, world):
            who.list_time_off(TODAY, TODAY, user="oscar")


@pytest.mark.parametrize(
    ("minutes", "kind"),
    [(0, "vacation"), (-60, "vacation"), (24 * 60 + 1, "vacation"), (60, "holidays")],
)
def test_time_off_refuses_bad_input(world: World, minutes: int, kind: str) -> None:
    with refused(Invalid, world):
        world.mia.add_time_off(TODAY, minutes, kind=kind)  # type: ignore[arg-type]


def test_time_off_unknown_user_or_id(world: World) -> None:
    with refused(NotFound, world):
        world.ada.add_time_off(TODAY, 60, user="nobody")
    with refused(NotFound, world):
        world.ada.remove_time_off(99_999)


def test_a_days_time_off_adds_up_to_24_hours_at_most(world: World) -> None:
    """One entry over 24:00 was refused, twenty of 8:00 on one day were stored (160
    hours, overtime reports against it: an attacker's trial)."""
    world.mia.add_time_off(TODAY, 16 * 60)
    world.lee.add_time_off(TODAY, 8 * 60, kind="sick", user="mia")
    with refused(Invalid, world) as caught:
        world.mia.add_time_off(TODAY, 1)
    assert "24:00" in str(caught.value)
    assert sum(t.minutes for t in world.mia.list_time_off(TODAY, TODAY)) == 24 * 60
    world.mia.add_time_off(day(1), 60)  # another day holds its own
