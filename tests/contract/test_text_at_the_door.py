"""The one rule for text at the door, on every store: a write refuses text that holds a
control or bidi-override character in any of its text parameters (a patch's fields and
the texts inside tuples included), names the field, and stores nothing; text that is
only unusual (wide, combining, markup, a formula) is stored as typed.

The operations and their parameters come from `operations()`: a write added to the
protocol is tried here as soon as it exists (a required parameter this file has no
example for fails the test, saying which)."""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import pytest

from tests.contract.conftest import World
from tests.contract.helpers import LAST_WEEK, TODAY, WEEK, refused
from tests.hostile import CORPUS
from tui_board.backend.operations import Operation, operations
from tui_board.core.errors import Invalid
from tui_board.core.models import (
    Column,
    Milestone,
    Project,
    Task,
    User,
    UserPatch,
    WeekState,
    _Patch,
)
from tui_board.core.text import unsafe_character

#: What the rule refuses in a one-line field.
HOSTILE = {name: text for name, text in CORPUS.items() if unsafe_character(text)}
#: What it takes.
HARMLESS = ("wide", "combining", "markup", "formula")
#: Fields that may hold several lines (newlines and tabs are text there).
MULTILINE = frozenset({"description", "body", "note"})
#: A field's word in a message when it is not the parameter's own name.
WORDS = {"body": "comment", "tags": "tag", "columns": "column"}


@dataclass(frozen=True)
class Slot:
    """One place a text goes in a call: a parameter, a patch's field, a tuple's item."""

    param: str
    field: str
    path: str
    put: Callable[[str], Any]

    @property
    def multiline(self) -> bool:
        return self.field in MULTILINE

    def named_in(self, message: str) -> bool:
        words = {self.field, self.field.replace("_", " "), WORDS.get(self.field, self.field)}
        return any(word in message.lower() for word in words)


def example(tp: Any) -> Any:
    """A plain value of type `tp` (None where None will do)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is str:
        return "plain"
    if tp is int:
        return 1
    if origin is Literal:
        return args[0]
    if origin in (typing.Union, types.UnionType):
        return None if type(None) in args else example(args[0])
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return (example(args[0]),)
        return tuple(example(a) for a in args)
    if isinstance(tp, type) and issubclass(tp, _Patch):
        return tp()
    raise AssertionError(f"no example of {tp}")


def is_text(tp: Any) -> bool:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    return tp is str or (origin is Literal and all(isinstance(a, str) for a in args))


def holds_text(tp: Any) -> bool:
    if isinstance(tp, type) and issubclass(tp, _Patch):
        return any(holds_text(hint) for hint in typing.get_type_hints(tp).values())
    return is_text(tp) or any(holds_text(arg) for arg in typing.get_args(tp))


def slots(tp: Any, value: Any, field: str, path: str) -> Iterator[Slot]:
    """Every place in a value of type `tp` (`value`, or an example) a text goes."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if not holds_text(tp):
        return
    if is_text(tp):
        yield Slot(path.split(".")[0].split("[")[0], field, path, lambda text: text)
    elif origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is not type(None) and holds_text(arg):
                yield from slots(arg, value if value is not None else example(arg), field, path)
    elif origin is tuple:
        items = tuple(value) if value else example(tp)
        kinds = [args[0]] if args[-1] is Ellipsis else list(args)
        for i, kind in enumerate(kinds):
            for slot in slots(kind, items[i], field, f"{path}[{i}]"):
                yield _within(slot, functools.partial(_replaced, items, i))
    elif isinstance(tp, type) and issubclass(tp, _Patch):
        for name, hint in typing.get_type_hints(tp).items():
            if not holds_text(hint):
                continue
            for slot in slots(hint, example(hint), name, f"{path}.{name}"):
                yield _within(slot, functools.partial(_patch_of, tp, name))


