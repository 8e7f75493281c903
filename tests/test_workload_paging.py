"""The workload screen on 450 people: it reads a window of them (and the totals over
everyone), more as the cursor or the view comes near rows not read yet, and keys never
wait for a read. Driven by Pilot on a real SQLite store; what is shown is checked
against what the store answers for everyone at once."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests import ui_helpers as ui
from tests.ui_helpers import anyio_backend  # noqa: F401  (fixture)
from tui_board.config import Config
from tui_board.core.durations import format_duration
from tui_board.core.models import Workload
from tui_board.core.weeks import IsoWeek
from tui_board.demo import DemoSize
from tui_board.ui.app import BoardApp
from tui_board.ui.plain_text import cut
from tui_board.ui.screens.workload import WorkloadScreen
from tui_board.ui.widgets.workload_grid import NAME_WIDTH, PAGE

pytestmark = pytest.mark.anyio

PEOPLE = 450
TODAY = ui.START.date()
START = IsoWeek.of(TODAY).shift(-4)


@pytest.fixture(scope="module")
def many_people(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("workload-many") / "many.db"
    ui.make_demo_store(path, DemoSize(users=PEOPLE, tasks=PEOPLE * 3, weeks=6))
    return path


@pytest.fixture
def config(many_people: Path, tmp_path: Path) -> Config:
    return ui.copy_store(many_people, tmp_path)


def everyone(config: Config) -> Workload:
    return ui.backend_for(config).workload(START, 12, today=TODAY)


async def open_workload(app: BoardApp, pilot: Pilot[None]) -> WorkloadScreen:
    await ui.settle(app, pilot)
    await pilot.press("3")
    await ui.settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, WorkloadScreen) and screen.grid.workload is not None
    return screen


def read(screen: WorkloadScreen) -> list[int]:
    return [i for i, row in enumerate(screen.grid.rows) if row is not None]


def assert_view_is_the_stores(app: BoardApp, screen: WorkloadScreen, full: Workload) -> None:
    """Every person row in view is read, is the store's row at that place, and its
    name is on the screen."""
    grid = screen.grid
    top = int(grid.scroll_y)
    lines = ui.frame_text(app)
    for index in range(top, min(PEOPLE, top + grid._people_lines())):
        assert grid.rows[index] == full.rows[index], index
        name = cut(full.rows[index].name, NAME_WIDTH)
        assert any(name in line for line in lines), (index, name)


async def test_the_first_read_is_a_window_and_the_totals_are_everyones(config: Config) -> None:
    full = everyone(config)
    assert len(full.rows) == full.people == PEOPLE
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        grid = screen.grid
        assert grid.workload is not None and grid.workload.people == PEOPLE
        assert read(screen) == list(range(2 * PAGE))  # not everyone
        assert grid.workload.totals == full.totals
        total, capacity = grid.totals
        assert total.name == f"Total ({PEOPLE})"
        assert [text.rstrip(" ↓✓!‼") for text, _ in total.cells] == [
            format_duration(sum(r.cells[w].load for r in full.rows)) for w in range(12)
        ]
        assert [text for text, _ in capacity.cells] == [
            format_duration(sum(r.cells[w].capacity for r in full.rows)) for w in range(12)
        ]
        assert_view_is_the_stores(app, screen, full)
        facts = str(screen.query_one(".mode-facts").render())
        assert f"{PEOPLE} people in {len(full.teams)} teams" in facts


async def test_scrolling_reads_the_rows_coming_into_view(config: Config) -> None:
    full = everyone(config)
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        grid = screen.grid
        await pilot.press("end")
        await ui.settle(app, pilot)
        assert grid.cursor_row == PEOPLE - 1
        assert grid.spot().user == full.rows[-1].user
        assert_view_is_the_stores(app, screen, full)
        # what was read is the store's, and not everything was read
        assert all(grid.rows[i] == full.rows[i] for i in read(screen))
        assert 2 * PAGE < len(read(screen)) < PEOPLE
        for _ in range(8):  # page by page up through the rows not read
            await pilot.press("pageup")
            await ui.settle(app, pilot)
            assert_view_is_the_stores(app, screen, full)
        await pilot.press("home")
        await ui.settle(app, pilot)
        assert_view_is_the_stores(app, screen, full)
        assert grid.workload is not None and grid.workload.totals == full.totals


async def test_keys_do_not_wait_for_a_read(config: Config) -> None:
    """With the store's answers held back, `end` moves the cursor to the last person at
    once (a row being read shows its place); the row comes when the answer does."""
    full = everyone(config)
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        backend = app.backend
        assert backend is not None
        held = threading.Event()
        real = backend.workload

        def slow(*args: Any, **kwargs: Any) -> Workload:
            held.wait(10)
            return real(*args, **kwargs)

        backend.workload = slow  # type: ignore[method-assign]
        await pilot.press("end")
        await pilot.pause()
        grid = screen.grid
        assert grid.cursor_row == PEOPLE - 1 and grid.spot().user is None
        assert any(f"#{PEOPLE} …" in line for line in ui.frame_text(app))
        await pilot.press("enter")  # nothing behind a row being read: a bell, no screen
        assert app.screen is screen
        await pilot.press("up")
        assert grid.cursor_row == PEOPLE - 2
        held.set()
        await ui.settle(app, pilot)
        assert grid.spot().user == full.rows[-2].user
        assert_view_is_the_stores(app, screen, full)


async def test_a_reload_keeps_the_place_far_down(config: Config) -> None:
    full = everyone(config)
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_workload(app, pilot)
        await pilot.press("end")
        await ui.settle(app, pilot)
        spot = screen.grid.spot()
        await pilot.press("right_square_bracket")  # a week later: read again
        await ui.settle(app, pilot)
        assert screen.grid.spot().user == spot.user == full.rows[-1].user
        later = ui.backend_for(config).workload(START.shift(1), 12, today=TODAY)
        assert screen.grid.workload is not None
        assert screen.grid.workload.totals == later.totals
        assert_view_is_the_stores(app, screen, later)
