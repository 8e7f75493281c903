"""The server's read cache (`server/cache.py`) and its front: a read is answered from
memory only at the state of the store it was computed at, as the caller it was computed
for; a write by anyone, through any process, is seen by the next read.

Real servers on loopback ports, on a SQLite file and on PostgreSQL (two server
processes' worth: two apps on one database)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import MutableClock, PostgresServer
from tests.live_server import LiveServer, live_server
from tui_board.backend.local import LocalBackend
from tui_board.core.models import TaskPatch, UserPatch
from tui_board.core.weeks import IsoWeek
from tui_board.server.cache import ReadCache
from tui_board.store.database import Database
from tui_board.store.file import FileDatabase

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


# --- what a write drops: a person's cells drop their weeks, anything else drops all ----------


def read_twice(server: LiveServer, token: str, **body: object) -> httpx.Response:
    """A week read, then the same again: kept by the second time at the latest."""
    url = f"{server.url}/api/v1/week"
    headers = {"Authorization": f"Bearer {token}"}
    POST(url, json={"week": str(WEEK), **body}, headers=headers)
    return POST(url, json={"week": str(WEEK), **body}, headers=headers)


def test_a_persons_cell_write_keeps_the_other_peoples_weeks(server: LiveServer) -> None:
    """Bob logs time from his own shell (the file, not this server): his kept week goes,
    Carol's stays and is answered from memory, as she has changed nothing."""
    bob, carol = server.token_for("bob"), server.token_for("carol")
    LocalBackend(server.database, "carol").set_entry("WEB-1", DAY, 20)
    read_twice(server, bob)
    read_twice(server, carol)
    cache = cache_of(server)
    hits, misses = cache.hits, cache.misses
    other = Database.open(str(server.database.path))
    try:
        LocalBackend(other, "bob").add_time("WEB-1", DAY, 15)
    finally:
        other.close()
    assert minutes(week_of(server, carol)) == [20]
    assert (cache.hits, cache.misses) == (hits + 1, misses)
    assert minutes(week_of(server, bob)) == [15]
    assert cache.misses == misses + 1


def test_a_cell_write_drops_the_week_whoever_read_it(server: LiveServer) -> None:
    """The admin's kept view of Bob's week is about Bob: Bob's write (through this
    server) drops it, and leaves the admin's own week kept."""
    alice, bob = server.token_for("alice"), server.token_for("bob")
    assert minutes(read_twice(server, alice, user="bob")) == []
    read_twice(server, alice)
    response = POST(
        f"{server.url}/api/v1/set_entry",
        json={"task": "WEB-1", "day": DAY.isoformat(), "minutes": 50},
        headers={"Authorization": f"Bearer {bob}"},
    )
    assert response.status_code == 200, response.text
    hits = cache_of(server).hits
    assert minutes(week_of(server, alice)) == []
    assert cache_of(server).hits == hits + 1
    assert minutes(read_twice(server, alice, user="bob")) == [50]


def test_a_week_that_starts_on_another_day_sees_a_cell_in_the_next_iso_week(
    server: LiveServer,
) -> None:
    """A week from Tuesday begins in the ISO week before its own: a cell there drops it."""
    token = server.token_for("bob")
    tuesday_before = WEEK.monday() - timedelta(days=6)
    read = read_twice(server, token, first_day=1)
    assert read.json()["days"][0] == tuesday_before.isoformat() and minutes(read) == []
    other = Database.open(str(server.database.path))
    try:
        LocalBackend(other, "bob").set_entry("WEB-1", tuesday_before, 25)
    finally:
        other.close()
    assert minutes(read_twice(server, token, first_day=1)) == [25]


def test_any_other_write_drops_every_answer(server: LiveServer) -> None:
    """A task renamed is in every week that shows it, though nobody's cells moved."""
    carol = server.token_for("carol")
    LocalBackend(server.database, "carol").set_entry("WEB-1", DAY, 20)
    assert read_twice(server, carol).json()["entries"][0]["task_title"] == "Fix login"
    admin = LocalBackend(Database.open(str(server.database.path)), "alice")
    try:
        task = admin.get_task("WEB-1")
        admin.update_task("WEB-1", task.version, TaskPatch(title="Fix sign-in"))
    finally:
        admin.db.close()
    assert week_of(server, carol).json()["entries"][0]["task_title"] == "Fix sign-in"


