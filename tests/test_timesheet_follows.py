"""The timesheet after a new user's trial (issue 10): it follows changes made elsewhere
(another process on the same store), copying rows says and undoes only the rows it
added, a read-only week refuses row keys with its reason, digits never leave the sheet,
an undo's answer replaces the line under the grid, and the day headings stay in their
columns whatever day the week starts on. Driven by Pilot; the store checked after."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.cli_helpers import run_cli
from tests.test_timesheet import (  # noqa: F401  (fixtures)
    MON,
    NOW,
    TEAM,
    THU,
    W47,
    W48,
    WED,
    cursor,
    grid_text,
    line_of,
    open_sheet,
    settle,
    sheet_app,
    stored,
    team_template,
)
from tests.ui_helpers import (  # noqa: F401  (fixtures)
    SIZE,
    Clock,
    anyio_backend,
    backend_for,
    copy_store,
    steady,
)
from tests.ui_helpers import (
    settle as settle_until,
)
from tui_board.backend.protocol import Backend
from tui_board.backend.undo import RowsChange
from tui_board.config import Config
from tui_board.ui.dialogs import ConfirmScreen
from tui_board.ui.screens.timesheet import TimesheetScreen
from tui_board.ui.screens.workload import WorkloadScreen
from tui_board.ui.widgets.week_grid import GridColumns, WeekGrid

pytestmark = pytest.mark.anyio

#: How often the screens look at the change feed here (a second in the app).
FEED_SECONDS = 0.1


@pytest.fixture
def config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    return copy_store(request.getfixturevalue("team_template"), tmp_path, "team.db")


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def alice(config: Config, clock: Clock) -> Backend:
    return backend_for(config, clock=clock, description=TEAM)


@pytest.fixture
def fast_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TimesheetScreen, "FEED_SECONDS", FEED_SECONDS)
    monkeypatch.setattr(WorkloadScreen, "FEED_SECONDS", FEED_SECONDS)


def log_from_the_shell(config: Config, tmp_path: Path, *args: str) -> None:
    """`tui-board log ...` as alice, as another process on the same store would."""
    ran = run_cli(
        ["--db", str(config.db), "log", *args],
        home=tmp_path / "shell",
        env={"TUI_BOARD_USER": "alice"},
    )
    assert ran.code == 0, ran.stderr


async def wait_for(pilot: Pilot[None], done: Callable[[], bool], what: str) -> None:
    """A few seconds at most (the feed is looked at every FEED_SECONDS)."""
    for _ in range(60):
        await pilot.pause(0.05)
        if done():
            return
    raise AssertionError(f"not seen in time: {what}")


async def stays(pilot: Pilot[None], seconds: float = 0.6) -> None:
    """Let the feed be looked at several times."""
    await pilot.pause(seconds)


def minutes(screen: TimesheetScreen, key: str, day: date) -> int:
    assert screen.sheet is not None
    return screen.sheet.minutes(key, day)


# --- 1. the week follows changes made elsewhere ----------------------------------------------


async def test_time_logged_from_the_shell_shows_and_the_next_edit_is_not_refused(
    config: Config, clock: Clock, alice: Backend, tmp_path: Path, fast_feed: None
) -> None:
    alice.set_entry("WEB-1", WED, 60)
    alice.set_entry("WEB-2", MON, 30)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("down")  # on WEB-2, Wednesday: the cursor must stay there
        where = cursor(screen)
        assert where == ("WEB-2", WED)

        log_from_the_shell(config, tmp_path, "0:15", "WEB-1", "--date", WED.isoformat())
        await wait_for(pilot, lambda: minutes(screen, "WEB-1", WED) == 75, "the shell's 0:15")
        assert any("1:15" in line for line in grid_text(screen))
        assert cursor(screen) == where

        await pilot.press("up", *"2", "enter")  # typed over what is shown now: stored
        await settle(app, pilot)
        assert stored(alice)[("WEB-1", WED)] == 120
        assert not any("elsewhere" in n.message for n in app._notifications)


async def test_a_cell_being_typed_in_or_the_prompt_line_defers_the_read(
    config: Config, clock: Clock, alice: Backend, tmp_path: Path, fast_feed: None
) -> None:
    alice.set_entry("WEB-1", WED, 60)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        grid = screen.query_one(WeekGrid)
        await pilot.press("3")  # typing into WEB-1 on Wednesday
        log_from_the_shell(config, tmp_path, "0:45", "WEB-1", "--date", THU.isoformat())
        await stays(pilot)
        assert grid.edit is not None and grid.edit.text == "3"  # nothing moved under it
        assert minutes(screen, "WEB-1", THU) == 0
        await pilot.press("escape")  # done typing: the change shows at once
        await wait_for(pilot, lambda: minutes(screen, "WEB-1", THU) == 45, "Thursday's 0:45")
        assert cursor(screen) == ("WEB-1", WED)

        await pilot.press("i", *"WEB-1 1h")  # the prompt line is open
        log_from_the_shell(config, tmp_path, "0:30", "WEB-1", "--date", MON.isoformat())
        await stays(pilot)
        assert minutes(screen, "WEB-1", MON) == 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: minutes(screen, "WEB-1", MON) == 30, "Monday's 0:30")
        assert stored(alice) == {("WEB-1", MON): 30, ("WEB-1", WED): 60, ("WEB-1", THU): 45}


async def test_rows_the_weeks_state_and_time_off_from_elsewhere_show(
    config: Config, clock: Clock, alice: Backend, fast_feed: None
) -> None:
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        elsewhere = backend_for(config, clock=clock)  # alice in another terminal
        elsewhere.add_week_row(W48, "APP-2")

        def rows() -> list[str]:
            assert screen.sheet is not None
            return [row.key for row in screen.sheet.rows]

        await wait_for(pilot, lambda: rows() == ["APP-2"], "the row added elsewhere")
        elsewhere.add_time_off(THU, 240)
        await wait_for(pilot, lambda: bool(screen.sheet and screen.sheet.time_off), "time off")
        elsewhere.submit_week(W48)
        await wait_for(
            pilot,
            lambda: screen.sheet is not None and screen.sheet.state_name == "submitted",
            "the week submitted elsewhere",
        )
        banner = str(screen.query_one("#timesheet-state", Static).content)
        assert "submitted for approval: it is read-only" in banner


async def test_only_changes_of_the_week_shown_count(
    config: Config, clock: Clock, alice: Backend, fast_feed: None
) -> None:
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        bob = backend_for(config, "bob", clock)
        seq = alice.last_change()
        alice.set_entry("WEB-1", WED, 30)  # mine, this week: yes
        alice.set_entry("WEB-1", W47.monday(), 30)  # mine, last week: no
        bob.set_entry("WEB-2", WED, 30)  # bob's: no
        alice.add_week_row(W47, "APP-2")  # another week's row: no
        alice.add_week_row(W48, "APP-1")  # this week's row: yes
        bob.add_time_off(THU, 60)  # bob's time off: no
        alice.add_time_off(THU, 60)  # mine: yes
        bob.submit_week(W48)  # bob's week: no
        changes = alice.changes_since(seq)
        counted = [
            (c.entity, c.entity_id, c.user, screen.touches_week(c))
            for c in changes
            if c.entity != "task"  # logging time touches the task's total too
        ]
        assert [touches for *_, touches in counted] == [
            True, False, False, False, True, False, True, False,
        ], counted  # fmt: skip
        await wait_for(pilot, lambda: minutes(screen, "WEB-1", WED) == 30, "alice's 0:30")


async def test_the_apps_own_writes_do_not_read_the_week_again(
    config: Config, clock: Clock, alice: Backend, fast_feed: None
) -> None:
    """What the sheet shows after its own writes stays: a row whose time was cleared
    stays on screen (to type into again), and so does the line under the grid."""
    alice.set_entry("WEB-1", WED, 90)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        seq = alice.last_change()
        await pilot.press("delete")
        await settle(app, pilot)
        await pilot.press("right", *"2", "enter")
        await settle(app, pilot)
        await pilot.press("i", *"WEB-2 0:15", "enter")
        await settle(app, pilot)
        said = line_of(screen)
        await stays(pilot)
        assert line_of(screen) == said
        assert stored(alice) == {("WEB-1", THU): 120, ("WEB-2", WED): 15}
        assert screen.sheet is not None
        assert [row.key for row in screen.sheet.rows] == ["WEB-1", "WEB-2"]
        made = alice.changes_since(seq)
        assert [(c.entity, c.action) for c in made] == [
            ("entry", "delete"), ("entry", "set"), ("entry", "set"),
        ]  # fmt: skip
        assert not any(screen.touches_week(c) for c in made)


async def test_the_workloads_weeks_to_approve_follow_the_feed(
    config: Config, clock: Clock, alice: Backend, fast_feed: None
) -> None:
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("3")
        await settle_until(app, pilot, lambda: isinstance(app.screen, WorkloadScreen))
        workload = app.screen
        assert isinstance(workload, WorkloadScreen) and workload.grid.workload is not None

        def facts() -> str:
            return str(workload.query_one(".mode-facts", Static).content)

        assert "to approve" not in facts()
        bob = backend_for(config, "bob", clock)
        bob.set_entry("WEB-1", W47.monday(), 60)
        bob.submit_week(W47)
        await wait_for(pilot, lambda: "1 week to approve (v)" in facts(), "bob's week")
        alice.approve_week("bob", W47)
        await wait_for(pilot, lambda: "to approve" not in facts(), "the week approved")


# --- 2. copying rows, and a read-only week ---------------------------------------------------


async def test_y_says_and_undoes_only_the_rows_it_added(
    config: Config, clock: Clock, alice: Backend
) -> None:
    for key in ("WEB-1", "WEB-2", "WEB-3"):
        alice.set_entry(key, W47.monday(), 60)
    alice.add_week_row(W47, "APP-2")
    alice.add_week_row(W48, "APP-2")  # on both weeks: kept as it is
    alice.set_entry("WEB-1", MON, 30)  # rows of this week through their time
    alice.set_entry("WEB-2", MON, 30)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert "Added 1 row from week 47; u undoes it." in line_of(screen)
        assert sorted(ref.key for ref in alice.week(W48).rows) == ["APP-2", "WEB-3"]
        assert screen.sheet is not None
        assert [row.key for row in screen.sheet.rows] == ["APP-2", "WEB-1", "WEB-2", "WEB-3"]
        undo = app.history.next_undo()
        assert isinstance(undo, RowsChange) and undo.added == ("WEB-3",)

        await pilot.press("u")
        await settle(app, pilot)
        assert [ref.key for ref in alice.week(W48).rows] == ["APP-2"]  # it was there before
        assert [row.key for row in screen.sheet.rows] == ["APP-2", "WEB-1", "WEB-2"]
        assert stored(alice) == {("WEB-1", MON): 30, ("WEB-2", MON): 30}


@pytest.mark.parametrize("key", ["y", "a", "x"])
async def test_row_keys_on_a_read_only_week_say_why(
    config: Config, clock: Clock, alice: Backend, key: str
) -> None:
    alice.set_entry("WEB-1", MON, 60)
    alice.add_week_row(W47, "APP-2")
    alice.submit_week(W48)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        asked = screen.writes_asked
        await pilot.press(key)
        await settle(app, pilot)
        assert app.screen is screen  # no dialog, no picker
        assert line_of(screen) == "Week 48 is submitted for approval: it is read-only."
        assert screen.writes_asked == asked
        assert alice.week(W48).rows == ()
        assert stored(alice) == {("WEB-1", MON): 60}


# --- 3. digits on a week without rows --------------------------------------------------------


async def test_digits_on_a_week_without_rows_stay_on_the_timesheet(
    config: Config, clock: Clock, alice: Backend
) -> None:
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        assert screen.sheet is not None and not screen.sheet.rows
        for digit in ("3", "1", "4", "2"):
            await pilot.press(digit)
            await settle(app, pilot)
            assert app.current_mode == "timesheet" and app.screen is screen
            assert line_of(screen) == "Add a row first: a (or i for quick entry)."
        assert stored(alice) == {}
        await pilot.press("w")  # letters reach the other screens
        await pilot.pause()
        assert app.current_mode == "workload"


# --- 4. an undo's answer replaces the line ---------------------------------------------------


async def test_the_line_says_what_an_undo_and_a_redo_did(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.add_week_row(W48, "APP-2")
    alice.set_entry("WEB-1", WED, 90)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        assert cursor(screen)[0] == "APP-2"
        await pilot.press("x", "y")
        await settle(app, pilot)
        assert line_of(screen) == "Removed APP-2 from week 48; u undoes it."
        await pilot.press("u")
        await settle(app, pilot)
        assert [ref.key for ref in alice.week(W48).rows] == ["APP-2"]
        assert line_of(screen) == "Undone: remove APP-2 from week 48; U redoes it."
        await pilot.press("U")
        await settle(app, pilot)
        assert alice.week(W48).rows == ()
        assert line_of(screen) == "Redone: remove APP-2 from week 48; u undoes it again."


async def test_a_refused_undo_leaves_no_old_notice(
    config: Config, clock: Clock, alice: Backend
) -> None:
    alice.set_entry("WEB-1", WED, 90)
    app = sheet_app(config, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("delete")
        await settle(app, pilot)
        assert line_of(screen).startswith("Cleared WEB-1 on Wed 25 Nov")
        backend_for(config, clock=clock).set_entry("WEB-1", WED, 45)  # changed elsewhere
        await pilot.press("u")
        await settle(app, pilot)
        assert stored(alice) == {("WEB-1", WED): 45}  # nothing overwritten
        assert any(n.message.startswith("Cannot undo") for n in app._notifications)
        assert "Cleared" not in line_of(screen)


# --- 5. day headings in their columns --------------------------------------------------------


def headings(screen: TimesheetScreen) -> list[str]:
    """What the header shows over each day's column (within the column's width)."""
    grid = screen.query_one(WeekGrid)
    columns = GridColumns.fit(grid.content_size.width)
    header = grid_text(screen)[0]
    x = columns.days_x
    return [header[x + i * columns.day : x + (i + 1) * columns.day] for i in range(7)]


@pytest.mark.parametrize(
    ("width", "shown"),
    [
        (120, ["Sun 29", "Mon 30", "Tue 1", "Wed 2", "Thu 3", "Fri 4", "Sat 5"]),
        (80, ["Sun 29", "Mon 30", "Tue 1", "Wed 2", "Thu 3", "Fri 4", "Sat 5"]),
        (66, ["Su 29", "Mo 30", "Tu 1", "We 2", "Th 3", "Fr 4", "Sa 5"]),
    ],
)
async def test_a_sunday_week_across_two_months_keeps_its_headings_in_their_columns(
    config: Config, clock: Clock, alice: Backend, width: int, shown: list[str]
) -> None:
    alice.set_entry("WEB-1", date(2026, 11, 30), 90)
    config.week_start = "sunday"
    app = sheet_app(config, clock)
    async with app.run_test(size=(width, 30)) as pilot:
        screen = await open_sheet(app, pilot)
        await pilot.press("right_square_bracket")  # Sun 29 Nov - Sat 5 Dec
        screen = await settle(app, pilot)
        assert [h.strip() for h in headings(screen)] == shown
        # Each heading ends where its column's figures end, a space after it.
        grid = screen.query_one(WeekGrid)
        columns = GridColumns.fit(grid.content_size.width)
        row = next(line for line in grid_text(screen) if "WEB-1" in line)
        monday = row[columns.days_x + columns.day : columns.days_x + 2 * columns.day]
        assert monday.rstrip().endswith("1:30")
        assert len(monday.rstrip()) == len(headings(screen)[1].rstrip())
        assert all(h.endswith(" ") for h in headings(screen))
        assert grid_text(screen)[0].rstrip().endswith("Total")
        if width >= 100:  # room enough: two spaces between two headings
            assert "Sun 29  Mon 30" in grid_text(screen)[0]
