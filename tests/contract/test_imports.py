"""Imports on every store: a file's rows staged in parts and stored in one transaction,
cells SET (never added to), the same rows twice counted once, overlapping files,
refusals with their reasons (people, tasks, locks, approved weeks, 24:00, others'
time), dry runs and --strict that store nothing, projects and tasks made by admins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import pytest

from tests.contract.conftest import World
from tests.contract.helpers import LAST_WEEK, MONDAY, TODAY, WEEK, day, refused, unchanged
from tui_board.backend import transfer
from tui_board.backend.protocol import Backend
from tui_board.core.errors import Forbidden, Invalid
from tui_board.core.models import ImportResult, ImportRow, ImportWeek


def at(on: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(on, time(hour, minute), tzinfo=UTC)


def row(
    line: int,
    user: str,
    on: date,
    minutes: int,
    *,
    task: str = "",
    start: datetime | None = None,
    comment: str = "",
    project: str = "",
    title: str = "",
    project_name: str = "",
    whole_day: bool = False,
) -> ImportRow:
    """An interval row starting at `start` (09:00 on the day), or a day's row."""
    if whole_day:
        started = at(on, 0)
        through = started + timedelta(days=1, microseconds=-1)
    else:
        started = start or at(on, 9)
        through = started
    return ImportRow(
        line, user, on, minutes, started, through, comment, task, project, title, project_name
    )


def send(
    backend: Backend,
    rows: Sequence[ImportRow],
    source: str = "test file.csv",
    *,
    create: bool = False,
    dry_run: bool = False,
    strict: bool = False,
) -> ImportResult:
    result = transfer.send_import(
        backend, rows, source, create=create, dry_run=dry_run, strict=strict
    )
    assert result is not None
    return result


def cells(world: World, user: str = "mia") -> dict[tuple[str, date], tuple[int, str]]:
    return {
        (e.task, e.day): (e.minutes, e.comment)
        for e in world.ada.list_entries(date(2000, 1, 1), date(2100, 1, 1), user=user)
    }


def reasons(result: ImportResult) -> dict[int, str]:
    return {r.line: r.reason for r in result.refused}


# --- setting cells -----------------------------------------------------------------------


def test_an_import_sets_cells_and_says_what_it_stored(world: World) -> None:
    t, u = world.task("a"), world.task("b")
    world.mia.set_entry(t.key, TODAY, 30, comment="typed")
    result = send(
        world.ada,
        [
            row(1, "mia", TODAY, 90, task=t.key, comment="review"),
            row(2, "mia", TODAY, 15, task=u.key, start=at(TODAY, 11)),
            row(3, "max", day(-1), 60, task=t.key),
        ],
    )
    assert (result.rows, result.cells, result.unchanged, result.refused) == (3, 3, 0, ())
    assert result.file == "test file.csv" and not result.dry_run
    assert result.weeks == (
        ImportWeek("max", str(WEEK), 1, 0, 60),
        ImportWeek("mia", str(WEEK), 2, 30, 105),
    )
    # Set, not added: the typed 0:30 is replaced by the file's 1:30.
    assert cells(world) == {(t.key, TODAY): (90, "review"), (u.key, TODAY): (15, "")}
    assert cells(world, "max") == {(t.key, day(-1)): (60, "")}
    assert world.ada.get_task(t.key).logged == 150


def test_the_same_file_twice_changes_nothing(world: World) -> None:
    t = world.task("a")
    rows = [
        row(1, "mia", TODAY, 90, task=t.key, comment="one"),
        row(2, "mia", TODAY, 30, task=t.key, start=at(TODAY, 14), comment="two"),
    ]
    first = send(world.ada, rows)
    assert (first.rows, first.cells) == (2, 1)
    assert cells(world) == {(t.key, TODAY): (120, "one; two")}
    with unchanged(world):
        again = send(world.ada, rows, "the same file, renamed.csv")
    assert (again.rows, again.cells, again.unchanged) == (2, 0, 1)
    assert again.weeks == (ImportWeek("mia", str(WEEK), 1, 120, 120),)


