"""Waiting on the change feed (`wait_changes`), on every backend: it answers at once
when there are changes, as soon as one is made while it waits, with [] after its
timeout, and at once when the backend is closed from another thread."""

from __future__ import annotations

import threading
import time

from tests.contract.conftest import World
from tui_board.core.models import Change, TaskPatch


def test_waiting_answers_what_is_there_at_once(world: World) -> None:
    since = world.mia.last_change()
    world.ada.create_task("WEB", "Waited for")
    started = time.monotonic()
    found = world.mia.wait_changes(since, 10)
    assert time.monotonic() - started < 1
    assert [(c.entity, c.action) for c in found] == [("task", "create")]
    assert found == world.mia.changes_since(since)


def test_waiting_wakes_when_someone_writes_and_times_out_with_nothing(world: World) -> None:
    world.ada.create_task("WEB", "Fix login")
    since = world.mia.last_change()
    started = time.monotonic()
    assert world.mia.wait_changes(since, 0.6) == []
    assert 0.5 < time.monotonic() - started < 3

    answer: list[list[Change]] = []
    waiter = threading.Thread(target=lambda: answer.append(world.mia.wait_changes(since, 15)))
    waiter.start()
    time.sleep(0.3)  # the wait is open
    assert not answer
    task = world.ada.get_task("WEB-1")
    made = time.monotonic()
    world.ada.update_task("WEB-1", task.version, TaskPatch(title="Renamed while waited on"))
    waiter.join(5)
    assert time.monotonic() - made < 1.5
    assert [(c.entity_id, c.action) for c in answer[0]] == [("WEB-1", "update")]


def test_waiting_on_what_the_reader_may_not_see_goes_on_waiting(world: World) -> None:
    """Olga's timer is hers and her lead's: mia (another team) keeps waiting, and
    learns of the next change she may see."""
    world.ada.create_task("WEB", "Fix login")
    since = world.mia.last_change()
    world.olga.timer_start("WEB-1")
    assert world.mia.changes_since(since) == []
    started = time.monotonic()
    assert world.mia.wait_changes(since, 0.6) == []
    assert time.monotonic() - started >= 0.5
    world.ada.create_task("WEB", "Seen by all")
    found = world.mia.wait_changes(since, 5)
    assert [(c.entity, c.action) for c in found] == [("task", "create")]


def test_closing_the_backend_ends_a_wait_at_once(world: World) -> None:
    backend = world.make("lee")
    since = backend.last_change()
    answer: list[list[Change]] = []
    waiter = threading.Thread(target=lambda: answer.append(backend.wait_changes(since, 20)))
    waiter.start()
    time.sleep(0.4)
    closed = time.monotonic()
    backend.close()
    waiter.join(5)
    assert not waiter.is_alive()
    assert time.monotonic() - closed < 1.5
    assert answer == [[]]
