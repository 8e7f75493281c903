"""The app's shell: modes, help, palette, keymap, themes and opening the backend, driven
by Pilot against a real SQLite database."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Label, Static

from tui_board.backend import open_backend
from tui_board.backend.protocol import Backend
from tui_board.config import DEFAULT_THEME, Config
from tui_board.core.clock import fixed_clock
from tui_board.core.errors import BoardError
from tui_board.ui.app import BoardApp, make_app
from tui_board.ui.screens.help import HelpScreen
from tui_board.ui.session import Connected, Failed, Opening
from tui_board.ui.widgets.top_bar import TopBar

#: Async tests run on anyio's pytest plugin (installed with Textual), on asyncio.
pytestmark = pytest.mark.anyio

CLOCK = fixed_clock(datetime(2026, 5, 13, 9, 30))
SIZE = (120, 40)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's own config and themes stay out of the tests."""
    monkeypatch.setenv("TUI_BOARD_CONFIG", str(tmp_path / "config" / "config.toml"))


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """A fresh database whose admin is alice."""
    config = Config(db=str(tmp_path / "t.db"))
    backend = open_backend(config, login="alice", create=True, clock=CLOCK)
    assert backend.me().role == "admin"  # the first login to touch a new database
    backend.close()
    return config


def as_alice(config: Config) -> Callable[[], Backend]:
    return lambda: open_backend(config, login="alice", clock=CLOCK)


def board_app(config: Config) -> BoardApp:
    return make_app(config, backend_factory=as_alice(config), clock=CLOCK)


async def settle(app: BoardApp, pilot: Pilot[None]) -> None:
    """Wait until the backend has answered and every worker has delivered its result."""
    for _ in range(200):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not isinstance(app.connection, Opening) and not any(
            worker.is_running for worker in app.workers
        ):
            return
    raise AssertionError(f"the app did not settle: {app.connection}")


def text_of(widget: Static) -> str:
    return str(widget.content)


async def test_header_shows_who_and_which_backend(config: Config) -> None:
    app = board_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.connection, Connected)
        assert app.me is not None and app.me.login == "alice"
        who = text_of(app.screen.query_one(TopBar).query_one(".top-bar--who", Label))
        assert "(alice, admin)" in who
        assert "local:" in who
        assert "(alice, admin)" in app.sub_title


async def test_number_keys_switch_modes(config: Config) -> None:
    app = board_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.current_mode == "board"
        for key, mode in (("2", "timesheet"), ("3", "workload"), ("1", "board")):
            await pilot.press(key)
            await settle(app, pilot)
            assert app.current_mode == mode
            assert app.screen.query_one(TopBar).who.startswith("alice (alice, admin)")


async def test_each_screen_shows_facts_from_the_backend(config: Config) -> None:
    backend = as_alice(config)()
    backend.create_project("WEB", "Website")
    backend.close()
    app = board_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "WEB" in str(app.screen.query_one("#board-project", Label).content)
        await pilot.press("2")
        await settle(app, pilot)
        facts = text_of(app.screen.query_one(".mode-facts", Static))
        assert "2026-W20" in facts
        assert "0:00 logged" in facts
        await pilot.press("3")
        await settle(app, pilot)
        assert "1 person" in text_of(app.screen.query_one(".mode-facts", Static))


async def test_help_lists_the_keys_and_closes(config: Config) -> None:
    app = board_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("?")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = [str(label.content) for label in app.screen.query(".help--keys").results(Label)]
        for key in ("1", "2", "3", "?", "r", "^p"):
            assert key in keys
        assert "q / ^q" in keys
        groups = [str(label.content) for label in app.screen.query(".help--group").results(Label)]
        assert groups[:2] == ["Board", "Everywhere"]

        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.current_mode == "board"

        for closing_key in ("q", "?"):
            await pilot.press("?")
            await pilot.pause()
            await pilot.press(closing_key)
            await pilot.pause()
            assert not isinstance(app.screen, HelpScreen)
        assert app.return_code is None  # q closed the help, not the app


async def test_q_quits(config: Config) -> None:
    app = board_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_q_while_typing_is_just_a_letter(config: Config) -> None:
    app = board_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("q", "2")
        await pilot.pause()
        assert app.return_code is None
        assert app.current_mode == "board"
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_every_key_is_a_palette_command(config: Config) -> None:
    app = board_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Board", "Timesheet", "Workload", "Help", "Quit", "Reload", "Theme"):
            assert title in titles
        assert titles.count("Quit") == 1

        timesheet = next(c for c in app.get_system_commands(app.screen) if c.title == "Timesheet")
        await timesheet.callback()
        await settle(app, pilot)
        assert app.current_mode == "timesheet"


async def test_keymap_remaps_a_binding_by_id(config: Config) -> None:
    config.keymap = {"timesheet": "w"}  # a key the board does not use ("t" logs time)
    app = board_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await pilot.pause()
        assert app.current_mode == "board"
        await pilot.press("w")
        await settle(app, pilot)
        assert app.current_mode == "timesheet"


async def test_an_error_opening_the_backend_is_shown_not_raised(config: Config) -> None:
    def refuse() -> Backend:
        raise BoardError("no such user")

    app = make_app(config, backend_factory=refuse, clock=CLOCK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.connection, Failed)
        assert app.backend is None
        status = text_of(app.screen.query_one(".mode-status", Static))
        assert "no such user" in status
        assert app.screen.query_one(".mode-status").has_class("-error")
        await pilot.press("2")  # the other screens say so too, and nothing crashes
        await settle(app, pilot)
        assert "no such user" in text_of(app.screen.query_one(".mode-status", Static))
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_reload_retries_opening_the_backend(config: Config) -> None:
    attempts: list[int] = []

    def flaky() -> Backend:
        attempts.append(1)
        if len(attempts) == 1:
            raise BoardError("database is locked")
        return as_alice(config)()

    app = make_app(config, backend_factory=flaky, clock=CLOCK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.connection, Failed)
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.connection, Connected)
        assert not app.screen.query_one(".mode-status").display


async def test_first_frame_does_not_wait_for_the_backend(config: Config) -> None:
    release = threading.Event()

    def slow() -> Backend:
        release.wait(10)
        return as_alice(config)()

    app = make_app(config, backend_factory=slow, clock=CLOCK)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.connection, Opening)
        status = text_of(app.screen.query_one(".mode-status", Static))
        assert status.startswith("Opening local: ")
        assert app.screen.query_one(".mode-facts").loading
        await pilot.press("2")  # keys work while the backend is opening
        await pilot.pause()
        assert app.current_mode == "timesheet"
        release.set()
        await settle(app, pilot)
        assert isinstance(app.connection, Connected)


async def test_unknown_theme_falls_back_to_the_default(config: Config) -> None:
    config.theme = "no-such-theme"
    app = board_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.theme == DEFAULT_THEME


async def test_configured_theme_is_used(config: Config) -> None:
    config.theme = "tui-board-light"
    app = board_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.theme == "tui-board-light"
        assert not app.current_theme.dark


async def test_readable_at_80_by_24(config: Config) -> None:
    app = board_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("?")
        await pilot.pause()
        panel = app.screen.query_one("#help-panel")
        assert panel.region.width <= 80
        assert panel.region.height <= 24


def test_the_app_module_stays_light() -> None:
    code = (
        "import tui_board.ui.app, sys; "
        "print(any(m.startswith(('sqlmodel','sqlalchemy','httpx')) for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