def test_two_rows_for_one_entry_say_whether_they_differ(world: World) -> None:
    """A row repeated is counted once; a row giving the same entry another value is
    named as such, with both values (it read "the same entry", though it was not)."""
    t = world.task("a")
    result = send(
        world.ada,
        [
            row(8, "mia", TODAY, 60, task=t.key, whole_day=True),
            row(9, "mia", TODAY, 30, task=t.key, whole_day=True),
            row(10, "mia", TODAY, 60, task=t.key, whole_day=True),
        ],
    )
    assert reasons(result) == {
        9: "0:30 for the entry line 8 gives 1:00; only line 8 is counted",
        10: "the same entry as line 8; counted once",
    }
    assert cells(world) == {(t.key, TODAY): (60, "")}


def test_a_cell_edited_since_is_left_alone_by_the_same_file(world: World) -> None:
    t = world.task("a")
    rows = [row(1, "mia", TODAY, 90, task=t.key)]
    send(world.ada, rows)
    world.mia.set_entry(t.key, TODAY, 100)
    again = send(world.ada, rows)
    assert (again.cells, again.unchanged) == (0, 1)
    assert cells(world) == {(t.key, TODAY): (100, "")}


def test_an_overlapping_file_counts_the_rows_both_hold_once(world: World) -> None:
    t = world.task("a")
    first_half = [row(n, "mia", day(n - 3), 60, task=t.key) for n in range(1, 4)]  # -2..0
    second = [row(n, "mia", day(n - 3), 60, task=t.key) for n in range(2, 6)]  # -1..2
    send(world.ada, first_half)
    result = send(world.ada, second)
    assert (result.rows, result.cells, result.unchanged) == (4, 2, 2)
    assert cells(world) == {(t.key, day(n)): (60, "") for n in range(-2, 3)}


def test_an_entry_changed_in_the_other_tool_replaces_what_it_was(world: World) -> None:
    t, u = world.task("a"), world.task("b")
    send(world.ada, [row(1, "mia", TODAY, 60, task=t.key), row(2, "mia", day(1), 60, task=t.key)])
    # the second entry grew, and moved its start; the first went to another task
    send(
        world.ada,
        [
            row(1, "mia", TODAY, 60, task=u.key),
            row(2, "mia", day(1), 75, task=t.key, start=at(day(1), 10)),
            row(3, "mia", day(1), 0, task=u.key, start=at(day(1), 17)),
        ],
    )
    stored = cells(world)
    assert stored[(t.key, day(1))] == (75, "")
    assert stored[(u.key, TODAY)] == (60, "")
    # What the file no longer puts on a cell it does not name stays (the dry run shows it).
    assert stored[(t.key, TODAY)] == (60, "")


def test_a_night_split_across_two_files_keeps_both_halves(world: World) -> None:
    t = world.task("a")
    send(
        world.ada,
        [
            row(1, "mia", day(-1), 120, task=t.key, start=at(day(-1), 22)),
            row(1, "mia", TODAY, 60, task=t.key, start=at(TODAY, 0)),  # the part after midnight
        ],
    )
    # The next file starts on the second day: the night's morning is not its to replace.
    send(world.ada, [row(1, "mia", TODAY, 30, task=t.key, start=at(TODAY, 9))])
    assert cells(world)[(t.key, TODAY)] == (90, "")


def test_a_day_row_speaks_for_the_whole_day(world: World) -> None:
    """Our own export (a cell a row) over time imported from an interval tool: the day's
    intervals are replaced, not added to."""
    t = world.task("a")
    send(
        world.ada,
        [
            row(1, "mia", TODAY, 60, task=t.key, start=at(TODAY, 8)),
            row(2, "mia", TODAY, 60, task=t.key, start=at(TODAY, 15)),
        ],
    )
    result = send(world.ada, [row(1, "mia", TODAY, 120, task=t.key, whole_day=True)])
    assert cells(world)[(t.key, TODAY)] == (120, "")
    assert result.cells == 0 or result.weeks[0].after == 120


