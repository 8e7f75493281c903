"""People, teams and customers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Harness
from tests.contract.conftest import World
from tests.contract.helpers import refused, unchanged
from tui_board.backend.protocol import Backend
from tui_board.core.errors import Conflict, Forbidden, Invalid, NotFound
from tui_board.core.models import DEFAULT_CAPACITY, DEFAULT_WORK_DAYS, UserPatch

# --- the first user, identity ----------------------------------------------------------------


def test_first_login_on_an_empty_store_becomes_admin(
    backend_factory: Callable[[str], Backend],
) -> None:
    ada = backend_factory("ada")
    me = ada.me()
    assert (me.login, me.role, me.active, me.version) == ("ada", "admin", True, 1)
    assert ada.get_user("ada") == me
    assert ada.list_users() == [me]
    (change,) = ada.changes_since(0)
    assert (change.entity, change.entity_id, change.action) == ("user", "ada", "create")
    assert ada.me() == me  # asking again changes nothing
    assert ada.last_change() == change.seq


def test_a_second_stranger_does_not_become_anyone(harness: Harness) -> None:
    ada = harness.make("ada")
    ada.me()
    stranger = harness.make("eve")
    with refused(Forbidden, harness):
        stranger.me()
    with refused(Forbidden, harness):
        stranger.list_users()
    assert [u.login for u in ada.list_users()] == ["ada"]


def test_a_stranger_cannot_read_or_write(world: World) -> None:
    eve = world.make("eve")
    for call in (
        lambda: eve.list_projects(),
        lambda: eve.list_tasks(),
        lambda: eve.create_task("WEB", "sneaky"),
        lambda: eve.changes_since(0),
    ):
        with refused(Forbidden, world):
            call()


def test_me_is_the_caller(world: World) -> None:
    me = world.mia.me()
    assert (me.login, me.role, me.team) == ("mia", "member", "core")


# --- creating people -----------------------------------------------------------------------


def test_create_user_stores_every_field(world: World) -> None:
    made = world.ada.create_user(
        "zoe",
        "Zoe Z",
        email=" zoe@example.org ",
        role="lead",
        team="ops",
        capacity=30 * 60,
        work_days=(4, 0, 1),
    )
    stored = world.ada.get_user("zoe")
    assert stored == made
    assert (stored.name, stored.email, stored.role, stored.team) == (
        "Zoe Z",
        "zoe@example.org",
        "lead",
        "ops",
    )
    assert (stored.capacity, stored.work_days, stored.active, stored.version) == (
        1800,
        (0, 1, 4),
        True,
        1,
    )
    assert stored.daily_capacity == 600
    assert "zoe" in [u.login for u in world.mia.list_users()]
    assert world.make("zoe").me() == stored


def test_create_user_defaults(world: World) -> None:
    world.ada.create_user("zoe", "")
    stored = world.ada.get_user("zoe")
    assert (stored.name, stored.role, stored.team, stored.email) == ("zoe", "member", None, "")
    assert (stored.capacity, stored.work_days) == (DEFAULT_CAPACITY, DEFAULT_WORK_DAYS)


@pytest.mark.parametrize(
    ("login", "kwargs", "error"),
    [
        ("bad login", {}, Invalid),
        ("", {}, Invalid),
        ("x" * 65, {}, Invalid),
        ("zoe", {"role": "boss"}, Invalid),
        ("zoe", {"capacity": -1}, Invalid),
        ("zoe", {"capacity": 7 * 24 * 60 + 1}, Invalid),
        ("zoe", {"work_days": (7,)}, Invalid),
        ("zoe", {"team": "nope"}, NotFound),
        ("mia", {}, Invalid),
    ],
)
def test_create_user_refuses_bad_input(
    world: World, login: str, kwargs: dict[str, object], error: type[Exception]
) -> None:
    with refused(error, world):
        world.ada.create_user(login, "Someone", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("who", ["mia", "lee"])
def test_only_an_admin_adds_people(world: World, who: str) -> None:
    with refused(Forbidden, world):
        getattr(world, who).create_user("zoe", "Zoe")


# --- changing people ------------------------------------------------------------------------


def test_admin_updates_a_user(world: World) -> None:
    before = world.ada.get_user("mia")
    updated = world.ada.update_user(
        "mia",
        before.version,
        UserPatch(role="lead", team="ops", capacity=20 * 60, work_days=(0, 2)),
    )
    stored = world.ada.get_user("mia")
    assert updated == stored
    assert (stored.role, stored.team, stored.capacity, stored.work_days) == (
        "lead",
        "ops",
        1200,
        (0, 2),
    )
    assert stored.version == before.version + 1
    assert stored.name == before.name  # untouched fields stay


def test_update_user_with_a_stale_version_is_a_conflict(world: World) -> None:
    v = world.ada.get_user("mia").version
    world.ada.update_user("mia", v, UserPatch(name="Mia One"))
    with refused(Conflict, world):
        world.ada.update_user("mia", v, UserPatch(name="Mia Two"))
    assert world.ada.get_user("mia").name == "Mia One"


def test_an_email_that_is_not_one_is_refused(world: World) -> None:
    """`user add --email notanemail` was stored (and an import then found nobody by it)."""
    v = world.ada.get_user("mia").version
    for wrong in ("notanemail", "a@b@c", "mia @x"):
        with refused(Invalid, world):
            world.ada.update_user("mia", v, UserPatch(email=wrong))
        with refused(Invalid, world):
            world.ada.create_user("zed", "Zed", email=wrong)
    assert world.ada.update_user("mia", v, UserPatch(email="")).email == ""


def test_conflict_carries_the_current_row(world: World) -> None:
    v = world.ada.get_user("mia").version
    world.ada.update_user("mia", v, UserPatch(email="m@x"))
    with unchanged(world), pytest.raises(Conflict) as caught:
        world.ada.update_user("mia", v, UserPatch(email="other@x"))
    assert caught.value.current == world.ada.get_user("mia")


def test_a_member_edits_own_name_and_email_only(world: World) -> None:
    v = world.mia.me().version
    world.mia.update_user("mia", v, UserPatch(name="Mia M", email="mia@x"))
    stored = world.ada.get_user("mia")
    assert (stored.name, stored.email, stored.version) == ("Mia M", "mia@x", v + 1)
    with refused(Forbidden, world):
        world.mia.update_user("mia", v + 1, UserPatch(role="admin"))
    with refused(Forbidden, world):
        world.mia.update_user("mia", v + 1, UserPatch(capacity=1))
    with refused(Forbidden, world):
        world.mia.update_user("max", world.ada.get_user("max").version, UserPatch(name="X"))
    with refused(Forbidden, world):
        world.lee.update_user("mia", v + 1, UserPatch(team="ops"))


@pytest.mark.parametrize(
    "patch",
    [
        UserPatch(role="boss"),  # type: ignore[arg-type]
        UserPatch(capacity=-5),
        UserPatch(work_days=()),
        UserPatch(name="   "),
    ],
)
def test_update_user_refuses_bad_values(world: World, patch: UserPatch) -> None:
    v = world.ada.get_user("mia").version
    with refused(Invalid, world):
        world.ada.update_user("mia", v, patch)


def test_a_name_or_an_email_another_person_has_is_refused(world: World) -> None:
    """A member taking a colleague's name (a lead then approves the wrong week), in
    another case, spacing or Unicode form, or a colleague's email, is refused; keeping
    one's own name, or changing its case, is not."""
    v = world.ada.get_user("max").version
    world.ada.update_user("max", v, UserPatch(email="max@example.com"))
    v = world.mia.me().version
    for name in ("Max", "max", " MAX ", "\uff2d\uff41\uff58", "Ma\u200dx", "M\u00adax"):
        with refused(Invalid, world):
            world.mia.update_user("mia", v, UserPatch(name=name))
    with refused(Invalid, world):
        world.mia.update_user("mia", v, UserPatch(email="MAX@example.com"))
    with refused(Invalid, world):
        world.ada.create_user("max2", "Max")
    world.mia.update_user("mia", v, UserPatch(name="MIA"))
    assert world.ada.get_user("mia").name == "MIA"