@pytest.mark.parametrize("kind", ["orm", "file"])
def test_only_a_write_of_cells_alone_leaves_the_epoch(tmp_path: Path, kind: str) -> None:
    """On each kind of store connection (the server's, a command's): cells written
    leave the epoch; a timer started, and one stopped (a cell and the timer), move it."""
    path = tmp_path / "epoch.db"
    made = Database.open(str(path), create=True)
    team(made)
    made.close()
    database: Any = Database.open(str(path)) if kind == "orm" else FileDatabase.open(path)
    try:

        def epoch() -> int:
            with database.read() as s:
                return int(s.value("SELECT epoch FROM store_epoch WHERE id = 1"))

        bob = LocalBackend(database, "bob")
        before = epoch()
        bob.set_entry("WEB-1", DAY, 30)
        bob.add_time("WEB-1", DAY, 15)
        bob.clear_entry("WEB-1", DAY)
        assert epoch() == before
        bob.timer_start("WEB-1")
        assert epoch() == before + 1
        bob.timer_stop()
        assert epoch() == before + 2
    finally:
        database.close()


def test_postgres_a_persons_cell_write_keeps_the_other_peoples_weeks(
    postgres_server: PostgresServer,
) -> None:
    """Two servers on one database: Bob's time written through one drops his week kept
    by the other, and leaves Carol's kept there (though the cluster's snapshot moves
    with every transaction of every database on it)."""
    url = postgres_server.create_database()
    database = Database.open(url, create=True)
    try:
        team(database)
        LocalBackend(database, "carol").set_entry("WEB-1", DAY, 20)
        with live_server(database) as one, live_server(database) as two:
            bob, carol = one.token_for("bob"), one.token_for("carol")
            read_twice(two, carol)
            cache = cache_of(two)
            for n in range(1, 6):
                response = POST(
                    f"{one.url}/api/v1/add_time",
                    json={"task": "WEB-1", "day": DAY.isoformat(), "minutes": 1},
                    headers={"Authorization": f"Bearer {bob}", "Idempotency-Key": f"k{n}"},
                )
                assert response.status_code == 200, response.text
                assert minutes(week_of(two, bob)) == [n]
                hits = cache.hits
                assert minutes(week_of(two, carol)) == [20]
                assert cache.hits == hits + 1
    finally:
        database.close()
        postgres_server.drop_database(url)


@given(user=st.text(), week=st.text(), rest=st.dictionaries(st.text(), st.integers()))
def test_a_week_answer_is_tagged_by_its_own_user_and_week(
    user: str, week: str, rest: dict[str, int]
) -> None:
    """Read off the answer's start when it begins with them (as the server writes a
    sheet), else from the whole answer: the same person and week either way, whatever
    the text (quotes, backslashes, bidi controls)."""
    from tui_board.server.cache import WEEK_PATH, _week_tag

    rest = {k: v for k, v in rest.items() if k not in ("user", "week")}
    sheet = {"user": user, "week": week, "entries": [], **rest}
    for ascii_only in (True, False):
        answer = json.dumps(sheet, ensure_ascii=ascii_only, separators=(",", ":"))
        tag = _week_tag(WEEK_PATH, answer.encode("utf-8", "surrogatepass"))
        assert tag == (user, week)
    reordered = json.dumps({"week": week, **rest, "user": user}, separators=(",", ":"))
    assert _week_tag(WEEK_PATH, reordered.encode()) == (user, week)


