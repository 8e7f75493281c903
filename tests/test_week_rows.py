"""Timesheet rows: added rows stay (with or without time), copy last week's rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from tui_board.backend.protocol import Backend
from tui_board.core.errors import Invalid, NotFound
from tui_board.core.weeks import IsoWeek

THIS = IsoWeek(2026, 48)
LAST = IsoWeek(2026, 47)


@pytest.fixture
def team(backend_factory: Callable[[str], Backend]) -> tuple[Backend, Backend]:
    admin = backend_factory("ada")
    admin.me()
    admin.create_user("bob", "Bob")
    admin.create_project("WEB", "Web site")
    for title in ("Login", "Search", "Invoices", "Old thing"):
        admin.create_task("WEB", title)
    old = admin.get_task("WEB-4")
    admin.archive_task("WEB-4", old.version)
    return admin, backend_factory("bob")


def keys(sheet_rows: object) -> list[str]:
    return [r.key for r in sheet_rows]  # type: ignore[attr-defined]


def test_an_added_row_stays_without_time_and_is_mine_only(team: tuple[Backend, Backend]) -> None:
    admin, bob = team
    ref = bob.add_week_row(THIS, "web-2")
    assert (ref.key, ref.title, ref.project) == ("WEB-2", "Search", "WEB")
    assert keys(bob.week(THIS).rows) == ["WEB-2"]
    assert bob.week(THIS).entries == ()
    assert bob.week(LAST).rows == ()
    assert admin.week(THIS).rows == ()
    bob.add_week_row(THIS, "WEB-2")  # twice is once
    assert keys(bob.week(THIS).rows) == ["WEB-2"]
    bob.remove_week_row(THIS, "WEB-2")
    assert bob.week(THIS).rows == ()


def test_bad_rows_are_refused(team: tuple[Backend, Backend]) -> None:
    _admin, bob = team
    with pytest.raises(NotFound):
        bob.add_week_row(THIS, "WEB-99")
    with pytest.raises(Invalid):
        bob.add_week_row(THIS, "WEB-4")  # archived
    assert bob.week(THIS).rows == ()


def test_copy_last_weeks_rows_brings_the_tasks_not_the_time(
    team: tuple[Backend, Backend],
) -> None:
    _admin, bob = team
    bob.add_week_row(LAST, "WEB-3")
    bob.set_entry("WEB-1", date(2026, 11, 17), 90)
    bob.add_week_row(THIS, "WEB-1")
    added = bob.copy_week_rows(LAST, THIS)
    assert keys(added) == ["WEB-3"]  # WEB-1 was there already
    sheet = bob.week(THIS)
    assert sorted(keys(sheet.rows)) == ["WEB-1", "WEB-3"]
    assert sheet.entries == ()
    assert bob.copy_week_rows(LAST, THIS) == []


def test_task_keys_with_huge_numbers_are_simply_not_found(
    team: tuple[Backend, Backend],
) -> None:
    _admin, bob = team
    for key in ("WEB-99999999999", f"WEB-{2**70}"):
        with pytest.raises(NotFound):
            bob.get_task(key)
        with pytest.raises(NotFound):
            bob.add_time(key, date(2026, 11, 24), 30)


def test_a_workload_read_is_bounded(team: tuple[Backend, Backend]) -> None:
    admin, _bob = team
    with pytest.raises(Invalid):
        admin.workload(THIS, 100_000)
    assert len(admin.workload(THIS, 520).weeks) == 520
