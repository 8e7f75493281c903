"""The schedule screen, driven by Pilot against a real SQLite store: the flags it shows,
shifting a task's dates and assigning it (each stored, the flag following), undo.

The clock is Wednesday 13 May 2026; bob has two tasks due Thursday (900 and 960
minutes) and 960 minutes of time until then: both are at risk.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import Static

from tests import ui_helpers as ui
from tests.ui_helpers import anyio_backend, steady  # noqa: F401  (fixtures)
from tui_board.backend.local import LocalBackend
from tui_board.config import Config
from tui_board.core.models import ScheduleRow, TaskPatch
from tui_board.core.schedule import AT_RISK, OVERDUE
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


async def test_the_line_above_the_timeline_says_the_cursors_task_in_words(config: Config) -> None:
    """A day later is not seen on a bar a character of which is 1.75 days: the line
    names the dates, the time and the person of the task under the cursor."""
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)

        def line() -> str:
            return str(screen.query_one("#schedule-line", Static).content)

        assert line() == "WEB-1 Ship the login · due Thu 14 May · 0:00 of 15:00 · bob"
        await press(app, pilot, "j")
        assert line() == "WEB-2 Fix the cache · due Thu 14 May · 0:00 of 16:00 · bob"
        await press(app, pilot, "k", "greater_than_sign")
        assert line() == "WEB-1 Ship the login · due Fri 15 May · 0:00 of 15:00 · bob"
        assert "WEB-1 Ship the login · due Fri 15 May" in "\n".join(ui.frame_text(app))


async def test_the_timeline_moves_to_later_weeks_and_back_to_today(config: Config) -> None:
    """At 80 columns in days, the milestone three weeks ahead was out of view, and no
    key brought it in: `l` (→) shows later weeks, `h` (←) earlier ones, `.` today."""
    app = ui.app_for(config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_schedule(app, pilot)
        await press(app, pilot, "z")  # days
        start = screen.chart.origin

        def axis() -> str:
            return str(screen.query_one("#schedule-axis", Static).content)

        before = axis()
        await press(app, pilot, "l", "l")
        assert screen.chart.origin == start + timedelta(weeks=2)
        assert axis() != before
        beta = date(2026, 5, 29)  # the milestone: in view now
        assert screen.chart.origin <= beta
        await press(app, pilot, "h")
        assert screen.chart.origin == start + timedelta(weeks=1)
        await press(app, pilot, "full_stop")
        assert screen.chart.origin == start and axis() == before
        await press(app, pilot, "z", "right")  # weeks: four at a time
        assert screen.chart.origin - start >= timedelta(weeks=3)


async def test_the_project_picker_names_the_projects(config: Config) -> None:
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        await open_schedule(app, pilot)
        await press(app, pilot, "p")
        assert isinstance(app.screen, PickerScreen)
        assert "WEB · Website" in "\n".join(ui.frame_text(app))


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
        await press(app, pilot, "d")
        app.screen.query_one(Input).value = "fri"  # Wed 13 May: the coming Friday
        await press(app, pilot, "enter")
        assert backend.get_task("WEB-1").due == date(2026, 5, 15)


def shown(screen: ScheduleScreen) -> dict[str, ScheduleRow]:
    """The rows as the screen shows them (its own changes not yet answered too)."""
    return {row.task: row for row in screen.chart.rows()}


def pending(screen: ScheduleScreen, key: str) -> bool:
    return screen.chart.lines[screen.chart.index[key]].pending


async def cursor_to(pilot: Pilot[None], screen: ScheduleScreen, key: str) -> None:
    """Up or down to the task's line, as a user would."""
    target = screen.chart.index[key]
    for _ in range(len(screen.chart.lines)):
        if screen.chart.cursor == target:
            return
        await pilot.press("j" if screen.chart.cursor < target else "k")
        await pilot.pause()
    raise AssertionError(f"the cursor did not reach {key}")


@contextmanager
def store_busy(config: Config) -> Iterator[None]:
    """Another process's write transaction holds the file: the app's writes wait."""
    assert config.db is not None
    other = sqlite3.connect(config.db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_a_shift_shows_at_once_while_the_store_is_busy(config: Config) -> None:
    backend = ui.backend_for(config)
    backend.create_task("WEB", "Renew the domain", due=date(2026, 5, 11))  # WEB-3, nobody's
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)
        assert flags(screen)["WEB-3"] == (OVERDUE,)
        await cursor_to(pilot, screen, "WEB-3")
        with store_busy(config):
            await pilot.press("right_square_bracket")  # a week later: Monday 18
            await pilot.pause()
            # drawn before the store answered: overdue is gone, nothing else to know
            assert shown(screen)["WEB-3"].due == date(2026, 5, 18)
            assert shown(screen)["WEB-3"].flags == ()
            assert not pending(screen, "WEB-3")
            assert screen.writes_pending == 1
            assert "OVERDUE" not in "\n".join(ui.frame_text(app))
            assert backend.get_task("WEB-3").due == date(2026, 5, 11)
            # bob's task: a week later its at risk can only be told by the store
            await cursor_to(pilot, screen, "WEB-1")
            await pilot.press("right_square_bracket")
            await pilot.pause()
            assert shown(screen)["WEB-1"].due == date(2026, 5, 21)
            assert pending(screen, "WEB-1")
            assert AT_RISK not in shown(screen)["WEB-1"].flags
        await ui.settle(app, pilot)
        assert backend.get_task("WEB-3").due == date(2026, 5, 18)
        assert backend.get_task("WEB-1").due == date(2026, 5, 21)
        assert not pending(screen, "WEB-1")
        assert flags(screen) == {"WEB-1": (), "WEB-2": (AT_RISK,), "WEB-3": ()}
        # undo: the screen and the store, the flag back
        await press(app, pilot, "u")
        assert backend.get_task("WEB-1").due == THURSDAY
        assert shown(screen)["WEB-1"].flags == (AT_RISK,)
        assert shown(screen)["WEB-1"].due == THURSDAY


