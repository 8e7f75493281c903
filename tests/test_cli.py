"""The command line: what a user types, what is stored. Most tests run the command
in-process (tests/cli_helpers.py); the entry point itself (the installed script,
`python -m tui_board`, exit codes, stderr, a closed pipe) runs in real subprocesses at
the end of this file."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import click
import pytest

from tests import cli_helpers
from tests.cli_helpers import Cli, run_cli
from tui_board import __version__


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.ok("init", "--db", str(runner.db))
    runner.ok("project", "add", "WEB", "Web site")
    runner.ok("task", "add", "WEB", "Fix login", "--estimate", "4h")
    return runner


def test_the_issue_walkthrough(cli: Cli) -> None:
    out = cli.ok("log", "1h30", "WEB-1", "-m", "review")
    assert "1:30" in out
    sheet = cli.json("week")
    assert isinstance(sheet, dict)
    [entry] = sheet["entries"]
    assert entry["task"] == "WEB-1"
    assert entry["minutes"] == 90
    assert entry["day"] == date.today().isoformat()
    assert entry["comment"] == "review"
    rows = list(csv.DictReader(io.StringIO(cli.ok("export", "csv"))))
    assert [(r["task"], r["minutes"], r["comment"], r["date"]) for r in rows] == [
        ("WEB-1", "90", "review", date.today().isoformat())
    ]
    exported = json.loads(cli.ok("export", "json"))
    assert exported[0]["minutes"] == 90


@pytest.mark.parametrize("spelling", ["1:30", "90m", "1.5", "1,5", "1h 30m", "1h30"])
def test_every_spelling_of_ninety_minutes_stores_ninety(cli: Cli, spelling: str) -> None:
    cli.ok("log", spelling, "WEB-1")
    assert cli.week_minutes() == 90


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("log", "25h", "WEB-1"), "more than 24:00"),
        (("log", "-1h", "WEB-1"), "negative"),
        (("log", "abc", "WEB-1"), "as a duration"),
        (("log", "1h", "NOPE-9"), "no task NOPE-9"),
        (("log", "1h", "nonsense"), "not a task key"),
        (("log", "1h", "WEB-1", "--date", "someday"), "date"),
    ],
)
def test_bad_input_is_one_line_nonzero_and_stores_nothing(
    cli: Cli, args: tuple[str, ...], message: str
) -> None:
    result = cli.run(*args)
    assert result.code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tui-board: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr
    assert cli.week_minutes() == 0


def test_a_day_cannot_hold_more_than_24_hours_across_logs(cli: Cli) -> None:
    cli.ok("log", "20h", "WEB-1")
    result = cli.run("log", "5h", "WEB-1")
    assert result.code != 0
    assert "more than the 24:00" in result.stderr
    assert cli.week_minutes() == 20 * 60


def test_people_projects_tasks_and_json_listings(cli: Cli) -> None:
    cli.ok("team", "add", "Web")
    cli.ok("user", "add", "bob", "--name", "Bob Berg", "--team", "Web", "--capacity", "32h")
    users = cli.json("user", "list")
    assert isinstance(users, list)
    bob = next(u for u in users if u["login"] == "bob")
    assert (bob["name"], bob["team"], bob["capacity"], bob["role"]) == (
        "Bob Berg",
        "Web",
        1920,
        "member",
    )
    cli.ok(
        "task",
        "add",
        "WEB",
        "Second",
        "--assignee",
        "bob",
        "--due",
        "2026-12-01",
        "--priority",
        "high",
        "--tag",
        "ux",
        "--column",
        "To do",
    )
    tasks = cli.json("task", "list", "--project", "WEB")
    assert isinstance(tasks, list)
    second = next(t for t in tasks if t["key"] == "WEB-2")
    assert (
        second["assignee"],
        second["due"],
        second["priority"],
        second["tags"],
        second["column"],
    ) == ("bob", "2026-12-01", "high", ["ux"], "To do")
    cli.ok("task", "move", "WEB-2", "in progress")
    assert cli.json("task", "show", "WEB-2")["task"]["column"] == "In progress"
    cli.ok("task", "assign", "WEB-2")
    assert cli.json("task", "show", "WEB-2")["task"]["assignee"] is None
    projects = cli.json("project", "list")
    assert [p["key"] for p in projects] == ["WEB"]
    columns = cli.json("project", "columns", "WEB")
    assert [c["name"] for c in columns][:3] == ["Backlog", "To do", "In progress"]


def test_members_cannot_do_admin_work_and_are_told_why(cli: Cli) -> None:
    cli.ok("user", "add", "bob")
    result = cli.run("user", "add", "carol", user="bob")
    assert result.code != 0
    assert "only an admin" in result.stderr
    stranger = cli.run("week", user="mallory")
    assert stranger.code != 0
    assert "not a user of this board" in stranger.stderr
    users = cli.json("user", "list")
    assert [u["login"] for u in users] == ["alice", "bob"]


def test_submit_approve_reject_and_the_lock(cli: Cli) -> None:
    cli.ok("team", "add", "Web", "--lead", "alice")
    cli.ok("user", "add", "bob", "--team", "Web")
    cli.ok("log", "2h", "WEB-1", user="bob")
    week = cli.json("week", user="bob")["week"]
    cli.ok("submit", user="bob")
    locked = cli.run("log", "1h", "WEB-1", user="bob")
    assert locked.code != 0 and "submitted" in locked.stderr
    queue = cli.json("weeks", "--state", "submitted")
    assert [(w["user"], w["week"], w["submitted_minutes"]) for w in queue] == [("bob", week, 120)]
    cli.ok("reject", "bob", "--week", week, "-m", "missing Friday")
    sheet = cli.json("week", user="bob")
    assert sheet["state"]["state"] == "rejected"
    assert sheet["state"]["note"] == "missing Friday"
    cli.ok("log", "1h", "WEB-1", user="bob")
    cli.ok("submit", user="bob")
    cli.ok("approve", "bob", "--week", week)
    assert cli.json("week", user="bob")["state"]["state"] == "approved"


def test_approve_and_reject_take_the_week_the_person_sent(cli: Cli) -> None:
    """Without --week: the week LOGIN sent (it took last week, and a week sent this
    week was "draft; it cannot become approved": a new user's trial); two sent: which
    one is asked for, in one line."""
    cli.ok("user", "add", "bob")
    cli.ok("log", "2h", "WEB-1", user="bob")
    week = cli.json("week", user="bob")["week"]
    cli.ok("submit", user="bob")  # this week, not last week
    assert (
        cli.ok("reject", "bob", "-m", "and Friday?") == f"Rejected bob's week {week}: and Friday?\n"
    )
    cli.ok("submit", user="bob")
    assert cli.ok("approve", "bob") == f"Approved bob's week {week}.\n"
    cli.ok("log", "1h", "WEB-1", "--date", "2026-01-06", user="bob")
    cli.ok("log", "1h", "WEB-1", "--date", "2026-01-13", user="bob")
    cli.ok("submit", "--week", "2026-W02", user="bob")
    cli.ok("submit", "--week", "2026-W03", user="bob")
    two = cli.run("approve", "bob")
    assert (two.code, two.stdout) == (2, "")
    assert two.stderr == (
        "tui-board: bob has 2 weeks waiting (2026-W02, 2026-W03); say which with --week\n"
    )
    cli.ok("approve", "bob", "--week", "2026-W03")
    assert cli.ok("approve", "bob") == "Approved bob's week 2026-W02.\n"
    # none waiting: said so (it took last week: "is approved; it cannot become approved")
    for verb in ("approve", "reject"):
        none = cli.run(verb, "bob", *(["-m", "why"] if verb == "reject" else []))
        assert (none.code, none.stdout) == (2, "")
        assert (
            none.stderr == "tui-board: bob has no week waiting for review; name one with --week\n"
        )


def test_a_card_past_a_columns_wip_limit_is_stored_and_said(cli: Cli) -> None:
    """As in the app, a limit warns and stores all the same; the CLI said nothing (a
    new user's trial)."""
    from tui_board.backend.local import LocalBackend
    from tui_board.core.models import ColumnPatch
    from tui_board.store.database import Database

    database = Database.open(str(cli.db))
    try:
        admin = LocalBackend(database, "alice")
        review = next(c for c in admin.list_columns("WEB") if c.name == "Review")
        admin.update_column(review.id, review.version, ColumnPatch(wip_limit=1))
    finally:
        database.close()
    first = cli.run("task", "add", "WEB", "One", "--column", "Review")
    assert (first.code, first.stderr) == (0, "")
    second = cli.run("task", "add", "WEB", "Two", "--column", "Review")
    assert second.code == 0 and second.stdout == "Added WEB-3: Two (Review).\n"
    assert second.stderr == "note: Review holds 2 cards, over its WIP limit of 1.\n"
    moved = cli.run("task", "move", "WEB-1", "review")
    assert moved.stdout == "Moved WEB-1 to Review.\n"
    assert moved.stderr == "note: Review holds 3 cards, over its WIP limit of 1.\n"
    assert cli.run("task", "move", "WEB-1", "review").stderr == ""  # it stayed where it was


def test_an_archived_task_is_not_moved_and_show_says_it_is_archived(cli: Cli) -> None:
    """`task move` on an archived card ended in "unexpected error: ValueError"."""
    cli.ok("task", "archive", "WEB-1")
    moved = cli.run("task", "move", "WEB-1", "Review")
    assert moved.code != 0 and "Traceback" not in moved.stderr
    assert moved.stderr == (
        "tui-board: WEB-1 is archived: `tui-board task archive WEB-1 --restore` brings it back\n"
    )
    assert "(archived)" in cli.ok("task", "show", "WEB-1")
    # twice: said, and not a second change to undo
    assert cli.ok("task", "archive", "WEB-1") == "WEB-1 is archived already.\n"
    assert cli.ok("undo", "--list").splitlines()[0] == "archive WEB-1"
    assert cli.ok("undo", "--list").count("archive WEB-1") == 1
    cli.ok("task", "archive", "WEB-1", "--restore")
    assert cli.ok("task", "archive", "WEB-1", "--restore") == "WEB-1 is on the board already.\n"
    assert "(archived)" not in cli.ok("task", "show", "WEB-1")
    huge = cli.run("task", "move", "WEB-1", "Review", "--position", str(10**20))
    assert huge.code != 0
    assert huge.stderr == "tui-board: a position in a column is 0 to 2147483647\n"


def test_task_show_sets_every_line_of_a_persons_text_in(cli: Cli) -> None:
    """A description's or a comment's second line was printed at the margin, where it
    could pass for the command's own output (an attacker's and a new user's trial)."""
    cli.ok("task", "comment", "WEB-1", "multi\nline")
    from tui_board.backend.local import LocalBackend
    from tui_board.core.models import TaskPatch
    from tui_board.store.database import Database

    database = Database.open(str(cli.db))
    try:
        admin = LocalBackend(database, "alice")
        task = admin.get_task("WEB-1")
        admin.update_task("WEB-1", task.version, TaskPatch(description="one\nFAKE OUTPUT LINE"))
    finally:
        database.close()
    shown = cli.ok("task", "show", "WEB-1").splitlines()
    assert "  one" in shown and "  FAKE OUTPUT LINE" in shown
    assert shown[-2:] == ["  multi", "  line"]
    assert "FAKE OUTPUT LINE" not in shown and "line" not in shown


def test_time_logged_on_a_day_to_come_is_stored_and_said(cli: Cli) -> None:
    """A new user's trial: `log --date 2027-06-01` said nothing of it being ahead."""
    ahead = cli.run("log", "1h", "WEB-1", "--date", "2099-01-05")
    assert ahead.code == 0 and ahead.stdout.startswith("Logged 1:00 on WEB-1")
    assert ahead.stderr == "note: Mon 05 Jan 2099 is a day to come.\n"
    past = cli.run("log", "1h", "WEB-1", "--date", "yesterday")
    assert (past.code, past.stderr) == (0, "")


def test_nobody_approves_their_own_week(cli: Cli) -> None:
    """alice is the admin and in a team she leads: her own week is not hers to review."""
    cli.ok("team", "add", "Web", "--lead", "alice")
    cli.ok("user", "set", "alice", "--team", "Web")
    cli.ok("log", "2h", "WEB-1")
    week = cli.json("week")["week"]
    cli.ok("submit")
    for command in (("approve", "alice"), ("reject", "alice", "-m", "mine")):
        refused = cli.run(*command, "--week", week)
        assert refused.code == 1
        assert refused.stdout == ""
        assert refused.stderr == (
            "tui-board: you cannot review your own week; another admin or your team's lead does\n"
        )
    assert cli.json("week")["state"]["state"] == "submitted"


def test_timer_start_status_stop(cli: Cli) -> None:
    cli.ok("timer", "start", "WEB-1")
    status = cli.json("timer", "status")
    assert status["task"] == "WEB-1"
    out = cli.ok("timer", "stop")
    assert "less than a minute" in out  # it just started: nothing logged
    assert cli.json("timer", "status") is None
    assert cli.week_minutes() == 0


def test_workload_json(cli: Cli) -> None:
    cli.ok("task", "assign", "WEB-1", "alice")
    cli.ok("log", "1h", "WEB-1")
    figures = cli.json("workload", "--weeks", "3", "--start", "2026-W47")
    assert isinstance(figures, dict)
    assert figures["weeks"] == ["2026-W47", "2026-W48", "2026-W49"]
    [row] = figures["rows"]
    assert row["user"] == "alice"
    assert len(row["cells"]) == 3


def test_config_set_get_and_a_bad_value(cli: Cli, tmp_path: Path) -> None:
    cli.ok("config", "set", "bare_unit", "minutes")
    assert cli.ok("config", "get", "bare_unit").strip() == "minutes"
    assert 'bare_unit = "minutes"' in (tmp_path / "config.toml").read_text()
    cli.ok("log", "30", "WEB-1")  # a bare number now means minutes
    assert cli.week_minutes() == 30
    bad = cli.run("config", "set", "bare_unit", "parsecs")
    assert bad.code != 0 and "hours" in bad.stderr
    unknown = cli.run("config", "set", "colour", "red")
    assert unknown.code != 0 and "unknown key" in unknown.stderr
    assert cli.ok("config", "get", "bare_unit").strip() == "minutes"


@pytest.mark.parametrize("url", ["not a url", "ftp://host", "http://[::1", "http://h:port", "//h"])
def test_a_server_address_that_is_not_one_is_refused_where_it_is_given(
    cli: Cli, tmp_path: Path, url: str
) -> None:
    """`config set server 'not a url'` was taken, and the next command failed with
    "(UnsupportedProtocol)"; `--server 'http://[::1'` with "unexpected error: InvalidURL"."""
    said = "server must be the team server's address, as http://host:port or https://host"
    kept = cli.run("config", "set", "server", url)
    assert kept.code == 2 and said in kept.stderr and kept.stderr.count("\n") == 1
    config = tmp_path / "config.toml"
    assert not config.exists() or "server" not in config.read_text()
    given = run_cli(["--server", url, "--token", "t", "week"], home=tmp_path)
    assert given.code == 2 and said in given.stderr and "unexpected" not in given.stderr
    cli.ok("config", "set", "server", "https://board.example.com:8443/team")


def test_a_bad_server_in_a_config_file_is_said_on_use_and_mended_by_config_set(
    cli: Cli, tmp_path: Path
) -> None:
    """An address an older version wrote with a typo: every command, `config set` too,
    failed on reading the file (a review); now the commands that use it say where it is,
    and `config set server` mends it."""
    config = tmp_path / "config.toml"
    config.write_text('server = "htp://oops"\n')
    config.chmod(0o600)
    used = run_cli(["week"], home=tmp_path)
    assert used.code == 2 and str(config) in used.stderr and "config set server" in used.stderr
    assert "server = htp://oops" in run_cli(["config", "list"], home=tmp_path).stdout
    mended = run_cli(["config", "set", "server", "http://127.0.0.1:9"], home=tmp_path)
    assert mended.code == 0, mended.stderr
    assert 'server = "http://127.0.0.1:9"' in config.read_text()


@pytest.mark.parametrize(
    ("target", "said"),
    [
        ("mysql://u@h/db", "tui-board keeps its data in a SQLite file or PostgreSQL"),
        ("postgresql://[::1", "is not a database URL"),
        ("postgresql://h:port/db", "is not a database URL"),
        ("postgresql://bob:s3cret@db:port/x", "'postgresql://bob:***@db:port/x' is not a"),
    ],
)
def test_a_database_url_of_another_kind_is_refused_in_one_line(
    tmp_path: Path, target: str, said: str
) -> None:
    """It was "unexpected error: ModuleNotFoundError: No module named 'MySQLdb'"."""
    ran = run_cli(["--db", target, "week"], home=tmp_path)
    assert ran.code == 2 and said in ran.stderr and ran.stderr.count("\n") == 1


def test_time_off_recorded_by_mistake_is_removed_from_the_shell(cli: Cli) -> None:
    """There was `timeoff add` and `list`, and no way back from the shell."""
    cli.ok("timeoff", "add", "2026-12-24", "--kind", "holiday")
    cli.ok("timeoff", "add", "2026-12-24", "4h")
    listed = cli.json("timeoff", "list", "--from", "2026-12-01", "--to", "2026-12-31")
    assert sorted(t["minutes"] for t in listed) == [240, 480]
    extra = next(t["id"] for t in listed if t["minutes"] == 240)
    assert cli.ok("timeoff", "remove", str(extra)) == f"Removed time off {extra}.\n"
    left = cli.json("timeoff", "list", "--from", "2026-12-01", "--to", "2026-12-31")
    assert [t["minutes"] for t in left] == [480]
    again = cli.run("timeoff", "remove", str(extra))
    assert again.code == 1 and again.stderr == f"tui-board: no time off {extra}\n"
    huge = cli.run("timeoff", "remove", "99999999999999999999")  # was an OverflowError
    assert huge.code == 2 and "unexpected" not in huge.stderr and "ID" in huge.stderr
    cli.ok("user", "add", "bob")
    theirs = cli.run("timeoff", "remove", str(left[0]["id"]), user="bob")
    assert theirs.code != 0 and "may not change" in theirs.stderr


@pytest.mark.parametrize("words", ["ab " * 4000, "x" * 10_000])
def test_an_error_quoting_long_text_is_cut(cli: Cli, words: str) -> None:
    """What was typed and is quoted back: 10,000 characters of it filled the terminal (a
    run without spaces was cut first; one with spaces, after a review, too)."""
    for args in (("task", "show", words), ("log", "1h", words), ("timer", "start", words)):
        ran = cli.run(*args)
        assert ran.code != 0 and ran.stderr.count("\n") == 1, args
        assert len(ran.stderr) < 1_000, (args, len(ran.stderr))


def test_locate_and_a_missing_database(cli: Cli, tmp_path: Path) -> None:
    assert cli.ok("locate", "config").strip() == str(tmp_path / "config.toml")
    missing = run_cli(["--db", str(tmp_path / "nope.db"), "week"], home=tmp_path)
    assert missing.code == 1
    assert "tui-board init" in missing.stderr
    assert not (tmp_path / "nope.db").exists()


def test_db_backup_and_upgrade(cli: Cli, tmp_path: Path) -> None:
    cli.ok("log", "1h", "WEB-1")
    out = cli.ok("db", "backup", str(tmp_path / "copy.db"))
    assert "copy.db" in out
    copy = Cli(tmp_path)
    copy.db = tmp_path / "copy.db"
    assert copy.week_minutes() == 60
    assert "current" in cli.ok("db", "upgrade")


@pytest.fixture(scope="module")
def demo_boards(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two demo databases made with one seed (read-only for the tests that use them)."""
    home = tmp_path_factory.mktemp("demo")
    boards = home / "a.db", home / "b.db"
    for board in boards:
        args = ["demo", "--db", str(board), "--no-open", "--seed", "3"]
        made = run_cli(args, home=home, env={"TUI_BOARD_USER": "alice"})
        assert made.code == 0, made.stderr
        assert made.stdout == f"{board}\n"
    return boards


def test_demo_makes_a_believable_reproducible_team(
    demo_boards: tuple[Path, Path], tmp_path: Path
) -> None:
    runner = Cli(tmp_path)
    runner.db = demo_boards[0]
    users = runner.json("user", "list")
    tasks = runner.json("task", "list")
    assert isinstance(users, list) and isinstance(tasks, list)
    assert len(users) == 8
    assert len({u["team"] for u in users}) == 2
    assert len(tasks) == 80
    assert len({t["project"] for t in tasks}) == 3
    assert any(t["due"] and t["due"] < date.today().isoformat() for t in tasks), "some overdue"
    assert all(t["logged"] >= 0 for t in tasks)
    states = {w["state"] for w in runner.json("weeks")}
    assert {"approved", "submitted", "rejected"} <= states
    entries = json.loads(runner.ok("export", "json", "--from", "2000-01-01"))
    assert len(entries) > 500
    other = Cli(tmp_path)
    other.db = demo_boards[1]
    assert json.loads(other.ok("export", "json", "--from", "2000-01-01")) == entries


FORMULAS = ["=1+1", "+SUM(A1:A9)", "-2+3", "@SUM(A1)", '=HYPERLINK("http://evil","x")']


def test_export_csv_sends_no_live_formula(cli: Cli, tmp_path: Path) -> None:
    """A title or comment that starts like a formula goes out as text (OWASP: a leading
    `'`), to stdout and to a file; numbers stay numbers."""
    for n, formula in enumerate(FORMULAS, start=2):
        cli.ok("task", "add", "WEB", "--", formula)
        cli.ok("log", "30m", f"WEB-{n}", "-m", formula)
    printed = cli.ok("export", "csv")
    cli.ok("export", "csv", "-o", str(tmp_path / "time.csv"))
    for text in (printed, (tmp_path / "time.csv").read_text(encoding="utf-8")):
        rows = list(csv.DictReader(io.StringIO(text)))
        assert sorted((r["title"], r["comment"]) for r in rows) == sorted(
            ("'" + f, "'" + f) for f in FORMULAS
        )
        assert {r["minutes"] for r in rows} == {"30"} and {r["hours"] for r in rows} == {"0.50"}


def test_task_history_says_who_did_what_when_in_text_and_json(cli: Cli) -> None:
    cli.ok("user", "add", "bob", "--name", "Bob Berg")
    cli.ok("task", "move", "WEB-1", "To do")
    cli.ok("task", "assign", "WEB-1", "bob")
    cli.ok("log", "1h30", "WEB-1")
    cli.ok("task", "archive", "WEB-1")
    cli.ok("task", "archive", "WEB-1", "--restore")
    out = cli.ok("task", "history", "web-1")
    # (a slow run may say "1 min ago" instead of "just now"; the lines stay aligned)
    said = re.sub(r"(?m)^  (just now|1 min ago) +", "  WHEN  ", out)
    today = date.today()
    assert said.splitlines() == [
        "WEB-1  Fix login",
        "  WHEN  alice  created in Backlog",
        "  WHEN  alice  moved from Backlog to To do",
        "  WHEN  alice  assigned to bob",
        f"  WHEN  alice  logged 1:30 on {today:%a} {today.day} {today:%b}",
        "  WHEN  alice  archived",
        "  WHEN  alice  restored",
    ]
    lines = cli.json("task", "history", "WEB-1")
    assert [(x["user"], x["entity"], x["action"]) for x in lines][:3] == [
        ("alice", "task", "create"),
        ("alice", "task", "move"),
        ("alice", "task", "update"),
    ]
    assert lines[1]["data"] == {"column": "To do", "from": "Backlog", "index": None}
    assert lines[1]["sentence"] == "moved from Backlog to To do"
    assert [x["seq"] for x in lines] == sorted(x["seq"] for x in lines)
    assert date.fromisoformat(lines[0]["time"][:10]) <= date.today()
    # bob may not see alice's time: he reads that time changed, naming nobody
    assert (None, "time changed") in [
        (x["user"], x["sentence"]) for x in cli.json("task", "history", "WEB-1", user="bob")
    ]
    refused = cli.run("task", "history", "WEB-9")
    assert (refused.code, refused.stderr) == (1, "tui-board: no task WEB-9\n")


@pytest.mark.parametrize("name", ["clear", "bidi", "markup", "long", "newline"])
def test_task_history_of_hostile_titles_and_columns(cli: Cli, name: str) -> None:
    """Titles and column names planted past the service layer (an old database) come
    back in the history's "from X to Y": printable in the text, exact in the JSON."""
    from tests.hostile import CORPUS, plant, stray_escapes, violations
    from tui_board.backend import open_backend
    from tui_board.config import Config
    from tui_board.core.models import TaskPatch

    value = CORPUS[name]
    plant(cli.db, corpus={str(n): f"{value} #{n}" for n in range(1, 9)})
    cli.ok("task", "move", "WEB-1", f"{value} #2")
    backend = open_backend(Config(db=str(cli.db)), login="alice")
    try:
        task = backend.get_task("WEB-1")
        backend.update_task("WEB-1", task.version, TaskPatch(title="Clean title"))
    finally:
        backend.close()
    ran = run_cli(
        ["--db", str(cli.db), "task", "history", "WEB-1"],
        home=cli.home,
        env={"TUI_BOARD_USER": "alice"},
        color=True,
    )
    assert ran.code == 0, ran.stderr
    assert violations(ran.stdout) == [] and stray_escapes(ran.stdout) == []
    assert "moved from " in ran.stdout and 'to "Clean title"' in ran.stdout
    *_, moved, renamed = cli.json("task", "history", "WEB-1")
    assert moved["data"]["from"] == f"{value} #1"
    assert moved["sentence"].startswith(f"moved from {value[:40]}")
    if len(value) < 50:  # (a long name is cut in the sentence, whole in the data)
        assert moved["sentence"] == f"moved from {value} #1 to {value} #2"
    assert renamed["data"]["was"]["title"] == task.title


def test_export_csv_of_planted_hostile_text(cli: Cli) -> None:
    """Text written past the service layer (direct SQL): nothing in the CSV starts a
    formula or reaches the terminal as a control character."""
    from tests.hostile import CORPUS, plant, stray_escapes, violations

    for n in range(len(CORPUS)):
        cli.ok("task", "add", "WEB", f"task {n}")
        cli.ok("log", "15m", f"WEB-{n + 2}", "-m", f"comment {n}")
    assert plant(cli.db) > 0
    printed = cli.ok("export", "csv")
    assert violations(printed) == [] and stray_escapes(printed) == []
    rows = list(csv.reader(io.StringIO(printed)))[1:]
    assert len(rows) == len(CORPUS)
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row


# --- the in-process runner (tests/cli_helpers.py) --------------------------------------------


def test_a_run_sees_only_its_own_environment(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings of the test process (its user, token, config, debug switch) and of
    another run reach no run."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "config.toml").write_text('bare_unit = "minutes"\ntoken = "tb_leaked"\n')
    for key, value in {
        "TUI_BOARD_USER": "mallory",
        "TUI_BOARD_TOKEN": "tb_leaked",
        "TUI_BOARD_CONFIG": str(elsewhere / "config.toml"),
        "TUI_BOARD_DATA": str(elsewhere),
        "TUI_BOARD_DEBUG": "1",
        "XDG_CONFIG_HOME": str(elsewhere),
    }.items():
        monkeypatch.setenv(key, value)
    settings = cli.json("config", "list")
    assert (settings["bare_unit"], settings["token"]) == ("hours", "")
    assert cli.ok("locate", "data").strip() == str(tmp_path / "data")
    assert cli.json("week")["user"] == "alice"
    other = Cli(elsewhere, user="bob")
    assert other.run("week").code == 1  # another home, another database: not found
    assert run_cli(["config", "get", "bare_unit"], home=elsewhere).stdout == "minutes\n"
    assert cli.ok("config", "get", "bare_unit") == "hours\n"
    assert os.environ["TUI_BOARD_USER"] == "mallory"  # the test's own, put back


def test_runs_leave_no_file_thread_or_setting_behind(cli: Cli, tmp_path: Path) -> None:
    """What a run opens it closes (after garbage collection: `db backup` and
    `db upgrade` leave their database to it), and it starts no thread."""
    import gc
    import threading

    def open_files() -> set[str]:
        gc.collect()
        found = set()
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(FileNotFoundError):  # listdir's own, closed by now
                found.add(os.readlink(f"/proc/self/fd/{fd}"))
        return found

    files, threads = open_files(), threading.active_count()
    for args in (
        ("log", "1h", "WEB-1"),
        ("week",),
        ("timer", "start", "WEB-1"),
        ("timer", "stop"),
        ("export", "csv", "-o", str(tmp_path / "time.csv")),
        ("db", "backup", str(tmp_path / "copy.db")),
        ("db", "upgrade"),
        ("remind",),
        ("task", "show", "WEB-9"),
    ):
        cli.run(*args)
        assert threading.active_count() == threads, args
    assert {f for f in open_files() - files if "pytest" not in f} == set()


def test_a_run_that_changes_the_process_fails_and_is_undone(tmp_path: Path) -> None:
    """The runner's own check: a command that sets a variable, moves to another folder
    or changes the umask fails its test, and the process is put back."""
    from tui_board.cli.main import cli as group

    @click.command("leaky")
    def leaky() -> None:
        os.environ["TUI_BOARD_LEAKED"] = "1"
        os.chdir(tmp_path)
        os.umask(0o000)

    cwd, umask = os.getcwd(), os.umask(0o022)
    os.umask(umask)
    group.add_command(leaky)
    try:
        with pytest.raises(AssertionError, match="changed cwd or umask"):
            run_cli(["leaky"], home=tmp_path)
    finally:
        del group.commands["leaky"]
    assert "TUI_BOARD_LEAKED" not in os.environ
    assert (os.getcwd(), os.umask(umask)) == (cwd, umask)


# --- the real entry point, in subprocesses ---------------------------------------------------


def entry_point_env(home: Path) -> dict[str, str]:
    return cli_helpers.entry_point_env(home, TUI_BOARD_USER="alice")


def test_the_installed_script_prints_its_version(tmp_path: Path) -> None:
    """`tui-board`, the console script pip installs beside this Python."""
    script = Path(sys.executable).with_name("tui-board")
    done = subprocess.run(
        [str(script), "--version"],
        env=entry_point_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"tui-board, version {__version__}\n"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("log", "25h", "WEB-1"), 2, "tui-board: 25:00 is more than 24:00, the most one day"),
        (("task", "show", "WEB-9"), 1, "tui-board: no task WEB-9\n"),
        (("--db",), 2, None),
    ],
    ids=["invalid", "not-found", "usage"],
)
def test_python_m_exits_with_the_code_and_one_line_on_stderr(
    cli: Cli, args: tuple[str, ...], code: int, message: str | None
) -> None:
    """`python -m tui_board`: an error is its exit code, nothing on stdout, no
    traceback, and (but for click's usage errors, which add a hint) one line."""
    db = [] if args[0].startswith("-") else ["--db", str(cli.db)]
    done = subprocess.run(
        [sys.executable, "-m", "tui_board", *db, *args],
        env=entry_point_env(cli.home),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (code, "")
    assert "Traceback" not in done.stderr
    if message is not None:
        assert done.stderr.startswith(message) and done.stderr.count("\n") == 1
    else:
        assert done.stderr.splitlines()[-1] == "Error: Option '--db' requires an argument."


def test_a_reader_that_has_gone_ends_the_run_quietly(
    demo_boards: tuple[Path, Path], tmp_path: Path
) -> None:
    """`tui-board task list | head -1` once head has exited: exit 141, as Unix tools
    do, and nothing on stderr (no BrokenPipeError at exit). The pipe has no reader from
    the start, so the first write fails whatever the timing."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui_board", "--db", str(demo_boards[0]), "task", "list"],
            env=entry_point_env(tmp_path),
            stdout=writer,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(writer)
    assert (done.returncode, done.stderr) == (141, b"")


def test_undo_takes_back_the_last_change_made_from_the_shell(cli: Cli) -> None:
    cli.ok("user", "add", "bob", "--name", "Bob")
    cli.ok("log", "1h", "WEB-1", "-m", "first")
    cli.ok("log", "30m", "WEB-1", "-m", "second")
    cli.ok("task", "move", "WEB-1", "Done")
    cli.ok("task", "assign", "WEB-1", "bob")
    assert cli.ok("undo", "--list").splitlines()[:2] == [
        "assign WEB-1 to bob",
        "move WEB-1 to Done",
    ]
    assert cli.ok("undo") == "Undone: assign WEB-1 to bob.\n"
    assert cli.json("task", "show", "WEB-1")["task"]["assignee"] is None
    cli.ok("undo")
    assert cli.json("task", "show", "WEB-1")["task"]["column"] == "Backlog"
    cli.ok("undo")
    [entry] = cli.json("week")["entries"]
    assert (entry["minutes"], entry["comment"]) == (60, "first")
    cli.ok("undo")
    assert cli.json("week")["entries"] == []
    assert cli.ok("undo") == "Undone: add WEB-1.\n"  # the fixture's: archived
    assert cli.json("task", "list") == []
    assert cli.ok("undo") == "Nothing to undo from the shell on this board.\n"


def test_undo_refuses_after_someone_else_changed_it(cli: Cli) -> None:
    cli.ok("user", "add", "bob", "--name", "Bob", "--role", "admin")
    cli.ok("task", "move", "WEB-1", "Done")
    cli.ok("task", "assign", "WEB-1", "alice", user="bob")  # bob changes the card since
    ran = cli.run("undo")
    assert ran.code == 1
    assert ran.stderr.startswith("tui-board: cannot undo move WEB-1 to Done: WEB-1 was changed")
    assert ran.stderr.count("\n") == 1
    assert ran.stderr.endswith(
        "; nothing was changed, and it is off the undo list "
        "(`tui-board undo` now takes back the change before it)\n"
    )
    assert cli.json("task", "show", "WEB-1")["task"]["column"] == "Done"
    # bob's shell undoes bob's change, not alice's
    assert cli.ok("undo", user="bob") == "Undone: assign WEB-1 to alice.\n"
    assert cli.ok("undo", user="bob") == "Nothing to undo from the shell on this board.\n"


def test_undo_of_a_timer_and_a_new_task(cli: Cli) -> None:
    cli.ok("task", "add", "WEB", "Made by mistake")
    cli.ok("undo")
    assert [t["key"] for t in cli.json("task", "list")] == ["WEB-1"]
    cli.ok("timer", "start", "WEB-1")
    cli.ok("undo")
    assert "No timer is running." in cli.ok("timer", "status")
    # stopped since by other means (the app): the reason says "nothing was changed" once
    from tui_board.backend.local import LocalBackend
    from tui_board.store.database import Database

    cli.ok("timer", "start", "WEB-1")
    database = Database.open(str(cli.db))
    try:
        LocalBackend(database, "alice").timer_stop()
    finally:
        database.close()
    ran = cli.run("undo")
    assert ran.code == 1 and ran.stderr.count("nothing was changed") == 1, ran.stderr
    assert ran.stderr.startswith("tui-board: cannot undo start the timer on WEB-1: your timer")


@pytest.mark.parametrize("what", ["missing", "text", "foreign"])
def test_undo_on_a_file_that_is_not_a_board_refuses_as_every_command_does(
    tmp_path: Path, what: str
) -> None:
    """`undo` and `undo --list` looked only at what was kept for the path: on a missing
    or foreign file they said "nothing to undo" and exited 0."""
    import sqlite3

    cli = Cli(tmp_path)
    target = tmp_path / "other.db"
    if what == "text":
        target.write_text("notes\n")
    elif what == "foreign":
        conn = sqlite3.connect(target)
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.commit()
        conn.close()
    before = target.read_bytes() if target.exists() else None
    for args in (("undo",), ("undo", "--list")):
        ran = cli.run("--db", str(target), *args, db=False)
        assert ran.code != 0 and ran.stdout == "", (args, ran)
        assert len(ran.stderr.strip().splitlines()) == 1 and "Traceback" not in ran.stderr
    assert (target.read_bytes() if target.exists() else None) == before


def test_the_app_without_a_terminal_says_so_and_stops(tmp_path: Path) -> None:
    """`tui-board` (or `demo`) with its output in a file or its input at an end: one
    line and exit 2, not a screen of escape codes in the file and a spinning process."""
    env = entry_point_env(tmp_path)
    board = tmp_path / "board.db"
    made = subprocess.run(
        [sys.executable, "-m", "tui_board", "demo", "--db", str(board)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert made.returncode == 2, made.stderr
    assert board.exists() and "\x1b" not in made.stdout
    assert made.stderr.strip().splitlines()[-1].startswith("tui-board: the app needs a terminal")
    opened = subprocess.run(
        [sys.executable, "-m", "tui_board", "--db", str(board)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert opened.returncode == 2 and opened.stdout == ""
    assert "needs a terminal" in opened.stderr


def test_a_day_of_another_year_is_named_with_its_year(cli: Cli) -> None:
    """`--date 2099-01-01` (a typo for 2026?) says 2099, where this year's days say none."""
    far = cli.ok("log", "15m", "WEB-1", "--date", "2099-01-01")
    assert "for Thu 01 Jan 2099;" in far
    year = date.today().year
    near = cli.ok("log", "15m", "WEB-1", "--date", f"{year}-01-05")
    assert f"Jan {year}" not in near and " 05 Jan;" in near


def test_a_weekday_for_a_due_date_or_a_deadline_is_the_coming_one(cli: Cli) -> None:
    """`--due fri` is the Friday ahead (today if it is Friday), not the one gone: a due
    date, a start, a milestone and a deadline lie ahead (logging keeps the past one)."""
    today = date.today()
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    cli.ok("task", "add", "WEB", "Due on Friday", "--due", "fri")
    assert cli.json("task", "show", "WEB-2")["task"]["due"] == friday.isoformat()
    cli.ok("project", "deadline", "WEB", "+10")
    projects = cli.json("project", "list")
    assert projects[0]["deadline"] == (today + timedelta(days=10)).isoformat()
    monday = today + timedelta(days=(0 - today.weekday() - 1) % 7 + 1)
    cli.ok("plan", "WEB-2", "--start", "next mon", "--due", "none")
    task = cli.json("task", "show", "WEB-2")["task"]
    assert (task["start"], task["due"]) == (monday.isoformat(), None)


def test_help_names_every_environment_variable_the_program_reads(cli: Cli) -> None:
    """Each `TUI_BOARD_*` the code reads (but the team server's own, in `serve`) is in
    `tui-board --help`: a new user kept their trial's files apart only after finding
    TUI_BOARD_DATA and TUI_BOARD_CONFIG in the code."""
    import re
    from pathlib import Path

    import tui_board

    source = Path(tui_board.__file__).parent
    read = {
        name
        for path in source.rglob("*.py")
        for name in re.findall(r"\"(TUI_BOARD_[A-Z_]+)\"", path.read_text())
        if not name.startswith("TUI_BOARD_SERVE")
    }
    assert {"TUI_BOARD_DATA", "TUI_BOARD_CONFIG", "TUI_BOARD_USER"} <= read
    shown = cli.ok("--help")
    assert all(name in shown for name in read), read - set(re.findall(r"TUI_BOARD_\w+", shown))


def test_the_demo_says_where_its_database_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temp folder is left behind after the app (for another look): said once the
    app is gone. (The app here is one that quits at once: the terminal's part is
    test_the_app_without_a_terminal_says_so_and_stops.)"""
    from tui_board.cli import main

    monkeypatch.setattr(main, "run_app", lambda config: None)
    ran = Cli(tmp_path).run("demo", "--users", "3", "--tasks", "6", "--weeks", "1", db=False)
    assert ran.code == 0, ran.stderr
    last = ran.stderr.strip().splitlines()[-1]
    assert last.startswith("The demo's database stays at ") and "opens it again" in last
    path = last.removeprefix("The demo's database stays at ").split(":")[0]
    assert Path(path).is_file()
    shutil.rmtree(Path(path).parent)
