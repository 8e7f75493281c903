"""A card's history in the app (the card detail's `h`) and the archive view (`A` on the
board), driven by Pilot against a real SQLite store: the keys a user presses, and what
the backend stored after them."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.ui_helpers import (  # noqa: F401  (fixtures)
    SIZE,
    START,
    Clock,
    anyio_backend,
    app_for,
    backend_for,
    copy_store,
    demo_template,
    frame_text,
    settle,
    settle_on,
    steady,
)
from tui_board.config import Config
from tui_board.ui.app import BoardApp
from tui_board.ui.dialogs import TaskDetailScreen
from tui_board.ui.screens.board import BoardScreen

pytestmark = pytest.mark.anyio


@pytest.fixture
def config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    """A copy of the board's demo store for one test."""
    return copy_store(request.getfixturevalue("demo_template"), tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


async def on_board(app: BoardApp, pilot: Pilot[None]) -> BoardScreen:
    return await settle_on(app, pilot, "board", BoardScreen)


def history_shown(detail: TaskDetailScreen) -> str:
    return str(detail.query_one("#detail-history-lines", Static).render())


async def test_h_in_the_card_detail_shows_who_moved_and_assigned_it(
    config: Config, clock: Clock
) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await on_board(app, pilot)
        card = screen.focused_card()
        assert card is not None and card.key == "APP-3"
        await pilot.press("L")  # to the next column
        await on_board(app, pilot)
        await pilot.press("a", *"qnov", "enter")
        await on_board(app, pilot)
        backend = backend_for(config, clock=clock)
        stored = backend.get_task("APP-3")
        assert stored.assignee == "qnovak"

        await pilot.press("enter")
        await settle(app, pilot)
        detail = app.screen
        assert isinstance(detail, TaskDetailScreen)
        assert not detail.query_one("#detail-history").display
        await pilot.press("h")
        await settle(app, pilot)
        assert detail.query_one("#detail-history").display
        assert not detail.query_one("#detail-body").display
        shown = history_shown(detail)
        assert f"alice  moved from {card.column} to {stored.column}" in shown
        assert f"alice  reassigned from {card.assignee} to qnovak" in shown
        # the newest changes are in sight at 80x24, each on its line, said "just now"
        on_screen = "\n".join(frame_text(app))
        assert f"just now  alice  moved from {card.column} to {stored.column}" in on_screen
        assert f"just now  alice  reassigned from {card.assignee} to qnovak" in on_screen
        assert "h: back to the card" in on_screen

        await pilot.press("h")  # back to the card
        assert detail.query_one("#detail-body").display
        assert not detail.query_one("#detail-history").display
