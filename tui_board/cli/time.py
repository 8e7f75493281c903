"""Time from the shell: log, timer, week, submit/approve/reject, lock, time off."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import click

from tui_board.cli.context import CliContext, pass_cli
from tui_board.cli.output import clip, emit_json, say, table
from tui_board.core.models import TimeOffKind

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.core.weeks import IsoWeek

# A duration such as -1h must reach the parser (which explains the refusal), not click.
POSITIONAL_DASHES = {"ignore_unknown_options": True}


@click.command(context_settings=POSITIONAL_DASHES)
@click.argument("duration")
@click.argument("task_key", metavar="TASK")
@click.option("--date", "day", help="The day: 2026-11-24, yesterday, mon, -2 ... (default: today).")
@click.option("-m", "--message", "comment", default="", help="A comment for the entry.")
@click.option("--user", help="Log for someone else (admins).")
@click.option("--json", "as_json", is_flag=True, help="Print the stored entry as JSON.")
@pass_cli
def log(
    cli_ctx: CliContext,
    duration: str,
    task_key: str,
    day: str | None,
    comment: str,
    user: str | None,
    as_json: bool,
) -> None:
    """Add DURATION to TASK's cell for a day: `tui-board log 1h30 WEB-12 -m review`.

    DURATION: 1h30, 1h 30m, 1:30, 90m, 1.5 or 1,5 (a bare number means hours).
    """
    from tui_board.backend.undo import before_adding, cell_change
    from tui_board.cli.undo import remember
    from tui_board.core.durations import format_duration
    from tui_board.core.weeks import day_text

    minutes = cli_ctx.minutes(duration)
    when = cli_ctx.day(day)
    named = day_text(when, cli_ctx.today())
    entry = cli_ctx.backend().add_time(task_key, when, minutes, comment=comment, user=user)
    whose = f" of {entry.user}" if user else ""  # someone else's time: say whose
    what = f"log {format_duration(minutes)} on {entry.task}{whose} for {named}"
    was = before_adding(entry, minutes, comment)
    remember(cli_ctx, cell_change(what, entry.task, when, was, entry, user=entry.user))
    if when > cli_ctx.today():  # stored (time planned ahead is a use), but said
        say(f"note: {named} is a day to come.", err=True)
    if as_json:
        emit_json(entry)
        return
    if entry.id == 0:  # (a write waiting in the offline queue: nothing is stored yet)
        say(
            f"Queued {format_duration(minutes)} on {entry.task} for {named}: the server "
            f"cannot be reached; it goes with your next command that reaches it (or the app)."
        )
        return
    say(
        f"Logged {format_duration(minutes)} on {entry.task} ({entry.task_title}) "
        f"for {named}; that cell now holds {format_duration(entry.minutes)}."
    )


@click.group()
def timer() -> None:
    """One running timer a person: start, stop, status."""


@timer.command("start")
@click.argument("task_key", metavar="TASK")
@pass_cli
def timer_start(cli_ctx: CliContext, task_key: str) -> None:
    """Start the timer on TASK (stopping any running one first)."""
    from tui_board.backend.undo import cell_before, cell_change, cell_now, timer_change
    from tui_board.cli.undo import remember

    backend = cli_ctx.backend()
    running = backend.timer_status()
    today = cli_ctx.today()
    held = None if running is None else cell_before(backend, running.user, running.task, today)
    started = backend.timer_start(task_key)
    what = f"start the timer on {started.task}"
    cell = None
    if running is not None and held is not None:
        after = cell_now(backend, running.user, running.task, today)
        cell = cell_change(what, running.task, today, held, after, user=running.user)
        say(f"Stopped the timer on {running.task}.")
    remember(cli_ctx, timer_change(what, running, started, cell))
    say(f"Timer running on {started.task} ({started.task_title}).")


@timer.command("stop")
@pass_cli
def timer_stop(cli_ctx: CliContext) -> None:
    """Stop the timer and add its time to today's cell of its task."""
    from tui_board.core.durations import format_duration

    backend = cli_ctx.backend()
    running = backend.timer_status()
    if running is None:
        say("No timer is running.")
        return
    from tui_board.backend.undo import cell_before, cell_change, timer_change
    from tui_board.cli.undo import remember

    today = cli_ctx.today()
    held = cell_before(backend, running.user, running.task, today)
    entry = backend.timer_stop()
    what = f"stop the timer on {running.task}"
    cell = cell_change(what, running.task, today, held, entry, user=running.user)
    remember(cli_ctx, timer_change(what, running, None, cell))
    if entry is None:
        say(f"Stopped the timer on {running.task} after less than a minute; nothing logged.")
    else:
        say(
            f"Stopped the timer on {entry.task}; today's cell now holds "
            f"{format_duration(entry.minutes)}."
        )