async def test_an_assignment_shows_at_once_and_a_shift_follows_it(config: Config) -> None:
    app = ui.app_for(config)
    backend = ui.backend_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)
        with store_busy(config):
            await press_no_settle(pilot, "a")
            picker = app.screen
            assert isinstance(picker, PickerScreen)
            picker.dismiss("mia")
            await pilot.pause()
            await pilot.pause()
            assert shown(screen)["WEB-1"].assignee == "mia"
            assert pending(screen, "WEB-1")
            # a second change of the same task, before the first is stored
            await pilot.press("greater_than_sign")
            await pilot.pause()
            assert shown(screen)["WEB-1"].due == date(2026, 5, 15)
        await ui.settle(app, pilot)
        task = backend.get_task("WEB-1")
        assert (task.assignee, task.due) == ("mia", date(2026, 5, 15))
        assert flags(screen)["WEB-1"] == () and flags(screen)["WEB-2"] == ()
        assert "AT RISK" not in "\n".join(ui.frame_text(app))


async def press_no_settle(pilot: Pilot[None], key: str) -> None:
    """Press a key whose dialog opens from a worker: wait for the dialog only."""
    await pilot.press(key)
    for _ in range(100):
        await pilot.pause()
        if isinstance(pilot.app.screen, PickerScreen):
            return
    raise AssertionError("no dialog opened")


async def test_a_stale_edit_says_so_and_shows_the_stored_task(config: Config) -> None:
    app = ui.app_for(config)
    backend = ui.backend_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)
        # someone else moves WEB-1 after the screen read it
        elsewhere = ui.backend_for(config, "alice")
        task = elsewhere.get_task("WEB-1")
        elsewhere.update_task("WEB-1", task.version, TaskPatch(due=date(2026, 6, 5)))
        await press(app, pilot, "right_square_bracket")
        assert backend.get_task("WEB-1").due == date(2026, 6, 5)  # theirs, not ours
        assert shown(screen)["WEB-1"].due == date(2026, 6, 5)
        assert flags(screen)["WEB-1"] == ()
        said = [n.message for n in app._notifications]
        assert any("WEB-1 was changed elsewhere" in m and "not stored" in m for m in said), said
        assert all("\n" not in m for m in said)
        # the next key works on what the store has
        await press(app, pilot, "greater_than_sign")
        assert backend.get_task("WEB-1").due == date(2026, 6, 6)


async def test_a_refused_date_puts_the_row_back_and_says_why(config: Config) -> None:
    from textual.widgets import Input

    from tui_board.ui.dialogs import TextPrompt

    app = ui.app_for(config)
    backend = ui.backend_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)
        await press(app, pilot, "s")
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = "2026-06-01"  # after its due date
        await press(app, pilot, "enter")
        assert backend.get_task("WEB-1").start is None
        assert shown(screen)["WEB-1"].start is None
        assert shown(screen)["WEB-1"].flags == (AT_RISK,)
        said = [n for n in app._notifications if n.title == "Not changed"]
        assert len(said) == 1 and "\n" not in said[0].message


def test_every_row_shows_a_mark_or_says_it_has_no_dates() -> None:
    from tui_board.ui.screens.schedule import bar, fit

    origin, today = date(2026, 5, 4), date(2026, 5, 13)

    def drawn(start: date | None, due: date | None) -> str:
        row = ScheduleRow("WEB-1", "t", "Todo", None, None, start, due, None, 0, 0, 0)
        return "".join(char for char, _ in bar(row, origin, 20, "week", today, {}))

    assert drawn(None, date(2026, 5, 20)).rstrip().endswith("╌╌┤")
    assert "├╌╌" in drawn(date(2026, 5, 20), None)
    assert "░" in drawn(date(2026, 5, 14), date(2026, 5, 28))
    assert drawn(None, date(2026, 4, 1)).startswith("◀")
    assert drawn(date(2027, 1, 1), None).endswith("▶")
    assert drawn(None, None).strip() == "│"  # the row says "no start or due date"
    # Done in full: all of the bar is done, though a week's character runs past its due
    # date (it showed ░, "still to do", at its end).
    for start, due in (
        (date(2026, 5, 14), date(2026, 5, 28)),
        (date(2026, 5, 5), date(2026, 5, 5)),
    ):
        row = ScheduleRow("WEB-1", "t", "Todo", None, None, start, due, 60, 600, 0, 100)
        line = "".join(char for char, _ in bar(row, origin, 20, "week", today, {}))
        assert "█" in line and "░" not in line, (start, due, line)
    assert fit("Automate onboarding emails", 10) == "Automate …"
    assert fit("日本語のタイトル", 7) == "日本語…"
    assert fit("short", 7) == "short  "