def test_comments_of_a_cell_are_joined_in_order_once_each(world: World) -> None:
    t = world.task("a")
    send(
        world.ada,
        [
            row(1, "mia", TODAY, 10, task=t.key, start=at(TODAY, 15), comment="later"),
            row(2, "mia", TODAY, 10, task=t.key, start=at(TODAY, 8), comment="first"),
            row(3, "mia", TODAY, 10, task=t.key, start=at(TODAY, 10), comment="first"),
            row(4, "mia", TODAY, 10, task=t.key, start=at(TODAY, 11), comment="x" * 990),
        ],
    )
    minutes, comment = cells(world)[(t.key, TODAY)]
    assert minutes == 40
    assert comment.startswith("first; later"[:7]) and len(comment) == 1000
    assert comment.endswith("…")


def test_a_big_file_goes_in_parts_and_is_stored_whole(world: World) -> None:
    tasks = [world.task(f"t{n}") for n in range(3)]
    rows = [
        row(n, "mia", MONDAY - timedelta(days=n // 3), 10, task=tasks[n % 3].key)
        for n in range(transfer.PART_ROWS + 10)
    ]
    parts = list(transfer.split_parts(rows))
    assert len(parts) >= 2 and sum(map(len, parts)) == len(rows)
    result = send(world.ada, rows)
    assert (result.rows, result.cells, result.refused) == (len(rows), len(rows), ())
    assert sum(m for m, _ in cells(world).values()) == 10 * len(rows)


# --- refusals ------------------------------------------------------------------------------


def test_what_cannot_be_stored_is_refused_with_the_reason_and_the_rest_is_stored(
    world: World,
) -> None:
    t = world.task("a")
    done = world.task("old")
    world.ada.archive_task(done.key, done.version)
    world.mia.set_entry(t.key, LAST_WEEK.monday(), 60)
    world.mia.submit_week(LAST_WEEK)
    world.lee.approve_week("mia", LAST_WEEK)
    world.mia.set_entry(world.task("c").key, day(1), 23 * 60)
    result = send(
        world.ada,
        [
            row(1, "mia", TODAY, 30, task=t.key),
            row(2, "zed", TODAY, 30, task=t.key),
            row(3, "mia", TODAY, 30, task="WEB-999"),
            row(4, "mia", LAST_WEEK.monday() + timedelta(days=1), 30, task=t.key),
            row(5, "mia", TODAY, 30, task=done.key, start=at(TODAY, 12)),
            row(6, "mia", day(1), 120, task=t.key),
            row(7, "mia", TODAY, 30, task=t.key, comment="bell \x07"),
            row(8, "mia", TODAY, 30, project="WEB", title="no such card", start=at(TODAY, 13)),
            row(9, "mia", TODAY, 30, task=t.key),
            row(10, "mia", TODAY, 2000, task=t.key, start=at(TODAY, 16)),
        ],
    )
    why = reasons(result)
    assert set(why) == {2, 3, 4, 5, 6, 7, 8, 9, 10}
    assert "zed" in why[2]
    assert "WEB-999" in why[3]
    assert "approved" in why[4]
    assert "archived" in why[5]
    assert "24:00" in why[6]
    assert "U+0007" in why[7]
    assert "no such card" in why[8] and "--create" in why[8]
    assert "line 1" in why[9]
    assert "2000 minutes" in why[10]
    assert (result.rows, result.cells) == (1, 1)
    assert cells(world)[(t.key, TODAY)] == (30, "")


def test_a_locked_period_is_refused(world: World) -> None:
    t = world.task("a")
    world.ada.lock_period(day(-1))
    result = send(world.ada, [row(1, "mia", day(-2), 30, task=t.key)])
    assert "locked" in reasons(result)[1]
    assert cells(world) == {}


def test_a_member_imports_their_own_time_only(world: World) -> None:
    t = world.task("a")
    result = send(
        world.mia, [row(1, "mia", TODAY, 30, task=t.key), row(2, "max", TODAY, 30, task=t.key)]
    )
    assert "you may not change max's time" in reasons(result)[2]
    assert cells(world) == {(t.key, TODAY): (30, "")}
    assert cells(world, "max") == {}


def test_strict_stores_nothing_when_a_row_is_refused(world: World) -> None:
    t = world.task("a")
    rows = [row(1, "mia", TODAY, 30, task=t.key), row(2, "zed", TODAY, 30, task=t.key)]
    with refused(Invalid, world):
        send(world.ada, rows, strict=True)
    assert send(world.ada, rows[:1], strict=True).rows == 1


def test_a_dry_run_stores_nothing_and_says_what_would_be(world: World) -> None:
    t = world.task("a")
    world.mia.set_entry(t.key, TODAY, 30)
    rows = [
        row(1, "mia", TODAY, 90, task=t.key),
        row(2, "mia", TODAY, 30, project="WEB", title="Design", start=at(TODAY, 11)),
        row(3, "zed", TODAY, 30, task=t.key),
    ]
    with unchanged(world):
        result = send(world.ada, rows, dry_run=True, create=True)
    assert result.dry_run
    assert (result.rows, result.cells) == (2, 2)
    assert result.created == ("task WEB-2 'Design'",)
    assert result.weeks == (ImportWeek("mia", str(WEEK), 2, 30, 120),)
    assert set(reasons(result)) == {3}
    real = send(world.ada, rows, create=True)
    assert (real.rows, real.cells, real.created, real.weeks) == (
        result.rows,
        result.cells,
        result.created,
        result.weeks,
    )


# --- making projects and tasks ----------------------------------------------------------------


def test_create_makes_the_missing_projects_and_tasks(world: World) -> None:
    rows = [
        row(1, "mia", TODAY, 30, project="OPS", project_name="Operations", title="On call"),
        row(2, "mia", day(-1), 30, project="OPS", project_name="Operations", title="on  CALL"),
        row(3, "mia", TODAY, 45, project="WEB", title="Design", start=at(TODAY, 14)),
    ]
    without = send(world.ada, rows)
    assert set(reasons(without)) == {1, 2, 3}
    assert "no project OPS" in reasons(without)[1]
    result = send(world.ada, rows, create=True)
    assert result.created == (
        "project OPS 'Operations'",
        "task OPS-1 'On call'",
        "task WEB-1 'Design'",
    )
    assert world.ada.get_project("OPS").name == "Operations"
    assert cells(world) == {
        ("OPS-1", TODAY): (30, ""),
        ("OPS-1", day(-1)): (30, ""),
        ("WEB-1", TODAY): (45, ""),
    }
    # Titles found again: nothing new is made.
    assert send(world.ada, rows, create=True).created == ()


def test_only_an_admin_may_create(world: World) -> None:
    rows = [row(1, "lee", TODAY, 30, project="WEB", title="Design")]
    with refused(Forbidden, world):
        send(world.lee, rows, create=True)


# --- the parts -------------------------------------------------------------------------------


def test_an_import_needs_all_its_parts_and_uses_them_once(world: World) -> None:
    t = world.task("a")
    with unchanged(world):
        world.mia.stage_import("batch-1", 0, [row(1, "mia", TODAY, 30, task=t.key)])
        with pytest.raises(Invalid, match="1 of the import's 2 parts"):
            world.mia.import_rows("batch-1", 2, "a.csv")
        with pytest.raises(Invalid, match="0 of the import's 1 parts"):
            world.mia.import_rows("batch-1", 1, "a.csv")
        # A count of parts past the limit is refused before anything is made of it (the
        # server built a list of 2**31 numbers and was killed for its memory).
        for parts in (-1, 1_001, 10**7, 2**31 - 1):
            with pytest.raises(Invalid, match=f"0 to 1000 parts, not {parts}"):
                world.mia.import_rows("batch-1", parts, "a.csv")
    # A part sent again replaces itself; another person's batch of the same name is theirs.
    world.mia.stage_import("batch-2", 0, [row(1, "mia", TODAY, 30, task=t.key)])
    assert world.mia.stage_import("batch-2", 0, [row(1, "mia", TODAY, 45, task=t.key)]) == 1
    world.max.stage_import("batch-2", 0, [row(1, "max", TODAY, 15, task=t.key)])
    assert world.mia.import_rows("batch-2", 1, "a.csv").rows == 1
    assert cells(world) == {(t.key, TODAY): (45, "")}
    assert cells(world, "max") == {}


@pytest.mark.parametrize("batch", ["", "a b", "x" * 65, "../etc", "ü"])
def test_a_batch_name_is_plain(world: World, batch: str) -> None:
    with refused(Invalid, world):
        world.mia.stage_import(batch, 0, [])
