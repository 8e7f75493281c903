"""The pickers (assign, project, add a row, reassign): they open on the current choice,
`enter` picks the highlighted one, the arrows move one step. Driven by Pilot on a real
SQLite store; what the backend stored is checked."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

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
    settle_on,
    steady,
)
from tests.ui_helpers import on_board as settle
from tui_board.config import Config
from tui_board.ui.app import BoardApp
from tui_board.ui.dialogs import PickerScreen
from tui_board.ui.screens.board import BoardScreen

pytestmark = pytest.mark.anyio


def picker(app: BoardApp) -> PickerScreen[str]:
    screen = app.screen
    assert isinstance(screen, PickerScreen), screen
    return screen


def highlighted(app: BoardApp) -> str:
    """The value of the highlighted item."""
    screen = picker(app)
    index = screen.query_one(OptionList).highlighted
    assert index is not None, "nothing is highlighted"
    return screen.items[screen._shown[index]][1]


def logins(screen: BoardScreen) -> list[str]:
    """The assign picker's values, in its order."""
    return ["", *(user.login for user in screen.users if user.active)]


async def test_enter_keeps_the_current_assignee(config: Config) -> None:
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        task = screen.focused_card()
        assert task is not None and task.assignee is not None
        await pilot.press("a")
        await pilot.pause()
        assert highlighted(app) == task.assignee
        assert "(current)" in str(
            picker(app)
            .query_one(OptionList)
            .get_option_at_index(logins(screen).index(task.assignee))
            .prompt
        )
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        stored = backend_for(config).get_task(task.key)
        assert (stored.assignee, stored.version) == (task.assignee, task.version)


async def test_down_then_enter_assigns_the_next_person(config: Config) -> None:
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        people = logins(screen)
        # A card whose assignee has someone after them in the list.
        for _ in range(10):
            found = screen.focused_card()
            assert found is not None
            if found.assignee in people[:-1]:
                break
            await pilot.press("j")
        task = found
        assert task is not None
        assert task.assignee is not None
        following = people[people.index(task.assignee) + 1]
        await pilot.press("a", "down")
        await pilot.pause()
        assert highlighted(app) == following
        await pilot.press("enter")
        await settle(app, pilot)
        assert backend_for(config).get_task(task.key).assignee == following
        assert screen.focused_card().assignee == following  # type: ignore[union-attr]


async def test_arrows_move_one_step_from_the_first_when_there_is_no_current(
    config: Config,
) -> None:
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        people = logins(screen)
        backend = backend_for(config)
        task = screen.focused_card()
        assert task is not None
        # A picker with no current item opens on the first.
        app.push_screen(PickerScreen("Pick", [(login or "nobody", login) for login in people]))
        await pilot.pause()
        assert highlighted(app) == people[0]
        await pilot.press("down", "down", "up")
        assert highlighted(app) == people[1]
        await pilot.press("escape")
        # Typing narrows to the best match; clearing goes back to the current one.
        await pilot.press("a", *"qnov")
        await pilot.pause()
        assert highlighted(app) == "qnovak"
        await pilot.press(*["backspace"] * 4)
        await pilot.pause()
        assert highlighted(app) == task.assignee
        await pilot.press("escape")
        await settle(app, pilot)
        assert backend.get_task(task.key).version == task.version


async def test_the_project_picker_opens_on_the_current_project(config: Config) -> None:
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert screen.state is not None
        shown = screen.state.project.key
        await pilot.press("p")
        await settle(app, pilot)
        assert highlighted(app) == shown
        await pilot.press("enter")
        screen = await settle(app, pilot)
        assert screen.state is not None and screen.state.project.key == shown
        await pilot.press("p")
        await settle(app, pilot)
        keys = [value for _, value in picker(app).items]
        following = keys[keys.index(shown) + 1]
        await pilot.press("down", "enter")
        screen = await settle(app, pilot)
        assert screen.state is not None and screen.state.project.key == following


async def test_the_highlight_is_drawn_as_a_cursor_though_the_list_has_no_focus(
    config: Config,
) -> None:
    """The query field keeps the focus: the highlighted item is still drawn in the
    theme's cursor colours, not the faint ones of an unfocused list."""
    app = app_for(config, clock=Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        options = picker(app).query_one(OptionList)
        assert not options.has_focus
        index = options.highlighted
        assert index is not None
        cursor = options.get_component_rich_style("option-list--option-highlighted")
        assert cursor.bgcolor is not None
        wanted = app.theme_variables["block-cursor-background"].lower()
        assert cursor.bgcolor.triplet is not None and cursor.bgcolor.triplet.hex == wanted
        line = options.render_line(index - round(options.scroll_offset.y))
        assert any(s.style is not None and s.style.bgcolor == cursor.bgcolor for s in line)