def test_after_more_changes_than_it_reads_at_once_the_cache_reads_on_from_there(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More changes since the last look than it reads at once (another process's
    import, or a burst of writes while this one was idle): every answer goes, and the
    feed is read on from the last change read, so the next cell write drops only its
    writer's week again (it once kept reading the same too many changes at every move,
    and dropped every answer at every write for good)."""
    monkeypatch.setattr("tui_board.server.cache.MAX_CHANGES", 3)
    bob, carol = server.token_for("bob"), server.token_for("carol")
    read_twice(server, bob)
    cache = cache_of(server)
    other = Database.open(str(server.database.path))
    try:
        writer = LocalBackend(other, "carol")
        for n in range(6):  # more than MAX_CHANGES + 1 changes
            writer.set_entry("WEB-1", DAY + timedelta(days=n % 3), 10 + n)
        assert minutes(week_of(server, carol)) == [13, 14, 15]
        forgot = cache.forgot
        read_twice(server, bob)
        writer.add_time("WEB-1", DAY, 1)
        hits = cache.hits
        assert minutes(week_of(server, bob)) == []
        assert cache.hits == hits + 1, "Bob's week was dropped for Carol's cell"
        assert cache.forgot == forgot
        assert minutes(week_of(server, carol)) == [14, 14, 15]
    finally:
        other.close()


def test_the_cache_never_goes_back_to_an_older_look() -> None:
    """Two requests whose looks at the store were read one after the other: the one that
    waited longer for the older look must not take the cache back to it, else an answer
    computed before a change the newer look read could be kept under the older stamp
    and served after that change (the changes between were read already)."""
    from tui_board.server.cache import _Look

    class Store:
        is_sqlite = False

    cache = ReadCache(None, Store(), today=lambda: DAY, max_body=1 << 20)
    bob = json.dumps({"user": "bob", "week": str(WEEK), "entries": []}).encode()
    key = ("/api/v1/week", b"", (), b"{}", DAY)
    start = {"status": 200, "headers": []}
    entry = json.dumps({"user": "carol", "day": DAY.isoformat()})
    cache._move_to(_Look(1, "s1", 5, None, 10, []))
    cache._move_to(_Look(3, "s3", 5, 10, 11, [(11, "entry", entry)]))
    cache._keep("s3", key, start, bob)
    assert cache._answers  # kept at the newer look: Carol's change left Bob's week
    cache._move_to(_Look(2, "s2", 5, 10, 10, []))  # the older look, late
    assert cache._stamp == "s3"
    cache._keep("s2", ("/api/v1/week", b"", (), b"{} ", DAY), start, bob)
    assert len(cache._answers) == 1, "an answer was kept under the older look"


def _holders_are_asked_again_after_every_change_of_who_they_are(
    server: LiveServer, admin: LocalBackend
) -> None:
    bob, carol = server.token_for("bob"), server.token_for("carol")
    cache = cache_of(server)

    def read(token: str, week: IsoWeek, **body: object) -> httpx.Response:
        return POST(
            f"{server.url}/api/v1/week",
            json={"week": str(week), **body},
            headers={"Authorization": f"Bearer {token}"},
        )

    def log(token: str, key: str) -> httpx.Response:
        return POST(
            f"{server.url}/api/v1/add_time",
            json={"task": "WEB-1", "day": DAY.isoformat(), "minutes": 5},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        )

    assert read(bob, WEEK).status_code == 200
    known = cache.known
    assert log(carol, "c1").status_code == 200  # cells alone: the epoch stays
    assert read(bob, WEEK.shift(-1)).status_code == 200  # not kept: the app answers
    assert log(bob, "b1").status_code == 200
    assert cache.known == known + 2, "Bob was asked for again though nothing changed"
    assert read(bob, WEEK, user="carol").status_code == 403
    admin.create_team("Web", lead="bob")
    admin.update_user("carol", admin.get_user("carol").version, UserPatch(team="Web"))
    assert minutes(read(bob, WEEK, user="carol")) == [5]  # he leads her team now
    assert admin.revoke_tokens("bob") == 1
    assert read(bob, WEEK.shift(-2)).status_code == 401
    assert log(bob, "b2").status_code == 401
    assert log(carol, "c2").status_code == 200
    admin.update_user("carol", admin.get_user("carol").version, UserPatch(active=False))
    assert read(carol, WEEK.shift(-3)).status_code == 401
    assert log(carol, "c3").status_code == 401


def test_a_tokens_holder_is_known_until_the_epoch_moves(server: LiveServer) -> None:
    """Who holds a token is not looked up again while the store's epoch stays (cell
    writes leave it), for reads and writes alike; a token revoked, a person made a
    team's lead or deactivated move it, and the next request is checked again."""
    _holders_are_asked_again_after_every_change_of_who_they_are(
        server, LocalBackend(server.database, "alice")
    )


