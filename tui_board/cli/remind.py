"""`tui-board remind`: one short line for a shell profile or a login message.

    Tue 24, Wed 25 have no time; week 47 is not submitted

It names the working days of this week and last week (up to yesterday) with no time
logged and no time off, and last week when it is not submitted yet (or was sent back).
Days that can no longer change (a submitted or approved week, a locked period) are left
out: nothing can be done about them. It prints nothing when all is well, so that a
profile line such as `tui-board remind` only speaks up when there is something to do.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from tui_board.cli.context import CliContext, pass_cli
from tui_board.cli.output import say

if TYPE_CHECKING:
    from tui_board.core.models import WeekSheet


@click.command()
@click.option(
    "--date", "day", help="Check as of this day (default: today): 2026-11-25, fri, -1 ..."
)
@pass_cli
def remind(cli_ctx: CliContext, day: str | None) -> None:
    """Name the working days of this and last week with no time, and last week when it
    is not submitted; print nothing when all is well (for a shell profile)."""
    from tui_board.core.weeks import IsoWeek

    today = cli_ctx.day(day)
    backend = cli_ctx.backend()
    me = backend.me()
    this_week = IsoWeek.of(today)
    sheets = [backend.week(this_week.shift(-1)), backend.week(this_week)]
    line = reminder(sheets, work_days=me.work_days, today=today)
    if line:
        say(line)


def missing_days(sheet: WeekSheet, *, work_days: tuple[int, ...], today: date) -> list[date]:
    """The sheet's working days before today with nothing logged (time off counts),
    that can still be changed. Working days are those of the person's individual
    schedule (the sheet's), else of `work_days`."""
    if sheet.state.state in ("submitted", "approved"):
        return []
    locked = sheet.locked_until
    scheduled = dict(zip(sheet.days, sheet.schedule, strict=False))
    return [
        day
        for day in sheet.counted_days  # a short week's own days: the others are closed
        if day < today
        and (scheduled[day] > 0 if day in scheduled else day.weekday() in work_days)
        and (locked is None or day > locked)
        and sheet.day_total(day) == 0
        and not any(entry.day == day for entry in sheet.entries)
    ]


def reminder(sheets: list[WeekSheet], *, work_days: tuple[int, ...], today: date) -> str:
    """The line for these weeks (last week first), or "" when nothing is missing."""
    from tui_board.core.weeks import IsoWeek

    parts = []
    days = [
        day for sheet in sheets for day in missing_days(sheet, work_days=work_days, today=today)
    ]
    if days:
        names = ", ".join(f"{day:%a} {day.day}" for day in days)
        parts.append(f"{names} {'has' if len(days) == 1 else 'have'} no time")
    this_week = IsoWeek.of(today)
    for sheet in sheets:
        week = IsoWeek.parse(sheet.week)
        if week >= this_week:
            continue
        if sheet.state.state == "draft":
            parts.append(f"week {week.week} is not submitted")
        elif sheet.state.state == "rejected":
            parts.append(f"week {week.week} was sent back: submit it again")
    return "; ".join(parts)


COMMANDS = [remind]
