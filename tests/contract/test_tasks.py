"""Tasks (cards): create, update, ranks and moves, archive, comments, conflicts."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contract.conftest import World
from tests.contract.helpers import refused, unchanged
from tui_board.backend.protocol import Backend
from tui_board.core.errors import Conflict, Forbidden, Invalid, NotFound
from tui_board.core.models import ProjectPatch, TaskPatch


def column_keys(backend: Backend, column_id: int) -> list[str]:
    return [t.key for t in backend.list_tasks(column_id=column_id)]


def assert_ranks_strictly_ordered(backend: Backend, column_id: int) -> None:
    ranks = [t.rank for t in backend.list_tasks(column_id=column_id)]
    assert all(a < b for a, b in itertools.pairwise(ranks)), ranks


# --- create and read ------------------------------------------------------------------------


def test_create_task_stores_every_field(world: World) -> None:
    made = world.mia.create_task(
        "web",
        "  Fix login ",
        description="it breaks",
        column_id=world.column("To do"),
        assignee="max",
        estimate=90,
        due=date(2026, 12, 4),
        priority="high",
        tags=("#ui", "bug", "ui"),
    )
    assert (made.key, made.project, made.number, made.title) == ("WEB-1", "WEB", 1, "Fix login")
    assert (made.column, made.column_id, made.assignee, made.estimate) == (
        "To do",
        world.column("To do"),
        "max",
        90,
    )
    assert (made.due, made.priority, made.tags, made.description) == (
        date(2026, 12, 4),
        "high",
        ("ui", "bug"),
        "it breaks",
    )
    assert (made.archived, made.logged, made.version, made.remaining) == (False, 0, 1, 90)
    assert made.created == world.clock()
    assert world.ada.get_task("web-1") == made
    assert world.ada.list_tasks(project="WEB") == [made]


def test_task_defaults_and_numbering(world: World) -> None:
    world.ada.create_project("APP", "App")
    a = world.mia.create_task("WEB", "one")
    b = world.mia.create_task("WEB", "two")
    c = world.mia.create_task("APP", "three")
    assert [a.key, b.key, c.key] == ["WEB-1", "WEB-2", "APP-1"]
    assert (a.column, a.assignee, a.estimate, a.due, a.priority, a.tags) == (
        "Backlog",
        None,
        None,
        None,
        "normal",
        (),
    )
    assert a.remaining is None
    assert column_keys(world.ada, world.column("Backlog")) == ["WEB-1", "WEB-2"]
    assert a.rank < b.rank


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"title": "  "}, Invalid),
        ({"title": "x" * 501}, Invalid),
        ({"priority": "asap"}, Invalid),
        ({"estimate": -1}, Invalid),
        ({"tags": ("two words",)}, Invalid),
        ({"assignee": "nobody"}, NotFound),
        ({"project": "NOPE"}, NotFound),
        ({"column_id": 99_999}, NotFound),
    ],
)
def test_create_task_refuses_bad_input(
    world: World, kwargs: dict[str, object], error: type[Exception]
) -> None:
    kwargs = dict(kwargs)  # the parametrized dict is shared by every store
    project = kwargs.pop("project", "WEB")
    title = kwargs.pop("title", "card")
    with refused(error, world):
        world.mia.create_task(project, title, **kwargs)  # type: ignore[arg-type]


def test_create_task_in_another_projects_column(world: World) -> None:
    world.ada.create_project("APP", "App")
    with refused(Invalid, world):
        world.mia.create_task("APP", "x", column_id=world.column("To do"))


def test_get_task_bad_keys(world: World) -> None:
    with refused(Invalid, world):
        world.mia.get_task("WEB")
    with refused(Invalid, world):
        world.mia.get_task("WEB-x")
    with refused(NotFound, world):
        world.mia.get_task("WEB-99")
    with refused(NotFound, world):
        world.mia.get_task("NOPE-1")


def test_list_tasks_filters_and_pages(world: World) -> None:
    world.ada.create_project("APP", "App")
    todo = world.column("To do")
    keys = [
        world.task("a").key,
        world.task("b", column_id=todo, assignee="mia").key,
        world.task("c", assignee="mia").key,
        world.task("d", project="APP").key,
    ]
    assert keys == ["WEB-1", "WEB-2", "WEB-3", "APP-1"]
    assert [t.key for t in world.mia.list_tasks(project="web")] == ["WEB-1", "WEB-3", "WEB-2"]
    assert [t.key for t in world.mia.list_tasks(column_id=todo)] == ["WEB-2"]
    assert [t.key for t in world.mia.list_tasks(assignee="mia")] == ["WEB-3", "WEB-2"]
    assert [t.key for t in world.mia.list_tasks(assignee="max")] == []
    everything = [t.key for t in world.mia.list_tasks()]
    assert sorted(everything) == sorted(keys)
    assert [t.key for t in world.mia.list_tasks(project="WEB", offset=1, limit=1)] == ["WEB-3"]
    assert world.mia.list_tasks(project="WEB", offset=5) == []
    assert world.mia.count_tasks("WEB") == {world.column("Backlog"): 2, todo: 1}
    assert world.mia.count_tasks("APP") == {world.ada.list_columns("APP")[0].id: 1}


def test_column_cards_are_the_cards_list_tasks_gives_field_by_field(world: World) -> None:
    """What a big board reads: a column's cards, in its order, first ones or all, each
    as `list_tasks` gives it (another column's and archived cards left out)."""
    world.ada.create_project("APP", "App")
    todo, backlog = world.column("To do"), world.column("Backlog")
    due = date(2026, 12, 24)
    a = world.task("a", column_id=todo, assignee="mia", estimate=90, due=due, tags=("x", "y"))
    world.task("b", column_id=todo, priority="urgent", description="more\nlines")
    c = world.task("c", column_id=todo)
    world.ada.add_time(c.key, date(2026, 11, 24), 30)  # logged, and a new version
    world.task("in the backlog")
    world.task("another project's", project="APP")
    gone = world.task("archived", column_id=todo)
    world.ada.archive_task(gone.key, gone.version)
    world.ada.move_task(a.key, a.version, todo, 2)  # the order is the column's, not the ids'
    cards = world.mia.column_cards("web", todo)
    assert (cards.project, cards.column_id, cards.column) == ("WEB", todo, "To do")
    assert cards.tasks() == world.mia.list_tasks(project="WEB", column_id=todo)
    assert [t.key for t in cards.tasks()] == ["WEB-2", "WEB-3", "WEB-1"]
    assert [t.logged for t in cards.tasks()] == [0, 30, 0]
    first = world.mia.column_cards("WEB", todo, limit=2)
    assert first.tasks() == world.mia.list_tasks(project="WEB", column_id=todo, limit=2)
    # The next page: after the last card's rank and id.
    rest = world.mia.column_cards("WEB", todo, after=(first.ranks[-1], first.ids[-1]))
    assert first.tasks() + rest.tasks() == cards.tasks()
    assert len(world.mia.column_cards("WEB", todo, after=(cards.ranks[-1], cards.ids[-1]))) == 0
    assert len(world.mia.column_cards("WEB", todo, limit=0)) == 0
    assert world.mia.column_cards("WEB", backlog).tasks() == world.mia.list_tasks(
        project="WEB", column_id=backlog
    )


def test_column_cards_of_a_column_not_on_the_board(world: World) -> None:
    world.ada.create_project("APP", "App")
    todo = world.column("To do")
    with refused(NotFound, world):
        world.mia.column_cards("NOPE", todo)
    with refused(NotFound, world):
        world.mia.column_cards("APP", todo)  # a column of another board
    with refused(NotFound, world):
        world.mia.column_cards("WEB", 2**31 - 1)
    with refused(Invalid, world):
        world.mia.column_cards("WEB", todo, limit=-1)


@pytest.mark.parametrize("page", [{"offset": -1}, {"limit": -1}, {"limit": -(2**31)}])
def test_a_page_of_cards_starts_at_0_and_holds_0_or_more(world: World, page: dict) -> None:
    """A negative limit meant "no limit" to SQLite and an error to PostgreSQL (a 500
    from the server): refused alike on every store, in a sentence."""
    world.task("a")
    with pytest.raises(Invalid, match="a page of cards starts at 0"):
        world.mia.list_tasks(project="WEB", **page)


# --- update ---------------------------------------------------------------------------------


def test_update_task_every_field(world: World) -> None:
    t = world.task("old", assignee="mia", estimate=60, tags=("a",))
    patch = TaskPatch(
        title="new",
        description="more",
        assignee="max",
        estimate=120,
        due=date(2026, 12, 1),
        priority="urgent",
        tags=("b", "c"),
    )
    updated = world.mia.update_task(t.key, t.version, patch)
    assert world.ada.get_task(t.key) == updated
    assert (updated.title, updated.description, updated.assignee, updated.estimate) == (
        "new",
        "more",
        "max",
        120,
    )
    assert (updated.due, updated.priority, updated.tags, updated.version) == (
        date(2026, 12, 1),
        "urgent",
        ("b", "c"),
        t.version + 1,
    )
    cleared = world.mia.update_task(
        t.key, updated.version, TaskPatch(assignee=None, estimate=None, due=None, tags=())
    )
    assert world.ada.get_task(t.key) == cleared
    assert (cleared.assignee, cleared.estimate, cleared.due, cleared.tags) == (None, None, None, ())
    assert cleared.title == "new"  # left alone


def test_update_task_with_a_stale_version(world: World) -> None:
    t = world.task("card")
    world.mia.update_task(t.key, t.version, TaskPatch(title="mine"))
    with unchanged(world), pytest.raises(Conflict) as caught:
        world.max.update_task(t.key, t.version, TaskPatch(title="theirs"))
    assert caught.value.current == world.ada.get_task(t.key)
    assert world.ada.get_task(t.key).title == "mine"


@pytest.mark.parametrize(
    ("patch", "error"),
    [
        (TaskPatch(title=""), Invalid),
        (TaskPatch(priority="asap"), Invalid),  # type: ignore[arg-type]
        (TaskPatch(estimate=-5), Invalid),
        (TaskPatch(tags=("a b",)), Invalid),
        (TaskPatch(assignee="nobody"), NotFound),
    ],
)
def test_update_task_refuses_bad_values(
    world: World, patch: TaskPatch, error: type[Exception]
) -> None:
    t = world.task("card")
    with refused(error, world):
        world.mia.update_task(t.key, t.version, patch)


def test_update_unknown_task(world: World) -> None:
    with refused(NotFound, world):
        world.mia.update_task("WEB-9", 1, TaskPatch(title="x"))


# --- moves and ranks ----------------------------------------------------------------------


def test_move_to_another_column_at_an_index(world: World) -> None:
    todo, doing = world.column("To do"), world.column("In progress")
    a, b, c = (world.task(x, column_id=doing).key for x in "abc")
    d = world.task("d", column_id=todo)
    moved = world.mia.move_task(d.key, d.version, doing, 1)
    assert (moved.column, moved.column_id, moved.version) == ("In progress", doing, d.version + 1)
    assert world.ada.get_task(d.key) == moved
    assert column_keys(world.ada, doing) == [a, d.key, b, c]
    assert column_keys(world.ada, todo) == []
    assert_ranks_strictly_ordered(world.ada, doing)


def test_move_to_top_bottom_and_past_the_end(world: World) -> None:
    col = world.column("Backlog")
    a, b, c = (world.task(x).key for x in "abc")
    world.mia.move_task(c, world.ada.get_task(c).version, col, 0)
    assert column_keys(world.ada, col) == [c, a, b]
    world.mia.move_task(c, world.ada.get_task(c).version, col, None)
    assert column_keys(world.ada, col) == [a, b, c]
    world.mia.move_task(a, world.ada.get_task(a).version, col, 99)
    assert column_keys(world.ada, col) == [b, c, a]
    world.mia.move_task(a, world.ada.get_task(a).version, col, 1)
    assert column_keys(world.ada, col) == [b, a, c]
    assert_ranks_strictly_ordered(world.ada, col)


def test_move_into_an_empty_column(world: World) -> None:
    t = world.task("a")
    done = world.column("Done")
    world.mia.move_task(t.key, t.version, done, 3)
    assert column_keys(world.ada, done) == [t.key]


def test_move_errors_change_nothing(world: World) -> None:
    world.ada.create_project("APP", "App")
    t = world.task("a")
    world.task("b")
    with refused(Invalid, world):
        world.mia.move_task(t.key, t.version, world.column("Done"), -1)
    with refused(Invalid, world):
        world.mia.move_task(t.key, t.version, world.column("Backlog", "APP"))
    with refused(NotFound, world):
        world.mia.move_task(t.key, t.version, 99_999)
    with refused(NotFound, world):
        world.mia.move_task("WEB-77", 1, world.column("Done"))
    # past a 32-bit position (SQLite took 10**20 as an OverflowError: a 500 of sorts)
    for position in (2**31, 10**20):
        with refused(Invalid, world):
            world.mia.move_task(t.key, t.version, world.column("Done"), position)
    # an archived card is not moved: it is not on the board (it kept its place, moved)
    gone = world.ada.archive_task("WEB-2", world.ada.get_task("WEB-2").version)
    with refused(Invalid, world):
        world.mia.move_task(gone.key, gone.version, world.column("Done"))
    world.max.move_task(t.key, t.version, world.column("Done"))
    with refused(Conflict, world):
        world.mia.move_task(t.key, t.version, world.column("To do"), 0)
    assert world.ada.get_task(t.key).column == "Done"


def test_many_moves_to_one_place_renumber_the_column(world: World) -> None:
    """Halving the gap between two neighbours runs out of float precision after about
    fifty moves; the column is renumbered then, and the order stays right."""
    col = world.column("Backlog")
    keys = [world.task(str(i)).key for i in range(4)]
    expected = list(keys)
    for n in range(70):
        key = expected[-1]
        task = world.ada.get_task(key)
        world.mia.move_task(key, task.version, col, 1)
        expected.remove(key)
        expected.insert(1, key)
        if n % 10 == 0 or n > 45:
            assert column_keys(world.ada, col) == expected, n
    assert_ranks_strictly_ordered(world.ada, col)


_project_numbers = itertools.count(1)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cards=st.lists(st.integers(0, 2), min_size=1, max_size=7),
    moves=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 2), st.one_of(st.none(), st.integers(0, 8))),
        max_size=12,
    ),
    archive=st.lists(st.integers(0, 6), max_size=2),
)
def test_random_moves_keep_the_order_the_caller_asked_for(
    world: World,
    cards: list[int],
    moves: list[tuple[int, int, int | None]],
    archive: list[int],
) -> None:
    """A model of the columns as lists: moving a card takes it out and inserts it at
    the index among the others (None or past the end: the bottom). Archived cards
    leave the board and come back at the bottom of their column."""
    key = f"P{next(_project_numbers)}"
    world.ada.create_project(
        key, key, columns=(("A", "open", None), ("B", "open", None), ("C", "done", None))
    )
    columns = [c.id for c in world.ada.list_columns(key)]
    model: list[list[str]] = [[], [], []]
    for column in cards:
        task = world.mia.create_task(key, "card", column_id=columns[column])
        model[column].append(task.key)
    keys = [k for column in model for k in column]

    def check() -> None:
        for column, expected in zip(columns, model, strict=True):
            assert column_keys(world.ada, column) == expected
            assert_ranks_strictly_ordered(world.ada, column)

    for card, column, index in moves:
        task_key = keys[card % len(keys)]
        version = world.mia.get_task(task_key).version
        moved = world.mia.move_task(task_key, version, columns[column], index)
        for items in model:
            if task_key in items:
                items.remove(task_key)
        target = model[column]
        target.insert(len(target) if index is None else min(index, len(target)), task_key)
        assert moved.column_id == columns[column]
        check()
    for card in archive:
        task_key = keys[card % len(keys)]
        task = world.mia.get_task(task_key)
        if task.archived:
            continue
        archived = world.mia.archive_task(task_key, task.version)
        restored = world.mia.archive_task(task_key, archived.version, archived=False)
        model[columns.index(restored.column_id)].remove(task_key)
        model[columns.index(restored.column_id)].append(task_key)
        check()


