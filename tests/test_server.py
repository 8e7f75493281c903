"""The team server over real HTTP: health, auth, permissions, mass assignment, conflicts."""

from __future__ import annotations

import inspect
import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.hostile import CORPUS
from tests.live_server import LiveServer, live_server
from tui_board.backend.local import LocalBackend
from tui_board.backend.operations import operations
from tui_board.backend.protocol import Backend
from tui_board.backend.remote import RemoteBackend
from tui_board.core.errors import Conflict, Forbidden, Invalid, Locked, NotFound
from tui_board.core.models import Task, TaskPatch, UserPatch
from tui_board.core.weeks import IsoWeek
from tui_board.store.database import Database

DAY = date(2026, 11, 24)
WEEK = IsoWeek.of(DAY)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    database = Database.open(str(tmp_path / "server.db"), create=True)
    admin = LocalBackend(database, "alice")
    admin.me()
    admin.create_team("Web", lead="alice")
    admin.create_user("bob", "Bob", team="Web")
    admin.create_user("carol", "Carol", team="Web")
    admin.create_user("lena", "Lena", role="lead")
    admin.create_project("WEB", "Web site")
    admin.create_task("WEB", "Fix login", estimate=240)
    LocalBackend(database, "carol").set_entry("WEB-1", DAY, 60, comment="carol's")
    with live_server(database) as running:
        yield running
    database.close()


def remote(server: LiveServer, login: str) -> RemoteBackend:
    return RemoteBackend.connect(server.url, server.token_for(login))


def post(server: LiveServer, operation: str, body: object, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}".strip()} if token is not None else {}
    return httpx.post(f"{server.url}/api/v1/{operation}", json=body, headers=headers)


def carol_minutes(server: LiveServer) -> int:
    sheet = LocalBackend(server.database, "carol").week(WEEK)
    return sum(e.minutes for e in sheet.entries)


def test_health_ready_and_openapi(server: LiveServer) -> None:
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{server.url}/readyz")
    assert ready.status_code == 200 and ready.json()["schema"]
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert "/api/v1/week" in spec["paths"]
    assert "/api/v1/set_entry" in spec["paths"]


def test_the_remote_backend_is_a_whole_backend(server: LiveServer) -> None:
    bob = remote(server, "bob")
    assert isinstance(bob, Backend)
    assert bob.me().login == "bob"
    entry = bob.add_time("WEB-1", DAY, 90, comment="remote")
    assert (entry.user, entry.minutes, entry.comment) == ("bob", 90, "remote")
    sheet = bob.week(WEEK)
    assert [(e.task, e.minutes) for e in sheet.entries] == [("WEB-1", 90)]
    assert bob.count_tasks("WEB")  # dict[int, int] survives JSON's string keys
    assert all(isinstance(k, int) for k in bob.count_tasks("WEB"))
    bob.close()


@pytest.mark.parametrize(
    ("token", "message"),
    [(None, "Authorization: Bearer"), ("", "Authorization: Bearer"), ("tb_wrong", "unknown")],
)
def test_no_or_wrong_token_is_refused(server: LiveServer, token: str | None, message: str) -> None:
    response = post(server, "me", {}, token)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert message in response.json()["message"]


def test_a_revoked_token_is_refused_at_once(server: LiveServer) -> None:
    token = server.token_for("bob")
    assert post(server, "me", {}, token).status_code == 200
    LocalBackend(server.database, "alice").revoke_tokens("bob")
    response = post(server, "me", {}, token)
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]
    with pytest.raises(Forbidden):
        RemoteBackend.connect(server.url, token).me()


def test_a_deactivated_person_is_refused(server: LiveServer) -> None:
    token = server.token_for("bob")
    admin = LocalBackend(server.database, "alice")
    admin.update_user("bob", admin.get_user("bob").version, UserPatch(active=False))
    assert post(server, "me", {}, token).status_code == 401


