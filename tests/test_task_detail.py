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
    frame,
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


def terminal_width(text: str) -> int:
    """How wide a terminal that measures character by character (tmux, most of them)
    draws `text`: wide characters 2, combining marks and joiners 0, the rest 1."""
    import unicodedata

    width = 0
    for char in text:
        if unicodedata.combining(char) or char in "\u200d\ufe0e\ufe0f":
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


async def test_wide_characters_marks_and_emoji_keep_the_card_border_in_place(
    config: Config,
) -> None:
    """`❤️`, a ZWJ family and a flag were measured one way and drawn another: the right
    border of the card's detail moved. Every line is as wide as the screen, measured as
    a terminal measures it, on the board and in the detail."""
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    title = f"Cafe\u0301 \u2615 \u65e5\u672c\u8a9e \u2764\ufe0f {family} \U0001f1f3\U0001f1f4 done"
    admin = backend_for(config)
    card = admin.create_task(
        "APP", title, description=f"Wide \u65e5\u672c, e\u0301\u0301 and {family}.",
        tags=("\u65e5\u672c",),
    )  # fmt: skip
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        board = await settle_on(app, pilot, "board", BoardScreen)
        assert board.state is not None and board.state.get(card.key) is not None
        await pilot.press("slash", *"done", "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TaskDetailScreen)
        lines = [line.text for line in frame(app)]
        assert any("Caf" in line and "done" in line for line in lines), lines
        for y, line in enumerate(lines):
            assert terminal_width(line) == SIZE[0], f"line {y}: {line!r}"
        assert any("\U0001f468\U0001f469\U0001f467 NO done" in line for line in lines), lines
