"""What the terminal will really show: colours as few as it has.

Textual composes every frame in true colour and leaves it to Rich to bring each colour
down to the terminal's 256 or 16 at the last moment, so what the app checks and what
screenshots show is not what a 16-colour terminal draws. `TerminalColours` brings the
colours down as the frame is composed instead (the same `Color.downgrade` Rich uses on
output, so nothing changes on the terminal): then the frame, its screenshot and the
tests see the colours the user sees.

On 16 colours, two colours a theme tells apart may come down to one hue: amber text on
an amber highlight becomes bright yellow on yellow, which most palettes hardly tell
apart. Such text is drawn bright white on the dark form of the colour and black on the
bright one (the colours the terminal's palette keeps apart).
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
    """Text of the same hue as its 16-colour background (red on red, bright blue on
    blue): bright white on a dark background colour, black on a bright one."""
    ink, paper = _palette(color), _palette(bgcolor)
    if ink is None or paper is None or ink % 8 != paper % 8 or paper % 8 in (0, 7):
        return color
    return RichColor.from_ansi(15 if paper < 8 else 0)


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
