"""Nothing stored or typed reaches a terminal raw through the command line.

The hostile corpus (tests/hostile.py) is planted with SQL into a demo database, one
string at a time into every text column, and every command of the `tui-board` group is
run over it (the group is walked, so a new command cannot be forgotten), with and
without `--json`, together with the error paths that echo what was typed. Stdout and
stderr must hold no forbidden sequence and no escape at all (the CLI writes none of its
own), `--json` must parse back to the stored values, and exit codes stay the usual ones.
Most runs are in-process (tests/cli_helpers.py, with colour on so that click strips
nothing); a few go through the real entry point, in a pipe and in a pty.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import pty
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import click
import pytest
from rich.cells import cell_len

from tests.cli_helpers import entry_point_env, run_cli
from tests.hostile import CORPUS, plant, stray_escapes, violations
from tui_board.cli import output
from tui_board.cli.main import cli
from tui_board.core.text import printable

ROOT = Path(__file__).resolve().parents[1]
CLI_DIR = ROOT / "tui_board" / "cli"
ME = "alice"


@dataclass(frozen=True)
class Run:
    """One command line: `codes` are the exit codes it may end with; `stored` that its
    `--json` output holds the planted string; `table` that it prints a table, whose
    lines `aligned` end at one width (its last column is right-aligned)."""

    args: tuple[str, ...]
    codes: frozenset[int] = frozenset({0})
    stored: bool = False
    table: bool = False
    aligned: bool = False


cli.list_commands(click.Context(cli))  # the subcommands load on demand: load them all


def leaf_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> Iterator[str]:
    """Every command a user can run, as `task list`."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name))


def command_of(args: tuple[str, ...]) -> str:
    """The command a command line runs (`--db PATH task list` -> `task list`)."""
    words = list(args)
    while words and words[0] == "--db":
        words = words[2:]
    group: click.Command = cli
    path: list[str] = []
    while isinstance(group, click.Group) and words and words[0] in group.commands:
        path.append(words[0])
        group = group.commands[words.pop(0)]
    return " ".join(path)


#: A demo database small enough to make in a second.
TINY = ("--users", "2", "--tasks", "2", "--weeks", "1")


# --- the database --------------------------------------------------------------------


@dataclass(frozen=True)
class Demo:
    """A small demo database and what the runs need to know about it."""

    db: Path
    member: str
    submitted: tuple[tuple[str, str], ...]  # (login, week) of submitted weeks


