"""The timesheet screen, driven by Pilot against a real SQLite store with a fixed clock:
every key of the issue, and what the backend stored after it; bad input, read-only
weeks, and a cell changed elsewhere meanwhile."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Label, Static
from textual.widgets._footer import FooterKey

from tests.ui_helpers import (  # noqa: F401  (fixtures)
    SIZE,
    Clock,
    anyio_backend,
    app_for,
    backend_for,
    copy_store,
    on_board,
    press_then_quit,
    settle_on,
    steady,
)
from tui_board.backend import open_backend
from tui_board.backend.protocol import Backend
from tui_board.config import Config
from tui_board.core.errors import Locked
from tui_board.core.models import UserPatch
from tui_board.core.schedule import parse_week
from tui_board.core.weeks import IsoWeek
from tui_board.ui.app import BoardApp
from tui_board.ui.dialogs import ConfirmScreen, PickerScreen
from tui_board.ui.screens.help import key_rows
from tui_board.ui.screens.timesheet import TimesheetScreen
from tui_board.ui.widgets.timesheet_entry import QuickEntryInput
from tui_board.ui.widgets.top_bar import TopBar
from tui_board.ui.widgets.week_grid import WeekGrid

pytestmark = pytest.mark.anyio

#: Wednesday 25 November 2026, 10:00 UTC: ISO week 2026-W48.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
W48 = IsoWeek(2026, 48)
W47 = W48.shift(-1)
MON, TUE, WED, THU, FRI, SAT, SUN = W48.days()
DASH = "\u2013"


#: What the header says the store is.
TEAM = "local: team.db"


@pytest.fixture(scope="session")
def team_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small team, made once per process: alice (admin, the app's user) and bob (her
    lead) in team Web; projects WEB and APP; no time logged."""
    path = tmp_path_factory.mktemp("timesheet") / "team.db"
    config = Config(db=str(path))
    alice = open_backend(config, login="alice", create=True, clock=Clock(NOW))
    alice.me()
    alice.create_user("bob", "Bob Berg", role="lead")
    alice.create_team("Web", lead="bob")
    alice.update_user("alice", alice.me().version, UserPatch(team="Web"))
    alice.create_project("WEB", "Web site")
    alice.create_project("APP", "Mobile app")
    for title in ("Fix the login form", "Write the release notes", "Review the API docs"):
        alice.create_task("WEB", title, assignee="alice")
    for title in ("Release 2.0 to the stores", "Crash on start"):
        alice.create_task("APP", title)
    alice.close()
    return path


@pytest.fixture
def config(team_template: Path, tmp_path: Path) -> Config:
    return copy_store(team_template, tmp_path, "team.db")


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def alice(config: Config, clock: Clock) -> Backend:
    """alice's own backend, outside the app: to set the scene and to read what was stored."""
    return backend_for(config, clock=clock, description=TEAM)


def sheet_app(config: Config, clock: Clock) -> BoardApp:
    return app_for(config, clock=clock, description=TEAM)


async def settle(app: BoardApp, pilot: Pilot[None]) -> TimesheetScreen:
    """Wait until the week is shown (no other week on its way) and every write and read
    has been answered."""
    return await settle_on(
        app,
        pilot,
        "timesheet",
        TimesheetScreen,
        lambda screen: screen.sheet is not None and screen.sheet.week == screen.week,
    )


async def open_sheet(app: BoardApp, pilot: Pilot[None]) -> TimesheetScreen:
    await pilot.pause()
    await pilot.press("2")
    return await settle(app, pilot)


def stored(backend: Backend, start: date = MON, end: date = SUN) -> dict[tuple[str, date], int]:
    return {(e.task, e.day): e.minutes for e in backend.list_entries(start, end, user="alice")}


def line_of(screen: TimesheetScreen) -> str:
    return str(screen.query_one("#timesheet-line", Label).content)


def title_of(screen: TimesheetScreen) -> str:
    return str(screen.query_one(".mode-facts", Static).content)


def cursor(screen: TimesheetScreen) -> tuple[str | None, date]:
    assert screen.sheet is not None
    return screen.sheet.focus_key, screen.sheet.focus_day


def grid_text(screen: TimesheetScreen) -> list[str]:
    grid = screen.query_one(WeekGrid)
    return [grid.render_line(y).text for y in range(grid.content_size.height)]


# --- the whole week, by keys alone -----------------------------------------------------------


