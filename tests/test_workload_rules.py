"""The workload's rules through the Backend protocol, on every store: capacity less time
off, estimates spread to due dates (overdue, undated), band edges, ISO week 53 and the
year end, and `list_planned_work`, the rows behind a cell's planned figure (the same
rule, the same minutes), with its permissions.

The clock is Wednesday 2026-11-25 (2026-W48); a default person works Monday to Friday,
40 hours a week. tests/contract/test_workload.py covers the rest of `workload`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from tests.conftest import MutableClock
from tui_board.backend.protocol import Backend
from tui_board.core.errors import Forbidden, NotFound
from tui_board.core.models import PlannedWork, TaskPatch, UserPatch, WorkloadCell
from tui_board.core.weeks import IsoWeek
from tui_board.core.workload import band

TODAY = date(2026, 11, 25)
WEEK = IsoWeek(2026, 48)


@dataclass
class Cast:
    """ada (admin); team core: lee (lead), mia; team ops: olga (lead), oscar."""

    ada: Backend
    lee: Backend
    mia: Backend
    olga: Backend
    clock: MutableClock

    def task(self, title: str = "a card", **fields: object) -> str:
        return self.ada.create_task("WEB", title, **fields).key  # type: ignore[arg-type]


@pytest.fixture
def cast(backend_factory: Callable[[str], Backend], clock: MutableClock) -> Cast:
    ada = backend_factory("ada")
    ada.me()
    ada.create_team("core")
    ada.create_team("ops")
    for login, role, team in (
        ("lee", "lead", "core"),
        ("mia", "member", "core"),
        ("olga", "lead", "ops"),
        ("oscar", "member", "ops"),
    ):
        ada.create_user(login, login.title(), role=role, team=team)  # type: ignore[arg-type]
    ada.set_team_lead("core", "lee")
    ada.set_team_lead("ops", "olga")
    ada.create_project("WEB", "Website")
    return Cast(ada, backend_factory("lee"), backend_factory("mia"), backend_factory("olga"), clock)


def cells(backend: Backend, login: str, start: IsoWeek, weeks: int) -> dict[str, WorkloadCell]:
    (row,) = [r for r in backend.workload(start, weeks).rows if r.user == login]
    return {c.week: c for c in row.cells}


def planned_rows(backend: Backend, login: str, week: IsoWeek) -> dict[str, int]:
    return {p.task: p.minutes for p in backend.list_planned_work(login, week)}


# --- capacity ---------------------------------------------------------------------------


def test_capacity_is_weekly_capacity_less_time_off_for_a_four_day_week(cast: Cast) -> None:
    mia = cast.ada.get_user("mia")
    cast.ada.update_user("mia", mia.version, UserPatch(capacity=32 * 60, work_days=(0, 1, 2, 3)))
    cast.lee.add_time_off(date(2026, 11, 30), 480, user="mia")  # Monday of W49, by her lead
    cast.mia.add_time_off(date(2026, 12, 1), 240, kind="sick")
    cast.mia.add_time_off(date(2026, 12, 1), 120, kind="holiday")  # two records, one day
    by_week = cells(cast.mia, "mia", WEEK, 2)
    assert [c.capacity for c in by_week.values()] == [1920, 1920 - 840]


def test_a_band_follows_the_capacity_left_after_time_off(cast: Cast) -> None:
    cast.mia.add_time_off(TODAY, 480)  # 32 hours left in W48
    cases = [(959, "low"), (960, "ok"), (1920, "ok"), (1921, "high"), (2304, "high")]
    cases.append((2305, "over"))
    for load, expected in cases:
        key = cast.task(assignee="mia", estimate=load, due=TODAY - timedelta(1))
        cell = cells(cast.mia, "mia", WEEK, 1)["2026-W48"]
        assert (cell.load, cell.capacity) == (load, 1920)
        assert band(cell.load, cell.capacity) == expected, load
        task = cast.ada.get_task(key)
        cast.ada.archive_task(key, task.version)


# --- the rows behind a planned figure -----------------------------------------------------


def test_planned_rows_add_up_to_the_cell_week_by_week(cast: Cast) -> None:
    spread = cast.task("spread", assignee="mia", estimate=600, due=date(2026, 12, 4))
    undated = cast.task("undated", assignee="mia", estimate=1000)
    overdue = cast.task("overdue", assignee="mia", estimate=300, due=date(2026, 11, 2))
    cast.task("someone else's", assignee="lee", estimate=900)
    by_week = cells(cast.mia, "mia", WEEK, 4)
    rows = {str(w): planned_rows(cast.mia, "mia", w) for w in IsoWeek.range(WEEK, 4)}
    assert rows == {
        # Wed-Fri of W48: 3 of the 8 days to Fri 4 Dec, 3 of the 10 undated days
        "2026-W48": {spread: 225, undated: 300, overdue: 300},
        "2026-W49": {spread: 375, undated: 500},
        "2026-W50": {undated: 200},
        "2026-W51": {},
    }
    for week, found in rows.items():
        assert sum(found.values()) == by_week[week].planned


def test_a_planned_row_says_what_the_figure_is_made_of(cast: Cast) -> None:
    key = cast.task("Fix login", assignee="mia", estimate=600, due=date(2026, 11, 2))
    cast.mia.set_entry(key, date(2026, 11, 23), 90)
    cast.lee.set_entry(key, date(2026, 11, 24), 30)  # everyone's time counts
    (row,) = cast.mia.list_planned_work("mia", WEEK)
    task = cast.ada.get_task(key)
    assert row == PlannedWork(
        task=key,
        title="Fix login",
        project="WEB",
        week="2026-W48",
        minutes=480,
        remaining=480,
        due=date(2026, 11, 2),
        overdue=True,
        version=task.version,
    )
    assert cast.mia.list_planned_work("mia", WEEK.shift(1)) == []


def test_largest_first_and_what_is_not_planned(cast: Cast) -> None:
    small = cast.task("small", assignee="mia", estimate=60, due=TODAY)
    large = cast.task("large", assignee="mia", estimate=120, due=TODAY)
    done = next(c.id for c in cast.ada.list_columns("WEB") if c.kind == "done")
    cast.task("done", assignee="mia", estimate=500, column_id=done)
    cast.task("no estimate", assignee="mia")
    spent = cast.task("spent", assignee="mia", estimate=60)
    cast.mia.set_entry(spent, date(2026, 11, 23), 60)
    gone = cast.task("archived", assignee="mia", estimate=60)
    cast.ada.archive_task(gone, cast.ada.get_task(gone).version)
    assert [p.task for p in cast.mia.list_planned_work("mia", WEEK)] == [large, small]


def test_a_past_week_has_no_planned_rows(cast: Cast) -> None:
    cast.task(assignee="mia", estimate=600)
    assert cast.mia.list_planned_work("mia", WEEK.shift(-1)) == []
    assert cells(cast.mia, "mia", WEEK.shift(-1), 1)["2026-W47"].planned == 0


def test_today_can_be_given(cast: Cast) -> None:
    key = cast.task(assignee="mia", estimate=100)  # undated: 10 working days from today
    rows = cast.mia.list_planned_work("mia", IsoWeek(2026, 49), today=date(2026, 12, 2))
    assert [(p.task, p.minutes) for p in rows] == [(key, 30)]
    assert cast.mia.list_planned_work("mia", WEEK, today=date(2026, 12, 2)) == []


def test_reassigning_a_task_moves_its_planned_work(cast: Cast) -> None:
    key = cast.task(assignee="mia", estimate=600, due=date(2026, 12, 4))
    task = cast.ada.get_task(key)
    cast.lee.update_task(key, task.version, TaskPatch(assignee="lee"))
    assert [c.planned for c in cells(cast.lee, "mia", WEEK, 2).values()] == [0, 0]
    assert [c.planned for c in cells(cast.lee, "lee", WEEK, 2).values()] == [225, 375]
    assert planned_rows(cast.lee, "lee", WEEK) == {key: 225}


def test_the_spread_follows_the_assignees_work_days(cast: Cast) -> None:
    mia = cast.ada.get_user("mia")
    cast.ada.update_user("mia", mia.version, UserPatch(work_days=(0, 1, 2)))
    key = cast.task(assignee="mia", estimate=400, due=date(2026, 12, 4))
    assert planned_rows(cast.mia, "mia", WEEK) == {key: 100}  # Wed only
    assert planned_rows(cast.mia, "mia", WEEK.shift(1)) == {key: 300}


# --- ISO week 53 and the year end ---------------------------------------------------------


def test_week_53_and_the_new_year(cast: Cast) -> None:
    cast.clock.set(2026, 12, 30)  # Wednesday of 2026-W53
    dated = cast.task("dated", assignee="mia", estimate=800, due=date(2027, 1, 8))
    undated = cast.task("undated", assignee="mia", estimate=1000)  # to Tue 12 Jan
    start = IsoWeek(2026, 52)
    weeks = IsoWeek.range(start, 4)
    assert [str(w) for w in weeks] == ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]
    by_week = cells(cast.mia, "mia", start, 4)
    assert [c.past for c in by_week.values()] == [True, False, False, False]
    rows = {str(w): planned_rows(cast.mia, "mia", w) for w in weeks}
    # W53: Wed 30, Thu 31, Fri 1 Jan (3 of 8 dated days, 3 of 10 undated days)
    assert rows == {
        "2026-W52": {},
        "2026-W53": {dated: 300, undated: 300},
        "2027-W01": {dated: 500, undated: 500},
        "2027-W02": {undated: 200},
    }
    for week, found in rows.items():
        assert sum(found.values()) == by_week[week].planned


def test_an_overdue_task_at_the_year_end_lands_in_week_53(cast: Cast) -> None:
    cast.clock.set(2027, 1, 1)  # a Friday, still in 2026-W53
    key = cast.task(assignee="mia", estimate=300, due=date(2026, 12, 1))
    assert planned_rows(cast.mia, "mia", IsoWeek(2026, 53)) == {key: 300}
    assert planned_rows(cast.mia, "mia", IsoWeek(2027, 1)) == {}
    load = cast.mia.workload(IsoWeek(2026, 53), 2)
    assert load.current == "2026-W53"
    assert [c.planned for c in load.rows[0].cells] == [300, 0]


# --- who may see whose planned work ---------------------------------------------------------


def test_who_may_see_whose_planned_work(cast: Cast) -> None:
    key = cast.task(assignee="oscar", estimate=60, due=TODAY)
    cast.task(assignee="mia", estimate=60, due=TODAY)
    assert [p.task for p in cast.olga.list_planned_work("oscar", WEEK)] == [key]
    assert [p.task for p in cast.ada.list_planned_work("oscar", WEEK)] == [key]
    for who, login in ((cast.mia, "oscar"), (cast.mia, "lee"), (cast.lee, "oscar")):
        with pytest.raises(Forbidden):
            who.list_planned_work(login, WEEK)
    assert len(cast.lee.list_planned_work("mia", WEEK)) == 1
    assert len(cast.mia.list_planned_work("mia", WEEK)) == 1
    with pytest.raises(NotFound):
        cast.ada.list_planned_work("nobody", WEEK)


def test_a_member_sees_only_their_own_figures(cast: Cast) -> None:
    cast.task(assignee="lee", estimate=600)
    assert [r.user for r in cast.mia.workload(WEEK, 2).rows] == ["mia"]
    assert [r.user for r in cast.lee.workload(WEEK, 2).rows] == ["lee", "mia"]
    with pytest.raises(Forbidden):
        cast.mia.workload(WEEK, 2, team="core")
    assert cast.mia.report(TODAY, TODAY, user="mia") == []
    with pytest.raises(Forbidden):
        cast.mia.report(TODAY, TODAY, user="lee")
