"""Workload: capacity less time off, logged time, planned work spread to due dates,
load bands, ISO week 53 and year ends, and who sees whom.

The clock is Wednesday 2026-11-25 (2026-W48); a default person works Monday to Friday,
40 hours a week.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contract.conftest import World
from tests.contract.helpers import LAST_WEEK, MONDAY, NEXT_WEEK, TODAY, WEEK, day, refused
from tui_board.backend.protocol import Backend
from tui_board.core.errors import Forbidden, Invalid, NotFound
from tui_board.core.models import UserPatch, WorkloadCell, WorkloadRow
from tui_board.core.weeks import IsoWeek
from tui_board.core.workload import band


def cells(
    backend: Backend, login: str, start: IsoWeek = WEEK, weeks: int = 3
) -> dict[str, WorkloadCell]:
    (row,) = [r for r in backend.workload(start, weeks).rows if r.user == login]
    return {c.week: c for c in row.cells}


def planned(backend: Backend, login: str, start: IsoWeek = WEEK, weeks: int = 3) -> list[int]:
    return [c.planned for c in cells(backend, login, start, weeks).values()]


def test_weeks_current_and_an_empty_row(world: World) -> None:
    load = world.mia.workload(LAST_WEEK, 3)
    assert load.weeks == ("2026-W47", "2026-W48", "2026-W49")
    assert load.current == "2026-W48"
    (row,) = load.rows
    assert (row.user, row.name, row.team) == ("mia", "Mia", "core")
    assert [(c.week, c.capacity, c.logged, c.planned, c.past) for c in row.cells] == [
        ("2026-W47", 2400, 0, 0, True),
        ("2026-W48", 2400, 0, 0, False),
        ("2026-W49", 2400, 0, 0, False),
    ]


def test_capacity_is_weekly_capacity_less_time_off(world: World) -> None:
    world.mia.add_time_off(NEXT_WEEK.monday(), 480)
    world.mia.add_time_off(NEXT_WEEK.monday().replace(day=1, month=12), 240, kind="sick")
    world.mia.add_time_off(MONDAY, 60, kind="holiday")
    by_week = cells(world.mia, "mia")
    assert [c.capacity for c in by_week.values()] == [2340, 1680, 2400]
    # never below zero
    world.ada.update_user("nik", world.ada.get_user("nik").version, UserPatch(capacity=600))
    world.nik.add_time_off(TODAY, 480)
    world.nik.add_time_off(day(1), 480)
    assert cells(world.nik, "nik")["2026-W48"].capacity == 0


def test_logged_time_by_week_and_past_weeks_are_logged_only(world: World) -> None:
    t = world.task("a", assignee="mia", estimate=300, due=day(-10))  # overdue
    world.mia.set_entry(t.key, LAST_WEEK.monday(), 120)
    world.mia.set_entry(t.key, MONDAY, 60)
    by_week = cells(world.mia, "mia", LAST_WEEK)
    past, current, coming = by_week.values()
    assert (past.logged, past.planned, past.past, past.load) == (120, 0, True, 120)
    # remaining 300 - 180 lands in the current week, on top of what was logged in it
    assert (current.logged, current.planned, current.past, current.load) == (60, 120, False, 180)
    assert (coming.logged, coming.planned, coming.load) == (0, 0, 0)


def test_an_estimate_spreads_over_working_days_to_the_due_date(world: World) -> None:
    # Wed 25 Nov to Fri 4 Dec: 3 working days in W48, 5 in W49; 600 / 8 = 75 a day
    t = world.task("a", assignee="mia", estimate=600, due=date(2026, 12, 4))
    assert planned(world.mia, "mia") == [225, 375, 0]
    # less everyone's logged time (max logged 120 of it: 480 left, 60 a day)
    world.max.set_entry(t.key, MONDAY, 120)
    assert planned(world.mia, "mia") == [180, 300, 0]
    assert cells(world.max, "max")["2026-W48"].logged == 120
    assert cells(world.max, "max")["2026-W48"].planned == 0


def test_the_spread_follows_the_persons_work_days(world: World) -> None:
    mia = world.ada.get_user("mia")
    world.ada.update_user("mia", mia.version, UserPatch(work_days=(0, 1, 2)))
    # Wed 25, Mon 30, Tue 1, Wed 2: 100 a day
    world.task("a", assignee="mia", estimate=400, due=date(2026, 12, 4))
    assert planned(world.mia, "mia") == [100, 300, 0]


def test_a_due_date_on_the_weekend_spreads_over_the_days_before(world: World) -> None:
    world.task("a", assignee="mia", estimate=301, due=WEEK.sunday())
    assert planned(world.mia, "mia") == [301, 0, 0]


def test_an_undated_task_spreads_over_two_weeks(world: World) -> None:
    # Wed 25 Nov to Tue 8 Dec: 10 working days, 100 a day
    world.task("a", assignee="mia", estimate=1000)
    assert planned(world.mia, "mia", weeks=4) == [300, 500, 200, 0]


def test_an_overdue_task_lands_in_full_in_the_current_week(world: World) -> None:
    world.task("a", assignee="mia", estimate=300, due=date(2026, 11, 2))
    assert planned(world.mia, "mia", LAST_WEEK) == [0, 300, 0]


def test_what_is_not_planned(world: World) -> None:
    done = world.column("Done")
    world.task("done", assignee="mia", estimate=500, column_id=done)
    gone = world.task("archived", assignee="mia", estimate=500)
    world.ada.archive_task(gone.key, gone.version)
    world.task("nobody's", estimate=500)
    world.task("no estimate", assignee="mia")
    spent = world.task("all spent", assignee="mia", estimate=60)
    world.mia.set_entry(spent.key, MONDAY, 90)
    moved = world.task("moved to done", assignee="mia", estimate=500)
    world.ada.move_task(moved.key, moved.version, done)
    assert planned(world.mia, "mia") == [0, 0, 0]
    assert all(sum(c.planned for c in r.cells) == 0 for r in world.ada.workload(WEEK, 3).rows)


@pytest.mark.parametrize(
    ("load", "expected"),
    [
        (0, "low"),
        (1199, "low"),
        (1200, "ok"),
        (2400, "ok"),
        (2401, "high"),
        (2880, "high"),
        (2881, "over"),
    ],
)
def test_band_edges_on_a_40_hour_week(world: World, load: int, expected: str) -> None:
    if load:
        world.task("a", assignee="mia", estimate=load, due=day(-1))
    cell = cells(world.mia, "mia")["2026-W48"]
    assert (cell.load, cell.capacity) == (load, 2400)
    assert band(cell.load, cell.capacity) == expected


def test_band_with_no_capacity(world: World) -> None:
    nik = world.ada.get_user("nik")
    world.ada.update_user("nik", nik.version, UserPatch(capacity=0))
    cell = cells(world.nik, "nik")["2026-W48"]
    assert band(cell.load, cell.capacity) == "none"
    world.task("a", assignee="nik", estimate=1, due=day(-1))
    cell = cells(world.nik, "nik")["2026-W48"]
    assert band(cell.load, cell.capacity) == "over"


def test_iso_week_53_and_the_year_end(world: World) -> None:
    world.clock.set(2026, 12, 30)  # Wednesday of 2026-W53
    # Wed 30, Thu 31, Fri 1 Jan (2026-W53) then Mon 4 to Fri 8 Jan (2027-W01): 100 a day
    world.task("plan", assignee="mia", estimate=800, due=date(2027, 1, 8))
    logged = world.task("log")
    world.mia.set_entry(logged.key, date(2026, 12, 27), 45)  # Sunday: 2026-W52
    world.mia.set_entry(logged.key, date(2026, 12, 28), 30)
    world.mia.set_entry(logged.key, date(2027, 1, 1), 60)  # still 2026-W53
    world.mia.set_entry(logged.key, date(2027, 1, 4), 15)
    world.mia.add_time_off(date(2027, 1, 1), 480, kind="holiday")
    load = world.mia.workload(IsoWeek(2026, 52), 3)
    assert load.weeks == ("2026-W52", "2026-W53", "2027-W01")
    assert load.current == "2026-W53"
    (row,) = load.rows
    assert [(c.capacity, c.logged, c.planned, c.past) for c in row.cells] == [
        (2400, 45, 0, True),
        (1920, 90, 300, False),
        (2400, 15, 500, False),
    ]


def test_the_year_boundary_week_belongs_to_the_new_year(world: World) -> None:
    t = world.task("a")
    world.mia.set_entry(t.key, date(2025, 12, 28), 10)  # Sunday: 2025-W52
    world.mia.set_entry(t.key, date(2025, 12, 29), 20)  # Monday: 2026-W01
    world.mia.set_entry(t.key, date(2026, 1, 4), 40)
    load = world.mia.workload(IsoWeek(2025, 52), 2, today=date(2026, 1, 2))
    assert (load.weeks, load.current) == (("2025-W52", "2026-W01"), "2026-W01")
    assert [(c.logged, c.past) for c in load.rows[0].cells] == [(10, True), (60, False)]


def test_today_can_be_given(world: World) -> None:
    world.task("a", assignee="mia", estimate=100)  # undated: from the given day on
    load = world.mia.workload(WEEK, 3, today=date(2026, 12, 2))
    assert load.current == "2026-W49"
    assert [(c.past, c.planned) for c in load.rows[0].cells] == [
        (True, 0),
        (False, 30),
        (False, 50),
    ]


def test_at_least_one_week(world: World) -> None:
    with refused(Invalid, world):
        world.ada.workload(WEEK, 0)


# --- who sees whom ---------------------------------------------------------------------------


def logins(backend: Backend, team: str | None = None) -> list[str]:
    return [r.user for r in backend.workload(WEEK, 1, team=team).rows]


def test_who_sees_whose_workload(world: World) -> None:
    assert logins(world.mia) == ["mia"]
    assert logins(world.nik) == ["nik"]
    assert logins(world.lee) == ["lee", "max", "mia"]
    assert logins(world.olga) == ["olga", "oscar"]
    # by team (no team last), then by name
    assert logins(world.ada) == ["lee", "max", "mia", "olga", "oscar", "ada", "nik"]
    assert logins(world.lee, "core") == ["lee", "max", "mia"]
    assert logins(world.ada, "ops") == ["olga", "oscar"]
    for who, team in ((world.mia, "core"), (world.olga, "core"), (world.lee, "ops")):
        with refused(Forbidden, world):
            who.workload(WEEK, 1, team=team)
    with refused(NotFound, world):
        world.ada.workload(WEEK, 1, team="nope")


def test_inactive_people_are_left_out(world: World) -> None:
    world.ada.update_user("max", world.ada.get_user("max").version, UserPatch(active=False))
    assert logins(world.lee) == ["lee", "mia"]


_walkers = itertools.count(1)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    estimate=st.integers(1, 100 * 60),
    due=st.one_of(st.none(), st.integers(-10, 40)),
    work_days=st.sets(st.integers(0, 6), min_size=1),
)
def test_planned_work_adds_up_and_stays_in_its_weeks(
    world: World, estimate: int, due: int | None, work_days: set[int]
) -> None:
    """Whatever the estimate, due date and work days: the weeks' planned minutes add
    up to the estimate, from the current week to the due date's (two weeks when
    undated), all of it in the current week when overdue."""
    login = f"planner{next(_walkers)}"
    world.ada.create_user(login, login.title(), work_days=tuple(sorted(work_days)))
    due_day = None if due is None else day(due)
    world.ada.create_task("WEB", "plan", assignee=login, estimate=estimate, due=due_day)
    by_week = {c.week: c.planned for c in cells(world.ada, login, WEEK, 8).values()}
    assert sum(by_week.values()) == estimate
    last = IsoWeek.of(day(13) if due_day is None else max(due_day, TODAY))
    assert all(m == 0 for w, m in by_week.items() if w > str(last)), by_week
    if due_day is not None and due_day < TODAY:
        assert by_week["2026-W48"] == estimate


# --- a window of people, and the totals over everyone ----------------------------------------


def summed(rows: tuple[WorkloadRow, ...], weeks: int) -> list[tuple[int, int, int]]:
    """Each week's (capacity, logged, planned) added up over `rows`."""
    return [
        (
            sum(r.cells[i].capacity for r in rows),
            sum(r.cells[i].logged for r in rows),
            sum(r.cells[i].planned for r in rows),
        )
        for i in range(weeks)
    ]