# --- archive ----------------------------------------------------------------------------------


def test_archive_and_restore(world: World) -> None:
    t = world.task("a", assignee="mia")
    other = world.task("b")
    archived = world.mia.archive_task(t.key, t.version)
    assert (archived.archived, archived.version) == (True, t.version + 1)
    assert world.ada.get_task(t.key) == archived
    assert [x.key for x in world.ada.list_tasks()] == [other.key]
    assert [x.key for x in world.ada.list_tasks(include_archived=True)] == [t.key, other.key]
    assert world.ada.list_tasks(assignee="mia") == []
    assert world.ada.count_tasks("WEB") == {world.column("Backlog"): 1}
    restored = world.mia.archive_task(t.key, archived.version, archived=False)
    assert (restored.archived, restored.version) == (False, t.version + 2)
    assert world.ada.get_task(t.key) == restored
    assert column_keys(world.ada, world.column("Backlog")) == [other.key, t.key]


def test_a_restored_card_never_shares_a_rank(world: World) -> None:
    col = world.column("Backlog")
    a = world.task("a")
    b = world.task("b")
    archived = world.mia.archive_task(b.key, b.version)
    c = world.task("c")  # would take b's old place at the bottom
    world.mia.archive_task(b.key, archived.version, archived=False)
    assert column_keys(world.ada, col) == [a.key, c.key, b.key]
    assert_ranks_strictly_ordered(world.ada, col)


