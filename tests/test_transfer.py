"""`tui-board import` and `tui-board export` from the command line, checked against
what the store holds: every sample file (tests/data/import/), importing twice, dry
runs, every export format round-tripped through our import into another board, and the
same over a team server."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import Cli, Ran
from tests.live_server import live_server
from tui_board.store.database import Database

DATA = Path(__file__).parent / "data" / "import"
TZ = ("--tz", "Europe/Berlin")
NOVEMBER = ("--from", "2026-11-01", "--to", "2026-11-30")

#: Every sample: format, file, (person, task, day) -> minutes the store holds after it,
#: and the lines refused.
SAMPLES: dict[str, tuple[str, str, dict[tuple[str, str, str], int], set[int]]] = {
    "kimai": (
        "kimai",
        "kimai.csv",
        {
            ("max", "OPS-1", "2026-11-23"): 120,
            ("max", "OPS-1", "2026-11-24"): 150,
            ("mia", "WEB-1", "2026-11-23"): 75,
            ("mia", "WEB-2", "2026-11-23"): 210,
            ("mia", "WEB-2", "2026-11-24"): 60,
        },
        {7, 8, 9, 10},  # a duplicate, an approved week, an unknown person, an unknown task
    ),
    "kimai-de": (
        "kimai",
        "kimai-de.csv",
        {
            ("max", "OPS-1", "2026-11-24"): 30,
            ("max", "OPS-1", "2026-11-25"): 45,
            ("mia", "WEB-1", "2026-11-25"): 60,
            ("mia", "WEB-2", "2026-11-24"): 90,
        },
        set(),
    ),
    "toggl": (
        "toggl",
        "toggl.csv",
        {
            ("max", "OPS-1", "2026-11-24"): 45,
            ("max", "OPS-1", "2026-11-25"): 105,
            ("mia", "WEB-1", "2026-11-23"): 45,
            ("mia", "WEB-2", "2026-11-23"): 90,
        },
        {3, 6, 7},  # 29 seconds, no task, an unknown person
    ),
    "clockify": (
        "clockify",
        "clockify.csv",
        {
            ("max", "OPS-1", "2026-11-24"): 60,
            ("max", "OPS-1", "2026-11-25"): 60,
            ("mia", "WEB-1", "2026-11-24"): 90,
            ("mia", "WEB-2", "2026-11-23"): 135,
        },
        {5},  # a duplicate
    ),
    "timewarrior": (
        "timewarrior",
        "timewarrior.json",
        {
            ("mia", "WEB-1", "2026-11-23"): 90,
            ("mia", "WEB-1", "2026-11-24"): 135,
            ("mia", "WEB-2", "2026-11-23"): 90,
        },
        {4, 5},  # a duplicate, an open interval
    ),
    "actitime": (
        "actitime",
        "actitime.json",
        {
            ("max", "OPS-1", "2026-11-24"): 480,
            ("mia", "WEB-1", "2026-11-23"): 60,
            ("mia", "WEB-2", "2026-11-23"): 150,
        },
        {4, 5},  # an unknown user id, an approved week
    ),
    "csv": (
        "csv",
        "board.csv",
        {
            ("max", "OPS-1", "2026-11-24"): 480,
            ("mia", "WEB-1", "2026-11-23"): 90,
            ("mia", "WEB-2", "2026-11-23"): 45,
        },
        {5},  # a duplicate
    ),
    "json": (
        "json",
        "board.json",
        {("max", "WEB-2", "2026-11-25"): 30, ("mia", "WEB-1", "2026-11-23"): 90},
        {2},  # no time, no comment
    ),
}

#: mia's time in the approved week 2026-W47, logged before it was submitted.
APPROVED = {("mia", "WEB-1", "2026-11-16"): 60}


def team(cli: Cli, *, time: bool = True) -> Cli:
    """ada (admin), mia and max; WEB (Fix login, Design) and OPS (On call); mia's week
    2026-W47 approved (with `time`)."""
    cli.ok("init", "--db", str(cli.db))
    cli.ok("user", "add", "mia", "--name", "Mia Meyer", "--email", "mia@example.com")
    cli.ok("user", "add", "max", "--name", "Max Berg", "--email", "max@example.com")
    cli.ok("project", "add", "WEB", "Website")
    cli.ok("project", "add", "OPS", "Operations")
    for project, title in (("WEB", "Fix login"), ("WEB", "Design"), ("OPS", "On call")):
        cli.ok("task", "add", project, title)
    if time:
        cli.ok("log", "1h", "WEB-1", "--date", "2026-11-16", user="mia")
        cli.ok("submit", "--week", "2026-W47", user="mia")
        cli.ok("approve", "mia", "--week", "2026-W47")
    return cli


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return team(Cli(tmp_path_factory.mktemp("team"), user="ada")).db


@pytest.fixture
def cli(template: Path, tmp_path: Path) -> Cli:
    runner = Cli(tmp_path, user="ada")
    shutil.copy(template, runner.db)
    return runner


def cells(cli: Cli) -> dict[tuple[str, str, str], int]:
    exported = json.loads(cli.ok("export", "json", *NOVEMBER))
    return {(e["user"], e["task"], e["day"]): e["minutes"] for e in exported}


def comments(cli: Cli) -> dict[tuple[str, str, str], str]:
    exported = json.loads(cli.ok("export", "json", *NOVEMBER))
    return {(e["user"], e["task"], e["day"]): e["comment"] for e in exported}


def dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (what "nothing changed" compares)."""
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        conn.close()