def figures(cells: tuple[WorkloadCell, ...]) -> list[tuple[int, int, int]]:
    return [(c.capacity, c.logged, c.planned) for c in cells]


def busy(world: World) -> None:
    """Time, time off (some above a week's capacity), open tasks and a week submitted
    from Sunday (its days counted in it, not in their ISO weeks) across both teams."""
    t = world.task("logged")
    world.mia.set_entry(t.key, LAST_WEEK.monday(), 120)
    world.mia.set_entry(t.key, MONDAY, 60)
    world.max.set_entry(t.key, day(1), 200)
    world.oscar.set_entry(t.key, LAST_WEEK.sunday(), 45)
    world.oscar.set_entry(t.key, LAST_WEEK.sunday() - timedelta(days=1), 30)
    world.oscar.submit_week(WEEK, first_day=6)  # Sun 22 to Sat 28: Sun 22 counts in W48
    world.nik.set_entry(t.key, NEXT_WEEK.monday(), 30)
    world.ada.update_user("lee", world.ada.get_user("lee").version, UserPatch(capacity=600))
    world.lee.add_time_off(MONDAY, 480)
    world.lee.add_time_off(day(1), 480)  # 960 off a 600 week: capacity 0, not -360
    world.olga.add_time_off(NEXT_WEEK.monday(), 240, kind="sick")
    world.task("a", assignee="mia", estimate=600, due=date(2026, 12, 4))
    world.task("b", assignee="oscar", estimate=900)
    world.task("c", assignee="nik", estimate=300, due=day(-3))
    world.task("d", assignee="olga", estimate=100, due=date(2026, 12, 4))


