"""A card's history in the app (the card detail's `h`) and the archive view (`A` on the
board), driven by Pilot against a real SQLite store: the keys a user presses, and what
the backend stored after them."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from tests.ui_helpers import (  # noqa: F401  (fixtures)  # noqa: F401  (fixtures)
    SIZE,
    START,
    Clock,
    anyio_backend,
    app_for,
    backend_for,
    board_demo_config,
    copy_store,
    demo_template,
    frame_text,
    on_board,
    settle,
    settle_on,
    start_clock,
    steady,
)
from tui_board.config import Config
from tui_board.core.models import TaskPatch
from tui_board.ui.dialogs import TaskDetailScreen
from tui_board.ui.screens.archive import ArchiveScreen
from tui_board.ui.screens.help import HelpScreen, key_rows

pytestmark = pytest.mark.anyio


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

        # a comment written from the history is in it once stored
        await pilot.press("c", *"on it", "enter")
        await settle(app, pilot)
        assert history_shown(detail).splitlines()[-1].endswith("alice  comment added")

        await pilot.press("h")  # back to the card
        assert detail.query_one("#detail-body").display
        assert not detail.query_one("#detail-history").display


async def test_a_long_change_goes_on_under_itself_at_80_by_24(config: Config, clock: Clock) -> None:
    backend = backend_for(config, clock=clock)
    card = backend.get_task("APP-3")
    longer = "Monitor the TLS certificates of every service and renew them before they expire"
    backend.update_task("APP-3", card.version, TaskPatch(title=longer))
    app = app_for(config, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_board(app, pilot)
        await pilot.press("enter", "h")
        await settle(app, pilot)
        lines = frame_text(app)
        first = next(i for i, line in enumerate(lines) if "title changed from" in line)
        indent = lines[first].index("title changed")
        assert lines[first + 1][indent - 1] == " " and lines[first + 1][indent] != " "
        assert lines[first + 1][2:indent].strip() == ""
        said = " ".join(line[indent:].strip(" │") for line in lines[first : first + 3])
        assert said.startswith(f'title changed from "{card.title}" to "Monitor the TLS')


async def test_a_card_archived_with_d_is_restored_from_the_archive_view(
    config: Config, clock: Clock
) -> None:
    backend = backend_for(config, clock=clock)
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_board(app, pilot)
        card = screen.focused_card()
        assert card is not None and card.key == "APP-3"
        await pilot.press("d", "y", "A")  # at once: the archive waits for the write
        await settle(app, pilot)
        archive = app.screen
        assert isinstance(archive, ArchiveScreen)
        assert backend.get_task("APP-3").archived
        assert [c.task.key for c in archive.cards] == ["APP-3"]
        [row] = [" ".join(str(cell) for cell in archive.table.get_row_at(0))]
        assert row.split() == ["APP-3", *card.title.split(), "sokafor", "just", "now", "alice"]

        await pilot.press("enter")
        await settle(app, pilot)
        assert not backend.get_task("APP-3").archived
        assert archive.cards == []
        assert "Nothing is archived in APP." in str(
            archive.query_one(".table-screen--figures", Static).render()
        )
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        column = screen.state.column_of("APP-3") if screen.state else None
        assert column == card.column_id
        shown = [t.key for view in screen._views for t in view.card_list.cards]
        assert "APP-3" in shown


async def test_r_restores_and_a_card_changed_meanwhile_is_not_overwritten(
    config: Config, clock: Clock
) -> None:
    backend = backend_for(config, clock=clock)
    for key in ("APP-6", "APP-19"):
        backend.archive_task(key, backend.get_task(key).version)
    app = app_for(config, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_board(app, pilot)
        await pilot.press("A")
        await settle(app, pilot)
        archive = app.screen
        assert isinstance(archive, ArchiveScreen)
        assert [c.task.key for c in archive.cards] == ["APP-19", "APP-6"]  # newest first
        on_screen = "\n".join(frame_text(app))
        assert "Archived cards of APP" in on_screen and "APP-19" in on_screen

        # someone else edits APP-19 (still archived) after the list was read
        other = backend_for(config, "sokafor", clock=clock)
        other.update_task("APP-19", other.get_task("APP-19").version, TaskPatch(estimate=60))
        await pilot.press("r")
        await settle(app, pilot)
        assert backend.get_task("APP-19").archived  # refused: nothing overwritten
        assert [c.task.key for c in archive.cards] == ["APP-19", "APP-6"]
        await pilot.press("r")  # the list as it is now: this time it is stored
        await settle(app, pilot)
        assert not backend.get_task("APP-19").archived
        assert [c.task.key for c in archive.cards] == ["APP-6"]


async def test_the_archive_key_is_in_help_and_the_palette(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_board(app, pilot)
        rows = {row.description: row.keys for row in key_rows(screen)}
        assert rows["Archived"] == "A"
        assert "Archived" in {command.title for command in app.get_system_commands(screen)}
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert any("archived cards" in line for line in frame_text(app))
        await pilot.press("escape", "A")
        await settle(app, pilot)
        archive = app.screen
        assert isinstance(archive, ArchiveScreen)
        restore = {row.description: row.keys for row in key_rows(archive)}["Restore"]
        assert set(restore.split(" / ")) == {"⏎", "r"}
        await pilot.press("enter")
        await pilot.press("enter")  # nothing archived in the demo: nothing to restore
        await settle(app, pilot)
        assert app.screen is archive
        await pilot.press("escape")
        await pilot.press("enter")
        await settle(app, pilot)
        detail = app.screen
        assert isinstance(detail, TaskDetailScreen)
        assert {row.description: row.keys for row in key_rows(detail)}["History"] == "h"
