"""Reading other tools' files and mapping their rows (core/importing: pure functions):
headers in any order and language, BOMs, separators, decimal commas, day orders,
12-hour times, durations with seconds, midnight crossings, time zones, people,
projects and tasks found the ways a file names them."""

from __future__ import annotations

import codecs
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_board.core.errors import Invalid
from tui_board.core.importing.formats import (
    DateOrder,
    SourceRow,
    decode,
    file_seconds,
    parse_day,
    parse_time,
    read_file,
    slash_order,
)
from tui_board.core.importing.mapping import (
    NO_TASK_TITLE,
    Board,
    MapFile,
    Options,
    map_rows,
    project_key_for,
    split_days,
)
from tui_board.core.models import Project, Task, User

DATA = Path(__file__).parent / "data" / "import"
BERLIN = ZoneInfo("Europe/Berlin")


def board() -> Board:
    users = [
        User(1, "ada", "Ada Admin", "ada@example.com", "admin"),
        User(2, "mia", "Mia Meyer", "mia@example.com"),
        User(3, "max", "Max Berg", "max@example.com"),
        User(4, "max2", "Max Berg", ""),  # a second Max Berg: the name is not theirs alone
    ]
    projects = [Project(1, "WEB", "Website"), Project(2, "OPS", "Operations")]
    tasks = [
        _task(1, "WEB", 1, "Fix login"),
        _task(2, "WEB", 2, "Design"),
        _task(3, "OPS", 1, "On call"),
        _task(4, "WEB", 3, "Design", archived=True),
    ]
    return Board(users, projects, tasks)


def _task(id: int, project: str, number: int, title: str, archived: bool = False) -> Task:
    return Task(
        id, f"{project}-{number}", project, number, title, 1, "Backlog", 0.0, archived=archived
    )


def mapped(
    fmt: str, name: str, **options: Any
) -> tuple[dict[int, list[tuple[Any, ...]]], dict[int, str]]:
    """A sample file mapped: line -> [(user, day, minutes, task or (project, title))],
    and line -> why it was refused."""
    rows = read_file(fmt, (DATA / name).read_bytes())
    result = map_rows(rows, board(), Options(**{"user": "mia", "tz": BERLIN, **options}))
    found: dict[int, list[tuple[Any, ...]]] = {}
    for r in result.rows:
        found.setdefault(r.line, []).append(
            (r.user, r.day, r.minutes, r.task or (r.project, r.title), r.comment)
        )
    return found, {r.line: r.reason for r in result.refused}


D23, D24, D25 = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)


# --- the sample files ------------------------------------------------------------------------


def test_kimai_default_export() -> None:
    rows, refused = mapped("kimai", "kimai.csv")
    # lines as a text editor shows them: the first row's description takes two
    assert rows == {
        2: [("mia", D23, 210, "WEB-2", "Wireframes for the start page, second draft")],
        4: [("mia", D23, 75, "WEB-1", "WEB-1 fixed the login redirect")],
        5: [
            ("max", D23, 120, "OPS-1", "Night release"),
            ("max", D24, 150, "OPS-1", "Night release"),
        ],
        6: [("mia", D24, 60, "WEB-2", "Review with the client")],
        8: [("mia", date(2026, 11, 18), 120, "WEB-2", "Sketches")],  # refused by the store
    }
    assert "line 6" in refused[7]
    assert "zoe" in refused[9]
    assert "Meetings" in refused[10] and "--create" in refused[10]


def test_kimai_german_with_a_bom_semicolons_and_decimal_commas() -> None:
    data = (DATA / "kimai-de.csv").read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    rows, refused = mapped("kimai", "kimai-de.csv")
    assert refused == {}
    assert rows == {
        2: [("mia", D24, 90, "WEB-2", "Farben abgestimmt")],
        3: [("max", D24, 30, "OPS-1", "Nachtdienst"), ("max", D25, 45, "OPS-1", "Nachtdienst")],
        4: [("mia", D25, 60, "WEB-1", "Sitzung läuft ab")],  # project by key, title any case
    }


