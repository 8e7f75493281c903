"""SVG snapshots of the board on the fixed demo data with a fixed clock, at 80x24 and
120x40. After a deliberate change of the look: `pytest tests/test_board_snapshots.py
--snapshot-update`, then look at the SVGs (tests/__snapshots__/) before committing.

The README's pictures are made by tests/screenshots.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.test_board import settle
from tests.ui_helpers import (  # noqa: F401  (fixtures)
    START,
    Clock,
    Terminal,
    app_for,
    backend_for,
    copy_store,
    demo_template,
    steady,
    terminal,
)
from tui_board.config import Config
from tui_board.ui.app import BoardApp

SnapCompare = Callable[..., bool]


def settled(app: BoardApp, *keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """A `run_before` that waits for the board, presses `keys`, and waits again."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


@pytest.fixture
def board_config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    """A copy of the demo database for one test."""
    return copy_store(request.getfixturevalue("demo_template"), tmp_path)


def with_timer(config: Config) -> None:
    """Start alice's timer on APP-6 42 minutes before the app's clock."""
    backend_for(config, clock=Clock(START - timedelta(minutes=42))).timer_start("APP-6")


def test_board_80x24(snap_compare: SnapCompare, board_config: Config) -> None:
    app = app_for(board_config, clock=Clock(START))
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(app))


def test_board_120x40(snap_compare: SnapCompare, board_config: Config) -> None:
    with_timer(board_config)
    app = app_for(board_config, clock=Clock(START))
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled(app, "j", "l"))


def test_board_80x24_scrolled_to_the_last_columns(
    snap_compare: SnapCompare, board_config: Config
) -> None:
    app = app_for(board_config, clock=Clock(START))
    keys = ("l", "l", "l", "l", "m")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(app, *keys))


def test_board_new_card_form_80x24(snap_compare: SnapCompare, board_config: Config) -> None:
    app = app_for(board_config, clock=Clock(START))
    keys = ("n", "F", "i", "x", "tab", "tab", "tab", "1", "h", "7", "5")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(app, *keys))


def test_board_card_detail_120x40(snap_compare: SnapCompare, board_config: Config) -> None:
    backend = backend_for(board_config, clock=Clock(START))
    backend.add_comment("APP-3", "The new certificate arrives on Friday.")
    backend.add_time("APP-3", START.date(), 90, user="sokafor")
    app = app_for(board_config, clock=Clock(START))
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled(app, "enter"))


def test_board_log_time_120x40(snap_compare: SnapCompare, board_config: Config) -> None:
    app = app_for(board_config, clock=Clock(START))
    keys = ("t", "1", "h", "3", "0")
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled(app, *keys))


@pytest.mark.parametrize("kind", ["16", "no-color"])
def test_board_120x40_terminal(
    snap_compare: SnapCompare,
    board_config: Config,
    monkeypatch: pytest.MonkeyPatch,
    kind: Terminal,
) -> None:
    """The board on a 16-colour terminal (TERM=xterm) and under NO_COLOR."""
    terminal(monkeypatch, kind)
    with_timer(board_config)
    app = app_for(board_config, clock=Clock(START))
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled(app, "j", "l"))
