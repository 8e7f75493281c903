"""Time reports through the screen (`t` on the workload), on the demo store: by person,
project and task over a range, with totals; export to CSV and JSON, read back; the
paths refused and the file never replaced without asking. Then the pieces on their own:
ranges of days and where an export may go."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import sqlite3
import stat
from collections.abc import Collection
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import Input

from tests import ui_helpers as ui
from tests.cli_helpers import run_cli
from tests.hostile import violations as hostile_violations
from tests.test_workload_screen import TODAY, open_workload, press
from tests.ui_helpers import anyio_backend, steady, workload_demo  # noqa: F401  (fixtures)
from tui_board.config import Config
from tui_board.core.durations import format_duration
from tui_board.core.errors import Invalid
from tui_board.core.models import OvertimeRow, TaskPatch
from tui_board.core.reports import signed_duration
from tui_board.ui.app import BoardApp
from tui_board.ui.dialogs import ConfirmScreen, PickerScreen, TextPrompt
from tui_board.ui.screens.reports import (
    DateRange,
    Report,
    ReportLine,
    ReportsScreen,
    export_target,
    parse_range,
    report_csv,
    shares,
)

pytestmark = pytest.mark.anyio

THIS_WEEK = DateRange(date(2026, 5, 11), date(2026, 5, 17), "week")


@pytest.fixture
def demo_config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    return ui.copy_store(request.getfixturevalue("workload_demo"), tmp_path)


async def open_reports(app: BoardApp, pilot: Pilot[None]) -> ReportsScreen:
    await open_workload(app, pilot)
    await press(app, pilot, "t")
    screen = app.screen
    assert isinstance(screen, ReportsScreen)
    assert screen.report is not None
    return screen


def shown_rows(screen: ReportsScreen) -> list[list[str]]:
    table = screen.table
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def export(app: BoardApp, pilot: Pilot[None], path: str) -> TextPrompt:
    await press(app, pilot, "e")
    prompt = app.screen
    assert isinstance(prompt, TextPrompt)
    prompt.query_one(Input).value = path
    await press(app, pilot, "enter")
    return prompt


HEADINGS = {"person": ["Person", "Name"], "project": ["Key", "Project"], "task": ["Task", "Title"]}


async def test_time_by_person_project_and_task_with_totals(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_reports(app, pilot)
        assert screen.span == THIS_WEEK
        rows = backend.report(THIS_WEEK.start, THIS_WEEK.end)
        total = sum(r.minutes for r in rows)
        for group, key in (("person", "user"), ("project", "project"), ("task", "task")):
            assert screen.group == group
            report = screen.report
            assert report is not None
            expected: dict[str, int] = {}
            for row in rows:
                expected[getattr(row, key)] = expected.get(getattr(row, key), 0) + row.minutes
            assert {line.key: line.minutes for line in report.lines} == expected
            table = shown_rows(screen)
            assert table[-1][0] == f"Total ({len(expected)})"
            assert table[-1][2] == format_duration(total)
            assert [r[0] for r in table[:-1]] == [line.key for line in report.lines]
            titles = [str(column.label) for column in screen.table.columns.values()]
            assert titles[:2] == HEADINGS[group], titles  # never `Project  Project`
            # The shares add up to 100 (a share under 1% shows as `<1%`).
            percents = [r[3] for r in table[:-1]]
            assert sum(int(p.rstrip("%")) for p in percents if p != "<1%") == 100
            assert "0%" not in percents
            await press(app, pilot, "b")
        assert screen.group == "person"
        heading = str(screen.query_one(".table-screen--heading").render())
        assert heading == "Time by person: this week (2026-W20: Mon 11 May to Sun 17 May 2026)"


async def test_ranges_this_last_month_and_custom(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_reports(app, pilot)
        await press(app, pilot, "left_square_bracket")
        assert screen.span == DateRange(date(2026, 5, 4), date(2026, 5, 10), "week")
        await press(app, pilot, "d")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        assert [label.split(" · ")[0] for label, _ in picker.items] == [
            "this week",
            "last week",
            "this month",
            "last month",
            "custom range …",
        ]
        picker.dismiss(3)  # last month
        await ui.settle(app, pilot)
        assert screen.span == DateRange(date(2026, 4, 1), date(2026, 4, 30), "month")
        rows = backend.report(date(2026, 4, 1), date(2026, 4, 30))
        assert screen.report is not None
        assert screen.report.total == sum(r.minutes for r in rows) > 0
        await press(app, pilot, "d")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        picker.dismiss(4)
        await ui.settle(app, pilot)
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        prompt.query_one(Input).value = "2026-05-13 2026-05-01"
        await press(app, pilot, "enter")
        assert app.screen is prompt  # the last day first is refused
        assert "comes before" in str(prompt.query_one(".dialog--preview").render())
        prompt.query_one(Input).value = "2026-05-01 today"
        await press(app, pilot, "enter")
        assert screen.span == DateRange(date(2026, 5, 1), TODAY)
        assert screen.report is not None
        rows = backend.report(date(2026, 5, 1), TODAY)
        assert screen.report.total == sum(r.minutes for r in rows)


async def test_export_csv_and_read_it_back(demo_config: Config, tmp_path: Path) -> None:
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_reports(app, pilot)
        target = tmp_path / "out" / "week.csv"
        target.parent.mkdir()
        await export(app, pilot, str(target))
        assert screen.last_export == target
        report = screen.report
        assert report is not None
        with target.open(encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        assert [(r["person"], r["name"], int(r["minutes"])) for r in rows[:-1]] == [
            (line.key, line.name, line.minutes) for line in report.lines
        ]
        assert rows[-1]["person"] == "total"
        assert int(rows[-1]["minutes"]) == report.total
        assert rows[0]["hours"] == f"{report.lines[0].minutes / 60:.2f}"
        assert {r["from"] for r in rows} == {"2026-05-11"}
        assert any(str(target) in n.message for n in app._notifications)
        assert str(target) in str(screen.query_one(".table-screen--notes").render())


async def test_export_json_by_task_from_a_home_relative_path(
    demo_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_reports(app, pilot)
        await press(app, pilot, "b", "b")
        await export(app, pilot, "~/tasks.json")
        data = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
        report = screen.report
        assert report is not None
        assert (data["from"], data["to"], data["by"]) == ("2026-05-11", "2026-05-17", "task")
        assert [(r["task"], r["name"], r["minutes"]) for r in data["rows"]] == [
            (line.key, line.name, line.minutes) for line in report.lines
        ]
        assert data["total_minutes"] == report.total
        # Numbers are JSON numbers, never strings: minutes whole, hours to the hundredth.
        assert all(type(r["minutes"]) is int for r in data["rows"])
        assert [r["hours"] for r in data["rows"]] == [
            round(line.minutes / 60, 2) for line in report.lines
        ]
        assert type(data["total_minutes"]) is int
        assert data["total_hours"] == round(report.total / 60, 2)


async def test_export_refuses_a_folder_and_a_missing_folder(
    demo_config: Config, tmp_path: Path
) -> None:
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        await open_reports(app, pilot)
        prompt = await export(app, pilot, str(tmp_path))
        assert app.screen is prompt
        assert "is a folder" in str(prompt.query_one(".dialog--preview").render())
        prompt.query_one(Input).value = str(tmp_path / "nope" / "r.csv")
        await press(app, pilot, "enter")
        assert app.screen is prompt
        assert "There is no folder" in str(prompt.query_one(".dialog--preview").render())
        prompt.query_one(Input).value = str(tmp_path / "r.txt")
        await press(app, pilot, "enter")
        assert ".csv or .json" in str(prompt.query_one(".dialog--preview").render())
        await press(app, pilot, "escape")
        assert not list(tmp_path.glob("r.*"))


async def test_export_asks_before_replacing_a_file(demo_config: Config, tmp_path: Path) -> None:
    app = ui.app_for(demo_config)
    target = tmp_path / "r.csv"
    target.write_text("keep me\n")
    async with app.run_test(size=ui.SIZE) as pilot:
        await open_reports(app, pilot)
        await export(app, pilot, str(target))
        assert isinstance(app.screen, ConfirmScreen)
        await press(app, pilot, "n")
        assert target.read_text() == "keep me\n"
        await export(app, pilot, str(target))
        await press(app, pilot, "y")
        assert target.read_text().startswith("person,name,minutes,hours,from,to\n")


async def test_export_sends_no_live_formula_and_no_rights_for_others(
    demo_config: Config, tmp_path: Path
) -> None:
    """Names planted with SQL that start like formulas go out as text (a leading `'`);
    the file is the owner's only, under the usual umask."""
    with sqlite3.connect(demo_config.db) as conn:
        conn.execute("UPDATE tasks SET title = '=cmd|'' /C calc''!A' || id")
        conn.execute("UPDATE users SET name = '@SUM(1)' || login")
    app = ui.app_for(demo_config)
    old_umask = os.umask(0o022)
    try:
        async with app.run_test(size=ui.SIZE) as pilot:
            screen = await open_reports(app, pilot)
            await export(app, pilot, str(tmp_path / "people.csv"))
            await press(app, pilot, "b", "b")
            await export(app, pilot, str(tmp_path / "tasks.csv"))
            assert screen.last_export == tmp_path / "tasks.csv"
    finally:
        os.umask(old_umask)
    for name, start in (("people.csv", "'@SUM(1)"), ("tasks.csv", "'=cmd|' /C calc'!A")):
        path = tmp_path / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with path.open(encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        assert len(rows) > 2
        assert all(r["name"].startswith(start) for r in rows[:-1])


def test_report_csv_neutralises_formulas_in_every_text_cell() -> None:
    lines = tuple(
        ReportLine(key, f"{key} name", 30) for key in ("=1+1", "+1", "-1", "@A1", "\tx", "ok")
    )
    text = report_csv(Report(THIS_WEEK, "task", lines))
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[:3] for row in rows[1:-1]] == [
        ["'=1+1", "'=1+1 name", "30"],
        ["'+1", "'+1 name", "30"],
        ["'-1", "'-1 name", "30"],
        ["'@A1", "'@A1 name", "30"],
        ["'\tx", "'\tx name", "30"],
        ["ok", "ok name", "30"],
    ]
    assert rows[-1][:3] == ["total", "", "180"]


