"""A card's history in words (tui_board/core/history.py), from what real writes record
on every store: each write keeps enough of what was before to say "from X to Y"."""

from __future__ import annotations

from datetime import date

import pytest

from tests.contract.conftest import World
from tests.contract.helpers import TODAY, day, refused
from tui_board.core.errors import NotFound
from tui_board.core.history import history_lines
from tui_board.core.models import TaskPatch


def test_each_write_to_a_card_reads_as_a_sentence(world: World) -> None:
    card = world.task("Fix the login", assignee="mia", estimate=180)
    key = card.key
    card = world.ada.move_task(key, card.version, world.column("In progress"))
    card = world.ada.move_task(key, card.version, world.column("In progress"), 0)
    card = world.lee.update_task(key, card.version, TaskPatch(assignee="max"))
    card = world.lee.update_task(key, card.version, TaskPatch(estimate=300, due=date(2026, 12, 1)))
    card = world.lee.update_task(key, card.version, TaskPatch(title="Fix the sign-in"))
    card = world.lee.update_task(key, card.version, TaskPatch(due=None, assignee=None))
    card = world.lee.update_task(key, card.version, TaskPatch(description="Steps: …"))
    card = world.lee.update_task(key, card.version, TaskPatch(priority="high", tags=("auth",)))
    world.mia.add_comment(key, "on it")
    world.mia.add_time(key, TODAY, 90)
    world.mia.add_time(key, TODAY, 30)
    world.ada.set_entry(key, day(-1), 45, user="mia")
    world.mia.clear_entry(key, TODAY)
    card = world.mia.archive_task(key, world.ada.get_task(key).version)
    world.mia.archive_task(key, card.version, archived=False)

    lines = history_lines(world.lee.task_history(key))  # mia's lead sees her time
    assert [(line.user, line.sentence) for line in lines] == [
        ("ada", "created in Backlog"),
        ("ada", "moved from Backlog to In progress"),
        ("ada", "reordered in In progress"),
        ("lee", "reassigned from mia to max"),
        ("lee", "estimate 3:00 → 5:00; due set to Tue 1 Dec"),
        ("lee", 'title changed from "Fix the login" to "Fix the sign-in"'),
        ("lee", "unassigned from max; due cleared (was Tue 1 Dec)"),
        ("lee", "description changed"),
        ("lee", "priority normal → high; tags set to #auth"),
        ("mia", "comment added"),
        ("mia", "logged 1:30 on Wed 25 Nov"),
        ("mia", "logged 0:30 more on Wed 25 Nov (2:00 that day)"),
        ("ada", "logged 0:45 for mia on Tue 24 Nov"),
        ("mia", "time on Wed 25 Nov cleared (was 2:00)"),
        ("mia", "archived"),
        ("mia", "restored"),
    ]
    # Someone who may not see mia's time reads that time changed (added or cleared alike),
    # by nobody named.
    hidden = [(line.user, line.sentence) for line in history_lines(world.max.task_history(key))]
    assert hidden[10:14] == [(None, "time changed")] * 4
    assert ("mia", "comment added") in hidden


def test_an_estimate_set_and_cleared_and_a_first_assignee(world: World) -> None:
    card = world.task("Plain")
    card = world.ada.update_task(card.key, card.version, TaskPatch(estimate=60, assignee="mia"))
    card = world.ada.update_task(card.key, card.version, TaskPatch(estimate=None))
    sentences = [line.sentence for line in history_lines(world.ada.task_history(card.key))]
    assert sentences[1:] == ["assigned to mia; estimate set to 1:00", "estimate cleared (was 1:00)"]


def test_the_archive_lists_a_projects_archived_cards_newest_first(world: World) -> None:
    first, second, kept = world.task("First"), world.task("Second"), world.task("Kept")
    world.clock.advance(minutes=5)
    archived_at = world.clock.now
    world.mia.archive_task(first.key, first.version)
    world.clock.advance(minutes=5)
    moved = world.ada.move_task(second.key, second.version, world.column("Done"))
    second = world.lee.archive_task(second.key, moved.version)
    other = world.ada.create_project("APP", "App")
    world.ada.archive_task(world.task("Elsewhere", project=other.key).key, 1)

    archive = world.max.list_archived("web")
    assert [(a.task.key, a.task.column, a.by) for a in archive] == [
        (second.key, "Done", "lee"),
        (first.key, "Backlog", "mia"),
    ]
    assert archive[1].archived == archived_at
    assert archive[0].task.archived and archive[0].task.version == second.version
    assert kept.key not in [a.task.key for a in archive]

    world.max.archive_task(second.key, second.version, archived=False)
    assert [a.task.key for a in world.max.list_archived("WEB")] == [first.key]
    assert world.ada.list_archived("APP")[0].by == "ada"
    with refused(NotFound, world):
        world.max.list_archived("NOPE")


def test_a_change_whose_data_is_not_json_still_reads(world: World) -> None:
    """A row of the feed written by hand into the shared store (its data not JSON, here
    with a raw escape in it) stops neither the card's history nor the feed."""
    database = getattr(world.harness, "database", None)
    if database is None:
        pytest.skip("the store is reached through a server here, not written by hand")
    card = world.task("a card")
    with database.write() as s:
        s.run(
            "INSERT INTO changes (time, user_id, entity, entity_id, action, data)"
            " VALUES (:time, NULL, 'task', :key, 'update', :data)",
            time=world.clock.now,
            key=card.key,
            data='{"title": "\x1b]0;RAW\x07',
        )
    lines = history_lines(world.ada.task_history(card.key))
    assert len(lines) == 2, lines
    assert world.ada.changes_since(0)
