"""Every theme on every kind of terminal (true colour, 256, 16, NO_COLOR): on each screen
(board, timesheet, workload, approvals, reports, schedule) no text is drawn in its own
background colour or too near it (on 16 colours, as xterm's palette draws them), the
cursor shows, and the workload's four bands differ by more than colour.

What is checked is the frame as the terminal gets it: Textual's compositor after the
app's line filters, which bring colours down to the terminal's (`TerminalColours`) and
take them away under NO_COLOR.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from rich.color import Color, ColorType
from rich.color_triplet import ColorTriplet
from rich.style import Style
from textual.pilot import Pilot
from textual.strip import Strip

from tests import ui_helpers as ui
from tests.ui_helpers import (  # noqa: F401  (fixtures)
    TERMINALS,
    Terminal,
    anyio_backend,
    steady,
    terminal,
    workload_demo,
)
from tui_board.config import Config
from tui_board.core.workload import BANDS, band
from tui_board.themes import builtin_themes_dir, load_theme_file
from tui_board.ui.app import BoardApp
from tui_board.ui.screens.approvals import ApprovalsScreen
from tui_board.ui.screens.board import BoardScreen
from tui_board.ui.screens.reports import ReportsScreen
from tui_board.ui.screens.schedule import ScheduleScreen
from tui_board.ui.screens.timesheet import TimesheetScreen
from tui_board.ui.screens.workload import WorkloadScreen
from tui_board.ui.terminal_colours import _XTERM, MIN_CONTRAST
from tui_board.ui.widgets.workload_grid import BAND_MARKS

pytestmark = pytest.mark.anyio

THEMES = sorted(load_theme_file(path).name for path in builtin_themes_dir().glob("*.toml"))
#: Each screen: how to get there from the one before (digits on the timesheet are
#: durations: `w` for the workload), its type, and a key that moves its cursor.
SCREENS: tuple[tuple[tuple[str, ...], type, str], ...] = (
    (("1",), BoardScreen, "j"),
    (("2",), TimesheetScreen, "j"),
    (("escape", "w"), WorkloadScreen, "j"),
    (("v",), ApprovalsScreen, "j"),
    (("escape", "t"), ReportsScreen, "j"),
    (("escape", "4"), ScheduleScreen, "j"),
)


#: The least contrast (WCAG's ratio, 1 to 21) of any text with its background where the
#: terminal's colours are known: muted text may be quiet, never faint.
LEAST_CONTRAST = 2.5


def colour_key(color: Color | None) -> str:
    """A colour as the terminal tells it apart: None and `default` are the terminal's."""
    if color is None or color.is_default:
        return "default"
    if color.triplet is not None:
        return color.triplet.hex
    return f"{color.type.name}:{color.number}"


def known(color: Color | None) -> ColorTriplet | None:
    """The colour a terminal shows for sure: true colour, or one of the 240 fixed colours
    of 256 (the first 16 are the terminal's palette)."""
    if color is None or color.is_default:
        return None
    if color.triplet is not None:
        return color.triplet
    if color.type == ColorType.EIGHT_BIT and color.number is not None and color.number >= 16:
        return color.get_truecolor()
    return None


def palette_rgb(color: Color | None) -> ColorTriplet | None:
    """One of the terminal's 16 colours as xterm draws it (most palettes are near it;
    the 16-colour filter keeps text at `MIN_CONTRAST` there)."""
    if color is None or color.is_default or color.triplet is not None:
        return None
    if color.number is None or color.number >= 16:
        return None
    return ColorTriplet(*_XTERM[color.number])


def luminance(triplet: ColorTriplet) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = triplet
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: ColorTriplet, b: ColorTriplet) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def same_hue(ink: Color | None, paper: Color | None) -> bool:
    """Text in the bright form of its background's palette colour or the other way
    round (bright blue on blue): the terminal's palette decides, and on most the pair
    hardly differs. (Black and bright black, white and bright white are apart.)"""

    def palette(color: Color | None) -> int | None:
        if color is None or color.is_default or color.triplet is not None:
            return None
        number = color.number
        return number if number is not None and number < 16 else None

    a, b = palette(ink), palette(paper)
    return a is not None and b is not None and a != b and a % 8 == b % 8 and a % 8 not in (0, 7)


def is_decoration(text: str) -> bool:
    """Lines and bars (box drawing, block elements): not text to read."""
    return all(char.isspace() or "\u2500" <= char <= "\u259f" for char in text)


def clashes(strips: list[Strip]) -> list[str]:
    """Every run of visible text drawn in its background's colour (or, where the colours
    are known, too near it): `line 3: 'APP-1' in #ffffff on #ffffff`."""
    found = []
    for y, strip in enumerate(strips):
        for segment in strip:
            text, style = segment.text, segment.style or Style()
            if not text.strip() or style.conceal or is_decoration(text):
                continue
            fg, bg = colour_key(style.color), colour_key(style.bgcolor)
            if fg == bg and fg != "default":
                found.append(f"line {y}: {text.strip()!r} in {fg} on {bg}")
                continue
            if same_hue(style.color, style.bgcolor):
                found.append(f"line {y}: {text.strip()!r} in {fg} on {bg}: one hue")
                continue
            ink16, paper16 = palette_rgb(style.color), palette_rgb(style.bgcolor)
            if ink16 is not None and paper16 is not None:
                ratio = contrast(ink16, paper16)
                if ratio < MIN_CONTRAST:
                    found.append(f"line {y}: {text.strip()!r} in {fg} on {bg}: xterm {ratio:.1f}")
                continue
            ink, paper = known(style.color), known(style.bgcolor)
            if ink is not None and paper is not None and contrast(ink, paper) < LEAST_CONTRAST:
                ratio = contrast(ink, paper)
                found.append(f"line {y}: {text.strip()!r} in {fg} on {bg}: contrast {ratio:.1f}")
    return found


