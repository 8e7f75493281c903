"""`u` undoes and `U` redoes the session's own changes, on the screens: each test presses
the keys a user presses and checks what the store holds after the change, the undo and
the redo; an undo after someone else's change is refused and changes nothing."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from tests.test_schedule_screen import store_busy
from tests.ui_helpers import (  # noqa: F401  (fixtures)  # noqa: F401  (fixtures)
    SIZE,
    START,
    Clock,
    anyio_backend,
    app_for,
    backend_for,
    board_demo_config,
    copy_store,
    demo_template,
    settle_on,
    start_clock,
    steady,
)
from tests.ui_helpers import on_board as settle
from tests.ui_helpers import settle as quiet_down
from tui_board.config import Config
from tui_board.core.models import Task, TaskPatch
from tui_board.ui.app import BoardApp
from tui_board.ui.dialogs.task_detail import TaskDetailScreen

pytestmark = pytest.mark.anyio


def column_keys(tasks: list[Task], column: str) -> list[str]:
    return [t.key for t in tasks if t.column == column]


def notices(app: BoardApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_u_puts_a_moved_card_back_and_U_moves_it_again(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        backlog = column_keys(backend.list_tasks(project="APP"), "Backlog")
        await pilot.press("L", "L")
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "In progress"
        await pilot.press("u")
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "To do"
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert column_keys(backend.list_tasks(project="APP"), "Backlog") == backlog, notices(app)
        assert any(n.startswith("Undone: move APP-3 to To do") for n in notices(app))
        await pilot.press("U")
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "To do"
        await pilot.press("u")
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "Backlog"
        await pilot.press("u", "u")  # the history of this session is empty now
        await settle(app, pilot)
        assert "Nothing to undo in this session." in notices(app)
        assert backend.get_task("APP-3").column == "Backlog"


async def test_undo_restores_an_archived_card_and_unassigns(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        assignee = backend.get_task("APP-3").assignee
        await pilot.press("a", *"qnov", "enter")
        await settle(app, pilot)
        assert backend.get_task("APP-3").assignee == "qnovak"
        await pilot.press("d", "y")
        await settle(app, pilot)
        assert backend.get_task("APP-3").archived
        assert any("u undoes it" in n for n in notices(app))
        await pilot.press("u")
        await settle(app, pilot)
        assert not backend.get_task("APP-3").archived
        assert "APP-3" in [t.key for t in screen._views[0].card_list.cards]
        await pilot.press("u")
        await settle(app, pilot)
        assert backend.get_task("APP-3").assignee == assignee


async def test_undo_is_refused_when_someone_changed_the_card(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        await pilot.press("L")
        await settle(app, pilot)
        moved = backend.get_task("APP-3")
        other = backend_for(config, "qnovak", clock=clock)
        renamed = other.update_task("APP-3", moved.version, TaskPatch(title="renamed by qnovak"))
        await pilot.press("u")
        await settle(app, pilot)
        assert backend.get_task("APP-3") == renamed  # nothing overwritten
        assert any(n.startswith("Cannot undo move APP-3 to To do") for n in notices(app))


async def test_undo_takes_back_a_new_card_and_time_logged(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        logged = backend.get_task("APP-3").logged
        await pilot.press("t", *"1:30", "enter")
        await settle(app, pilot)
        assert backend.get_task("APP-3").logged == logged + 90
        await pilot.press("u")
        await settle(app, pilot)
        assert backend.get_task("APP-3").logged == logged
        before = {t.key for t in backend.list_tasks(project="APP")}
        await pilot.press("n", *"made by mistake", "ctrl+s")
        await settle(app, pilot)
        [made] = {t.key for t in backend.list_tasks(project="APP")} - before
        await pilot.press("u")
        await settle(app, pilot)
        assert backend.get_task(made).archived


async def test_undo_a_timer_start_and_stop(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        logged = backend.get_task("APP-3").logged
        await pilot.press("space")
        await settle(app, pilot)
        clock.advance(minutes=20)
        await pilot.press("space")
        await settle(app, pilot)
        assert backend.get_task("APP-3").logged == logged + 20
        assert backend.timer_status() is None
        await pilot.press("u")  # the stop: its minutes go back, the timer runs on
        await settle(app, pilot)
        assert backend.get_task("APP-3").logged == logged
        running = backend.timer_status()
        assert running is not None and running.task == "APP-3"
        assert app.timer is not None and app.timer.task == "APP-3"
        await pilot.press("u")  # the start: no timer, nothing logged
        await settle(app, pilot)
        assert backend.timer_status() is None and app.timer is None
        assert backend.get_task("APP-3").logged == logged


async def test_redo_and_an_undone_archive_put_the_card_back_at_its_place(
    config: Config, clock: Clock
) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        await pilot.press("L")  # APP-3 to the top of To do
        await settle(app, pilot)
        to_do = column_keys(backend.list_tasks(project="APP"), "To do")
        assert to_do[0] == "APP-3"
        await pilot.press("u", "U")
        await settle(app, pilot)
        assert column_keys(backend.list_tasks(project="APP"), "To do") == to_do
        await pilot.press("d", "y")
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        assert column_keys(backend.list_tasks(project="APP"), "To do") == to_do


async def test_u_in_the_card_detail_undoes_an_edit_made_there(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        title = backend.get_task("APP-3").title
        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, TaskDetailScreen)
        await pilot.press("e", "ctrl+u", *"Renamed", "ctrl+s")
        await quiet_down(app, pilot)
        assert backend.get_task("APP-3").title == "Renamed"
        await pilot.press("u")
        await quiet_down(app, pilot)
        assert backend.get_task("APP-3").title == title
        assert detail.card.title == title
        still_open = app.screen is detail
        assert still_open


async def test_a_card_restored_from_the_archive_view_is_archived_again_by_undo(
    config: Config, clock: Clock
) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        await pilot.press("d", "y")
        await settle(app, pilot)
        await pilot.press("A")
        await quiet_down(app, pilot)
        await pilot.press("enter")
        await quiet_down(app, pilot)
        assert not backend.get_task("APP-3").archived
        await pilot.press("u")  # the restore
        await quiet_down(app, pilot)
        assert backend.get_task("APP-3").archived
        await pilot.press("u")  # then the archive: no "changed by someone else"
        await quiet_down(app, pilot)
        assert not backend.get_task("APP-3").archived
        assert not any(n.startswith("Cannot undo") for n in notices(app))


async def until_undos_done(app: BoardApp, pilot: Pilot[None]) -> None:
    for _ in range(100):
        await pilot.pause(0.05)
        if not app.writer.busy() and not app._undos_waiting:
            break


async def test_u_while_the_change_is_still_being_stored_waits_for_it(
    config: Config, clock: Clock
) -> None:
    """Another process holds the file's write lock: the moves wait in the writer, and
    `u` `u` pressed meanwhile undo them both once they are stored (not an older change,
    nor nothing with "in a moment"), in order."""
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        with store_busy(config):
            await pilot.press("L", "L")
            await pilot.pause(0.2)
            assert app.writer.busy()
            await pilot.press("u", "u")
            await pilot.pause(0.2)
            assert backend.get_task("APP-3").column == "Backlog"  # nothing stored yet
        await until_undos_done(app, pilot)
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "Backlog", notices(app)
        undone = [n for n in notices(app) if n.startswith("Undone")]
        assert len(undone) == 2, notices(app)
        assert "In progress" in undone[0] and "To do" in undone[1], undone


async def test_a_waiting_undo_stored_at_once_does_not_drop_the_next_one(
    config: Config, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the test above met on a loaded machine, made certain: the first waiting
    `u` goes out and its write is stored before the app looks at the writer again (the
    writer reads as idle), and the second `u` still goes out after its answer (it was
    taken for "nothing went out" and dropped)."""
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        await pilot.press("L", "L")
        await quiet_down(app, pilot)
        assert backend.get_task("APP-3").column == "In progress"
        monkeypatch.setattr(app.writer, "busy", lambda: False)
        app._undos_waiting[:] = [False, False]
        app._undo_waiting()
        for _ in range(100):
            await pilot.pause(0.05)
            if backend.get_task("APP-3").column == "Backlog" and not app._undos_waiting:
                break
        assert backend.get_task("APP-3").column == "Backlog", notices(app)


async def test_more_u_than_changes_while_storing_leave_nothing_waiting(
    config: Config, clock: Clock
) -> None:
    """`u u u` for one move on its way: the move is undone, the other presses find
    nothing to undo and are dropped, not kept to undo the next move made later."""
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        with store_busy(config):
            await pilot.press("L")
            await pilot.pause(0.2)
            await pilot.press("u", "u", "u")
        await until_undos_done(app, pilot)
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "Backlog"
        assert not app._undos_waiting
        await pilot.press("L")  # a new move, made later, stays made
        for _ in range(20):
            await pilot.pause(0.05)
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "To do", notices(app)
