"""The schedule follows other people's changes: a change made through a second backend
on the same SQLite file (another shell's `tui-board task …`) shows without a key, the
cursor stays on its task, a burst of changes is read once, and a change of another
project is not read at all.

The clock is Wednesday 13 May 2026 (see tests/test_schedule_screen.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests import ui_helpers as ui
from tests.test_schedule_screen import THURSDAY, make_store, open_schedule, press
from tests.ui_helpers import anyio_backend, steady  # noqa: F401  (fixtures)
from tui_board.config import Config
from tui_board.core.models import ProjectPatch, TaskPatch
from tui_board.ui.app import BoardApp
from tui_board.ui.screens.schedule import ScheduleScreen, concerns

pytestmark = pytest.mark.anyio

#: Seconds to wait for the feed (looked at every second) to bring a change.
PATIENCE = 8.0


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_store(tmp_path)


async def until(app: BoardApp, pilot: Pilot[None], ready: Callable[[], bool]) -> None:
    """Let the app run, pressing nothing, until `ready()` holds."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        await pilot.pause(0.1)
        if ready():
            await ui.settle(app, pilot)
            return
    raise AssertionError("the schedule did not show the change")


def row_line(app: BoardApp, key: str) -> str:
    return next(line for line in ui.frame_text(app) if f" {key} " in line)


def counting_reads(screen: ScheduleScreen) -> list[str]:
    """The projects the app's backend reads a schedule of, from now on (the real
    read, counted)."""
    backend = screen.board_app.backend
    assert backend is not None
    reads: list[str] = []
    real = backend.project_schedule

    def project_schedule(project: str, **options: Any) -> Any:
        reads.append(project)
        return real(project, **options)

    backend.project_schedule = project_schedule  # type: ignore[method-assign]
    return reads


async def test_a_due_date_changed_elsewhere_shows_without_a_key(config: Config) -> None:
    other = ui.backend_for(config, "alice")
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)
        await press(app, pilot, "j")  # the cursor on WEB-2
        assert screen.chart.row_at_cursor().task == "WEB-2"  # type: ignore[union-attr]
        before = row_line(app, "WEB-1")
        assert "AT RISK" in before
        task = other.get_task("WEB-1")
        other.update_task(task.key, task.version, TaskPatch(due=date(2026, 6, 30)))

        def moved() -> bool:
            return {r.task: r.due for r in screen.chart.rows()}.get("WEB-1") == date(2026, 6, 30)

        await until(app, pilot, moved)
        after = row_line(app, "WEB-1")
        assert after != before and "AT RISK" not in after
        assert screen.chart.row_at_cursor().task == "WEB-2"  # type: ignore[union-attr]


async def test_a_burst_of_changes_is_read_once_and_other_projects_not_at_all(
    config: Config,
) -> None:
    other = ui.backend_for(config, "alice")
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)
        reads = counting_reads(screen)
        # another project and its task: nothing to read
        other.create_project("APP", "Mobile app")
        other.create_task("APP", "Elsewhere", estimate=60, due=THURSDAY)
        await pilot.pause(2.5)
        await ui.settle(app, pilot)
        assert reads == []
        # a milestone, a task planned into it, the deadline, an assignment: one read
        other.add_milestone("WEB", "Launch", date(2026, 6, 19))
        task = other.get_task("WEB-2")
        task = other.update_task(task.key, task.version, TaskPatch(milestone="Launch"))
        project = other.get_project("WEB")
        other.update_project("WEB", project.version, ProjectPatch(deadline=date(2026, 12, 31)))
        other.update_task(task.key, task.version, TaskPatch(assignee="mia"))
        await until(
            app,
            pilot,
            lambda: any(line.suffix.startswith(" · 2026-06-19") for line in screen.chart.lines),
        )
        assert reads == ["WEB"]
        schedule = screen.chart.schedule
        assert schedule is not None and schedule.deadline == date(2026, 12, 31)
        assert {r.task: r.assignee for r in schedule.rows}["WEB-2"] == "mia"
        assert "deadline 2026-12-31" in "\n".join(ui.frame_text(app))


def test_what_concerns_a_schedule(config: Config) -> None:
    """Changes as the store records them: the project's tasks, milestones, deadline,
    time logged, and its people's schedules and time off concern it; another project's
    and someone else's do not."""
    backend = ui.backend_for(config, "alice")
    backend.create_project("APP", "Mobile app")
    schedule = backend.project_schedule("WEB", today=date(2026, 5, 13))
    since = backend.last_change()
    backend.add_milestone("WEB", "Launch", date(2026, 6, 19))
    task = backend.get_task("WEB-1")
    backend.update_task(task.key, task.version, TaskPatch(due=date(2026, 6, 1)))
    backend.set_entry("WEB-2", date(2026, 5, 12), 60, user="bob")
    project = backend.get_project("WEB")
    backend.update_project("WEB", project.version, ProjectPatch(deadline=date(2026, 12, 31)))
    backend.add_time_off(date(2026, 5, 14), 480, user="bob")
    ours = backend.changes_since(since)
    assert len(ours) >= 5 and all(concerns(change, schedule) for change in ours), ours
    since = backend.last_change()
    backend.add_milestone("APP", "Launch", date(2026, 6, 19))
    backend.create_task("APP", "Elsewhere", estimate=60, due=THURSDAY)
    backend.add_time_off(date(2026, 5, 14), 480, user="mia")  # no task of WEB is hers
    theirs = backend.changes_since(since)
    assert len(theirs) == 3 and not any(concerns(change, schedule) for change in theirs)


async def test_my_own_change_is_read_once_and_the_same_task_changed_elsewhere_after(
    config: Config,
) -> None:
    other = ui.backend_for(config, "alice")  # another shell of mine
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)
        reads = counting_reads(screen)
        await press(app, pilot, "right_square_bracket")  # WEB-1 a week later, here
        assert other.get_task("WEB-1").due == date(2026, 5, 21)
        await pilot.pause(2.5)  # the feed brings the change: no news
        await ui.settle(app, pilot)
        assert reads == ["WEB"]
        task = other.get_task("WEB-1")
        other.update_task(task.key, task.version, TaskPatch(due=date(2026, 6, 30)))
        await until(
            app,
            pilot,
            lambda: {r.task: r.due for r in screen.chart.rows()}["WEB-1"] == date(2026, 6, 30),
        )
        assert reads == ["WEB", "WEB"]