def test_toggl_detailed_report() -> None:
    rows, refused = mapped("toggl", "toggl.csv")
    assert rows == {
        2: [("mia", D23, 90, "WEB-2", "Logo variants")],  # 1:29:31 rounds up
        4: [("mia", D23, 45, "WEB-1", "WEB-1 login tests")],  # 44:30 rounds up
        5: [("max", D24, 45, "OPS-1", "Deploy 2.4"), ("max", D25, 105, "OPS-1", "Deploy 2.4")],
    }
    assert "0:00" in refused[3]  # 29 seconds
    assert NO_TASK_TITLE in refused[6]  # no task, no --create
    assert "zoe@example.com" in refused[7]


def test_toggl_rows_without_a_task_go_to_one_made_with_create() -> None:
    rows, _ = mapped("toggl", "toggl.csv", create=True)
    assert rows[6] == [("max", D25, 45, ("WEB", NO_TASK_TITLE), "Code review")]


def test_clockify_with_month_first_days_and_12_hour_times() -> None:
    rows, refused = mapped("clockify", "clockify.csv")
    assert rows == {
        2: [("mia", D23, 135, "WEB-2", "Homepage copy")],
        3: [("mia", D24, 90, "WEB-1", "WEB-1 session timeout")],
        4: [("max", D24, 60, "OPS-1", "Night deploy"), ("max", D25, 60, "OPS-1", "Night deploy")],
    }
    assert refused == {5: "the same entry as line 2; counted once"}


def test_timewarrior_in_utc_split_at_local_midnight() -> None:
    rows, refused = mapped("timewarrior", "timewarrior.json")
    assert rows == {
        1: [("mia", D23, 90, "WEB-2", "Header layout")],
        # 21:30-00:30 UTC is 22:30-01:30 in Berlin; tags name the project and the task
        2: [("mia", D23, 90, "WEB-1", "late fix"), ("mia", D24, 90, "WEB-1", "late fix")],
        3: [("mia", D24, 45, "WEB-1", "")],
    }
    assert "line 3" in refused[4]
    assert "still running" in refused[5]
    # Elsewhere the same moments fall on other days.
    rows, _ = mapped("timewarrior", "timewarrior.json", tz=ZoneInfo("America/New_York"))
    assert rows[2] == [("mia", D23, 180, "WEB-1", "late fix")]


def test_actitime_time_track_with_referenced_users_and_tasks() -> None:
    rows, refused = mapped("actitime", "actitime.json")
    assert rows == {
        1: [("mia", D23, 150, "WEB-2", "Start page")],
        2: [("mia", D23, 60, "WEB-1", "")],
        3: [("max", D24, 480, "OPS-1", "On call")],  # found by e-mail: "mberg" is no login
        5: [("mia", date(2026, 11, 17), 60, "WEB-2", "in an approved week")],
    }
    assert "'9'" in refused[4]
    # A map file names what the file only has an id for.
    rows, refused = mapped("actitime", "actitime.json")


def test_actitime_ids_mapped_by_a_map_file() -> None:
    rows = read_file("actitime", (DATA / "actitime.json").read_bytes())
    result = map_rows(
        rows, board(), Options(user="mia"), MapFile.from_toml({"users": {"9": "ada"}})
    )
    assert [(r.line, r.user) for r in result.rows if r.line == 4] == [(4, "ada")]


def test_our_csv_and_json() -> None:
    rows, refused = mapped("csv", "board.csv")
    assert rows == {
        2: [("mia", D23, 90, "WEB-1", "=1+2 is not a formula")],  # our export's ' taken off
        3: [("mia", D23, 45, "WEB-2", "")],
        4: [("max", D24, 480, "OPS-1", 'night, and a "quote"')],
    }
    assert "line 4" in refused[5]
    rows, refused = mapped("json", "board.json")
    assert rows == {
        1: [("mia", D23, 90, "WEB-1", "-5% discount")],
        3: [("max", D25, 30, "WEB-2", "")],
    }
    assert "no time" in refused[2]


