"""The project schedule: task start dates, project deadlines, milestones, individual
schedules with dated changes, and the flags and forecast of `project_schedule`.

The clock is Wednesday 2026-11-25 (2026-W48); a default person works Monday to Friday,
8 hours (480 minutes) a day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.contract.conftest import World
from tests.contract.helpers import MONDAY, TODAY, WEEK, day, refused
from tui_board.backend.protocol import Backend
from tui_board.core.errors import Conflict, Forbidden, Invalid, NotFound
from tui_board.core.models import ProjectPatch, ScheduleRow, TaskPatch, WorkloadCell
from tui_board.core.schedule import AT_RISK, OVER_ESTIMATE, OVERDUE

FRIDAY = date(2026, 11, 27)
NEXT_WEDNESDAY = date(2026, 12, 2)


def row(backend: Backend, key: str, project: str = "WEB") -> ScheduleRow:
    (found,) = [r for r in backend.project_schedule(project).rows if r.task == key]
    return found


def test_overdue_and_over_estimate_and_done_tasks_leave_the_schedule(world: World) -> None:
    late = world.task("late", assignee="mia", estimate=60, due=day(-1))
    over = world.task("over", assignee="mia", estimate=60, due=day(20))
    world.mia.set_entry(over.key, TODAY, 90)
    done = world.task("done", assignee="mia", estimate=60, due=day(-3))
    world.ada.move_task(done.key, done.version, world.column("Done"))
    schedule = world.mia.project_schedule("WEB")
    assert [r.task for r in schedule.rows] == [late.key, over.key]
    assert row(world.mia, late.key).flags == (OVERDUE,)
    over_row = row(world.mia, over.key)
    assert over_row.flags == (OVER_ESTIMATE,)
    assert (over_row.estimate, over_row.logged, over_row.remaining, over_row.progress) == (
        60,
        90,
        0,
        99,
    )
    assert (schedule.done_estimate, schedule.remaining, schedule.logged) == (60, 60, 90)
    # the flag clears when the due date moves ahead
    late = world.ada.get_task(late.key)
    world.ada.update_task(late.key, late.version, TaskPatch(due=day(5)))
    assert row(world.mia, late.key).flags == ()


def test_at_risk_against_free_time_less_time_off_and_other_planned_work(world: World) -> None:
    # Wed, Thu, Fri: 3 x 480 = 1440 free before the due date
    task = world.task("a", assignee="mia", estimate=1200, due=FRIDAY)
    first = row(world.mia, task.key)
    assert (first.flags, first.free) == ((), 1440)
    world.mia.add_time_off(date(2026, 11, 26), 480)
    at_risk = row(world.mia, task.key)
    assert (at_risk.flags, at_risk.free) == ((AT_RISK,), 960)
    # a later due date: Wed to the next Wed, 6 working days less Thursday off
    task = world.ada.get_task(task.key)
    world.ada.update_task(task.key, task.version, TaskPatch(due=NEXT_WEDNESDAY))
    assert (row(world.mia, task.key).flags, row(world.mia, task.key).free) == ((), 2400)
    # other planned work (any project) takes its share of each day: 2000 over the 6
    # days is 333, 333, 334, 333, 333, 334; Thursday is off, so nothing is left of it
    world.ada.create_project("OPS", "Operations")
    world.task("b", project="OPS", assignee="mia", estimate=2000, due=NEXT_WEDNESDAY)
    crowded = row(world.mia, task.key)
    assert crowded.free == 147 + 0 + 146 + 147 + 147 + 146
    assert crowded.flags == (AT_RISK,)
    # assigned to someone with room: no longer at risk
    task = world.ada.get_task(task.key)
    world.ada.update_task(task.key, task.version, TaskPatch(assignee="max"))
    moved = row(world.ada, task.key)
    assert (moved.assignee, moved.flags, moved.free) == ("max", (), 2880)


def test_a_start_date_shortens_the_window_and_moves_the_planned_spread(world: World) -> None:
    task = world.task("a", assignee="mia", estimate=1440, due=NEXT_WEDNESDAY)
    task = world.ada.update_task(task.key, task.version, TaskPatch(start=date(2026, 11, 30)))
    assert task.start == date(2026, 11, 30)
    # Mon, Tue, Wed: 1440 free, all of it this task's own
    assert (row(world.mia, task.key).flags, row(world.mia, task.key).free) == ((), 1440)
    task = world.ada.update_task(task.key, task.version, TaskPatch(estimate=1441))
    assert row(world.mia, task.key).flags == (AT_RISK,)
    # the workload plans it from its start on: nothing this week
    (mia,) = [r for r in world.mia.workload(WEEK, 2).rows if r.user == "mia"]
    assert [c.planned for c in mia.cells] == [0, 1441]
    with refused(Invalid, world):
        world.ada.update_task(task.key, task.version, TaskPatch(start=date(2026, 12, 3)))


def test_a_part_time_schedule(world: World) -> None:
    schedule = world.ada.set_schedule("mia", (480, 480, 480, 480, 240, 0, 0), start=MONDAY)
    assert schedule.current == (480, 480, 480, 480, 240, 0, 0)
    assert [c.day for c in schedule.changes] == [None, MONDAY]
    assert schedule.changes[0].minutes == (480, 480, 480, 480, 480, 0, 0)
    assert world.mia.get_schedule().current == (480, 480, 480, 480, 240, 0, 0)
    # Wed 480, Thu 480, Fri 240
    task = world.task("a", assignee="mia", estimate=1200, due=FRIDAY)
    assert (row(world.mia, task.key).flags, row(world.mia, task.key).free) == ((), 1200)
    world.ada.update_task(task.key, task.version, TaskPatch(estimate=1201))
    assert row(world.mia, task.key).flags == (AT_RISK,)


def test_a_schedule_change_mid_week(world: World) -> None:
    world.ada.set_schedule("mia", (240,) * 5 + (0, 0), start=date(2026, 11, 26))
    # Wednesday under the old week (480), Thursday and Friday under the new (240 each)
    task = world.task("a", assignee="mia", estimate=960, due=FRIDAY)
    assert (row(world.mia, task.key).flags, row(world.mia, task.key).free) == ((), 960)
    world.clock.set(2026, 11, 26)
    assert world.mia.get_schedule().current == (240,) * 5 + (0, 0)
    assert row(world.mia, task.key).flags == (AT_RISK,)
    # a second change on the same day replaces the first
    world.ada.set_schedule("mia", (480,) * 5 + (0, 0), start=date(2026, 11, 26))
    assert [c.day for c in world.mia.get_schedule().changes] == [None, date(2026, 11, 26)]
    assert row(world.mia, task.key).flags == ()


def test_iso_week_53(world: World) -> None:
    world.clock.set(2026, 12, 30)  # Wednesday of 2026-W53
    # Wed 30, Thu 31, Fri 1 Jan (2026-W53), Mon 4 and Tue 5 Jan (2027-W01)
    task = world.task("a", assignee="mia", estimate=2400, due=date(2027, 1, 5))
    assert (row(world.mia, task.key).flags, row(world.mia, task.key).free) == ((), 2400)
    world.mia.add_time_off(date(2027, 1, 1), 480, kind="holiday")
    assert (row(world.mia, task.key).flags, row(world.mia, task.key).free) == ((AT_RISK,), 1920)
    # the forecast runs across the year's end: 2400 at 480 a day, Friday off
    assert world.mia.project_schedule("WEB").forecast == date(2027, 1, 6)


def test_forecast_against_the_deadline(world: World) -> None:
    project = world.ada.get_project("WEB")
    project = world.ada.update_project("WEB", project.version, ProjectPatch(deadline=MONDAY))
    assert project.deadline == MONDAY
    assert world.mia.get_project("WEB").deadline == MONDAY
    assert [p.deadline for p in world.mia.list_projects() if p.key == "WEB"] == [MONDAY]
    world.task("a", assignee="mia", estimate=960, due=day(20))
    world.task("b", assignee="mia", estimate=960, due=day(20))
    # outside the project: 480 over Wed, Thu, Fri is 160 a day
    world.ada.create_project("OPS", "Operations")
    world.task("c", project="OPS", assignee="mia", estimate=480, due=FRIDAY)
    # 1920 at 320, 320, 320 then 480 a day: Wed, Thu, Fri, Mon, Tue 1 December
    schedule = world.mia.project_schedule("WEB")
    assert schedule.forecast == date(2026, 12, 1)
    assert (schedule.deadline, schedule.on_time, schedule.unassigned) == (MONDAY, False, 0)
    project = world.ada.update_project(
        "WEB", project.version, ProjectPatch(deadline=date(2026, 12, 1))
    )
    assert world.mia.project_schedule("WEB").on_time is True
    # work nobody holds is not in the forecast, and said
    world.task("d", estimate=300)
    schedule = world.mia.project_schedule("WEB")
    assert (schedule.forecast, schedule.unassigned) == (date(2026, 12, 1), 300)


def test_an_empty_or_unassigned_project_has_no_forecast_of_work(world: World) -> None:
    assert world.mia.project_schedule("WEB").forecast == TODAY
    world.task("d", estimate=300)
    schedule = world.mia.project_schedule("WEB")
    assert (schedule.forecast, schedule.on_time, schedule.unassigned) == (None, None, 300)


def test_milestones_late_and_moved(world: World) -> None:
    beta = world.ada.add_milestone("WEB", "Beta", day(-1))
    world.ada.add_milestone("web", "Launch", day(30))
    task = world.task("a", assignee="mia", estimate=60, due=day(3))
    task = world.ada.update_task(task.key, task.version, TaskPatch(milestone="Beta"))
    assert task.milestone == "Beta"
    assert world.mia.get_task(task.key).milestone == "Beta"
    assert [t.milestone for t in world.mia.list_tasks(project="WEB")] == ["Beta"]
    found = world.mia.list_milestones("WEB")
    assert [(m.name, m.day, m.open_tasks, m.late) for m in found] == [
        ("Beta", day(-1), 1, True),
        ("Launch", day(30), 0, False),
    ]
    # (the schedule's carry their forecast too: the listing's do not)
    shown = world.mia.project_schedule("WEB").milestones
    assert tuple(replace(m, forecast=None) for m in shown) == tuple(found)
    assert row(world.mia, task.key).milestone == "Beta"
    moved = world.lee.move_milestone("WEB", "Beta", beta.version, day(7))
    assert (moved.day, moved.version) == (day(7), 2)
    assert [m.late for m in world.mia.list_milestones("WEB")] == [False, False]
    with refused(Conflict, world):
        world.lee.move_milestone("WEB", "Beta", beta.version, day(8))
    # done: a milestone past its date with nothing open is not late
    world.lee.move_milestone("WEB", "Beta", moved.version, day(-2))
    task = world.ada.get_task(task.key)
    world.ada.move_task(task.key, task.version, world.column("Done"))
    first = world.mia.list_milestones("WEB")[0]
    assert (first.open_tasks, first.late) == (0, False)
    task = world.ada.get_task(task.key)
    assert (
        world.ada.update_task(task.key, task.version, TaskPatch(milestone=None)).milestone is None
    )


def test_a_milestone_the_forecast_misses_is_at_risk(world: World) -> None:
    """Its people work the milestones in date order: Beta's 32 hours at mia's 8 a day
    from Wednesday end on Monday 30 November, after its Friday; Launch's 8 more come
    after them, on Tuesday. Work nobody holds leaves a milestone without a forecast."""
    world.ada.add_milestone("WEB", "Beta", FRIDAY)
    world.ada.add_milestone("WEB", "Launch", day(30))
    world.ada.add_milestone("WEB", "Later", day(60))
    for title, minutes, milestone in (("a", 1920, "Beta"), ("b", 480, "Launch")):
        task = world.task(title, assignee="mia", estimate=minutes, due=day(40))
        world.ada.update_task(task.key, task.version, TaskPatch(milestone=milestone))
    schedule = world.mia.project_schedule("WEB")
    by_name = {m.name: m for m in schedule.milestones}
    assert (by_name["Beta"].forecast, by_name["Beta"].missed) == (date(2026, 11, 30), True)
    assert (by_name["Launch"].forecast, by_name["Launch"].missed) == (date(2026, 12, 1), False)
    assert (by_name["Later"].forecast, by_name["Later"].missed) == (None, False)  # nothing open
    assert schedule.forecast == date(2026, 12, 1)
    nobodys = world.task("c", estimate=60, due=day(40))
    world.ada.update_task(nobodys.key, nobodys.version, TaskPatch(milestone="Launch"))
    assert {m.name: m.forecast for m in world.mia.project_schedule("WEB").milestones} == {
        "Beta": date(2026, 11, 30),
        "Launch": None,
        "Later": None,
    }
    # and says how much of it (the screen says why there is no forecast)
    unheld = {m.name: m.unassigned for m in world.mia.project_schedule("WEB").milestones}
    assert unheld == {"Beta": 0, "Launch": 60, "Later": 0}


def test_milestones_refused(world: World) -> None:
    world.ada.add_milestone("WEB", "Beta", day(3))
    with refused(Forbidden, world):
        world.mia.add_milestone("WEB", "Gamma", day(3))
    with refused(Invalid, world):
        world.ada.add_milestone("WEB", "Beta", day(4))
    with refused(Invalid, world):
        world.ada.add_milestone("WEB", "  ", day(4))
    with refused(Invalid, world):
        world.ada.add_milestone("WEB", "bad\x1b[31m", day(4))
    with refused(NotFound, world):
        world.ada.add_milestone("NOPE", "Beta", day(4))
    with refused(NotFound, world):
        world.ada.move_milestone("WEB", "Gamma", 1, day(4))
    with refused(Forbidden, world):
        world.mia.move_milestone("WEB", "Beta", 1, day(4))
    task = world.task("a")
    with refused(NotFound, world):
        world.ada.update_task(task.key, task.version, TaskPatch(milestone="Gamma"))
    # another project's milestone is not this one's
    world.ada.create_project("OPS", "Operations")
    world.ada.add_milestone("OPS", "Gamma", day(3))
    with refused(NotFound, world):
        world.ada.update_task(task.key, task.version, TaskPatch(milestone="Gamma"))


def test_schedules_refused_and_who_sets_them(world: World) -> None:
    with refused(Forbidden, world):
        world.max.set_schedule("mia", (240,) * 5 + (0, 0))
    with refused(Invalid, world):
        world.ada.set_schedule("mia", (480,) * 8)
    with refused(Invalid, world):
        world.ada.set_schedule("mia", (1441,) + (0,) * 6)
    with refused(Invalid, world):
        world.ada.set_schedule("mia", (-1,) + (0,) * 6)
    with refused(NotFound, world):
        world.ada.set_schedule("nobody", (0,) * 7)
    # themselves and their team's lead may; from today when no date is given
    assert world.mia.set_schedule("mia", (300,) * 5 + (0, 0)).changes[-1].day == TODAY
    world.lee.set_schedule("mia", (360,) * 5 + (0, 0), start=day(1))
    with pytest.raises(Forbidden):
        world.nik.get_schedule("mia")
    assert world.lee.get_schedule("mia").changes[-1].minutes == (360,) * 5 + (0, 0)


def test_hours_of_people_a_reader_may_not_see_are_not_shown(world: World) -> None:
    task = world.task("a", assignee="mia", estimate=2000, due=FRIDAY)
    for reader in (world.mia, world.lee, world.ada):
        assert (row(reader, task.key).flags, row(reader, task.key).free) == ((AT_RISK,), 1440)
    for reader in (world.nik, world.max, world.olga):
        assert (row(reader, task.key).flags, row(reader, task.key).free) == ((AT_RISK,), None)


def test_estimates_report_per_project_milestone_task_and_person(world: World) -> None:
    world.ada.add_milestone("WEB", "Beta", day(10))
    a = world.task("a", assignee="mia", estimate=120, due=day(3))
    a = world.ada.update_task(a.key, a.version, TaskPatch(milestone="Beta"))
    b = world.task("b", assignee="max", estimate=60, due=day(30))
    world.mia.set_entry(a.key, TODAY, 150)
    world.max.set_entry(a.key, TODAY, 30)  # not max's task: in the task's figure only
    world.max.set_entry(b.key, TODAY, 30)
    rows = {(r.kind, r.name): r for r in world.ada.report_estimates(project="WEB")}
    figures = {k: (r.estimate, r.logged, r.variance, r.percent) for k, r in rows.items()}
    assert figures == {
        ("project", "WEB"): (180, 210, 30, 116),
        ("milestone", "Beta"): (120, 180, 60, 150),
        ("task", a.key): (120, 180, 60, 150),
        ("task", b.key): (60, 30, -30, 50),
        ("person", "mia"): (120, 150, 30, 125),
        ("person", "max"): (60, 30, -30, 50),
    }
    # due in a range: only a
    assert {r.name for r in world.ada.report_estimates(end=day(5)) if r.kind == "task"} == {a.key}
    # people a reader may not see: no row of theirs
    assert {r.name for r in world.mia.report_estimates() if r.kind == "person"} == {"mia"}
    assert {r.name for r in world.lee.report_estimates() if r.kind == "person"} == {"mia", "max"}


def test_time_on_a_task_nobody_estimated_is_not_shown_as_over(world: World) -> None:
    """A task with time and no estimate has no estimate, variance or percent (it was
    0:00 and "+3:00 over"); a row with one estimated task among others adds up theirs."""
    world.ada.add_milestone("WEB", "Beta", day(10))
    bare = world.task("bare", assignee="mia", due=day(3))
    bare = world.ada.update_task(bare.key, bare.version, TaskPatch(milestone="Beta"))
    world.mia.set_entry(bare.key, TODAY, 180)
    rows = {(r.kind, r.name): r for r in world.ada.report_estimates(project="WEB")}
    figures = {k: (r.estimate, r.logged, r.variance, r.percent) for k, r in rows.items()}
    none = (None, 180, None, None)
    assert figures == {
        ("project", "WEB"): none,
        ("milestone", "Beta"): none,
        ("task", bare.key): none,
        ("person", "mia"): none,
    }
    sized = world.task("sized", assignee="mia", estimate=60, due=day(3))
    world.mia.set_entry(sized.key, TODAY, 30)
    rows = {(r.kind, r.name): r for r in world.ada.report_estimates(project="WEB")}
    assert (rows["project", "WEB"].estimate, rows["project", "WEB"].logged) == (60, 210)
    assert rows["task", bare.key].estimate is None
    assert rows["person", "mia"].variance == 150


def test_overtime_per_person_and_week_against_a_schedule_less_time_off(world: World) -> None:
    task = world.task("a", assignee="mia")
    world.ada.set_schedule("mia", (480, 480, 480, 480, 240, 0, 0), start=MONDAY)
    world.mia.add_time_off(TODAY, 480)
    for offset, minutes in ((-2, 600), (-1, 480), (1, 300), (2, 240)):
        world.mia.set_entry(task.key, day(offset), minutes)
    (week,) = world.mia.report_overtime(MONDAY, date(2026, 11, 29), user="mia")
    assert (week.week, week.scheduled, week.time_off, week.expected, week.logged) == (
        "2026-W48",
        2160,
        480,
        1680,
        1620,
    )
    assert week.difference == -60
    # a range across ISO week 53 is cut into its weeks, days outside it left out
    world.clock.set(2027, 1, 10)
    weeks = world.ada.report_overtime(date(2026, 12, 31), date(2027, 1, 5), user="mia")
    assert [(w.week, w.scheduled) for w in weeks] == [("2026-W53", 720), ("2027-W01", 960)]
    # everyone the reader may see
    assert {r.user for r in world.lee.report_overtime(MONDAY, MONDAY)} == {"lee", "mia", "max"}
    assert {r.user for r in world.mia.report_overtime(MONDAY, MONDAY)} == {"mia"}
    with pytest.raises(Forbidden):
        world.mia.report_overtime(MONDAY, MONDAY, user="max")
    with pytest.raises(Invalid):
        world.mia.report_overtime(TODAY, MONDAY)


def test_the_workload_follows_individual_schedules(world: World) -> None:
    from tests.contract.helpers import NEXT_WEEK

    world.task("a", assignee="mia", estimate=600, due=date(2026, 12, 1))
    before = {c.week: (c.capacity, c.planned) for c in cells_of(world.ada, "mia")}
    assert before == {"2026-W48": (2400, 360), "2026-W49": (2400, 240)}
    world.ada.set_schedule("mia", (480, 480, 480, 480, 0, 0, 0), start=MONDAY)
    world.ada.set_schedule("mia", (240,) * 5 + (0, 0), start=NEXT_WEEK.monday())
    world.mia.add_time_off(TODAY, 480)
    # the week in force today has no Friday: Wed, Thu, Mon, Tue hold 150 each
    after = {c.week: (c.capacity, c.planned) for c in cells_of(world.ada, "mia")}
    assert after == {"2026-W48": (1920 - 480, 300), "2026-W49": (1200, 300)}
    (planned,) = world.mia.list_planned_work("mia", WEEK)
    assert planned.minutes == 300
    # the totals over everyone add up the rows
    load = world.ada.workload(WEEK, 2)
    for i, total in enumerate(load.totals):
        assert total.capacity == sum(r.cells[i].capacity for r in load.rows)
        assert total.planned == sum(r.cells[i].planned for r in load.rows)


def cells_of(backend: Backend, login: str) -> list[WorkloadCell]:
    (found,) = [r for r in backend.workload(WEEK, 2).rows if r.user == login]
    return list(found.cells)


def test_the_week_sheet_holds_each_days_scheduled_time(world: World) -> None:
    assert world.mia.week(WEEK).schedule == (480,) * 5 + (0, 0)
    world.ada.set_schedule("mia", (480, 480, 480, 480, 240, 0, 0), start=TODAY)
    assert world.mia.week(WEEK).schedule == (480, 480, 480, 480, 240, 0, 0)
    world.ada.set_schedule("mia", (0,) * 7, start=date(2026, 11, 26))
    assert world.lee.week(WEEK, user="mia").schedule == (480, 480, 480, 0, 0, 0, 0)
    # a week starting on Sunday: the Sunday before is under the default week
    assert world.mia.week(WEEK, first_day=6).schedule == (0, 480, 480, 480, 0, 0, 0)