def _replaced(items: tuple[Any, ...], i: int, put: Any) -> tuple[Any, ...]:
    """`items` with `put` in place `i`."""
    return (*items[:i], put, *items[i + 1 :])


def _patch_of(tp: type[_Patch], name: str, put: Any) -> _Patch:
    """A patch that changes field `name` to `put`."""
    return tp(**{name: put})


def _within(slot: Slot, wrap: Callable[[Any], Any]) -> Slot:
    return Slot(slot.param, slot.field, slot.path, lambda text: wrap(slot.put(text)))


def arguments(world: World, op: Operation, task: Task) -> dict[str, Any]:
    """A call of `op` by an admin that gets as far as every text check: references
    to things that exist, and new names where the operation makes something."""
    making = op.name.startswith("create_")
    column = world.columns[1]
    versions = {
        Task: lambda: world.ada.get_task(task.key).version,
        Project: lambda: world.ada.get_project("WEB").version,
        User: lambda: world.ada.get_user("mia").version,
        Column: lambda: column.version,
        WeekState: lambda: 0,
        Milestone: lambda: 1,  # "core", made by the test
    }
    required: dict[str, Callable[[], Any]] = {
        "key": lambda: ("NEW" if making else "WEB") if op.returns is Project else task.key,
        "task": lambda: task.key,
        "project": lambda: "WEB",
        "login": lambda: "newbie" if making else "mia",
        "name": lambda: "Fresh" if making else "core",
        "lead": lambda: "lee",
        "title": lambda: "a card",
        "body": lambda: "a comment",
        "note": lambda: "a note",
        "day": lambda: TODAY,
        "minutes": lambda: (480,) * 5 + (0, 0) if op.name == "set_schedule" else 30,
        "week": lambda: WEEK,
        "source": lambda: LAST_WEEK,
        "target": lambda: WEEK,
        "column_id": lambda: column.id,
        "state": lambda: "submitted",
        "version": lambda: versions[op.returns](),
        "batch": lambda: "batch-1",
        "part": lambda: 0,
        "parts": lambda: 1,
        "rows": lambda: [],
        "file": lambda: "kimai a.csv",
    }
    found = {}
    for name, param in op.signature.parameters.items():
        if name == "self" or param.default is not param.empty:
            continue
        if isinstance(op.params[name], type) and issubclass(op.params[name], _Patch):
            found[name] = op.params[name]()
            continue
        assert name in required, f"{op.name}: give this test an example of `{name}`"
        found[name] = required[name]()
    return found


def text_slots(op: Operation, given: dict[str, Any]) -> list[Slot]:
    return [
        slot for name, tp in op.params.items() for slot in slots(tp, given.get(name), name, name)
    ]


def test_every_write_refuses_hostile_text_in_every_text_parameter(world: World) -> None:
    task = world.task("the card")
    world.ada.add_milestone("WEB", "core", TODAY)  # what move_milestone names
    writes = [
        op
        for op in operations().values()
        if op.writes and any(holds_text(tp) for tp in op.params.values())
    ]
    tried, other, unnamed = 0, [], []
    stored: set[str] = set()
    covered = set()
    before = world.harness.dump()
    for op in writes:
        given = arguments(world, op, task)
        for slot in text_slots(op, given):
            covered.add(op.name)
            for name, text in HOSTILE.items():
                if unsafe_character(text, multiline=slot.multiline) is None:
                    continue  # a newline in a multi-line field is text
                tried += 1
                what = f"{op.name} {slot.path} {name}"
                try:
                    getattr(world.ada, op.name)(**{**given, slot.param: slot.put(text)})
                except Invalid as error:
                    if not slot.named_in(error.message):
                        unnamed.append(f"{what}: {error.message}")
                except Exception as error:  # counted, then reported
                    other.append(f"{what}: {error!r}"[:300])
                else:
                    stored.add(what)
                now = world.harness.dump()
                if now != before:
                    stored.add(what)
                    before = now
    print(
        f"\n[{world.store}] hostile tries: {tried}; got through: {len(stored)} stored, "
        f"{len(other)} refused with another error, {len(unnamed)} not naming the field"
    )
    assert tried > 600 and len(covered) >= 20, (tried, sorted(covered))
    assert not stored, "\n".join(sorted(stored))
    assert not other, "\n".join(other)
    assert not unnamed, "\n".join(unnamed)


