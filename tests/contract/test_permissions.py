"""Who may see and do what: a member sees only their own time, a lead their team's,
an admin everyone's; people, projects, approvals and locks are not a member's to change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Harness, MutableClock
from tests.contract.conftest import World, scenario
from tests.contract.helpers import FAR_FUTURE, FAR_PAST, MONDAY, TODAY, WEEK, refused, unchanged
from tui_board.backend.protocol import Backend
from tui_board.core.errors import Forbidden
from tui_board.core.models import ColumnPatch, ProjectPatch, UserPatch

#: Who sees whose time in the world: everyone sees themself.
SEES = {
    "ada": {"ada", "lee", "mia", "max", "olga", "oscar", "nik"},
    "lee": {"lee", "mia", "max"},
    "olga": {"olga", "oscar"},
    "mia": {"mia"},
    "max": {"max"},
    "oscar": {"oscar"},
    "nik": {"nik"},
}
PEOPLE = sorted(SEES["ada"])


def _everyone_logs(world: World) -> None:
    t = world.task("shared")
    for login in PEOPLE:
        backend: Backend = getattr(world, login)
        backend.set_entry(t.key, TODAY, 10)
        backend.add_time_off(TODAY, 60)


@pytest.fixture
def logged(harness: Harness, clock: MutableClock, store_name: str) -> World:
    """The world where everyone logged 10 minutes on WEB-1 today and took an hour off."""
    return scenario(harness, clock, store_name, "everyone-logged", _everyone_logs)


# --- reading another person's time --------------------------------------------------------------

READS: dict[str, Callable[[Backend, str], Any]] = {
    "week": lambda b, login: b.week(WEEK, user=login),
    "list_entries": lambda b, login: b.list_entries(MONDAY, TODAY, user=login),
    "report": lambda b, login: b.report(MONDAY, TODAY, user=login),
    "list_time_off": lambda b, login: b.list_time_off(MONDAY, TODAY, user=login),
}


@pytest.mark.parametrize("reader", sorted(SEES))
def test_reading_a_persons_time(logged: World, reader: str) -> None:
    backend: Backend = getattr(logged, reader)
    with unchanged(logged):
        for read in READS.values():
            for login in PEOPLE:
                if login in SEES[reader]:
                    read(backend, login)
                else:
                    with pytest.raises(Forbidden):
                        read(backend, login)


@pytest.mark.parametrize("reader", sorted(SEES))
def test_lists_show_only_the_time_one_may_see(logged: World, reader: str) -> None:
    backend: Backend = getattr(logged, reader)
    seen = SEES[reader]
    assert {e.user for e in backend.list_entries(FAR_PAST, FAR_FUTURE)} == seen
    assert {r.user for r in backend.report(FAR_PAST, FAR_FUTURE)} == seen
    assert {r.user for r in backend.task_time("WEB-1")} == seen
    assert {r.user for r in backend.workload(WEEK, 1).rows} == seen
    states = backend.list_week_states()
    assert states == []
    for login in PEOPLE:
        getattr(logged, login).submit_week(WEEK) if login != "ada" else None
    assert {w.user for w in backend.list_week_states()} == seen - {"ada"}


def test_a_member_cannot_see_a_teammates_week_even_in_a_filter(logged: World) -> None:
    assert logged.mia.list_week_states(user="max") == []
    assert logged.mia.list_entries(MONDAY, TODAY, task="WEB-1") == logged.mia.list_entries(
        MONDAY, TODAY, user="mia"
    )


# --- writing what is not one's to write ---------------------------------------------------------

MEMBER_MAY_NOT: dict[str, Callable[[World, Backend], Any]] = {
    "create_user": lambda w, b: b.create_user("zoe", "Zoe"),
    "update_other_user": lambda w, b: b.update_user("max", 1, UserPatch(name="x")),
    "raise_own_role": lambda w, b: b.update_user(
        b.me().login, b.me().version, UserPatch(role="admin")
    ),
    "create_team": lambda w, b: b.create_team("data"),
    "set_team_lead": lambda w, b: b.set_team_lead("core", "mia"),
    "create_customer": lambda w, b: b.create_customer("Acme"),
    "create_project": lambda w, b: b.create_project("APP", "App"),
    "update_project": lambda w, b: b.update_project("WEB", 1, ProjectPatch(archived=True)),
    "create_column": lambda w, b: b.create_column("WEB", "Blocked"),
    "update_column": lambda w, b: b.update_column(w.columns[0].id, 1, ColumnPatch(name="x")),
    "approve": lambda w, b: b.approve_week("oscar", WEEK),
    "reject": lambda w, b: b.reject_week("oscar", WEEK, "no"),
    "reopen": lambda w, b: b.reopen_week("oscar", WEEK),
    "lock_period": lambda w, b: b.lock_period(MONDAY),
    "log_for_someone": lambda w, b: b.add_time("WEB-1", TODAY, 5, user="oscar"),
    "submit_for_someone": lambda w, b: b.submit_week(WEEK, user="oscar"),
    "time_off_for_someone": lambda w, b: b.add_time_off(TODAY, 60, user="oscar"),
    "workload_of_a_team": lambda w, b: b.workload(WEEK, 1, team="ops"),
}


@pytest.mark.parametrize("action", sorted(MEMBER_MAY_NOT))
def test_a_member_may_not(logged: World, action: str) -> None:
    logged.oscar.submit_week(WEEK)
    with unchanged(logged):
        for member in (logged.mia, logged.nik):
            with pytest.raises(Forbidden):
                MEMBER_MAY_NOT[action](logged, member)


LEAD_MAY_NOT = ("create_user", "update_other_user", "create_team", "set_team_lead", "lock_period")


@pytest.mark.parametrize(
    "action", [*LEAD_MAY_NOT, "approve", "log_for_someone", "workload_of_a_team"]
)
def test_a_lead_of_another_team_may_not(logged: World, action: str) -> None:
    logged.oscar.submit_week(WEEK)
    with refused(Forbidden, logged):
        MEMBER_MAY_NOT[action](logged, logged.lee)


def test_a_lead_manages_projects_and_their_teams_weeks(logged: World) -> None:
    logged.mia.submit_week(WEEK)
    assert logged.lee.approve_week("mia", WEEK).state == "approved"
    assert logged.lee.create_project("APP", "App").key == "APP"
    assert logged.lee.create_customer("Acme").name == "Acme"
    assert logged.lee.add_time_off(TODAY, 30, user="max").user == "max"
    assert [r.user for r in logged.lee.workload(WEEK, 1, team="core").rows] == ["lee", "max", "mia"]


def test_an_admin_may_do_all_of_it(logged: World) -> None:
    logged.oscar.submit_week(WEEK)
    for action in ("approve", "time_off_for_someone", "workload_of_a_team", "create_team"):
        MEMBER_MAY_NOT[action](logged, logged.ada)
    assert logged.ada.add_time("WEB-1", day_after_lock(logged), 5, user="mia").user == "mia"


def day_after_lock(world: World) -> Any:
    world.ada.lock_period(MONDAY)
    return TODAY
