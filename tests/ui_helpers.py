"""What the UI tests share: one clock, one way to wait for the app (`settle`), the demo
stores (made once per process), and a steady environment: local time in UTC, no user
config or themes, no colour settings from the machine.

A test module takes the environment and the async runner by importing the fixtures:
`from tests.ui_helpers import anyio_backend, steady  # noqa: F401  (fixtures)`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, TypeVar

import pytest
import textual.constants
from textual import events
from textual._compositor import LayoutUpdate
from textual.pilot import Pilot
from textual.screen import Screen
from textual.strip import Strip

from tests.conftest import MutableClock as Clock
from tui_board.backend import open_backend
from tui_board.backend.protocol import Backend
from tui_board.config import Config
from tui_board.core.clock import fixed_clock
from tui_board.demo import DemoSize, make_demo
from tui_board.ui.app import BoardApp, make_app
from tui_board.ui.screens.board import BoardScreen
from tui_board.ui.session import Opening
from tui_board.ui.writer import SendsWrites

#: Wednesday 13 May 2026, 09:30 UTC: the demo's "today", in 2026-W20.
START = datetime(2026, 5, 13, 9, 30, tzinfo=UTC)
SIZE = (120, 40)
#: The demos: 8 people, 80 cards; alice is the admin and leads Web (cruiz, dwalsh,
#: mokafor), sokafor leads Mobile (bmartin, nlarsen, qnovak). The board's has two weeks
#: of time, the workload's six with weeks in every state.
BOARD_DEMO = DemoSize(users=8, tasks=80, weeks=2)
WORKLOAD_DEMO = DemoSize(users=8, tasks=80, weeks=6)
#: The demo `tui-board demo` makes (the README's pictures).
DEFAULT_DEMO = DemoSize()
#: Variables that change what the app draws, unset for the tests (then set by `terminal`).
COLOUR_VARIABLES = (
    "NO_COLOR",
    "FORCE_COLOR",
    "COLORTERM",
    "TEXTUAL_COLOR_SYSTEM",
    "TERM",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "TEXTUAL_FILTERS",
    "TEXTUAL_THEME",
    "COLUMNS",
    "LINES",
)
#: The terminals the tests draw on: what each sets (`terminal`).
Terminal = Literal["truecolor", "256", "16", "no-color"]
TERMINALS: dict[Terminal, dict[str, str]] = {
    "truecolor": {"TERM": "xterm-256color", "COLORTERM": "truecolor"},
    "256": {"TERM": "xterm-256color"},
    "16": {"TERM": "xterm"},
    "no-color": {"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"},
}

S = TypeVar("S", bound=Screen[None])
#: A clock: what time it is now.
Now = Callable[[], datetime]
#: What the header says the store is.
DEMO = "local: demo.db"


#: The clock of tests that never move it.
CLOCK = fixed_clock(START)


# --- the environment ---------------------------------------------------------------------------


@contextmanager
def utc_time() -> Iterator[None]:
    """Local time is UTC inside: "today" and the times shown do not depend on where the
    tests run."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def terminal(monkeypatch: pytest.MonkeyPatch, kind: Terminal) -> None:
    """The apps made from now on draw on this kind of terminal, whatever the shell that
    runs the tests has set: true colour, 256 colours, 16 (`TERM=xterm`), or true colour
    under NO_COLOR. Textual reads TEXTUAL_COLOR_SYSTEM once, on import: it is set back
    to `auto` (read from TERM and COLORTERM) here."""
    for name in COLOUR_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in TERMINALS[kind].items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "auto")


