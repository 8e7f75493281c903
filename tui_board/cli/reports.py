"""`tui-board workload` (`export` is in transfer.py, with `import`)."""

from __future__ import annotations

import click

from tui_board.cli.context import CliContext, pass_cli
from tui_board.cli.output import emit_json, say, table


@click.command()
@click.option("--team", help="Only this team.")
@click.option(
    "--weeks",
    "count",
    default=12,
    show_default=True,
    help="How many weeks: this week and the ones ahead, and up to 4 past weeks when more than 8.",
)
@click.option("--start", "start_text", metavar="WEEK", help="First week (e.g. 2026-W20).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def workload(
    cli_ctx: CliContext, team: str | None, count: int, start_text: str | None, as_json: bool
) -> None:
    """Per person and week: logged (past) or logged + planned (coming) against capacity."""
    from tui_board.core.durations import format_progress
    from tui_board.core.errors import Invalid
    from tui_board.core.weeks import IsoWeek
    from tui_board.core.workload import BAND_MARKS, band, first_week

    if not 1 <= count <= 104:
        raise Invalid("--weeks is between 1 and 104")
    today = cli_ctx.today()
    start = IsoWeek.parse(start_text) if start_text else first_week(today, count)
    figures = cli_ctx.backend().workload(start, count, team=team, today=today)
    if as_json:
        emit_json(figures)
        return
    rows = []
    for row in figures.rows:
        cells = [
            format_progress(c.load, c.capacity, mark=False) + BAND_MARKS[band(c.load, c.capacity)]
            for c in row.cells
        ]
        rows.append([row.user, *cells])
    headers = [
        "PERSON",
        *(w.split("-")[1] + ("*" if w == figures.current else "") for w in figures.weeks),
    ]
    table(headers, rows, right=set(range(1, len(headers))))
    say(
        "load/capacity in hours:minutes; ↓ under 50%, ✓ 50-100%, ! 100-120%, ‼ over 120%; "
        "* this week; past weeks: "
        "logged; this and coming weeks: logged + planned"
    )


COMMANDS = [workload]
__all__ = ["COMMANDS", "emit_json"]
