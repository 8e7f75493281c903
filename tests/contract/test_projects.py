"""Projects and their columns."""

from __future__ import annotations

import pytest

from tests.contract.conftest import World
from tests.contract.helpers import refused
from tui_board.core.errors import Conflict, Forbidden, Invalid, NotFound
from tui_board.core.models import DEFAULT_COLUMNS, ColumnPatch, ProjectPatch

# --- projects -----------------------------------------------------------------------------


def test_create_project_with_the_default_columns(world: World) -> None:
    made = world.lee.create_project("app2", "  Mobile app ")
    assert (made.key, made.name, made.customer, made.archived, made.version) == (
        "APP2",
        "Mobile app",
        None,
        False,
        1,
    )
    assert world.mia.get_project("app2") == made
    assert [p.key for p in world.mia.list_projects()] == ["APP2", "WEB"]
    columns = world.mia.list_columns("APP2")
    assert [(c.name, c.kind, c.wip_limit, c.position) for c in columns] == [
        (name, kind, limit, i) for i, (name, kind, limit) in enumerate(DEFAULT_COLUMNS)
    ]
    assert all(c.project == "APP2" and c.version == 1 for c in columns)
    assert len({c.id for c in columns}) == len(columns)


def test_create_project_with_own_columns_and_customer(world: World) -> None:
    world.ada.create_customer("Acme")
    made = world.ada.create_project(
        "OPS", "Operations", customer="Acme", columns=(("Todo", "open", None), ("Done", "done", 2))
    )
    assert made.customer == "Acme"
    assert world.ada.get_project("ops").customer == "Acme"
    columns = world.ada.list_columns("OPS")
    assert [(c.name, c.kind, c.wip_limit, c.position) for c in columns] == [
        ("Todo", "open", None, 0),
        ("Done", "done", 2, 1),
    ]


@pytest.mark.parametrize(
    ("key", "name", "kwargs", "error"),
    [
        ("1AB", "x", {}, Invalid),
        ("WE B", "x", {}, Invalid),
        ("ABCDEFGHIJK", "x", {}, Invalid),
        ("", "x", {}, Invalid),
        ("WEB", "again", {}, Invalid),
        ("web", "again", {}, Invalid),
        ("NEW", "   ", {}, Invalid),
        ("NEW", "x", {"customer": "nope"}, NotFound),
        ("NEW", "x", {"columns": (("A", "weird", None),)}, Invalid),
        ("NEW", "x", {"columns": (("A", "open", 0),)}, Invalid),
        ("NEW", "x", {"columns": (("", "open", None),)}, Invalid),
    ],
)
def test_create_project_refuses_bad_input(
    world: World, key: str, name: str, kwargs: dict[str, object], error: type[Exception]
) -> None:
    with refused(error, world):
        world.ada.create_project(key, name, **kwargs)  # type: ignore[arg-type]


def test_a_member_cannot_add_projects(world: World) -> None:
    with refused(Forbidden, world):
        world.mia.create_project("NEW", "New")


def test_get_project_unknown(world: World) -> None:
    with refused(NotFound, world):
        world.mia.get_project("NOPE")
    with refused(NotFound, world):
        world.mia.list_columns("NOPE")


def test_update_project_rename_customer_archive(world: World) -> None:
    world.ada.create_customer("Acme")
    p = world.ada.get_project("WEB")
    renamed = world.lee.update_project("WEB", p.version, ProjectPatch(name="Site", customer="Acme"))
    assert world.ada.get_project("WEB") == renamed
    assert (renamed.name, renamed.customer, renamed.version) == ("Site", "Acme", p.version + 1)
    archived = world.ada.update_project("WEB", renamed.version, ProjectPatch(archived=True))
    assert archived.archived is True
    assert world.ada.list_projects() == []
    assert world.ada.list_projects(include_archived=True) == [archived]
    assert world.ada.get_project("WEB") == archived
    restored = world.ada.update_project("WEB", archived.version, ProjectPatch(archived=False))
    assert world.ada.list_projects() == [restored]
    cleared = world.ada.update_project("WEB", restored.version, ProjectPatch(customer=None))
    assert cleared.customer is None
    assert world.ada.get_project("WEB") == cleared


def test_update_project_errors(world: World) -> None:
    v = world.ada.get_project("WEB").version
    world.ada.update_project("WEB", v, ProjectPatch(name="Site"))
    with refused(Conflict, world):
        world.ada.update_project("WEB", v, ProjectPatch(name="Stale"))
    with refused(Forbidden, world):
        world.mia.update_project("WEB", v + 1, ProjectPatch(name="Mine"))
    with refused(Invalid, world):
        world.ada.update_project("WEB", v + 1, ProjectPatch(name=""))
    with refused(NotFound, world):
        world.ada.update_project("WEB", v + 1, ProjectPatch(customer="nope"))
    with refused(NotFound, world):
        world.ada.update_project("NOPE", 1, ProjectPatch(name="x"))
    assert world.ada.get_project("WEB").name == "Site"


def test_no_new_cards_on_an_archived_project(world: World) -> None:
    v = world.ada.get_project("WEB").version
    world.ada.update_project("WEB", v, ProjectPatch(archived=True))
    with refused(Invalid, world):
        world.mia.create_task("WEB", "late card")


# --- columns --------------------------------------------------------------------------------


def test_create_column_goes_last(world: World) -> None:
    made = world.lee.create_column("WEB", " Blocked ", kind="active", wip_limit=2)
    assert (made.name, made.kind, made.wip_limit, made.position, made.project) == (
        "Blocked",
        "active",
        2,
        5,
        "WEB",
    )
    assert world.mia.list_columns("WEB")[-1] == made


def test_create_column_errors(world: World) -> None:
    with refused(Invalid, world):
        world.ada.create_column("WEB", "X", kind="closed")  # type: ignore[arg-type]
    with refused(Invalid, world):
        world.ada.create_column("WEB", "X", wip_limit=0)
    with refused(Invalid, world):
        world.ada.create_column("WEB", " ")
    with refused(NotFound, world):
        world.ada.create_column("NOPE", "X")
    with refused(Forbidden, world):
        world.mia.create_column("WEB", "X")


def test_update_column(world: World) -> None:
    column = world.columns[2]
    updated = world.lee.update_column(
        column.id, column.version, ColumnPatch(name="Doing", kind="open", wip_limit=None)
    )
    assert (updated.name, updated.kind, updated.wip_limit, updated.version) == (
        "Doing",
        "open",
        None,
        column.version + 1,
    )
    assert world.mia.list_columns("WEB")[2] == updated
    moved = world.lee.update_column(column.id, updated.version, ColumnPatch(position=9))
    assert world.mia.list_columns("WEB")[-1] == moved


def test_update_column_errors(world: World) -> None:
    column = world.columns[0]
    world.ada.update_column(column.id, column.version, ColumnPatch(name="Ideas"))
    with refused(Conflict, world):
        world.ada.update_column(column.id, column.version, ColumnPatch(name="Stale"))
    with refused(Forbidden, world):
        world.mia.update_column(column.id, column.version + 1, ColumnPatch(name="Mine"))
    with refused(Invalid, world):
        world.ada.update_column(column.id, column.version + 1, ColumnPatch(wip_limit=-1))
    with refused(Invalid, world):
        world.ada.update_column(column.id, column.version + 1, ColumnPatch(kind="x"))  # type: ignore[arg-type]
    with refused(NotFound, world):
        world.ada.update_column(99_999, 1, ColumnPatch(name="x"))
    assert world.ada.list_columns("WEB")[0].name == "Ideas"