def refused_lines(ran: Ran) -> set[int]:
    return {r["line"] for r in json.loads(ran.stdout)["refused"]}


def imported(cli: Cli, fmt: str, path: Path, *args: str, user: str | None = None) -> Ran:
    return cli.run("import", fmt, str(path), *TZ, *args, user=user)


# --- the sample files ------------------------------------------------------------------


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_each_sample_file_stores_its_cells_and_lists_what_it_refuses(cli: Cli, sample: str) -> None:
    fmt, name, expected, refused = SAMPLES[sample]
    extra = ("--user", "mia") if fmt == "timewarrior" else ()
    ran = imported(cli, fmt, DATA / name, *extra, "--json")
    assert ran.code == (1 if refused else 0), ran.stderr
    assert refused_lines(ran) == refused
    assert cells(cli) == {**APPROVED, **expected}
    if refused:  # one line on stderr, the reasons with the report
        assert ran.stderr.startswith("tui-board: ") and len(ran.stderr.splitlines()) == 1


def test_the_report_says_what_was_stored_by_person_and_week(cli: Cli) -> None:
    ran = imported(cli, "kimai", DATA / "kimai.csv")
    assert ran.code == 1
    lines = ran.stdout.splitlines()
    assert lines[0] == "Stored 4 rows of kimai kimai.csv in 5 cells."
    assert lines[1].split() == ["PERSON", "WEEK", "CELLS", "BEFORE", "AFTER"]
    assert lines[2].split() == ["max", "2026-W48", "2", "0:00", "4:30"]
    assert lines[3].split() == ["mia", "2026-W48", "3", "0:00", "5:45"]
    assert lines[4].split() == ["total", "5", "0:00", "10:15"]
    assert "line 7: the same entry as line 6" in ran.stdout
    assert "line 8: week 2026-W47" in ran.stdout and "approved" in ran.stdout
    assert "line 9: no person 'zoe'" in ran.stdout
    assert ran.stderr == "tui-board: 4 rows refused (listed); the other 4 were stored\n"
    assert comments(cli)[("mia", "WEB-2", "2026-11-23")] == (
        "Wireframes for the start page, second draft"
    )


def test_import_twice_changes_nothing(cli: Cli) -> None:
    imported(cli, "kimai", DATA / "kimai.csv")
    before = dump(cli.db)
    again = imported(cli, "kimai", DATA / "kimai.csv", "--json")
    assert json.loads(again.stdout)["cells"] == 0
    assert json.loads(again.stdout)["unchanged"] == 5
    assert dump(cli.db) == before