# --- reading liberally ---------------------------------------------------------------------------


def test_column_order_and_separators_do_not_matter() -> None:
    header = ["Activity", "Duration", "User", "Date", "From", "To", "Project"]
    values = ["Design", "1,5", "mia", "2026-11-23", "09:00", "10:30", "Website"]
    for sep in (",", ";", "\t"):
        text = (
            sep.join(header)
            + "\n"
            + sep.join(f'"{v}"' if sep == "," and "," in v else v for v in values)
            + "\n"
        )
        [row] = read_file("kimai", text.encode())
        assert (row.person, row.task, row.seconds, row.start) == (
            "mia",
            "Design",
            Fraction(5400),
            datetime(2026, 11, 23, 9, 0),
        )


def test_utf16_and_windows_1252_are_read() -> None:
    text = "User,Date,From,To,Duration,Activity\nzoë,2026-11-23,09:00,10:00,1,Design\n"
    for data in (codecs.BOM_UTF16_LE + text.encode("utf-16-le"), text.encode("cp1252")):
        assert decode(data) == text
        assert read_file("kimai", data)[0].person == "zoë"


@pytest.mark.parametrize("kind", ["kimai", "csv", "toggl", "json", "timewarrior"])
def test_a_file_that_only_starts_like_utf16_is_refused_in_one_line(kind: str) -> None:
    """`FF FE` then an odd number of bytes: UTF-16 no decoder can finish (it was an
    unexpected UnicodeDecodeError)."""
    with pytest.raises(Invalid):
        read_file(kind, codecs.BOM_UTF16_LE + b"abc")


def test_what_is_wrong_with_a_row_or_a_file_is_said_plainly() -> None:
    """The day that cannot be (with the text), a negative number of minutes, a short
    row, an empty file, and `an actiTIME`: each said as a user reads it."""
    data = (
        b"date,user,task,minutes,hours\n2026-13-45,ann,WEB-1,30,\n2026-12-01,ann,WEB-1,-30,\n"
        b"2026-12-01,ann\n"
    )
    refused = {r.line: r.refused for r in read_file("csv", data)}
    assert refused == {
        2: "'2026-13-45' is not a day (month must be in 1..12)",
        3: "-30 minutes is negative; time cannot be negative",
        4: "no minutes or hours on this line",
    }
    for kind, said in (
        ("csv", "this tui-board CSV file is empty"),
        ("kimai", "this Kimai file is empty"),
        ("json", "this tui-board JSON export is empty"),
    ):
        with pytest.raises(Invalid, match=said):
            read_file(kind, b"\n")
    with pytest.raises(Invalid, match="this is not an actiTIME time-track: it is not JSON"):
        read_file("actitime", b"date,user\n")


def test_a_file_that_is_not_the_format_is_refused_whole() -> None:
    with pytest.raises(Invalid, match="not a Kimai file"):
        read_file("kimai", b"name,age\nann,3\n")
    with pytest.raises(Invalid, match="not a Timewarrior export"):
        read_file("timewarrior", b'{"start": "x"}')
    with pytest.raises(Invalid, match="not JSON"):
        read_file("json", b"date,user\n")
    with pytest.raises(Invalid, match="cannot import"):
        read_file("harvest", b"")
    with pytest.raises(Invalid, match="nests too deep"):
        read_file("json", b"[" * 100_000)
    with pytest.raises(Invalid, match="line 2 cannot be read as CSV"):
        read_file("csv", b'date,user\n"' + b"x" * 200_000 + b'",ann\n')


