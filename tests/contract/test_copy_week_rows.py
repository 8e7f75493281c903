"""Copying last week's rows (`copy_week_rows`): it adds the tasks, not their time, and
returns only the rows the target week did not show already, on every store (what the
timesheet's "Added N rows" counts and what `u` takes away again)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from tests.contract.conftest import World
from tests.contract.helpers import LAST_WEEK, WEEK, refused
from tui_board.core.errors import Invalid
from tui_board.core.models import TaskRef

SUNDAY = 6


def keys(refs: Iterable[TaskRef]) -> list[str]:
    return sorted(ref.key for ref in refs)


def test_only_the_rows_the_week_did_not_show_are_added_and_returned(world: World) -> None:
    pinned, logged, new, archived = (world.task(title) for title in "abcd")
    last_monday, monday = LAST_WEEK.monday(), WEEK.monday()
    world.mia.add_week_row(LAST_WEEK, pinned.key)
    for task in (logged, new, archived):
        world.mia.set_entry(task.key, last_monday, 30)
    world.ada.archive_task(archived.key, world.ada.get_task(archived.key).version)
    # This week shows two of them already: one added to it, one with time on it.
    world.mia.add_week_row(WEEK, pinned.key)
    world.mia.set_entry(logged.key, monday + timedelta(2), 45)
    seq = world.mia.last_change()

    added = world.mia.copy_week_rows(LAST_WEEK, WEEK)

    assert keys(added) == [new.key]
    sheet = world.mia.week(WEEK)
    assert keys(sheet.rows) == sorted([pinned.key, new.key])
    assert [(e.task, e.minutes) for e in sheet.entries] == [(logged.key, 45)]  # no time copied
    made = [(c.entity, c.entity_id, c.action) for c in world.mia.changes_since(seq)]
    assert made == [("week_row", new.key, "create")]
    assert world.mia.copy_week_rows(LAST_WEEK, WEEK) == []
    assert world.max.week(WEEK).rows == ()  # mia's rows are hers alone


def test_removing_the_rows_returned_leaves_the_week_as_it_was(world: World) -> None:
    """What the timesheet's undo of a copy does: it takes away the rows returned, and
    only those."""
    kept, new = world.task("kept"), world.task("new")
    world.mia.set_entry(kept.key, LAST_WEEK.monday(), 30)
    world.mia.set_entry(new.key, LAST_WEEK.monday(), 30)
    world.mia.add_week_row(WEEK, kept.key)
    before = world.mia.week(WEEK)
    for ref in world.mia.copy_week_rows(LAST_WEEK, WEEK):
        world.mia.remove_week_row(WEEK, ref.key)
    assert world.mia.week(WEEK) == before


def test_the_weeks_are_counted_from_the_first_day_shown(world: World) -> None:
    """A Sunday-start week: last week is Sun 15 - Sat 21 Nov, this one Sun 22 - Sat 28."""
    this_sunday, last_sunday = date(2026, 11, 22), date(2026, 11, 15)
    assert WEEK.days(SUNDAY)[0] == this_sunday
    on_this_sunday, on_last_sunday = world.task("this"), world.task("last")
    world.mia.set_entry(on_this_sunday.key, this_sunday, 60)  # ISO W47, shown in W48
    world.mia.set_entry(on_last_sunday.key, last_sunday, 60)  # ISO W46, shown in W47

    added = world.mia.copy_week_rows(LAST_WEEK, WEEK, first_day=SUNDAY)

    assert keys(added) == [on_last_sunday.key]  # the other is on this week already
    shown = world.mia.week(WEEK, first_day=SUNDAY)
    assert sorted({*keys(shown.rows), *(e.task for e in shown.entries)}) == sorted(
        [on_this_sunday.key, on_last_sunday.key]
    )


def test_a_first_day_out_of_range_is_refused(world: World) -> None:
    world.mia.set_entry(world.task("a").key, LAST_WEEK.monday(), 30)
    with refused(Invalid, world):
        world.mia.copy_week_rows(LAST_WEEK, WEEK, first_day=7)