def invoke(args: tuple[str, ...], home: Path) -> tuple[int, str, str]:
    """Run the CLI in-process; colour on, so that click strips no escape itself."""
    ran = run_cli(args, home=home, env={"TUI_BOARD_USER": ME}, color=True)
    return ran.code, ran.stdout, ran.stderr


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo, with a comment, a time off, an entry comment and a rejection added so
    that every text column has rows to plant into."""
    home = tmp_path_factory.mktemp("template")
    db = home / "demo.db"
    size = ("--users", "8", "--tasks", "12", "--weeks", "3")
    assert invoke(("demo", "--no-open", "--db", str(db), *size), home)[0] == 0

    def json_of(*args: str) -> object:
        code, out, err = invoke(("--db", str(db), *args, "--json"), home)
        assert code == 0, err
        return json.loads(out)

    users = json_of("user", "list")
    assert isinstance(users, list)
    member = next(u["login"] for u in users if u["role"] == "member")
    weeks = json_of("weeks", "--state", "submitted")
    assert isinstance(weeks, list) and len(weeks) >= 2, weeks
    submitted = tuple((w["user"], w["week"]) for w in weeks)
    soon = (date.today() + timedelta(days=14)).isoformat()
    for args in (
        ("task", "comment", "WEB-1", "a comment"),
        ("timeoff", "add", soon, "4h"),
        ("log", "1h", "WEB-1", "-m", "an entry comment", "--date", "-1"),
        ("reject", *submitted[-1][:1], "-m", "a note", "--week", submitted[-1][1]),
    ):
        code, _, err = invoke(("--db", str(db), *args), home)
        assert code == 0, (args, err)
    return Demo(db, member, submitted[:-1])


#: How many variants of one string are planted: rows of a column whose names must be
#: unique (teams, customers, a project's columns) get different ones.
VARIANTS = 8


def variants(value: str) -> dict[str, str]:
    """`value`, then `value #2` ... : one hostile string, planted in every row."""
    return {str(n): value + (f" #{n}" if n > 1 else "") for n in range(1, VARIANTS + 1)}


def planted(template: Demo, home: Path, value: str) -> Demo:
    """A copy of the template with `value` (or a variant) in every stored text."""
    db = home / "board.db"
    shutil.copy(template.db, db)
    assert plant(db, corpus=variants(value)) > 0
    return Demo(db, template.member, template.submitted)


# --- the runs ------------------------------------------------------------------------


def with_json(
    *args: str, table: bool = True, aligned: bool = False, stored: bool = True
) -> list[Run]:
    """A command as people see it (a table unless told) and as JSON."""
    return [Run(args, table=table, aligned=aligned), Run((*args, "--json"), stored=stored)]


def stored_text_runs(demo: Demo, home: Path, value: str) -> list[Run]:
    """Every command that shows stored text, in an order that works on one database.
    `value` is the planted string (so a lookup by a stored name finds it)."""
    (login, submitted_week), *_ = demo.submitted
    soon = (date.today() + timedelta(days=21)).isoformat()
    db = str(demo.db)
    return [
        *with_json("user", "list"),
        Run(("user", "list", "--all")),
        *with_json("team", "list"),
        *with_json("project", "list"),
        Run(("project", "list", "--all")),
        *with_json("project", "columns", "WEB"),
        *with_json("customer", "list"),
        *with_json("task", "list"),
        Run(("task", "list", "--all", "--project", "WEB")),
        *with_json("task", "show", "WEB-1", table=False),
        *with_json("task", "show", "APP-1", table=False),
        *with_json("week", aligned=True),
        *with_json("week", "--week", submitted_week, "--user", login, aligned=True),
        *with_json("weeks"),
        Run(("weeks", "--state", "rejected")),
        Run(("workload",), aligned=True),
        Run(("workload", "--json")),
        Run(("export", "csv", "--from", "2000-01-01")),
        Run(("export", "json", "--from", "2000-01-01"), stored=True),
        Run(("export", "csv", "--from", "2000-01-01", "-o", str(home / "out.csv"))),
        Run(("export", "kimai", "--from", "2000-01-01")),
        Run(("export", "timewarrior", "--from", "2000-01-01", "--user", demo.member)),
        Run(("export", "actitime", "--from", "2000-01-01")),
        # stored text back in through an import: refusals name what they refuse
        Run(("import", "csv", str(home / "out.csv"), "--dry-run"), frozenset({0, 1})),
        Run(("import", "csv", str(home / "out.csv"), "--json"), frozenset({0, 1})),
        *with_json("timeoff", "list", stored=False),
        Run(("remind",)),
        Run(("timer", "status")),
        Run(("timer", "start", "WEB-1")),
        Run(("timer", "start", "WEB-2")),
        *with_json("timer", "status", table=False),
        Run(("timer", "stop")),
        Run(("timer", "stop")),
        Run(("log", "1h", "WEB-1", "-m", "plain")),
        Run(("log", "30m", "WEB-2", "--json"), stored=True),
        Run(("task", "add", "WEB", "A plain title")),
        Run(("task", "add", "WEB", "Another plain title", "--json"), stored=True),
        Run(("task", "move", "WEB-1", value)),
        Run(("task", "assign", "WEB-1", demo.member)),
        Run(("task", "assign", "WEB-1")),
        Run(("task", "comment", "WEB-1", "plain")),
        Run(("task", "archive", "WEB-3")),
        Run(("task", "archive", "WEB-3", "--restore")),
        *with_json("task", "history", "WEB-1", table=False),
        # a team looked up by its stored name: found, or refused as input once the
        # service checks every text it is given
        Run(("user", "add", "newbie", "--team", value), frozenset({0, 2})),
        Run(("user", "set", demo.member, "--capacity", "30h")),
        Run(("user", "token", demo.member)),
        Run(("team", "add", "Plain team", "--lead", demo.member)),
        Run(("team", "lead", "Plain team", ME)),
        Run(("customer", "add", "Plain customer")),
        Run(("project", "add", "NEW", "Plain project")),
        Run(("submit",)),
        Run(("approve", login, "--week", submitted_week)),
        Run(("reject", login, "-m", "plain note", "--week", submitted_week)),
        *with_json("schedule", "WEB"),
        Run(("milestone", "add", "WEB", "Plain milestone", soon)),
        *with_json("milestone", "list", "WEB", stored=False),
        Run(("milestone", "move", "WEB", "Plain milestone", soon)),
        Run(("plan", "WEB-1", "--milestone", "Plain milestone", "--due", soon)),
        Run(("project", "deadline", "WEB", soon)),
        *with_json("schedule", "WEB"),
        *with_json("user", "schedule", demo.member, stored=False),
        Run(("user", "schedule", demo.member, "mon-fri 7h")),
        *with_json("report", "estimates", stored=False),
        Run(("report", "estimates", "--csv")),
        *with_json("report", "overtime", stored=False),
        Run(("report", "overtime", "--csv")),
        Run(("undo", "--list")),
        Run(("undo", "--list", "--json")),
        Run(("undo",), frozenset({0, 1})),
        Run(("lock", "2000-01-03")),
        Run(("timeoff", "add", soon, "2h")),
        Run(("timeoff", "remove", "999999"), frozenset({1})),  # no such time off
        Run(("config", "set", "daily_target", "8h")),
        Run(("config", "get", "daily_target")),
        Run(("config", "list")),
        Run(("config", "list", "--json")),
        Run(("locate", "db")),
        Run(("db", "upgrade", "--db", db)),
        Run(("db", "backup", str(home / "copy.db"), "--db", db)),
    ]


def typed_text_runs(demo: Demo, home: Path, value: str) -> list[Run]:
    """Command lines that echo what was typed: refusals, lookups that find nothing,
    names and paths. `value` is a hostile string typed where the run puts it."""
    refused = frozenset({1, 2})
    stored_or_refused = frozenset({0, 2})
    odd = home / "odd"
    odd.mkdir(exist_ok=True)
    path = str(odd / f"{value[:100]}.db")
    name = f"{value[:100]}.db"
    missing = str(home / "missing" / name)
    kimai = home / "typed.csv"
    with kimai.open("w", encoding="utf-8", errors="surrogatepass", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["Date", "From", "To", "Duration", "User", "Project", "Activity", "Description"]
        )
        writer.writerow(["2026-11-23", "09:00", "10:00", "1", value, "WEB", "Design", value])
        writer.writerow(["2026-11-23", "10:00", "11:00", "1", ME, value, value, "x"])
        writer.writerow(["2026-11-23", "11:00", "12:00", "1", ME, "WEB", "Fix", value])
        writer.writerow([value, "12:00", "13:00", value, ME, "WEB", "WEB-1", "y"])
    typed_file = frozenset({0, 1, 2})
    return [
        Run(("import", "kimai", str(kimai)), typed_file),
        Run(("import", "kimai", str(kimai), "--json"), typed_file),
        Run(("import", "kimai", str(kimai), "--dry-run", "--create"), typed_file),
        Run(("import", "kimai", path), refused),
        Run(("import", "kimai", str(kimai), "--project", value), refused),
        Run(("import", "kimai", str(kimai), "--tz", value), refused),
        Run(("serve", "--db", missing), refused),  # first: nothing has made the folder
        Run(("--db", missing, "web", "--port", "1"), refused),
        Run(("log", "1h", value), refused),
        Run(("log", value, "WEB-1"), refused),
        Run(("log", "1h", f"WEB-{value}"), refused),
        Run(("task", "show", value), refused),
        Run(("task", "history", value), refused),
        Run(("task", "move", "WEB-1", value), refused),
        Run(("timer", "start", value), refused),
        Run(("user", "set", value, "--capacity", "1h"), refused),
        Run(("approve", value), refused),
        Run(("week", "--week", value), refused),
        Run(("week", "--user", value), refused),
        Run(("export", "csv", "--from", value), refused),
        Run(("lock", value), refused),
        Run(("timeoff", "add", value), refused),
        Run(("team", "lead", value, ME), refused),
        Run(("config", "get", value), refused),
        Run(("schedule", value), refused),
        Run(("milestone", "move", "WEB", value, "2026-12-01"), refused),
        Run(("plan", "WEB-1", "--milestone", value), refused),
        Run(("user", "schedule", ME, value), refused),
        Run(("report", "estimates", "--project", value), refused),
        Run(("report", "overtime", "--user", value), refused),
        Run(("project", "deadline", "WEB", value), refused),
        Run(("milestone", "add", "WEB", value, "2026-12-01"), stored_or_refused),
        Run((value,), refused),
        Run(("task", "list", f"--{value}"), refused),
        Run(("export", value), refused),
        Run(("task", "add", "WEB", value), stored_or_refused),
        Run(("task", "comment", "WEB-1", value), stored_or_refused),
        Run(("log", "1h", "WEB-1", "-m", value), stored_or_refused),
        Run(("customer", "add", value), stored_or_refused),
        Run(("project", "add", "ODD", value), stored_or_refused),
        Run(("user", "add", "odd", "--name", value), stored_or_refused),
        Run(("team", "add", value), stored_or_refused),
        Run(("config", "set", "theme", value), stored_or_refused),
        Run(("config", "list")),
        Run(("--db", missing, "user", "list"), refused),
        Run(("--db", path, "locate", "db")),
        Run(("init", "--db", path), frozenset({0, 1})),
        Run(("db", "backup", f"{path}.copy", "--db", str(demo.db)), frozenset({0, 1})),
        Run(("demo", "--no-open", "--db", str(home / "demo" / name), *TINY), frozenset({0, 1})),
    ]


# --- the checks ----------------------------------------------------------------------


def strings_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def holds(parsed: object, value: str) -> bool:
    """Whether parsed JSON holds `value` (or a planted variant of it) exactly."""
    return any(text == value or text.startswith(f"{value} #") for text in strings_in(parsed))


def table_lines(out: str) -> list[str]:
    """The lines of the table a command printed (from its header, up to a blank line
    or the legend)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"^[A-Z]{2,}( {2}|$)", line))
    table = []
    for line in lines[start:]:
        if not line or line.startswith("load/capacity"):
            break
        table.append(line)
    return table