@pytest.mark.parametrize(
    ("text", "order", "day"),
    [
        ("2026-11-23", None, date(2026, 11, 23)),
        ("2026/11/23", None, date(2026, 11, 23)),
        ("2026-11-23 09:00:00", None, date(2026, 11, 23)),
        ("23.11.2026", None, date(2026, 11, 23)),
        ("23.11.26", None, date(2026, 11, 23)),
        ("23-11-2026", None, date(2026, 11, 23)),
        ("11/23/2026", "mdy", date(2026, 11, 23)),
        ("23/11/2026", "dmy", date(2026, 11, 23)),
        ("3/4/26", "dmy", date(2026, 4, 3)),
        ("3/4/26", "mdy", date(2026, 3, 4)),
    ],
)
def test_days(text: str, order: DateOrder | None, day: date) -> None:
    assert parse_day(text, order) == day


@pytest.mark.parametrize(
    "text", ["", "yesterday", "2026-13-01", "31.02.2026", "3/4/26", "2026-11-23x"]
)
def test_what_is_not_a_day(text: str) -> None:
    with pytest.raises(ValueError):
        parse_day(text)


def test_the_order_of_slashed_days_comes_from_the_file_or_is_asked_for() -> None:
    assert slash_order(["11/23/2026", "12/01/2026"], None) == "mdy"
    assert slash_order(["23/11/2026", "01/12/2026"], None) == "dmy"
    assert slash_order(["2026-11-23"], None) is None
    assert slash_order(["03/04/2026"], "dmy") == "dmy"
    with pytest.raises(Invalid, match="--dates"):
        slash_order(["03/04/2026", "05/06/2026"], None)
    with pytest.raises(Invalid, match="both"):
        slash_order(["13/04/2026", "05/16/2026"], None)


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("09:00", (9, 0, 0)),
        ("9:05:30", (9, 5, 30)),
        ("13.00", (13, 0, 0)),
        ("1:00 PM", (13, 0, 0)),
        ("12:00:00 AM", (0, 0, 0)),
        ("12:30 pm", (12, 30, 0)),
        ("11:59 p.m.", (23, 59, 0)),
    ],
)
def test_times(text: str, clock: tuple[int, int, int]) -> None:
    found = parse_time(text)
    assert (found.hour, found.minute, found.second) == clock


@pytest.mark.parametrize("text", ["25:00", "9", "13:00 PM", "10:75", "noon"])
def test_what_is_not_a_time(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1:30", 5400),
        ("01:30:45", 5445),
        ("1.5", 5400),
        ("1,25", 4500),
        ("PT1H30M", 5400),
        ("18:25 min", 1105),
        ("2", 7200),
    ],
)
def test_durations_as_the_tools_write_them(text: str, seconds: int) -> None:
    assert file_seconds(text) == seconds


def test_a_kimai_whole_number_is_hours_unless_from_and_to_say_seconds() -> None:
    head = "Date,From,To,Duration,User,Activity\n"
    hours, seconds, alone = read_file(
        "kimai",
        (
            head
            + "2026-11-23,09:00,11:00,2,mia,Design\n"
            + "2026-11-23,09:00,11:01,7260,mia,Design\n"
            + "2026-11-23,,,3,mia,Design\n"
        ).encode(),
    )
    assert hours.seconds == 7200 and seconds.seconds == 7260
    assert (alone.start, alone.day, alone.minutes) == (None, date(2026, 11, 23), 180)


# --- days and minutes ----------------------------------------------------------------------------


def interval(start: datetime, seconds: float) -> SourceRow:
    return SourceRow(1, start=start, seconds=Fraction(seconds))


def test_an_interval_is_split_at_local_midnight_and_adds_up() -> None:
    parts = split_days(interval(datetime(2026, 11, 23, 22, 0), 4.5 * 3600), BERLIN)
    assert [(d, m) for d, m, _, _ in parts] == [(D23, 120), (D24, 150)]
    assert [p[2] for p in parts] == [
        datetime(2026, 11, 23, 21, 0, tzinfo=UTC),  # 22:00 in Berlin
        datetime(2026, 11, 23, 23, 0, tzinfo=UTC),  # its midnight
    ]


