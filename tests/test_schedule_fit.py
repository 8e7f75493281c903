"""The schedule at 80x24 and 120x40 as a new user sees it: the header whole (wrapped
onto a second line when it must), whole axis labels, a long milestone name cut so its
date shows, short flag words where the title would be squeezed, and the cursor's line
one band of colour.

Real SQLite store, the app driven by Pilot; the clock is Wednesday 13 May 2026.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests import ui_helpers as ui
from tests.hostile import CORPUS, violations
from tests.test_schedule_screen import make_store as make_base_store
from tests.test_schedule_screen import open_schedule, press
from tests.ui_helpers import anyio_backend, steady  # noqa: F401  (fixtures)
from tui_board.backend.local import LocalBackend
from tui_board.config import Config
from tui_board.core.models import ProjectPatch, TaskPatch
from tui_board.store.database import Database
from tui_board.ui.dialogs import TaskDetailScreen
from tui_board.ui.screens.board import BoardScreen
from tui_board.ui.screens.help import HelpScreen
from tui_board.ui.screens.schedule import axis, months

pytestmark = pytest.mark.anyio

LONG_MILESTONE = "Public launch of the new checkout and the accounts pages, phase two"


def make_store(folder: Path) -> Config:
    """The base store, with a deadline, unassigned work, a task overdue and over its
    estimate with a long title, and a milestone with a long name."""
    config = make_base_store(folder)
    assert config.db is not None
    database = Database.open(config.db)
    alice = LocalBackend(database, "alice", clock=ui.CLOCK)
    project = alice.get_project("WEB")
    alice.update_project("WEB", project.version, ProjectPatch(deadline=date(2026, 12, 31)))
    late = alice.create_task(
        "WEB", "Fix the flaky payment tests", assignee="mia", estimate=60, due=date(2026, 5, 8)
    )
    alice.set_entry(late.key, date(2026, 5, 12), 120, user="mia")
    alice.create_task("WEB", "Write the docs", estimate=600, due=date(2026, 5, 27))
    alice.add_milestone("WEB", LONG_MILESTONE, date(2026, 6, 5))
    task = alice.create_task("WEB", "Launch", estimate=60, due=date(2026, 6, 4))
    alice.update_task(task.key, task.version, TaskPatch(milestone=LONG_MILESTONE))
    database.close()
    return config


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_store(tmp_path)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_header_shows_every_figure(config: Config, size: tuple[int, int]) -> None:
    app = ui.app_for(config)
    async with app.run_test(size=size) as pilot:
        await open_schedule(app, pilot)
        text = "\n".join(ui.frame_text(app))
        for figure in (
            "forecast 2026-05-",
            "deadline 2026-12-31 ON TIME",
            "done 0:00",
            "logged 2:00",
            "11:00 unassigned",
        ):
            assert figure in text, (figure, text)
        assert "remaining 42:00" in text or "left 42:00" in text
        assert "…" not in text.split("\n")[1]


def test_the_axis_draws_only_whole_labels() -> None:
    monday = date(2026, 1, 26)  # W05
    for width in range(1, 40):
        weeks = axis(monday, width, "week")
        assert len(weeks) <= width
        assert all(len(label) == 3 for label in weeks.split()), (width, weeks)
        months_line, days = axis(monday, width, "day").split("\n")
        assert len(days) <= width and len(months_line) <= width
        numbers = [int(label) for label in days.split()]
        assert numbers == [(monday.day + n - 1) % 31 + 1 for n in range(len(numbers))]
    assert axis(monday, 19, "week") == "W05 W06 W07 W08 W09"
    assert axis(monday, 18, "week") == "W05 W06 W07 W08"


def test_day_zoom_names_the_month_at_the_first_day_and_each_month_start() -> None:
    line = months(date(2026, 5, 23), 60)
    assert line.startswith("May 2026")
    assert line[9 * 3 :].startswith("Jun")  # 1 June is the tenth day shown
    assert line[16 * 3 :].startswith("Mon")  # and Monday 8 June the seventeenth
    # no room for `May 2026` before 1 June: the month's short name
    assert months(date(2026, 5, 30), 30).startswith("May   Jun")
    assert months(date(2026, 12, 30), 30).startswith("Dec   Jan 2027")


async def test_at_80_columns_labels_milestones_and_flags_fit(config: Config) -> None:
    app = ui.app_for(config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_schedule(app, pilot)
        text = ui.frame_text(app)
        heading = next(line for line in text if "Public launch" in line)
        assert "… · 2026-06-05" in heading, heading
        assert cell_len(heading.rstrip()) <= 80
        late = next(line for line in text if "WEB-3 " in line)
        assert "LATE +EST" in late and "OVERDUE" not in late
        title = late.split("WEB-3 ")[1].split(" LATE")[0]
        assert len(title) >= 12, late
        # at 120 columns the full words fit with the title
        await pilot.resize_terminal(120, 40)
        await press(app, pilot)
        late = next(line for line in ui.frame_text(app) if "WEB-3 " in line)
        assert "OVERDUE OVER EST" in late
        axis_line = str(screen.query_one("#schedule-axis").render())
        assert all(len(label) == 3 for label in axis_line.split())


async def test_the_cursor_line_is_its_label_then_one_band(config: Config) -> None:
    """The label (key, title, flags) in the cursor's colours, the timeline over one band
    of its own, whatever is drawn on it (a bar in the cursor's blue hid on it)."""
    app = ui.app_for(config)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_schedule(app, pilot)
        for _ in range(3):  # WEB-1 (a flag, the today line, a bar), WEB-2, WEB-3
            line = next(strip for strip in ui.frame(app) if "▸" in strip.text)
            styled = [(s.text, s.style) for s in line if s.style is not None]
            label, band = styled[0][1].bgcolor, styled[-1][1].bgcolor
            backgrounds = {style.bgcolor for text, style in styled if text.strip()}
            cells = [segment.text for segment in line]
            assert label != band and backgrounds == {label, band}, (line.text, cells)
            await press(app, pilot, "j")
        assert screen.chart.row_at_cursor() is not None


async def test_the_card_from_the_schedule_shows_start_and_milestone(config: Config) -> None:
    """`enter` on a row: the card says the start and milestone the schedule set, and a
    long title is cut with `…` inside the border."""
    backend = ui.backend_for(config)
    task = backend.get_task("WEB-5")
    title = "Launch " + "the very long launch plan " * 6 + "END"
    backend.update_task(task.key, task.version, TaskPatch(title=title, start=date(2026, 6, 1)))
    app = ui.app_for(config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_schedule(app, pilot)
        assert screen.chart.row_at_cursor().task == "WEB-5"  # type: ignore[union-attr]
        await press(app, pilot, "enter")
        assert isinstance(app.screen, TaskDetailScreen)
        lines = ui.frame_text(app)
        text = "\n".join(lines)
        assert "Start" in text and "Mon 01 Jun 2026" in text, text
        assert "Milestone" in text and "Public launch" in text, text
        shown = next(line for line in lines if "Launch the very" in line)
        assert "END" not in shown and "…" in shown, shown
        assert all(cell_len(line) == 80 for line in lines)
        assert "END" not in text


async def test_the_help_explains_the_marks(config: Config) -> None:
    app = ui.app_for(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_schedule(app, pilot)
        await press(app, pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(ui.frame_text(app))
        assert "What the marks mean" in text
        for mark in ("├╌╌", "╌╌┤", "█", "░", "◀ ▶", "◆", "│  today", "┃  the project's deadline"):
            assert mark in text, mark
        assert "Day later" in text  # the keys follow


async def test_the_schedule_opens_on_the_boards_project(config: Config) -> None:
    """The board shows WEB (APP comes first): `4` shows WEB's schedule; the board
    moved to APP, `4` follows it; a project picked here with `p` stays while the
    board stays where it is."""
    backend = ui.backend_for(config)
    backend.create_project("APP", "Mobile app")
    backend.create_task("APP", "Ship the app", estimate=60, due=date(2026, 5, 20))
    app = ui.app_for(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await ui.settle(app, pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        await press(app, pilot, "p", *"web", "enter")
        assert board.state is not None and board.state.project.key == "WEB"
        schedule = await open_schedule(app, pilot)
        assert schedule.chart.schedule is not None
        assert schedule.chart.schedule.project == "WEB"
        await press(app, pilot, "1", "p", *"app", "enter")
        assert board.state.project.key == "APP"
        await press(app, pilot, "4")
        assert schedule.chart.schedule.project == "APP"
        await press(app, pilot, "p", *"web", "enter")
        assert schedule.chart.schedule.project == "WEB"
        await press(app, pilot, "1", "4")
        assert schedule.chart.schedule.project == "WEB"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_hostile_names_stay_harmless_on_the_schedule(
    config: Config, size: tuple[int, int]
) -> None:
    """Milestone names, titles, the project's and people's names written past the
    service layer (plain SQL): nothing of them reaches the terminal raw, and every line
    keeps the screen's width (the header, the headings, the rows, the card)."""
    assert config.db is not None
    values = list(CORPUS.values())
    with sqlite3.connect(config.db) as conn:
        for table, column in (
            ("milestones", "name"),
            ("tasks", "title"),
            ("projects", "name"),
            ("users", "name"),
        ):
            ids = [r[0] for r in conn.execute(f"SELECT id FROM {table} ORDER BY id")]
            for i, row_id in enumerate(ids):
                value = values[(i * 3 + len(table)) % len(values)]
                conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, row_id))
    app = ui.app_for(config)
    async with app.run_test(size=size) as pilot:
        await open_schedule(app, pilot)
        for keys in ((), ("z",), ("enter",)):
            await press(app, pilot, *keys)
            lines = ui.frame_text(app)
            assert violations("\n".join(lines)) == []
            for y, line in enumerate(lines):
                assert cell_len(line) == size[0], (y, line)
