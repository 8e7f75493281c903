"""What the terminal will really show: colours as few as it has.

Textual composes every frame in true colour and leaves it to Rich to bring each colour
down to the terminal's 256 or 16 at the last moment, so what the app checks and what
screenshots show is not what a 16-colour terminal draws. `TerminalColours` brings the
colours down as the frame is composed instead (the same `Color.downgrade` Rich uses on
output, so nothing changes on the terminal): then the frame, its screenshot and the
tests see the colours the user sees.

On 16 colours, two colours a theme tells apart may come down to one hue (amber text on
an amber highlight becomes bright yellow on yellow), or to two the palette hardly tells
apart (a warning's yellow on the light theme's white, white on cyan). Such text is
drawn black or bright white, whichever stands out more from its background.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

__all__ = ["TerminalColours", "terminal_filter"]

#: Rich's name of a colour system, and what it means.
_SYSTEMS = {"standard": ColorSystem.STANDARD, "256": ColorSystem.EIGHT_BIT}


@lru_cache(4096)
def _downgraded(style: Style, system: ColorSystem) -> Style:
    color = style.color.downgrade(system) if style.color else None
    bgcolor = style.bgcolor.downgrade(system) if style.bgcolor else None
    if system == ColorSystem.STANDARD:
        color = _apart(color, bgcolor)
    return style + Style.from_color(color, bgcolor)


def _apart(color: RichColor | None, bgcolor: RichColor | None) -> RichColor | None:
    """Text its 16-colour background hides: of the same hue (red on red, bright blue on
    blue), or too close in lightness (yellow on white, white on cyan: under 2:1 in
    xterm's own palette): black or bright white instead, whichever stands out more."""
    ink, paper = _palette(color), _palette(bgcolor)
    if ink is None or paper is None:
        return color
    same_hue = ink % 8 == paper % 8 and paper % 8 not in (0, 7)
    if not same_hue and _contrast(ink, paper) >= MIN_CONTRAST:
        return color
    return RichColor.from_ansi(0 if _contrast(0, paper) >= _contrast(15, paper) else 15)


#: The least contrast (WCAG's ratio, in xterm's palette) 16-colour text keeps.
MIN_CONTRAST = 2.0
#: xterm's 16 colours, as most terminals' defaults are near them.
_XTERM = (
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
    (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
    (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
)  # fmt: skip


def _luminance(number: int) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = _XTERM[number]
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


@lru_cache(256)
def _contrast(ink: int, paper: int) -> float:
    light, dark = sorted((_luminance(ink), _luminance(paper)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _palette(color: RichColor | None) -> int | None:
    """A colour's number in the terminal's 16 (None: the default or any other)."""
    if color is None or color.is_default or color.number is None or color.number >= 16:
        return None
    return color.number


class TerminalColours(LineFilter):
    """Every colour as a terminal with `system`'s colours draws it."""

    def __init__(self, system: ColorSystem) -> None:
        super().__init__()
        self.system = system

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        system = self.system
        return [
            Segment(text, None if style is None else _downgraded(style, system), control)
            for text, style, control in segments
        ]


def terminal_filter(color_system: str | None) -> TerminalColours | None:
    """The filter for a console's `color_system` (None: true colour needs none)."""
    system = _SYSTEMS.get(color_system or "")
    return TerminalColours(system) if system is not None else None
