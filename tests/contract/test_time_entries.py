"""Timesheet cells: set, add, clear, versions, the 24-hour day, archived tasks, locked
periods and submitted weeks; reading them back by week, range and task."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contract.conftest import World
from tests.contract.helpers import LAST_WEEK, MONDAY, TODAY, WEEK, day, refused, unchanged
from tui_board.backend.protocol import Backend
from tui_board.core.errors import Conflict, Forbidden, Invalid, Locked, NotFound
from tui_board.core.models import TimeEntry


def cell(backend: Backend, task: str, on: date, user: str | None = None) -> TimeEntry | None:
    """The stored cell, read back through the week view."""
    sheet = backend.week(WEEK if WEEK.contains(on) else type(WEEK).of(on), user=user)
    found = [e for e in sheet.entries if e.task == task and e.day == on]
    assert len(found) <= 1
    return found[0] if found else None


# --- set ------------------------------------------------------------------------------------


def test_set_a_new_cell(world: World) -> None:
    t = world.task("a")
    stored = world.mia.set_entry(t.key.lower(), TODAY, 90, comment="review", version=0)
    assert stored is not None
    assert (stored.user, stored.task, stored.day, stored.minutes, stored.comment) == (
        "mia",
        t.key,
        TODAY,
        90,
        "review",
    )
    assert (stored.task_title, stored.project) == ("a", "WEB")
    assert stored.version > 0  # 0 says "no cell"
    assert cell(world.mia, t.key, TODAY) == stored
    assert world.mia.list_entries(TODAY, TODAY) == [stored]
    assert world.ada.get_task(t.key).logged == 90


def test_set_overwrites_with_the_right_version(world: World) -> None:
    t = world.task("a")
    first = world.mia.set_entry(t.key, TODAY, 90, comment="one")
    assert first is not None
    second = world.mia.set_entry(t.key, TODAY, 30, version=first.version)
    assert second is not None
    assert (second.minutes, second.comment, second.version) == (30, "one", first.version + 1)
    assert cell(world.mia, t.key, TODAY) == second
    assert world.ada.get_task(t.key).logged == 30
    third = world.mia.set_entry(t.key, TODAY, 45, comment="")
    assert third is not None and third.comment == "" and third.version == second.version + 1


def test_stale_cell_version_is_a_conflict_with_the_stored_value(world: World) -> None:
    t = world.task("a")
    first = world.mia.set_entry(t.key, TODAY, 60)
    assert first is not None
    second = world.mia.set_entry(t.key, TODAY, 120, version=first.version)
    with unchanged(world), pytest.raises(Conflict) as caught:
        world.mia.set_entry(t.key, TODAY, 30, version=first.version)
    assert caught.value.current == second == cell(world.mia, t.key, TODAY)
    with unchanged(world), pytest.raises(Conflict) as caught:
        world.mia.set_entry(t.key, TODAY, 30, version=0)  # "I saw an empty cell"
    assert caught.value.current == second
    assert world.ada.get_task(t.key).logged == 120


def test_a_cleared_cell_with_a_version_is_a_conflict(world: World) -> None:
    t = world.task("a")
    first = world.mia.set_entry(t.key, TODAY, 60)
    assert first is not None
    world.mia.clear_entry(t.key, TODAY)
    with unchanged(world), pytest.raises(Conflict) as caught:
        world.mia.set_entry(t.key, TODAY, 90, version=first.version)
    assert caught.value.current is None
    assert cell(world.mia, t.key, TODAY) is None


def test_zero_minutes_and_no_comment_deletes_the_cell(world: World) -> None:
    t = world.task("a")
    world.mia.set_entry(t.key, TODAY, 60, comment="x")
    assert world.mia.set_entry(t.key, TODAY, 0, comment="") is None
    assert cell(world.mia, t.key, TODAY) is None
    assert world.ada.get_task(t.key).logged == 0


def test_zero_minutes_with_a_comment_keeps_the_cell(world: World) -> None:
    t = world.task("a")
    world.mia.set_entry(t.key, TODAY, 60, comment="note")
    kept = world.mia.set_entry(t.key, TODAY, 0)  # comment None: keep the comment
    assert kept is not None and (kept.minutes, kept.comment) == (0, "note")
    assert cell(world.mia, t.key, TODAY) == kept
    assert world.ada.get_task(t.key).logged == 0


def test_set_entry_refuses_negative_and_unknown(world: World) -> None:
    t = world.task("a")
    with refused(Invalid, world):
        world.mia.set_entry(t.key, TODAY, -1)
    with refused(NotFound, world):
        world.mia.set_entry("WEB-99", TODAY, 10)
    with refused(Invalid, world):
        world.mia.set_entry("nonsense", TODAY, 10)


def test_an_unknown_task_is_said_before_a_closed_week(world: World) -> None:
    """`tui-board log 1h NOPE-1` on a submitted week: the key mistyped is what to say
    (the week would be said next, for a key that exists)."""
    t = world.task("a")
    world.mia.submit_week(WEEK)
    for write in (world.mia.add_time, world.mia.set_entry):
        with refused(NotFound, world):
            write("WEB-99", TODAY, 10)
        with refused(Locked, world):
            write(t.key, TODAY, 10)


# --- add ------------------------------------------------------------------------------------


def test_add_time_creates_then_adds(world: World) -> None:
    t = world.task("a")
    first = world.mia.add_time(t.key, TODAY, 30, comment=" fixed ")
    assert (first.minutes, first.comment) == (30, "fixed")
    second = world.mia.add_time(t.key, TODAY, 45, comment="tested")
    assert (second.minutes, second.comment) == (75, "fixed; tested")
    assert second.version == first.version + 1
    third = world.mia.add_time(t.key, TODAY, 5)
    assert (third.minutes, third.comment) == (80, "fixed; tested")
    assert cell(world.mia, t.key, TODAY) == third
    assert world.ada.get_task(t.key).logged == 80


@pytest.mark.parametrize("minutes", [0, -30])
def test_add_time_needs_a_positive_amount(world: World, minutes: int) -> None:
    t = world.task("a")
    world.mia.add_time(t.key, TODAY, 30)
    with refused(Invalid, world):
        world.mia.add_time(t.key, TODAY, minutes)


# --- clear ----------------------------------------------------------------------------------


def test_clear_entry(world: World) -> None:
    t = world.task("a")
    stored = world.mia.set_entry(t.key, TODAY, 60, comment="x")
    assert stored is not None
    with refused(Conflict, world):
        world.mia.clear_entry(t.key, TODAY, version=stored.version + 1)
    world.mia.clear_entry(t.key, TODAY, version=stored.version)
    assert cell(world.mia, t.key, TODAY) is None
    assert world.mia.list_entries(TODAY, TODAY) == []
    assert world.ada.get_task(t.key).logged == 0
    with unchanged(world):
        world.mia.clear_entry(t.key, TODAY)  # clearing an empty cell is a no-op


# --- the 24-hour day -------------------------------------------------------------------------


def test_a_day_holds_24_hours_across_tasks(world: World) -> None:
    a, b = world.task("a"), world.task("b")
    world.mia.set_entry(a.key, TODAY, 20 * 60)
    world.mia.set_entry(b.key, TODAY, 4 * 60)  # exactly 24:00
    with refused(Invalid, world):
        world.mia.add_time(b.key, TODAY, 1)
    with refused(Invalid, world):
        world.mia.set_entry(a.key, TODAY, 20 * 60 + 1)
    assert world.mia.set_entry(a.key, TODAY, 19 * 60) is not None  # lowering is fine
    world.mia.add_time(b.key, TODAY, 60)
    assert sum(e.minutes for e in world.mia.list_entries(TODAY, TODAY)) == 24 * 60
    # the cap is per person and per day
    world.max.set_entry(a.key, TODAY, 24 * 60)
    world.mia.set_entry(a.key, day(1), 24 * 60)


def test_more_than_a_day_in_one_cell(world: World) -> None:
    t = world.task("a")
    with refused(Invalid, world):
        world.mia.set_entry(t.key, TODAY, 24 * 60 + 1)


# --- archived tasks --------------------------------------------------------------------------


def test_no_more_time_on_an_archived_task_but_it_may_be_lowered(world: World) -> None:
    t = world.task("a")
    stored = world.mia.set_entry(t.key, TODAY, 60)
    assert stored is not None
    world.ada.archive_task(t.key, t.version)
    with refused(Invalid, world):
        world.mia.add_time(t.key, TODAY, 10)
    with refused(Invalid, world):
        world.mia.set_entry(t.key, day(-1), 10)
    lowered = world.mia.set_entry(t.key, TODAY, 30, version=stored.version)
    assert lowered is not None and lowered.minutes == 30
    world.mia.clear_entry(t.key, TODAY)
    assert cell(world.mia, t.key, TODAY) is None
    assert world.ada.get_task(t.key).logged == 0


# --- locked periods and weeks ----------------------------------------------------------------


def test_a_locked_period_refuses_every_change(world: World) -> None:
    t = world.task("a")
    old = world.mia.set_entry(t.key, MONDAY, 60)
    assert old is not None
    assert world.ada.lock_period(MONDAY) == MONDAY
    for call in (
        lambda: world.mia.set_entry(t.key, MONDAY, 30),
        lambda: world.mia.add_time(t.key, MONDAY, 30),
        lambda: world.mia.clear_entry(t.key, MONDAY),
        lambda: world.mia.set_entry(t.key, day(-30), 30),
        lambda: world.ada.set_entry(t.key, MONDAY, 30, user="mia"),
    ):
        with refused(Locked, world):
            call()
    assert cell(world.mia, t.key, MONDAY) == old
    added = world.mia.add_time(t.key, MONDAY.replace(day=24), 30)  # the day after is open
    assert added.minutes == 30


@pytest.mark.parametrize("final", ["submitted", "approved"])
def test_a_submitted_or_approved_week_refuses_changes(world: World, final: str) -> None:
    t = world.task("a")
    world.mia.set_entry(t.key, MONDAY, 60)
    world.mia.submit_week(WEEK)
    if final == "approved":
        world.lee.approve_week("mia", WEEK)
    for call in (
        lambda: world.mia.set_entry(t.key, MONDAY, 30),
        lambda: world.mia.add_time(t.key, TODAY, 30),
        lambda: world.mia.clear_entry(t.key, MONDAY),
        lambda: world.ada.set_entry(t.key, TODAY, 30, user="mia"),
    ):
        with refused(Locked, world):
            call()
    # other weeks and other people are open
    world.mia.add_time(t.key, LAST_WEEK.monday(), 15)
    world.max.add_time(t.key, TODAY, 15)


def test_a_rejected_or_reopened_week_is_open_again(world: World) -> None:
    t = world.task("a")
    world.mia.set_entry(t.key, MONDAY, 60)
    world.mia.submit_week(WEEK)
    world.lee.reject_week("mia", WEEK, "MONDAY is wrong")
    fixed = world.mia.set_entry(t.key, MONDAY, 90)
    assert fixed is not None and fixed.minutes == 90
    world.mia.submit_week(WEEK)
    world.lee.approve_week("mia", WEEK)
    world.lee.reopen_week("mia", WEEK)
    assert world.mia.add_time(t.key, MONDAY, 10).minutes == 100


# --- whose time -------------------------------------------------------------------------------


def test_only_the_owner_or_an_admin_writes_a_persons_time(world: World) -> None:
    t = world.task("a")
    stored = world.ada.set_entry(t.key, TODAY, 60, user="mia")
    assert stored is not None and stored.user == "mia"
    assert cell(world.mia, t.key, TODAY) == stored
    assert world.ada.add_time(t.key, TODAY, 15, user="mia").minutes == 75
    for who in (world.max, world.lee, world.olga):
        with refused(Forbidden, world):
            who.set_entry(t.key, TODAY, 10, user="mia")
        with refused(Forbidden, world):
            who.add_time(t.key, TODAY, 10, user="mia")
        with refused(Forbidden, world):
            who.clear_entry(t.key, TODAY, user="mia")
    with refused(NotFound, world):
        world.ada.set_entry(t.key, TODAY, 10, user="nobody")


# --- reading ---------------------------------------------------------------------------------


def test_week_sheet(world: World) -> None:
    t, u = world.task("a"), world.task("b")
    world.mia.set_entry(t.key, MONDAY, 60)
    world.mia.set_entry(u.key, TODAY, 30)
    world.mia.set_entry(t.key, day(5), 15)  # Monday of next week
    world.mia.set_entry(t.key, day(-3), 45)  # Sunday of last week
    world.mia.add_time_off(day(1), 240, kind="holiday")
    sheet = world.mia.week(WEEK)
    assert (sheet.user, sheet.week, sheet.state.state, sheet.locked_until) == (
        "mia",
        "2026-W48",
        "draft",
        None,
    )
    assert sheet.days == tuple(MONDAY.replace(day=23 + i) for i in range(7))
    assert [(e.task, e.day, e.minutes) for e in sheet.entries] == [
        (t.key, MONDAY, 60),
        (u.key, TODAY, 30),
    ]
    assert [(o.day, o.minutes, o.kind) for o in sheet.time_off] == [(day(1), 240, "holiday")]
    assert sheet.total == 90
    assert sheet.day_total(day(1)) == 240
    assert sheet.editable
    sunday_first = world.mia.week(WEEK, first_day=6)
    assert sunday_first.days[0] == day(-3)
    assert [e.minutes for e in sunday_first.entries] == [45, 60, 30]


def test_list_entries_filters(world: World) -> None:
    world.ada.create_project("APP", "App")
    t, u = world.task("a"), world.task("b", project="APP")
    world.mia.set_entry(t.key, MONDAY, 60)
    world.mia.set_entry(u.key, TODAY, 30)
    world.mia.set_entry(t.key, day(7), 15)
    assert [e.minutes for e in world.mia.list_entries(MONDAY, TODAY)] == [60, 30]
    assert [e.minutes for e in world.mia.list_entries(MONDAY, day(7))] == [60, 30, 15]
    assert [e.minutes for e in world.mia.list_entries(day(-1), day(6))] == [30]
    assert [e.minutes for e in world.mia.list_entries(MONDAY, day(7), project="web")] == [60, 15]
    assert [e.minutes for e in world.mia.list_entries(MONDAY, day(7), task=u.key)] == [30]
    assert [e.minutes for e in world.mia.list_entries(MONDAY, day(7), user="mia")] == [60, 30, 15]
    with refused(NotFound, world):
        world.mia.list_entries(MONDAY, TODAY, project="NOPE")
    with refused(NotFound, world):
        world.mia.list_entries(MONDAY, TODAY, task="WEB-99")


def test_task_time(world: World) -> None:
    t = world.task("a")
    world.mia.set_entry(t.key, MONDAY, 60)
    world.mia.set_entry(t.key, TODAY, 30)
    world.max.set_entry(t.key, TODAY, 15)
    world.oscar.set_entry(t.key, TODAY, 5)
    rows = world.ada.task_time(t.key)
    assert [(r.user, r.task, r.project, r.task_title, r.minutes) for r in rows] == [
        ("max", t.key, "WEB", "a", 15),
        ("mia", t.key, "WEB", "a", 90),
        ("oscar", t.key, "WEB", "a", 5),
    ]
    assert world.ada.get_task(t.key).logged == 110
    assert world.ada.get_task(t.key).remaining is None
    with refused(NotFound, world):
        world.ada.task_time("WEB-99")


# --- a random walk over one person's cells ------------------------------------------------------

_OPS = st.tuples(
    st.sampled_from(["set", "add", "clear"]),
    st.integers(0, 1),  # task
    st.integers(0, 2),  # day
    st.integers(-10, 25 * 60),  # minutes
)
_walks = iter(range(1, 10**6))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(_OPS, max_size=12))
def test_random_cell_edits_keep_totals_and_the_day_cap(
    world: World, ops: list[tuple[str, int, int, int]]
) -> None:
    """Whatever sequence of writes (refused ones included), the stored cells match a
    model, no day holds more than 24:00, and each task's `logged` is its cells' sum."""
    login = f"walker{next(_walks)}"
    world.ada.create_user(login, login.title())
    me = world.make(login)
    tasks = [world.task("x").key, world.task("y").key]
    days = [MONDAY, TODAY, day(1)]
    model: dict[tuple[int, int], int] = {}
    for op, task, which, minutes in ops:
        key = (task, which)
        old = model.get(key, 0)
        others = sum(m for (t, d), m in model.items() if d == which and t != task)
        try:
            if op == "set":
                me.set_entry(tasks[task], days[which], minutes, comment="")
                new = minutes
            elif op == "add":
                me.add_time(tasks[task], days[which], minutes)
                new = old + minutes
            else:
                me.clear_entry(tasks[task], days[which])
                new = 0
        except Invalid:
            assert (
                (op == "set" and minutes < 0)
                or (op == "add" and minutes <= 0)
                or (others + (minutes if op == "set" else old + minutes) > 24 * 60)
            )
            continue
        assert new >= 0 and others + new <= 24 * 60
        model[key] = new
    stored = {
        (tasks.index(e.task), days.index(e.day)): e.minutes for e in me.list_entries(MONDAY, day(1))
    }
    assert stored == {k: v for k, v in model.items() if v}
    for index, task_key in enumerate(tasks):
        assert world.ada.get_task(task_key).logged == sum(
            m for (t, _), m in model.items() if t == index
        )