@timer.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (null when none runs).")
@pass_cli
def timer_status(cli_ctx: CliContext, as_json: bool) -> None:
    """Print the running timer."""
    from datetime import UTC, datetime

    from tui_board.core.durations import format_duration

    running = cli_ctx.backend().timer_status()
    if as_json:
        emit_json(running)
        return
    if running is None:
        say("No timer is running.")
        return
    elapsed = int((datetime.now(UTC) - running.started).total_seconds() // 60)
    say(f"{running.task} ({running.task_title}): {format_duration(elapsed)} so far.")


@click.command()
@click.option("--week", "week_text", metavar="WEEK", help="e.g. 2026-W48 (default: this week).")
@click.option("--user", help="Another person's week (leads and admins).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def week(cli_ctx: CliContext, week_text: str | None, user: str | None, as_json: bool) -> None:
    """Print a timesheet week: tasks by days, with totals."""
    from tui_board.core.durations import format_duration

    sheet = cli_ctx.backend().week(
        _week(cli_ctx, week_text), user=user, first_day=cli_ctx.config.first_day
    )
    if as_json:
        emit_json(sheet)
        return
    tasks: dict[str, str] = {}
    cells: dict[tuple[str, object], int] = {}
    for entry in sheet.entries:
        tasks.setdefault(entry.task, entry.task_title)
        cells[(entry.task, entry.day)] = entry.minutes
    kinds = sorted({off.kind for off in sheet.time_off})
    for off in sheet.time_off:
        cells[(off.kind, off.day)] = cells.get((off.kind, off.day), 0) + off.minutes

    def show(minutes: int) -> str:
        return format_duration(minutes) if minutes else "·"

    # a short week: the days another week closed first are shown, not counted
    own = sheet.counted_days
    rows = []
    for key in [*tasks, *kinds]:
        minutes = [cells.get((key, d), 0) for d in sheet.days]
        label = f"{key} {clip(tasks[key], 28)}" if key in tasks else f"({key})"
        total = sum(m for d, m in zip(sheet.days, minutes, strict=True) if d in own)
        rows.append([label, *(show(m) for m in minutes), format_duration(total)])
    totals = [
        show(sheet.day_total(d)) if d in own else f"in {sheet.elsewhere(d)}" for d in sheet.days
    ]
    rows.append(["Total", *totals, format_duration(sum(sheet.day_total(d) for d in own))])
    state = sheet.state.state + (f": {sheet.state.note}" if sheet.state.note else "")
    say(
        f"{sheet.user} · week {sheet.week} "
        f"({sheet.days[0]:%d %b} - {sheet.days[-1]:%d %b %Y}) · {state}"
    )
    table(["TASK", *(f"{d:%a %d}" for d in sheet.days), "TOTAL"], rows, right=set(range(1, 9)))
    for d in sheet.days:
        if (other := sheet.elsewhere(d)) is not None:
            say(f"{d:%a %d %b} is in week {other}: not counted in {sheet.week}.")


@click.command()
@click.option("--week", "week_text", metavar="WEEK", help="e.g. 2026-W47 (default: this week).")
@pass_cli
def submit(cli_ctx: CliContext, week_text: str | None) -> None:
    """Submit your week for approval (it becomes read-only)."""
    from tui_board.core.durations import format_duration

    week = _week(cli_ctx, week_text)
    state = cli_ctx.backend().submit_week(week, first_day=cli_ctx.config.first_day)
    days = f"{state.days[0]:%a %d %b} - {state.days[-1]:%a %d %b}, " if state.days else ""
    say(f"Submitted week {state.week} ({days}{format_duration(state.submitted_minutes)}).")


@click.command()
@click.argument("login")
@click.option(
    "--week", "week_text", metavar="WEEK", help="e.g. 2026-W47 (default: the week LOGIN sent)."
)
@pass_cli
def approve(cli_ctx: CliContext, login: str, week_text: str | None) -> None:
    """Approve LOGIN's submitted week (leads and admins)."""
    from tui_board.backend.undo import review_change
    from tui_board.cli.undo import remember

    backend = cli_ctx.backend()
    week = _sent_week(cli_ctx, backend, login, week_text)
    before = backend.week(week, user=login).state
    state = backend.approve_week(login, week)
    remember(cli_ctx, review_change(f"approve {state.user}'s week {state.week}", before, state))
    say(f"Approved {state.user}'s week {state.week}.")


@click.command()
@click.argument("login")
@click.option("-m", "--message", "note", required=True, help="Why: the person sees this.")
@click.option(
    "--week", "week_text", metavar="WEEK", help="e.g. 2026-W47 (default: the week LOGIN sent)."
)
@pass_cli
def reject(cli_ctx: CliContext, login: str, note: str, week_text: str | None) -> None:
    """Send LOGIN's week back with a note (leads and admins)."""
    from tui_board.backend.undo import review_change
    from tui_board.cli.undo import remember

    backend = cli_ctx.backend()
    week = _sent_week(cli_ctx, backend, login, week_text)
    before = backend.week(week, user=login).state
    state = backend.reject_week(login, week, note)
    remember(cli_ctx, review_change(f"reject {state.user}'s week {state.week}", before, state))
    say(f"Rejected {state.user}'s week {state.week}: {state.note}")


@click.command()
@click.option("--state", type=click.Choice(["draft", "submitted", "approved", "rejected"]))
@click.option("--user", help="Only this person.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def weeks(cli_ctx: CliContext, state: str | None, user: str | None, as_json: bool) -> None:
    """List weeks by approval state (e.g. --state submitted: the approvals queue)."""
    from tui_board.core.durations import format_duration

    states = cli_ctx.backend().list_week_states(state=state, user=user)
    if as_json:
        emit_json(states)
        return
    table(
        ["WEEK", "USER", "STATE", "SUBMITTED", "REVIEWER", "NOTE"],
        [
            (
                s.week,
                s.user,
                s.state,
                format_duration(s.submitted_minutes),
                s.reviewer or "",
                s.note,
            )
            for s in states
        ],
    )


@click.command()
@click.argument("until")
@pass_cli
def lock(cli_ctx: CliContext, until: str) -> None:
    """Lock all time up to and including UNTIL (admins)."""
    locked = cli_ctx.backend().lock_period(cli_ctx.day(until))
    say(f"Time up to {locked:%a %d %b %Y} is locked.")


@click.group()
def timeoff() -> None:
    """Vacation, sick days and holidays: they lower capacity."""


@timeoff.command("add", context_settings=POSITIONAL_DASHES)
@click.argument("day")
@click.argument("duration", default="8h")
@click.option("--kind", type=click.Choice(["vacation", "sick", "holiday"]), default="vacation")
@click.option("--user", help="For someone on your team (leads) or anyone (admins).")
@pass_cli
def timeoff_add(cli_ctx: CliContext, day: str, duration: str, kind: str, user: str | None) -> None:
    """Record time off on DAY (default 8h)."""
    from tui_board.core.durations import format_duration

    made = cli_ctx.backend().add_time_off(
        cli_ctx.day(day),
        cli_ctx.minutes(duration),
        kind=cast(TimeOffKind, kind),
        user=user,
    )
    say(f"Recorded {format_duration(made.minutes)} {made.kind} for {made.user} on {made.day}.")


@timeoff.command("remove")
@click.argument("ids", metavar="ID...", nargs=-1, required=True, type=click.IntRange(1, 2**31 - 1))
@pass_cli
def timeoff_remove(cli_ctx: CliContext, ids: tuple[int, ...]) -> None:
    """Remove time off by its ID (`timeoff list` shows them): yours, your team's
    (leads) or anyone's (admins)."""
    backend = cli_ctx.backend()
    for time_off_id in ids:
        backend.remove_time_off(time_off_id)
        say(f"Removed time off {time_off_id}.")


@timeoff.command("list")
@click.option("--from", "start", help="First day (default: 4 weeks ago).")
@click.option("--to", "end", help="Last day (default: 8 weeks ahead).")
@click.option("--user")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def timeoff_list(
    cli_ctx: CliContext, start: str | None, end: str | None, user: str | None, as_json: bool
) -> None:
    """List time off."""
    from datetime import timedelta

    from tui_board.core.durations import format_duration

    today = cli_ctx.today()
    first = cli_ctx.day(start) if start else today - timedelta(weeks=4)
    last = cli_ctx.day(end) if end else today + timedelta(weeks=8)
    found = cli_ctx.backend().list_time_off(first, last, user=user)
    if as_json:
        emit_json(found)
        return
    table(
        ["ID", "USER", "DAY", "TIME", "KIND"],
        [(t.id, t.user, t.day, format_duration(t.minutes), t.kind) for t in found],
    )


def _week(cli_ctx: CliContext, text: str | None, *, default_shift: int = 0) -> IsoWeek:
    from tui_board.core.weeks import IsoWeek

    if text:
        return IsoWeek.parse(text)
    return IsoWeek.holding(cli_ctx.today(), cli_ctx.config.first_day).shift(default_shift)


def _sent_week(cli_ctx: CliContext, backend: Backend, login: str, text: str | None) -> IsoWeek:
    """The week to review: `text`; else the one week `login` has sent for review. None
    or several sent: which one is asked for (none sent took last week, and the review
    was refused with that week's state: "is approved; it cannot become approved")."""
    from tui_board.core.errors import Invalid
    from tui_board.core.weeks import IsoWeek

    if text:
        return IsoWeek.parse(text)
    sent = sorted(w.week for w in backend.list_week_states(state="submitted", user=login))
    if len(sent) == 1:
        return IsoWeek.parse(sent[0])
    if len(sent) > 1:
        raise Invalid(
            f"{login} has {len(sent)} weeks waiting ({', '.join(sent)}); say which with --week"
        )
    raise Invalid(f"{login} has no week waiting for review; name one with --week")


COMMANDS = [log, timer, week, submit, approve, reject, weeks, lock, timeoff]