#: No table line is wider than this (a 10,000-character value is cut in a table).
TABLE_WIDTH = 400


def findings(run: Run, code: int, out: str, err: str, value: str | None) -> list[str]:
    """What is wrong with one run's result (empty when all is well)."""
    found = []
    for name, text in (("stdout", out), ("stderr", err)):
        found += [f"{name} holds {marker!r}" for marker in violations(text) + stray_escapes(text)]
        if "Traceback" in text:
            found.append(f"{name} holds a traceback")
    if "unexpected error" in err:
        found.append(f"not a message a user can act on: {err.strip()[:200]!r}")
    if err.startswith("tui-board: ") and len(err.splitlines()) > 1:
        found.append(f"the error is more than one line: {err[:200]!r}")
    if err.startswith("tui-board: ") and len(err) > 1_000:  # 10,000 characters echoed
        found.append(f"the error is {len(err):,} characters: {err[:200]!r}")
    if code not in run.codes:
        found.append(f"exit code {code}: {err.strip()[:200]!r}")
    if code != 0:
        return found
    if "--json" in run.args or run.args[:2] == ("export", "json"):
        try:
            parsed = json.loads(out)
        except ValueError as error:
            found.append(f"the JSON does not parse: {error}")
        else:
            if run.stored and value is not None and not holds(parsed, value):
                found.append("the JSON does not hold the stored value")
    if run.table:
        lines = table_lines(out)
        widths = {cell_len(line) for line in lines}
        if run.aligned and len(widths) != 1:
            found.append(f"table lines of {sorted(widths)} cells: not aligned")
        if max(widths) > TABLE_WIDTH:
            found.append(f"a table line of {max(widths)} cells: a long value was not cut")
    return found


