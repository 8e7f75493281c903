"""The timesheet screen: `view` (the week, the grid, the lines around it), `answers`
(what the store made of my writes), `entry` (the prompt line: quick entry, comments),
`screen` (the keys and what they do); `writes` says what a timesheet write is."""

from __future__ import annotations

from tui_board.ui.screens.timesheet.screen import TimesheetScreen

__all__ = ["TimesheetScreen"]
