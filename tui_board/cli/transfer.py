"""`tui-board import` and `tui-board export`: moving time in from the tools teams use,
and out to what they (and payroll) read.

An import reads the file and maps it here (`core.importing`: pure functions), then
sends its rows through the Backend (`backend.transfer.send_import`), which stores them
all in one transaction under the service layer's rules, on a local file and on a team
server alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tui_board.cli.context import CliContext, pass_cli
from tui_board.cli.output import emit_json, fail, progress, say, status, table
from tui_board.core.importing.formats import FORMATS

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.core.importing.mapping import Board, MapFile
    from tui_board.core.models import ImportRefusal, ImportResult

#: The formats `export` writes.
EXPORT_FORMATS = ("csv", "json", "kimai", "timewarrior", "actitime")
#: The most reasons listed (each with its rows' lines); --json lists every row.
SHOWN_REASONS = 20
SHOWN_LINES = 8
#: The largest file read.
MAX_FILE_BYTES = 512 * 1024 * 1024


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(FORMATS))
@click.argument("path", metavar="FILE", type=click.Path(path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Store nothing: say what would be stored and refused."
)
@click.option(
    "--map",
    "map_path",
    metavar="FILE",
    type=click.Path(path_type=Path),
    help="A TOML file naming the file's people, projects and tasks here ([users] etc.).",
)
@click.option("--project", "project_key", metavar="KEY", help="Put every row in this project.")
@click.option("--user", "login", help="Whose time a file of one person's is (default: yours).")
@click.option(
    "--create", is_flag=True, help="Make the projects and tasks the file names that are not here."
)
@click.option("--strict", is_flag=True, help="Store nothing if any row is refused.")
@click.option(
    "--dates",
    type=click.Choice(["dmy", "mdy"]),
    help="How to read days such as 03/04/2026: day first (dmy) or month first (mdy).",
)
@click.option("--tz", metavar="ZONE", help="Where the file's times were worked (Europe/Berlin).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def import_time(
    cli_ctx: CliContext,
    fmt: str,
    path: Path,
    dry_run: bool,
    map_path: Path | None,
    project_key: str | None,
    login: str | None,
    create: bool,
    strict: bool,
    dates: str | None,
    tz: str | None,
    as_json: bool,
) -> None:
    """Import time from another tool's FILE: kimai, toggl, clockify, timewarrior,
    actitime, or our own csv or json export. Each cell the file's rows fall in is SET
    to them (importing the same file again changes nothing); rows that cannot be stored
    are listed with the reason. Exit code 1 when rows were refused."""
    from tui_board.backend.transfer import send_import
    from tui_board.core.errors import Invalid
    from tui_board.core.importing.formats import read_file
    from tui_board.core.importing.mapping import Options, map_rows

    data = _read(path)
    map_file = _map_file(map_path) if map_path else None
    zone = _zone(tz)
    status(f"reading {path.name}")
    source_rows = read_file(fmt, data, date_order=dates)  # type: ignore[arg-type]
    del data  # a big file's bytes are not needed again
    backend = cli_ctx.backend()
    me = backend.me()
    board = _board(backend)
    if project_key and project_key.upper() not in board.project_keys:
        raise Invalid(f"no project {project_key.upper()}")
    options = Options(
        user=login or me.login,
        project=project_key.upper() if project_key else None,
        create=create,
        tz=zone,
    )
    with progress(len(source_rows), f"mapping {path.name}") as step:
        mapped = map_rows(source_rows, board, options, map_file, progress=step)
    del source_rows, board
    if strict and mapped.refused and not dry_run:
        first = min(mapped.refused, key=lambda r: r.line)
        raise Invalid(
            f"{len({r.line for r in mapped.refused})} rows of {path.name} cannot be mapped, "
            f"so nothing was stored (--strict); the first: line {first.line}: {first.reason}"
        )
    with progress(len(mapped.rows), f"sending {path.name}") as step:
        result = send_import(
            backend,
            mapped.rows,
            f"{fmt} {path.name}",
            create=create,
            dry_run=dry_run,
            strict=strict,
            progress=step,
            stored=lambda: status(f"storing {len(mapped.rows):,} rows (one transaction)"),
        )
    if result is None:
        say("The server had stored this import already; nothing more was done.")
        return
    _report(result, mapped.refused, as_json)


def _read(path: Path) -> bytes:
    from tui_board.core.errors import Invalid

    try:
        path = path.expanduser()
        if path.stat().st_size > MAX_FILE_BYTES:
            raise Invalid(f"{path} is over {MAX_FILE_BYTES >> 20} MB; split it")
        return path.read_bytes()
    except OSError as error:
        raise Invalid(f"cannot read {path}: {error.strerror or error}") from None


def _map_file(path: Path) -> MapFile:
    import tomllib

    from tui_board.core.errors import Invalid
    from tui_board.core.importing.mapping import MapFile

    try:
        return MapFile.from_toml(tomllib.loads(_read(path).decode("utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise Invalid(f"{path} is not a TOML map file: {error}") from None


def _zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from tui_board.core.errors import Invalid
    from tui_board.core.text import quoted_back

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        raise Invalid(
            f"no time zone {quoted_back(name)}; name one such as Europe/Berlin or UTC"
        ) from None


def _board(backend: Backend) -> Board:
    from tui_board.core.importing.mapping import Board

    return Board(
        backend.list_users(include_inactive=True),
        backend.list_projects(include_archived=True),
        backend.list_tasks(include_archived=True),
    )


def _report(result: ImportResult, mapped_refusals: Sequence[ImportRefusal], as_json: bool) -> None:
    """What was stored and refused; exit code 1 when rows were refused."""
    from dataclasses import replace

    from tui_board.core.durations import format_duration

    refused = tuple(sorted([*mapped_refusals, *result.refused], key=lambda r: r.line))
    result = replace(result, refused=refused)
    lines = sorted({r.line for r in refused})
    if as_json:
        emit_json(result)
    else:
        verb = "Would store" if result.dry_run else "Stored"
        same = f"{result.unchanged:,} {'cell' if result.unchanged == 1 else 'cells'}"
        # (a cell left alone holds what the file says, or the file's rows were imported
        # into it before: a change made by hand since is kept, not said to be the file's)
        if result.rows and not result.cells:
            say(
                f"Nothing to change: {_rows(result.rows)} of {result.file}; {same} imported "
                "before or holding what it says."
            )
        else:
            say(
                f"{verb} {_rows(result.rows)} of {result.file} in {result.cells:,} "
                f"{'cell' if result.cells == 1 else 'cells'}"
                + (
                    f"; {same} imported before or holding what it says, left alone"
                    if result.unchanged
                    else ""
                )
                + "."
            )
        if result.weeks:
            rows = [
                [w.user, w.week, w.cells, format_duration(w.before), format_duration(w.after)]
                for w in result.weeks
            ]
            rows.append(
                [
                    "total",
                    "",
                    sum(w.cells for w in result.weeks),
                    format_duration(sum(w.before for w in result.weeks)),
                    format_duration(sum(w.after for w in result.weeks)),
                ]
            )
            table(["PERSON", "WEEK", "CELLS", "BEFORE", "AFTER"], rows, right={2, 3, 4})
        if result.created:
            made = "Would make" if result.dry_run else "Made"
            say(f"{made}: {', '.join(result.created)}.")
        if refused:
            say(f"{'Would refuse' if result.dry_run else 'Refused'} {_rows(len(lines))}:")
            _list_refusals(refused)
    if refused:
        one = result.rows == 1
        stored = ("would be" if result.dry_run else "was" if one else "were") + " stored"
        other = "the other row" if one else f"the other {result.rows:,}"
        fail(f"{_rows(len(lines))} refused (listed); {other} {stored}")


def _rows(count: int) -> str:
    return f"{count:,} {'row' if count == 1 else 'rows'}"


def _list_refusals(refused: Sequence[ImportRefusal]) -> None:
    """The refused rows by reason: a reason once, with the lines it holds for."""
    by_reason: dict[str, list[int]] = defaultdict(list)
    for refusal in refused:
        by_reason[refusal.reason].append(refusal.line)
    reasons = sorted(by_reason.items(), key=lambda item: item[1][0])
    for reason, lines in reasons[:SHOWN_REASONS]:
        shown = ", ".join(map(str, lines[:SHOWN_LINES]))
        more = f" and {len(lines) - SHOWN_LINES:,} more" if len(lines) > SHOWN_LINES else ""
        word = "line" if len(lines) == 1 else "lines"
        say(f"  {word} {shown}{more}: {reason}")
    if len(reasons) > SHOWN_REASONS:
        say(f"  ... and {len(reasons) - SHOWN_REASONS:,} more reasons (--json lists every row)")


# --- export ------------------------------------------------------------------------------------


@click.command()
@click.argument("fmt", metavar="|".join(EXPORT_FORMATS), type=click.Choice(EXPORT_FORMATS))
@click.option("--from", "start", help="First day (default: the 1st of this month).")
@click.option("--to", "end", help="Last day (default: today).")
@click.option("--user", help="Only this person (timewarrior: one person's, yours by default).")
@click.option("--project", "project_key", help="Only this project.")
@click.option("--tz", metavar="ZONE", help="Where the time was worked (kimai, timewarrior).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here.")
@click.option("--force", is_flag=True, help="With -o: replace the file if it exists.")
@pass_cli
def export(
    cli_ctx: CliContext,
    fmt: str,
    start: str | None,
    end: str | None,
    user: str | None,
    project_key: str | None,
    tz: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """Export time entries (one row per person, task and day) as our CSV or JSON, or as
    a file Kimai's importer, `timew import` or an actiTIME script reads; each is read
    back by `tui-board import` to the same cells."""
    from tui_board.core import exports
    from tui_board.core.errors import Invalid
    from tui_board.core.models import to_json
    from tui_board.core.text import safe_json
    from tui_board.files import write_file

    today = cli_ctx.today()
    first = cli_ctx.day(start) if start else today.replace(day=1)
    last = cli_ctx.day(end) if end else today
    if last < first:
        raise Invalid(f"--to {last:%a %d %b %Y} is before --from {first:%a %d %b %Y}")
    if output is not None:
        output = output.expanduser()
        if output.is_dir():
            raise Invalid(f"{output} is a folder; name a file to write")
        if output.exists() and not force:
            raise Invalid(f"{output} already exists and was left unchanged (--force replaces it)")
    zone = _zone(tz)
    backend = cli_ctx.backend()
    if fmt == "timewarrior" and user is None:
        user = backend.me().login  # Timewarrior is one person's
    entries = backend.list_entries(first, last, user=user, project=project_key)
    if fmt == "json":
        text = safe_json(to_json(entries), indent=2) + "\n"
    elif fmt == "csv":
        header = ["date", "user", "project", "task", "title", "minutes", "hours", "comment"]
        text = exports.csv_text(
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
    elif fmt == "timewarrior":
        text = exports.timewarrior_json(entries, zone)
    else:
        users = {u.login: u for u in backend.list_users(include_inactive=True)}
        projects = {p.key: p for p in backend.list_projects(include_archived=True)}
        if fmt == "kimai":
            text = exports.kimai_csv(entries, users, projects, zone)
        else:
            task_ids = {
                t.key: t.id
                for key in sorted({e.project for e in entries})
                for t in backend.list_tasks(project=key, include_archived=True)
            }
            text = exports.actitime_json(entries, users, projects, task_ids, first, last)
    if output is None:
        if fmt == "json":
            emit_json(entries)
        else:
            say(text, multiline=True, nl=False)
    else:
        try:
            write_file(output, text, replace=True)
        except OSError as error:
            raise Invalid(f"cannot write {output}: {error.strerror or error}") from None
        say(f"Wrote {len(entries)} entries to {output}", err=True)


COMMANDS = [import_time, export]
__all__ = ["COMMANDS"]
