"""The app's shell: modes, help, palette, keymap, themes and opening the backend, driven
by Pilot against a real SQLite database."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from textual.command import CommandPalette
from textual.widgets import Label, Static

from tests.ui_helpers import (  # noqa: F401  (fixtures)
    CLOCK,
    SIZE,
    anyio_backend,
    app_for,
    copy_store,
    frame_text,
    settle,
    steady,
    workload_demo,
)
from tui_board.backend import open_backend
from tui_board.backend.protocol import Backend
from tui_board.config import DEFAULT_THEME, Config
from tui_board.core.errors import BoardError
from tui_board.core.models import User
from tui_board.ui.app import BoardApp, make_app
from tui_board.ui.plain_text import cut
from tui_board.ui.screens.approvals import ApprovalsScreen
from tui_board.ui.screens.board import BoardScreen
from tui_board.ui.screens.help import HelpScreen
from tui_board.ui.screens.reports import ReportsScreen
from tui_board.ui.screens.timesheet import TimesheetScreen
from tui_board.ui.screens.workload import WorkloadScreen
from tui_board.ui.session import Connected, Failed, Opening
from tui_board.ui.widgets.top_bar import TopBar

pytestmark = pytest.mark.anyio


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


def text_of(widget: Static) -> str:
    return str(widget.content)


async def test_header_shows_who_and_which_backend(config: Config) -> None:
    app = board_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.connection, Connected)
        assert app.me is not None and app.me.login == "alice"
        who = text_of(app.screen.query_one(TopBar).query_one(".top-bar--who", Label))
        assert who.startswith("alice · admin") and "(alice" not in who
        assert "local:" in who
        assert "alice · admin" in app.sub_title


def test_the_header_names_a_person_once() -> None:
    """`alice · admin` when the name is the login, `Alice Example (alice) · lead` when not."""
    same = User(id=1, login="alice", name="alice", role="admin")
    named = User(id=2, login="alice", name="Alice Example", role="lead")
    backend = cast(Backend, None)
    assert Connected(backend, same).who == "alice · admin"
    assert Connected(backend, named).who == "Alice Example (alice) · lead"


async def test_number_keys_switch_modes(config: Config) -> None:
    app = board_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.current_mode == "board"
        # On the timesheet digits type durations: its letters reach the other screens.
        for key, mode in (("2", "timesheet"), ("w", "workload"), ("1", "board")):
            await pilot.press(key)
            await settle(app, pilot)
            assert app.current_mode == mode
            assert app.screen.query_one(TopBar).who.startswith("alice · admin")


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
        await pilot.press("w")  # on the timesheet, `3` would be a duration
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


#: The keys each screen's footer must show whole at 80 columns: its daily ones.
KEYS_THAT_MATTER = {
    "board": ("New", "Open", "Assign", "Log", "Timer"),
    "timesheet": ("Quick", "Comment", "Add row", "Prev week", "Next week", "Submit"),
    "workload": ("Details", "Earlier", "Later", "Approvals", "Reports"),
    "approvals": ("Back", "Approve", "Reject", "Reopen"),
    "reports": ("Back", "By", "Dates", "Export"),
}


def footer_items(line: str) -> list[str]:
    """The descriptions a footer line shows (`n New  ⏎ Open …▏^p Commands`), the
    last one perhaps cut by the edge."""
    keys = line.partition("\u258f")[0]  # the palette's key stands apart, on the right
    return [item.strip().partition(" ")[2] for item in keys.split("  ") if item.strip()]


def check_readable(app: BoardApp, name: str, focused: str) -> None:
    """At 80x24: the top bar on top with the screen's title, the footer at the bottom
    with the keys that matter whole (any cut is past them), and `focused` in sight."""
    lines = frame_text(app)
    assert len(lines) == 24 and all(len(line) <= 80 for line in lines), name
    title = app.screen.title or ""
    assert title and title in lines[0], (name, lines[0])
    items = footer_items(lines[-1])
    assert "Commands" in lines[-1], (name, lines[-1])
    missing = [key for key in KEYS_THAT_MATTER[name] if key not in items]
    assert not missing, (name, missing, lines[-1])
    assert focused and any(focused in line for line in lines[1:-1]), (name, focused, lines)


async def test_readable_at_80_by_24(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Every screen at 80x24, on the demo's data: what it is, its daily keys, and the
    thing the keys act on, in sight."""
    config = copy_store(request.getfixturevalue("workload_demo"), tmp_path)
    app = app_for(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        board = app.screen
        assert isinstance(board, BoardScreen) and board.has_class("-loaded")
        await pilot.press("l", "l", "l", "l", "j")  # a card in the last column, off screen at first
        await settle(app, pilot)
        card = board.focused_card()
        assert card is not None
        check_readable(app, "board", card.key)

        await pilot.press("2")
        await settle(app, pilot)
        sheet = app.screen
        assert isinstance(sheet, TimesheetScreen) and sheet.sheet is not None
        await pilot.press("G")  # the week's last task
        await settle(app, pilot)
        check_readable(app, "timesheet", sheet.sheet.focus_key or "")

        await pilot.press("w")  # digits type durations here
        await settle(app, pilot)
        workload = app.screen
        assert isinstance(workload, WorkloadScreen) and workload.grid.workload is not None
        await pilot.press("G")  # the last person
        await settle(app, pilot)
        spot = workload.grid.spot()
        names = {row.user: row.name for row in workload.grid.workload.rows}
        check_readable(app, "workload", cut(names[spot.user or ""], 12))

        await pilot.press("v")
        await settle(app, pilot)
        approvals = app.screen
        assert isinstance(approvals, ApprovalsScreen) and approvals.queue is not None
        week = approvals.queue.weeks[approvals.table.cursor_row]
        check_readable(app, "approvals", cut(week.name, 12))

        await pilot.press("escape", "t")
        await settle(app, pilot)
        reports = app.screen
        assert isinstance(reports, ReportsScreen)
        first = str(reports.table.get_row_at(reports.table.cursor_row)[0])
        check_readable(app, "reports", first[:8])

        await pilot.press("escape", "1", "question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        panel = app.screen.query_one("#help-panel")
        assert panel.region.width <= 80 and panel.region.height <= 24
        lines = frame_text(app)
        assert any("Help" in line or "Board" in line for line in lines[:3]), lines[:3]
        assert any("New" in line for line in lines), "the board's first key is in sight"


def test_the_app_module_stays_light() -> None:
    code = (
        "import tui_board.ui.app, sys; "
        "print(any(m.startswith(('sqlmodel','sqlalchemy','httpx')) for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_loaded_class_is_only_ever_a_childs_condition() -> None:
    """`ModeScreen.set_loaded` styles again only the screen and its children; a rule that
    reached further down (`Screen.-loaded Widget`) would not be applied."""
    import re

    package = Path(__file__).resolve().parent.parent / "tui_board"
    rules = [
        (path.name, match.group(0))
        for path in [*package.rglob("*.py"), *package.rglob("*.tcss")]
        for match in re.finditer(r"\.-loaded\b[^{,]*", path.read_text())
    ]
    assert rules, "the screens' CSS names the class"
    for name, rule in rules:
        assert re.fullmatch(r"\.-loaded\s*>\s*[^\s>]+\s*", rule), (name, rule)


async def test_the_footer_chooses_its_keys_again_when_the_width_changes(config: Config) -> None:
    from textual.widgets._footer import FooterKey

    def shown() -> list[str]:
        return [key.action for key in app.screen.query(FooterKey)]

    async def resized(width: int, height: int) -> list[str]:
        await pilot.resize_terminal(width, height)
        for _ in range(5):
            await pilot.pause()
        await settle(app, pilot)
        return shown()

    app = board_app(config)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(app, pilot)
        wide = shown()
        narrow = await resized(80, 24)
        assert any("switch_mode('timesheet')" in action for action in wide), wide
        assert set(narrow) < set(wide), (narrow, wide)
        assert await resized(160, 30) == wide


async def test_a_theme_chosen_on_one_screen_reaches_the_others(config: Config) -> None:
    """A mode's screen made before the theme changed is styled anew when shown again
    (`BoardApp.refresh_css` skips only the refreshes that change nothing)."""
    app = board_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        timesheet = app.screen
        await pilot.press("1")
        await settle(app, pilot)
        before = timesheet.styles.background
        app.theme = "tui-board-light" if app.theme != "tui-board-light" else "tui-board-dark"
        await settle(app, pilot)
        board_background = app.screen.styles.background
        await pilot.press("2")
        await settle(app, pilot)
        assert app.screen is timesheet
        assert timesheet.styles.background != before
        assert timesheet.styles.background == board_background
