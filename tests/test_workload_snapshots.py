"""SVG snapshots of the workload, its drill-down, the approvals queue and the reports on
the fixed demo data with a fixed clock, at 80x24 and 120x40. After a deliberate change of
the look: `pytest tests/test_workload_snapshots.py --snapshot-update`, then look at the
SVGs (tests/__snapshots__/) before committing.

The README's pictures are made by tests/screenshots.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.ui_helpers import (  # noqa: F401  (fixtures)
    app_for,
    copy_store,
    settle,
    steady,
    workload_demo,
)
from tui_board.config import Config
from tui_board.ui.app import BoardApp

SnapCompare = Callable[..., bool]


def settled(app: BoardApp, *keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """A `run_before` that opens the workload, presses `keys`, and waits each time."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        for key in ("3", *keys):
            await pilot.press(key)
            await settle(app, pilot)
        await pilot.pause()

    return run_before


@pytest.fixture
def demo_config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    return copy_store(request.getfixturevalue("workload_demo"), tmp_path)


def test_workload_80x24(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = app_for(demo_config)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(app))


def test_workload_120x40(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = app_for(demo_config)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled(app, "down"))


def test_workload_of_a_lead_80x24_later_weeks(
    snap_compare: SnapCompare, demo_config: Config
) -> None:
    app = app_for(demo_config, "sokafor")
    keys = ("right_square_bracket", "l", "l", "l", "l", "l", "l", "l")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(app, *keys))


def test_workload_details_120x40(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = app_for(demo_config)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled(app, "enter"))


def test_workload_details_80x24(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = app_for(demo_config)
    keys = ("j", "j", "j", "l", "enter")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(app, *keys))


def test_approvals_120x40(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = app_for(demo_config)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled(app, "v", "j"))


def test_approvals_80x24(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = app_for(demo_config)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(app, "v"))


def test_approvals_reject_80x24(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = app_for(demo_config)
    keys = ("v", "x", "F", "r", "i", "d", "a", "y", "space", "i", "s", "space", "e", "m")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(app, *keys))


def test_reports_by_project_120x40(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = app_for(demo_config)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled(app, "t", "b"))


def test_reports_80x24(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = app_for(demo_config)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(app, "t"))


def test_workload_help_120x40(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = app_for(demo_config)
    keys = ("question_mark",)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled(app, *keys))


def test_reports_estimates_80x24(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = app_for(demo_config)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(app, "t", "t"))


def test_reports_overtime_last_month_120x40(snap_compare: SnapCompare, demo_config: Config) -> None:
    app = app_for(demo_config)
    keys = ("t", "t", "t", "d", "down", "down", "down", "enter")
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled(app, *keys))