def test_update_user_unknown_team_or_user(world: World) -> None:
    v = world.ada.get_user("mia").version
    with refused(NotFound, world):
        world.ada.update_user("mia", v, UserPatch(team="nope"))
    with refused(NotFound, world):
        world.ada.update_user("nobody", 1, UserPatch(name="x"))


def test_an_admin_cannot_demote_or_deactivate_themself(world: World) -> None:
    v = world.ada.me().version
    with refused(Invalid, world):
        world.ada.update_user("ada", v, UserPatch(role="member"))
    with refused(Invalid, world):
        world.ada.update_user("ada", v, UserPatch(active=False))


def test_deactivated_users_are_hidden_and_locked_out(world: World) -> None:
    v = world.ada.get_user("max").version
    world.ada.update_user("max", v, UserPatch(active=False))
    assert "max" not in [u.login for u in world.ada.list_users()]
    inactive = [u for u in world.ada.list_users(include_inactive=True) if u.login == "max"]
    assert inactive and inactive[0].active is False
    with refused(Forbidden, world):
        world.max.me()
    with refused(Forbidden, world):
        world.max.add_time("WEB-1", world.clock().date(), 30)
    with refused(Invalid, world):
        world.ada.create_task("WEB", "for max", assignee="max")
    world.ada.update_user("max", v + 1, UserPatch(active=True))
    assert world.max.me().active is True