def test_a_member_cannot_read_or_change_another_members_time(server: LiveServer) -> None:
    bob = remote(server, "bob")
    with pytest.raises(Forbidden):
        bob.week(WEEK, user="carol")
    with pytest.raises(Forbidden):
        bob.list_entries(DAY, DAY, user="carol")
    with pytest.raises(Forbidden):
        bob.report(DAY, DAY, user="carol")
    with pytest.raises(Forbidden):
        bob.set_entry("WEB-1", DAY, 600, user="carol")
    with pytest.raises(Forbidden):
        bob.clear_entry("WEB-1", DAY, user="carol")
    assert carol_minutes(server) == 60
    # what bob may list holds only his own time
    assert all(e.user == "bob" for e in bob.list_entries(DAY, DAY))
    assert [r.user for r in bob.workload(WEEK, 1, today=DAY).rows] == ["bob"]


def test_a_member_cannot_do_lead_or_admin_work(server: LiveServer) -> None:
    bob = remote(server, "bob")
    LocalBackend(server.database, "carol").submit_week(WEEK)
    refused = [
        lambda: bob.approve_week("carol", WEEK),
        lambda: bob.reject_week("carol", WEEK, "no"),
        lambda: bob.create_user("mallory", "Mallory", role="admin"),
        lambda: bob.update_user("bob", bob.me().version, UserPatch(role="admin")),
        lambda: bob.update_user("carol", 1, UserPatch(name="x")),
        lambda: bob.lock_period(DAY),
        lambda: bob.create_project("EVIL", "Evil"),
        lambda: bob.create_team("Evil"),
    ]
    for attempt in refused:
        with pytest.raises(Forbidden):
            attempt()
    admin = LocalBackend(server.database, "alice")
    assert admin.get_user("bob").role == "member"
    assert [s.state for s in admin.list_week_states(user="carol")] == ["submitted"]
    assert admin.locked_until() is None
    assert [p.key for p in admin.list_projects()] == ["WEB"]


def test_a_lead_sees_only_their_team(server: LiveServer) -> None:
    lena = remote(server, "lena")  # a lead, of no team with members
    with pytest.raises(Forbidden):
        lena.week(WEEK, user="carol")
    alice = remote(server, "alice")  # leads Web
    assert alice.week(WEEK, user="carol").total == 60


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("set_entry", {"task": "WEB-1", "day": "2026-11-24", "minutes": 600, "user_id": 3}),
        ("set_entry", {"task": "WEB-1", "day": "2026-11-24", "minutes": 600, "owner": "carol"}),
        ("update_user", {"login": "bob", "version": 1, "patch": {"role": "admin", "id": 1}}),
        ("update_task", {"key": "WEB-1", "version": 1, "patch": {"logged": 0, "version": 9}}),
        ("submit_week", {"week": "2026-W48", "state": "approved"}),
    ],
)
def test_unknown_fields_are_refused_and_change_nothing(
    server: LiveServer, operation: str, body: dict[str, object]
) -> None:
    token = server.token_for("bob")
    before = LocalBackend(server.database, "alice").changes_since(0)
    response = post(server, operation, body, token)
    assert response.status_code == 422
    assert "extra" in response.text.lower()
    after = LocalBackend(server.database, "alice").changes_since(0)
    assert [c.seq for c in after] == [c.seq for c in before]
    assert LocalBackend(server.database, "alice").get_user("bob").role == "member"


def test_a_stale_write_gets_409_with_the_current_row(server: LiveServer) -> None:
    bob, carol = remote(server, "bob"), remote(server, "carol")
    seen = bob.get_task("WEB-1")
    carol.update_task("WEB-1", seen.version, TaskPatch(title="Fix the login form"))
    with pytest.raises(Conflict) as caught:
        bob.update_task("WEB-1", seen.version, TaskPatch(title="Bob's title"))
    current = caught.value.current
    assert isinstance(current, Task)
    assert current.title == "Fix the login form"
    assert current.version == seen.version + 1
    assert bob.get_task("WEB-1").title == "Fix the login form"
    raw = post(
        server,
        "update_task",
        {"key": "WEB-1", "version": seen.version, "patch": {"title": "again"}},
        server.token_for("bob"),
    )
    assert raw.status_code == 409
    assert raw.json()["current"]["title"] == "Fix the login form"


