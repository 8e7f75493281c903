"""SVG snapshots of the timesheet on the demo data with a fixed clock (Wednesday 25
November 2026, week 48), at 80x24 and 120x40. After a deliberate change of the look:
`pytest tests/test_timesheet_snapshots.py --snapshot-update`, then look at the SVGs
(tests/__snapshots__/) before committing.

The README's pictures are made by tests/screenshots.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Label

from tests.test_timesheet import NOW, settle, sheet_app
from tests.ui_helpers import (  # noqa: F401  (fixtures)
    Clock,
    Terminal,
    backend_for,
    copy_store,
    make_demo_store,
    steady,
    terminal,
)
from tui_board.config import Config
from tui_board.ui.app import BoardApp
from tui_board.ui.widgets.top_bar import TopBar

SnapCompare = Callable[..., bool]


def shown(app: BoardApp, *keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """A `run_before` that opens the timesheet, waits for it, presses `keys`, and waits."""

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("2")
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
        await settle(app, pilot)
        # The header's timer shows at its first tick (within a second of the screen).
        timer = app.screen.query_one(TopBar).query_one(".top-bar--timer", Label)
        for _ in range(30):
            if app.timer is None or str(timer.content):
                break
            await pilot.pause(0.05)

    return run_before


def make_team_demo(target: Path) -> None:
    """The demo (8 people, alice its admin) as of the fixed clock."""
    make_demo_store(target, now=NOW)


@pytest.fixture(scope="session")
def demo_week(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("timesheet-demo") / "demo.db"
    make_team_demo(path)
    return path


@pytest.fixture
def demo_config(demo_week: Path, tmp_path: Path) -> Config:
    return copy_store(demo_week, tmp_path, "demo.db")


def with_timer_and_time_off(config: Config) -> None:
    """alice's timer on OPS-9 since 42 minutes before the clock, and Friday off."""
    backend_for(config, clock=Clock(NOW - timedelta(minutes=42))).timer_start("OPS-9")
    backend_for(config, clock=Clock(NOW)).add_time_off(date(2026, 11, 27), 480, kind="holiday")


def test_timesheet_80x24(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = sheet_app(demo_config, Clock(NOW))
    assert snap_compare(app, terminal_size=(80, 24), run_before=shown(app))


def test_timesheet_typing_a_duration_120x40(snap_compare: SnapCompare, demo_config: Config) -> None:
    with_timer_and_time_off(demo_config)
    app = sheet_app(demo_config, Clock(NOW))
    keys = ("j", "1", "h", "3", "0")
    assert snap_compare(app, terminal_size=(120, 40), run_before=shown(app, *keys))


def test_timesheet_bad_input_80x24(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = sheet_app(demo_config, Clock(NOW))
    keys = ("l", "1", "h", "7", "5", "enter")
    assert snap_compare(app, terminal_size=(80, 24), run_before=shown(app, *keys))


def test_timesheet_rejected_week_80x24(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = sheet_app(demo_config, Clock(NOW))
    keys = ("left_square_bracket",)
    assert snap_compare(app, terminal_size=(80, 24), run_before=shown(app, *keys))


def test_timesheet_quick_entry_120x40(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = sheet_app(demo_config, Clock(NOW))
    keys = ("i", *"app-16 yesterday 45m backup docs")
    assert snap_compare(app, terminal_size=(120, 40), run_before=shown(app, *keys))


@pytest.mark.parametrize("kind", ["16", "no-color"])
def test_timesheet_120x40_terminal(
    snap_compare: SnapCompare,
    demo_config: Config,
    monkeypatch: pytest.MonkeyPatch,
    kind: Terminal,
) -> None:
    """The timesheet on a 16-colour terminal (TERM=xterm) and under NO_COLOR."""
    terminal(monkeypatch, kind)
    with_timer_and_time_off(demo_config)
    app = sheet_app(demo_config, Clock(NOW))
    assert snap_compare(app, terminal_size=(120, 40), run_before=shown(app, "j"))
