"""The schedule's commands: `user schedule`, `milestone`, `plan`, `project deadline`,
`schedule PROJECT` and `report estimates|overtime`, each checked against what the store
holds (read back with --json), with bad input a one-line error and no traceback."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.cli_helpers import Cli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.ok("init", "--db", str(runner.db))
    runner.ok("project", "add", "WEB", "Web site")
    runner.ok("task", "add", "WEB", "Fix login", "--estimate", "4h")
    runner.ok("task", "assign", "WEB-1", "alice")
    return runner


def refused(cli: Cli, *args: str, says: str) -> None:
    ran = cli.run(*args)
    assert ran.code != 0
    assert says in ran.stderr
    assert "Traceback" not in ran.stderr and len(ran.stderr.strip().splitlines()) == 1


def test_a_persons_schedule_set_from_a_day_and_shown(cli: Cli) -> None:
    out = cli.ok("user", "schedule", "alice", "mon-thu 8h, fri 4h", "--from", "2026-11-30")
    assert "mon-thu 8:00, fri 4:00" in out
    shown = cli.json("user", "schedule", "alice")
    assert [(c["day"], c["minutes"]) for c in shown["changes"]] == [
        (None, [480, 480, 480, 480, 480, 0, 0]),
        ("2026-11-30", [480, 480, 480, 480, 240, 0, 0]),
    ]
    refused(cli, "user", "schedule", "alice", "fri-mon 8h", says="runs Monday to Sunday")
    refused(cli, "user", "schedule", "alice", "mon 25h", says="24")
    refused(cli, "user", "schedule", "alice", "--from", "2026-12-01", says="--from goes with")
    assert len(cli.json("user", "schedule", "alice")["changes"]) == 2


def test_plan_a_task_see_its_flag_clear_and_undo_it(cli: Cli) -> None:
    today = date.today()
    cli.ok("plan", "WEB-1", "--due", (today - timedelta(2)).isoformat())
    (row,) = cli.json("schedule", "WEB")["rows"]
    assert (row["due"], row["flags"]) == ((today - timedelta(2)).isoformat(), ["overdue"])
    later = today + timedelta(30)
    cli.ok("plan", "WEB-1", "--due", later.isoformat(), "--start", today.isoformat())
    (row,) = cli.json("schedule", "WEB")["rows"]
    assert (row["start"], row["due"], row["flags"]) == (today.isoformat(), later.isoformat(), [])
    cli.ok("undo")
    (row,) = cli.json("schedule", "WEB")["rows"]
    assert (row["start"], row["flags"]) == (None, ["overdue"])
    refused(cli, "plan", "WEB-1", says="nothing to change")
    refused(cli, "plan", "WEB-1", "--milestone", "Nope", says="no milestone")


def test_milestones_and_the_deadline(cli: Cli) -> None:
    cli.ok("milestone", "add", "WEB", "Beta", "2020-01-01")
    cli.ok("plan", "WEB-1", "--milestone", "Beta")
    assert [(m["name"], m["late"]) for m in cli.json("milestone", "list", "WEB")] == [
        ("Beta", True)
    ]
    cli.ok("milestone", "move", "WEB", "Beta", "2999-01-01")
    assert [m["day"] for m in cli.json("milestone", "list", "WEB")] == ["2999-01-01"]
    refused(cli, "milestone", "move", "WEB", "Gamma", "2999-01-01", says="no milestone")
    refused(cli, "milestone", "add", "WEB", "bad\x1b[2J", "2999-01-01", says="milestone")
    cli.ok("project", "deadline", "WEB", "2999-01-01")
    shown = cli.json("schedule", "WEB")
    assert (shown["deadline"], shown["on_time"]) == ("2999-01-01", True)
    assert shown["rows"][0]["milestone"] == "Beta"
    out = cli.ok("schedule", "WEB")
    assert "forecast" in out and "milestone Beta: 2999-01-01" in out
    # work in it that nobody holds: the line says why it has no forecast, as the screen
    cli.ok("task", "add", "WEB", "Unheld", "--estimate", "3h")
    cli.ok("plan", "WEB-2", "--milestone", "Beta")
    out = cli.ok("schedule", "WEB")
    assert "milestone Beta: 2999-01-01, 2 open (no forecast: 3:00 is assigned to nobody)" in out
    cli.ok("project", "deadline", "WEB", "none")
    assert cli.json("schedule", "WEB")["deadline"] is None


def test_reports_as_json_and_csv(cli: Cli, tmp_path: Path) -> None:
    today = date.today()
    cli.ok("log", "5h", "WEB-1")
    rows = cli.json("report", "estimates", "--project", "WEB")
    assert {(r["kind"], r["name"], r["variance"], r["percent"]) for r in rows} == {
        ("project", "WEB", 60, 125),
        ("task", "WEB-1", 60, 125),
        ("person", "alice", 60, 125),
    }
    target = tmp_path / "estimates.csv"
    cli.ok("report", "estimates", "-o", str(target))
    written = list(csv.DictReader(io.StringIO(target.read_text())))
    assert [(r["kind"], r["name"], r["logged_minutes"], r["percent"]) for r in written] == [
        ("project", "WEB", "300", "125"),
        ("task", "WEB-1", "300", "125"),
        ("person", "alice", "300", "125"),
    ]
    weeks = cli.json("report", "overtime", "--from", today.isoformat(), "--to", today.isoformat())
    assert [(w["user"], w["logged"], w["difference"]) for w in weeks] == [
        ("alice", 300, 300 - weeks[0]["expected"])
    ]
    out = cli.ok("report", "overtime", "--csv", "--from", today.isoformat())
    lines = list(csv.reader(io.StringIO(out)))
    assert lines[0][:2] == ["user", "week"] and lines[-1][:2] == ["alice", "total"]
    assert int(lines[-1][5]) == 300
    # the table signs the difference as the app's reports do: +1:30 over, -0:45 under
    shown = cli.ok("report", "overtime", "--from", today.isoformat(), "--to", today.isoformat())
    difference = weeks[0]["difference"]
    sign = "+" if difference > 0 else "-" if difference < 0 else ""
    signed = f"{sign}{abs(difference) // 60}:{abs(difference) % 60:02d}"
    assert shown.splitlines()[1].split()[-1] == signed, shown
    # one day of a week: marked (part) as the app marks it, and said under the table
    assert "(part)" in shown.splitlines()[1], shown
    assert shown.splitlines()[-1].startswith("(part): only the days from "), shown
    refused(cli, "report", "overtime", "--from", "2026-12-10", "--to", "2026-12-01", says="before")


def test_remind_names_the_days_of_the_persons_schedule(cli: Cli) -> None:
    cli.ok("user", "schedule", "alice", "mon-thu 8h", "--from", "2026-11-16")
    cli.ok("log", "1h", "WEB-1", "--date", "2026-11-16")
    out = cli.ok("remind", "--date", "2026-11-28")
    assert "Thu 26" in out and "Thu 19" in out
    assert "Fri" not in out
    assert "Mon 16" not in out