def test_a_cell_changed_by_hand_after_an_import_is_kept_and_the_summary_says_why(
    cli: Cli,
) -> None:
    """The same file again leaves a cell changed by hand since alone; the summary said
    "5 cells as it says", which the changed one does not hold."""
    imported(cli, "kimai", DATA / "kimai.csv")
    key, day = next((k[1], k[2]) for k in cells(cli) if k[0] == "mia" and k[2] >= "2026-11-23")
    cli.ok("log", "15m", key, "--date", day, user="mia")
    held = cells(cli)
    again = imported(cli, "kimai", DATA / "kimai.csv")  # (the sample's refused rows: 1)
    assert again.code == 1 and "Traceback" not in again.stderr
    assert again.stdout.splitlines()[0] == (
        "Nothing to change: 4 rows of kimai kimai.csv; 5 cells imported before or holding "
        "what it says."
    )
    assert cells(cli) == held


def test_an_overlapping_file_does_not_double(cli: Cli, tmp_path: Path) -> None:
    lines = (DATA / "toggl.csv").read_text().splitlines()
    first = tmp_path / "first.csv"
    second = tmp_path / "second.csv"
    first.write_text("\n".join(lines[:5]) + "\n")  # the header and four rows
    second.write_text("\n".join([lines[0], *lines[3:]]) + "\n")  # two of them again, and more
    imported(cli, "toggl", first)
    imported(cli, "toggl", second)
    assert cells(cli) == {**APPROVED, **SAMPLES["toggl"][2]}


def test_a_dry_run_stores_nothing_and_says_what_would_be(cli: Cli) -> None:
    before = dump(cli.db)
    ran = imported(cli, "kimai", DATA / "kimai.csv", "--dry-run", "--create")
    assert ran.code == 1
    assert ran.stdout.startswith("Would store 5 rows of kimai kimai.csv in 6 cells.")
    assert "Would make: task WEB-3 'Meetings'." in ran.stdout
    assert "Would refuse 3 rows:" in ran.stdout
    assert dump(cli.db) == before


def test_strict_stores_nothing_when_a_row_is_refused(cli: Cli) -> None:
    before = dump(cli.db)
    ran = imported(cli, "kimai", DATA / "kimai.csv", "--strict")
    assert ran.code == 2 and "nothing was stored (--strict)" in ran.stderr
    assert dump(cli.db) == before
    ran = imported(cli, "kimai", DATA / "kimai-de.csv", "--strict")
    assert ran.code == 0


def test_create_makes_projects_and_tasks_for_admins_only(cli: Cli, tmp_path: Path) -> None:
    file = tmp_path / "other.csv"
    file.write_text(
        "Date,From,To,Duration,User,Project,Activity,Description\n"
        "2026-11-23,09:00,10:00,1,mia,Intranet,Search,first\n"
        "2026-11-24,09:00,10:00,1,mia,Intranet,search,second\n"
    )
    ran = imported(cli, "kimai", file, user="mia")
    assert ran.code == 1 and "no project 'Intranet'" in ran.stdout
    ran = imported(cli, "kimai", file, "--create", user="mia")
    assert ran.code == 1 and "only an admin" in ran.stderr
    ran = imported(cli, "kimai", file, "--create")
    assert ran.code == 0, ran.stderr
    assert "Made: project INTRANET 'Intranet', task INTRANET-1 'Search'." in ran.stdout
    assert cells(cli)[("mia", "INTRANET-1", "2026-11-24")] == 60


def test_one_row_stored_is_said_in_the_singular(cli: Cli, tmp_path: Path) -> None:
    """It said "the other 1 were stored" (a new user's trial)."""
    file = tmp_path / "two.csv"
    file.write_text(
        "Date,From,To,Duration,User,Project,Activity,Description\n"
        "2026-11-23,09:00,10:00,1,mia,Website,Fix login,first\n"
        "2026-11-24,09:00,10:00,1,zoe,Website,Fix login,second\n"
    )
    ran = imported(cli, "kimai", file)
    assert ran.stderr == "tui-board: 1 row refused (listed); the other row was stored\n"


