"""The board screen, driven by Pilot against a real SQLite store: every key, and what the
backend stored after it; conflicts and live updates from a second backend."""

from __future__ import annotations

import itertools
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label, Select, TextArea

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
    press_then_quit,
    settle_on,
    steady,
)
from tui_board.backend.protocol import Backend
from tui_board.config import Config
from tui_board.core.models import Task, TaskPatch
from tui_board.ui.app import BoardApp, make_app
from tui_board.ui.dialogs import (
    ConfirmScreen,
    DurationPrompt,
    PickerScreen,
    TaskDetailScreen,
    TaskForm,
)
from tui_board.ui.screens.board import BoardScreen
from tui_board.ui.screens.help import key_rows
from tui_board.ui.widgets.board_column import BoardColumn, BoardColumns
from tui_board.ui.widgets.top_bar import TopBar

pytestmark = pytest.mark.anyio


@pytest.fixture
def config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    """A copy of the board's demo store for one test."""
    return copy_store(request.getfixturevalue("demo_template"), tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


def board(app: BoardApp) -> BoardScreen:
    screen = app.screen
    assert isinstance(screen, BoardScreen), screen
    return screen


async def settle(app: BoardApp, pilot: Pilot[None]) -> BoardScreen:
    """Wait until the board is shown and every write and read has been answered."""
    return await settle_on(app, pilot, "board", BoardScreen)


def keys_of(tasks: list[Task], column: str) -> list[str]:
    return [t.key for t in tasks if t.column == column]


def shown_keys(screen: BoardScreen, column: int) -> list[str]:
    return [t.key for t in screen._views[column].card_list.cards]


# --- showing ------------------------------------------------------------------------------


async def test_the_board_shows_the_projects_columns_and_cards(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        tasks = backend.list_tasks(project="APP")
        columns = backend.list_columns("APP")
        assert [view.column.name for view in screen._views] == [c.name for c in columns]
        for index, column in enumerate(columns):
            assert shown_keys(screen, index) == keys_of(tasks, column.name)
        counts = [view.header.count for view in screen._views]
        assert counts == ["7", "7", "4/3", "0/3", "6"]
        assert screen._views[2].header.over  # 4 cards, WIP limit 3: the warning colour
        assert not screen._views[1].header.over
        assert screen.focused_card() is not None
        assert screen.focused_card().key == "APP-3"  # type: ignore[union-attr]
        assert "APP · Mobile app" in str(screen.query_one("#board-project", Label).content)


async def test_arrows_and_hjkl_move_the_focus(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)

        def focused() -> str | None:
            card = screen.focused_card()
            return card.key if card else None

        await pilot.press("j")
        assert focused() == "APP-6"
        await pilot.press("down", "down")
        assert focused() == "APP-18"
        await pilot.press("k")
        assert focused() == "APP-13"
        await pilot.press("up", "up", "up")  # stops at the top
        assert focused() == "APP-3"
        await pilot.press("l")
        assert focused() == "APP-2"
        await pilot.press("right", "right")  # Review is empty: the focus is on the column
        assert screen._focus_column == 3 and focused() is None
        await pilot.press("l")
        assert focused() == "APP-4"
        await pilot.press("G")
        assert focused() == "APP-20"
        await pilot.press("g", "h", "left")
        assert screen._focus_column == 2
        assert focused() == "APP-1"
        assert screen._views[2].header.focused


# --- moving cards ---------------------------------------------------------------------------


async def test_shift_left_right_and_h_l_move_the_card_between_columns(
    config: Config, clock: Clock
) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        await pilot.press("L")
        await settle(app, pilot)
        moved = backend.get_task("APP-3")
        assert moved.column == "To do"
        assert screen._focus_column == 1 and screen.focused_card() is not None
        assert screen.focused_card().key == "APP-3"  # type: ignore[union-attr]
        # It landed at the row it was on (the top), and the store agrees on the order.
        assert keys_of(backend.list_tasks(project="APP"), "To do")[0] == "APP-3"
        assert shown_keys(screen, 1) == keys_of(backend.list_tasks(project="APP"), "To do")

        await pilot.press("shift+right", "shift+right")
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "Review"
        await pilot.press("shift+left", "H")
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "To do"
        assert backend.get_task("APP-3").version == moved.version + 4
        await pilot.press("H", "H")  # the second one has nowhere to go
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "Backlog"
        assert shown_keys(screen, 0) == keys_of(backend.list_tasks(project="APP"), "Backlog")


async def test_a_card_moved_past_a_wip_limit_is_moved_and_says_so(
    config: Config, clock: Clock
) -> None:
    """In progress holds 4 of its 3: a card moved in is moved (a limit warns, as on a
    paper board) and the board says the column is over it; into Review (0/3), nothing."""
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        await pilot.press("L", "L")
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "In progress"
        said = [n.message for n in app._notifications if "limit" in n.message]
        assert said == ["In progress holds 5 cards, over its limit of 3."], said
        await pilot.press("L")
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "Review"
        assert len([n for n in app._notifications if "limit" in n.message]) == 1


async def test_a_card_that_leaves_a_column_leaves_no_copy_on_screen(
    config: Config, clock: Clock
) -> None:
    """The column drawn again after its first card left: the last card's old lines went
    blank (a trial saw that card twice until the terminal was resized)."""
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        backlog = keys_of(backend.list_tasks(project="APP"), "Backlog")
        await pilot.press("L")
        await settle(app, pilot)
        assert keys_of(backend.list_tasks(project="APP"), "Backlog") == backlog[1:]
        shown = app.export_screenshot()
        assert shown.count(f"{backlog[-1]}<") + shown.count(f"{backlog[-1]} ") == 1, backlog


async def test_shift_up_down_and_k_j_reorder_the_card(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        backend = backend_for(config, clock=clock)

        def stored() -> list[str]:
            return keys_of(backend.list_tasks(project="APP"), "Backlog")

        await pilot.press("J", "J", "shift+down")
        await settle(app, pilot)
        assert stored()[:4] == ["APP-6", "APP-13", "APP-18", "APP-3"]
        assert screen.focused_card().key == "APP-3"  # type: ignore[union-attr]
        await pilot.press("K", "shift+up")
        await settle(app, pilot)
        assert stored()[:4] == ["APP-6", "APP-3", "APP-13", "APP-18"]
        assert shown_keys(screen, 0) == stored()


# --- the card's actions ------------------------------------------------------------------------


async def test_the_due_dates_example_is_a_date_to_come(config: Config, clock: Clock) -> None:
    """It was a fixed date, months past for a new user in December."""
    clock.set(2026, 12, 6)
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("l", "n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TaskForm)
        assert form.query_one("#task-form-due", Input).placeholder == "fri, 2026-12-25"


async def test_n_makes_a_card_in_the_focused_column(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        await pilot.press("l", "n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TaskForm)
        form.query_one("#task-form-title", Input).value = "Write the release notes"
        form.query_one("#task-form-description", TextArea).text = "For 2.0"
        form.query_one("#task-form-estimate", Input).value = "1h30"
        form.query_one("#task-form-due", Input).value = "fri"
        form.query_one("#task-form-priority", Select).value = "high"
        form.query_one("#task-form-tags", Input).value = "docs #release"
        await pilot.pause()
        preview = form.query_one("#task-form-due-preview", Label)
        assert "Fri 15 May 2026" in str(preview.content)
        # The assignee comes from a picker.
        form.query_one("#task-form-assignee").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press(*"cruiz", "enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        made = next(t for t in backend.list_tasks(project="APP") if t.key == "APP-25")
        todo = keys_of(backend.list_tasks(project="APP"), "To do")
        assert todo[-1] == made.key == "APP-25"
        assert made.title == "Write the release notes"
        assert made.description == "For 2.0"
        assert made.assignee == "cruiz"
        assert made.estimate == 90
        assert str(made.due) == "2026-05-15"
        assert made.priority == "high"
        assert made.tags == ("docs", "release")
        assert screen.focused_card() is not None
        assert screen.focused_card().key == "APP-25"  # type: ignore[union-attr]


async def test_a_bad_value_is_refused_in_the_form_and_nothing_is_stored(
    config: Config, clock: Clock
) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        before = backend.count_tasks("APP")
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TaskForm)
        await pilot.press("enter")  # no title
        await pilot.pause()
        error = form.query_one(".dialog--error", Label)
        assert "needs a title" in str(error.content)
        form.query_one("#task-form-title", Input).value = "A card"
        form.query_one("#task-form-estimate", Input).value = "1h75"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "under 60" in str(error.content)
        assert form.query_one("#task-form-estimate").has_class("-invalid")
        form.query_one("#task-form-estimate", Input).value = ""
        form.query_one("#task-form-due", Input).value = "someday"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Due:" in str(error.content)
        await pilot.press("escape")
        await settle(app, pilot)
        assert backend.count_tasks("APP") == before


async def test_enter_opens_the_card_with_comments_time_and_editing(
    config: Config, clock: Clock
) -> None:
    backend = backend_for(config, clock=clock)
    backend.add_comment("APP-3", "Needs the new certificate first")
    backend.add_time("APP-3", START.date(), 45, user="sokafor")
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, TaskDetailScreen)
        assert "Needs the new certificate" in str(detail.query_one("#detail-comments").render())
        assert "sokafor" in str(detail.query_one("#detail-time").render())
        assert "0:45" in str(detail.query_one("#detail-time").render())

        await pilot.press("c", *"Certificate is here", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        bodies = [c.body for c in backend.list_comments("APP-3")]
        assert bodies[-1] == "Certificate is here"

        await pilot.press("c", "escape")  # esc leaves the comment field, not the card
        assert app.screen is detail
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TaskForm)
        form.query_one("#task-form-title", Input).value = "Renew TLS certificates"
        form.query_one("#task-form-estimate", Input).value = "6h"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        stored = backend.get_task("APP-3")
        assert stored.title == "Renew TLS certificates"
        assert stored.estimate == 360
        assert stored.assignee == "sokafor"  # fields not changed stay as they were
        await pilot.press("escape")
        await settle(app, pilot)
        assert screen.focused_card() is not None
        assert screen.focused_card().title == "Renew TLS certificates"  # type: ignore[union-attr]


async def test_a_assigns_through_a_picker(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press(*"qnov", "enter")
        await settle(app, pilot)
        assert backend.get_task("APP-3").assignee == "qnovak"
        assert screen.focused_card().assignee == "qnovak"  # type: ignore[union-attr]
        await pilot.press("a", *"nobody", "enter")
        await settle(app, pilot)
        assert backend.get_task("APP-3").assignee is None


async def test_t_logs_time_showing_the_parsed_value_first(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        before = backend.get_task("APP-3").logged
        await pilot.press("t")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, DurationPrompt)
        await pilot.press(*"1h75")
        await pilot.pause()
        preview = prompt.query_one(".dialog--preview", Label)
        assert "under 60" in str(preview.content)
        await pilot.press("enter")  # refused: the prompt stays, nothing is stored
        await pilot.pause()
        assert app.screen is prompt
        await pilot.press("backspace", "backspace", "3", "0")
        await pilot.pause()
        assert str(preview.content) == "1h30 -> 1:30"
        await pilot.press("tab", "tab", *"review", "enter")  # the day left empty: today
        await settle(app, pilot)
        entries = backend.list_entries(START.date(), START.date(), task="APP-3")
        assert [(e.user, e.minutes, e.comment) for e in entries] == [("alice", 90, "review")]
        assert backend.get_task("APP-3").logged == before + 90
        assert screen.focused_card().logged == before + 90  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("yesterday", date(2026, 5, 12)),
        ("mon", date(2026, 5, 11)),
        ("2026-05-15", date(2026, 5, 15)),
    ],
)
async def test_t_logs_time_on_the_day_typed(
    config: Config, clock: Clock, typed: str, day: date
) -> None:
    """The day reads as the timesheet's quick entry reads it; a day it cannot read keeps
    the dialog open and stores nothing."""
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        before = backend.list_entries(day, day, task="APP-3", user="alice")
        await pilot.press("t", *"45m", "tab", *"someday", "enter")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, DurationPrompt)
        shown = str(prompt.query_one(".duration--day", Label).content)
        assert "Cannot read 'someday' as a date" in shown
        await pilot.press("ctrl+u", *typed)
        await pilot.pause()
        assert str(prompt.query_one(".duration--day", Label).content) == f"{day:%a %d %b %Y}"
        await pilot.press("enter")
        await settle(app, pilot)
        after = backend.list_entries(day, day, task="APP-3", user="alice")
        added = {(e.day, e.minutes) for e in after} - {(e.day, e.minutes) for e in before}
        old = sum(e.minutes for e in before if e.day == day)
        assert added == {(day, old + 45)}
        assert any(f"on {day:%a %d %b})" in n.message for n in app._notifications)


async def test_time_the_store_refuses_is_asked_for_again_as_it_was_typed(
    config: Config, clock: Clock
) -> None:
    """`t` on a card when this week is submitted: the store refuses the time after the
    dialog closed; it opens again with the duration, the day and the comment as typed
    and why, so that nothing typed is lost. Its comment is checked before it goes."""
    from tui_board.core.weeks import IsoWeek

    backend = backend_for(config, clock=clock)
    today = clock.now.date()
    backend.submit_week(IsoWeek.of(today))
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("t", *"1h30", "tab", "tab", *"deploy notes", "enter")
        await settle(app, pilot)
        prompt = app.screen
        assert isinstance(prompt, DurationPrompt)
        refused = str(prompt.query_one(".duration--refused", Label).content)
        assert refused.startswith("Not stored: week") and "submitted" in refused, refused
        shown = " ".join(line.strip(" │") for line in frame_text(app))
        assert "submitted; it cannot be changed" in shown  # whole, wrapped in the dialog
        fields = [field.value for field in prompt.query(Input)]
        assert fields == ["1:30", "", "deploy notes"]
        assert backend.list_entries(today, today, task="APP-3", user="alice") == []
        # a comment the store would refuse keeps the dialog open
        await pilot.press("escape")
        await pilot.press("t", *"1h", "tab", "tab", *"fix", "ctrl+e")
        app.screen.query_one("#duration-comment", Input).insert_text_at_cursor("\u202e")
        await pilot.press("enter")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, DurationPrompt)
        assert "U+202E" in str(prompt.query_one(".dialog--preview", Label).content)


async def test_space_starts_and_stops_the_timer_shown_in_the_header(
    config: Config, clock: Clock
) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        await pilot.press("space")
        await settle(app, pilot)
        running = backend.timer_status()
        assert running is not None and running.task == "APP-3"
        assert app.timer is not None and app.timer.task == "APP-3"
        timer_label = screen.query_one(TopBar).query_one(".top-bar--timer", Label)
        assert str(timer_label.content) == "⏱ APP-3 0:00"
        clock.advance(minutes=42)
        await pilot.pause(1.2)  # it ticks every second
        assert str(timer_label.content) == "⏱ APP-3 0:42"
        before = backend.get_task("APP-3").logged
        await pilot.press("space")
        await settle(app, pilot)
        assert backend.timer_status() is None
        assert app.timer is None
        assert not screen.query_one(TopBar).has_class("-timing")
        assert backend.get_task("APP-3").logged == before + 42


async def test_d_archives_after_asking(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert not backend.get_task("APP-3").archived
        await pilot.press("d", "y")
        await settle(app, pilot)
        assert backend.get_task("APP-3").archived
        assert "APP-3" not in shown_keys(screen, 0)
        assert screen.focused_card().key == "APP-6"  # type: ignore[union-attr]


# --- filters and projects ------------------------------------------------------------------------


async def test_slash_filters_by_key_title_assignee_and_tag(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        tasks = backend_for(config, clock=clock).list_tasks(project="APP")

        def shown() -> set[str]:
            return {key for i in range(len(screen._views)) for key in shown_keys(screen, i)}

        await pilot.press("slash", *"tls")
        await pilot.pause()
        assert shown() == {t.key for t in tasks if "tls" in t.title.lower()}
        await pilot.press(*["backspace"] * 3, *"#docs")
        await pilot.pause()
        assert shown() == {t.key for t in tasks if "docs" in t.tags}
        await pilot.press(*["backspace"] * 5, *"mokafor")
        await pilot.pause()
        assert shown() == {t.key for t in tasks if t.assignee == "mokafor"}
        await pilot.press(*["backspace"] * 7, *"app-2")
        await pilot.pause()
        assert shown() == {t.key for t in tasks if t.key.startswith("APP-2")}
        await pilot.press("enter")  # back to the board, the filter stays
        await pilot.press("j")
        assert screen.focused_card() is not None
        assert screen.focused_card().key.startswith("APP-2")  # type: ignore[union-attr]
        await pilot.press("escape")
        await pilot.pause()
        assert shown() == {t.key for t in tasks}


async def test_m_shows_only_my_cards(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        tasks = backend_for(config, clock=clock).list_tasks(project="APP")
        await pilot.press("m")
        shown = [t for view in screen._views for t in view.card_list.cards]
        assert {t.key for t in shown} == {t.key for t in tasks if t.assignee == "alice"}
        assert "only mine" in str(screen.query_one("#board-summary", Label).content)
        await pilot.press("m")
        assert sum(len(view.card_list.cards) for view in screen._views) == len(tasks)
        # esc shows every card again, as its help says: "only mine" goes too (it stayed)
        await pilot.press("m", "slash", *"a", "escape")
        await pilot.pause()
        assert sum(len(view.card_list.cards) for view in screen._views) == len(tasks)
        assert "only mine" not in str(screen.query_one("#board-summary", Label).content)
        # an empty filter closed with enter leaves "only mine" on
        await pilot.press("m", "slash", "enter")
        await pilot.pause()
        assert "only mine" in str(screen.query_one("#board-summary", Label).content)


async def test_p_switches_project_through_a_fuzzy_picker(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, PickerScreen)
        await pilot.press(*"web", "enter")
        screen = await settle(app, pilot)
        assert screen.state is not None and screen.state.project.key == "WEB"
        tasks = backend_for(config, clock=clock).list_tasks(project="WEB")
        assert shown_keys(screen, 0) == keys_of(tasks, "Backlog")


async def test_every_key_is_in_help_and_the_palette(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        rows = {row.description: row.keys for row in key_rows(screen)}
        expected = {
            "Left": "←",
            "Move left": "shift+← / H",
            "Move down": "shift+↓ / J",
            "New": "n",
            "Open": "⏎",
            "Assign": "a",
            "Log": "t",
            "Timer": "space",
            "Archive": "d",
            "Filter": "/",
            "Mine": "m",
            "Project": "p",
        }
        for description, keys in expected.items():
            assert rows[description].startswith(keys.split(" / ")[0]), (description, rows)
        titles = {command.title for command in app.get_system_commands(screen)}
        assert set(expected) <= titles


# --- other people's changes ----------------------------------------------------------------------


async def test_a_card_changed_by_someone_else_is_not_overwritten(
    config: Config, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 3600)  # the screen has not seen it
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        other = backend_for(config, "sokafor", clock)
        seen = other.get_task("APP-3")
        other.move_task("APP-3", seen.version, seen.column_id + 2)  # to In progress
        await pilot.press("L")  # the board still shows it in Backlog
        await settle(app, pilot)
        stored = other.get_task("APP-3")
        assert stored.column == "In progress"
        assert stored.version == seen.version + 1
        messages = [n.message for n in app._notifications]
        assert any("APP-3 was changed by someone else" in m for m in messages)
        assert "APP-3" in shown_keys(screen, 2)  # the board shows it as it is now
        assert "APP-3" not in shown_keys(screen, 0) + shown_keys(screen, 1)

        # An assignment of the card is refused the same way, and goes to no other card.
        other.update_task("APP-3", stored.version, TaskPatch(title="Theirs"))
        focused = screen.focused_card()
        assert focused is not None and focused.key == "APP-3"  # the focus followed it
        before = {task.key: task.assignee for task in other.list_tasks(project="APP")}
        assert before["APP-3"] != "bmartin"
        app.clear_notifications()
        await pilot.press("a", *"bmart", "enter")
        await settle(app, pilot)
        assert {task.key: task.assignee for task in other.list_tasks(project="APP")} == before
        assert other.get_task("APP-3").title == "Theirs"
        messages = [n.message for n in app._notifications]
        assert any("APP-3 was changed by someone else" in m for m in messages)


async def test_a_move_is_stored_when_the_app_quits_at_once(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        card = screen.focused_card()
        assert card is not None and card.column == "Backlog"
        await press_then_quit(app, screen, "L", "L")  # to "To do", and quit at once
    assert app.return_code == 0
    stored = backend_for(config, clock=clock).get_task(card.key)
    assert stored.column == "To do"
    assert stored.version == card.version + 1


async def test_the_board_shows_changes_made_elsewhere(
    config: Config, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 0.2)
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("j", "l")  # the focus on APP-11 in "To do"
        focused = screen.focused_card()
        assert focused is not None and focused.key == "APP-11"
        other = backend_for(config, "sokafor", clock)  # a second process, say
        moving = other.get_task("APP-2")
        other.move_task("APP-2", moving.version, moving.column_id + 1)
        other.update_task("APP-12", other.get_task("APP-12").version, TaskPatch(title="Renamed"))
        made = other.create_task("APP", "Made elsewhere", column_id=moving.column_id)
        for _ in range(40):
            await pilot.pause(0.1)
            if "APP-2" in shown_keys(screen, 2) and made.key in shown_keys(screen, 1):
                break
        assert shown_keys(screen, 2)[-1] == "APP-2"
        assert "APP-2" not in shown_keys(screen, 1)
        assert shown_keys(screen, 1)[-1] == made.key
        titles = {t.key: t.title for t in screen._views[1].card_list.cards}
        assert titles["APP-12"] == "Renamed"
        assert screen.focused_card() is not None
        assert screen.focused_card().key == "APP-11"  # type: ignore[union-attr]
        assert screen._focus_column == 1


async def test_a_members_board_shows_time_others_log_on_its_cards(
    config: Config, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The feed leaves out other people's time entries for a member, yet the cards'
    totals (which everyone sees) still follow them."""
    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 0.2)
    members = [u.login for u in backend_for(config, clock=clock).list_users() if u.role == "member"]
    viewer, other = members[:2]
    app = app_for(config, viewer, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)

        def logged() -> dict[str, int]:
            return {t.key: t.logged for view in screen._views for t in view.card_list.cards}

        key = screen._views[1].card_list.cards[0].key
        before, seq = logged()[key], backend_for(config, viewer, clock).last_change()
        backend_for(config, other, clock).add_time(key, START.date(), 45)
        for _ in range(40):
            await pilot.pause(0.1)
            if logged()[key] == before + 45:
                break
        assert logged()[key] == before + 45
        [seen] = backend_for(config, viewer, clock).changes_since(seq)
        assert (seen.user, seen.entity, seen.entity_id, seen.action) == (
            None,
            "task",
            key,
            "logged",
        )


# --- small terminals ----------------------------------------------------------------------------


async def test_at_80_by_24_columns_narrow_and_scroll_sideways(config: Config, clock: Clock) -> None:
    app = app_for(config, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(app, pilot)
        container = screen.query_one(BoardColumns)

        def visible() -> list[BoardColumn]:
            return [view for view in screen._views if view.display]

        assert len(visible()) == 3
        regions = [view.region for view in visible()]
        assert all(r.width >= BoardColumns.MIN_WIDTH for r in regions)
        assert all(a.right <= b.x for a, b in itertools.pairwise(regions))
        assert regions[-1].right <= 80
        await pilot.press("l", "l", "l", "l")
        await pilot.pause()
        assert container.shown_range() == (2, 4)
        assert screen._views[4].display and not screen._views[0].display
        assert "columns 3-5 of 5" in str(screen.query_one("#board-summary", Label).content)


async def test_a_big_board_shows_a_page_per_column_first_then_every_card(
    config: Config, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_board.ui.screens.board import view as board_module

    monkeypatch.setattr(board_module, "PAGE_ABOVE", 10)
    monkeypatch.setattr(board_module, "PAGE", 2)
    loads: list[BoardScreen.Loaded] = []
    columns_read: list[BoardScreen.ColumnRead] = []

    def hook(message: object) -> None:  # (seen again as it bubbles up to the app)
        if isinstance(message, BoardScreen.Loaded) and all(m is not message for m in loads):
            loads.append(message)
        if isinstance(message, BoardScreen.ColumnRead) and all(
            m is not message for m in columns_read
        ):
            columns_read.append(message)

    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        screen = await settle(app, pilot)
        backend = backend_for(config, clock=clock)
        [first] = loads
        assert first.totals == backend.count_tasks("APP")
        assert [len(cards) for cards in first.cards.values()] == [
            min(2, n) for n in (first.totals.get(c.id, 0) for c in first.columns)
        ]
        # Then each column whole, in the board's order.
        assert [m.column_id for m in columns_read] == [c.id for c in first.columns]
        assert screen.state is not None and screen.state.complete
        assert screen.state.total == len(backend.list_tasks(project="APP"))
        assert shown_keys(screen, 0) == keys_of(backend.list_tasks(project="APP"), "Backlog")


class HeldBackend:
    """The app's backend, with a big board's reads past the first pages held until `go`
    is set: what a slow read of 100,000 cards looks like."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.go = threading.Event()

    def column_cards(self, project: str, column_id: int, **page: Any) -> Any:
        if page.get("after") is not None:  # past the first page
            assert self.go.wait(20)
        return self.backend.column_cards(project, column_id, **page)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)


async def test_a_filter_typed_while_a_big_board_is_read_finds_the_cards_read_later(
    config: Config, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed at the first page: the filter looks in each column as it comes in."""
    from tui_board.ui.screens.board import view as board_module

    monkeypatch.setattr(board_module, "PAGE_ABOVE", 10)
    monkeypatch.setattr(board_module, "PAGE", 2)
    backend = backend_for(config, clock=clock)
    backlog = [t for t in backend.list_tasks(project="APP") if t.column == "Backlog"]
    late = backlog[-1]  # beyond the first page
    assert len(backlog) > 2
    late = backend.update_task(late.key, late.version, TaskPatch(title="Zqxlate arrives"))
    held = HeldBackend(backend_for(config, clock=clock))
    app = make_app(config, backend_factory=lambda: held, clock=clock)  # type: ignore[arg-type,return-value]
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            await pilot.pause(0.01)
            if isinstance(app.screen, BoardScreen) and app.screen.has_class("-loaded"):
                break
        screen = board(app)
        assert screen.state is not None and not screen.state.complete
        await pilot.press("slash", *"zqxlate")
        await pilot.pause()
        assert shown_keys(screen, 0) == []
        assert "no cards match" in "\n".join(frame_text(app))
        held.go.set()
        await settle(app, pilot)
        assert screen.state.complete and screen.state.query == "zqxlate"
        assert shown_keys(screen, 0) == [late.key]
        assert screen.focused_card() == late
        assert any("Zqxlate arrives" in line for line in frame_text(app))


async def test_keys_typed_right_after_slash_never_reach_the_boards_keys(
    config: Config, clock: Clock
) -> None:
    """A burst (a fast typist, a paste, a slow link) of `/` then `zqxn`: before, `q` quit
    the app and `n` opened a form on the way out (a traceback)."""
    from textual import events

    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        for character in "/zqxn":
            app.post_message(events.Key("slash" if character == "/" else character, character))
        await pilot.pause(0.5)
        assert app.is_running and app.screen is screen
        assert isinstance(app.focused, Input) and app.focused.id == "board-filter"


async def test_a_filter_longer_than_its_field_scrolls_with_the_cursor(
    config: Config, clock: Clock
) -> None:
    """The field takes no layout of the screen as it is typed in (FilterField.refresh):
    it still scrolls to show the cursor, at the end of the text and at its start."""
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert screen.state is not None
        text = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        await pilot.press("slash", *text)
        await pilot.pause()
        heading = f"{screen.state.project.key} · {screen.state.project.name}"
        [line] = [line for line in frame_text(app) if heading in line]
        assert "XYZ" in line and "abc" not in line, line
        await pilot.press("home")
        await pilot.pause()
        [line] = [line for line in frame_text(app) if heading in line]
        assert "abc" in line and "XYZ" not in line, line
        assert screen.state.query == text.lower()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_filter_stands_apart_from_the_project_name(
    config: Config, clock: Clock, size: tuple[int, int]
) -> None:
    """`APP · Mobile app  / deploy`, not `APP · Mobile appdeploy` (nor `appfilter:`):
    the filter has its `/` prompt."""
    app = app_for(config, clock=clock)
    async with app.run_test(size=size) as pilot:
        screen = await settle(app, pilot)
        assert screen.state is not None
        heading = f"{screen.state.project.key} · {screen.state.project.name}"
        await pilot.press("slash")
        await pilot.pause()
        [line] = [text for text in frame_text(app) if heading in text]
        assert f"{heading}  / filter: " in line, line
        await pilot.press(*"deploy", "enter")
        await pilot.pause()
        [line] = [text for text in frame_text(app) if heading in text]
        assert f"{heading}  / deploy " in line, line
        await pilot.press("slash", "escape")  # the filter cleared and left: nothing shown
        await pilot.pause()
        await pilot.press("slash", "escape")  # opened and left empty: nothing shown
        await pilot.pause()
        await pilot.press("slash", "enter")  # (enter on nothing: as esc)
        await pilot.pause()
        [line] = [text for text in frame_text(app) if heading in text]
        assert "filter" not in line and "deploy" not in line, line


async def test_at_80_by_24_a_long_overrun_leaves_room_for_the_assignee(
    config: Config, clock: Clock
) -> None:
    """`24:00/10:00! 24 Dec` and `@qnovak` do not fit a card at 80 columns: the assignee
    stays (whole, with the time shortened to `24:00!`, or cut), the overrun's `!` too."""
    backend = backend_for(config, clock=clock)
    card = next(t for t in backend.list_tasks(project="APP") if t.assignee == "qnovak")
    for day in (11, 12, 13):
        backend.add_time(card.key, date(2026, 5, day), 8 * 60)
    card = backend.get_task(card.key)
    patch = TaskPatch(due=date(2026, 12, 24), estimate=600)
    card = backend.update_task(card.key, card.version, patch)
    assert card.logged >= 24 * 60
    app = app_for(config, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(app, pilot)
        assert screen.state is not None
        column = screen.state.column_index(card.column_id)
        assert column is not None
        await pilot.press(*"l" * column)
        await pilot.pause()
        lines = [line for line in frame_text(app) if "24 Dec" in line]
        assert lines, frame_text(app)
        [line] = [line for line in lines if ":00!" in line]
        assert "@qn" in line and ("@qnovak" in line or "@qn…" in line), line


async def test_the_filter_narrows_a_letter_at_a_time_and_backspace_widens_it_back(
    config: Config, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a board read as a big one (its texts joined for the filter): each letter
    shows, column by column and in order, the cards whose key, title, assignee or tags
    hold every word, and the counts say so; each backspace widens it back, to every
    card. The garbage collector waits while the keys come, and runs in the pause after
    them (and runs again once the app is gone)."""
    import gc

    from tui_board.ui import collector as collector_module
    from tui_board.ui.screens.board import view as board_module
    from tui_board.ui.state.cards import search_text

    monkeypatch.setattr(board_module, "PAGE_ABOVE", 10)
    monkeypatch.setattr(collector_module, "QUIET", 0.3)
    tasks = backend_for(config, clock=clock).list_tasks(project="APP")
    app = app_for(config, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert screen.state is not None and screen.state.complete
        assert gc.isenabled()
        await pilot.press("slash")
        typed, counts = "", []
        for key in [*"MON ce", *["backspace"] * 6]:
            await pilot.press("space" if key == " " else key)
            await pilot.pause()
            typed = typed[:-1] if key == "backspace" else typed + key
            assert not gc.isenabled(), typed
            words = typed.lower().split()
            frame = "\n".join(frame_text(app))
            count = 0
            for index, view in enumerate(screen._views):
                column = [t for t in tasks if t.column == view.column.name]
                expected = [t.key for t in column if all(w in search_text(t) for w in words)]
                assert shown_keys(screen, index) == expected, (typed, view.column.name)
                if len(expected) < len(column):
                    assert f"{len(expected)} of {len(column)}" in frame, (typed, frame)
                count += len(expected)
            counts.append(count)
        assert counts[-1] == len(tasks) > counts[2] > counts[5] > 0, counts  # MON, MON ce
        assert counts[:6] == sorted(counts[:6], reverse=True)
        assert counts[6:] == sorted(counts[6:]), counts  # each backspace widens
        await pilot.pause(0.6)
        assert gc.isenabled()
        await pilot.press("slash", *"zz")
        assert not gc.isenabled()
    assert gc.isenabled()