def test_errors_come_back_as_the_same_errors(server: LiveServer) -> None:
    bob = remote(server, "bob")
    with pytest.raises(NotFound):
        bob.get_task("WEB-99")
    with pytest.raises(Invalid):
        bob.add_time("WEB-1", DAY, 25 * 60)
    bob.add_time("WEB-1", DAY, 30)
    bob.submit_week(WEEK)
    with pytest.raises(Locked):
        bob.add_time("WEB-1", DAY, 30)
    with pytest.raises(Invalid):  # a bad week is refused by the request's schema
        bob.call(operations()["week"], {"week": "2026-W99"})


def test_the_change_feed_long_polls(server: LiveServer) -> None:
    token = server.token_for("bob")
    last = post(server, "last_change", {}, token).json()
    empty = httpx.get(
        f"{server.url}/api/v1/changes",
        params={"since": last, "wait": 0.5},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert empty.status_code == 200 and empty.json() == []
    LocalBackend(server.database, "carol").add_time("WEB-1", DAY, 15)
    found = httpx.get(
        f"{server.url}/api/v1/changes",
        params={"since": last, "wait": 5},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    # carol's time is hers and her lead's: bob learns only that the card's total moved
    assert [(c["user"], c["entity"], c["action"]) for c in found] == [(None, "task", "logged")]


# --- what a request may hold ------------------------------------------------------------


def post_text(server: LiveServer, operation: str, body: str, token: str) -> httpx.Response:
    """A body as written (`\\ud800` stays the JSON escape it is)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return httpx.post(f"{server.url}/api/v1/{operation}", content=body, headers=headers)


def assert_refused(response: httpx.Response) -> dict[str, object]:
    """A 422 with the declared error body, in valid UTF-8."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid" and body["message"].startswith("invalid request")
    response.content.decode("utf-8")  # strict: a lone surrogate would not encode
    return body


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("create_task", '{"project": "WEB", "title": "\\ud800"}'),
        ("create_task", '{"project": "WEB\\udfff", "title": "x"}'),
        ("add_comment", '{"key": "WEB-1", "body": "a \\ud83d b"}'),
        ("update_task", '{"key": "WEB-1", "version": 1, "patch": {"tags": ["\\ud800"]}}'),
        ("update_user", '{"login": "bob", "version": 1, "patch": {"role": "\\ud800"}}'),
        ("create_task", '{"project": "WEB", "title": "x", "\\ud800": 1}'),
        ("week", '{"week": "2026-W48\\ud800"}'),
    ],
)
@pytest.mark.parametrize("token", ["good", "wrong"])
def test_a_lone_surrogate_is_refused_with_422_never_500(
    server: LiveServer, operation: str, body: str, token: str
) -> None:
    key = server.token_for("bob") if token == "good" else "tb_wrong"
    before = LocalBackend(server.database, "alice").last_change()
    assert_refused(post_text(server, operation, body, key))
    assert LocalBackend(server.database, "alice").last_change() == before


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("add_time", {"task": "WEB-1", "day": "2026-11-24", "minutes": "90"}),
        ("add_time", {"task": "WEB-1", "day": "2026-11-24", "minutes": 90.0}),
        ("add_time", {"task": "WEB-1", "day": "2026-11-24", "minutes": True}),
        ("add_time", {"task": "WEB-1", "day": 20261124, "minutes": 90}),
        ("add_time", {"task": "WEB-1", "day": "2026-11-24T00:00:00", "minutes": 90}),
        ("add_time", {"task": "WEB-1", "day": "20261124", "minutes": 90}),
        ("add_time", {"task": 1, "day": "2026-11-24", "minutes": 90}),
        ("lock_period", {"until": 86400}),
        ("lock_period", {"until": 0}),
        ("lock_period", {"until": "2026-W48-1"}),
        ("create_task", {"project": "WEB", "title": "x", "estimate": "60"}),
        ("create_task", {"project": "WEB", "title": "x", "tags": [1]}),
        ("update_project", {"key": "WEB", "version": 1, "patch": {"archived": 1}}),
        ("update_project", {"key": "WEB", "version": "1", "patch": {"name": "x"}}),
        ("update_user", {"login": "bob", "version": 1, "patch": {"active": "false"}}),
        ("update_user", {"login": "bob", "version": 1, "patch": {"work_days": ["0"]}}),
        ("update_user", {"login": "bob", "version": 1, "patch": {"capacity": 2400.0}}),
        ("week", {"week": 202648}),
        ("week", {"week": "2026-W48", "first_day": False}),
    ],
)
def test_wrong_json_types_are_refused_never_coerced(
    server: LiveServer, operation: str, body: dict[str, object]
) -> None:
    admin = LocalBackend(server.database, "alice")
    token = server.token_for("alice")
    before = admin.last_change()
    refused = assert_refused(post(server, operation, body, token))
    assert refused["detail"]
    assert admin.last_change() == before
    assert admin.locked_until() is None


