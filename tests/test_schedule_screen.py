"""The schedule screen, driven by Pilot against a real SQLite store: the flags it shows,
shifting a task's dates and assigning it (each stored, the flag following), undo.

The clock is Wednesday 13 May 2026; bob has two tasks due Thursday (900 and 960
minutes) and 960 minutes of time until then: both are at risk.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests import ui_helpers as ui
from tests.ui_helpers import anyio_backend, steady  # noqa: F401  (fixtures)
from tui_board.backend.local import LocalBackend
from tui_board.config import Config
from tui_board.core.schedule import AT_RISK
from tui_board.store.database import Database
from tui_board.ui.app import BoardApp
from tui_board.ui.dialogs import PickerScreen
from tui_board.ui.screens.schedule import ScheduleScreen

pytestmark = pytest.mark.anyio

THURSDAY = date(2026, 5, 14)


def make_store(folder: Path) -> Config:
    path = folder / "board.db"
    database = Database.open(str(path), create=True)
    alice = LocalBackend(database, "alice", clock=ui.CLOCK)
    alice.me()
    alice.create_user("bob", "Bob Stone")
    alice.create_user("mia", "Mia Park")
    alice.create_project("WEB", "Website")
    alice.create_task("WEB", "Ship the login", assignee="bob", estimate=900, due=THURSDAY)
    alice.create_task("WEB", "Fix the cache", assignee="bob", estimate=960, due=THURSDAY)
    alice.add_milestone("WEB", "Beta", date(2026, 5, 29))
    database.close()
    return Config(db=str(path))


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_store(tmp_path)


async def press(app: BoardApp, pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await ui.settle(app, pilot)


async def open_schedule(app: BoardApp, pilot: Pilot[None]) -> ScheduleScreen:
    await ui.settle(app, pilot)
    await press(app, pilot, "4")
    screen = app.screen
    assert isinstance(screen, ScheduleScreen)
    assert screen.chart.schedule is not None
    return screen


def flags(screen: ScheduleScreen) -> dict[str, tuple[str, ...]]:
    assert screen.chart.schedule is not None
    return {r.task: r.flags for r in screen.chart.schedule.rows}


async def test_the_flags_in_words_and_a_shift_that_clears_one_and_undo(config: Config) -> None:
    app = ui.app_for(config)
    backend = ui.backend_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)
        assert flags(screen) == {"WEB-1": (AT_RISK,), "WEB-2": (AT_RISK,)}
        text = "\n".join(ui.frame_text(app))
        assert "AT RISK" in text and "WEB-1" in text and "bob" in text
        assert "forecast" in text
        assert screen.chart.row_at_cursor().task == "WEB-1"  # type: ignore[union-attr]
        await press(app, pilot, "right_square_bracket")  # a week later
        assert backend.get_task("WEB-1").due == date(2026, 5, 21)
        assert flags(screen)["WEB-1"] == ()
        await press(app, pilot, "greater_than_sign")  # and a day
        assert backend.get_task("WEB-1").due == date(2026, 5, 22)
        await press(app, pilot, "u", "u")
        assert backend.get_task("WEB-1").due == THURSDAY
        assert flags(screen)["WEB-1"] == (AT_RISK,)


async def test_assigned_to_someone_with_room_it_is_no_longer_at_risk(config: Config) -> None:
    app = ui.app_for(config)
    backend = ui.backend_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)
        await press(app, pilot, "a")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        picker.dismiss("mia")
        await ui.settle(app, pilot)
        assert backend.get_task("WEB-1").assignee == "mia"
        assert flags(screen)["WEB-1"] == ()
        # bob's other task has his time to itself now
        assert flags(screen)["WEB-2"] == ()
        await press(app, pilot, "u")
        assert backend.get_task("WEB-1").assignee == "bob"
        assert flags(screen) == {"WEB-1": (AT_RISK,), "WEB-2": (AT_RISK,)}


async def test_zoom_moves_and_the_card(config: Config) -> None:
    app = ui.app_for(config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_schedule(app, pilot)
        axis = str(screen.query_one("#schedule-axis").render())
        assert "W19" in axis and "W20" in axis
        await press(app, pilot, "z")
        assert screen.chart.zoom == "day"
        assert "13" in str(screen.query_one("#schedule-axis").render())
        await press(app, pilot, "j")
        assert screen.chart.row_at_cursor().task == "WEB-2"  # type: ignore[union-attr]
        await press(app, pilot, "enter")
        assert "WEB-2" in "\n".join(ui.frame_text(app))


async def test_set_the_due_date_and_re_estimate_by_typing(config: Config) -> None:
    from textual.widgets import Input

    from tui_board.ui.dialogs import TextPrompt

    app = ui.app_for(config)
    backend = ui.backend_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)
        await press(app, pilot, "d")
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = "2026-05-29"
        await press(app, pilot, "enter")
        assert backend.get_task("WEB-1").due == date(2026, 5, 29)
        assert flags(screen)["WEB-1"] == ()
        await press(app, pilot, "e")
        app.screen.query_one(Input).value = "100h"  # 13 days of 8h less 16h: 88h free
        await press(app, pilot, "enter")
        assert backend.get_task("WEB-1").estimate == 100 * 60
        assert flags(screen)["WEB-1"] == (AT_RISK,)
        await press(app, pilot, "u")
        assert backend.get_task("WEB-1").estimate == 900
        await press(app, pilot, "s")
        app.screen.query_one(Input).value = "2026-06-01"  # after the due date: refused
        await press(app, pilot, "enter")
        assert backend.get_task("WEB-1").start is None
        assert isinstance(app.screen, ScheduleScreen)
