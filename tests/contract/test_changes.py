"""The change feed: every write appends what it did, in order; a refused or stale
write appends nothing; people see the data of changes to time they may see."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.conftest import World
from tests.contract.helpers import LAST_WEEK, MONDAY, NEXT_WEEK, TODAY, WEEK, day, refused
from tui_board.core.errors import Conflict, Forbidden, NotFound
from tui_board.core.models import ColumnPatch, ProjectPatch, TaskPatch, UserPatch

Expected = list[tuple[str, str | None, str]]
#: What a write does, given the world with one card (WEB-1): (who, how, changes).
Op = Callable[[World], tuple[str, Callable[[], Any], Expected]]


def _set_then_clear(w: World) -> None:
    w.mia.set_entry("WEB-1", TODAY, 30)
    w.mia.clear_entry("WEB-1", TODAY)


OPS: dict[str, Op] = {
    "create_user": lambda w: (
        "ada",
        lambda: w.ada.create_user("zoe", "Zoe"),
        [("user", "zoe", "create")],
    ),
    "update_user": lambda w: (
        "ada",
        lambda: w.ada.update_user("mia", w.ada.get_user("mia").version, UserPatch(name="M")),
        [("user", "mia", "update")],
    ),
    "update_own_profile": lambda w: (
        "mia",
        lambda: w.mia.update_user("mia", w.mia.me().version, UserPatch(email="m@x")),
        [("user", "mia", "update")],
    ),
    "create_team": lambda w: (
        "ada",
        lambda: w.ada.create_team("data"),
        [("team", "data", "create")],
    ),
    "set_team_lead": lambda w: (
        "ada",
        lambda: w.ada.set_team_lead("core", "mia"),
        [("team", "core", "update")],
    ),
    "create_customer": lambda w: (
        "lee",
        lambda: w.lee.create_customer("Acme"),
        [("customer", "Acme", "create")],
    ),
    "create_project": lambda w: (
        "lee",
        lambda: w.lee.create_project("APP", "App"),
        [("project", "APP", "create")],
    ),
    "update_project": lambda w: (
        "lee",
        lambda: w.lee.update_project("WEB", 1, ProjectPatch(name="Site")),
        [("project", "WEB", "update")],
    ),
    "create_column": lambda w: (
        "lee",
        lambda: w.lee.create_column("WEB", "Blocked"),
        [("column", None, "create")],
    ),
    "update_column": lambda w: (
        "lee",
        lambda: w.lee.update_column(w.columns[0].id, 1, ColumnPatch(name="Ideas")),
        [("column", str(w.columns[0].id), "update")],
    ),
    "create_task": lambda w: (
        "mia",
        lambda: w.mia.create_task("WEB", "new"),
        [("task", "WEB-2", "create")],
    ),
    "update_task": lambda w: (
        "mia",
        lambda: w.mia.update_task("WEB-1", 1, TaskPatch(title="x")),
        [("task", "WEB-1", "update")],
    ),
    "move_task": lambda w: (
        "mia",
        lambda: w.mia.move_task("WEB-1", 1, w.column("Done")),
        [("task", "WEB-1", "move")],
    ),
    "archive_task": lambda w: (
        "mia",
        lambda: w.mia.archive_task("WEB-1", 1),
        [("task", "WEB-1", "archive")],
    ),
    "restore_task": lambda w: (
        "mia",
        lambda: w.mia.archive_task("WEB-1", w.ada.archive_task("WEB-1", 1).version, archived=False),
        [("task", "WEB-1", "archive"), ("task", "WEB-1", "restore")],
    ),
    "add_comment": lambda w: (
        "max",
        lambda: w.max.add_comment("WEB-1", "hi"),
        [("comment", "WEB-1", "create")],
    ),
    "set_entry": lambda w: (
        "mia",
        lambda: w.mia.set_entry("WEB-1", TODAY, 30),
        [("entry", "WEB-1", "set")],
    ),
    "add_time": lambda w: (
        "mia",
        lambda: w.mia.add_time("WEB-1", TODAY, 30),
        [("entry", "WEB-1", "set")],
    ),
    "set_entry_for_someone": lambda w: (
        "ada",
        lambda: w.ada.set_entry("WEB-1", TODAY, 30, user="mia"),
        [("entry", "WEB-1", "set")],
    ),
    "clear_entry": lambda w: (
        "mia",
        lambda: _set_then_clear(w),
        [("entry", "WEB-1", "set"), ("entry", "WEB-1", "delete")],
    ),
    "timer_start": lambda w: (
        "mia",
        lambda: w.mia.timer_start("WEB-1"),
        [("timer", "mia", "start")],
    ),
    "timer_stop": lambda w: (
        "mia",
        lambda: (w.mia.timer_start("WEB-1"), w.clock.advance(minutes=5), w.mia.timer_stop()),
        [("timer", "mia", "start"), ("timer", "mia", "stop"), ("entry", "WEB-1", "set")],
    ),
    "submit_week": lambda w: (
        "mia",
        lambda: w.mia.submit_week(WEEK),
        [("week", "mia/2026-W48", "submitted")],
    ),
    "approve_week": lambda w: (
        "lee",
        lambda: (w.mia.submit_week(WEEK), w.lee.approve_week("mia", WEEK)),
        [("week", "mia/2026-W48", "submitted"), ("week", "mia/2026-W48", "approved")],
    ),
    "reject_week": lambda w: (
        "lee",
        lambda: (w.mia.submit_week(WEEK), w.lee.reject_week("mia", WEEK, "no")),
        [("week", "mia/2026-W48", "submitted"), ("week", "mia/2026-W48", "rejected")],
    ),
    "reopen_week": lambda w: (
        "lee",
        lambda: (w.mia.submit_week(WEEK), w.lee.reopen_week("mia", WEEK)),
        [("week", "mia/2026-W48", "submitted"), ("week", "mia/2026-W48", "draft")],
    ),
    "lock_period": lambda w: (
        "ada",
        lambda: w.ada.lock_period(MONDAY),
        [("lock", "2026-11-23", "lock")],
    ),
    "add_time_off": lambda w: (
        "lee",
        lambda: w.lee.add_time_off(TODAY, 60, user="mia"),
        [("time_off", "mia", "create")],
    ),
    "remove_time_off": lambda w: (
        "lee",
        lambda: w.lee.remove_time_off(w.lee.add_time_off(TODAY, 60, user="mia").id),
        [("time_off", "mia", "create"), ("time_off", "mia", "delete")],
    ),
}

#: Where the expected list has a write made by someone else first (to set the scene).
_SCENE_BY = {
    "restore_task": "ada",
    "approve_week": "mia",
    "reject_week": "mia",
    "reopen_week": "mia",
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_write_appends_its_change(world: World, name: str) -> None:
    world.task("card")
    actor, act, expected = OPS[name](world)
    before = world.ada.last_change()
    act()
    changes = world.ada.changes_since(before)
    assert [(c.entity, c.action) for c in changes] == [(e, a) for e, _, a in expected]
    for change, (_, entity_id, _) in zip(changes, expected, strict=True):
        if entity_id is not None:
            assert change.entity_id == entity_id
    assert changes[-1].user == actor
    if name in _SCENE_BY:
        assert changes[0].user == _SCENE_BY[name]
    else:
        assert all(c.user == actor for c in changes)
    assert changes[-1].time == world.clock.now
    assert all(a.time <= b.time for a, b in itertools.pairwise(changes))
    seqs = [before, *(c.seq for c in changes)]
    assert all(a < b for a, b in itertools.pairwise(seqs))
    assert world.ada.last_change() == changes[-1].seq
    assert world.mia.last_change() == changes[-1].seq


STALE: dict[str, Callable[[World], tuple[Callable[[], Any], Callable[[], Any]]]] = {
    "update_user": lambda w: (
        lambda: w.ada.update_user("mia", 1, UserPatch(name="A")),
        lambda: w.ada.update_user("mia", 1, UserPatch(name="B")),
    ),
    "update_project": lambda w: (
        lambda: w.ada.update_project("WEB", 1, ProjectPatch(name="A")),
        lambda: w.lee.update_project("WEB", 1, ProjectPatch(name="B")),
    ),
    "update_column": lambda w: (
        lambda: w.ada.update_column(w.columns[1].id, 1, ColumnPatch(name="A")),
        lambda: w.lee.update_column(w.columns[1].id, 1, ColumnPatch(wip_limit=9)),
    ),
    "update_task": lambda w: (
        lambda: w.mia.update_task("WEB-1", 1, TaskPatch(title="A")),
        lambda: w.max.update_task("WEB-1", 1, TaskPatch(title="B")),
    ),
    "move_task": lambda w: (
        lambda: w.mia.move_task("WEB-1", 1, w.column("Done")),
        lambda: w.max.move_task("WEB-1", 1, w.column("To do")),
    ),
    "archive_task": lambda w: (
        lambda: w.mia.update_task("WEB-1", 1, TaskPatch(title="A")),
        lambda: w.max.archive_task("WEB-1", 1),
    ),
    "set_entry": lambda w: _cell_edited_twice(
        w, lambda v: w.mia.set_entry("WEB-1", TODAY, 60, version=v)
    ),
    "set_entry_on_a_cell_seen_empty": lambda w: (
        lambda: w.mia.set_entry("WEB-1", TODAY, 30, version=0),
        lambda: w.mia.set_entry("WEB-1", TODAY, 60, version=0),
    ),
    "clear_entry": lambda w: _cell_edited_twice(
        w, lambda v: w.mia.clear_entry("WEB-1", TODAY, version=v)
    ),
    "set_entry_seen_before_it_was_cleared": lambda w: _cell_cleared_and_made_again(w),
}


def _cell_edited_twice(
    w: World, stale: Callable[[int], Any]
) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """A cell made, then edited on its version; `stale` is sent with the first one."""
    seen: list[int] = []

    def first() -> None:
        made = w.mia.set_entry("WEB-1", TODAY, 30, version=0)
        assert made is not None
        seen.append(made.version)
        w.mia.set_entry("WEB-1", TODAY, 45, version=made.version)

    return first, lambda: stale(seen[0])


def _cell_cleared_and_made_again(w: World) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """Mia's cell seen by her at its first version; then an admin clears it and makes it
    anew: Mia's edit on the version she saw is stale (the new row once took version 1
    again, and her edit overwrote the admin's unseen - an attacker's trial)."""
    seen: list[int] = []

    def first() -> None:
        made = w.mia.set_entry("WEB-1", TODAY, 30, version=0)
        assert made is not None
        seen.append(made.version)
        w.ada.clear_entry("WEB-1", TODAY, version=made.version, user="mia")
        w.ada.set_entry("WEB-1", TODAY, 300, version=0, user="mia")

    return first, lambda: w.mia.set_entry("WEB-1", TODAY, 31, version=seen[0])


@pytest.mark.parametrize("name", sorted(STALE))
def test_a_stale_write_appends_nothing_and_changes_nothing(world: World, name: str) -> None:
    world.task("card")
    first, stale = STALE[name](world)
    first()
    with refused(Conflict, world):
        stale()


def test_changes_since_and_limit(world: World) -> None:
    start = world.ada.last_change()
    assert start > 0  # the world's own setup is in the feed
    assert world.ada.changes_since(start) == []
    for n in range(5):
        world.mia.create_task("WEB", f"t{n}")
    five = world.mia.changes_since(start)
    assert [c.entity_id for c in five] == [f"WEB-{n}" for n in range(1, 6)]
    assert world.mia.changes_since(start, limit=2) == five[:2]
    assert world.mia.changes_since(five[1].seq) == five[2:]
    assert five[0].data == {"column": "Backlog", "title": "t0"}
    everything = world.ada.changes_since(0)
    assert everything[0].seq >= 1 and everything[-1] == five[-1]
    assert (everything[0].entity, everything[0].entity_id, everything[0].user) == (
        "user",
        "ada",
        "ada",
    )


def _private_life_of_mia(w: World) -> str:
    """Everything private that happens to mia's time: her own writes, her lead's
    review, the admin's correction. Returns the task's key."""
    t = w.task("a")
    w.mia.set_entry(t.key, TODAY, 90)
    w.mia.add_time_off(TODAY, 60)
    w.mia.add_week_row(NEXT_WEEK, t.key)
    w.mia.copy_week_rows(WEEK, LAST_WEEK)
    w.mia.remove_week_row(NEXT_WEEK, t.key)
    w.mia.submit_week(WEEK)
    w.lee.reject_week("mia", WEEK, "the 25th looks long")
    w.mia.timer_start(t.key)
    w.clock.advance(minutes=5)
    w.mia.timer_stop()
    w.ada.set_entry(t.key, day(-1), 30, user="mia")
    return t.key


#: What mia's private life leaves in the feed, in order (entity, action).
MIAS_CHANGES = [
    ("entry", "set"),
    ("time_off", "create"),
    ("week_row", "create"),
    ("week_row", "create"),
    ("week_row", "delete"),
    ("week", "submitted"),
    ("week", "rejected"),
    ("timer", "start"),
    ("timer", "stop"),
    ("entry", "set"),
    ("entry", "set"),
]


def test_private_changes_are_for_those_who_may_see_that_persons_time(world: World) -> None:
    start = world.ada.last_change()
    key = _private_life_of_mia(world)
    start = next(c.seq for c in world.ada.changes_since(start) if c.entity != "task")
    start -= 1  # from mia's first change on (the task's creation is public)
    whole = world.ada.changes_since(start)
    assert [(c.entity, c.action) for c in whole] == MIAS_CHANGES
    version = whole[0].data.pop("version")
    assert whole[0].data == {"user": "mia", "day": "2026-11-25", "minutes": 90, "was": 0}
    assert 0 < version <= whole[0].seq  # a new cell's version: past every change before it
    whole[0].data["version"] = version
    assert whole[2].data == {"user": "mia", "week": str(NEXT_WEEK)}
    for insider in (world.mia, world.lee):  # herself, her team's lead
        assert insider.changes_since(start) == whole
    # her teammate, the other team's lead and member, someone in no team: only that
    # time was logged on the card (every card shows its total), by nobody named
    for outsider in (world.max, world.olga, world.oscar, world.nik):
        seen = outsider.changes_since(start)
        assert [(c.user, c.entity, c.entity_id, c.action, c.data) for c in seen] == [
            (None, "task", key, "logged", {})
        ] * 3
        assert "mia" not in repr(seen)


def test_a_persons_working_week_is_for_those_who_may_see_their_time(world: World) -> None:
    """`get_schedule` refuses a colleague's working week; the feed showed it to
    everyone (the hours, and who set them). Outsiders learn the record changed."""
    start = world.ada.last_change()
    world.mia.set_schedule("mia", (300, 300, 300, 0, 0, 0, 0), start=MONDAY)
    data = {"from": MONDAY.isoformat(), "minutes": [300, 300, 300, 0, 0, 0, 0]}
    for insider in (world.mia, world.lee, world.ada):  # herself, her lead, an admin
        (change,) = insider.changes_since(start)
        assert (change.user, change.entity_id, change.action, change.data) == (
            "mia", "mia", "schedule", data,
        )  # fmt: skip
    for outsider in (world.max, world.olga, world.oscar, world.nik):
        with refused(Forbidden, world):
            outsider.get_schedule("mia")
        (change,) = outsider.changes_since(start)
        assert (change.user, change.entity_id, change.action, change.data) == (
            None, "mia", "schedule", {},
        )  # fmt: skip


def test_left_out_changes_do_not_count_toward_the_limit(world: World) -> None:
    start = world.ada.last_change()
    for n in range(4):
        world.mia.add_time_off(day(n), 60)
    world.mia.create_task("WEB", "visible")
    world.mia.add_time_off(day(5), 60)
    world.mia.create_task("WEB", "visible too")
    page = world.max.changes_since(start, limit=2)
    assert [(c.entity, c.entity_id) for c in page] == [("task", "WEB-1"), ("task", "WEB-2")]
    assert world.max.changes_since(start, limit=1) == page[:1]
    assert world.max.changes_since(page[-1].seq) == []
    assert len(world.mia.changes_since(start, limit=2)) == 2


def test_the_feed_names_a_card_by_its_key_however_it_was_typed(world: World) -> None:
    made = world.task("Fix the login")
    since = world.ada.last_change()
    moved = world.ada.update_task(
        f" {made.key.lower()[:-1]}0{made.number} ", made.version, TaskPatch(title="Fix login")
    )
    world.ada.add_comment(f"{made.project.lower()}-00{made.number}", "done")
    assert [c.entity_id for c in world.ada.changes_since(since)] == [made.key, made.key]
    assert [c.task for c in world.ada.list_comments(f" {made.key.lower()} ")] == [made.key]
    assert moved.key == made.key


def test_a_cards_history_is_what_happened_to_it_as_the_reader_may_see_it(
    world: World,
) -> None:
    made = world.task("Fix the login", assignee="mia")
    other = world.task("Another card")
    world.clock.advance(minutes=5)
    moved = world.ada.move_task(made.key, made.version, world.column("In progress"))
    world.lee.update_task(made.key, moved.version, TaskPatch(estimate=240))
    world.mia.add_comment(made.key, "on it")
    world.mia.add_time(made.key, TODAY, 90)
    world.ada.update_task(other.key, other.version, TaskPatch(title="Not this one"))

    history = world.lee.task_history(f" {made.key.lower()} ")  # mia's lead
    assert [(c.user, c.entity, c.action) for c in history] == [
        ("ada", "task", "create"),
        ("ada", "task", "move"),
        ("lee", "task", "update"),
        ("mia", "comment", "create"),
        ("mia", "entry", "set"),
    ]
    assert history[1].data == {"column": "In progress", "index": None, "from": "Backlog"}
    assert history[2].data == {"estimate": 240, "was": {"estimate": None}}
    assert history[0].time < history[1].time
    assert world.ada.task_history(made.key) == history
    # Someone who may not see mia's time learns that time was logged, not by whom.
    assert [(c.user, c.entity, c.action) for c in world.max.task_history(made.key)][-1] == (
        None,
        "task",
        "logged",
    )
    with refused(NotFound, world):
        world.max.task_history("WEB-999")