@pytest.mark.parametrize("name", HARMLESS)
def test_unusual_text_is_stored_and_read_back_as_typed(world: World, name: str) -> None:
    text = CORPUS[name]
    tag = text if not any(c.isspace() for c in text) else "plain"
    # an e-mail address is name@host: the text as its name where it can be one
    mail = f"{text}@x" if not any(c.isspace() or c == "@" for c in text) else "plain@x"
    ada = world.ada
    ada.create_team(text, lead="lee")
    ada.create_customer(text)
    ada.create_project("NEW", text, customer=text, columns=((text, "open", None),))
    user = ada.create_user("newbie", text, email=mail, team=text)
    task = ada.create_task("NEW", text, description=text, tags=(tag,))
    ada.add_comment(task.key, text)
    ada.add_time(task.key, TODAY, 30, comment=text, user="mia")
    world.mia.submit_week(WEEK)
    world.lee.reject_week("mia", WEEK, text)

    assert [t.name for t in ada.list_teams() if t.lead == "lee" and t.name != "core"] == [text]
    assert text in [c.name for c in ada.list_customers()]
    assert (ada.get_project("NEW").name, ada.get_project("NEW").customer) == (text, text)
    assert [c.name for c in ada.list_columns("NEW")] == [text]
    assert (user.name, user.email) == (text, mail)
    got = ada.get_user("newbie")
    assert (got.name, got.email, got.team) == (text, mail, text)
    got_task = ada.get_task(task.key)
    assert (got_task.title, got_task.description, got_task.tags) == (text, text, (tag,))
    assert [c.body for c in ada.list_comments(task.key)] == [text]
    sheet = world.mia.week(WEEK)
    assert [e.comment for e in sheet.entries] == [text]
    assert sheet.state.note == text


def test_updates_keep_to_the_rule(world: World) -> None:
    """Patches go through the same checks (one of each kind here; every field of
    every patch is tried above)."""
    task = world.task("the card")
    mia = world.ada.get_user("mia")
    with refused(Invalid, world):
        world.ada.update_user("mia", mia.version, UserPatch(email="m\x1b]52;c;eA==\x07@x"))
    for text in (f"{CORPUS['wide']}@x", "=HYPERLINK(1)@x"):
        assert world.ada.update_user("mia", mia.version, UserPatch(email=text)).email == text
        mia = world.ada.get_user("mia")
    assert world.ada.get_task(task.key).title == "the card"


def test_long_text_is_refused_and_long_descriptions_are_bounded(world: World) -> None:
    with refused(Invalid, world):
        world.ada.create_task("WEB", CORPUS["long"])
    task = world.ada.create_task("WEB", "short", description=CORPUS["long"])
    assert world.ada.get_task(task.key).description == CORPUS["long"]
    with refused(Invalid, world):
        world.ada.create_task("WEB", "short", description="L" * 50_001)
    with refused(Invalid, world):
        world.ada.create_team(CORPUS["long"])
    with refused(Invalid, world):
        world.ada.add_time(task.key, TODAY, 30, comment=CORPUS["long"])
    with refused(Invalid, world):
        world.ada.create_task("WEB", "tagged", tags=("t" * 51,))


@pytest.mark.parametrize("name", HARMLESS)
def test_logins_and_project_keys_are_ascii_identifiers(world: World, name: str) -> None:
    with refused(Invalid, world):
        world.ada.create_user(CORPUS[name], "Someone")
    with refused(Invalid, world):
        world.ada.create_project(CORPUS[name], "Something")
