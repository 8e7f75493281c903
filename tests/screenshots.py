"""The README's pictures: `python tests/screenshots.py [FOLDER]` (default `screenshots/`)
draws every screen and the dialogs worth showing on the demo data (`make_demo`, seed 7,
as of the fixed clock START) in the dark and the light theme, and the board and the
timesheet at 80x24 and under NO_COLOR, as SVGs named `<shot>-<theme>.svg`,
`<shot>-80x24.svg` and `<shot>-no-color.svg`. Run it after every change of the look.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

if __name__ == "__main__":  # run as a file: the repository's root is where `tests` is
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pytest

from tests.test_board_snapshots import with_timer
from tests.ui_helpers import (
    START,
    Clock,
    Terminal,
    app_for,
    backend_for,
    copy_store,
    make_demo_store,
    settle,
    terminal,
    utc_time,
)
from tui_board.config import Config

#: The themes drawn, by the name in the files' names.
THEMES = {"dark": "tui-board-dark", "light": "tui-board-light"}
#: The size of the pictures in the themes.
SIZE = (120, 36)
#: Each picture: the keys pressed from the board (after each the app settles).
SHOTS: dict[str, tuple[str, ...]] = {
    "board": ("j", "l"),
    "card-detail": ("enter",),
    "help": ("question_mark",),
    "command-palette": ("ctrl+p", *"APP-1"),
    "timesheet": ("2", "j", "1", "h", "3", "0"),
    "workload": ("3", "down"),
    "approvals": ("3", "v", "j"),
    "reports": ("3", "t"),
    "schedule": ("4",),
}
#: The pictures also drawn at 80x24 and under NO_COLOR (in the dark theme).
SMALL = ("board", "timesheet")
#: The day off shown on the timesheet: the Friday of START's week.
DAY_OFF = date(2026, 5, 15)


def make_store(folder: Path) -> Path:
    """The demo store as of START, made once, that every picture copies."""
    template = folder / "demo.db"
    make_demo_store(template)
    return template


def with_timer_and_day_off(config: Config) -> None:
    """alice's timer running on APP-6 (42 minutes) and Friday off."""
    with_timer(config)
    backend_for(config, clock=Clock(START - timedelta(minutes=1))).add_time_off(
        DAY_OFF, 480, kind="holiday"
    )


@contextmanager
def steady_terminal(kind: Terminal, folder: Path) -> Iterator[None]:
    """What the tests' `steady` fixture sets, outside pytest: no user config, theme or
    kept state, local time in UTC, and this kind of terminal."""
    with pytest.MonkeyPatch.context() as patch, utc_time():
        patch.setenv("TUI_BOARD_CONFIG", str(folder / "config" / "config.toml"))
        patch.setenv("TUI_BOARD_DATA", str(folder / "data"))
        terminal(patch, kind)
        yield


def shoot(
    template: Path,
    shot: str,
    target: Path,
    *,
    theme: str = "dark",
    size: tuple[int, int] = SIZE,
    kind: Terminal = "truecolor",
) -> Path:
    """Draw one picture (`SHOTS[shot]`) on a fresh copy of the demo store into `target`."""
    with tempfile.TemporaryDirectory() as scratch, steady_terminal(kind, Path(scratch)):
        copied = copy_store(template, Path(scratch))
        config = Config(db=copied.db, theme=THEMES[theme], chosen={"theme"})
        with_timer_and_day_off(config)
        app = app_for(config, clock=Clock(START))

        async def draw() -> str:
            async with app.run_test(size=size) as pilot:
                await settle(app, pilot)
                for key in SHOTS[shot]:
                    await pilot.press(key)
                    await settle(app, pilot)
                await pilot.pause(0.3)  # the header's timer shows at its first tick
                await settle(app, pilot)
                return app.export_screenshot(title="tui-board")

        target.write_text(asyncio.run(draw()))
    return target


def shoot_all(folder: Path) -> list[Path]:
    """Every picture into `folder`; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as scratch:
        template = make_store(Path(scratch))
        for shot in SHOTS:
            for theme in THEMES:
                written.append(shoot(template, shot, folder / f"{shot}-{theme}.svg", theme=theme))
        for shot in SMALL:
            written.append(shoot(template, shot, folder / f"{shot}-80x24.svg", size=(80, 24)))
            written.append(shoot(template, shot, folder / f"{shot}-no-color.svg", kind="no-color"))
    return written


if __name__ == "__main__":
    for path in shoot_all(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")):
        print(path)
