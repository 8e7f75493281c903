"""The changeover week, through the timesheet's keys: after switching the first day of
the week, a day already in a submitted week is shown read-only, marked with that week,
left out of the total, and the week is submitted as its remaining days, as the dialog
says (backend/local/weeks.py; the contract tests are tests/contract/test_week_start.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import test_timesheet
from tests.test_timesheet import (
    DASH,
    MON,
    SUN,
    W48,
    cursor,
    grid_text,
    line_of,
    open_sheet,
    settle,
    sheet_app,
    stored,
    title_of,
)
from tests.ui_helpers import SIZE, Clock, anyio_backend  # noqa: F401  (fixtures)
from tui_board.backend.protocol import Backend
from tui_board.config import Config
from tui_board.ui.dialogs import ConfirmScreen
from tui_board.ui.widgets.week_grid import WeekGrid

pytestmark = pytest.mark.anyio

#: The timesheet tests' fixtures: alice's small team, the clock, alice's own backend.
team_template = test_timesheet.team_template
config, clock, alice = test_timesheet.config, test_timesheet.clock, test_timesheet.alice

MON_30, TUE_1, SAT_5 = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 5)


def days(first: date, last: date) -> tuple[date, ...]:
    return tuple(first + timedelta(n) for n in range((last - first).days + 1))


async def test_switching_to_sunday_the_next_week_is_short_and_submitted_as_shown(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", MON, 60)
    alice.set_entry("WEB-1", SUN, 120)  # Sun 29: the last day of her Monday-start W48
    alice.submit_week(W48)  # Mon 23 - Sun 29
    alice.set_entry("WEB-1", MON_30, 180)
    alice.set_entry("WEB-1", TUE_1, 45)
    config.week_start = "sunday"
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        assert screen.sheet is not None and screen.sheet.days == days(MON, SUN)  # as stored
        await pilot.press("right_square_bracket")
        screen = await settle(app, pilot)
        assert screen.sheet is not None and screen.sheet.days == days(SUN, SAT_5)
        # Sun 29 is shown, marked as W48's, and counted in neither the total nor target
        assert "3:45 logged of 40:00" in title_of(screen)
        totals = grid_text(screen)[-1]
        assert "in W48" in totals and totals.rstrip().endswith("3:45")
        banner = str(screen.query_one("#timesheet-state").render())
        assert f"Sun 29 is in week 48, which closed it first: this week is Mon 30 {DASH}" in banner

        # typing on Sun 29 is refused at the first key, saying why; nothing is stored
        for _ in range(7):
            await pilot.press("left")
        assert cursor(screen) == ("WEB-1", SUN)
        await pilot.press("1")
        await settle(app, pilot)
        assert not screen.query_one(WeekGrid).editing
        assert "Sun 29 is in week 48, which is submitted: read-only here" in line_of(screen)
        await pilot.press("delete")
        await settle(app, pilot)
        assert stored(alice, MON, SAT_5)[("WEB-1", SUN)] == 120

        await pilot.press("s")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert (
            f"Submit week 49 (Mon 30 Nov {DASH} Sat 5 Dec: Sun 29 is in week 48) "
            "with 3:45 logged (target 40:00)?" in confirm.message
        )
        await pilot.press("y")
        await settle(app, pilot)
        state = alice.week(W48 + 1).state
        assert (state.state, state.submitted_minutes, state.first_day) == ("submitted", 225, 6)
        assert state.days == days(MON_30, SAT_5)  # what the dialog named is what is stored
        assert alice.week(W48).state.submitted_minutes == 180  # Sun 29 counted once


async def test_switching_back_to_monday_the_late_week_is_short(
    config: Config, clock: Clock, alice: Backend
) -> None:
    mon_16, sat_21, sun_22 = date(2026, 11, 16), date(2026, 11, 21), date(2026, 11, 22)
    alice.set_entry("WEB-1", mon_16, 60)
    alice.set_entry("WEB-1", sun_22, 30)
    alice.submit_week(W48, first_day=6)  # Sun 22 - Sat 28, while W47 is still a draft
    app = sheet_app(config, clock)  # Monday again
    async with app.run_test(size=SIZE) as pilot:
        await open_sheet(app, pilot)
        await pilot.press("left_square_bracket")
        screen = await settle(app, pilot)
        assert screen.sheet is not None and screen.sheet.days == days(mon_16, sun_22)
        assert "1:00 logged of 40:00" in title_of(screen)
        assert "in W48" in grid_text(screen)[-1]
        await pilot.press("s")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert (
            f"Submit week 47 (Mon 16 {DASH} Sat 21 Nov: Sun 22 is in week 48) with 1:00 logged"
            in confirm.message
        )
        await pilot.press("y")
        await settle(app, pilot)
        state = alice.week(W48 - 1).state
        assert (state.state, state.submitted_minutes) == ("submitted", 60)
        assert state.days == days(mon_16, sat_21)