def test_a_map_file_names_people_projects_and_tasks(cli: Cli, tmp_path: Path) -> None:
    map_file = tmp_path / "map.toml"
    map_file.write_text('[users]\n"zoe" = "max"\n[tasks]\n"Meetings" = "OPS-1"\n')
    ran = imported(cli, "kimai", DATA / "kimai.csv", "--map", str(map_file), "--json")
    assert refused_lines(ran) == {7, 8}
    stored = cells(cli)
    assert stored[("max", "WEB-2", "2026-11-24")] == 90  # zoe's row
    assert stored[("max", "OPS-1", "2026-11-25")] == 180  # Meetings


def test_a_member_imports_their_own_timewarrior_file(cli: Cli) -> None:
    ran = imported(cli, "timewarrior", DATA / "timewarrior.json", user="mia")
    assert ran.code == 1  # the duplicate and the open interval
    assert cells(cli) == {**APPROVED, **SAMPLES["timewarrior"][2]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import", "kimai", "missing.csv"), "cannot read"),
        (("import", "timewarrior", "{data}/kimai.csv"), "not a Timewarrior export"),
        (("import", "kimai", "{data}/toggl.csv"), "not a Kimai file"),
        (("import", "kimai", "{data}/kimai.csv", "--tz", "Mars/Olympus"), "no time zone"),
        (("import", "kimai", "{data}/kimai.csv", "--project", "NOPE"), "no project NOPE"),
        (("import", "kimai", "{data}/kimai.csv", "--map", "{data}/kimai.csv"), "TOML"),
        (("export", "kimai", "--tz", "nowhere"), "no time zone"),
    ],
)
def test_bad_input_is_one_line_and_stores_nothing(
    cli: Cli, args: tuple[str, ...], message: str
) -> None:
    before = dump(cli.db)
    ran = cli.run(*(a.replace("{data}", str(DATA)) for a in args))
    assert ran.code != 0
    assert ran.stderr.startswith("tui-board: ") and len(ran.stderr.splitlines()) == 1, ran.stderr
    assert message in ran.stderr
    assert dump(cli.db) == before


def test_slashed_days_that_cannot_be_told_apart_are_asked_about(cli: Cli, tmp_path: Path) -> None:
    file = tmp_path / "clockify.csv"
    file.write_text(
        "Project,Task,User,Email,Start Date,Start Time,Duration (h)\n"
        "Website,Design,Mia Meyer,mia@example.com,03/11/2026,9:00 AM,1:00\n"
    )
    ran = imported(cli, "clockify", file)
    assert ran.code == 2 and "--dates" in ran.stderr
    assert imported(cli, "clockify", file, "--dates", "dmy").code == 0
    assert cells(cli)[("mia", "WEB-2", "2026-11-03")] == 60


# --- exports, and round trips through our import ---------------------------------------


@pytest.fixture
def worked(cli: Cli) -> Cli:
    """A board with time of every kind: intervals, a night, comments (one hostile to
    spreadsheets), several tasks on a day, a full 24:00 day."""
    for sample in ("kimai", "toggl", "actitime"):
        fmt, name, _, _ = SAMPLES[sample]
        imported(cli, fmt, DATA / name)
    cli.ok("log", "2h", "WEB-1", "--date", "2026-11-26", "-m", "=cmd|' /C calc'!A0", user="mia")
    cli.ok("log", "24h", "OPS-1", "--date", "2026-11-27", "-m", "on call, all day", user="max")
    return cli


EXPORTS = ["csv", "json", "kimai", "actitime", "timewarrior"]


