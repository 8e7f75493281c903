"""The timer: one per person; stopping adds its minutes to today's cell."""

from __future__ import annotations

import pytest

from tests.contract.conftest import World
from tests.contract.helpers import MONDAY, TODAY, WEEK, refused, unchanged
from tui_board.core.errors import Conflict, Forbidden, Invalid, Locked, NotFound


def test_start_status_stop(world: World) -> None:
    t = world.task("a")
    started = world.mia.timer_start(t.key.lower())
    assert (started.user, started.task, started.started, started.task_title) == (
        "mia",
        t.key,
        world.clock.now,
        "a",
    )
    assert world.mia.timer_status() == started
    assert world.max.timer_status() is None  # one timer per person
    world.clock.advance(minutes=90, seconds=20)
    entry = world.mia.timer_stop()
    assert entry is not None
    assert (entry.user, entry.task, entry.day, entry.minutes) == ("mia", t.key, TODAY, 90)
    assert world.mia.timer_status() is None
    assert world.mia.list_entries(TODAY, TODAY) == [entry]
    assert world.ada.get_task(t.key).logged == 90


def test_stopping_adds_to_the_cell(world: World) -> None:
    t = world.task("a")
    world.mia.set_entry(t.key, TODAY, 30, comment="morning")
    world.mia.timer_start(t.key)
    world.clock.advance(minutes=45)
    entry = world.mia.timer_stop()
    assert entry is not None and (entry.minutes, entry.comment) == (75, "morning")
    assert world.mia.list_entries(TODAY, TODAY) == [entry]


def test_stop_without_a_timer(world: World) -> None:
    with unchanged(world):
        assert world.mia.timer_stop() is None


def test_less_than_a_minute_logs_nothing(world: World) -> None:
    t = world.task("a")
    world.mia.timer_start(t.key)
    world.clock.advance(seconds=20)
    assert world.mia.timer_stop() is None
    assert world.mia.timer_status() is None
    assert world.mia.list_entries(TODAY, TODAY) == []


def test_starting_another_timer_stops_the_running_one(world: World) -> None:
    a, b = world.task("a"), world.task("b")
    world.mia.timer_start(a.key)
    world.clock.advance(minutes=25)
    second = world.mia.timer_start(b.key)
    assert world.mia.timer_status() == second
    assert [(e.task, e.minutes) for e in world.mia.list_entries(TODAY, TODAY)] == [(a.key, 25)]
    world.clock.advance(minutes=5)
    world.mia.timer_stop()
    assert [(e.task, e.minutes) for e in world.mia.list_entries(TODAY, TODAY)] == [
        (a.key, 25),
        (b.key, 5),
    ]


def test_start_errors(world: World) -> None:
    t = world.task("a")
    world.ada.archive_task(t.key, t.version)
    with refused(Invalid, world):
        world.mia.timer_start(t.key)
    with refused(NotFound, world):
        world.mia.timer_start("WEB-99")
    with refused(Forbidden, world):
        world.make("eve").timer_start("WEB-1")


def test_a_failed_start_keeps_the_running_timer(world: World) -> None:
    t, gone = world.task("a"), world.task("b")
    world.ada.archive_task(gone.key, gone.version)
    running = world.mia.timer_start(t.key)
    world.clock.advance(minutes=10)
    with refused(Invalid, world):
        world.mia.timer_start(gone.key)
    assert world.mia.timer_status() == running


@pytest.mark.parametrize("why", ["submitted", "locked"])
def test_a_timer_does_not_start_where_its_time_could_not_go(world: World, why: str) -> None:
    """Today's week submitted, or today locked: the timer would run for nothing (its
    time refused when it stops), so it does not start, and a running one runs on."""
    t, other = world.task("a"), world.task("b")
    running = None
    if why == "submitted":
        world.mia.submit_week(WEEK)
    else:
        running = world.mia.timer_start(other.key)
        world.ada.lock_period(TODAY)
    with refused(Locked, world) as caught:
        world.mia.timer_start(t.key)
    assert f"the timer cannot run on {t.key}" in str(caught.value)
    assert why in str(caught.value)
    assert world.mia.timer_status() == running


