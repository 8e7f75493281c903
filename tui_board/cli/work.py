"""`tui-board project ...`, `tui-board customer ...` and `tui-board task ...`."""

from __future__ import annotations

from typing import cast

import click

from tui_board.cli.context import CliContext, pass_cli
from tui_board.cli.output import CELL_WIDTH, clip, emit_json, fail, say, table
from tui_board.core.models import Priority

PRIORITY_CHOICE = click.Choice(["low", "normal", "high", "urgent"])


@click.group()
def project() -> None:
    """Projects and their board columns."""


@project.command("add")
@click.argument("key")
@click.argument("name")
@click.option("--customer", help="A customer made with `tui-board customer add`.")
@pass_cli
def project_add(cli_ctx: CliContext, key: str, name: str, customer: str | None) -> None:
    """Add a project with the default columns (leads and admins)."""
    made = cli_ctx.backend().create_project(key, name, customer=customer)
    columns = ", ".join(c.name for c in cli_ctx.backend().list_columns(made.key))
    say(f"Added project {made.key} ({made.name}) with columns: {columns}.")


@project.command("deadline")
@click.argument("key")
@click.argument("day", metavar="DATE|none")
@pass_cli
def project_deadline(cli_ctx: CliContext, key: str, day: str) -> None:
    """Set the date a project is to be finished by ('none' to clear)."""
    from tui_board.core.models import ProjectPatch

    backend = cli_ctx.backend()
    found = backend.get_project(key)
    deadline = None if day.strip().lower() in ("none", "-") else cli_ctx.day(day, ahead=True)
    changed = backend.update_project(found.key, found.version, ProjectPatch(deadline=deadline))
    say(f"{changed.key}'s deadline is {changed.deadline or 'none'}.")