async def test_a_whole_week_of_three_tasks_logged_with_keys_alone(
    config: Config, clock: Clock, alice: Backend
) -> None:
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        assert screen.sheet is not None and screen.sheet.rows == []
        for query in ("app-1", "web-1", "web-2"):  # three rows, through the task picker
            await pilot.press("a")
            await settle(app, pilot)
            assert isinstance(app.screen, PickerScreen)
            await pilot.press(*query, "enter")
            await settle(app, pilot)
        assert [row.key for row in screen.sheet.rows] == ["APP-1", "WEB-1", "WEB-2"]
        await pilot.press("k", "k", "k", "h", "h")  # the first task, on Monday
        assert cursor(screen) == ("APP-1", MON)

        typed = {  # a day at a time: enter goes down the tasks, then to the next day
            MON: ("2", "1h30", "4:30"),
            TUE: ("90m", "3.5", "3h"),
            WED: ("1,5", "45m", "5h 45m"),
            THU: ("6", "1:15", "0:45"),
            FRI: ("2h15", "2h", "3:45"),
        }
        for spellings in typed.values():
            for text in spellings:
                await pilot.press(*text, "enter")
        await settle(app, pilot)

        expected = {
            ("APP-1", MON): 120, ("WEB-1", MON): 90, ("WEB-2", MON): 270,
            ("APP-1", TUE): 90, ("WEB-1", TUE): 210, ("WEB-2", TUE): 180,
            ("APP-1", WED): 90, ("WEB-1", WED): 45, ("WEB-2", WED): 345,
            ("APP-1", THU): 360, ("WEB-1", THU): 75, ("WEB-2", THU): 45,
            ("APP-1", FRI): 135, ("WEB-1", FRI): 120, ("WEB-2", FRI): 225,
        }  # fmt: skip
        assert stored(alice) == expected
        assert cursor(screen) == ("APP-1", SAT)  # moved on past Friday's last task
        sheet = screen.sheet
        assert [sheet.day_total(day) for day in (MON, TUE, WED, THU, FRI)] == [480] * 5
        assert sheet.week_total() == 2400
        assert "40:00 logged of 40:00" in title_of(screen)
        assert [sheet.status(day) for day in (MON, TUE, FRI, SAT)] == ["met", "met", "met", "off"]


# --- typing into a cell ----------------------------------------------------------------------