#: Weeks at the calendar's edges: 9999-W52 ends in the year 10000, 2026 has 53 weeks
#: and 2027 has 52.
EDGE_WEEKS = {"0001-W01": 200, "2026-W53": 200, "9999-W51": 200, "9999-W52": 422, "2027-W53": 422}


def week_bodies(week: str) -> dict[str, dict[str, object]]:
    """A request for every operation that takes a week."""
    return {
        "week": {"week": week},
        "submit_week": {"week": week},
        "add_week_row": {"week": week, "task": "WEB-1"},
        "remove_week_row": {"week": week, "task": "WEB-1"},
        "copy_week_rows": {"source": week, "target": week},
        "list_planned_work": {"user": "bob", "week": week},
        "workload": {"start": week, "weeks": 1},
    }


@pytest.mark.parametrize("week", sorted(EDGE_WEEKS))
def test_every_week_the_calendar_holds_works_and_others_are_refused(
    server: LiveServer, week: str
) -> None:
    bodies = week_bodies(week)
    taking_a_week = {o.name for o in operations().values() if IsoWeek in o.params.values()}
    #: A review, the answer to carol's submit just before it, the state it leaves.
    review = {
        "approve_week": (200, "approved"),
        "reopen_week": (423, "draft"),  # an approved week cannot be submitted again
        "reject_week": (200, "rejected"),
    }
    assert taking_a_week == set(bodies) | set(review) | {"set_review"}
    token = server.token_for("alice")
    for operation, body in bodies.items():
        response = post(server, operation, body, token)
        if EDGE_WEEKS[week] == 422:
            assert_refused(response)
        else:
            assert response.status_code == 200, (operation, response.text)
    carol = server.token_for("carol")
    for operation, (answer, state) in review.items():
        submitted = post(server, "submit_week", {"week": week}, carol)
        body = {"login": "carol", "week": week, "note": "no"}
        if operation != "reject_week":
            del body["note"]
        reviewed = post(server, operation, body, token)
        if EDGE_WEEKS[week] == 422:
            assert_refused(submitted)
            assert_refused(reviewed)
        else:
            assert submitted.status_code == answer, submitted.text
            assert reviewed.json()["state"] == state, reviewed.text
    # putting a review back (what undo does) reads the week too; version 0 is stale
    body = {"login": "carol", "week": week, "state": "submitted", "version": 0}
    put_back = post(server, "set_review", body, token)
    if EDGE_WEEKS[week] == 422:
        assert_refused(put_back)
    else:
        assert put_back.status_code == 409, put_back.text


