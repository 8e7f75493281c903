"""Weeks: submit, approve, reject, reopen (and who may), and period locks."""

from __future__ import annotations

import re

import pytest

from tests.contract.conftest import World
from tests.contract.helpers import LAST_WEEK, MONDAY, TODAY, WEEK, day, refused, unchanged
from tui_board.core.errors import Forbidden, Invalid, Locked, NotFound
from tui_board.core.models import UserPatch
from tui_board.core.permissions import OWN_WEEK


def state_of(world: World, login: str, week: str = "2026-W48") -> str:
    found = [w for w in world.ada.list_week_states(user=login) if w.week == week]
    return found[0].state if found else "draft"


def test_a_week_starts_as_draft(world: World) -> None:
    sheet = world.mia.week(WEEK)
    assert (sheet.state.user, sheet.state.week, sheet.state.state, sheet.state.version) == (
        "mia",
        "2026-W48",
        "draft",
        0,
    )
    assert world.ada.list_week_states() == []


def test_submit_records_the_total(world: World) -> None:
    t = world.task("a")
    world.mia.set_entry(t.key, MONDAY, 60)
    world.mia.set_entry(t.key, WEEK.sunday(), 30)
    world.mia.set_entry(t.key, day(5), 15)  # next week: not counted
    submitted = world.mia.submit_week(WEEK)
    assert (submitted.state, submitted.submitted_minutes, submitted.version) == (
        "submitted",
        90,
        1,
    )
    assert (submitted.user, submitted.week, submitted.reviewer) == ("mia", "2026-W48", None)
    assert world.mia.week(WEEK).state == submitted
    assert world.mia.week(WEEK).editable is False
    assert world.ada.list_week_states() == [submitted]


def test_submit_twice_is_refused(world: World) -> None:
    world.mia.submit_week(WEEK)
    with refused(Locked, world):
        world.mia.submit_week(WEEK)
    world.lee.approve_week("mia", WEEK)
    with refused(Locked, world):
        world.mia.submit_week(WEEK)


def test_who_may_submit(world: World) -> None:
    with refused(Forbidden, world):
        world.max.submit_week(WEEK, user="mia")
    with refused(Forbidden, world):
        world.lee.submit_week(WEEK, user="mia")
    with refused(NotFound, world):
        world.ada.submit_week(WEEK, user="nobody")
    done = world.ada.submit_week(WEEK, user="mia")
    assert done.user == "mia" and state_of(world, "mia") == "submitted"


@pytest.mark.parametrize("reviewer", ["lee", "ada"])
def test_approve(world: World, reviewer: str) -> None:
    world.mia.submit_week(WEEK)
    approved = getattr(world, reviewer).approve_week("mia", WEEK)
    assert (approved.state, approved.reviewer, approved.version) == ("approved", reviewer, 2)
    assert world.mia.week(WEEK).state == approved
    assert world.lee.list_week_states(state="approved") == [approved]


def test_who_may_approve(world: World) -> None:
    world.mia.submit_week(WEEK)
    world.lee.submit_week(WEEK)
    world.oscar.submit_week(WEEK)
    for reviewer, login in (
        (world.max, "mia"),  # a member, same team
        (world.mia, "mia"),  # oneself
        (world.lee, "lee"),  # a lead, own week
        (world.olga, "mia"),  # the lead of another team
        (world.lee, "oscar"),
        (world.nik, "oscar"),
    ):
        with refused(Forbidden, world):
            reviewer.approve_week(login, WEEK)
        with refused(Forbidden, world):
            reviewer.reject_week(login, WEEK, "no")
        with refused(Forbidden, world):
            reviewer.reopen_week(login, WEEK)
    # a lead's own week goes to an admin
    assert world.ada.approve_week("lee", WEEK).state == "approved"
    assert world.olga.approve_week("oscar", WEEK).state == "approved"


def test_nobody_reviews_their_own_week_admins_included(world: World) -> None:
    """An admin in a team (here ada, in lee's team) cannot approve, reject or reopen
    her own week; her team's lead or another admin does."""
    ada = world.ada.get_user("ada")
    world.ada.update_user("ada", ada.version, UserPatch(team="core"))
    world.ada.create_user("ana", "Ana", role="admin")
    ana = world.make("ana")
    world.ada.submit_week(WEEK)
    world.lee.submit_week(WEEK)
    for review in (
        lambda: world.ada.approve_week("ada", WEEK),
        lambda: world.ada.reject_week("ada", WEEK, "mine"),
        lambda: world.ada.reopen_week("ada", WEEK),
        lambda: world.lee.approve_week("lee", WEEK),
    ):
        with unchanged(world), pytest.raises(Forbidden, match=f"^{re.escape(OWN_WEEK)}$"):
            review()
    assert state_of(world, "ada") == "submitted"
    assert world.lee.approve_week("ada", WEEK).reviewer == "lee"
    with refused(Forbidden, world):
        world.ada.reopen_week("ada", WEEK)  # an approved week of her own, too
    assert ana.reopen_week("ada", WEEK).state == "draft"
    assert world.ada.approve_week("lee", WEEK).reviewer == "ada"


