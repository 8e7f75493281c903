"""What the terminal will really show: colours as few as it has.

Textual composes every frame in true colour and leaves it to Rich to bring each colour
down to the terminal's 256 or 16 at the last moment, so what the app checks and what
screenshots show is not what a 16-colour terminal draws. `TerminalColours` brings the
colours down as the frame is composed instead (the same `Color.downgrade` Rich uses on
output, so nothing changes on the terminal): then the frame, its screenshot and the
tests see the colours the user sees.
"""

from __future__ import annotations

from functools import lru_cache

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
    return style + Style.from_color(color, bgcolor)


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
