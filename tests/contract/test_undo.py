"""Undo and redo through the Backend, on every store: each change put back by a versioned
write, refused when someone changed the thing since, and redone by the change the undo
returns (`tui_board.backend.undo`)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.contract.conftest import World
from tests.contract.helpers import MONDAY, TODAY, WEEK, unchanged
from tui_board.backend.undo import (
    CardChange,
    RowsChange,
    Undoable,
    card_archived,
    card_edit,
    card_move,
    cell_change,
    change_from_json,
    review_change,
    timer_change,
)
from tui_board.core.errors import Conflict, Forbidden
from tui_board.core.models import TaskPatch


def through_json(change: Undoable) -> Undoable:
    """What the shell's undo file gives back: the same change."""
    again = change_from_json(json.loads(json.dumps(change.to_json())))
    assert again == change
    return again


def test_a_move_undone_and_redone(world: World) -> None:
    todo, doing = world.column("To do"), world.column("In progress")
    first, second = world.task("first", column_id=todo), world.task("second", column_id=todo)
    moved = world.mia.move_task(first.key, first.version, doing)
    change = through_json(card_move(f"move {first.key}", first, 0, moved))
    undone = change.undo(world.mia)
    back = world.ada.get_task(first.key)
    assert (back.column_id, [t.key for t in world.ada.list_tasks(column_id=todo)]) == (
        todo,
        [first.key, second.key],  # at the place it had
    )
    assert undone.records == (back,)
    through_json(undone.redo).undo(world.mia)
    assert world.ada.get_task(first.key).column_id == doing


def test_an_undo_is_refused_after_someone_changed_the_card(world: World) -> None:
    card = world.task("card")
    edited = world.mia.update_task(card.key, card.version, TaskPatch(assignee="max", estimate=90))
    change = card_edit("assign", card, edited, TaskPatch(assignee="max", estimate=90))
    assert isinstance(change, CardChange)
    assert change.before == {"assignee": None, "estimate": None}
    world.lee.update_task(card.key, edited.version, TaskPatch(title="renamed by lee"))
    with unchanged(world), pytest.raises(Conflict):
        change.undo(world.mia)
    assert world.ada.get_task(card.key).assignee == "max"


def test_an_edit_undone_puts_every_field_back(world: World) -> None:
    card = world.task("card", estimate=60, tags=("a",))
    patch = TaskPatch(title="new", estimate=None, due=MONDAY, tags=("b", "c"))
    edited = world.mia.update_task(card.key, card.version, patch)
    change = card_edit("edit", card, edited, patch)
    assert change is not None
    through_json(change).undo(world.mia)
    back = world.ada.get_task(card.key)
    assert (back.title, back.estimate, back.due, back.tags) == ("card", 60, None, ("a",))


def test_archive_and_create_undone(world: World) -> None:
    card = world.task("card")
    archived = world.mia.archive_task(card.key, card.version)
    undone = card_archived("archive", archived).undo(world.mia)
    assert world.ada.get_task(card.key).archived is False
    undone.redo.undo(world.mia)
    assert world.ada.get_task(card.key).archived is True
    made = world.mia.create_task("WEB", "made by mistake")
    card_archived("make", made).undo(world.mia)
    assert made.key not in [t.key for t in world.ada.list_tasks(project="WEB")]


def test_a_cell_set_cleared_and_redone(world: World) -> None:
    card = world.task("card")
    first = world.mia.set_entry(card.key, MONDAY, 60, comment="morning")
    assert first is not None
    second = world.mia.set_entry(card.key, MONDAY, 90, comment="", version=first.version)
    change = cell_change("set", card.key, MONDAY, (60, "morning"), second)
    assert change is not None
    undone = through_json(change).undo(world.mia)
    [entry] = world.mia.list_entries(MONDAY, MONDAY)
    assert (entry.minutes, entry.comment) == (60, "morning")
    undone.redo.undo(world.mia)
    [entry] = world.mia.list_entries(MONDAY, MONDAY)
    assert (entry.minutes, entry.comment) == (90, "")
    # a cell cleared comes back, and a cell made goes away again
    world.mia.clear_entry(card.key, MONDAY, version=entry.version)
    cleared = cell_change("clear", card.key, MONDAY, (90, ""), None)
    assert cleared is not None
    cleared.undo(world.mia)
    assert [e.minutes for e in world.mia.list_entries(MONDAY, MONDAY)] == [90]


def test_a_cell_undo_refused_after_another_write(world: World) -> None:
    card = world.task("card")
    entry = world.mia.set_entry(card.key, MONDAY, 60)
    assert entry is not None
    change = cell_change("set", card.key, MONDAY, (0, ""), entry)
    assert change is not None
    world.mia.set_entry(card.key, MONDAY, 30, version=entry.version)  # from another screen
    with unchanged(world), pytest.raises(Conflict):
        change.undo(world.mia)


def test_rows_added_undone(world: World) -> None:
    a, b = world.task("a"), world.task("b")
    world.mia.add_week_row(WEEK, a.key)
    undone = through_json(RowsChange("add rows", str(WEEK), (a.key,), ())).undo(world.mia)
    assert [r.key for r in world.mia.week(WEEK).rows] == []
    undone.redo.undo(world.mia)
    assert [r.key for r in world.mia.week(WEEK).rows] == [a.key]
    world.mia.remove_week_row(WEEK, a.key)
    RowsChange("remove a row", str(WEEK), (), (a.key,)).undo(world.mia)
    assert [r.key for r in world.mia.week(WEEK).rows] == [a.key]
    assert b.key not in [r.key for r in world.mia.week(WEEK).rows]


