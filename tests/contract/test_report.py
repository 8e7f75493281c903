"""The time report: minutes per person and task over a date range."""

from __future__ import annotations

from tests.contract.conftest import World
from tests.contract.helpers import MONDAY, TODAY, day, refused
from tui_board.backend.protocol import Backend
from tui_board.core.errors import Forbidden, NotFound


def rows(backend: Backend, **kwargs: str) -> list[tuple[str, str, str, str, int]]:
    start = kwargs.pop("start", None)
    return [
        (r.user, r.project, r.task, r.task_title, r.minutes)
        for r in backend.report(MONDAY if start is None else start, day(6), **kwargs)  # type: ignore[arg-type]
    ]


def fill(world: World) -> tuple[str, str]:
    world.ada.create_project("APP", "App")
    web = world.task("site").key
    app = world.task("app", project="APP").key
    world.mia.set_entry(web, MONDAY, 60)
    world.mia.set_entry(web, TODAY, 30)
    world.mia.set_entry(app, TODAY, 15)
    world.max.set_entry(web, day(6), 45)  # the last day of the range
    world.max.set_entry(web, day(7), 999)  # after it
    world.max.set_entry(web, day(-3), 999)  # before it
    world.oscar.set_entry(app, TODAY, 20)
    return web, app


def test_report_sums_per_person_and_task_inclusive(world: World) -> None:
    web, app = fill(world)
    assert rows(world.ada) == [
        ("max", "WEB", web, "site", 45),
        ("mia", "APP", app, "app", 15),
        ("mia", "WEB", web, "site", 90),
        ("oscar", "APP", app, "app", 20),
    ]


def test_report_filters(world: World) -> None:
    web, app = fill(world)
    assert rows(world.ada, user="mia") == [
        ("mia", "APP", app, "app", 15),
        ("mia", "WEB", web, "site", 90),
    ]
    assert rows(world.ada, project="app") == [
        ("mia", "APP", app, "app", 15),
        ("oscar", "APP", app, "app", 20),
    ]
    assert rows(world.ada, user="mia", project="WEB") == [("mia", "WEB", web, "site", 90)]
    assert rows(world.ada, project="NOPE") == []
    assert world.ada.report(day(10), day(20)) == []
    with refused(NotFound, world):
        world.ada.report(MONDAY, TODAY, user="nobody")


def test_report_shows_what_the_reader_may_see(world: World) -> None:
    web, app = fill(world)
    assert rows(world.mia) == [("mia", "APP", app, "app", 15), ("mia", "WEB", web, "site", 90)]
    assert rows(world.lee) == [
        ("max", "WEB", web, "site", 45),
        ("mia", "APP", app, "app", 15),
        ("mia", "WEB", web, "site", 90),
    ]
    assert rows(world.olga) == [("oscar", "APP", app, "app", 20)]
    assert rows(world.nik) == []
    for who, login in ((world.mia, "max"), (world.olga, "mia"), (world.lee, "oscar")):
        with refused(Forbidden, world):
            who.report(MONDAY, TODAY, user=login)