async def test_a_member_reports_only_their_own_time(demo_config: Config) -> None:
    app = ui.app_for(demo_config, "cruiz")
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_reports(app, pilot)
        assert screen.report is not None
        assert [line.key for line in screen.report.lines] == ["cruiz"]
        await press(app, pilot, "b")
        mine = ui.backend_for(demo_config, "cruiz").report(THIS_WEEK.start, THIS_WEEK.end)
        assert {r.user for r in mine} == {"cruiz"}
        assert screen.report.total == sum(r.minutes for r in mine)


async def test_a_lead_reports_their_team(demo_config: Config) -> None:
    app = ui.app_for(demo_config, "sokafor")
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_reports(app, pilot)
        assert screen.report is not None
        assert {line.key for line in screen.report.lines} <= {
            "bmartin",
            "nlarsen",
            "qnovak",
            "sokafor",
        }


# --- the pieces ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        # 0:30 of 74:48 was `0%`, and the shares added up to 99%.
        ([4458, 30], ["99%", "1%"]),
        ([4000, 458, 30], ["89%", "10%", "1%"]),
        ([10000, 30], ["100%", "<1%"]),
        ([1, 1, 1], ["34%", "33%", "33%"]),
        ([60], ["100%"]),
        ([0, 60], ["0%", "100%"]),
        ([0, 0], ["-", "-"]),
        ([], []),
    ],
)
def test_shares_add_up_to_100(parts: list[int], expected: list[str]) -> None:
    assert shares(parts) == expected


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30))
def test_shares_always_add_up_to_100(parts: list[int]) -> None:
    shown = shares(parts)
    if not sum(parts):
        assert set(shown) == {"-"}
        return
    assert sum(int(s.rstrip("%")) for s in shown if s != "<1%") == 100
    for part, share in zip(parts, shown, strict=True):
        assert (share == "0%") == (part == 0)
        # Never more than one point from the exact share.
        exact = part * 100 / sum(parts)
        assert abs((0 if share == "<1%" else int(share.rstrip("%"))) - exact) < 1


