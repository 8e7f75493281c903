"""The card opened: what it says about logged time agrees with itself and with what the
viewer may see (a member sees the card's total, not other people's time lines)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Label, Static

from tests.ui_helpers import (  # noqa: F401  (fixtures)
    SIZE,
    START,
    Clock,
    anyio_backend,
    app_for,
    backend_for,
    copy_store,
    demo_template,
    settle,
    settle_on,
    steady,
)
from tui_board.config import Config
from tui_board.core.models import ReportRow, Task, TaskPatch
from tui_board.ui.dialogs import TaskDetailScreen
from tui_board.ui.dialogs.task_detail import logged_text, time_lines
from tui_board.ui.screens.board import BoardScreen

pytestmark = pytest.mark.anyio


def task(logged: int, estimate: int | None) -> Task:
    return Task(1, "WEB-1", "WEB", 1, "t", 1, "To do", 1.0, estimate=estimate, logged=logged)


def test_logged_time_says_what_is_left_or_how_much_over() -> None:
    assert logged_text(task(90, 480)) == ("1:30/8:00 · 6:30 left", False)
    assert logged_text(task(480, 480)) == ("8:00/8:00 · 0:00 left", False)
    assert logged_text(task(5175, 480)) == ("86:15/8:00 · 78:15 over", True)
    assert logged_text(task(5175, None)) == ("86:15", False)


def test_time_lines_show_what_others_logged_as_one_line() -> None:
    row = ReportRow("cruiz", "WEB", "WEB-1", "t", 90)
    assert time_lines([], 0) == ["no time logged yet"]
    assert time_lines([row], 90) == ["cruiz    1:30"]
    assert time_lines([], 5175) == [
        "none by you",
        "others   86:15  (people whose time you may not see)",
    ]
    assert time_lines([row], 5265) == [
        "cruiz     1:30",
        "others   86:15  (people whose time you may not see)",
        "total    87:45",
    ]


@pytest.fixture
def config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    return copy_store(request.getfixturevalue("demo_template"), tmp_path)


async def test_a_member_sees_the_overrun_and_the_others_time_consistently(config: Config) -> None:
    clock = Clock(START)
    admin = backend_for(config, clock=clock)
    members = [u for u in admin.list_users() if u.role == "member"]
    viewer, other = members[0].login, members[1].login
    card = next(t for t in admin.list_tasks(project="APP") if t.logged == 0)
    admin.update_task(card.key, card.version, TaskPatch(estimate=480))
    for day, minutes in enumerate([600] * 8 + [375]):
        admin.add_time(card.key, START.date() - timedelta(days=20 + day), minutes, user=other)
    app = app_for(config, viewer, clock)
    async with app.run_test(size=SIZE) as pilot:
        board = await settle_on(app, pilot, "board", BoardScreen)
        assert board.state is not None
        column = board.state.column_index(board.state.column_of(card.key) or 0)
        assert column is not None
        board._set_focus(
            column,
            board.state.shown(board._column_id(column) or 0).index(
                board.state.get(card.key)  # type: ignore[arg-type]
            ),
        )
        await pilot.press("enter")
        await settle(app, pilot)
        detail = app.screen
        assert isinstance(detail, TaskDetailScreen)
        logged = detail.query_one("#detail-logged", Label)
        assert str(logged.content) == "86:15/8:00 · 78:15 over"
        assert logged.has_class("detail--overdue")
        time = str(detail.query_one("#detail-time", Static).render())
        assert "none by you" in time and "86:15" in time and other not in time
        assert "no time logged yet" not in time