def test_get_user_unknown_is_not_found(world: World) -> None:
    with refused(NotFound, world):
        world.mia.get_user("nobody")


# --- teams ----------------------------------------------------------------------------------


def test_teams_as_set_up(world: World) -> None:
    teams = world.mia.list_teams()
    assert [(t.name, t.lead) for t in teams] == [("core", "lee"), ("ops", "olga")]


def test_create_team_and_set_its_lead(world: World) -> None:
    made = world.ada.create_team(" data ", lead="nik")
    assert (made.name, made.lead, made.version) == ("data", "nik", 1)
    assert made in world.ada.list_teams()
    moved = world.ada.set_team_lead("data", "oscar")
    assert (moved.lead, moved.version) == ("oscar", 2)
    assert next(t for t in world.ada.list_teams() if t.name == "data") == moved
    cleared = world.ada.set_team_lead("data", None)
    assert cleared.lead is None
    assert next(t for t in world.ada.list_teams() if t.name == "data").lead is None


def test_team_errors(world: World) -> None:
    with refused(Invalid, world):
        world.ada.create_team("core")
    with refused(Invalid, world):
        world.ada.create_team("  ")
    with refused(NotFound, world):
        world.ada.create_team("data", lead="nobody")
    with refused(NotFound, world):
        world.ada.set_team_lead("nope", "mia")
    with refused(NotFound, world):
        world.ada.set_team_lead("core", "nobody")
    with refused(Forbidden, world):
        world.lee.create_team("data")
    with refused(Forbidden, world):
        world.lee.set_team_lead("core", "mia")


# --- customers ------------------------------------------------------------------------------


def test_create_customer(world: World) -> None:
    made = world.lee.create_customer(" Acme ")
    assert (made.name, made.archived, made.version) == ("Acme", False, 1)
    assert world.mia.list_customers() == [made]
    assert world.ada.list_customers(include_archived=True) == [made]


def test_customer_errors(world: World) -> None:
    world.ada.create_customer("Acme")
    with refused(Invalid, world):
        world.ada.create_customer("Acme")
    with refused(Invalid, world):
        world.ada.create_customer("")
    with refused(Forbidden, world):
        world.mia.create_customer("Globex")