def test_an_approval_undone_and_redone(world: World) -> None:
    card = world.task("card")
    world.mia.set_entry(card.key, MONDAY, 60)
    submitted = world.mia.submit_week(WEEK)
    approved = world.lee.approve_week("mia", WEEK)
    change = through_json(review_change("approve", submitted, approved))
    undone = change.undo(world.lee)
    assert world.mia.week(WEEK).state.state == "submitted"
    undone.redo.undo(world.lee)
    again = world.mia.week(WEEK).state
    assert (again.state, again.reviewer) == ("approved", "lee")


def test_a_rejection_undone_keeps_no_note(world: World) -> None:
    card = world.task("card")
    world.mia.set_entry(card.key, MONDAY, 60)
    submitted = world.mia.submit_week(WEEK)
    rejected = world.lee.reject_week("mia", WEEK, "Tuesday is missing")
    review_change("reject", submitted, rejected).undo(world.lee)
    state = world.mia.week(WEEK).state
    assert (state.state, state.note, state.reviewer) == ("submitted", "", None)


def test_a_reopening_undone_only_while_the_week_is_as_submitted(world: World) -> None:
    card = world.task("card")
    world.mia.set_entry(card.key, MONDAY, 60)
    world.mia.submit_week(WEEK)
    approved = world.lee.approve_week("mia", WEEK)
    reopened = world.lee.reopen_week("mia", WEEK)
    change = review_change("reopen", approved, reopened)
    change.undo(world.lee)
    assert world.mia.week(WEEK).state.state == "approved"
    # reopened again, and mia changes her time: the old approval cannot come back
    state = world.mia.week(WEEK).state
    reopened = world.lee.reopen_week("mia", WEEK)
    [entry] = world.mia.list_entries(MONDAY, MONDAY)
    world.mia.set_entry(card.key, MONDAY, 120, version=entry.version)
    with unchanged(world), pytest.raises(Conflict, match="changed since it was reopened"):
        review_change("reopen", state, reopened).undo(world.lee)


def test_only_a_reviewer_undoes_a_review(world: World) -> None:
    card = world.task("card")
    world.mia.set_entry(card.key, MONDAY, 60)
    submitted = world.mia.submit_week(WEEK)
    approved = world.lee.approve_week("mia", WEEK)
    change = review_change("approve", submitted, approved)
    for outsider in (world.mia, world.max, world.olga):
        with unchanged(world), pytest.raises(Forbidden):
            change.undo(outsider)


def test_a_timer_start_undone_logs_nothing(world: World) -> None:
    card = world.task("card")
    timer = world.mia.timer_start(card.key)
    world.clock.advance(minutes=30)
    undone = timer_change("start", None, timer).undo(world.mia)
    assert world.mia.timer_status() is None
    assert world.mia.list_entries(TODAY, TODAY) == []
    undone.redo.undo(world.mia)  # redone: running again since it first started
    running = world.mia.timer_status()
    assert running is not None and running.task == card.key
    world.clock.advance(minutes=10)
    entry = world.mia.timer_stop()
    assert entry is not None and entry.minutes == 40


def test_a_timer_stop_undone_takes_its_minutes_back_and_runs_on(world: World) -> None:
    card = world.task("card")
    world.mia.set_entry(card.key, TODAY, 15)
    timer = world.mia.timer_start(card.key)
    world.clock.advance(minutes=45)
    entry = world.mia.timer_stop()
    cell = cell_change("timer", card.key, TODAY, (15, ""), entry)
    change = through_json(timer_change("stop", timer, None, cell))
    undone = change.undo(world.mia)
    assert [e.minutes for e in world.mia.list_entries(TODAY, TODAY)] == [15]
    running = world.mia.timer_status()
    assert running is not None and running.task == card.key
    undone.redo.undo(world.mia)
    assert world.mia.timer_status() is None
    assert [e.minutes for e in world.mia.list_entries(TODAY, TODAY)] == [60]


def test_a_timer_undo_refused_once_the_timer_changed(world: World) -> None:
    a, b = world.task("a"), world.task("b")
    timer = world.mia.timer_start(a.key)
    world.clock.advance(minutes=5)
    world.mia.timer_start(b.key)  # from another terminal
    with pytest.raises(Conflict):
        timer_change("start", None, timer).undo(world.mia)
    running = world.mia.timer_status()
    assert running is not None and running.task == b.key


def test_a_rejection_undone_only_while_the_week_is_as_submitted(world: World) -> None:
    card = world.task("card")
    world.mia.set_entry(card.key, MONDAY, 60)
    submitted = world.mia.submit_week(WEEK)
    rejected = world.lee.reject_week("mia", WEEK, "Tuesday is missing")
    world.mia.set_entry(card.key, MONDAY + timedelta(days=1), 30)  # she fixes her week
    with unchanged(world), pytest.raises(Conflict, match="changed since it was sent back"):
        review_change("reject", submitted, rejected).undo(world.lee)
    assert world.mia.week(WEEK).state.state == "rejected"