def test_the_totals_are_the_rows_added_up(world: World) -> None:
    busy(world)
    load = world.ada.workload(LAST_WEEK, 3)
    assert load.people == len(load.rows) == 7 and load.offset == 0
    assert load.teams == ("core", "ops")
    assert figures(load.totals) == summed(load.rows, 3)
    assert [(c.week, c.past) for c in load.totals] == [(c.week, c.past) for c in load.rows[0].cells]
    # the Sunday of oscar's W48 counts in W48, in his row and in the totals alike
    oscar = next(r for r in load.rows if r.user == "oscar")
    assert [c.logged for c in oscar.cells] == [30, 45, 0]
    lee = next(r for r in load.rows if r.user == "lee")
    assert lee.cells[1].capacity == 0
    assert load.totals[1].planned > 0 and load.totals[0].planned == 0  # past: none


@pytest.mark.parametrize(("offset", "limit"), [(0, 2), (2, 3), (5, 10), (6, 1), (7, 5), (0, 0)])
def test_a_window_of_people_keeps_the_totals_of_everyone(
    world: World, offset: int, limit: int
) -> None:
    busy(world)
    everyone = world.ada.workload(LAST_WEEK, 3)
    window = world.ada.workload(LAST_WEEK, 3, offset=offset, limit=limit)
    assert window.rows == everyone.rows[offset : offset + limit]
    assert (window.people, window.offset) == (7, offset)
    assert window.totals == everyone.totals
    assert window.teams == everyone.teams


def test_the_totals_cover_whom_the_reader_sees(world: World) -> None:
    busy(world)
    for backend, team in ((world.lee, None), (world.ada, "ops"), (world.olga, None)):
        load = backend.workload(LAST_WEEK, 3, team=team)
        assert figures(load.totals) == summed(load.rows, 3)
        first = backend.workload(LAST_WEEK, 3, team=team, limit=1)
        assert (first.rows, first.people, first.totals) == (
            load.rows[:1],
            len(load.rows),
            load.totals,
        )
    mine = world.mia.workload(LAST_WEEK, 3)
    assert figures(mine.totals) == figures(mine.rows[0].cells)
    assert mine.teams == ("core",)
    world.ada.update_user("max", world.ada.get_user("max").version, UserPatch(active=False))
    core = world.lee.workload(LAST_WEEK, 3, team="core")
    assert [r.user for r in core.rows] == ["lee", "mia"]
    assert figures(core.totals) == summed(core.rows, 3)


def test_a_window_is_refused_below_zero(world: World) -> None:
    for window in ({"offset": -1}, {"limit": -1}):
        with refused(Invalid, world):
            world.ada.workload(WEEK, 3, **window)  # type: ignore[arg-type]