def test_ranges_shift_by_their_kind() -> None:
    assert THIS_WEEK.shift(1) == DateRange(date(2026, 5, 18), date(2026, 5, 24), "week")
    # ISO week 53 and the year end
    week53 = DateRange.week_of(date(2026, 12, 31))
    assert (week53.start, week53.end) == (date(2026, 12, 28), date(2027, 1, 3))
    assert week53.shift(1).start == date(2027, 1, 4)
    assert DateRange.month_of(date(2026, 12, 5)).shift(1) == DateRange(
        date(2027, 1, 1), date(2027, 1, 31), "month"
    )
    assert DateRange.month_of(date(2026, 3, 31)).shift(-1).end == date(2026, 2, 28)
    custom = DateRange(date(2026, 5, 1), date(2026, 5, 10))
    assert custom.shift(-1) == DateRange(date(2026, 4, 21), date(2026, 4, 30))


def test_range_names() -> None:
    assert THIS_WEEK.describe(TODAY).startswith("this week (2026-W20")
    assert THIS_WEEK.shift(-1).describe(TODAY).startswith("last week (2026-W19")
    assert DateRange.month_of(TODAY).describe(TODAY) == "this month (May 2026)"
    assert DateRange.month_of(date(2026, 4, 2)).describe(TODAY) == "last month (April 2026)"
    assert DateRange(date(2026, 5, 1), date(2026, 5, 1)).describe(TODAY).endswith("(1 day)")


