"""Property-based requests over the server's own OpenAPI spec (schemathesis): every
operation, as an admin, a lead, a member and with whatever `Authorization` the spec
allows, gets no server error, no status code the spec does not declare for it and no
answer that breaks the schema it declares.

The spec is the one a live server serves at /openapi.json, and the requests go to that
server over loopback, on a small team (an admin, a lead, a member, a project with
cards, time on them), once over a SQLite file and once over PostgreSQL (which refuses
what SQLite lets by: NUL in text, integers beyond 32 bits). Generated bodies reuse the
team's real names some of the time (`flatmap_body`), so that requests get past "no
such task" to the code that does the work.

One test per store, each running every operation as a subtest: schemathesis builds an
operation's test (its coverage cases included) when it runs, so each is built once,
by the worker that runs it, not by every worker at collection. What the fuzz found is
pinned down by plain tests at the end, on a team of their own.
"""

from __future__ import annotations

import os
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import MutableClock, PostgresServer
from tests.live_server import LiveServer
from tui_board.backend.local import LocalBackend
from tui_board.core.weeks import IsoWeek
from tui_board.store.database import Database

#: Examples per operation: a few in every run; set TUI_BOARD_FUZZ_EXAMPLES for a
#: longer, randomised hunt (e.g. 300).
DEFAULT_EXAMPLES = 8
EXAMPLES = int(os.environ.get("TUI_BOARD_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))

DAY = date(2026, 11, 25)
WEEK = IsoWeek.of(DAY)

schema = schemathesis.pytest.from_fixture("served_spec")
#: Requests with methods a route does not take get 405 from the framework's router:
#: nothing of ours to test there.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"unexpected-methods": []}}})


class Team:
    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.tokens = {login: server.token_for(login) for login in ("ada", "lee", "mia")}
        #: One connection kept alive for every generated request.
        self.session = requests.Session()


@contextmanager
def serve_team(request: pytest.FixtureRequest, folder: Path) -> Iterator[Team]:
    """The team on a live server over a SQLite file or over PostgreSQL (which refuses
    what SQLite lets by: NUL in text, integers beyond 32 bits), as `request.param`."""
    if request.param == "sqlite":
        url, drop = str(folder / "team.db"), None
    else:
        postgres: PostgresServer = request.getfixturevalue("postgres_server")
        url = postgres.create_database()
        drop = postgres.drop_database
    database = Database.open(url, create=True)
    clock = MutableClock()
    ada = LocalBackend(database, "ada", clock=clock)
    ada.me()
    ada.create_team("core")
    ada.create_user("lee", "Lee", role="lead", team="core")
    ada.create_user("mia", "Mia", team="core")
    ada.set_team_lead("core", "lee")
    ada.create_customer("Acme")
    ada.create_project("WEB", "Website", customer="Acme")
    ada.create_task("WEB", "Fix login", assignee="mia", estimate=240, due=DAY, tags=("ui",))
    ada.create_task("WEB", "Search")
    mia = ada.as_user("mia")
    mia.set_entry("WEB-1", DAY, 90, comment="review")
    mia.add_time_off(DAY, 60)
    mia.timer_start("WEB-2")
    mia.add_comment("WEB-1", "looks good")
    mia.submit_week(IsoWeek(2026, 47))
    server = LiveServer(database, clock=clock).start()
    team = Team(server)
    try:
        yield team
    finally:
        team.session.close()
        server.stop()
        database.close()
        if drop is not None:
            drop(url)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def team(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Team]:
    """The team the fuzz runs on (and changes as it goes)."""
    with serve_team(request, tmp_path_factory.mktemp("fuzz")) as served:
        yield served


#: Real names of the team, which generated bodies use some of the time.
KNOWN: dict[str, list[Any]] = {
    "task": ["WEB-1", "WEB-2", "web-2", f"WEB-{2**70}"],
    "key": ["WEB-1", "WEB-2", "WEB", f"WEB-{2**70}"],
    "project": ["WEB"],
    "login": ["mia", "lee", "ada"],
    "user": ["mia", "lee", None],
    "lead": ["lee", None],
    "team": ["core", None],
    "customer": ["Acme", None],
    "week": [str(WEEK), "2026-W47"],
    "source": ["2026-W47"],
    "target": [str(WEEK)],
    "start": [str(WEEK), "2026-11-23"],
    "day": [DAY.isoformat()],
    "end": ["2026-11-29"],
    "until": ["2026-11-01"],
    "version": [1, 2],
    "column_id": [1, 2, 5],
    "time_off_id": [1],
    "minutes": [30, 90],
}


def flatmap_body(_context: Any, body: Any) -> Any:
    """A generated body with some of its fields set to the team's real names."""
    if not isinstance(body, dict):
        return st.just(body)
    return st.fixed_dictionaries(
        {
            name: st.sampled_from([value, *KNOWN[name]]) if name in KNOWN else st.just(value)
            for name, value in body.items()
        }
    )


@pytest.fixture
def served_spec(team: Team) -> Any:
    """The spec as the live server serves it."""
    spec = schemathesis.openapi.from_url(f"{team.server.url}/openapi.json", config=CONFIG)
    spec.hook(flatmap_body)
    return spec


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES == DEFAULT_EXAMPLES,
    suppress_health_check=list(HealthCheck),
)
@schema.parametrize()
def test_no_server_error_and_no_answer_outside_the_spec(case: Any, team: Team) -> None:
    if case.path == "/api/v1/changes" and case.query:
        case.query["wait"] = 0  # a long poll waits by design; test_server.py covers it
    response = case.call(base_url=team.server.url, session=team.session, headers=_auth(case, team))
    case.validate_response(
        response,
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )


def _auth(case: Any, team: Team) -> dict[str, str]:
    """Most requests as a person of the team (an admin, a lead or a member), a quarter
    with the generated `Authorization` (or none): picked from what is sent, so that a
    failing example picks the same again."""
    sent = f"{case.method} {case.path} {case.query!r} {case.body!r}"
    people = [*team.tokens.values(), None]
    token = people[zlib.crc32(sent.encode("utf-8", "surrogatepass")) % len(people)]
    return {"authorization": f"Bearer {token}"} if token else {}


# --- what the fuzz found, pinned down -------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def pinned(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Team]:
    """The team again, out of the fuzz's way (it locks periods, submits weeks...); the
    tests below change nothing they or the others read."""
    with serve_team(request, tmp_path_factory.mktemp("pinned")) as served:
        yield served


def _post(team: Team, operation: str, body: Any, **headers: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {team.tokens['ada']}", **headers}
    url = f"{team.server.url}/api/v1/{operation}"
    if isinstance(body, bytes):
        headers["Content-Type"] = "application/json"
        return httpx.post(url, content=body, headers=headers)
    return httpx.post(url, json=body, headers=headers)


def _last_change(team: Team) -> int:
    return int(_post(team, "last_change", {}).json())


def test_a_replayed_write_is_answered_without_a_body_and_done_once(pinned: Team) -> None:
    name, key = f"team-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    first = _post(pinned, "create_team", {"name": name}, **{"Idempotency-Key": key})
    assert first.status_code == 200 and first.json()["name"] == name
    seen = _last_change(pinned)
    again = _post(pinned, "create_team", {"name": name}, **{"Idempotency-Key": key})
    assert (again.status_code, again.content) == (204, b"")
    assert again.headers["Idempotent-Replay"] == "true"
    assert _last_change(pinned) == seen
    # a read that carries a key some write used is answered all the same
    teams = _post(pinned, "list_teams", {}, **{"Idempotency-Key": key})
    assert teams.status_code == 200 and name in [t["name"] for t in teams.json()]


@pytest.mark.parametrize(
    ("operation", "body", "status"),
    [
        ("create_team", b'{"name": "\xff"}', 400),  # not UTF-8
        ("create_team", b"{not json", 422),
        ("create_team", {"name": "x", "lead": "ada", "colour": "red"}, 422),
        ("create_team", {"name": "a\x00b"}, 422),
        ("update_task", {"key": "WEB-1", "version": 2**31, "patch": {"title": "x"}}, 422),
        ("update_task", {"key": "WEB-1", "version": 1, "patch": {"title": None}}, 422),
        ("update_user", {"login": "mia", "version": 1, "patch": {"email": None}}, 422),
        ("update_project", {"key": "WEB", "version": 1, "patch": {"name": None}}, 422),
        ("get_task", {"key": f"WEB-{2**70}"}, 404),  # names no task, on every store
        ("timer_start", {"task": f"WEB-{2**40}"}, 404),
        ("add_time", {"task": f"WEB-{2**70}", "day": "2026-11-25", "minutes": 5}, 404),
        ("list_tasks", {"offset": 2**31, "limit": 1}, 422),
    ],
)
def test_what_the_store_cannot_take_is_refused_with_the_error_body(
    pinned: Team, operation: str, body: Any, status: int | None
) -> None:
    seen = _last_change(pinned)
    response = _post(pinned, operation, body)
    assert response.status_code == status if status else response.status_code in (404, 422)
    answer = response.json()
    assert answer["error"] in ("error", "invalid", "not_found") and answer["message"]
    assert _last_change(pinned) == seen


def test_the_change_feed_refuses_a_seq_beyond_the_store(pinned: Team) -> None:
    response = httpx.get(
        f"{pinned.server.url}/api/v1/changes",
        params={"since": 2**31},
        headers={"Authorization": f"Bearer {pinned.tokens['ada']}"},
    )
    assert response.status_code == 422 and response.json()["error"] == "invalid"


def test_null_is_taken_where_the_field_takes_it(pinned: Team) -> None:
    task = _post(pinned, "create_task", {"project": "WEB", "title": "t", "assignee": "ada"})
    assert task.status_code == 200, task.text
    patch = {"key": task.json()["key"], "version": 1, "patch": {"assignee": None}}
    cleared = _post(pinned, "update_task", patch)
    assert cleared.status_code == 200 and cleared.json()["assignee"] is None
