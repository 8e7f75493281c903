"""Find anything from the command palette: a card (on any project) opens on the board
from wherever the user is, a project opens its board, a person their week in the
workload; hostile titles are shown as plain text. Pilot on a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from tests.hostile import FORBIDDEN, plant
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
    steady,
    workload_demo,
)
from tui_board.config import Config
from tui_board.ui.app import BoardApp
from tui_board.ui.dialogs import TaskDetailScreen
from tui_board.ui.screens.board import BoardScreen
from tui_board.ui.screens.timesheet import TimesheetScreen
from tui_board.ui.screens.week_detail import WeekDetailScreen

pytestmark = pytest.mark.anyio


@pytest.fixture
def config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    return copy_store(request.getfixturevalue("demo_template"), tmp_path)


def gathering(app: BoardApp) -> bool:
    """Whether the palette is still gathering hits for what was typed."""
    group = CommandPalette._GATHER_COMMANDS_GROUP
    return any(not w.is_finished for w in app.workers if w.group == group)


async def find(app: BoardApp, pilot: Pilot[None], query: str) -> list[str]:
    """Open the palette, type `query`; the hits' first lines, best first."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)
    hits: list[str] = []
    for _ in range(100):
        await pilot.pause(0.05)
        options = app.screen.query_one(CommandList)
        hits = [str(o.prompt).split("\n")[0] for o in options.options]
        if hits and not gathering(app):
            break
    return hits


async def test_a_card_key_from_the_timesheet_opens_the_card_on_the_board(config: Config) -> None:
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        assert isinstance(app.screen, TimesheetScreen)
        card = backend_for(config).list_tasks(project="WEB")[-1]
        hits = await find(app, pilot, card.key)
        assert hits[0].startswith(card.key), hits
        await pilot.press("enter")
        if isinstance(app.screen, CommandPalette):
            await pilot.press("enter")
        await settle(app, pilot, lambda: isinstance(app.screen, TaskDetailScreen))
        detail = app.screen
        assert isinstance(detail, TaskDetailScreen)
        assert detail.card.key == card.key
        assert app.current_mode == "board"
        screen = app.screen_stack[0]
        assert isinstance(screen, BoardScreen)
        assert screen.state is not None and screen.state.project.key == "WEB"
        assert screen.focused_card() is not None
        assert screen.focused_card().key == card.key  # type: ignore[union-attr]


async def test_a_card_hidden_by_the_filter_is_shown_and_a_project_opens_its_board(
    config: Config,
) -> None:
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        backend = backend_for(config)
        hidden = next(t for t in backend.list_tasks(project="APP") if t.assignee != "alice")
        await pilot.press("m")
        hits = await find(app, pilot, f"{hidden.key} {hidden.title[:6]}")
        assert hits[0].startswith(hidden.key)
        await pilot.press("enter")
        if isinstance(app.screen, CommandPalette):
            await pilot.press("enter")
        await settle(app, pilot, lambda: isinstance(app.screen, TaskDetailScreen))
        assert screen.state is not None and not screen.state.filtered
        assert screen.focused_card() is not None
        assert screen.focused_card().key == hidden.key  # type: ignore[union-attr]
        await pilot.press("escape")
        await settle(app, pilot)
        project = next(p for p in backend.list_projects() if p.key != "APP")
        hits = await find(app, pilot, f"{project.key} {project.name}")
        assert hits[0].startswith(project.key), hits
        await pilot.press("enter")
        if isinstance(app.screen, CommandPalette):
            await pilot.press("enter")
        await settle(
            app, pilot, lambda: screen.state is not None and screen.state.project.key == project.key
        )
        assert app.screen is screen


async def test_a_hostile_title_is_found_and_shown_as_plain_text(config: Config) -> None:
    backend = backend_for(config)
    made = backend.create_task("APP", "[bold red]Pay[/] now $accent [link=x]here[/link]")
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        hits = await find(app, pilot, made.key)
        assert hits[0] == f"{made.key} [bold red]Pay[/] now $accent [link=x]here[/link]"
        await pilot.press("escape")


