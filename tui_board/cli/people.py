"""`tui-board user ...` and `tui-board team ...`."""

from __future__ import annotations

from typing import cast

import click

from tui_board.cli.context import CliContext, pass_cli
from tui_board.cli.output import emit_json, fail, say, table
from tui_board.core.models import Role

ROLE_CHOICE = click.Choice(["member", "lead", "admin"])


@click.group()
def user() -> None:
    """People: add, list, change, hand out API tokens."""


@user.command("add")
@click.argument("login")
@click.option("--name", default="", help="Full name (default: the login).")
@click.option("--email", default="")
@click.option("--role", type=ROLE_CHOICE, default="member", show_default=True)
@click.option("--team", help="Team name (made with `tui-board team add`).")
@click.option("--capacity", help="Weekly capacity, e.g. 40h or 32:00.")
@pass_cli
def user_add(
    cli_ctx: CliContext,
    login: str,
    name: str,
    email: str,
    role: str,
    team: str | None,
    capacity: str | None,
) -> None:
    """Add a person (admins only)."""
    minutes = cli_ctx.minutes(capacity, cap=False) if capacity else None
    added = cli_ctx.backend().create_user(
        login,
        name or login,
        email=email,
        role=cast(Role, role),
        team=team,
        capacity=minutes,
    )
    say(f"Added {added.login} ({added.role}{', ' + added.team if added.team else ''}).")


@user.command("list")
@click.option("--all", "include_inactive", is_flag=True, help="Include deactivated people.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def user_list(cli_ctx: CliContext, include_inactive: bool, as_json: bool) -> None:
    """List people."""
    from tui_board.core.durations import format_duration

    people = cli_ctx.backend().list_users(include_inactive=include_inactive)
    if as_json:
        emit_json(people)
        return
    table(
        ["LOGIN", "NAME", "ROLE", "TEAM", "CAPACITY", "ACTIVE"],
        [
            (
                u.login,
                u.name,
                u.role,
                u.team or "",
                format_duration(u.capacity),
                "yes" if u.active else "no",
            )
            for u in people
        ],
    )


@user.command("set")
@click.argument("login")
@click.option("--name")
@click.option("--email")
@click.option("--role", type=ROLE_CHOICE)
@click.option("--team", help="Team name; '' for none.")
@click.option("--capacity", help="Weekly capacity, e.g. 32h.")
@click.option("--active/--inactive", default=None)
@pass_cli
def user_set(
    cli_ctx: CliContext,
    login: str,
    name: str | None,
    email: str | None,
    role: str | None,
    team: str | None,
    capacity: str | None,
    active: bool | None,
) -> None:
    """Change a person's details."""
    from tui_board.core.models import UNSET, UserPatch

    backend = cli_ctx.backend()
    current = backend.get_user(login)
    patch = UserPatch(
        name=UNSET if name is None else name,
        email=UNSET if email is None else email,
        role=UNSET if role is None else cast(Role, role),
        team=UNSET if team is None else (team or None),
        capacity=UNSET if capacity is None else cli_ctx.minutes(capacity, cap=False),
        active=UNSET if active is None else active,
    )
    if not patch.changes():
        fail("nothing to change; see `tui-board user set --help`", 2)
    changed = backend.update_user(login, current.version, patch)
    say(f"Updated {changed.login}: {', '.join(patch.changes())}.")


@user.command("schedule")
@click.argument("login")
@click.argument("week", required=False, metavar='["mon-thu 8h, fri 4h"]')
@click.option("--from", "start", help="The day the new schedule starts (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def user_schedule(
    cli_ctx: CliContext, login: str, week: str | None, start: str | None, as_json: bool
) -> None:
    """Show a person's working time per weekday, or set it from a day on."""
    from tui_board.core.schedule import format_week, parse_week

    backend = cli_ctx.backend()
    if week is None:
        if start is not None:
            fail("--from goes with a schedule to set, e.g. 'mon-thu 8h, fri 4h'", 2)
        found = backend.get_schedule(login)
    else:
        found = backend.set_schedule(
            login, parse_week(week), start=cli_ctx.day(start, ahead=True) if start else None
        )
    if as_json:
        emit_json(found)
        return
    if week is not None:
        say(f"{found.user} works {format_week(found.changes[-1].minutes)} from {start or 'today'}.")
    table(
        ["FROM", "SCHEDULE"],
        [
            (c.day.isoformat() if c.day else "(before)", format_week(c.minutes))
            for c in found.changes
        ],
    )


@user.command("token")
@click.argument("login")
@click.option("--revoke", is_flag=True, help="Revoke this person's tokens instead.")
@click.option("--name", default="", help="A label for the token, e.g. the machine.")
@pass_cli
def user_token(cli_ctx: CliContext, login: str, revoke: bool, name: str) -> None:
    """Print a new API token for the team server (shown once), or revoke tokens."""
    from tui_board.backend.local import LocalBackend
    from tui_board.backend.local.file import FileBackend

    backend: object = cli_ctx.backend()
    if isinstance(backend, FileBackend):
        backend = backend.full()  # tokens are kept by the whole service layer
    if not isinstance(backend, LocalBackend):
        fail("tokens are made on the server's own database: run this with --db")
        return
    if revoke:
        say(f"Revoked {backend.revoke_tokens(login)} token(s) of {login}.")
        return
    token = backend.create_token(login, name=name)
    say(token)
    say(f"This is {login}'s token; it is shown only now.", err=True)


@click.group()
def team() -> None:
    """Teams: a lead sees and approves their team's time."""


@team.command("add")
@click.argument("name")
@click.option("--lead", help="The login of the team's lead.")
@pass_cli
def team_add(cli_ctx: CliContext, name: str, lead: str | None) -> None:
    """Add a team (admins only)."""
    made = cli_ctx.backend().create_team(name, lead=lead)
    say(f"Added team {made.name}{' led by ' + made.lead if made.lead else ''}.")


@team.command("lead")
@click.argument("name")
@click.argument("login")
@pass_cli
def team_lead(cli_ctx: CliContext, name: str, login: str) -> None:
    """Make LOGIN the lead of team NAME."""
    cli_ctx.backend().set_team_lead(name, login)
    say(f"{login} leads {name}.")


@team.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def team_list(cli_ctx: CliContext, as_json: bool) -> None:
    """List teams."""
    teams = cli_ctx.backend().list_teams()
    if as_json:
        emit_json(teams)
        return
    table(["TEAM", "LEAD"], [(t.name, t.lead or "") for t in teams])


COMMANDS = [user, team]