# --- idempotency keys are the sender's own ------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A team (alice admin, bob and carol members) on a SQLite file or PostgreSQL."""
    if request.param == "sqlite":
        url, drop = str(tmp_path / "server.db"), None
    else:
        postgres = request.getfixturevalue("postgres_server")
        url, drop = postgres.create_database(), postgres.drop_database
    database = Database.open(url, create=True)
    admin = LocalBackend(database, "alice")
    admin.me()
    admin.create_user("bob", "Bob")
    admin.create_user("carol", "Carol")
    admin.create_project("WEB", "Web site")
    admin.create_task("WEB", "Fix login")
    try:
        yield database
    finally:
        database.close()
        if drop is not None:
            drop(url)


def test_an_idempotency_key_is_the_senders_own(any_store: Database) -> None:
    with live_server(any_store) as server:
        tokens = {login: server.token_for(login) for login in ("bob", "carol")}
        key = "0b6e5c1c-5b8e-4a53-9a61-2f0c1d7e9a10"

        def add_time(login: str, minutes: int) -> httpx.Response:
            return httpx.post(
                f"{server.url}/api/v1/add_time",
                json={"task": "WEB-1", "day": DAY.isoformat(), "minutes": minutes},
                headers={"Authorization": f"Bearer {tokens[login]}", "Idempotency-Key": key},
            )

        assert add_time("bob", 30).status_code == 200
        carols = add_time("carol", 45)  # the same key, another person: her own write
        assert carols.status_code == 200, carols.text
        assert carols.json()["minutes"] == 45
        before = LocalBackend(any_store, "alice").last_change()
        replay = add_time("bob", 30)  # bob's own key again: a replay, done once
        assert (replay.status_code, replay.content) == (204, b"")
        assert replay.headers["Idempotent-Replay"] == "true"
        assert (
            add_time("carol", 45).status_code,
            LocalBackend(any_store, "alice").last_change(),
        ) == (
            204,
            before,
        )
    for login, minutes in (("bob", 30), ("carol", 45)):
        sheet = LocalBackend(any_store, login).week(WEEK)
        assert [(e.user, e.minutes) for e in sheet.entries] == [(login, minutes)]
    assert LocalBackend(any_store, "alice").get_task("WEB-1").logged == 75


def test_a_key_sent_again_with_another_request_is_refused(any_store: Database) -> None:
    """A key is the sender's promise that a request sent again is the same: the same
    key with another request was answered 204 as a replay and dropped, a member's
    forbidden request under it included (an attacker's trial). The same request again
    (its defaults sent or left out) is still a replay."""
    with live_server(any_store) as server:
        bob = server.token_for("bob")
        key = "f7c1e0a2-reused"

        def send(operation: str, body: dict[str, object]) -> httpx.Response:
            return httpx.post(
                f"{server.url}/api/v1/{operation}",
                json=body,
                headers={"Authorization": f"Bearer {bob}", "Idempotency-Key": key},
            )

        first = {"task": "WEB-1", "day": DAY.isoformat(), "minutes": 10}
        assert send("add_time", first).status_code == 200
        before = LocalBackend(any_store, "alice").last_change()
        assert send("add_time", first).status_code == 204
        assert send("add_time", {**first, "comment": ""}).status_code == 204  # its default
        others: list[tuple[str, dict[str, object]]] = [
            ("add_time", {**first, "minutes": 999}),
            ("add_time", {**first, "task": "WEB-2"}),
            ("lock_period", {"until": "2030-01-01"}),  # not his to do at all
        ]
        for operation, body in others:
            refused = send(operation, body)
            assert refused.status_code == 422, (operation, refused.text)
            assert "was used for another request" in refused.json()["message"]
        assert LocalBackend(any_store, "alice").last_change() == before
        # An integer past 64 bits in a keyed request's arguments: its fingerprint is
        # written all the same (orjson refused it: a 500 the fuzz found).
        staged = httpx.post(
            f"{server.url}/api/v1/stage_import",
            json={
                "batch": "b",
                "part": 0,
                "rows": [
                    {
                        "line": -(10**30),
                        "user": "mia",
                        "day": "2026-11-24",
                        "minutes": 5,
                        "started": "2026-11-24T09:00:00Z",
                        "through": "2026-11-24T09:05:00Z",
                    }
                ],
            },
            headers={"Authorization": f"Bearer {bob}", "Idempotency-Key": "a-big-number"},
        )
        assert staged.status_code in (200, 422), staged.text
    sheet = LocalBackend(any_store, "bob").week(WEEK)
    assert [e.minutes for e in sheet.entries] == [10]
    assert LocalBackend(any_store, "alice").locked_until() is None