@project.command("list")
@click.option("--all", "include_archived", is_flag=True, help="Include archived projects.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def project_list(cli_ctx: CliContext, include_archived: bool, as_json: bool) -> None:
    """List projects."""
    projects = cli_ctx.backend().list_projects(include_archived=include_archived)
    if as_json:
        emit_json(projects)
        return
    table(
        ["KEY", "NAME", "CUSTOMER", "ARCHIVED"],
        [(p.key, p.name, p.customer or "", "yes" if p.archived else "") for p in projects],
    )


@project.command("columns")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def project_columns(cli_ctx: CliContext, key: str, as_json: bool) -> None:
    """List a project's columns with their card counts and WIP limits."""
    backend = cli_ctx.backend()
    columns = backend.list_columns(key)
    if as_json:
        emit_json(columns)
        return
    counts = backend.count_tasks(key)
    table(
        ["COLUMN", "KIND", "CARDS", "WIP LIMIT"],
        [(c.name, c.kind, counts.get(c.id, 0), c.wip_limit or "") for c in columns],
        right={2, 3},
    )


@click.group()
def customer() -> None:
    """Customers: an optional level above projects."""


@customer.command("add")
@click.argument("name")
@pass_cli
def customer_add(cli_ctx: CliContext, name: str) -> None:
    """Add a customer."""
    say(f"Added customer {cli_ctx.backend().create_customer(name).name}.")


@customer.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def customer_list(cli_ctx: CliContext, as_json: bool) -> None:
    """List customers."""
    customers = cli_ctx.backend().list_customers()
    if as_json:
        emit_json(customers)
        return
    table(["CUSTOMER"], [(c.name,) for c in customers])


@click.group()
def task() -> None:
    """Tasks: the cards on the board."""


@task.command("add")
@click.argument("project_key", metavar="PROJECT")
@click.argument("title")
@click.option("-d", "--description", default="")
@click.option("--estimate", help="e.g. 4h, 1h30, 90m.")
@click.option("--assignee", help="A login.")
@click.option("--due", help="A date: 2026-12-01, tomorrow, fri ...")
@click.option("--priority", type=PRIORITY_CHOICE, default="normal", show_default=True)
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--column", help="Column name (default: the first).")
@click.option("--json", "as_json", is_flag=True, help="Print the new task as JSON.")
@pass_cli
def task_add(
    cli_ctx: CliContext,
    project_key: str,
    title: str,
    description: str,
    estimate: str | None,
    assignee: str | None,
    due: str | None,
    priority: str,
    tags: tuple[str, ...],
    column: str | None,
    as_json: bool,
) -> None:
    """Add a task to a project's board."""
    from tui_board.core.weeks import parse_date

    backend = cli_ctx.backend()
    made = backend.create_task(
        project_key,
        title,
        description=description,
        column_id=_column_id(cli_ctx, project_key, column) if column else None,
        assignee=assignee,
        estimate=cli_ctx.minutes(estimate, cap=False) if estimate else None,
        due=parse_date(due, cli_ctx.today(), ahead=True) if due else None,
        priority=cast(Priority, priority),
        tags=tags,
    )
    from tui_board.backend.undo import card_archived
    from tui_board.cli.undo import remember

    remember(cli_ctx, card_archived(f"add {made.key}", made))
    if as_json:
        emit_json(made)
    else:
        say(f"Added {made.key}: {made.title} ({made.column}).")
    _over_limit(cli_ctx, made.project, made.column_id)


@task.command("list")
@click.option("--project", "project_key", help="Only this project.")
@click.option("--assignee", help="Only this person's tasks.")
@click.option("--mine", is_flag=True, help="Only my tasks.")
@click.option("--all", "include_archived", is_flag=True, help="Include archived tasks.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def task_list(
    cli_ctx: CliContext,
    project_key: str | None,
    assignee: str | None,
    mine: bool,
    include_archived: bool,
    as_json: bool,
) -> None:
    """List tasks, board order."""
    from tui_board.core.durations import format_progress

    backend = cli_ctx.backend()
    if mine:
        assignee = backend.me().login
    tasks = backend.list_tasks(
        project=project_key, assignee=assignee, include_archived=include_archived
    )
    if as_json:
        emit_json(tasks)
        return
    table(
        ["KEY", "COLUMN", "TITLE", "ASSIGNEE", "LOGGED/EST", "DUE", "PRIO"],
        [
            (
                t.key,
                t.column,
                t.title,
                t.assignee or "",
                format_progress(t.logged, t.estimate),
                t.due.isoformat() if t.due else "",
                t.priority,
            )
            for t in tasks
        ],
    )


@task.command("show")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def task_show(cli_ctx: CliContext, key: str, as_json: bool) -> None:
    """Show a task, its comments and who logged time on it."""
    from tui_board.core.durations import format_duration

    backend = cli_ctx.backend()
    found = backend.get_task(key)
    comments = backend.list_comments(key)
    time = backend.task_time(key)
    if as_json:
        emit_json({"task": found, "comments": comments, "time": time})
        return
    say(f"{found.key}  {found.title}")
    say(
        f"  column {found.column}{' (archived)' if found.archived else ''}"
        f" · priority {found.priority} · assignee {found.assignee or '-'} · due {found.due or '-'}"
    )
    estimate = format_duration(found.estimate) if found.estimate is not None else "-"
    say(
        f"  logged {format_duration(found.logged)} of {estimate}"
        + (f" · tags {' '.join(found.tags)}" if found.tags else "")
    )
    if found.description:
        say("")
        say(_indented(found.description, "  "), multiline=True)
    for row in time:
        say(f"  {row.user}: {format_duration(row.minutes)}")
    for comment in comments:
        say("")
        say(f"{comment.author} at {comment.time:%Y-%m-%d %H:%M}:")
        say(_indented(comment.body, "  "), multiline=True)


def _indented(text: str, margin: str) -> str:
    """Every line of a person's text set in from the margin, so a line of it cannot pass
    for a line of the command's own (the first line alone was)."""
    return "\n".join(margin + line for line in text.splitlines())


@task.command("history")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def task_history(cli_ctx: CliContext, key: str, as_json: bool) -> None:
    """What happened to a task, oldest first: who did what, when."""
    from datetime import UTC, datetime

    from tui_board.core.history import history_lines, when

    backend = cli_ctx.backend()
    found = backend.get_task(key)
    lines = history_lines(backend.task_history(found.key))
    if as_json:
        emit_json(lines)
        return
    now = datetime.now(UTC)
    times = [when(line.time, now) for line in lines]
    people = [line.user or "-" for line in lines]  # logins: short, plain letters
    wide, wider = max(map(len, times), default=0), max(map(len, people), default=0)
    say(f"{found.key}  {clip(found.title, CELL_WIDTH)}")
    for time, who, line in zip(times, people, lines, strict=True):
        say(f"  {time:<{wide}}  {who:<{wider}}  {line.sentence}")


@task.command("move")
@click.argument("key")
@click.argument("column")
@click.option("--position", type=int, help="0 for the top (default: the bottom).")
@pass_cli
def task_move(cli_ctx: CliContext, key: str, column: str, position: int | None) -> None:
    """Move a task to another column (by name)."""
    from tui_board.backend.undo import card_move
    from tui_board.cli.undo import remember

    backend = cli_ctx.backend()
    found = backend.get_task(key)
    if found.archived:
        fail(
            f"{found.key} is archived: `tui-board task archive {found.key} --restore` "
            "brings it back"
        )
    place = [t.key for t in backend.list_tasks(column_id=found.column_id)].index(found.key)
    moved = backend.move_task(
        found.key, found.version, _column_id(cli_ctx, found.project, column), position
    )
    what = f"move {moved.key} to {moved.column}"
    remember(cli_ctx, card_move(what, found, place, moved, position))
    say(f"Moved {moved.key} to {moved.column}.")
    if moved.column_id != found.column_id:
        _over_limit(cli_ctx, moved.project, moved.column_id)


@task.command("assign")
@click.argument("key")
@click.argument("login", required=False)
@pass_cli
def task_assign(cli_ctx: CliContext, key: str, login: str | None) -> None:
    """Assign a task to LOGIN (no LOGIN: unassign)."""
    from tui_board.backend.undo import card_edit
    from tui_board.cli.undo import remember
    from tui_board.core.models import TaskPatch

    backend = cli_ctx.backend()
    found = backend.get_task(key)
    patch = TaskPatch(assignee=login or None)
    done = backend.update_task(found.key, found.version, patch)
    remember(cli_ctx, card_edit(f"assign {found.key} to {login or 'nobody'}", found, done, patch))
    say(f"{found.key} is assigned to {login}." if login else f"{found.key} is unassigned.")


@task.command("comment")
@click.argument("key")
@click.argument("body")
@pass_cli
def task_comment(cli_ctx: CliContext, key: str, body: str) -> None:
    """Add a comment to a task."""
    cli_ctx.backend().add_comment(key, body)
    say(f"Commented on {key.upper()}.")


@task.command("archive")
@click.argument("key")
@click.option("--restore", is_flag=True, help="Bring an archived task back.")
@pass_cli
def task_archive(cli_ctx: CliContext, key: str, restore: bool) -> None:
    """Archive a task (it leaves the board; its time stays)."""
    from tui_board.backend.undo import card_archived
    from tui_board.cli.undo import remember

    backend = cli_ctx.backend()
    found = backend.get_task(key)
    if found.archived != restore:  # as asked already: nothing to do, nothing to undo
        say(f"{found.key} is {'on the board' if restore else 'archived'} already.")
        return
    done = backend.archive_task(found.key, found.version, archived=not restore)
    remember(cli_ctx, card_archived(f"{'restore' if restore else 'archive'} {found.key}", done))
    say(f"{'Restored' if restore else 'Archived'} {found.key}.")


def _over_limit(cli_ctx: CliContext, project_key: str, column_id: int) -> None:
    """One line on stderr when a card went into a column past its WIP limit (stored all
    the same: a limit is a warning, as on a paper board and in the app)."""
    backend = cli_ctx.backend()
    column = next((c for c in backend.list_columns(project_key) if c.id == column_id), None)
    if column is None or column.wip_limit is None:
        return
    count = backend.count_tasks(project_key).get(column_id, 0)
    if count > column.wip_limit:
        say(
            f"note: {column.name} holds {count} card{'s' * (count != 1)}, over its WIP limit"
            f" of {column.wip_limit}.",
            err=True,
        )


def _column_id(cli_ctx: CliContext, project_key: str, name: str) -> int:
    columns = cli_ctx.backend().list_columns(project_key)
    for column in columns:
        if column.name.lower() == name.lower():
            return column.id
    matches = [c for c in columns if c.name.lower().startswith(name.lower())]
    if len(matches) == 1:
        return matches[0].id
    fail(
        f"no column {name!r} in {project_key.upper()}; columns: "
        + ", ".join(c.name for c in columns),
        2,
    )
    raise AssertionError


COMMANDS = [project, customer, task]