def test_parse_range() -> None:
    assert parse_range("2026-05-01..2026-05-13", TODAY) == DateRange(
        date(2026, 5, 1), date(2026, 5, 13)
    )
    assert parse_range("-7 to today", TODAY) == DateRange(date(2026, 5, 6), TODAY)
    for bad in ("", "2026-05-01", "2026-05-02 2026-05-01", "a b"):
        with pytest.raises(Invalid):
            parse_range(bad, TODAY)


def test_export_target(tmp_path: Path) -> None:
    assert export_target("r.csv", tmp_path) == tmp_path / "r.csv"
    assert export_target(str(tmp_path / "R.JSON"), Path("/")) == tmp_path / "R.JSON"
    for bad, why in (
        ("", "Write a file name"),
        (str(tmp_path), "is a folder"),
        ("r.xlsx", ".csv or .json"),
        ("nope/r.csv", "There is no folder"),
    ):
        with pytest.raises(Invalid, match=why):
            export_target(bad, tmp_path)
    (tmp_path / "file").write_text("")
    with pytest.raises(Invalid, match="is not a folder"):
        export_target("file/r.csv", tmp_path)


# --- estimated against logged, overtime ------------------------------------------------------


def shown_lines(screen: ReportsScreen) -> list[str]:
    """The table's lines as drawn (what fits on screen)."""
    table = screen.table
    return [table.render_line(y).text for y in range(table.size.height)]


def cli_report(config: Config, home: Path, *args: str, user: str = "alice") -> str:
    ran = run_cli(
        ["--db", str(config.db), "report", *args], home=home, env={"TUI_BOARD_USER": user}
    )
    assert ran.code == 0, ran.stderr
    return ran.stdout


def overtime_shown(rows: list[OvertimeRow], part: Collection[str] = ()) -> list[list[str]]:
    """The rows as the screen shows them; the weeks in `part` marked `(part)`."""
    return [
        [
            r.user,
            f"{r.week} (part)" if r.week in part else r.week,
            *(format_duration(v) for v in (r.scheduled, r.time_off, r.expected, r.logged)),
            signed_duration(r.difference),
        ]
        for r in rows
    ]