# --- hostile text through the API ---------------------------------------------------------

#: Bodies that reach past the lookups, on the `server` fixture's team: what the
#: hostile text is put into, field by field. An operation not here gets `example_body`.
BODIES: dict[str, dict[str, object]] = {
    "add_comment": {"key": "WEB-1", "body": "b"},
    "add_time": {"task": "WEB-1", "day": "2026-11-24", "minutes": 5, "comment": "c"},
    "add_time_off": {"day": "2026-11-24", "minutes": 60, "user": "bob"},
    "add_week_row": {"week": "2026-W48", "task": "WEB-1"},
    "approve_week": {"login": "bob", "week": "2026-W48"},
    "archive_task": {"key": "WEB-1", "version": 1},
    "clear_entry": {"task": "WEB-1", "day": "2026-11-24", "user": "bob"},
    "copy_week_rows": {"source": "2026-W47", "target": "2026-W48"},
    "column_cards": {"project": "WEB", "column_id": 1},
    "count_tasks": {"project": "WEB"},
    "create_column": {"project": "WEB", "name": "n"},
    "create_customer": {"name": "n"},
    "create_project": {"key": "APP", "name": "n", "customer": None},
    "create_task": {"project": "WEB", "title": "t", "description": "d", "tags": ["x"]},
    "create_team": {"name": "n", "lead": "alice"},
    "create_user": {"login": "zoe", "name": "n", "email": "e", "team": "Web"},
    "get_project": {"key": "WEB"},
    "import_rows": {"batch": "b-1", "parts": 1, "file": "kimai a.csv"},
    "get_task": {"key": "WEB-1"},
    "get_user": {"login": "bob"},
    "list_columns": {"project": "WEB"},
    "list_comments": {"key": "WEB-1"},
    "list_entries": {"start": "2026-11-23", "end": "2026-11-29", "user": "bob"},
    "list_planned_work": {"user": "bob", "week": "2026-W48"},
    "list_tasks": {"project": "WEB", "assignee": "bob"},
    "list_time_off": {"start": "2026-11-23", "end": "2026-11-29", "user": "bob"},
    "list_week_states": {"state": "submitted", "user": "bob"},
    "lock_period": {"until": "2000-01-02"},
    "move_task": {"key": "WEB-1", "version": 1, "column_id": 1},
    "reject_week": {"login": "bob", "week": "2026-W48", "note": "n"},
    "remove_week_row": {"week": "2026-W48", "task": "WEB-1"},
    "reopen_week": {"login": "bob", "week": "2026-W48"},
    "set_schedule": {"login": "bob", "minutes": [480, 480, 480, 480, 240, 0, 0]},
    "set_review": {"login": "bob", "week": "2026-W48", "state": "draft", "version": 1, "note": "n"},
    "timer_set": {"task": "WEB-1", "started": "2026-11-25T09:00:00Z"},
    "report": {"start": "2026-11-23", "end": "2026-11-29", "user": "bob", "project": "WEB"},
    "set_entry": {"task": "WEB-1", "day": "2026-11-25", "minutes": 5, "comment": "c"},
    "set_team_lead": {"name": "Web", "lead": "alice"},
    "stage_import": {"batch": "b-1", "part": 0, "rows": []},
    "submit_week": {"week": "2026-W48", "user": "bob"},
    "task_time": {"key": "WEB-1"},
    "timer_start": {"task": "WEB-1"},
    "update_column": {"column_id": 1, "version": 1, "patch": {"name": "n"}},
    "update_project": {"key": "WEB", "version": 1, "patch": {"name": "n", "customer": None}},
    "update_task": {
        "key": "WEB-1",
        "version": 1,
        "patch": {"title": "t", "description": "d", "assignee": "bob", "tags": ["x"]},
    },
    "update_user": {"login": "bob", "version": 1, "patch": {"name": "n", "email": "e"}},
    "week": {"week": "2026-W48", "user": "bob"},
    "workload": {"start": "2026-W48", "weeks": 1, "team": "Web"},
}
#: The hostile corpus, and lone surrogates (sent as the JSON escapes they are).
HOSTILE = [*CORPUS.values(), "\ud800", "a\udfffb", "\ud83d"]
DECLARED = {200, 204, 400, 401, 403, 404, 409, 422, 423}