def test_archive_with_a_stale_version(world: World) -> None:
    t = world.task("a")
    world.mia.update_task(t.key, t.version, TaskPatch(title="b"))
    with refused(Conflict, world):
        world.max.archive_task(t.key, t.version)
    with refused(NotFound, world):
        world.max.archive_task("WEB-42", 1)


def test_a_card_is_not_archived_while_a_timer_runs_on_it(world: World) -> None:
    """Its time, stopped later, could not go into an archived card: it was lost (a new
    user's trial: archived with the timer running, the header still showed it)."""
    t = world.task("a")
    world.mia.timer_start(t.key)
    with refused(Invalid, world) as caught:
        world.mia.archive_task(t.key, t.version)
    assert "your timer runs on WEB-1: stop it first" in str(caught.value)
    with refused(Invalid, world) as caught:
        world.ada.archive_task(t.key, t.version)
    assert "a timer runs on WEB-1 (someone is working on it)" in str(caught.value)
    world.clock.advance(minutes=30)
    assert world.mia.timer_stop() is not None
    t = world.mia.get_task(t.key)
    assert (t.logged, world.ada.archive_task(t.key, t.version).archived) == (30, True)


def test_cards_of_an_archived_project_stay_readable(world: World) -> None:
    t = world.task("a")
    world.ada.update_project(
        "WEB", world.ada.get_project("WEB").version, ProjectPatch(archived=True)
    )
    assert world.mia.get_task(t.key) == t


# --- comments ---------------------------------------------------------------------------------


def test_comments(world: World) -> None:
    t = world.task("a")
    first = world.mia.add_comment(t.key.lower(), "  looks good ")
    world.clock.advance(minutes=5)
    second = world.max.add_comment(t.key, "not to me")
    assert (first.task, first.author, first.body, first.time) == (
        t.key,
        "mia",
        "looks good",
        world.clock.now.replace(minute=0),
    )
    assert world.lee.list_comments(t.key) == [first, second]
    assert second.author == "max" and second.time > first.time
    assert world.ada.get_task(t.key).version == t.version  # a comment is not an edit


def test_comment_errors(world: World) -> None:
    t = world.task("a")
    with refused(Invalid, world):
        world.mia.add_comment(t.key, "   ")
    with refused(NotFound, world):
        world.mia.add_comment("WEB-9", "hello")
    with refused(NotFound, world):
        world.mia.list_comments("WEB-9")


def test_a_stranger_cannot_comment(world: World) -> None:
    t = world.task("a")
    with refused(Forbidden, world):
        world.make("eve").add_comment(t.key, "hi")