def cells(strip: Strip) -> list[tuple[str, str, str, bool, bool, bool]]:
    """A line cell by cell, as a person sees it."""
    shown: list[tuple[str, str, str, bool, bool, bool]] = []
    for segment in strip:
        style = segment.style or Style()
        look = (
            colour_key(style.color),
            colour_key(style.bgcolor),
            bool(style.reverse),
            bool(style.underline),
            bool(style.bold),
        )
        shown.extend((char, *look) for char in segment.text)  # type: ignore[misc]
    return shown


@pytest.fixture
def demo_config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    """The workload demo, with alice over 120% this week so that every band shows."""
    config = ui.copy_store(request.getfixturevalue("workload_demo"), tmp_path)
    backend = ui.backend_for(config)
    for back, hours in ((0, 20), (1, 16)):  # Wednesday and Tuesday
        backend.add_time("APP-3", ui.START.date() - timedelta(days=back), hours * 60, user="alice")
    return config


async def go(app: BoardApp, pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await ui.settle(app, pilot)


@pytest.mark.parametrize("kind", list(TERMINALS))
@pytest.mark.parametrize("theme", THEMES)
async def test_every_screen_is_legible(
    demo_config: Config, monkeypatch: pytest.MonkeyPatch, theme: str, kind: Terminal
) -> None:
    terminal(monkeypatch, kind)
    app = ui.app_for(replace(demo_config, theme=theme))
    async with app.run_test(size=ui.SIZE) as pilot:
        await ui.settle(app, pilot)
        assert app.theme == (
            "tui-board-ansi" if kind == "16" and theme == "tui-board-dark" else theme
        )
        problems: list[str] = []
        for keys, screen_type, move in SCREENS:
            await go(app, pilot, *keys)
            assert isinstance(app.screen, screen_type), (keys, app.screen)
            name = screen_type.__name__
            before = ui.frame(app)
            problems += [f"{name} {clash}" for clash in clashes(before)]
            await go(app, pilot, move)
            after = ui.frame(app)
            changed = [
                y
                for y, (a, b) in enumerate(zip(before, after, strict=True))
                if cells(a) != cells(b)
            ]
            if not changed:
                problems.append(f"{name}: {move!r} moves no cursor that shows")
            if isinstance(app.screen, WorkloadScreen):
                problems += bands_apart(app)
        assert not problems, "\n".join(problems)


def bands_apart(app: BoardApp) -> list[str]:
    """Each band's cells and legend end in the band's own mark, and the marks differ."""
    screen = app.screen
    assert isinstance(screen, WorkloadScreen)
    text = "\n".join(ui.frame_text(app))
    problems = [
        f"legend: no {BAND_MARKS[name]} {words!r}"
        for name, words in BANDS
        if f"{BAND_MARKS[name]} {words}" not in text
    ]
    if len({BAND_MARKS[name] for name, _ in BANDS}) != len(BANDS):
        problems.append("two bands share a mark")
    seen = set()
    for row in screen.grid.rows_shown:
        for cell in row.cells:
            seen.add(band(cell.load, cell.capacity))
    if not {"low", "ok", "high", "over"} <= seen:
        problems.append(f"the demo shows only the bands {sorted(seen)}")
    for line in screen.grid.lines:
        assert line is not None
        for cell_text, component in line.cells:
            name = component.removeprefix("workload-grid--")
            if not cell_text.endswith(BAND_MARKS[name]):  # type: ignore[index]
                problems.append(f"{cell_text!r} lacks the {name} mark")
    return problems


def test_sixteen_colours_keep_text_apart_from_a_highlight_of_its_hue() -> None:
    """Amber on an amber highlight comes down to bright yellow on yellow (or on bright
    yellow) on 16 colours, a warning's yellow on the light theme's white, the cursor's
    white on cyan: such text is drawn black or bright white, whichever stands out more
    in xterm's palette; text on another hue that stands out, or on black or white,
    keeps its colour, and 256 colours are left as Rich brings them down."""
    from rich.color import ColorSystem
    from rich.segment import Segment
    from textual.color import Color as TextualColor

    from tui_board.ui.terminal_colours import TerminalColours

    def shown(fg: str, bg: str, system: ColorSystem = ColorSystem.STANDARD) -> tuple[str, str]:
        (segment,) = TerminalColours(system).apply(
            [Segment("APP-1", Style(color=fg, bgcolor=bg))], TextualColor(0, 0, 0)
        )
        assert segment.style is not None
        return colour_key(segment.style.color), colour_key(segment.style.bgcolor)

    assert shown("#FFC552", "#FFB000") == ("STANDARD:0", "STANDARD:11")  # amber on amber
    assert shown("color(11)", "color(3)") == ("STANDARD:0", "STANDARD:3")
    assert shown("color(3)", "color(15)") == ("STANDARD:0", "STANDARD:15")  # yellow on white
    assert shown("color(15)", "color(6)") == ("STANDARD:0", "STANDARD:6")  # white on cyan
    assert shown("color(15)", "color(1)") == ("STANDARD:15", "STANDARD:1")  # stands out
    assert shown("color(1)", "color(15)") == ("STANDARD:1", "STANDARD:15")  # red on white
    assert shown("color(4)", "color(12)") == ("STANDARD:15", "STANDARD:12")  # blue on bright
    assert shown("color(11)", "color(4)") == ("STANDARD:11", "STANDARD:4")  # apart already
    assert shown("color(8)", "color(0)") == ("STANDARD:8", "STANDARD:0")  # grey on black
    assert shown("#FFC552", "#FFB000", ColorSystem.EIGHT_BIT)[0] != "STANDARD:15"
