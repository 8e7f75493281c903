"""`tui-board schedule PROJECT`, `tui-board milestone ...`, `tui-board report ...` and
`tui-board plan TASK`: the project schedule, its milestones and dates, and the
estimated-against-logged and overtime reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import click

from tui_board.cli.context import CliContext, pass_cli
from tui_board.cli.output import emit_json, fail, say, table


def _when(day: date | None) -> str:
    return day.isoformat() if day is not None else "-"


def _hours(minutes: int | None) -> str:
    from tui_board.core.durations import format_duration

    if minutes is None:
        return "-"
    return ("-" if minutes < 0 else "") + format_duration(abs(minutes))


def _day_or_none(cli_ctx: CliContext, text: str) -> date | None:
    """A date as the CLI reads them; `none` or `-` for no date."""
    return None if text.strip().lower() in ("none", "-", "") else cli_ctx.day(text, ahead=True)


@click.command()
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def schedule(cli_ctx: CliContext, project: str, as_json: bool) -> None:
    """A project's open tasks: start, due, estimate, logged, remaining, flags; its
    progress and the forecast of when its remaining work is done."""
    found = cli_ctx.backend().project_schedule(project)
    if as_json:
        emit_json(found)
        return
    deadline = f"deadline {_when(found.deadline)}"
    if found.on_time is not None:
        deadline += " (on time)" if found.on_time else " (late)"
    say(
        f"{found.project} {found.name}: done {_hours(found.done_estimate)}, remaining "
        f"{_hours(found.remaining)}, logged {_hours(found.logged)}; forecast "
        f"{_when(found.forecast)}, {deadline}"
    )
    if found.unassigned:
        say(f"{_hours(found.unassigned)} of remaining work is assigned to nobody")
    for m in found.milestones:
        late = " (late)" if m.late else ""
        if not m.late and m.missed and m.forecast is not None:
            late = f" (at risk: forecast {m.forecast.isoformat()})"
        elif m.open_tasks and m.forecast is None and not m.late:  # as the screen says why
            late = (
                f" (no forecast: {_hours(m.unassigned)} is assigned to nobody)"
                if m.unassigned
                else " (no forecast: not within its people's free time ahead)"
            )
        say(f"milestone {m.name}: {m.day.isoformat()}, {m.open_tasks} open{late}")
    table(
        ["TASK", "MILESTONE", "ASSIGNEE", "START", "DUE", "EST", "LOGGED", "LEFT", "FLAGS"],
        [
            (
                r.task,
                r.milestone or "",
                r.assignee or "",
                _when(r.start),
                _when(r.due),
                _hours(r.estimate),
                _hours(r.logged),
                _hours(r.remaining),
                ", ".join(r.flags),
            )
            for r in found.rows
        ],
        right={5, 6, 7},
    )


@click.command()
@click.argument("key")
@click.option("--start", help="The day work starts ('none' to clear).")
@click.option("--due", help="The due date ('none' to clear).")
@click.option("--milestone", help="A milestone of the task's project ('none' to clear).")
@pass_cli
def plan(
    cli_ctx: CliContext,
    key: str,
    start: str | None,
    due: str | None,
    milestone: str | None,
) -> None:
    """Set a task's start date, due date or milestone (undoable with `tui-board undo`)."""
    from tui_board.backend.undo import card_edit
    from tui_board.cli.undo import remember
    from tui_board.core.models import UNSET, TaskPatch

    patch = TaskPatch(
        start=UNSET if start is None else _day_or_none(cli_ctx, start),
        due=UNSET if due is None else _day_or_none(cli_ctx, due),
        milestone=UNSET
        if milestone is None
        else (None if milestone.strip().lower() in ("none", "-", "") else milestone),
    )
    if not patch.changes():
        fail("nothing to change; give --start, --due or --milestone", 2)
    backend = cli_ctx.backend()
    found = backend.get_task(key)
    done = backend.update_task(found.key, found.version, patch)
    remember(cli_ctx, card_edit(f"plan {found.key}", found, done, patch))
    say(
        f"{done.key}: start {_when(done.start)}, due {_when(done.due)}, "
        f"milestone {done.milestone or '-'}."
    )


@click.group()
def milestone() -> None:
    """A project's milestones: a name and a date."""


@milestone.command("add")
@click.argument("project")
@click.argument("name")
@click.argument("day", metavar="DATE")
@pass_cli
def milestone_add(cli_ctx: CliContext, project: str, name: str, day: str) -> None:
    """Add a milestone to a project (leads and admins)."""
    made = cli_ctx.backend().add_milestone(project, name, cli_ctx.day(day, ahead=True))
    say(f"Added milestone {made.name} to {made.project} on {made.day.isoformat()}.")