@pytest.mark.parametrize("fmt", EXPORTS)
def test_every_export_round_trips_to_the_same_cells(worked: Cli, tmp_path: Path, fmt: str) -> None:
    target = team(Cli(tmp_path / "target", user="ada"), time=False)
    people = ("mia", "max") if fmt == "timewarrior" else (None,)
    for person in people:
        out = tmp_path / f"{fmt}-{person}.out"
        args = ("export", fmt, "--from", "2026-11-17", "--to", "2026-11-30", *TZ, "-o", str(out))
        worked.ok(*args, *(("--user", person) if person else ()))
        ran = target.run("import", fmt, str(out), *TZ, *(("--user", person) if person else ()))
        assert ran.code == 0, (ran.stdout, ran.stderr)
    expected = {k: v for k, v in cells(worked).items() if k[2] >= "2026-11-17"}  # not W47's
    assert cells(target) == expected
    assert comments(target) == {k: v for k, v in comments(worked).items() if k in expected}


def test_a_file_read_twice_onto_a_board_of_other_numbers_keeps_to_its_titles(
    tmp_path: Path,
) -> None:
    """A new board made Beta first (WEB-1) and Alpha second (WEB-2) from a file of
    WEB-2 Beta and WEB-1 Alpha; the same file again put each row's time on the task
    of its key here as well: 6:00 where the file has 3:00."""
    source = Cli(tmp_path / "a", user="ada")
    source.ok("init", "--db", str(source.db))
    source.ok("project", "add", "WEB", "Website")
    source.ok("task", "add", "WEB", "Alpha")
    source.ok("task", "add", "WEB", "Beta")
    source.ok("log", "2h", "WEB-2", "--date", "2026-11-02")
    source.ok("log", "1h", "WEB-1", "--date", "2026-11-03")
    out = tmp_path / "time.csv"
    source.ok("export", "csv", "--from", "2026-11-01", "--to", "2026-11-30", "-o", str(out))
    target = Cli(tmp_path / "b", user="ada")
    target.ok("init", "--db", str(target.db))
    for _ in range(2):
        ran = target.run("import", "csv", str(out), "--create")
        assert ran.code == 0, ran.stderr
    assert titled_cells(target) == titled_cells(source)
    assert sum(titled_cells(target).values()) == 180


def titled_cells(cli: Cli) -> dict[tuple[str, str, str], int]:
    """(person, task title, day) -> minutes: what a board of other keys holds alike."""
    exported = json.loads(cli.ok("export", "json", *NOVEMBER))
    return {(e["user"], e["task_title"], e["day"]): e["minutes"] for e in exported}


@pytest.mark.parametrize("fmt", ["csv", "json", "timewarrior"])
def test_every_export_makes_its_tasks_on_an_empty_board_with_create(
    worked: Cli, tmp_path: Path, fmt: str
) -> None:
    """Our exports name tasks by key and title: on a board without them, --create
    refused every row ("no task WEB-1 on the board"). Now: the key's project (keyed as
    it was), the task by its title; the same file again changes nothing. (Kimai's and
    actiTIME's `WEB-1 Fix login` is a title: a key inside a text may be its words.)"""
    target = Cli(tmp_path / "target", user="ada")
    target.ok("init", "--db", str(target.db))
    target.ok("user", "add", "mia", "--name", "Mia Meyer", "--email", "mia@example.com")
    target.ok("user", "add", "max", "--name", "Max Berg", "--email", "max@example.com")
    people = ("mia", "max") if fmt == "timewarrior" else (None,)
    for person in people:
        out = tmp_path / f"{fmt}-{person}.out"
        args = ("export", fmt, "--from", "2026-11-17", "--to", "2026-11-30", *TZ, "-o", str(out))
        worked.ok(*args, *(("--user", person) if person else ()))
        who = ("--user", person) if person else ()
        for _ in range(2):
            ran = target.run("import", fmt, str(out), *TZ, *who, "--create", "--json")
            assert ran.code == 0, (ran.stdout, ran.stderr)
        assert json.loads(ran.stdout)["cells"] == 0  # the second time: nothing to change
    expected = {k: v for k, v in titled_cells(worked).items() if k[2] >= "2026-11-17"}
    assert titled_cells(target) == expected
    projects = {p["key"] for p in target.json("project", "list")}
    assert projects == {k.split("-")[0] for _, k, _ in cells(worked)}