def test_postgres_a_tokens_holder_is_known_until_the_epoch_moves(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.create_database()
    database = Database.open(url, create=True)
    try:
        team(database)
        with live_server(database) as server:
            _holders_are_asked_again_after_every_change_of_who_they_are(
                server, LocalBackend(database, "alice")
            )
    finally:
        database.close()
        postgres_server.drop_database(url)


@pytest.mark.parametrize("day", [date(1, 1, 2), date(9999, 12, 24)])
def test_a_cell_on_the_calendars_first_or_last_days_leaves_every_read_answered(
    server: LiveServer, day: date
) -> None:
    """Bob's cell on the calendar's edge has no week after (or before) it to name: every
    kept answer goes, and the next reads, his and Carol's, are answered (one such write
    made every later read a 500, for everyone)."""
    bob, carol = server.token_for("bob"), server.token_for("carol")
    read_twice(server, carol)
    response = POST(
        f"{server.url}/api/v1/set_entry",
        json={"task": "WEB-1", "day": day.isoformat(), "minutes": 5},
        headers={"Authorization": f"Bearer {bob}"},
    )
    assert response.status_code == 200, response.text
    forgot = cache_of(server).forgot
    assert minutes(week_of(server, carol)) == []
    assert minutes(week_of(server, bob)) == []
    assert cache_of(server).forgot == forgot + 1


def test_postgres_a_look_reads_at_most_its_limit_on_one_plan(
    postgres_server: PostgresServer,
) -> None:
    """The look at PostgreSQL far behind the feed (a server idle while an import ran)
    reads the changes it takes, not every change since (it sorted them all: 6 ms at
    5,000 behind), and its connection plans the statement once for every `since`
    (PostgreSQL planned it anew at each look: 85 us of its CPU, four times the look)."""
    import asyncio

    from tui_board.server.cache import LOOK_SQL, MAX_CHANGES, PG_STAMP, _PostgresLooks

    url = postgres_server.create_database()
    database = Database.open(url, create=True)
    try:
        team(database)
        behind = MAX_CHANGES + 300
        with database.engine.begin() as conn:
            first = conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM changes").scalar_one()
            conn.exec_driver_sql(
                "INSERT INTO changes (time, user_id, entity, entity_id, action, data)"
                " SELECT now(), 1, 'task', 'WEB-1', 'update', '{}'"
                f" FROM generate_series(1, {behind})"
            )
        looks = _PostgresLooks(lambda: 1)

        async def look_and_plan() -> tuple[Any, str, list[Any]]:
            look = await looks.look(database, 0.0, lambda: first)
            conn = looks._conn._conn
            mode = (await (await conn.execute("SHOW plan_cache_mode")).fetchone())[0]
            sql = LOOK_SQL.format(stamp=PG_STAMP)
            sql = sql.replace(":since", "$1").replace(":limit", "$2")
            await conn.execute(f"PREPARE look (bigint, bigint) AS {sql}")
            plan = await conn.execute(
                f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE look({first}, {MAX_CHANGES + 1})"
            )
            return look, mode, (await plan.fetchone())[0]

        try:
            look, mode, plan = asyncio.run(look_and_plan())
        finally:
            looks.close()
        assert look.changes is None  # more than it reads at once: every answer goes
        assert look.last == first + MAX_CHANGES + 1  # and it reads on from there
        assert mode == "force_generic_plan"

        def scans(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
            if node.get("Relation Name") == "changes":
                yield node
            for child in node.get("Plans", []):
                yield from scans(child)

        read = [node["Actual Rows"] for node in scans(plan[0]["Plan"])]
        assert read and max(read) <= MAX_CHANGES + 1, f"the look read {read} changes"
    finally:
        database.close()
        postgres_server.drop_database(url)