def check_runs(runs: list[Run], home: Path, db: Path, value: str | None = None) -> list[str]:
    """Run each command line on `db` and say what went wrong, run by run."""
    found = []
    for run in runs:
        args = run.args if run.args[0] == "--db" else ("--db", str(db), *run.args)
        code, out, err = invoke(args, home)
        label = " ".join(run.args).encode("unicode_escape").decode()[:80]
        found += [f"{label}: {problem}" for problem in findings(run, code, out, err, value)]
    return found


# --- the tests -----------------------------------------------------------------------

NAMES = list(CORPUS)


def test_every_command_is_run_over_hostile_text(tmp_path: Path) -> None:
    """A command added to the group without a run here fails this test."""
    demo = Demo(tmp_path / "x.db", "m", (("m", "2026-W01"),))
    runs = stored_text_runs(demo, tmp_path, "v") + typed_text_runs(demo, tmp_path, "v")
    assert set(leaf_commands()) - {command_of(run.args) for run in runs} == set()


@pytest.mark.parametrize("name", NAMES)
def test_stored_text_reaches_no_terminal_raw(template: Demo, tmp_path: Path, name: str) -> None:
    value = CORPUS[name]
    demo = planted(template, tmp_path, value)
    runs = stored_text_runs(demo, tmp_path, value)
    assert check_runs(runs, tmp_path, demo.db, value) == []


