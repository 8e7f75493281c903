"""Where the keys land: a filter that hides the focused card moves the focus to the
nearest shown card (so `enter`, `t`, `a` act on a card the user sees), and a mode's key
always opens the mode's main screen. Pilot on a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.ui_helpers import (  # noqa: F401  (fixtures)
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
    settle,
    settle_on,
    steady,
    workload_demo,
)
from tests.ui_helpers import on_board as board
from tui_board.config import Config
from tui_board.core.models import TaskPatch
from tui_board.ui.dialogs import PickerScreen, TaskDetailScreen
from tui_board.ui.screens.approvals import ApprovalsScreen
from tui_board.ui.screens.board import BoardScreen
from tui_board.ui.screens.timesheet import TimesheetScreen
from tui_board.ui.screens.workload import WorkloadScreen
from tui_board.ui.state.board import Cards, search_text

pytestmark = pytest.mark.anyio


def columns(screen: BoardScreen) -> list[Cards]:
    """Every card of the board, column by column, in order (whatever the filter)."""
    assert screen.state is not None
    return [screen.state.cards(view.column.id) for view in screen._views]


async def test_a_filter_that_hides_the_focused_card_focuses_the_nearest_in_its_column(
    config: Config,
) -> None:
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        screen = await board(app, pilot)
        first = columns(screen)[0]
        # A person with cards in the first column, but not the third one's.
        await pilot.press("j", "j")
        focused = screen.focused_card()
        assert focused == first[2]
        person = next(t.assignee for t in first if t.assignee not in (None, focused.assignee))
        assert person is not None
        places = [i for i, t in enumerate(first) if t.assignee == person]
        nearest = min(places, key=lambda i: (abs(i - 2), i))
        await pilot.press("slash", *person, "enter")
        await pilot.pause()
        assert screen._focus_column == 0
        assert screen.focused_card() == first[nearest]
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TaskDetailScreen)
        assert app.screen.card.key == first[nearest].key


async def test_a_filter_that_empties_the_column_focuses_the_nearest_column(
    config: Config,
) -> None:
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        screen = await board(app, pilot)
        board_columns = columns(screen)
        # The focus is on the first column; a card of the third is the only one shown.
        every = [t for cards in board_columns for t in cards]
        target = next(
            t
            for t in board_columns[2]
            if not any(t.key.lower() in search_text(other) for other in every if other != t)
        )
        await pilot.press("slash", *target.key.lower(), "enter")
        await pilot.pause()
        shown = [[t.key for t in view.card_list.cards] for view in screen._views]
        assert [keys for keys in shown if keys] == [[target.key]]
        assert screen._focus_column == 2
        assert screen.focused_card() == target
        backend = backend_for(config)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert target.key in app.screen.heading
        await pilot.press("escape")
        await pilot.press("escape")  # the filter goes, the focus stays on the card
        await pilot.pause()
        assert screen.focused_card() == target
        assert backend.get_task(target.key).version == target.version


async def test_only_mine_moves_the_focus_to_one_of_my_cards(config: Config) -> None:
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        screen = await board(app, pilot)
        focused = screen.focused_card()
        assert focused is not None and focused.assignee != "alice"
        await pilot.press("m")
        mine = screen.focused_card()
        assert mine is not None and mine.assignee == "alice"
        await pilot.press("t")
        await pilot.pause()
        assert mine.key in str(app.screen.query_one(".dialog").border_title)


async def test_when_no_card_is_shown_the_card_keys_say_so(config: Config) -> None:
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        screen = await board(app, pilot)
        await pilot.press("slash", *"no such card anywhere", "enter")
        await pilot.pause()
        assert screen.focused_card() is None
        for key in ("enter", "t", "a"):
            app.clear_notifications()
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen
            said = [n.message for n in app._notifications]
            assert said == ["No card: the filter hides every card (esc clears the filter)."]


def cursor_key(screen: BoardScreen) -> str | None:
    """The card the focused column draws its cursor on (what the user sees focused)."""
    card_list = screen._views[screen._focus_column].card_list
    cursor = card_list.cursor
    return None if cursor is None else card_list.cards[cursor].key


async def test_my_own_assign_under_only_mine_focuses_the_nearest_shown_card_and_undo_too(
    config: Config,
) -> None:
    """Only mine: alice's one card in "To do" goes to qnovak; the focus goes to her
    nearest card (in "Done"), `enter` opens it; `u` brings the card back and focuses it,
    `U` sends it away again and the focus moves on again."""
    app = app_for(config, clock=Clock(START))
    backend = backend_for(config)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board(app, pilot)
        board_columns = columns(screen)
        mine = [[t.key for t in cards if t.assignee == "alice"] for cards in board_columns]
        # The demo: alice's only card of "To do", and two in "Done" (further right).
        assert [len(keys) for keys in mine] == [0, 1, 0, 0, 2]
        [lone] = mine[1]
        await pilot.press("m")
        await pilot.pause()
        assert screen._focus_column == 1 and screen.focused_card().key == lone  # type: ignore[union-attr]
        await pilot.press("a", *"qnov", "enter")
        await settle(app, pilot)
        assert backend.get_task(lone).assignee == "qnovak"
        after = screen.focused_card()
        assert after is not None and after.assignee == "alice"
        assert screen._focus_column == 4 and after.key in mine[4]
        assert cursor_key(screen) == after.key
        assert not any(view.card_list.cursor is not None for view in screen._views[:4])
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TaskDetailScreen)
        assert app.screen.card.key == after.key
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        assert backend.get_task(lone).assignee == "alice"
        assert screen._focus_column == 1 and screen.focused_card().key == lone  # type: ignore[union-attr]
        await pilot.press("U")
        await settle(app, pilot)
        assert backend.get_task(lone).assignee == "qnovak"
        again = screen.focused_card()
        assert again is not None and again.key in mine[4] and screen._focus_column == 4
        assert cursor_key(screen) == again.key
        app.clear_notifications()
        await pilot.press("t")
        await pilot.pause()
        assert again.key in str(app.screen.query_one(".dialog").border_title)


async def test_a_card_taken_away_elsewhere_moves_the_focus_to_a_shown_card(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The change feed takes the focused card out of the filtered view (reassigned by
    someone else), then out of the board (archived): the focus stays on a shown card."""
    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 0.2)
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        screen = await board(app, pilot)
        mine = [[t.key for t in cards if t.assignee == "alice"] for cards in columns(screen)]
        [lone] = mine[1]
        await pilot.press("m")
        await pilot.pause()
        assert screen.focused_card().key == lone  # type: ignore[union-attr]
        other = backend_for(config, "sokafor")
        other.update_task(lone, other.get_task(lone).version, TaskPatch(assignee="qnovak"))
        for _ in range(50):
            await pilot.pause(0.1)
            if screen._focus_column == 4:
                break
        focused = screen.focused_card()
        assert focused is not None and focused.key in mine[4]
        assert cursor_key(screen) == focused.key
        other.archive_task(focused.key, other.get_task(focused.key).version)
        [left] = [key for key in mine[4] if key != focused.key]
        for _ in range(50):
            await pilot.pause(0.1)
            if screen.state is not None and screen.state.get(focused.key) is None:
                break
        await pilot.pause()
        assert screen.focused_card().key == left  # type: ignore[union-attr]
        assert cursor_key(screen) == left