async def test_planted_control_characters_never_reach_the_palette_raw(config: Config) -> None:
    assert config.db is not None
    plant(Path(config.db))
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for query in ("APP", "a"):
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*query)
            for _ in range(100):
                await pilot.pause(0.05)
                if not gathering(app):
                    break
            prompts = [str(o.prompt) for o in app.screen.query_one(CommandList).options]
            assert prompts
            assert not [p for p in prompts if any(bad in p for bad in FORBIDDEN)]
            await pilot.press("escape")
            await pilot.pause()


async def test_a_person_opens_their_week_in_the_workload(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    config = copy_store(request.getfixturevalue("workload_demo"), tmp_path)
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        hits = await find(app, pilot, "@qnovak")
        assert hits[0].startswith("@qnovak"), hits
        await pilot.press("enter")
        if isinstance(app.screen, CommandPalette):
            await pilot.press("enter")
        await settle(app, pilot, lambda: isinstance(app.screen, WeekDetailScreen))
        detail = app.screen
        assert isinstance(detail, WeekDetailScreen)
        assert detail.person.user == "qnovak"


async def test_a_key_typed_whole_comes_first_then_the_keys_it_starts(config: Config) -> None:
    """`APP-1` lists APP-1 first (not APP-13, APP-18 ...), then APP-10 to APP-19, then
    the rest in the matcher's order; case does not matter; a project's key and a login
    come first the same way."""
    keys = {t.key for t in backend_for(config).list_tasks(project="APP")}
    started = {key for key in keys if key.startswith("APP-1") and key != "APP-1"}
    assert "APP-1" in keys and len(started) >= 5
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for query in ("APP-1", "app-1"):
            hits = await find(app, pilot, query)
            found = [hit.split(" ", 1)[0] for hit in hits]
            assert found[0] == "APP-1", hits
            assert set(found[1 : 1 + len(started)]) == started, hits
            await pilot.press("escape")
            await pilot.pause()
        for query, first in (("web", "WEB"), ("qnovak", "@qnovak")):
            hits = await find(app, pilot, query)
            assert hits[0].split(" ", 1)[0] == first, hits
            await pilot.press("escape")
            await pilot.pause()


async def test_reports_and_approvals_are_found_from_the_board(config: Config) -> None:
    """The workload's reports and approvals queue open from the palette on any screen
    (they were listed only on the workload screen, whose keys they are)."""
    from tui_board.ui.screens.approvals import ApprovalsScreen
    from tui_board.ui.screens.reports import ReportsScreen

    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        for query, screen_type in (("Reports", ReportsScreen), ("Approvals", ApprovalsScreen)):
            hits = await find(app, pilot, query)
            assert hits and hits[0] == query, hits
            await pilot.press("enter")
            await settle(app, pilot, lambda t=screen_type: isinstance(app.screen, t))  # type: ignore[misc]
            assert isinstance(app.screen, screen_type)
            assert app.current_mode == "workload"
            await pilot.press("escape")
            await settle(app, pilot)
            await pilot.press("1")
            await settle(app, pilot)


async def test_every_screen_is_found_in_the_palette_from_every_other(config: Config) -> None:
    """The schedule from the timesheet, where `4` types a duration: `ctrl+p schedule`."""
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for key, mode in (("2", "timesheet"), ("w", "workload"), ("4", "schedule")):
            await pilot.press(key)
            await settle(app, pilot)
            assert app.current_mode == mode
            for title in {"Board", "Timesheet", "Workload", "Schedule"} - {mode.title()}:
                hits = await find(app, pilot, title.lower())
                assert title in hits, (mode, title, hits)
                await pilot.press("escape")
                await pilot.pause()
        await pilot.press("2")
        await settle(app, pilot)
        await find(app, pilot, "schedule")
        await pilot.press("enter")
        await settle(app, pilot, lambda: app.current_mode == "schedule")
        assert app.current_mode == "schedule"