async def test_a_long_schedule_is_drawn_line_by_line(config: Config) -> None:
    """300 tasks: no widget per row, and a page down draws about a screenful of lines."""
    from tui_board.ui.screens.schedule import ScheduleChart

    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)
        widgets = len(list(screen.query("*")))
    backend = ui.backend_for(config)
    for n in range(300):
        backend.create_task("WEB", f"Task {n}", assignee="mia", estimate=60, due=THURSDAY)
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)
        assert len(screen.chart.rows()) == 302
        assert len(list(screen.query("*"))) == widgets
        drawn: list[int] = []
        draw = ScheduleChart.render_line

        def counted(chart: ScheduleChart, y: int) -> Strip:
            drawn.append(y)
            return draw(chart, y)

        screen.chart.render_line = counted.__get__(screen.chart)  # type: ignore[method-assign]
        await press(app, pilot, "pagedown")
        height = screen.chart.scrollable_content_region.height
        assert screen.chart.scroll_y > 0
        assert 0 < len(drawn) <= 2 * height


async def test_the_first_frame_is_drawn_with_the_schedule_not_a_loading_state(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schedule, shown the first time, reads before it is shown (the board stays up
    meanwhile): its first line drawn is a line of the schedule, never a spinner."""
    from tui_board.ui.screens.schedule import ScheduleChart

    seen: list[bool] = []  # at each line drawn: whether the chart had its schedule
    spun: list[ScheduleScreen] = []
    draw, spin = ScheduleChart.render_line, ScheduleScreen.show_loading

    def drawn(chart: ScheduleChart, y: int) -> Strip:
        seen.append(chart.schedule is not None)
        return draw(chart, y)

    def spinning(screen: ScheduleScreen) -> None:
        spun.append(screen)
        spin(screen)

    monkeypatch.setattr(ScheduleChart, "render_line", drawn)
    monkeypatch.setattr(ScheduleScreen, "show_loading", spinning)
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(app, pilot)
        await pilot.press("4")
        screen = await ui.settle_on(app, pilot, "schedule", ScheduleScreen)
        assert seen and all(seen), "a line was drawn before the schedule was in"
        assert not spun
        assert "forecast" in "\n".join(ui.frame_text(app))
        assert flags(screen) == {"WEB-1": (AT_RISK,), "WEB-2": (AT_RISK,)}
        # shown again later: as it was, not read before being shown
        await press(app, pilot, "1")
        await press(app, pilot, "4")
        assert app.screen is screen and not spun


async def test_a_read_slower_than_the_wait_shows_the_screen_loading_then_the_schedule(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No time to wait (the read is on its way when the screen is shown): the screen
    spins, then shows the schedule its read brings (read once, not again on mounting)."""
    monkeypatch.setattr(ScheduleScreen, "FIRST_READ_WAIT_S", 1e-9)
    reads: list[str] = []
    read = ScheduleScreen.read

    def counted(screen: ScheduleScreen, *args: object) -> object:
        reads.append(screen.project or "")
        return read(screen, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ScheduleScreen, "read", counted)
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_schedule(app, pilot)
        assert screen.has_class("-loaded")
        assert not screen.query_one(".mode-facts").loading
        assert flags(screen) == {"WEB-1": (AT_RISK,), "WEB-2": (AT_RISK,)}
        assert len(reads) == 1


async def test_a_first_read_that_fails_says_why_and_shows_no_data(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    database = Database.open(str(path), create=True)
    LocalBackend(database, "alice", clock=ui.CLOCK).me()
    database.close()
    app = ui.app_for(Config(db=str(path)))
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(app, pilot)
        await press(app, pilot, "4")
        screen = app.screen
        assert isinstance(screen, ScheduleScreen)
        assert screen.chart.schedule is None and not screen.has_class("-loaded")
        status = str(screen.query_one(".mode-status").render())
        assert "Cannot read the schedule" in status and "there is no project yet" in status


async def test_the_first_show_reads_once_its_key_pressed_twice_at_once_too(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read begun before the screen is shown is its only one: not read again when it
    mounts, nor for the key's second press."""
    from textual import events

    reads: list[ScheduleScreen] = []
    read = ScheduleScreen.read

    def counted(screen: ScheduleScreen, *args: object) -> object:
        reads.append(screen)
        return read(screen, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ScheduleScreen, "read", counted)
    app = ui.app_for(config)
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(app, pilot)
        for _ in range(2):  # both queued before the first is answered
            app.post_message(events.Key("4", "4"))
        screen = await ui.settle_on(app, pilot, "schedule", ScheduleScreen)
        assert reads == [screen]
        assert flags(screen) == {"WEB-1": (AT_RISK,), "WEB-2": (AT_RISK,)}