@pytest.mark.parametrize("fmt", EXPORTS)
def test_our_export_imported_back_changes_nothing(worked: Cli, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"back.{fmt}"
    worked.ok("export", fmt, "--from", "2026-11-17", "--to", "2026-11-30", *TZ, "-o", str(out))
    before = dump(worked.db)
    ran = imported(worked, fmt, out, "--json")
    assert ran.code == 0, ran.stderr
    assert json.loads(ran.stdout)["cells"] == 0
    assert dump(worked.db) == before


def test_our_export_of_an_approved_week_imported_back_is_nothing_to_change(
    worked: Cli, tmp_path: Path
) -> None:
    """The approved week 2026-W47 holds what the file says: not refused (it was, 'week
    ... is approved; it cannot be changed', exit 1), and nothing changes. A row that
    would change it is still refused."""
    out = tmp_path / "all.csv"
    worked.ok("export", "csv", "--from", "2026-11-01", "--to", "2026-11-30", "-o", str(out))
    before = dump(worked.db)
    ran = worked.run("import", "csv", str(out))
    assert ran.code == 0, ran.stdout + ran.stderr
    assert ran.stdout.startswith("Nothing to change: "), ran.stdout
    assert dump(worked.db) == before
    lines = out.read_text().splitlines()
    changed = [lines[0], *(line.replace(",60,1.00,", ",90,1.50,") for line in lines[1:])]
    w47 = [line for line in changed if line.startswith("2026-11-16")]
    out.write_text("\n".join([lines[0], *w47]) + "\n")
    ran = worked.run("import", "csv", str(out))
    assert ran.code == 1 and "approved" in ran.stdout, ran.stdout
    assert dump(worked.db) == before


def test_export_says_in_one_line_what_it_will_not_do(worked: Cli, tmp_path: Path) -> None:
    """A span that ends before it starts, a file that is there (the report screen asks
    first, `db backup` wants --force), a folder: one line each, nothing written."""
    out = tmp_path / "kept.csv"
    out.write_text("mine\n")
    for args, said in (
        (("--from", "2026-12-05", "--to", "2026-12-01"), "is before --from"),
        (("-o", str(out)), "already exists and was left unchanged (--force replaces it)"),
        (("-o", str(tmp_path)), "is a folder; name a file to write"),
    ):
        ran = worked.run("export", "csv", *args)
        assert ran.code != 0 and ran.stdout == "", args
        lines = ran.stderr.strip().splitlines()
        assert len(lines) == 1 and said in lines[0], (args, ran.stderr)
    assert out.read_text() == "mine\n"
    worked.ok("export", "csv", "-o", str(out), "--force")
    assert out.read_text().startswith("date,user,project")
    ran = worked.run("import", "csv", str(tmp_path))
    assert ran.code != 0 and len(ran.stderr.strip().splitlines()) == 1, ran.stderr


def test_kimai_export_lays_a_day_out_from_its_first_hour(worked: Cli) -> None:
    text = worked.ok("export", "kimai", "--from", "2026-11-23", "--to", "2026-11-27", *TZ)
    lines = text.splitlines()
    assert lines[0] == (
        "Date,From,To,Duration,User,Name,E-mail,Customer,Project,Activity,Description,Tags"
    )
    mia = "mia,Mia Meyer,mia@example.com,Website,Website"
    assert f"2026-11-23,00:00,01:00,1:00,{mia},WEB-1 Fix login,," in lines
    assert f"2026-11-23,01:00,03:30,2:30,{mia},WEB-2 Design,Start page," in lines
    assert f"2026-11-26,00:00,02:00,2:00,{mia},WEB-1 Fix login,'=cmd|' /C calc'!A0," in lines
    max_ = "max,Max Berg,max@example.com,Operations,Operations,OPS-1 On call"
    assert f'2026-11-27,00:00,24:00,24:00,{max_},"on call, all day",' in lines


def test_timewarrior_export_is_one_persons_utc_intervals(worked: Cli) -> None:
    day = ("--from", "2026-11-23", "--to", "2026-11-23", *TZ)
    assert json.loads(worked.ok("export", "timewarrior", *day)) == []  # ada's: none
    intervals = json.loads(worked.ok("export", "timewarrior", *day, "--user", "mia"))
    assert intervals == [
        {
            "id": 2,
            "start": "20261122T230000Z",
            "end": "20261123T000000Z",
            "tags": ["WEB-1", "Fix login"],
        },
        {
            "id": 1,
            "start": "20261123T000000Z",
            "end": "20261123T023000Z",
            "tags": ["WEB-2", "Design"],
            "annotation": "Start page",
        },
    ]


# --- over a team server ----------------------------------------------------------------


@pytest.fixture
def served(cli: Cli) -> Iterator[tuple[Cli, list[str]]]:
    database = Database.open(str(cli.db))
    try:
        with live_server(database) as server:
            yield cli, ["--server", server.url, "--token", server.token_for("ada")]
    finally:
        database.close()


def test_an_import_over_a_team_server(served: tuple[Cli, list[str]]) -> None:
    cli, remote = served
    before = dump(cli.db)
    dry = cli.run(*remote, "import", "kimai", str(DATA / "kimai.csv"), "--dry-run", db=False)
    assert dry.code == 1 and dry.stdout.startswith("Would store 4 rows")
    assert dump(cli.db) == before
    first = cli.run(*remote, "import", "kimai", str(DATA / "kimai.csv"), "--json", db=False)
    assert first.code == 1 and refused_lines(first) == SAMPLES["kimai"][3]
    assert cells(cli) == {**APPROVED, **SAMPLES["kimai"][2]}
    after = dump(cli.db)
    again = cli.run(*remote, "import", "kimai", str(DATA / "kimai.csv"), "--json", db=False)
    assert json.loads(again.stdout)["cells"] == 0
    assert dump(cli.db) == after


def test_a_big_file_over_a_team_server_goes_in_parts(
    served: tuple[Cli, list[str]], tmp_path: Path
) -> None:
    cli, remote = served
    file = tmp_path / "big.csv"
    rows = ["Date,From,To,Duration,User,Project,Activity,Description"]
    for n in range(6_000):
        day = f"2026-{1 + n // 600 % 10:02d}-{1 + n % 28:02d}"
        start = n // 28 % 20
        rows.append(
            f"{day},{start:02d}:00,{start:02d}:01,0:01,mia,Website,Design,row {n} " + "ü" * 20
        )
    file.write_text("\n".join(rows) + "\n")
    ran = cli.run(*remote, "import", "kimai", str(file), "--json", db=False)
    assert ran.code == 0, ran.stderr
    assert json.loads(ran.stdout)["rows"] == 6_000


# --- on a terminal --------------------------------------------------------------------------


def test_a_big_file_shows_its_progress_on_a_terminal_only(cli: Cli, tmp_path: Path) -> None:
    from tests.cli_helpers import entry_point_env
    from tests.test_cli_hostile import read_pty

    file = tmp_path / "many.csv"
    rows = ["Date,From,To,Duration,User,Project,Activity"]
    rows += [
        f"2026-12-{1 + n % 28:02d},{n // 28 // 60:02d}:{n // 28 % 60:02d},,0:01,mia,Website,Design"
        for n in range(3_000)
    ]
    file.write_text("\n".join(rows) + "\n")
    env = entry_point_env(tmp_path, TUI_BOARD_USER="ada", TERM="xterm")
    args = ("--db", str(cli.db), "import", "kimai", str(file))
    shown = read_pty((*args, "--dry-run"), env).decode()
    assert "mapping many.csv" in shown and "sending many.csv" in shown
    assert "storing 3,000 rows (one transaction)" in shown
    assert "Would store 3,000 rows" in shown
    piped = cli.run("import", "kimai", str(file), "--dry-run")  # not a terminal: the report alone
    assert "sending" not in piped.stdout + piped.stderr