def test_a_few_seconds_after_midnight_are_dropped_not_refused() -> None:
    parts = split_days(interval(datetime(2026, 11, 23, 23, 0), 3600 + 20), BERLIN)
    assert [(d, m) for d, m, _, _ in parts] == [(D23, 60)]


def test_rows_out_of_range_are_refused_not_crashed_on() -> None:
    rows = [
        SourceRow(1, start=datetime(9999, 12, 31, 23, 0), seconds=Fraction(7200), task="WEB-1"),
        SourceRow(2, day=D23, minutes=10**30, task="WEB-1"),
    ]
    result = map_rows(rows, board(), Options(user="mia", tz=BERLIN))
    assert [r.line for r in result.refused] == [1, 2]
    assert "beyond the calendar" in result.refused[0].reason
    assert "more than a day" in result.refused[1].reason


def test_an_interval_of_no_minutes_is_refused() -> None:
    with pytest.raises(Invalid, match="no time"):
        split_days(interval(datetime(2026, 11, 23, 9), 29), BERLIN)


def test_a_daylight_saving_night_counts_its_real_hours() -> None:
    # 25 October 2026: Berlin's clocks go back an hour at 03:00.
    parts = split_days(
        SourceRow(1, start=datetime(2026, 10, 24, 22, 0, tzinfo=UTC), seconds=Fraction(8 * 3600)),
        BERLIN,
    )
    assert [(d, m) for d, m, _, _ in parts] == [(date(2026, 10, 25), 480)]


@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    st.integers(min_value=30, max_value=3 * 86_400),
)
def test_parts_always_add_up_to_the_rounded_whole(start: datetime, seconds: int) -> None:
    parts = split_days(interval(start, seconds), BERLIN)
    total = (seconds + 30) // 60
    assert sum(m for _, m, _, _ in parts) == total
    assert all(m > 0 for _, m, _, _ in parts)
    days = [d for d, _, _, _ in parts]
    assert days == sorted(set(days))


# --- people, projects, tasks ---------------------------------------------------------------------


def one(row: SourceRow, **options: Any) -> tuple[str, str, str, str, str] | str:
    result = map_rows([row], board(), Options(**{"user": "ada", **options}))
    if result.refused:
        return result.refused[0].reason
    r = result.rows[0]
    return (r.user, r.task, r.project, r.title, r.project_name)


DAY: dict[str, Any] = {"day": D23, "minutes": 60}


@pytest.mark.parametrize(
    ("fields", "login"),
    [
        ({"person": "MIA"}, "mia"),
        ({"email": "Max@Example.com"}, "max"),
        ({"name": "mia meyer"}, "mia"),
        ({"person": "unknown", "email": "mia@example.com"}, "mia"),
        ({}, "ada"),  # names nobody: the person the import is for
    ],
)
def test_people_by_login_email_or_name(fields: dict[str, Any], login: str) -> None:
    found = one(SourceRow(1, task="WEB-1", **fields, **DAY))
    assert not isinstance(found, str) and found[0] == login


def test_a_name_two_people_share_names_neither() -> None:
    assert "no person 'Max Berg'" in one(SourceRow(1, name="Max Berg", task="WEB-1", **DAY))


@pytest.mark.parametrize(
    ("fields", "task"),
    [
        ({"task": "web-01"}, "WEB-1"),
        ({"task": "WEB-2 Design"}, "WEB-2"),
        ({"task": "Meeting", "description": "WEB-1 fixed it", "project": "WEB"}, "WEB-1"),
        ({"task": "design", "project": "website"}, "WEB-2"),  # the open one, not WEB-3
        ({"task": "On  Call", "project": "ops"}, "OPS-1"),
        ({"tags": ("Operations", "on call")}, "OPS-1"),
        ({"tags": ("misc", "WEB-1")}, "WEB-1"),
    ],
)
def test_tasks_by_key_or_title(fields: dict[str, Any], task: str) -> None:
    found = one(SourceRow(1, person="mia", **fields, **DAY))
    assert not isinstance(found, str) and found[1] == task


