"""The command line, through a real subprocess: what a user types, what is stored."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest


class Cli:
    """Runs `python -m tui_board` as a given OS-less identity against one database."""

    def __init__(self, tmp_path: Path) -> None:
        self.db = tmp_path / "team.db"
        self.env = {
            **os.environ,
            "TUI_BOARD_CONFIG": str(tmp_path / "config.toml"),
            "TUI_BOARD_DATA": str(tmp_path / "data"),
            "TUI_BOARD_USER": "alice",
            "NO_COLOR": "1",
        }

    def run(
        self, *args: str, user: str = "alice", db: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = [
            sys.executable,
            "-m",
            "tui_board",
            *(["--db", str(self.db)] if db else []),
            *args,
        ]
        return subprocess.run(
            command,
            env={**self.env, "TUI_BOARD_USER": user},
            capture_output=True,
            text=True,
            timeout=60,
        )

    def ok(self, *args: str, user: str = "alice") -> str:
        result = self.run(*args, user=user)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def json(self, *args: str, user: str = "alice") -> object:
        return json.loads(self.ok(*args, "--json", user=user))

    def week_minutes(self, task: str = "WEB-1") -> int:
        sheet = self.json("week")
        assert isinstance(sheet, dict)
        return sum(e["minutes"] for e in sheet["entries"] if e["task"] == task)


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
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tui-board: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr
    assert cli.week_minutes() == 0


def test_a_day_cannot_hold_more_than_24_hours_across_logs(cli: Cli) -> None:
    cli.ok("log", "20h", "WEB-1")
    result = cli.run("log", "5h", "WEB-1")
    assert result.returncode != 0
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
    assert cli.json("task", "show", "WEB-2")["task"]["column"] == "In progress"  # type: ignore[index]
    cli.ok("task", "assign", "WEB-2")
    assert cli.json("task", "show", "WEB-2")["task"]["assignee"] is None  # type: ignore[index]
    projects = cli.json("project", "list")
    assert [p["key"] for p in projects] == ["WEB"]  # type: ignore[union-attr]
    columns = cli.json("project", "columns", "WEB")
    assert [c["name"] for c in columns][:3] == ["Backlog", "To do", "In progress"]  # type: ignore[union-attr]


def test_members_cannot_do_admin_work_and_are_told_why(cli: Cli) -> None:
    cli.ok("user", "add", "bob")
    result = cli.run("user", "add", "carol", user="bob")
    assert result.returncode != 0
    assert "only an admin" in result.stderr
    stranger = cli.run("week", user="mallory")
    assert stranger.returncode != 0
    assert "not a user of this board" in stranger.stderr
    users = cli.json("user", "list")
    assert [u["login"] for u in users] == ["alice", "bob"]  # type: ignore[union-attr]


def test_submit_approve_reject_and_the_lock(cli: Cli) -> None:
    cli.ok("team", "add", "Web", "--lead", "alice")
    cli.ok("user", "add", "bob", "--team", "Web")
    cli.ok("log", "2h", "WEB-1", user="bob")
    week = cli.json("week", user="bob")["week"]  # type: ignore[index]
    cli.ok("submit", user="bob")
    locked = cli.run("log", "1h", "WEB-1", user="bob")
    assert locked.returncode != 0 and "submitted" in locked.stderr
    queue = cli.json("weeks", "--state", "submitted")
    assert [(w["user"], w["week"], w["submitted_minutes"]) for w in queue] == [("bob", week, 120)]  # type: ignore[union-attr]
    cli.ok("reject", "bob", "--week", week, "-m", "missing Friday")
    sheet = cli.json("week", user="bob")
    assert sheet["state"]["state"] == "rejected"  # type: ignore[index]
    assert sheet["state"]["note"] == "missing Friday"  # type: ignore[index]
    cli.ok("log", "1h", "WEB-1", user="bob")
    cli.ok("submit", user="bob")
    cli.ok("approve", "bob", "--week", week)
    assert cli.json("week", user="bob")["state"]["state"] == "approved"  # type: ignore[index]


def test_nobody_approves_their_own_week(cli: Cli) -> None:
    """alice is the admin and in a team she leads: her own week is not hers to review."""
    cli.ok("team", "add", "Web", "--lead", "alice")
    cli.ok("user", "set", "alice", "--team", "Web")
    cli.ok("log", "2h", "WEB-1")
    week = cli.json("week")["week"]  # type: ignore[index]
    cli.ok("submit")
    for command in (("approve", "alice"), ("reject", "alice", "-m", "mine")):
        refused = cli.run(*command, "--week", week)
        assert refused.returncode == 1
        assert refused.stdout == ""
        assert refused.stderr == (
            "tui-board: you cannot review your own week; another admin or your team's lead does\n"
        )
    assert cli.json("week")["state"]["state"] == "submitted"  # type: ignore[index]


def test_timer_start_status_stop(cli: Cli) -> None:
    cli.ok("timer", "start", "WEB-1")
    status = cli.json("timer", "status")
    assert status["task"] == "WEB-1"  # type: ignore[index]
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
    assert bad.returncode != 0 and "hours" in bad.stderr
    unknown = cli.run("config", "set", "colour", "red")
    assert unknown.returncode != 0 and "unknown key" in unknown.stderr
    assert cli.ok("config", "get", "bare_unit").strip() == "minutes"


def test_locate_version_and_missing_database(cli: Cli, tmp_path: Path) -> None:
    assert cli.ok("locate", "config").strip() == str(tmp_path / "config.toml")
    version = subprocess.run(
        [sys.executable, "-m", "tui_board", "--version"],
        capture_output=True,
        text=True,
        env=cli.env,
    )
    assert version.returncode == 0 and "tui-board" in version.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "tui_board", "--db", str(tmp_path / "nope.db"), "week"],
        capture_output=True,
        text=True,
        env=cli.env,
    )
    assert missing.returncode != 0
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


def test_demo_makes_a_believable_reproducible_team(tmp_path: Path) -> None:
    runner = Cli(tmp_path)
    for name in ("a.db", "b.db"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "tui_board",
                "demo",
                "--db",
                str(tmp_path / name),
                "--no-open",
                "--seed",
                "3",
            ],
            env=runner.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
    runner.db = tmp_path / "a.db"
    users = runner.json("user", "list")
    tasks = runner.json("task", "list")
    assert isinstance(users, list) and isinstance(tasks, list)
    assert len(users) == 8
    assert len({u["team"] for u in users}) == 2
    assert len(tasks) == 80
    assert len({t["project"] for t in tasks}) == 3
    assert any(t["due"] and t["due"] < date.today().isoformat() for t in tasks), "some overdue"
    assert all(t["logged"] >= 0 for t in tasks)
    states = {w["state"] for w in runner.json("weeks")}  # type: ignore[union-attr]
    assert {"approved", "submitted", "rejected"} <= states
    entries = json.loads(runner.ok("export", "json", "--from", "2000-01-01"))
    assert len(entries) > 500
    other = Cli(tmp_path)
    other.db = tmp_path / "b.db"
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