#: An example value of each type, for an operation with no body in BODIES.
EXAMPLES: dict[object, object] = {
    str: "WEB-1",
    int: 1,
    bool: False,
    date: "2026-11-25",
    IsoWeek: "2026-W48",
}


def example_body(name: str) -> dict[str, object]:
    """A body of the operation's required parameters, each an example of its type."""
    operation = operations()[name]
    required = {
        param: tp
        for param, tp in operation.params.items()
        if operation.signature.parameters[param].default is inspect.Parameter.empty
    }
    assert all(tp in EXAMPLES for tp in required.values()), f"add a body for {name} to BODIES"
    return {param: EXAMPLES[tp] for param, tp in required.items()}


def text_fields(body: dict[str, object]) -> list[tuple[str, ...]]:
    """Where text goes in `body`: each string field (days and weeks are text in JSON
    too), a patch's string fields too."""
    found: list[tuple[str, ...]] = []
    for name, value in body.items():
        if isinstance(value, dict):
            found += [(name, *inner) for inner in text_fields(value)]
        elif value is None or isinstance(value, str | list):
            found.append((name,))
    return found


def with_text(body: dict[str, object], where: tuple[str, ...], text: str) -> dict[str, object]:
    name, *inner = where
    value = body[name]
    if inner:
        assert isinstance(value, dict)
        return {**body, name: with_text(value, tuple(inner), text)}
    return {**body, name: [text] if isinstance(value, list) else text}


def test_hostile_text_in_any_field_of_any_operation_is_never_a_server_error(
    server: LiveServer,
) -> None:
    numbers_only = {int, bool, int | None}
    takes_text = {o.name for o in operations().values() if set(o.params.values()) - numbers_only}
    bodies = {name: BODIES.get(name) or example_body(name) for name in sorted(takes_text)}
    client = httpx.Client(
        base_url=f"{server.url}/api/v1",
        headers={"Authorization": f"Bearer {server.token_for('alice')}"},
    )
    tries, answers = 0, Counter[int]()
    with client:
        for operation, body in bodies.items():
            for where in text_fields(body):
                for text in HOSTILE:
                    sent = json.dumps(with_text(body, where, text))  # \ud800 as an escape
                    response = client.post(
                        f"/{operation}", content=sent, headers={"Content-Type": "application/json"}
                    )
                    tries += 1
                    answers[response.status_code] += 1
                    answer = (
                        json.loads(response.content.decode("utf-8")) if response.content else None
                    )
                    if response.status_code >= 400:
                        assert isinstance(answer, dict) and answer["error"] and answer["message"]
    assert tries > 1000 and answers[500] == 0