def test_only_a_submitted_week_can_be_approved(world: World) -> None:
    with refused(Invalid, world):
        world.lee.approve_week("mia", WEEK)
    # nor through set_review (what undo uses), which approved a week never sent: a lead
    # closed a member's empty week with nobody having submitted it
    for state in ("approved", "rejected", "submitted"):
        with refused(Invalid, world):
            world.lee.set_review("mia", WEEK, state, version=0)  # type: ignore[arg-type]
    world.mia.submit_week(WEEK)
    world.lee.approve_week("mia", WEEK)
    with refused(Invalid, world):
        world.lee.approve_week("mia", WEEK)
    with refused(NotFound, world):
        world.ada.approve_week("nobody", WEEK)


def test_reject_needs_a_note_and_reopens_for_editing(world: World) -> None:
    t = world.task("a")
    world.mia.set_entry(t.key, MONDAY, 60)
    world.mia.submit_week(WEEK)
    with refused(Invalid, world):
        world.lee.reject_week("mia", WEEK, "  ")
    rejected = world.lee.reject_week("mia", WEEK, " Monday is wrong ")
    assert (rejected.state, rejected.note, rejected.reviewer) == (
        "rejected",
        "Monday is wrong",
        "lee",
    )
    assert world.mia.week(WEEK).state == rejected
    assert world.mia.week(WEEK).editable
    world.mia.set_entry(t.key, MONDAY, 120)
    again = world.mia.submit_week(WEEK)
    assert (again.state, again.submitted_minutes, again.note) == (
        "submitted",
        120,
        "Monday is wrong",
    )
    with refused(Invalid, world):
        world.lee.reject_week("mia", LAST_WEEK, "never submitted")


def test_reopen_an_approved_week(world: World) -> None:
    world.mia.submit_week(WEEK)
    world.lee.approve_week("mia", WEEK)
    reopened = world.lee.reopen_week("mia", WEEK)
    assert (reopened.state, reopened.reviewer) == ("draft", "lee")
    assert world.mia.week(WEEK).state == reopened
    with refused(Invalid, world):
        world.lee.reopen_week("mia", WEEK)  # already a draft
    assert world.mia.submit_week(WEEK).state == "submitted"


def test_list_week_states_filters_and_visibility(world: World) -> None:
    world.mia.submit_week(WEEK)
    world.mia.submit_week(LAST_WEEK)
    world.max.submit_week(WEEK)
    world.oscar.submit_week(WEEK)
    world.lee.approve_week("max", WEEK)

    def seen(backend: object, **kwargs: str) -> list[tuple[str, str, str]]:
        return [(w.user, w.week, w.state) for w in backend.list_week_states(**kwargs)]  # type: ignore[attr-defined]

    assert seen(world.ada) == [
        ("mia", "2026-W47", "submitted"),
        ("max", "2026-W48", "approved"),
        ("mia", "2026-W48", "submitted"),
        ("oscar", "2026-W48", "submitted"),
    ]
    assert seen(world.ada, state="submitted", user="mia") == [
        ("mia", "2026-W47", "submitted"),
        ("mia", "2026-W48", "submitted"),
    ]
    assert seen(world.lee, state="submitted") == [
        ("mia", "2026-W47", "submitted"),
        ("mia", "2026-W48", "submitted"),
    ]
    assert seen(world.olga) == [("oscar", "2026-W48", "submitted")]
    assert seen(world.mia, state="submitted") == [
        ("mia", "2026-W47", "submitted"),
        ("mia", "2026-W48", "submitted"),
    ]
    assert seen(world.mia, user="oscar") == []
    assert seen(world.nik) == []


# --- period locks ----------------------------------------------------------------------------


def test_lock_period(world: World) -> None:
    assert world.mia.locked_until() is None
    assert world.ada.lock_period(MONDAY) == MONDAY
    assert world.mia.locked_until() == MONDAY
    assert world.mia.week(WEEK).locked_until == MONDAY
    assert world.mia.week(WEEK).editable is False  # Monday is locked
    world.ada.lock_period(LAST_WEEK.sunday())  # the newest lock is in force
    assert world.mia.locked_until() == LAST_WEEK.sunday()
    assert world.mia.week(LAST_WEEK).editable is False
    assert world.mia.week(WEEK).editable is True
    world.ada.lock_period(TODAY)
    assert world.lee.locked_until() == TODAY


@pytest.mark.parametrize("who", ["lee", "mia"])
def test_only_an_admin_locks_periods(world: World, who: str) -> None:
    with refused(Forbidden, world):
        getattr(world, who).lock_period(MONDAY)