@pytest.fixture
def workload_config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    return copy_store(request.getfixturevalue("workload_demo"), tmp_path)


async def test_mode_keys_open_the_modes_main_screen(workload_config: Config) -> None:
    config = workload_config
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        await board(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, WorkloadScreen)
        await pilot.press("v")
        await settle(app, pilot)
        assert isinstance(app.screen, ApprovalsScreen)
        await pilot.press("1")
        await board(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, WorkloadScreen), app.screen
        # From the timesheet, `w` does the same; and `3` on the approvals too.
        await pilot.press("v")
        await settle(app, pilot)
        assert isinstance(app.screen, ApprovalsScreen)
        await pilot.press("2")
        await settle(app, pilot)
        assert isinstance(app.screen, TimesheetScreen)
        await pilot.press("w")
        await settle(app, pilot)
        assert isinstance(app.screen, WorkloadScreen), app.screen
        await pilot.press("v")
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, WorkloadScreen), app.screen


@pytest.mark.parametrize("width", [80, 120])
async def test_the_boards_footer_shows_help_and_quit_and_every_footer_fits(
    workload_config: Config, width: int
) -> None:
    """The board's footer keeps `? Help` and `q Quit` at any width; the other screens'
    daily keys come first (they fill 80 columns), help and quit where there is room."""
    app = app_for(workload_config, clock=Clock(START))
    async with app.run_test(size=(width, 24)) as pilot:
        await board(app, pilot)
        footers = {}
        for key, kind in (("2", TimesheetScreen), ("w", WorkloadScreen), ("v", ApprovalsScreen)):
            footers[type(app.screen).__name__] = frame_text(app)[-1]
            await pilot.press(key)
            await settle(app, pilot)
            assert isinstance(app.screen, kind)
        footers[type(app.screen).__name__] = frame_text(app)[-1]
    for name, footer in footers.items():
        assert cell_len(footer) == width, (name, footer)
        assert footer.rstrip().endswith("^p Commands"), (name, footer)
    assert "? Help" in footers["BoardScreen"] and "q Quit" in footers["BoardScreen"]
    if width == 120:
        for name in ("BoardScreen", "WorkloadScreen", "ApprovalsScreen"):
            assert "? Help" in footers[name] and "q Quit" in footers[name], footers[name]
        assert "p Project" in footers["BoardScreen"]