@pytest.mark.parametrize("name", NAMES)
def test_typed_text_reaches_no_terminal_raw(template: Demo, tmp_path: Path, name: str) -> None:
    db = tmp_path / "board.db"
    shutil.copy(template.db, db)
    demo = Demo(db, template.member, template.submitted)
    assert check_runs(typed_text_runs(demo, tmp_path, CORPUS[name]), tmp_path, db) == []


# --- the real entry point --------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed(template: Demo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template with the whole corpus planted, a different string a row."""
    db = tmp_path_factory.mktemp("mixed") / "board.db"
    shutil.copy(template.db, db)
    plant(db)
    return db


#: A table, a document and an error: every command runs in-process over the corpus
#: above (with colour on, a stricter check than a pipe, where click strips escapes);
#: these check the real process's streams.
SHOWN = [
    ("task", "list"),
    ("export", "json", "--from", "2000-01-01"),
    ("log", "1h", "\x1b]0;pwned\x07x"),
]


@pytest.mark.parametrize("args", SHOWN, ids=lambda args: " ".join(args)[:20])
def test_the_entry_point_writes_no_escape_to_a_pipe(
    mixed: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """The bytes `python -m tui_board` writes, over every string of the corpus at once."""
    done = subprocess.run(
        [sys.executable, "-m", "tui_board", "--db", str(mixed), *args],
        env=entry_point_env(tmp_path, TUI_BOARD_USER=ME),
        capture_output=True,
        timeout=60,
        check=False,
    )
    for stream in (done.stdout, done.stderr):
        text = stream.decode("utf-8")
        assert violations(text) == []
        assert stray_escapes(text) == []
    assert done.returncode == (2 if args[0] == "log" else 0), done.stderr


def read_pty(args: tuple[str, ...], env: dict[str, str]) -> bytes:
    """What the entry point writes to a terminal (stdout and stderr on one pty)."""
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "tui_board", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the process has gone and the pty is closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks)


BOLD = ("\x1b[1m", "\x1b[0m")


