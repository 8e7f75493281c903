"""The workload screen, driven by Pilot against a real SQLite store (the demo data, a
fixed clock): the grid, shifting weeks, who sees whom, the drill-down behind a figure,
and reassigning a task from it.

The helpers here (the demo store, the app, `settle`) serve the approvals, reports and
snapshot tests too.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tests import ui_helpers as ui
from tests.ui_helpers import anyio_backend, steady, workload_demo  # noqa: F401  (fixtures)
from tui_board.config import Config
from tui_board.core.durations import format_duration
from tui_board.core.models import TaskPatch, UserPatch
from tui_board.core.schedule import parse_week
from tui_board.core.weeks import IsoWeek
from tui_board.core.workload import band
from tui_board.ui.app import BoardApp
from tui_board.ui.dialogs import PickerScreen, TaskDetailScreen
from tui_board.ui.screens.workload import RulesHelpScreen, WeekDetailScreen, WorkloadScreen
from tui_board.ui.widgets.workload_grid import cell_text, marked

pytestmark = pytest.mark.anyio

TODAY = ui.START.date()
WEEK = IsoWeek(2026, 20)


@pytest.fixture
def demo_config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    """A copy of the demo store for one test."""
    return ui.copy_store(request.getfixturevalue("workload_demo"), tmp_path)


async def press(app: BoardApp, pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await ui.settle(app, pilot)


async def open_workload(app: BoardApp, pilot: Pilot[None]) -> WorkloadScreen:
    await ui.settle(app, pilot)
    await press(app, pilot, "3")
    screen = app.screen
    assert isinstance(screen, WorkloadScreen)
    assert screen.grid.workload is not None
    return screen


def detail(app: BoardApp) -> WeekDetailScreen:
    screen = app.screen
    assert isinstance(screen, WeekDetailScreen), screen
    return screen


# --- the grid ---------------------------------------------------------------------------------


async def test_an_admin_sees_everyone_week_by_week(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        grid = screen.grid
        figures = ui.backend_for(demo_config).workload(WEEK.shift(-4), 12, today=TODAY)
        assert grid.workload == figures
        assert figures.weeks[0] == "2026-W16" and figures.weeks[-1] == "2026-W27"
        assert len(grid.rows_shown) == 8 and len(grid.lines) == 8
        # two teams: a team column; Mobile's people first, each by name
        assert [r.user for r in grid.rows_shown][:4] == ["bmartin", "nlarsen", "qnovak", "sokafor"]
        assert grid.show_team
        for row, line in zip(grid.rows_shown, grid.lines, strict=True):
            assert line is not None
            assert (line.name, line.team) == (row.name, row.team)
            assert line.cells == tuple(
                (
                    marked(cell_text(c), c.load, c.capacity),
                    f"workload-grid--{band(c.load, c.capacity)}",
                )
                for c in row.cells
            )
        total, capacity = grid.totals
        loads = [sum(r.cells[w].load for r in figures.rows) for w in range(12)]
        capacities = [sum(r.cells[w].capacity for r in figures.rows) for w in range(12)]
        assert total.name == "Total (8)" and capacity.name == "Capacity"
        assert [text for text, _ in total.cells] == [
            marked(format_duration(m), m, c) for m, c in zip(loads, capacities, strict=True)
        ]
        assert [text for text, _ in capacity.cells] == [format_duration(m) for m in capacities]
        assert total.cells[0][1] == f"workload-grid--{band(loads[0], capacities[0])}"
        # the cursor starts on this week
        assert grid.spot().week == "2026-W20"
        facts = str(screen.query_one(".mode-facts").render())
        assert "8 people in 2 teams" in facts
        assert "2026-W16 to 2026-W27" in facts
        waiting = ui.backend_for(demo_config).list_week_states(state="submitted")
        assert len(waiting) == 7 and sum(s.user == "alice" for s in waiting) == 1
        assert "6 weeks to approve (v)" in facts  # not her own: nobody reviews their own


async def test_brackets_shift_the_weeks_and_dot_comes_back(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        await press(app, pilot, "down", "down")
        spot = screen.grid.spot()
        await press(app, pilot, "right_square_bracket")
        figures = screen.grid.workload
        assert figures is not None and figures.weeks[0] == "2026-W17"
        assert screen.grid.spot() == spot  # the same person and week
        await press(app, pilot, "left_square_bracket", "left_square_bracket")
        assert screen.grid.workload is not None and screen.grid.workload.weeks[0] == "2026-W15"
        await press(app, pilot, "full_stop")
        assert screen.grid.workload is not None and screen.grid.workload.weeks[0] == "2026-W16"


async def test_a_lead_sees_their_team_and_a_member_only_themself(demo_config: Config) -> None:
    app = ui.app_for(demo_config, "sokafor")
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        users = [r.user for r in screen.grid.rows_shown]
        assert users == ["bmartin", "nlarsen", "qnovak", "sokafor"]
        assert not screen.grid.show_team  # one team: no team column
    app = ui.app_for(demo_config, "cruiz")
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        assert [r.user for r in screen.grid.rows_shown] == ["cruiz"]
        assert "1 person" in str(screen.query_one(".mode-facts").render())
        await press(app, pilot, "f")  # no team to choose
        assert app.screen is screen


async def test_the_team_filter(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        await press(app, pilot, "f")
        assert isinstance(app.screen, PickerScreen)
        app.screen.query_one(Input).value = "web"
        await press(app, pilot, "enter")
        assert screen.team == "Web"
        assert [r.user for r in screen.grid.rows_shown] == ["alice", "cruiz", "dwalsh", "mokafor"]
        assert "team Web: 4 people" in str(screen.query_one(".mode-facts").render())


async def test_help_says_the_rules(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        await open_workload(app, pilot)
        await press(app, pilot, "question_mark")
        assert isinstance(app.screen, RulesHelpScreen)
        text = " ".join(str(s.render()) for s in app.screen.query(".help--what"))
        for words in (
            "less their time off",
            "next two weeks",
            "lands in full in the current",
            "under 50%",
            "100-120%",
            "over 120%",
        ):
            assert words in text
        await press(app, pilot, "escape")
        assert isinstance(app.screen, WorkloadScreen)


async def test_every_key_is_in_the_palette(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        titles = {command.title for command in app.get_system_commands(screen)}
        wanted = {"Details", "Earlier", "Later", "This week", "Approvals", "Reports", "Team"}
        assert wanted <= titles
        await press(app, pilot, "enter")
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Reassign", "Card", "Back"} <= titles


# --- behind a figure ----------------------------------------------------------------------------


async def test_a_coming_week_shows_the_planned_tasks_behind_it(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        spot = screen.grid.spot()
        assert spot.user is not None
        await press(app, pilot, "right", "enter")  # next week: planned only
        shown = detail(app)
        week = IsoWeek(2026, 21)
        planned = backend.list_planned_work(spot.user, week, today=TODAY)
        assert [(r.key, r.planned, r.logged) for r in shown.rows] == [
            (p.task, p.minutes, 0) for p in planned
        ]
        cell = backend.workload(week, 1, today=TODAY).rows
        (row,) = [r for r in cell if r.user == spot.user]
        assert sum(r.planned for r in shown.rows) == row.cells[0].planned
        assert "coming week" in str(shown.query_one(".table-screen--figures").render())
        await press(app, pilot, "escape")
        assert app.screen is screen


async def test_a_past_week_shows_the_time_logged(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        await press(app, pilot, "left", "left", "enter")  # 2026-W18
        shown = detail(app)
        login = screen.grid.spot().user
        assert login is not None
        week = IsoWeek(2026, 18)
        entries = backend.list_entries(week.monday(), week.sunday(), user=login)
        assert sum(r.logged for r in shown.rows) == sum(e.minutes for e in entries) > 0
        assert {r.key for r in shown.rows} == {e.task for e in entries}
        assert all(r.planned == 0 for r in shown.rows)
        assert "past week" in str(shown.query_one(".table-screen--figures").render())


async def test_time_logged_elsewhere_shows_without_a_key(demo_config: Config) -> None:
    """Time logged from another shell (a second backend on the file) shows in the grid
    where the cursor is, without `r` (a new user's trial: the figures stayed stale until
    `r`, though the board followed the same change)."""
    import time

    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        await press(app, pilot, "down")
        login = screen.grid.spot().user
        assert login is not None
        week = screen.grid.workload.weeks.index(str(WEEK))  # type: ignore[union-attr]

        def logged() -> int:
            row = screen.grid.row_at_cursor()
            assert row is not None and row.user == login
            return row.cells[week].logged

        before = logged()
        other = ui.backend_for(demo_config, login)
        task = next(t for t in other.list_tasks() if not t.archived)
        other.add_time(task.key, TODAY, 95)
        deadline = time.monotonic() + 8
        while logged() == before and time.monotonic() < deadline:
            await pilot.pause(0.1)
        assert logged() == before + 95
        assert screen.grid.spot().user == login  # the cursor stayed on the person


async def test_keys_move_the_cursor(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_workload(app, pilot)
        grid = screen.grid
        assert (grid.cursor_row, grid.cursor_week) == (0, 4)
        await press(app, pilot, "j", "down", "l", "right", "k")
        assert (grid.cursor_row, grid.cursor_week) == (1, 6)
        await press(app, pilot, "G")
        assert grid.cursor_row == 7
        await press(app, pilot, "g", "h", "left")
        assert (grid.cursor_row, grid.cursor_week) == (0, 4)
        # at 80 columns some weeks are off to the right: they scroll in whole
        shown = grid.weeks_shown
        assert shown < 12
        for _ in range(12):
            await press(app, pilot, "l")
        assert grid.cursor_week == 11
        assert grid.first_week == 12 - shown
        await press(app, pilot, "G", "enter")
        shown_detail = detail(app)
        assert shown_detail.person.user == grid.rows_shown[-1].user
        assert shown_detail.week == "2026-W27"


async def test_reassign_from_the_drill_down(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        login = screen.grid.spot().user
        before = {r.user: r.cells[0].load for r in backend.workload(WEEK, 1, today=TODAY).rows}
        await press(app, pilot, "enter")
        shown = detail(app)
        assert shown.rows and shown.rows[0].planned
        key = shown.rows[0].key
        moved = shown.rows[0].planned
        await press(app, pilot, "a")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        # each person with their load in that week, most room first
        labels = [label for label, _ in picker.items]
        assert labels[-1] == "nobody"
        target = next(value for _, value in picker.items if value not in (login, ""))
        picker.dismiss(target)
        await ui.settle(app, pilot)
        assert backend.get_task(key).assignee == target
        assert key not in [r.key for r in detail(app).rows]  # read again
        await press(app, pilot, "escape")
        figures = screen.grid.workload
        assert figures is not None
        now = figures.weeks.index(str(WEEK))
        after = {r.user: r.cells[now].load for r in figures.rows}
        assert login is not None
        assert after[login] == before[login] - moved
        assert after[target] > before[target]


async def test_the_reassign_picker_shows_each_persons_load(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        await open_workload(app, pilot)
        await press(app, pilot, "enter", "a")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        loads = {r.user: r.cells[0] for r in backend.workload(WEEK, 1, today=TODAY).rows}
        for label, login in picker.items[:-1]:
            cell = loads[login]
            assert cell_text(cell) in label
            assert f"{cell.load * 100 // cell.capacity}%" in label
        ratios = [loads[login].load / loads[login].capacity for _, login in picker.items[:-1]]
        assert ratios == sorted(ratios)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_each_reassign_choice_is_one_line_and_the_current_mark_shows(
    demo_config: Config, size: tuple[int, int]
) -> None:
    """A long name is cut (with `…`) so that its label and `(current)` fit one line."""
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=size) as pilot:
        screen = await open_workload(app, pilot)
        login = screen.grid.spot().user
        assert login is not None
        person = backend.get_user(login)
        long = "Bartholomew Maximilian Fitzgerald-Oyelaran"
        backend.update_user(login, person.version, UserPatch(name=long))
        await press(app, pilot, "r", "enter")
        assert detail(app).rows[0].key
        await press(app, pilot, "a")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        options = picker.query_one(OptionList)
        assert options.virtual_size.height == options.option_count  # one line each
        lines = [line for line in ui.frame_text(app) if "(current)" in line]
        assert len(lines) == 1, ui.frame_text(app)
        assert "Bartholomew" in lines[0] and "…" in lines[0] and long not in lines[0]
        # the highlight starts on the current assignee (the line with the mark)
        current = [i for i, (_, who) in enumerate(picker.items) if who == picker.current]
        assert current and options.highlighted == current[0]
        await pilot.press(*"fitz")
        await pilot.pause()
        assert [line for line in ui.frame_text(app) if "(current)" in line]
        assert options.virtual_size.height == options.option_count


async def test_a_stale_reassign_is_refused_and_shown(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    other = ui.backend_for(demo_config, "sokafor")
    async with app.run_test(size=ui.SIZE) as pilot:
        await open_workload(app, pilot)
        await press(app, pilot, "enter")
        key = detail(app).rows[0].key
        task = other.get_task(key)
        other.update_task(key, task.version, TaskPatch(title="Changed meanwhile"))
        await press(app, pilot, "a")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        picker.dismiss("qnovak")
        await ui.settle(app, pilot)
        assert other.get_task(key).assignee == task.assignee  # nothing overwritten
        assert any("changed by someone else" in n.message for n in app._notifications)
        assert any(r.key == key and r.title == "Changed meanwhile" for r in detail(app).rows)


async def test_enter_opens_the_card(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        await open_workload(app, pilot)
        await press(app, pilot, "enter")
        key = detail(app).rows[0].key
        await press(app, pilot, "enter")
        assert isinstance(app.screen, TaskDetailScreen)
        assert app.screen.card.key == key
        await press(app, pilot, "escape")
        assert isinstance(app.screen, WeekDetailScreen)


async def test_a_member_drills_into_their_own_week(demo_config: Config) -> None:
    app = ui.app_for(demo_config, "cruiz")
    backend = ui.backend_for(demo_config, "cruiz")
    async with app.run_test(size=ui.SIZE) as pilot:
        await open_workload(app, pilot)
        await press(app, pilot, "enter")
        shown = detail(app)
        planned = backend.list_planned_work("cruiz", WEEK, today=TODAY)
        assert [r.key for r in shown.rows][: len(planned)] == [p.task for p in planned]
        await press(app, pilot, "a")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        assert [value for _, value in picker.items] == ["cruiz", ""]  # only whom she sees


async def test_the_details_say_the_persons_schedule_and_its_next_change(
    demo_config: Config,
) -> None:
    """Part time from this week, full days of six hours from June: the week's details
    say the week in force as `tui-board user schedule` writes it, and the change after
    it; from June, only the new week."""
    admin = ui.backend_for(demo_config)
    admin.set_schedule("cruiz", parse_week("mon-thu 8h, fri 4h"), start=date(2026, 5, 11))
    admin.set_schedule("cruiz", parse_week("mon-fri 6h"), start=date(2026, 6, 1))
    app = ui.app_for(demo_config, "cruiz")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_workload(app, pilot)
        await press(app, pilot, "enter")
        figures = str(detail(app).query_one(".table-screen--figures").render())
        assert figures.endswith(
            " · works mon-thu 8:00, fri 4:00; from Mon 01 Jun 2026: mon-fri 6:00"
        )
        assert "Capacity 36:00" in figures  # the schedule's week
        shown = detail(app).query_one(".table-screen--figures")
        assert shown.size.width <= 80 and shown.size.height >= 2  # wrapped, not cut
        await press(app, pilot, "escape")
        assert app.screen is screen
        await press(app, pilot, "right", "right", "right", "enter")  # 2026-W23, 1 June
        figures = str(detail(app).query_one(".table-screen--figures").render())
        assert figures.endswith(" · works mon-fri 6:00")


def test_keymap_knows_the_workload_screens_keys() -> None:
    from tui_board.ui.app import _mode_screen_types

    ids = {
        binding.id
        for screen in _mode_screen_types()
        for base in screen.__mro__
        for binding in vars(base).get("BINDINGS", ())
        if getattr(binding, "id", None)
    }
    assert {
        "workload-details",
        "workload-reassign",
        "approvals-approve",
        "approvals-reject",
        "reports-export",
        "table-down",
    } <= ids


def test_every_band_has_its_own_mark() -> None:
    assert [marked("x", load, 100) for load in (0, 49, 100, 101, 121)] == [
        "x↓",
        "x↓",
        "x✓",
        "x!",
        "x‼",
    ]
    assert marked("off", 0, 0) == "off "