#: A row of an import as the wire carries it (`ImportRow`).
IMPORT_ROW: dict[str, object] = {
    "line": 2,
    "user": "bob",
    "day": "2026-11-24",
    "minutes": 30,
    "started": "2026-11-24T08:00:00+00:00",
    "through": "2026-11-24T08:00:00+00:00",
    "comment": "c",
    "task": "",
    "project": "WEB",
    "title": "Fix login",
    "project_name": "",
}


def test_hostile_text_in_any_field_of_an_import_row_is_never_a_server_error(
    server: LiveServer,
) -> None:
    """Each text of a row staged, then imported (and made, with `create`): a refusal
    with its reason or an error body, never a 500, and no part left behind by an import
    the service saw."""
    headers = {"Authorization": f"Bearer {server.token_for('alice')}"}
    answers = Counter[int]()
    left = 0  # parts of imports the API's schema refused: kept for a day
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=headers) as client:
        for field in ("user", "comment", "task", "project", "title", "project_name", "day"):
            for n, text in enumerate(HOSTILE):
                row = {**IMPORT_ROW, field: text}
                batch = f"hostile-{field}-{n}"
                staged = client.post(
                    "/stage_import",
                    content=json.dumps({"batch": batch, "part": 0, "rows": [row]}),
                    headers={"Content-Type": "application/json"},
                )
                answers[staged.status_code] += 1
                body = {"batch": batch, "parts": 1, "file": text, "create": True}
                stored = client.post(
                    "/import_rows",
                    content=json.dumps(body),  # a lone surrogate as its escape
                    headers={"Content-Type": "application/json"},
                )
                answers[stored.status_code] += 1
                left += staged.status_code == 200 and "detail" in stored.json()
                if stored.status_code == 200:
                    result = stored.json()
                    assert result["rows"] + len(result["refused"]) == 1
    assert answers[500] == 0 and answers[200] > 0, answers
    with server.database.read() as s:
        assert s.value("SELECT count(*) FROM import_staged") == left


@pytest.mark.parametrize("number", ["1e400", "-1e400", "Infinity", "NaN"])
def test_a_number_json_cannot_hold_is_a_422_not_a_500(server: LiveServer, number: str) -> None:
    for token in ("wrong", server.token_for("alice")):
        answer = httpx.post(
            f"{server.url}/api/v1/changes_since",
            content=f'{{"seq": {number}}}',
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"] == "invalid"


@pytest.mark.parametrize("path", ["/api/v1/week", "/api/v1/add_time"])
def test_json_nested_past_what_the_parser_follows_is_a_4xx_not_a_500(
    server: LiveServer, path: str
) -> None:
    """Python's JSON parser gives up past about a thousand levels (RecursionError)."""
    deep = '{"week": ' + "[" * 5000 + "]" * 5000 + "}"
    for token in ("wrong", server.token_for("alice")):
        answer = httpx.post(
            f"{server.url}{path}",
            content=deep,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert 400 <= answer.status_code < 500, answer.text


def test_a_body_over_the_limit_is_refused_before_it_is_read(server: LiveServer) -> None:
    """The body is parsed before the token is checked: a huge one must not be held."""
    huge = b'{"name": "' + b"x" * (2 << 20) + b'"}'
    headers = {"Authorization": "Bearer wrong", "Content-Type": "application/json"}
    sized = httpx.post(f"{server.url}/api/v1/create_customer", content=huge, headers=headers)
    assert sized.status_code == 413 and sized.json()["error"] == "invalid"

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        for start in range(0, len(huge), 65536):
            yield huge[start : start + 65536]

    chunked = httpx.post(f"{server.url}/api/v1/create_customer", content=chunks(), headers=headers)
    assert chunked.status_code == 413 and chunked.json()["error"] == "invalid"
    fine = post(server, "create_customer", {"name": "ACME " + "x" * 150}, server.token_for("alice"))
    assert fine.status_code == 200