@milestone.command("list")
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def milestone_list(cli_ctx: CliContext, project: str, as_json: bool) -> None:
    """A project's milestones, by date."""
    found = cli_ctx.backend().list_milestones(project)
    if as_json:
        emit_json(found)
        return
    table(
        ["MILESTONE", "DATE", "OPEN", "LATE"],
        [(m.name, m.day.isoformat(), m.open_tasks, "late" if m.late else "") for m in found],
        right={2},
    )


@milestone.command("move")
@click.argument("project")
@click.argument("name")
@click.argument("day", metavar="DATE")
@pass_cli
def milestone_move(cli_ctx: CliContext, project: str, name: str, day: str) -> None:
    """Move a milestone to another date (leads and admins)."""
    backend = cli_ctx.backend()
    found = [m for m in backend.list_milestones(project) if m.name == name.strip()]
    if not found:
        fail(f"no milestone {name.strip()!r} in project {project.upper()}")
    moved = backend.move_milestone(project, name, found[0].version, cli_ctx.day(day, ahead=True))
    say(f"Moved milestone {moved.name} of {moved.project} to {moved.day.isoformat()}.")


@click.group()
def report() -> None:
    """Reports: estimated against logged, overtime."""


def _write(cli_ctx: CliContext, rows: Sequence[Sequence[object]], output: Path | None) -> None:
    from tui_board.core.errors import Invalid
    from tui_board.core.exports import csv_text
    from tui_board.files import write_file

    text = csv_text(rows)
    if output is None:
        say(text, multiline=True, nl=False)
        return
    try:
        write_file(output.expanduser(), text, replace=True)
    except OSError as error:
        raise Invalid(f"cannot write {output}: {error.strerror or error}") from None
    say(f"Wrote {len(rows) - 1} rows to {output}", err=True)


@report.command("estimates")
@click.option("--from", "start", help="Tasks due on or after this day.")
@click.option("--to", "end", help="Tasks due on or before this day.")
@click.option("--project", help="Only this project.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="CSV here.")
@pass_cli
def report_estimates(
    cli_ctx: CliContext,
    start: str | None,
    end: str | None,
    project: str | None,
    as_json: bool,
    as_csv: bool,
    output: Path | None,
) -> None:
    """Estimate, logged, variance and percent per project, milestone, task and person."""
    rows = cli_ctx.backend().report_estimates(
        project=project,
        start=cli_ctx.day(start) if start else None,
        end=cli_ctx.day(end) if end else None,
    )
    if as_json:
        emit_json(rows)
        return
    if as_csv or output is not None:
        from tui_board.core.reports import estimate_table

        _write(cli_ctx, estimate_table(rows), output)
        return
    table(
        ["KIND", "NAME", "PROJECT", "ESTIMATE", "LOGGED", "VARIANCE", "%"],
        [
            (
                r.kind,
                r.name,
                r.project,
                _hours(r.estimate),
                _hours(r.logged),
                _hours(r.variance),
                "-" if r.percent is None else f"{r.percent}%",
            )
            for r in rows
        ],
        right={3, 4, 5, 6},
    )


@report.command("overtime")
@click.option("--from", "start", help="First day (default: the 1st of this month).")
@click.option("--to", "end", help="Last day (default: today).")
@click.option("--user", help="Only this person.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="CSV here.")
@pass_cli
def report_overtime(
    cli_ctx: CliContext,
    start: str | None,
    end: str | None,
    user: str | None,
    as_json: bool,
    as_csv: bool,
    output: Path | None,
) -> None:
    """Logged against schedule less time off, per person and week, with totals."""
    today = cli_ctx.today()
    first = cli_ctx.day(start) if start else today.replace(day=1)
    last = cli_ctx.day(end) if end else today
    rows = cli_ctx.backend().report_overtime(first, last, user=user)
    if as_json:
        emit_json(rows)
        return
    from tui_board.core.reports import overtime_lines, overtime_table, part_week, signed_duration

    if as_csv or output is not None:
        _write(cli_ctx, overtime_table(rows), output)
        return
    counted = None if first > today else min(last, today)  # (as the app's report counts)
    parts = {r.week for r in rows if part_week(r.week, first, counted)}
    table(
        ["USER", "WEEK", "SCHEDULE", "OFF", "EXPECTED", "LOGGED", "+/-"],
        [
            (
                r.user,
                f"{r.week} (part)" if r.week in parts else r.week,
                *(_hours(v) for v in (r.scheduled, r.time_off, r.expected, r.logged)),
                signed_duration(r.difference),  # +1:30 over, as the app shows it
            )
            for r in overtime_lines(rows)
        ],
        right={2, 3, 4, 5, 6},
    )
    if parts:
        say(
            f"(part): only the days from {first:%a %d %b} to {counted:%a %d %b} are counted"
            + (" (to today)" if counted != last else "")
        )


COMMANDS = [schedule, plan, milestone, report]
__all__ = ["COMMANDS"]
