"""The timesheet: my week, task by day (for now, what it will show)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tui_board.core.durations import format_duration
from tui_board.core.weeks import IsoWeek
from tui_board.ui.screens.mode import ModeScreen

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.config import Config


class TimesheetScreen(ModeScreen):
    TITLE = "Timesheet"
    BINDING_GROUP_TITLE = "Timesheet"
    PURPOSE = (
        "Timesheet: your week as a grid of tasks by day, to log time in a few keystrokes "
        "and submit the week — coming in the timesheet issue."
    )

    def read_facts(self, backend: Backend, *, today: date, config: Config) -> list[str]:
        sheet = backend.week(IsoWeek.of(today), first_day=config.first_day)
        tasks = len({entry.task for entry in sheet.entries})
        return [
            f"This week ({sheet.week}, {sheet.days[0]:%a %d %b} to {sheet.days[-1]:%a %d %b}):",
            f"  {format_duration(sheet.total)} logged on {tasks} task(s); "
            f"the week is {sheet.state.state}.",
        ]