async def test_t_switches_to_estimates_then_overtime_and_back(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    backend.add_milestone("APP", "Launch", date(2026, 6, 1))
    for key in ("APP-1", "APP-2"):
        task = backend.get_task(key)
        backend.update_task(key, task.version, TaskPatch(milestone="Launch"))
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_reports(app, pilot)
        await press(app, pilot, "t")
        assert screen.kind == "estimates"
        expected = backend.report_estimates()
        assert {r.kind for r in expected} == {"project", "milestone", "task", "person"}
        assert screen.estimates is not None and list(screen.estimates.rows) == expected
        assert shown_rows(screen) == [
            [
                r.kind,
                r.name,
                r.project,
                "-" if r.estimate is None else format_duration(r.estimate),
                format_duration(r.logged),
                "-" if r.variance is None else signed_duration(r.variance),
                "-" if r.percent is None else f"{r.percent}%",
            ]
            for r in expected
        ]
        titles = [str(c.label) for c in screen.table.columns.values()]
        assert titles == ["Kind", "Name", "Project", "Estimate", "Logged", "+/-", "%"]
        heading = str(screen.query_one(".table-screen--heading").render())
        assert heading.startswith("Estimated against logged")
        projects = [r for r in expected if r.kind == "project"]
        figures = str(screen.query_one(".table-screen--figures").render())
        assert f"logged {format_duration(sum(r.logged for r in projects))}" in figures
        # No range here: `[` and `b` do nothing and are not offered.
        await press(app, pilot, "left_square_bracket", "b")
        assert screen.span == THIS_WEEK and screen.group == "person"
        assert not screen.active_bindings.get("b") and not screen.active_bindings.get("d")

        await press(app, pilot, "t")
        assert screen.kind == "overtime"
        # Counted up to today, as `tui-board report overtime` counts: Mon to Wed.
        weeks = backend.report_overtime(THIS_WEEK.start, TODAY)
        assert len(weeks) == 8 and {w.week for w in weeks} == {"2026-W20"}
        shown = overtime_shown(weeks, part={"2026-W20"})
        assert shown_rows(screen) == shown  # one week: its own total
        heading = str(screen.query_one(".table-screen--heading").render())
        assert heading == (
            "Overtime and undertime: this week (2026-W20: Mon 11 May to Sun 17 May 2026),"
            " to today (Wed 13 May)"
        )
        figures = str(screen.query_one(".table-screen--figures").render())
        logged, expect = sum(w.logged for w in weeks), sum(w.expected for w in weeks)
        assert figures == (
            f"8 people: expected {format_duration(expect)} (schedule less time off), "
            f"logged {format_duration(logged)}, {signed_duration(logged - expect)}"
        )
        # The range keys move it; `b` still does nothing.
        await press(app, pilot, "left_square_bracket", "b")
        assert screen.group == "person"
        last = THIS_WEEK.shift(-1)
        assert screen.overtime is not None and screen.overtime.span == last
        assert shown_rows(screen) == overtime_shown(backend.report_overtime(last.start, last.end))
        # A month: several weeks a person, then their total.
        await press(app, pilot, "d")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        picker.dismiss(2)  # this month
        await ui.settle(app, pilot)
        month = backend.report_overtime(date(2026, 5, 1), TODAY)
        alice = [w for w in month if w.user == "alice"]
        assert [w.week for w in alice] == ["2026-W18", "2026-W19", "2026-W20"]
        rows = shown_rows(screen)
        total = next(r for r in rows if r[:2] == ["alice", "Total"])
        assert rows.index(total) == len(alice)  # right under alice's weeks
        assert total[5] == format_duration(sum(w.logged for w in alice))
        assert total[6] == signed_duration(sum(w.difference for w in alice))
        assert len(rows) == len(month) + 8

        await press(app, pilot, "t")
        assert screen.kind == "time"
        heading = str(screen.query_one(".table-screen--heading").render())
        assert heading.startswith("Time by person: this month")


async def test_export_estimates_and_overtime_as_the_cli_writes_them(
    demo_config: Config, tmp_path: Path
) -> None:
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_reports(app, pilot)
        await press(app, pilot, "t")
        await export(app, pilot, str(tmp_path / "estimates.csv"))
        await export(app, pilot, str(tmp_path / "estimates.json"))
        await press(app, pilot, "t")
        await export(app, pilot, str(tmp_path / "overtime.csv"))
        await export(app, pilot, str(tmp_path / "overtime.json"))
        assert screen.last_export == tmp_path / "overtime.json"
        assert screen.overtime is not None
        weeks = len(screen.overtime.rows)
        said = [n.message for n in app._notifications if n.title == "Exported"]
        assert screen.estimates is not None
        estimates = len(screen.estimates.rows)
        assert said[0] == f"Wrote {estimates} lines to {tmp_path / 'estimates.csv'}"
        assert said[-1] == f"Wrote {weeks} lines and the totals to {tmp_path / 'overtime.json'}"
    read = (tmp_path / "estimates.csv").read_text(encoding="utf-8")
    assert read == cli_report(demo_config, tmp_path, "estimates", "--csv")
    read = (tmp_path / "estimates.json").read_text(encoding="utf-8")
    assert read == cli_report(demo_config, tmp_path, "estimates", "--json")
    week = ("--from", "2026-05-11", "--to", "2026-05-13")  # this week, to today
    read = (tmp_path / "overtime.csv").read_text(encoding="utf-8")
    assert read == cli_report(demo_config, tmp_path, "overtime", "--csv", *week)
    lines = list(csv.DictReader(io.StringIO(read)))
    assert len(lines) == weeks + 8 and lines[-1]["week"] == "total"
    data = json.loads((tmp_path / "overtime.json").read_text(encoding="utf-8"))
    cli_rows = json.loads(cli_report(demo_config, tmp_path, "overtime", "--json", *week))
    # The same keys as `--json`, then each person's total as the CSV has it.
    assert data[: len(cli_rows)] == cli_rows
    assert [r["week"] for r in data[len(cli_rows) :]] == ["total"] * 8
    assert [int(v) if v.lstrip("-").isdigit() else v for v in lines[-1].values()] == list(
        data[-1].values()
    )


async def test_a_member_sees_only_their_own_hours_in_both(demo_config: Config) -> None:
    app = ui.app_for(demo_config, "cruiz")
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_reports(app, pilot)
        await press(app, pilot, "t")
        assert screen.estimates is not None
        people = {r.name for r in screen.estimates.rows if r.kind == "person"}
        assert people == {"cruiz"}
        assert ["person", "alice"] not in [r[:2] for r in shown_rows(screen)]
        await press(app, pilot, "t")
        assert screen.overtime is not None
        assert {r.user for r in screen.overtime.rows} == {"cruiz"}
        assert [r[0] for r in shown_rows(screen)] == ["cruiz"]


async def test_hostile_milestone_cut_with_an_ellipsis_and_overtime_whole_at_80x24(
    demo_config: Config, tmp_path: Path
) -> None:
    """A milestone named with escapes, a bidi override and 90 letters: shown harmless and
    cut with an ellipsis at 80x24, the figures after it whole; the CSV neutralises it."""
    backend = ui.backend_for(demo_config)
    backend.add_milestone("WEB", "Launch", date(2026, 6, 1))
    hostile = "=Evil \x1b[2J\x1b[31mred \u202egnp.exe " + "L" * 90
    with sqlite3.connect(demo_config.db) as conn:
        conn.execute("UPDATE milestones SET name = ? WHERE name = 'Launch'", (hostile,))
        conn.execute(
            "UPDATE tasks SET milestone_id = (SELECT id FROM milestones WHERE name = ?)"
            " WHERE number = 1 AND project_id = (SELECT id FROM projects WHERE key = 'WEB')",
            (hostile,),
        )
    task = backend.get_task("WEB-1")
    app = ui.app_for(demo_config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_reports(app, pilot)
        await press(app, pilot, "t")
        assert screen.estimates is not None
        row = next(r for r in screen.estimates.rows if r.kind == "milestone" and r.name == hostile)
        assert row.project == "WEB" and row.estimate == task.estimate
        line = next(text for text in shown_lines(screen) if "milestone" in text and "Evil" in text)
        assert hostile_violations(line) == []
        assert "…" in line and cell_len(line) <= 80
        percent = "-" if row.percent is None else f"{row.percent}%"
        assert line.split()[-5:] == [
            "WEB",
            "-" if row.estimate is None else format_duration(row.estimate),
            format_duration(row.logged),
            "-" if row.variance is None else signed_duration(row.variance),
            percent,
        ]
        await export(app, pilot, str(tmp_path / "e.csv"))
        await press(app, pilot, "t")  # overtime: every figure whole at 80 columns
        assert screen.overtime is not None
        lines = [line for line in shown_lines(screen) if line.strip()]
        assert len(lines) > 4
        heading = ["Person", "Week", "Schedule", "Off", "Expected", "Logged", "+/-"]
        assert lines[0].split() == heading
        for week, line in zip(screen.overtime.rows, lines[1:], strict=False):
            assert line.split() == " ".join(overtime_shown([week], {week.week})[0]).split()
            assert cell_len(line) <= 80
    with (tmp_path / "e.csv").open(encoding="utf-8") as file:
        written = [r for r in csv.DictReader(file) if r["kind"] == "milestone"]
    written = [r for r in written if "Evil" in r["name"]]
    assert [r["name"][:6] for r in written] == ["'=Evil"]
    assert hostile_violations(written[0]["name"]) == []


# --- what a user sees in the terminal ----------------------------------------------------------


def on_screen(app: BoardApp) -> list[str]:
    """The terminal's lines as the app draws them (not the table's own idea of its rows)."""
    return [line.rstrip() for line in ui.frame_text(app)]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_end_reaches_the_last_row_and_the_total_of_every_report(
    demo_config: Config, size: tuple[int, int]
) -> None:
    """`End` (and `G`) scroll each report to its last line, drawn above the footer: the
    time report's total, the estimates' last person, overtime's last total."""
    app = ui.app_for(demo_config)
    async with app.run_test(size=size) as pilot:
        screen = await open_reports(app, pilot)
        await press(app, pilot, "b", "b")  # by task: more tasks than lines at 80x24
        report = screen.report
        assert report is not None and report.group == "task"
        await press(app, pilot, "end")
        lines = on_screen(app)
        total = f"Total ({len(report.lines)})"
        assert any(line.split()[:3] == [*total.split(), format_duration(report.total)]
                   for line in lines), lines  # fmt: skip
        last = report.lines[-1]
        assert any(line.split()[:1] == [last.key] for line in lines), lines
        await press(app, pilot, "home", "pagedown", "pagedown", "pagedown")
        assert any(line.split()[:2] == total.split() for line in on_screen(app))

        await press(app, pilot, "t", "G")  # estimated against logged
        assert screen.estimates is not None
        assert len(screen.estimates.rows) > size[1]
        last_row = screen.estimates.rows[-1]
        wanted = [last_row.kind, last_row.name]
        assert any(line.split()[:2] == wanted for line in on_screen(app)), on_screen(app)

        await press(app, pilot, "t", "left_square_bracket", "d")  # overtime, last month
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        picker.dismiss(3)
        await ui.settle(app, pilot)
        await press(app, pilot, "end")
        assert screen.overtime is not None and screen.overtime.span.kind == "month"
        final = screen.overtime.totals[-1]
        wanted = [final.user, "Total", format_duration(final.scheduled)]
        assert any(line.split()[:3] == wanted for line in on_screen(app)), on_screen(app)


async def test_a_range_over_years_names_the_first_days_year(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_reports(app, pilot)
        await press(app, pilot, "d")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        picker.dismiss(4)  # custom range
        await ui.settle(app, pilot)
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        prompt.query_one(Input).value = "2020-01-01 2026-12-31"
        await ui.settle(app, pilot)
        days = "Wed 01 Jan 2020 to Thu 31 Dec 2026 (2557 days)"
        assert str(prompt.query_one(".dialog--preview").render()) == days
        await press(app, pilot, "enter")
        assert screen.span == DateRange(date(2020, 1, 1), date(2026, 12, 31))
        heading = str(screen.query_one(".table-screen--heading").render())
        assert heading == f"Time by person: {days}"
        assert f"Time by person: {days}" in "\n".join(on_screen(app))
    # The same year: named once, at the end; a week over the new year names both.
    assert DateRange(date(2026, 5, 1), date(2026, 5, 13)).span() == (
        "Fri 01 May to Wed 13 May 2026 (13 days)"
    )
    week53 = DateRange.week_of(date(2026, 12, 31))
    assert week53.span() == "2026-W53: Mon 28 Dec 2026 to Sun 03 Jan 2027"


async def test_overtime_counts_up_to_today_as_the_cli_does(
    demo_config: Config, tmp_path: Path
) -> None:
    """This month's overtime expects no hours of the days to come: the figures are the
    CLI's default (the 1st to today); the weeks cut by the range say `(part)`; a month
    still to come expects nothing."""
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_reports(app, pilot)
        await press(app, pilot, "t", "t", "d")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        picker.dismiss(2)  # this month
        await ui.settle(app, pilot)
        assert screen.overtime is not None and screen.overtime.last == TODAY
        # The CLI's default days when today is the demo's (the CLI reads the real clock).
        days = ("--from", "2026-05-01", "--to", TODAY.isoformat())
        cli = json.loads(cli_report(demo_config, tmp_path, "overtime", "--json", *days))
        assert [dataclasses.asdict(r) for r in screen.overtime.rows] == cli
        lines = on_screen(app)
        assert lines[2].strip() == (
            "Overtime and undertime: this month (May 2026), to today (Wed 13 May)"
        )
        expected = sum(r["expected"] for r in cli)
        assert f"expected {format_duration(expected)} " in lines[3]
        whole = ui.backend_for(demo_config).report_overtime(date(2026, 5, 1), date(2026, 5, 31))
        assert expected < sum(r.expected for r in whole)  # the days to come are not owed
        alice = [line.split()[:3] for line in lines if line.split()[:1] == ["alice"]]
        assert alice == [["alice", "2026-W18", "(part)"], ["alice", "2026-W19", "40:00"],
                         ["alice", "2026-W20", "(part)"], ["alice", "Total", "72:00"]]  # fmt: skip

        await press(app, pilot, "right_square_bracket")  # June: nothing yet
        assert screen.overtime.last is None and screen.overtime.rows == ()
        lines = on_screen(app)
        assert lines[2].strip() == "Overtime and undertime: June 2026, not begun"
        assert lines[3].strip() == "These days start after today: no hours are expected yet."


def in_dialog(app: BoardApp) -> list[str]:
    """The lines inside the dialog's border, as drawn."""
    return [line.split("│")[1].strip() for line in on_screen(app) if line.count("│") >= 2]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_export_and_range_dialogs_read_whole(
    demo_config: Config, tmp_path: Path, size: tuple[int, int]
) -> None:
    """The overtime export counts person-weeks; the replace question shows the path on
    lines of its own cut after a `/`; keeping the file says so; the range prompt's label
    is whole."""
    folder = tmp_path / "a-folder-with-a-long-name" / "and-another-one-inside-it"
    folder.mkdir(parents=True)
    app = ui.app_for(demo_config)
    async with app.run_test(size=size) as pilot:
        screen = await open_reports(app, pilot)
        await press(app, pilot, "t", "t")
        assert screen.overtime is not None
        await press(app, pilot, "e")
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        weeks = len(screen.overtime.rows)
        assert prompt.context.startswith(f"{weeks} person-weeks of overtime, this week")
        target = folder / prompt.query_one(Input).value
        target.write_text("keep me\n")
        prompt.query_one(Input).value = str(target)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ConfirmScreen)
        lines = in_dialog(app)
        first = lines.index("This file exists:")
        last = lines.index("Replace it with this report?")
        path = lines[first + 1 : last]
        assert len(path) > 1 and "".join(path) == str(target)
        assert all(line.endswith("/") for line in path[:-1]), path
        assert path[-1] == target.name  # the name whole on its line
        await press(app, pilot, "n")
        assert target.read_text() == "keep me\n"
        said = [(n.title, n.message) for n in app._notifications]
        assert said[-1] == ("Not exported", f"{target} kept.")

        await press(app, pilot, "d")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        picker.dismiss(4)  # custom range
        await ui.settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        label = "First and last day: 2026-05-01 2026-05-13, or mon today, -7 today"
        assert label in in_dialog(app), in_dialog(app)


async def test_estimates_list_tasks_by_project_then_number(
    demo_config: Config, tmp_path: Path
) -> None:
    """APP-2 before APP-10, on screen and in `tui-board report estimates` alike."""
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_reports(app, pilot)
        await press(app, pilot, "t")
        tasks = [row[1] for row in shown_rows(screen) if row[0] == "task"]
    numbered = [(key.split("-")[0], int(key.split("-")[1])) for key in tasks]
    assert len(numbered) > 20 and numbered == sorted(numbered)
    assert numbered.index(("APP", 2)) < numbered.index(("APP", 10))
    cli = json.loads(cli_report(demo_config, tmp_path, "estimates", "--json"))
    assert [r["name"] for r in cli if r["kind"] == "task"] == tasks
