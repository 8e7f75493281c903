"""SVG snapshots of the schedule screen with a fixed clock, at 80x24 and 120x40: a
milestone, a deadline, a bar filled by progress, and each flag. After a deliberate change
of the look: `pytest tests/test_schedule_snapshots.py --snapshot-update`, then look at the
SVGs (tests/__snapshots__/) before committing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.test_schedule_screen import THURSDAY, make_store
from tests.ui_helpers import CLOCK, app_for, settle, steady  # noqa: F401  (fixtures)
from tui_board.backend.local import LocalBackend
from tui_board.config import Config
from tui_board.core.models import ProjectPatch, TaskPatch
from tui_board.store.database import Database
from tui_board.ui.app import BoardApp

SnapCompare = Callable[..., bool]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    made = make_store(tmp_path)
    assert made.db is not None
    database = Database.open(made.db)
    alice = LocalBackend(database, "alice", clock=CLOCK)
    project = alice.get_project("WEB")
    alice.update_project("WEB", project.version, ProjectPatch(deadline=date(2026, 6, 12)))
    started = alice.create_task(
        "WEB", "Design the checkout", assignee="mia", estimate=1200, due=date(2026, 6, 3)
    )
    alice.update_task(
        started.key,
        started.version,
        TaskPatch(start=date(2026, 5, 11), milestone="Beta"),
    )
    alice.set_entry(started.key, date(2026, 5, 11), 480, user="mia")
    late = alice.create_task("WEB", "Old bug", assignee="mia", estimate=60, due=date(2026, 5, 8))
    alice.set_entry(late.key, date(2026, 5, 12), 120, user="mia")
    alice.create_task("WEB", "Write the docs", estimate=600, due=THURSDAY.replace(day=27))
    database.close()
    return made


def settled(app: BoardApp, *keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        for key in ("4", *keys):
            await pilot.press(key)
            await settle(app, pilot)
        await pilot.pause()

    return run_before


def test_schedule_80x24(snap_compare: SnapCompare, config: Config) -> None:
    app = app_for(config)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled(app))


def test_schedule_120x40(snap_compare: SnapCompare, config: Config) -> None:
    app = app_for(config)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled(app, "j"))


def test_schedule_by_day_120x40(snap_compare: SnapCompare, config: Config) -> None:
    app = app_for(config)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settled(app, "z"))