async def test_durations_with_seconds_and_in_iso_8601_are_typed_too(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.add_week_row(W48, "WEB-1")
    alice.add_week_row(W48, "WEB-2")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press(*"PT1H30M")
        assert "PT1H30M -> 1:30" in line_of(screen)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press(*"0:45:30")  # seconds: half a minute rounds up, as shown
        assert "0:45:30 -> 0:46" in line_of(screen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", WED): 90, ("WEB-2", WED): 46}


async def test_typing_shows_the_parsed_value_under_the_grid_and_enter_stores_it(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.add_week_row(W48, "WEB-1")
    alice.add_week_row(W48, "WEB-2")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        assert cursor(screen) == ("WEB-1", WED)  # today
        await pilot.press(*"1h30")
        grid = screen.query_one(WeekGrid)
        assert grid.editing and grid.edit is not None and grid.edit.text == "1h30"
        assert "1h30 -> 1:30" in line_of(screen)
        row = next(text for text in grid_text(screen) if "WEB-1 " in text)
        # Typed inside its cell: the next day's cell and the total are drawn as they are.
        assert row.split()[-6:] == ["1h30▏", "·", "·", "·", "·", "·"], row
        assert stored(alice) == {}  # nothing until enter
        await pilot.press("enter")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", WED): 90}
        assert cursor(screen) == ("WEB-2", WED)
        assert not grid.editing
        assert screen.sheet is not None and screen.sheet.minutes("WEB-1", WED) == 90

        # tab stores and goes to the next day; an arrow stores and goes its way.
        await pilot.press("4", "5", "m", "tab", "2", "up")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", WED): 90, ("WEB-2", WED): 45, ("WEB-2", THU): 120}
        assert cursor(screen) == ("WEB-1", THU)

        # On this week, `.5` and `,5` are durations too (half an hour).
        await pilot.press("l", "full_stop", "5", "enter", "comma", "2", "5", "up")
        await settle(app, pilot)
        assert stored(alice)[("WEB-1", FRI)] == 30
        assert stored(alice)[("WEB-2", FRI)] == 15
        assert screen.week == W48
        await pilot.press("left")

        # enter on a stored cell edits it: its value is selected, typing replaces it.
        await pilot.press("down", "left", "enter")
        assert grid.edit is not None and grid.edit.text == "0:45" and grid.edit.replace
        await pilot.press("1", "enter")
        await settle(app, pilot)
        assert stored(alice)[("WEB-2", WED)] == 60


async def test_what_was_stored_survives_quitting_at_once(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", WED, 120)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        assert cursor(screen) == ("WEB-1", WED)
        await press_then_quit(app, screen, "delete", None)  # clear the cell, and quit at once
    assert app.return_code == 0
    assert stored(alice) == {}  # cleared before the app ended


async def test_bad_input_stays_in_the_cell_with_the_reason_and_stores_nothing(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.add_week_row(W48, "WEB-1")
    alice.set_entry("WEB-2", WED, 20 * 60)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        grid = screen.query_one(WeekGrid)
        assert cursor(screen) == ("WEB-1", WED)
        await pilot.press(*"1h75", "enter")
        await settle(app, pilot)
        assert grid.editing and cursor(screen) == ("WEB-1", WED)
        assert "under 60" in line_of(screen)
        assert screen.query_one("#timesheet-line").has_class("-error")
        row = next(text for text in grid_text(screen) if "WEB-1 " in text)
        assert row.split()[-7:] == ["✗", "1h75▏", "·", "·", "·", "·", "·"], row  # not over Thu
        await pilot.press("tab", "down")  # moving is refused the same way
        assert grid.editing and cursor(screen) == ("WEB-1", WED)

        await pilot.press("ctrl+u", *"5", "enter")  # 20h are on the day already
        await settle(app, pilot)
        assert grid.editing
        assert "more than the 24:00 a day holds" in line_of(screen)

        await pilot.press("ctrl+u", *"1x", "enter")
        assert "Cannot read '1x'" in line_of(screen)
        assert stored(alice) == {("WEB-2", WED): 1200}

        await pilot.press("backspace", "backspace", *"3:45", "enter")  # fixed: stored
        await settle(app, pilot)
        assert not grid.editing
        assert stored(alice) == {("WEB-2", WED): 1200, ("WEB-1", WED): 225}


async def test_esc_cancels_and_delete_clears_the_cell(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", WED, 90, comment="review")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        grid = screen.query_one(WeekGrid)
        await pilot.press("3", "escape")
        await settle(app, pilot)
        assert not grid.editing
        assert stored(alice) == {("WEB-1", WED): 90}

        await pilot.press("delete")
        await settle(app, pilot)
        assert alice.list_entries(MON, SUN) == []  # the entry is deleted, comment and all
        assert screen.sheet is not None and screen.sheet.minutes("WEB-1", WED) == 0
        assert [row.key for row in screen.sheet.rows] == ["WEB-1"]  # the row stays on screen
        await pilot.press("delete")  # nothing left to clear
        assert "empty already" in line_of(screen)


async def test_c_edits_the_cells_comment(config: Config, clock: Clock, alice: Backend) -> None:
    alice.set_entry("WEB-1", WED, 90, comment="review")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("c")
        field = screen.query_one(QuickEntryInput)
        assert field.has_focus and field.value == "review"
        await pilot.press("ctrl+u", *"reviewed the login fix", "enter")
        await settle(app, pilot)
        [entry] = alice.list_entries(MON, SUN)
        assert (entry.minutes, entry.comment) == (90, "reviewed the login fix")
        assert screen.query_one(WeekGrid).has_focus
        assert "“reviewed the login fix”" in line_of(screen)
        await pilot.press("c", "x", "escape")  # esc leaves it as it was
        await settle(app, pilot)
        assert alice.list_entries(MON, SUN)[0].comment == "reviewed the login fix"
        await pilot.press("c", "ctrl+u", "enter")  # emptied: cleared, and said so
        await settle(app, pilot)
        assert alice.list_entries(MON, SUN)[0].comment == ""
        assert "Comment cleared on WEB-1" in line_of(screen), line_of(screen)


async def test_arrows_hjkl_and_tab_move_between_cells(
    config: Config, clock: Clock, alice: Backend
) -> None:
    for key in ("WEB-1", "WEB-2", "APP-1"):
        alice.add_week_row(W48, key)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        assert cursor(screen) == ("APP-1", WED)  # rows in task order: APP-1, WEB-1, WEB-2
        await pilot.press("j")
        assert cursor(screen) == ("WEB-1", WED)
        await pilot.press("down", "down")  # stops at the last row
        assert cursor(screen) == ("WEB-2", WED)
        await pilot.press("k", "up", "up")
        assert cursor(screen) == ("APP-1", WED)
        await pilot.press("l", "right", "h")
        assert cursor(screen) == ("APP-1", THU)
        await pilot.press("left", "left", "left", "left", "left")  # stops on Monday
        assert cursor(screen) == ("APP-1", MON)
        await pilot.press("shift+tab")  # nothing before the first cell
        assert cursor(screen) == ("APP-1", MON)
        for _ in range(7):
            await pilot.press("tab")  # along the week, then the next row's Monday
        assert cursor(screen) == ("WEB-1", MON)
        await pilot.press("shift+tab")
        assert cursor(screen) == ("APP-1", SUN)
        await pilot.press("G")
        assert cursor(screen) == ("WEB-2", SUN)
        await pilot.press("g")
        assert cursor(screen) == ("APP-1", SUN)
        await pilot.press("pagedown")
        assert cursor(screen) == ("WEB-2", SUN)


async def test_the_config_sets_the_first_day_and_the_daily_target(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", date(2026, 11, 22), 60)  # a Sunday: on the grid from Sunday on
    config.week_start = "sunday"
    config.daily_target = "6h"
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        sheet = screen.sheet
        assert sheet is not None
        assert sheet.days[0] == date(2026, 11, 22) and sheet.days[-1] == SAT
        assert sheet.daily_target == 360 and sheet.week_target() == 5 * 360
        header = grid_text(screen)[0]
        assert header.index("Sun 22") < header.index("Mon 23") < header.index("Sat 28")
        assert "1:00 logged of 30:00" in title_of(screen)
        assert any(line.startswith(" Total · 6:00 a day") for line in grid_text(screen))


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_a_part_time_friday_is_held_against_its_own_target(
    config: Config, clock: Clock, alice: Backend, size: tuple[int, int]
) -> None:
    """`mon-thu 8h, fri 4h`: the totals line says so (not one figure a day), Friday's 4h
    meets its target while Monday's 4h is under it; at 80 columns the Friday's target
    still shows whole."""
    alice.set_schedule("alice", parse_week("mon-thu 8h, fri 4h"), start=W47.monday())
    alice.add_week_row(W48, "WEB-1")
    app = sheet_app(config, clock)
    async with app.run_test(size=size) as pilot:
        screen = await open_sheet(app, pilot)
        sheet = screen.sheet
        assert sheet is not None
        assert [sheet.target(day) for day in W48.days()] == [480] * 4 + [240, 0, 0]
        assert "0:00 logged of 36:00" in title_of(screen)
        totals = next(line for line in grid_text(screen) if line.startswith(" Total"))
        wide = " Total · 8:00 a day, Fri 4:00 "
        assert totals.startswith(wide if size == SIZE else " Total 8:00, Fri 4:00 ")
        assert "a day " not in totals.replace(wide, "") and "…" not in totals
        assert cursor(screen) == ("WEB-1", WED)
        await pilot.press("l", "l", *"4h", "enter")  # Friday
        await settle(app, pilot)
        await pilot.press(*"hhhhh", *"4h", "enter")  # back from Saturday to Monday
        screen = await settle(app, pilot)
        assert stored(alice) == {("WEB-1", FRI): 240, ("WEB-1", MON): 240}
        sheet = screen.sheet
        assert sheet is not None
        assert [sheet.status(day) for day in (MON, THU, FRI)] == ["under", "future", "met"]
        totals = next(line for line in grid_text(screen) if line.startswith(" Total"))
        assert totals.split()[-8:] == [
            "4:00↓", "0:00↓", "0:00", "0:00", "4:00✓", "0:00", "0:00", "8:00",
        ]  # fmt: skip


async def test_digits_type_into_the_grid_and_b_w_switch_screens(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.add_week_row(W48, "WEB-1")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("1")  # a duration, not the board
        assert app.current_mode == "timesheet" and screen.query_one(WeekGrid).editing
        await pilot.press("escape", "b")
        await pilot.pause()
        assert app.current_mode == "board"
        await pilot.press("2")
        await settle(app, pilot)
        await pilot.press("w")
        await pilot.pause()
        assert app.current_mode == "workload"


# --- quick entry, rows -----------------------------------------------------------------------


async def test_i_logs_time_in_one_line_with_key_completion(
    config: Config, clock: Clock, alice: Backend
) -> None:
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("i")
        await settle(app, pilot)
        field = screen.query_one(QuickEntryInput)
        assert field.has_focus
        await pilot.press(*"WEB-1 1h30 fixed the login bug")
        assert line_of(screen).startswith("WEB-1 Fix the login form · Wed 25 Nov · +1:30")
        await pilot.press("enter")
        await settle(app, pilot)
        [entry] = alice.list_entries(MON, SUN)
        assert (entry.task, entry.day, entry.minutes) == ("WEB-1", WED, 90)
        assert entry.comment == "fixed the login bug"
        assert screen.sheet is not None and screen.sheet.minutes("WEB-1", WED) == 90
        assert cursor(screen) == ("WEB-1", WED)  # the grid shows it, the cursor on it

        # tab completes the task key; a day may come before the duration.
        await pilot.press("i", *"web-", "tab")
        assert field.value == "WEB-1 "
        # tab again: the next task of those the word names, and round (it stayed on WEB-1)
        keys = [t.key for t in alice.list_tasks(project="WEB")]
        seen = []
        for _ in keys:
            await pilot.press("tab")
            seen.append(field.value.strip())
        assert seen == [*keys[1:], keys[0]] and len(keys) > 1
        await pilot.press("ctrl+u", *"web-", "tab")  # typed again: from the first
        assert field.value == "WEB-1 "
        await pilot.press("backspace", "backspace", *"2 yesterday 45m", "enter")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", WED): 90, ("WEB-2", TUE): 45}
        assert cursor(screen) == ("WEB-2", TUE)

        # A task that does not exist is refused in the line; nothing is stored.
        await pilot.press("i", *"WEB-9 1h", "enter")
        await settle(app, pilot)
        assert field.has_focus and "no open task WEB-9" in line_of(screen)
        await pilot.press("ctrl+u", *"WEB-1 1h75", "enter")
        assert field.has_focus and "under 60" in line_of(screen)
        await pilot.press("escape")
        assert len(stored(alice)) == 2

        # A day of another week: stored, and the grid goes to that week to show it.
        await pilot.press("i", *"APP-2 2026-11-20 2h", "enter")
        await settle(app, pilot)
        assert stored(alice, W47.monday(), W47.sunday()) == {("APP-2", date(2026, 11, 20)): 120}
        assert screen.week == W47 and cursor(screen) == ("APP-2", date(2026, 11, 20))


async def test_a_adds_a_row_through_a_fuzzy_task_picker(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", WED, 60)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        labels = [label for label, _ in picker.items]
        assert "WEB-1 · Fix the login form · Web site · mine" not in labels  # a row already
        assert "APP-2 · Crash on start · Mobile app" in labels
        await pilot.press(*"crash", "enter")
        await settle(app, pilot)
        assert [ref.key for ref in alice.week(W48).rows] == ["APP-2"]
        assert screen.sheet is not None
        assert [row.key for row in screen.sheet.rows] == ["APP-2", "WEB-1"]
        assert cursor(screen) == ("APP-2", WED)
        await pilot.press("x")  # a row without time goes again, after asking
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "Remove APP-2 from week 48?" in confirm.message
        await pilot.press("n")
        await settle(app, pilot)
        assert [ref.key for ref in alice.week(W48).rows] == ["APP-2"]
        assert [row.key for row in screen.sheet.rows] == ["APP-2", "WEB-1"]
        await pilot.press("x", "y")
        await settle(app, pilot)
        assert alice.week(W48).rows == ()
        assert [row.key for row in screen.sheet.rows] == ["WEB-1"]
        await pilot.press("x")  # WEB-1 has time: it stays
        assert "has time this week" in line_of(screen)


async def test_y_copies_last_weeks_rows_not_their_time(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-3", W47.monday(), 120)
    alice.add_week_row(W47, "APP-2")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert sorted(ref.key for ref in alice.week(W48).rows) == ["APP-2", "WEB-3"]
        assert screen.sheet is not None
        assert [row.key for row in screen.sheet.rows] == ["APP-2", "WEB-3"]
        assert stored(alice) == {}
        assert "Added 2 rows from week 47" in line_of(screen)
        await pilot.press("y")  # the week has rows now: it asks first
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "beside its 2 rows?" in confirm.message
        await pilot.press("y")
        await settle(app, pilot)
        assert "all on week 48 already" in line_of(screen)


# --- weeks -----------------------------------------------------------------------------------


async def test_brackets_move_by_a_week_keeping_the_task_and_day(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", WED, 60)
    alice.set_entry("WEB-2", WED, 30)
    alice.set_entry("WEB-2", W47.monday(), 120)
    alice.set_entry("APP-1", W47.monday(), 60)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        assert f"2026-W48 · Mon 23 {DASH} Sun 29 Nov 2026" in title_of(screen)
        assert "this week" in title_of(screen)
        await pilot.press("j", "l")
        assert cursor(screen) == ("WEB-2", THU)
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert screen.week == W47
        assert f"2026-W47 · Mon 16 {DASH} Sun 22 Nov 2026" in title_of(screen)
        assert "3:00 logged of 40:00 · last week" in title_of(screen)
        assert cursor(screen) == ("WEB-2", date(2026, 11, 19))
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert screen.week == W48.shift(-2)
        assert screen.sheet is not None and screen.sheet.rows == []
        await pilot.press("full_stop")
        await settle(app, pilot)
        assert screen.week == W48 and cursor(screen) == ("WEB-2", THU)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert f"2026-W49 · Mon 30 Nov {DASH} Sun 6 Dec 2026" in title_of(screen)
        assert "next week" in title_of(screen)


async def test_time_off_totals_and_day_colours(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", MON, 480)
    alice.set_entry("WEB-1", TUE, 540)
    alice.set_entry("WEB-1", THU, 180)
    alice.set_entry("WEB-2", THU, 60)
    alice.add_time_off(FRI, 480, kind="holiday")
    clock.now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # Friday
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        sheet = screen.sheet
        assert sheet is not None
        assert sheet.time_off == {"holiday": {FRI: 480}}
        assert [sheet.status(d) for d in (MON, TUE, WED, THU, FRI, SAT)] == [
            "met", "over", "under", "under", "met", "off",
        ]  # fmt: skip
        assert sheet.day_total(FRI) == 480  # time off counts toward the day
        text = grid_text(screen)
        assert any(line.startswith(" Holiday") and "8:00" in line for line in text)
        totals = next(line for line in text if line.startswith(" Total"))
        assert "8:00✓" in totals and "9:00+" in totals

        grid = screen.query_one(WeekGrid)
        styles = {grid.ink(name) for name in ("under", "met", "over", "muted")}
        assert len(styles) == 4  # four distinct looks, from the theme
        y = text.index(totals)
        segments = list(grid.render_line(y))
        looks = {s.text.strip(): s.style for s in segments if s.text.strip()}
        assert looks["8:00"] == grid.ink("met")
        assert looks["9:00"] == grid.ink("over")
        assert looks["4:00"] == grid.ink("under")
        header = list(grid.render_line(0))
        assert next(s.style for s in header if s.text.strip() == "Sat 28") == grid.ink("muted")


# --- the timer -------------------------------------------------------------------------------


async def test_space_starts_the_timer_shown_in_the_header_and_stopping_logs_it(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", WED, 30)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("space")
        await settle(app, pilot)
        assert app.timer is not None and app.timer.task == "WEB-1"
        timer_label = screen.query_one(TopBar).query_one(".top-bar--timer", Label)
        assert str(timer_label.content) == "⏱ WEB-1 0:00"
        assert "⏱" in next(text for text in grid_text(screen) if "WEB-1" in text)
        clock.advance(minutes=50)
        await pilot.press("space")
        await settle(app, pilot)
        assert alice.timer_status() is None and app.timer is None
        assert stored(alice) == {("WEB-1", WED): 80}
        assert screen.sheet is not None and screen.sheet.minutes("WEB-1", WED) == 80
        assert "today's cell holds 1:20" in line_of(screen)


# --- submitting, read-only weeks -------------------------------------------------------------


async def test_s_submits_after_a_confirmation_with_the_total_then_the_week_is_read_only(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", MON, 480)
    alice.set_entry("WEB-1", TUE, 300)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "with 13:00 logged (target 40:00)" in confirm.message
        assert "Under the daily target: Tue 24, Wed 25." in confirm.message
        await pilot.press("n")
        await settle(app, pilot)
        assert alice.week(W48).state.state == "draft"
        await pilot.press("s", "y")
        await settle(app, pilot)
        state = alice.week(W48).state
        assert (state.state, state.submitted_minutes) == ("submitted", 780)
        banner = screen.query_one("#timesheet-state", Static)
        assert "submitted for approval: it is read-only" in str(banner.content)
        assert banner.display
        # The footer offers the week's writes dimmed, and `s` asks nothing again.
        await pilot.pause()
        keys = {str(k.description): k for k in screen.query(FooterKey)}
        assert keys["Submit"].has_class("-disabled") and keys["Add row"].has_class("-disabled")
        assert not keys["Prev week"].has_class("-disabled")
        await pilot.press("s")
        await pilot.pause()
        assert app.screen is screen

        await pilot.press("3")  # read-only: nothing to type into
        await settle(app, pilot)
        assert not screen.query_one(WeekGrid).editing
        assert "read-only" in line_of(screen)
        await pilot.press("delete", "i", *"WEB-1 1h", "enter")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", MON): 480, ("WEB-1", TUE): 300}
        # the quick entry's line said so before enter: nothing was sent
        assert "not stored: week 48 is submitted for approval" in line_of(screen)


async def test_a_submit_refused_for_a_running_timer_is_told_and_the_app_stays(
    config: Config, clock: Clock, alice: Backend
) -> None:
    """The store refuses to submit a week while its owner's timer runs (a conflict that is
    no cell's): the app said nothing of it, it stopped on an assertion."""
    alice.set_entry("WEB-1", MON, 480)
    alice.timer_start("WEB-1")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.is_running and app.screen is screen
        assert alice.week(W48).state.state == "draft"
        assert alice.timer_status() is not None
        assert "Not stored: your timer on WEB-1 is running" in line_of(screen)


async def test_a_sunday_week_is_submitted_as_shown_and_the_dialog_says_what_is_stored(
    config: Config, clock: Clock, alice: Backend
) -> None:
    sun_22, sun_29 = date(2026, 11, 22), date(2026, 11, 29)
    alice.set_entry("WEB-1", sun_22, 60)  # the first day of her week
    alice.set_entry("WEB-1", WED, 120)
    alice.set_entry("WEB-1", sun_29, 180)  # ISO W48, but the first day of her next week
    config.week_start = "sunday"
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert f"Submit week 48 (Sun 22 {DASH} Sat 28 Nov) with 3:00 logged" in confirm.message
        await pilot.press("y")
        await settle(app, pilot)
        state = alice.week(W48).state
        assert (state.state, state.submitted_minutes, state.first_day) == ("submitted", 180, 6)
        assert "with 3:00 logged" in confirm.message  # what the dialog said is what is stored

        # the read-only week is Sun 22 to Sat 28: Sun 22 takes no time, from the keys or not
        await pilot.press("left", "left", "left")
        assert cursor(screen) == ("WEB-1", sun_22)
        await pilot.press("delete")
        await settle(app, pilot)
        assert "read-only" in line_of(screen)
        with pytest.raises(Locked):
            alice.add_time("WEB-1", sun_22, 30)
        # the next week, a draft, starts on Sun 29 and takes time there
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert screen.sheet is not None and screen.sheet.days[0] == sun_29
        for _ in range(cursor(screen)[1].weekday() + 1):  # back to the Sunday
            await pilot.press("left")
        assert cursor(screen)[1] == sun_29
        await pilot.press(*"4h", "enter")
        await settle(app, pilot)
        assert stored(alice, sun_22, sun_29) == {
            ("WEB-1", sun_22): 60,
            ("WEB-1", WED): 120,
            ("WEB-1", sun_29): 240,
        }


async def test_a_rejected_week_shows_the_leads_note_and_can_be_edited_again(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", W47.monday(), 480)
    alice.submit_week(W47)
    backend_for(config, "bob", clock).reject_week("alice", W47, "Wednesday looks short")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        banner = str(screen.query_one("#timesheet-state", Static).content)
        assert "Sent back by bob: “Wednesday looks short”" in banner
        assert "s submits it again" in banner
        assert screen.query_one("#timesheet-state").has_class("-rejected")
        await pilot.press(*"7h", "enter")  # the cursor is on Wednesday 18 Nov
        await settle(app, pilot)
        assert stored(alice, W47.monday(), W47.sunday())[("WEB-1", date(2026, 11, 18))] == 420
        await pilot.press("s", "y")
        await settle(app, pilot)
        assert alice.week(W47).state.state == "submitted"


async def test_quick_entry_on_a_read_only_day_says_so_before_enter(
    config: Config, clock: Clock, alice: Backend
) -> None:
    """It said "+1:30 (the cell then holds 1:30) · enter stores it", and enter was
    refused by the store (a new user's trial)."""
    alice.set_entry("WEB-1", MON, 60)
    alice.lock_period(TUE)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("i", *"WEB-1 mon 90m")
        line = line_of(screen)
        assert "not stored: time up to Tue 24 Nov 2026 is locked" in line, line
        assert "enter stores it" not in line
        await pilot.press("enter")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", MON): 60}
        await pilot.press("ctrl+u", *"WEB-1 wed 90m")
        assert "enter stores it" in line_of(screen)


async def test_a_locked_period_is_read_only(config: Config, clock: Clock, alice: Backend) -> None:
    alice.set_entry("WEB-1", W47.monday(), 60)
    alice.set_entry("WEB-1", MON, 60)
    alice.lock_period(TUE)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        grid = screen.query_one(WeekGrid)
        banner = str(screen.query_one("#timesheet-state", Static).content)
        assert "Time up to Tue 24 Nov is locked" in banner
        await pilot.press("h", "h", "5")  # Monday: locked
        assert not grid.editing and "locked" in line_of(screen)
        await pilot.press("l", "l", "5", "enter")  # Wednesday: open
        await settle(app, pilot)
        assert stored(alice)[("WEB-1", WED)] == 300
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert "this week is read-only" in str(screen.query_one("#timesheet-state", Static).content)
        await pilot.press("delete", "s")
        await settle(app, pilot)
        assert stored(alice, W47.monday(), W47.sunday()) == {("WEB-1", W47.monday()): 60}
        assert not isinstance(app.screen, ConfirmScreen)


# --- someone else changed the cell meanwhile -------------------------------------------------


async def test_a_cell_changed_elsewhere_is_not_overwritten_and_the_input_is_kept(
    config: Config, clock: Clock, alice: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sheet follows the change feed; here the change comes before it looks again.
    monkeypatch.setattr(TimesheetScreen, "FEED_SECONDS", 3600)
    alice.set_entry("WEB-1", WED, 60)
    alice.set_entry("WEB-2", WED, 30)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        grid = screen.query_one(WeekGrid)
        elsewhere = backend_for(config, clock=clock)  # alice in another terminal, say
        elsewhere.set_entry("WEB-1", WED, 120)
        await pilot.press(*"1h30", "enter")  # the screen still shows 1:00
        await settle(app, pilot)
        assert stored(alice)[("WEB-1", WED)] == 120  # theirs stays
        assert any("changed elsewhere" in n.message for n in app._notifications)
        assert screen.sheet is not None and screen.sheet.minutes("WEB-1", WED) == 120
        # What was typed is back in the cell, ready to store over the value now shown.
        assert cursor(screen) == ("WEB-1", WED)
        assert grid.edit is not None and grid.edit.text == "1h30"
        await pilot.press("enter")
        await settle(app, pilot)
        assert stored(alice)[("WEB-1", WED)] == 90

        # Clearing a cell changed elsewhere clears nothing.
        elsewhere.set_entry("WEB-2", WED, 45)
        await pilot.press("delete")
        await settle(app, pilot)
        assert cursor(screen) == ("WEB-2", WED)
        assert stored(alice)[("WEB-2", WED)] == 45
        assert "Nothing was cleared" in list(app._notifications)[-1].message
        await pilot.press("delete")  # now it shows 0:45: clearing it is meant
        await settle(app, pilot)
        assert ("WEB-2", WED) not in stored(alice)


# --- keys everywhere -------------------------------------------------------------------------


async def test_every_key_is_in_help_and_the_palette(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.add_week_row(W48, "WEB-1")
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        rows = {row.description: row for row in key_rows(screen)}
        expected = {
            "Left": "←", "Next cell": "tab", "Edit": "⏎", "Clear": "del", "Comment": "c",
            "Quick": "i", "Add row": "a", "Copy rows": "y", "Prev week": "[",
            "Next week": "]", "Timer": "space", "Submit": "s", "Board": "b", "Workload": "w",
        }  # fmt: skip
        for description, keys in expected.items():
            assert rows[description].keys.startswith(keys), (description, rows[description])
            assert (rows[description].binding_id or "").startswith("timesheet-")
        titles = {command.title for command in app.get_system_commands(screen)}
        assert set(expected) <= titles
        # `.` comes back to this week from another; on this week it begins a duration.
        assert "This week" not in rows
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert next(r for r in key_rows(screen) if r.description == "This week").keys == "."
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        # While a cell is typed into, the footer and help offer what stores or drops it.
        await pilot.press("4")
        editing = {row.description for row in key_rows(screen)}
        assert {"Store", "Cancel"} <= editing
        assert "Comment" not in editing


async def test_the_task_picker_does_not_follow_a_user_who_moved_on(
    config: Config, clock: Clock
) -> None:
    """`a` reads the tasks before it shows the picker; the user went to the board
    meanwhile: the picker is not shown over the board (a task picked there would be
    added to a week no longer in sight), and `a` back on the timesheet shows it."""
    import threading

    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        backend = app.backend
        assert backend is not None
        listed, go_on = threading.Event(), threading.Event()
        list_tasks = backend.list_tasks

        def held(*args: object, **kwargs: object) -> object:
            listed.set()
            go_on.wait(10)
            return list_tasks(*args, **kwargs)  # type: ignore[arg-type]

        backend.list_tasks = held  # type: ignore[method-assign,assignment]
        await pilot.press("a")
        while not listed.is_set():
            await pilot.pause(0.01)
        await pilot.press("b")  # the board (digits type a duration here)
        await pilot.pause()
        go_on.set()
        await on_board(app, pilot)
        for _ in range(20):
            await pilot.pause(0.02)
        assert not any(isinstance(s, PickerScreen) for s in app.screen_stack)
        assert app.current_mode == "board"
        backend.list_tasks = list_tasks  # type: ignore[method-assign]
        await pilot.press("2")
        await settle(app, pilot)
        assert app.screen is screen
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, PickerScreen)