def test_a_week_is_not_submitted_while_its_timer_runs_into_it(world: World) -> None:
    """Stopping the timer would find the week read-only and its time would be lost: the
    week waits until the timer is stopped (by its owner, or by a lead for them)."""
    t = world.task("a")
    world.mia.timer_start(t.key)
    world.clock.advance(minutes=40)
    with refused(Conflict, world) as caught:
        world.mia.submit_week(WEEK)
    assert f"your timer on {t.key} is running" in str(caught.value)
    with refused(Conflict, world) as caught:
        world.ada.submit_week(WEEK, user="mia")
    assert f"mia's timer on {t.key} is running" in str(caught.value)
    with refused(Conflict, world):  # next week: the timer may be stopped in it
        world.mia.submit_week(WEEK.shift(1))
    world.mia.submit_week(WEEK.shift(-1))  # a week the timer's time does not go into
    entry = world.mia.timer_stop()
    assert entry is not None and entry.minutes == 40
    assert world.mia.submit_week(WEEK).state == "submitted"
    assert world.mia.list_entries(TODAY, TODAY) == [entry]


def test_a_timer_put_back_where_its_time_could_not_go_is_refused(world: World) -> None:
    """Undoing a stop, or redoing a start, puts a timer back (`timer_set`): not into a
    week submitted since, where its time would be lost as a started one's would."""
    t = world.task("a")
    started = world.mia.timer_start(t.key)
    world.mia.timer_set(None, expect=started.started)  # the start undone
    world.mia.submit_week(WEEK)
    with refused(Locked, world) as caught:  # and redone
        world.mia.timer_set(t.key, started=started.started)
    assert f"the timer cannot run on {t.key}" in str(caught.value)
    assert world.mia.timer_status() is None


@pytest.mark.parametrize("why", ["locked", "too long"])
def test_a_timer_whose_time_cannot_be_logged_still_stops(world: World, why: str) -> None:
    """Otherwise the person could never stop it, nor start another: stopping says why
    the time was not logged, and the timer is gone. (Its card archived meanwhile was a
    third way; a card with a timer running is not archived now: test_tasks.py.)"""
    t = world.task("a")
    world.mia.timer_start(t.key)
    world.clock.advance(minutes=50)
    error: type[Exception] = Locked
    if why == "locked":
        world.ada.lock_period(TODAY)
    else:
        world.clock.advance(hours=30)
        error = Invalid
    before = world.ada.last_change()
    with pytest.raises(error) as caught:
        world.mia.timer_stop()
    assert "timer" in caught.value.args[0]
    assert world.mia.timer_status() is None
    assert world.mia.list_entries(MONDAY, WEEK.sunday()) == []
    assert world.ada.get_task(t.key).logged == 0
    (change,) = world.ada.changes_since(before)
    assert (change.entity, change.action, change.user) == ("timer", "stop", "mia")
    # and a new timer starts (but where today is locked: its time could not go there)
    other = world.task("b")
    if why == "locked":
        with refused(Locked, world):
            world.mia.timer_start(other.key)
    else:
        assert world.mia.timer_start(other.key).task == other.key


def test_starting_over_a_timer_that_cannot_be_logged(world: World) -> None:
    t, other = world.task("a"), world.task("b")
    world.mia.timer_start(t.key)
    world.clock.advance(hours=30)  # more than a day's cell can take
    with pytest.raises(Invalid):
        world.mia.timer_start(other.key)
    assert world.mia.timer_status() is None  # the old one is stopped, the new not started
    assert world.mia.timer_start(other.key).task == other.key


def test_timer_changes_are_recorded(world: World) -> None:
    t = world.task("a")
    before = world.ada.last_change()
    world.mia.timer_start(t.key)
    world.clock.advance(minutes=10)
    world.mia.timer_stop()
    changes = world.ada.changes_since(before)
    assert [(c.entity, c.action) for c in changes] == [
        ("timer", "start"),
        ("timer", "stop"),
        ("entry", "set"),
    ]
