"""Keys that cannot hurt on a timesheet cell, and the timesheet showing what its own
writes did (the timer's minutes): Pilot against a real SQLite store, checking what the
backend stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from tests import test_timesheet
from tests.test_timesheet import (
    THU,
    W48,
    WED,
    cursor,
    line_of,
    open_sheet,
    settle,
    sheet_app,
    stored,
)
from tests.ui_helpers import SIZE, Clock, anyio_backend, frame_text, steady  # noqa: F401  (fixtures)
from tui_board.backend.protocol import Backend
from tui_board.config import Config
from tui_board.ui.app import BoardApp
from tui_board.ui.widgets.week_grid import WeekGrid

pytestmark = pytest.mark.anyio

#: The timesheet tests' fixtures: alice's small team, the clock, alice's own backend.
team_template = test_timesheet.team_template
config, clock, alice = test_timesheet.config, test_timesheet.clock, test_timesheet.alice


async def burst(app: BoardApp, pilot: Pilot[None], *keys: str) -> None:
    """Keys as they arrive over a slow link: all at once, before the app has handled the
    first (Pilot's `press` waits for the app after each)."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        character = key if len(key) == 1 else ("\r" if key == "enter" else None)
        event = events.Key(key, character)
        event.set_sender(app)
        driver.send_message(event)
    await pilot.pause()


async def test_a_burst_of_keys_lands_each_value_in_its_own_cell(
    config: Config, clock: Clock, alice: Backend
) -> None:
    """`2 enter 3 enter` arriving at once: the 3 is typed into the next task's cell, not
    appended to the 2 that enter is storing."""
    alice.add_week_row(W48, "WEB-1")
    alice.add_week_row(W48, "WEB-2")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        assert cursor(screen) == ("WEB-1", WED)
        await burst(app, pilot, "2", "enter", "3", "enter", "down", "4", "tab")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", WED): 120, ("WEB-2", WED): 180, ("WEB-2", THU): 240}
        assert not screen.query_one(WeekGrid).editing


async def test_minus_says_negative_time_is_refused_and_stores_nothing(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", WED, 60)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("minus")
        assert screen.query_one(WeekGrid).editing
        assert "negative time is refused" in line_of(screen)
        await pilot.press("1", "enter")  # refused: the cell stays open with the reason
        await settle(app, pilot)
        grid = screen.query_one(WeekGrid)
        assert grid.edit is not None and grid.edit.text == "-1"
        assert "negative time is refused" in line_of(screen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", WED): 60}


async def test_letters_while_typing_go_into_the_cell_and_run_no_key(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.add_week_row(W48, "WEB-1")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("1", *"abcxsy")  # add row, board, comment, remove, submit, copy
        await settle(app, pilot)
        grid = screen.query_one(WeekGrid)
        assert app.screen is screen and grid.edit is not None and grid.edit.text == "1abcxsy"
        assert "Cannot read '1abcxsy'" in line_of(screen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert [ref.key for ref in alice.week(W48).rows] == ["WEB-1"]
        assert stored(alice) == {} and alice.week(W48).state.state == "draft"
        # h and m are units after a digit (and `h` moves left when nothing is typed)
        await pilot.press(*"1h30m", "enter")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", WED): 90}
        _, day = cursor(screen)
        await pilot.press("h")
        assert cursor(screen) == ("WEB-1", day - timedelta(days=1))


@pytest.mark.parametrize("key", ["z", "exclamation_mark", "e"])
async def test_a_character_that_does_nothing_says_what_to_type(
    config: Config, clock: Clock, alice: Backend, key: str
) -> None:
    alice.add_week_row(W48, "WEB-1")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        assert app.screen is screen and not screen.query_one(WeekGrid).editing
        assert line_of(screen) == "Type a duration like 1:30 (1h30, 90m, 1.5); ? shows the keys."
        assert stored(alice) == {}


# --- the timesheet shows what its own writes did -----------------------------------------------


async def test_switching_the_timer_shows_the_stopped_timers_minutes_and_the_next_edit_is_stored(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", WED, 60)  # the cell the timer adds to: version 1
    alice.add_week_row(W48, "WEB-2")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        assert cursor(screen) == ("WEB-1", WED)
        await pilot.press("space")  # the timer on WEB-1
        await settle(app, pilot)
        assert alice.timer_status() is not None
        clock.advance(minutes=45)
        await pilot.press("down", "space")  # on WEB-2: WEB-1's 0:45 are logged today
        await settle(app, pilot)
        timer = alice.timer_status()
        assert timer is not None and timer.task == "WEB-2"
        assert stored(alice) == {("WEB-1", WED): 105}
        assert screen.sheet is not None and screen.sheet.minutes("WEB-1", WED) == 105
        assert "Stopped the one on WEB-1: today's cell holds 1:45" in line_of(screen)

        await pilot.press("up", *"2h", "enter")  # no "changed elsewhere" about our own write
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", WED): 120}
        assert not any("elsewhere" in n.message for n in app._notifications)


def footer_keys(app: BoardApp) -> list[str]:
    """What the footer offers, as drawn."""
    return [str(key.description) for key in app.screen.query(FooterKey)]


async def test_the_footer_offers_this_week_only_where_full_stop_goes_there(
    config: Config, clock: Clock, alice: Backend
) -> None:
    """On the week holding today `.` begins a duration (`.5`), elsewhere it goes back to
    this week: the footer follows the week shown, from the first week it reads (it was
    drawn before the week came, offering `. This week` where `.` typed into the cell)."""
    alice.add_week_row(W48, "WEB-1")
    app = sheet_app(config, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.pause()
        assert "This week" not in footer_keys(app)
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        await pilot.pause()
        assert "This week" in footer_keys(app)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        await pilot.pause()
        assert "This week" not in footer_keys(app)
        await pilot.press("full_stop", "5", "enter")
        await settle(app, pilot)
        assert screen.week == W48 and stored(alice)[("WEB-1", WED)] == 30


async def test_help_says_what_the_grids_marks_mean(
    config: Config, clock: Clock, alice: Backend
) -> None:
    """`1:30*`, `6:00↓` and `⏱` were explained nowhere: `?` says, above the keys."""
    alice.add_week_row(W48, "WEB-1")
    app = sheet_app(config, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_sheet(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        shown = "\n".join(frame_text(app))
        assert "What the marks mean" in shown
        assert "1:30*  the cell has a comment" in shown
        assert "under its target" in shown and "⏱" in shown
