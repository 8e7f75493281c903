"""Dialog hints and errors wrap at words inside the dialog, at 80x24: a message was cut
at the dialog's edge (`... 90m or` and no `1.5`), and the card form's errors ended in `…`."""

from __future__ import annotations

import re

import pytest

from tests.ui_helpers import (  # noqa: F401  (fixtures)
    START,
    Clock,
    anyio_backend,
    app_for,
    board_demo_config,
    demo_template,
    frame_text,
    on_board,
    settle,
    steady,
)
from tui_board.config import Config
from tui_board.core.durations import parse_duration
from tui_board.core.errors import Invalid
from tui_board.ui.dialogs import DurationPrompt, TaskForm

pytestmark = pytest.mark.anyio


def inside_the_dialog(app_lines: list[str]) -> str:
    """The text between the dialog's side borders, its lines joined by spaces."""
    parts = []
    for line in app_lines:
        if line.count("│") >= 2:
            parts.append(line[line.index("│") + 1 : line.rindex("│")].strip())
    return re.sub(r"\s+", " ", " ".join(parts))


def refusal(text: str) -> str:
    with pytest.raises(Invalid) as caught:
        parse_duration(text)
    return caught.value.message


async def test_the_log_time_error_is_shown_whole(config: Config) -> None:
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=(80, 24)) as pilot:
        await on_board(app, pilot)
        await pilot.press("t", *"xyz", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DurationPrompt)
        message = refusal("xyz")
        assert len(message) > 60  # longer than the dialog is wide
        assert message in inside_the_dialog(frame_text(app))


async def test_the_card_forms_errors_are_shown_whole(config: Config) -> None:
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=(80, 24)) as pilot:
        await on_board(app, pilot)
        await pilot.press("n", "X", "tab", "tab", "tab", "4", "q")
        await settle(app, pilot)
        assert isinstance(app.screen, TaskForm)
        shown = inside_the_dialog(frame_text(app))
        assert refusal("4q") in shown
        assert "…" not in shown
