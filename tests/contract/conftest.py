"""The cast of the contract suite, made through the Backend protocol on every store.

- ada: admin (the first to open the empty store)
- team "core": lee (lead, leads it), mia and max (members)
- team "ops": olga (lead, leads it), oscar (member)
- nik: a member in no team
- project WEB with the default columns: Backlog, To do, In progress (WIP 3),
  Review (WIP 3), Done (kind done)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import Harness, MutableClock
from tui_board.backend.protocol import Backend
from tui_board.core.models import Column, Task


@dataclass
class World:
    harness: Harness
    make: Callable[[str], Backend]
    clock: MutableClock
    store: str
    ada: Backend
    lee: Backend
    mia: Backend
    max: Backend
    olga: Backend
    oscar: Backend
    nik: Backend
    columns: list[Column]

    def column(self, name: str, project: str = "WEB") -> int:
        columns = self.columns if project == "WEB" else self.ada.list_columns(project)
        return next(c.id for c in columns if c.name == name)

    def task(self, title: str = "a card", **fields: Any) -> Task:
        project = fields.pop("project", "WEB")
        return self.ada.create_task(project, title, **fields)


@pytest.fixture
def world(harness: Harness, clock: MutableClock, store_name: str) -> World:
    return scenario(harness, clock, store_name, "world")


def scenario(
    harness: Harness,
    clock: MutableClock,
    store_name: str,
    key: str,
    *steps: Callable[[World], object],
) -> World:
    """The world plus `steps`, built through the protocol by the first test of each
    process that asks for `key`, then restored from the harness's copy (a few
    milliseconds) for every later one. Steps must not depend on the test."""
    if not harness.restore(key):
        if not harness.restore("world"):
            build_world(harness.make("ada"))
            harness.save("world")
        if steps:
            built = _world(harness, clock, store_name)
            for step in steps:
                step(built)
            harness.save(key)
    return _world(harness, clock, store_name)


def _world(harness: Harness, clock: MutableClock, store_name: str) -> World:
    make = harness.make
    return World(
        harness=harness,
        make=make,
        clock=clock,
        store=store_name,
        ada=make("ada"),
        lee=make("lee"),
        mia=make("mia"),
        max=make("max"),
        olga=make("olga"),
        oscar=make("oscar"),
        nik=make("nik"),
        columns=make("ada").list_columns("WEB"),
    )


def build_world(ada: Backend) -> None:
    ada.me()
    ada.create_team("core")
    ada.create_team("ops")
    for login, role, team in (
        ("lee", "lead", "core"),
        ("mia", "member", "core"),
        ("max", "member", "core"),
        ("olga", "lead", "ops"),
        ("oscar", "member", "ops"),
        ("nik", "member", None),
    ):
        ada.create_user(login, login.title(), role=role, team=team)  # type: ignore[arg-type]
    ada.set_team_lead("core", "lee")
    ada.set_team_lead("ops", "olga")
    ada.create_project("WEB", "Website")