@pytest.fixture(autouse=True)
def steady(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The one environment of every UI test: no user config or themes, a true-colour
    terminal with no colour settings of the machine's (`terminal`), and local time in
    UTC. (The clock is the test's: `app_for(config, clock=...)`.)"""
    monkeypatch.setenv("TUI_BOARD_CONFIG", str(tmp_path / "config" / "config.toml"))
    terminal(monkeypatch, "truecolor")
    with utc_time():
        yield


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on anyio's pytest plugin (installed with Textual), on asyncio."""
    return "asyncio"


# --- the stores --------------------------------------------------------------------------------


def make_demo_store(path: Path, size: DemoSize = DEFAULT_DEMO, now: datetime = START) -> None:
    """The demo store as of `now` (alice its admin), the same wherever it is made."""
    with utc_time():
        make_demo(str(path), login="alice", size=size, seed=7, clock=Clock(now))


def copy_store(template: Path, folder: Path, name: str = "board.db") -> Config:
    """A copy of a store made once, for one test."""
    target = folder / name
    shutil.copy(template, target)
    return Config(db=str(target))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The board's demo store, made once per process."""
    path = tmp_path_factory.mktemp("board-demo") / "demo.db"
    make_demo_store(path, BOARD_DEMO)
    return path


@pytest.fixture(scope="session")
def workload_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workload's demo store (six weeks of time), made once per process."""
    path = tmp_path_factory.mktemp("workload-demo") / "demo.db"
    make_demo_store(path, WORKLOAD_DEMO)
    return path


def backend_for(
    config: Config, login: str = "alice", clock: Now = CLOCK, *, description: str = DEMO
) -> Backend:
    """A backend on the test's store; its header is the same wherever the test runs."""
    backend = open_backend(config, login=login, clock=clock)
    backend.description = description
    return backend


def app_for(config: Config, login: str = "alice", clock: Now = CLOCK, **header: str) -> BoardApp:
    """The app as `tui-board` makes it, on the test's store and clock (`description`:
    what its header says the store is)."""
    return make_app(
        config, backend_factory=lambda: backend_for(config, login, clock, **header), clock=clock
    )


# --- what the screen shows ---------------------------------------------------------------------


def frame(app: BoardApp) -> list[Strip]:
    """The screen's lines as the next full frame draws them (dialogs over their screen),
    as `App.export_screenshot` renders them."""
    update = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True
    )
    assert isinstance(update, LayoutUpdate)
    return [Strip.join(line) for line in update.strips]


def frame_text(app: BoardApp) -> list[str]:
    """The frame's lines as text."""
    return [line.text for line in frame(app)]


# --- waiting -----------------------------------------------------------------------------------


def quiet(app: BoardApp) -> bool:
    """The backend is open (or failed), no worker runs or waits, and every write has
    been stored and its answer shown."""
    return (
        not isinstance(app.connection, Opening)
        and all(worker.is_finished for worker in app.workers)
        and not app.writer.busy()
        and not any(
            screen.writes_pending for screen in app.screen_stack if isinstance(screen, SendsWrites)
        )
    )


async def settle(
    app: BoardApp, pilot: Pilot[None], ready: Callable[[], bool] = lambda: True
) -> None:
    """Wait until the app is `quiet` and `ready()` holds."""
    for _ in range(300):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if quiet(app) and ready():
            return
    raise AssertionError(f"the app did not settle: {app.connection}, screen {app.screen}")


async def settle_on(
    app: BoardApp,
    pilot: Pilot[None],
    mode: str,
    screen_type: type[S],
    ready: Callable[[S], bool] = lambda screen: True,
) -> S:
    """`settle` until the mode's screen shows its data (and `ready(screen)` holds); that
    screen."""

    def shown() -> bool:
        screen = app.screen_stack[0] if app.current_mode == mode else None
        return isinstance(screen, screen_type) and screen.has_class("-loaded") and ready(screen)

    await settle(app, pilot, shown)
    screen = app.screen_stack[0]
    assert isinstance(screen, screen_type)
    return screen


async def press_then_quit(
    app: BoardApp, screen: SendsWrites, key: str, character: str | None
) -> None:
    """Press a key that writes and `q` at once, as a hurried user does: both go in before
    the app's next turn, so the store has not answered when the app begins to quit."""
    assert app._driver is not None
    asked = screen.writes_asked
    app._driver.send_message(events.Key(key, character))
    app._driver.send_message(events.Key("q", "q"))
    for _ in range(10_000):  # the app has begun to quit
        if app.return_code is not None:
            break
        await asyncio.sleep(0.001)
    else:
        raise AssertionError("q did not quit the app")
    assert screen.writes_asked == asked + 1, "the key asked for its write before q"


# --- the board on its demo store, as most board tests use it ----------------------------------


@pytest.fixture(name="config")
def board_demo_config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    """`config`: a copy of the board's demo store for one test (import
    `board_demo_config` to use it)."""
    return copy_store(request.getfixturevalue("demo_template"), tmp_path)


@pytest.fixture(name="clock")
def start_clock() -> Clock:
    """`clock`: a clock standing at the demo's START (import `start_clock`)."""
    return Clock(START)


async def on_board(app: BoardApp, pilot: Pilot[None]) -> BoardScreen:
    """Wait until the board is shown and every write and read has been answered."""
    return await settle_on(app, pilot, "board", BoardScreen)