def test_keys_that_name_no_task() -> None:
    assert one(SourceRow(1, person="mia", task="WEB-99", **DAY)) == (
        "no task WEB-99 on the board; map it with --map, or make it with --create (admins)"
    )
    # with --create: a task of that name in the key's project (all the row says of it)
    assert one(SourceRow(1, person="mia", task="WEB-99", **DAY), create=True) == (
        "mia", "", "WEB", "WEB-99", ""
    )  # fmt: skip
    # a title beside the key: a task of that title, if the project has one, else a new one
    titled = SourceRow(1, person="mia", task="WEB-99", title="Design", **DAY)
    assert not isinstance(found := one(titled), str) and found[1] == "WEB-2"
    # the project the row names, when it is on the board, rather than the key's
    known = SourceRow(1, person="mia", project="Website", task="NEW-7", title="Try it", **DAY)
    assert one(known, create=True) == ("mia", "", "WEB", "Try it", "")
    # a key on this board whose title is not the row's: another board's WEB-1
    other = SourceRow(1, person="mia", task="WEB-1", title="Design", **DAY)
    assert not isinstance(found := one(other), str) and found[1] == "WEB-2"
    # a key inside a longer text is the title's own words, not a key
    iso = SourceRow(1, person="mia", project="Website", task="ISO-9001 Design", **DAY)
    assert "no task titled 'ISO-9001 Design'" in str(one(iso))
    assert one(iso, create=True) == ("mia", "", "WEB", "ISO-9001 Design", "")
    # in a description, a key of no task is just text (ISO-9001 is a standard)
    found = one(
        SourceRow(
            1, person="mia", project="WEB", task="Design", description="ISO-9001 audit", **DAY
        )
    )
    assert not isinstance(found, str) and found[1] == "WEB-2"


def test_project_option_and_create() -> None:
    row = SourceRow(1, person="mia", project="Intranet", task="Search", **DAY)
    assert "no project 'Intranet'" in one(row)
    assert one(row, create=True) == ("mia", "", "INTRANET", "Search", "Intranet")
    assert one(row, project="WEB", create=True) == ("mia", "", "WEB", "Search", "")
    assert one(SourceRow(1, person="mia", **DAY), project="OPS", create=True) == (
        "mia",
        "",
        "OPS",
        NO_TASK_TITLE,
        "",
    )


def test_a_map_file() -> None:
    map_file = MapFile.from_toml(
        {
            "users": {"Ann Old-Name": "mia"},
            "projects": {"Website relaunch": "web"},
            "tasks": {"Meetings": "ops-1"},
        }
    )
    rows = [
        SourceRow(1, name="ann old-name", project="Website relaunch", task="design", **DAY),
        SourceRow(2, person="mia", task="MEETINGS", **DAY),
    ]
    result = map_rows(rows, board(), Options(user="ada"), map_file)
    assert [(r.user, r.task) for r in result.rows] == [("mia", "WEB-2"), ("mia", "OPS-1")]
    with pytest.raises(Invalid, match=r"\[users\]"):
        MapFile.from_toml({"users": {"a": 1}})
    with pytest.raises(Invalid, match="takes"):
        MapFile.from_toml({"people": {}})


@pytest.mark.parametrize(
    ("name", "taken", "key"),
    [
        ("Website relaunch", set(), "WEBSITE"),
        ("Website", {"WEBSITE"}, "WEBSITE2"),
        ("Überweisungen 2027", set(), "UBERWEISUN"),
        ("2027 budget", set(), "BUDGET"),
        ("計画", set(), "P"),
        ("Accounting", {"ACCOUNTING"}, "ACCOUNTIN2"),
    ],
)
def test_keys_for_new_projects(name: str, taken: set[str], key: str) -> None:
    assert project_key_for(name, taken) == key