@pytest.mark.parametrize("no_color", [True, False])
def test_on_a_terminal_only_the_header_is_bold_and_not_with_no_color(
    mixed: Path, tmp_path: Path, no_color: bool
) -> None:
    extra = {"TERM": "xterm-256color", **({"NO_COLOR": "1"} if no_color else {})}
    env = entry_point_env(tmp_path, TUI_BOARD_USER=ME, **extra)
    for args in (("task", "list"), ("task", "show", "WEB-1"), ("weeks",)):
        shown = read_pty(("--db", str(mixed), *args), env)
        text = shown.decode("utf-8")
        assert violations(text) == []
        if no_color:
            assert stray_escapes(text) == []
        else:
            for code in BOLD:
                text = text.replace(code, "")
            assert stray_escapes(text) == []
            assert args[1:2] == ("show",) or BOLD[0] in shown.decode()


# --- tables ----------------------------------------------------------------------------


def test_tables_align_in_terminal_cells_and_cut_long_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    values = [CORPUS[name] for name in NAMES]
    output.table(["NAME", "AFTER", "N"], [(v, "|", len(v)) for v in values], right={2})
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(values) + 1
    assert {cell_len(line) for line in lines} == {cell_len(lines[0])}
    bars = {cell_len(line[: line.index("|")]) for line in lines[1:]}
    assert len(bars) == 1, "the second column starts in one place"
    assert cell_len(lines[0]) <= output.CELL_WIDTH + 20
    long_line = lines[1 + NAMES.index("long")]
    assert long_line.startswith("L" * (output.CELL_WIDTH - 1) + output.ELLIPSIS)
    wide_line = lines[1 + NAMES.index("wide")]
    assert wide_line.startswith(CORPUS["wide"])


@pytest.mark.parametrize("width", [1, 2, 3, 10])
def test_clip_never_splits_a_wide_character_past_the_width(width: int) -> None:
    for value in CORPUS.values():
        clipped = output.clip(value, width)
        assert cell_len(clipped) <= max(width, 1)
        assert clipped == printable(value) or clipped.endswith(output.ELLIPSIS)


# --- the choke point -------------------------------------------------------------------

#: Calls that write to a terminal, by the name they are called by.
WRITERS = {"print", "echo", "secho", "echo_via_pager", "pprint"}
STREAMS = {"stdout", "stderr", "__stdout__", "__stderr__"}


#: What a module may call on sys.stdout: asking about it is not writing to it.
HARMLESS = {"fileno", "isatty"}


def attribute_chain(node: ast.expr) -> list[str]:
    """`sys.stderr.buffer.write` as ["sys", "stderr", "buffer", "write"]."""
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
    return names[::-1]


def writes_in(tree: ast.AST) -> list[str]:
    """Where a module writes to the terminal itself: print/echo calls, writes to
    sys.stdout/sys.stderr, and imports of click's echo functions."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in WRITERS:
                found.append(f"line {node.lineno}: {name}(...)")
            chain = attribute_chain(func)
            if STREAMS & set(chain) and chain[-1] not in HARMLESS:
                found.append(f"line {node.lineno}: {'.'.join(chain)}(...)")
        if isinstance(node, ast.ImportFrom) and node.module in ("click", "rich", "pprint"):
            found += [
                f"line {node.lineno}: imports {a.name}" for a in node.names if a.name in WRITERS
            ]
    return found


@pytest.mark.parametrize(
    "module", sorted(p.name for p in CLI_DIR.glob("*.py") if p.name != "output.py")
)
def test_only_the_output_module_writes_to_the_terminal(module: str) -> None:
    tree = ast.parse((CLI_DIR / module).read_text(encoding="utf-8"))
    assert writes_in(tree) == []


def test_the_writer_check_finds_what_it_looks_for() -> None:
    code = (
        "import click, sys\nfrom click import echo\n"
        "click.echo('x')\nclick.secho('x')\nprint('x')\necho('x')\n"
        "sys.stdout.write('x')\nsys.stderr.buffer.write(b'x')\nsys.stdout.fileno()\n"
    )
    assert len(writes_in(ast.parse(code))) == 7
