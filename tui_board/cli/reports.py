"""`tui-board workload` and `tui-board export`."""

from __future__ import annotations

from pathlib import Path

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
    from tui_board.core.workload import band, first_week

    if not 1 <= count <= 104:
        raise Invalid("--weeks is between 1 and 104")
    today = cli_ctx.today()
    start = IsoWeek.parse(start_text) if start_text else first_week(today, count)
    figures = cli_ctx.backend().workload(start, count, team=team, today=today)
    if as_json:
        emit_json(figures)
        return
    marks = {"none": " ", "low": " ", "ok": " ", "high": "!", "over": "‼"}
    rows = []
    for row in figures.rows:
        cells = [
            format_progress(c.load, c.capacity, mark=False) + marks[band(c.load, c.capacity)]
            for c in row.cells
        ]
        rows.append([row.user, *cells])
    headers = [
        "PERSON",
        *(w.split("-")[1] + ("*" if w == figures.current else "") for w in figures.weeks),
    ]
    table(headers, rows, right=set(range(1, len(headers))))
    say(
        "load/capacity in hours:minutes; ! 100-120%, ‼ over 120%; * this week; past weeks: "
        "logged; this and coming weeks: logged + planned"
    )


@click.command()
@click.argument("fmt", metavar="csv|json", type=click.Choice(["csv", "json"]))
@click.option("--from", "start", help="First day (default: the 1st of this month).")
@click.option("--to", "end", help="Last day (default: today).")
@click.option("--user", help="Only this person.")
@click.option("--project", "project_key", help="Only this project.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here.")
@pass_cli
def export(
    cli_ctx: CliContext,
    fmt: str,
    start: str | None,
    end: str | None,
    user: str | None,
    project_key: str | None,
    output: Path | None,
) -> None:
    """Export time entries (one row per person, task and day) as CSV or JSON."""
    from tui_board.core.errors import Invalid
    from tui_board.core.exports import csv_text
    from tui_board.core.models import to_json
    from tui_board.core.text import safe_json
    from tui_board.files import write_file

    today = cli_ctx.today()
    first = cli_ctx.day(start) if start else today.replace(day=1)
    last = cli_ctx.day(end) if end else today
    entries = cli_ctx.backend().list_entries(first, last, user=user, project=project_key)
    if fmt == "json":
        text = safe_json(to_json(entries), indent=2) + "\n"
    else:
        header = ["date", "user", "project", "task", "title", "minutes", "hours", "comment"]
        text = csv_text(
            [
                header,
                *(
                    [
                        e.day.isoformat(),
                        e.user,
                        e.project,
                        e.task,
                        e.task_title,
                        e.minutes,
                        f"{e.minutes / 60:.2f}",
                        e.comment,
                    ]
                    for e in entries
                ),
            ]
        )
    if output is None:
        if fmt == "json":
            emit_json(entries)
        else:
            say(text, multiline=True, nl=False)
    else:
        try:
            write_file(output.expanduser(), text, replace=True)
        except OSError as error:
            raise Invalid(f"cannot write {output}: {error.strerror or error}") from None
        say(f"Wrote {len(entries)} entries to {output}", err=True)


COMMANDS = [workload, export]
__all__ = ["COMMANDS", "emit_json"]
