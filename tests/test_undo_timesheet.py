"""`u` and `U` on the timesheet: a cell typed, cleared or commented, time logged by quick
entry, a row added, and the timer switched, each undone and redone, checked in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_timesheet import (  # noqa: F401  (fixtures)
    MON,
    NOW,
    SUN,
    TEAM,
    W48,
    WED,
    open_sheet,
    settle,
    sheet_app,
    stored,
    team_template,
)
from tests.ui_helpers import SIZE, Clock, anyio_backend, backend_for, copy_store, steady  # noqa: F401
from tui_board.backend.protocol import Backend
from tui_board.config import Config

pytestmark = pytest.mark.anyio


@pytest.fixture
def config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    return copy_store(request.getfixturevalue("team_template"), tmp_path, "team.db")


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def alice(config: Config, clock: Clock) -> Backend:
    return backend_for(config, clock=clock, description=TEAM)


async def test_a_cell_typed_cleared_and_commented_is_undone_and_redone(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", WED, 90, comment="review")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_sheet(app, pilot)
        await pilot.press(*"2:15", "enter")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", WED): 135}
        await pilot.press("u")
        await settle(app, pilot)
        [entry] = alice.list_entries(MON, SUN)
        assert (entry.minutes, entry.comment) == (90, "review")
        await pilot.press("U")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", WED): 135}

        await pilot.press("delete")
        await settle(app, pilot)
        assert alice.list_entries(MON, SUN) == []
        await pilot.press("u")  # the cell comes back, comment and all
        await settle(app, pilot)
        [entry] = alice.list_entries(MON, SUN)
        assert (entry.minutes, entry.comment) == (135, "review")

        await pilot.press("c", "ctrl+u", *"pairing", "enter")
        await settle(app, pilot)
        assert alice.list_entries(MON, SUN)[0].comment == "pairing"
        await pilot.press("u")
        await settle(app, pilot)
        assert alice.list_entries(MON, SUN)[0].comment == "review"
        # then the clear is undone in turn: the history goes back step by step
        await pilot.press("u", "u")
        await settle(app, pilot)
        [entry] = alice.list_entries(MON, SUN)
        assert (entry.minutes, entry.comment) == (90, "review")


async def test_quick_entry_and_a_row_added_are_undone(
    config: Config, clock: Clock, alice: Backend
) -> None:
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_sheet(app, pilot)
        await pilot.press("i", *"WEB-2 1h30 notes", "enter")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-2", WED): 90}
        await pilot.press("a", *"crash", "enter")
        await settle(app, pilot)
        assert [ref.key for ref in alice.week(W48).rows] == ["APP-2"]
        await pilot.press("u")
        await settle(app, pilot)
        assert alice.week(W48).rows == ()
        await pilot.press("u")
        await settle(app, pilot)
        assert alice.list_entries(MON, SUN) == []


async def test_a_timer_switched_from_the_sheet_is_undone(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", WED, 30)
    alice.set_entry("WEB-2", WED, 15)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("space")  # on WEB-1
        await settle(app, pilot)
        clock.advance(minutes=25)
        await pilot.press("down", "space")  # on WEB-2: WEB-1's timer stops, logging 25 min
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", WED): 55, ("WEB-2", WED): 15}
        assert screen.sheet is not None and screen.sheet.minutes("WEB-1", WED) == 55
        await pilot.press("u")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", WED): 30, ("WEB-2", WED): 15}
        running = alice.timer_status()
        assert running is not None and running.task == "WEB-1"
        assert screen.sheet.minutes("WEB-1", WED) == 30
        # the app's own write does not come back as "changed elsewhere"
        await pilot.press("up", *"1", "enter")
        await settle(app, pilot)
        assert stored(alice)[("WEB-1", WED)] == 60
