"""The server's read cache (`server/cache.py`) and its front: a read is answered from
memory only at the state of the store it was computed at, as the caller it was computed
for; a write by anyone, through any process, is seen by the next read.

Real servers on loopback ports, on a SQLite file and on PostgreSQL (two server
processes' worth: two apps on one database)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.conftest import MutableClock, PostgresServer
from tests.live_server import LiveServer, live_server
from tui_board.backend.local import LocalBackend
from tui_board.core.weeks import IsoWeek
from tui_board.server.cache import ReadCache
from tui_board.store.database import Database

DAY = date(2026, 11, 24)
#: Requests with a generous timeout: the suite may run on a machine busy with other work.
POST = functools.partial(httpx.post, timeout=60)
WEEK = IsoWeek.of(DAY)


def team(database: Database) -> None:
    admin = LocalBackend(database, "alice")
    admin.me()
    admin.create_user("bob", "Bob")
    admin.create_user("carol", "Carol")
    admin.create_project("WEB", "Web site")
    admin.create_task("WEB", "Fix login")


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(str(tmp_path / "cache.db"), create=True)
    team(database)
    yield database
    database.close()


@pytest.fixture
def server(sqlite_db: Database) -> Iterator[LiveServer]:
    with live_server(sqlite_db) as running:
        yield running


def cache_of(server: LiveServer) -> ReadCache:
    cache = server.app.read_cache
    assert isinstance(cache, ReadCache)
    return cache


def week_of(server: LiveServer, token: str) -> httpx.Response:
    return POST(
        f"{server.url}/api/v1/week",
        json={"week": str(WEEK)},
        headers={"Authorization": f"Bearer {token}"},
    )


def minutes(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [e["minutes"] for e in response.json()["entries"]]


def test_a_read_again_at_the_same_state_is_answered_from_memory(server: LiveServer) -> None:
    token = server.token_for("bob")
    LocalBackend(server.database, "bob").set_entry("WEB-1", DAY, 30)
    cache = cache_of(server)
    first = week_of(server, token)
    hits = cache.hits
    second = week_of(server, token)
    assert cache.hits == hits + 1
    assert second.content == first.content and minutes(second) == [30]


def test_a_write_by_another_process_is_seen_by_the_next_read(server: LiveServer) -> None:
    """The file written directly (as `tui-board log` on the server's machine does), not
    through this server: its `data_version` moves."""
    token = server.token_for("bob")
    assert minutes(week_of(server, token)) == []
    week_of(server, token)  # now kept
    other = Database.open(str(server.database.path))
    try:
        LocalBackend(other, "bob").set_entry("WEB-1", DAY, 45)
    finally:
        other.close()
    assert minutes(week_of(server, token)) == [45]


def test_each_caller_gets_their_own_answer(server: LiveServer) -> None:
    bob, carol = server.token_for("bob"), server.token_for("carol")
    LocalBackend(server.database, "bob").set_entry("WEB-1", DAY, 30)
    week_of(server, bob)
    week_of(server, bob)
    assert week_of(server, carol).json()["user"] == "carol"
    assert minutes(week_of(server, carol)) == []


def test_a_revoked_token_is_refused_though_its_answer_was_kept(server: LiveServer) -> None:
    token = server.token_for("bob")
    week_of(server, token)
    assert week_of(server, token).status_code == 200
    assert LocalBackend(server.database, "alice").revoke_tokens("bob") == 1
    assert week_of(server, token).status_code == 401


def test_errors_are_not_kept(server: LiveServer) -> None:
    token = server.token_for("bob")
    cache = cache_of(server)
    url = f"{server.url}/api/v1/get_task"
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(2):
        assert POST(url, json={"key": "WEB-9"}, headers=headers).status_code == 404
    hits = cache.hits
    assert POST(url, json={"key": "WEB-9"}, headers=headers).status_code == 404
    assert cache.hits == hits


def test_a_new_day_is_a_new_answer(sqlite_db: Database, clock: MutableClock) -> None:
    """Reads that depend on the day (the workload's planned spread) are kept per day."""
    with live_server(sqlite_db, clock=clock) as server:
        token = server.token_for("bob")
        cache = cache_of(server)
        week_of(server, token)
        week_of(server, token)
        hits = cache.hits
        clock.advance(days=1)
        week_of(server, token)
        assert cache.hits == hits


def test_the_framework_still_answers_what_is_not_well_formed(server: LiveServer) -> None:
    """What the front does not answer itself (a body the model refuses, no token, a bad
    `Idempotency-Key`, a body that is not JSON) gets the framework's own answer."""
    token = server.token_for("bob")
    url = f"{server.url}/api/v1/week"
    auth = {"Authorization": f"Bearer {token}"}
    unknown = POST(url, json={"week": str(WEEK), "extra": 1}, headers=auth)
    assert unknown.status_code == 422 and unknown.json()["detail"]
    assert POST(url, json={"week": str(WEEK)}).status_code == 401
    bad_key = {**auth, "Idempotency-Key": "x" * 65}
    assert POST(url, json={"week": str(WEEK)}, headers=bad_key).status_code == 422
    not_json = POST(url, content=b"{", headers={**auth, "Content-Type": "application/json"})
    assert not_json.status_code == 422
    assert POST(url, json={"week": "2026-W99"}, headers=auth).status_code == 422


def test_postgres_two_servers_read_each_others_writes_at_once(
    postgres_server: PostgresServer,
) -> None:
    """Two server processes' worth on one database: a write answered by one is in the
    next read answered by the other, though the other kept that read's answer."""
    url = postgres_server.create_database()
    database = Database.open(url, create=True)
    try:
        team(database)
        with live_server(database) as one, live_server(database) as two:
            token = one.token_for("bob")
            # Kept: answered from memory while the cluster's snapshot stands still (any
            # transaction id taken anywhere in the cluster moves it on: a busy shared
            # cluster, as a test run beside others, makes it try a few times).
            for _ in range(200):
                assert minutes(week_of(two, token)) == []
                if cache_of(two).hits:
                    break
            assert cache_of(two).hits >= 1
            for n in range(1, 21):
                response = POST(
                    f"{one.url}/api/v1/add_time",
                    json={"task": "WEB-1", "day": DAY.isoformat(), "minutes": 1},
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"k{n}"},
                )
                assert response.status_code == 200, response.text
                assert minutes(week_of(two, token)) == [n]
    finally:
        database.close()
        postgres_server.drop_database(url)


def test_two_tokens_in_one_request_are_read_as_the_framework_reads_them(
    server: LiveServer,
) -> None:
    """The first `Authorization` header counts (as Starlette reads headers), and the
    same two headers in the other order are another request, not a kept answer."""
    bob, carol = server.token_for("bob"), server.token_for("carol")
    url = f"{server.url}/api/v1/week"
    body = f'{{"week": "{WEEK}"}}'.encode()
    for first, second, whose in ((bob, carol, "bob"), (carol, bob, "carol"), (bob, carol, "bob")):
        headers = [
            ("Content-Type", "application/json"),
            ("Authorization", f"Bearer {first}"),
            ("Authorization", f"Bearer {second}"),
        ]
        answer = POST(url, content=body, headers=headers)
        assert answer.json()["user"] == whose


def test_what_is_kept_stays_within_its_bytes(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `MAX_BYTES` (answers, their requests and tokens) the oldest go first; a
    large request is answered and not kept."""
    from tui_board.server import cache as cache_module

    monkeypatch.setattr(cache_module, "MAX_BYTES", 3000)
    token = server.token_for("bob")
    cache = cache_of(server)
    headers = {"Authorization": f"Bearer {token}"}
    for n in range(1, 9):
        week = IsoWeek(2026, n)
        answer = POST(f"{server.url}/api/v1/week", json={"week": str(week)}, headers=headers)
        assert answer.status_code == 200
        assert cache._bytes <= 3000
    assert 0 < len(cache._answers) < 8
    padded = ('{"project": "WEB"' + " " * 10_000 + "}").encode()
    url = f"{server.url}/api/v1/list_tasks"
    misses = cache.misses
    for _ in range(2):
        answer = POST(url, content=padded, headers={**headers, "Content-Type": "application/json"})
        assert answer.status_code == 200 and answer.json()[0]["key"] == "WEB-1"
    assert cache.misses == misses + 2
