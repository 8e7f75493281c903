"""The schema: Alembic's migrations make exactly the tables of `tables.py`, the code
knows the newest revision, old local files are backed up before an upgrade, and SQLite
connections are set up as DESIGN.md section 3 says (WAL, busy timeout, foreign keys,
BEGIN IMMEDIATE for writes)."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import UniqueConstraint, inspect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import SQLModel

from tests.conftest import fresh_sqlite
from tui_board.backend.local import LocalBackend
from tui_board.core.errors import Invalid, NotFound
from tui_board.core.weeks import IsoWeek
from tui_board.store import tables  # noqa: F401 - registers the tables
from tui_board.store.database import MIGRATIONS_DIR, SCHEMA_HEAD, Database
from tui_board.store.file import BUSY_TIMEOUT_MS
from tui_board.store.sqlite_file import our_revisions

TABLES = {t.name for t in SQLModel.metadata.sorted_tables}


def alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    database = fresh_sqlite(sqlite_template, tmp_path)
    yield database
    database.close()


def with_rows(database: Database) -> Database:
    admin = LocalBackend(database, "ada")
    admin.me()
    admin.create_user("mia", "Mia")
    admin.create_project("WEB", "Website")
    admin.create_task("WEB", "a card")
    return database


def row_counts(path: Path) -> dict[str, int]:
    """Rows per table, of the tables the file has (an old schema has fewer)."""
    conn = sqlite3.connect(path)
    try:
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in sorted(TABLES & present)
        }
    finally:
        conn.close()


# --- the code and the migrations agree ----------------------------------------------------------


def test_schema_head_is_alembics_only_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [SCHEMA_HEAD]


def test_the_revisions_an_old_file_is_recognised_by_are_alembics() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert our_revisions() == {r.revision for r in script.walk_revisions()}


def test_every_migration_has_a_downgrade() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    for revision in script.walk_revisions():
        assert callable(getattr(revision.module, "downgrade", None)), revision.revision


def schema_diffs(database: Database) -> list[Any]:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


Shape = tuple[set[str], dict[str, set[str]], dict[str, set[frozenset[str]]]]


def stored_shape(database: Database) -> Shape:
    """Tables, index names and unique column sets as the database has them."""
    inspector = inspect(database.engine)
    names = set(inspector.get_table_names()) - {"alembic_version"}
    indexes = {
        t: {str(i["name"]) for i in inspector.get_indexes(t) if "duplicates_constraint" not in i}
        for t in names
    }
    uniques = {
        t: {frozenset(u["column_names"]) for u in inspector.get_unique_constraints(t)}
        for t in names
    }
    return names, indexes, uniques


def declared_shape() -> Shape:
    """The same, as `tables.py` declares them."""
    declared = SQLModel.metadata.sorted_tables
    indexes = {t.name: {str(i.name) for i in t.indexes} for t in declared}
    uniques = {
        t.name: {
            frozenset(c.name for c in u.columns)
            for u in t.constraints
            if isinstance(u, UniqueConstraint)
        }
        for t in declared
    }
    return {t.name for t in declared}, indexes, uniques


def test_a_fresh_sqlite_store_matches_the_tables_exactly(tmp_path: Path) -> None:
    database = Database.open(str(tmp_path / "new.db"), create=True)
    try:
        assert database.schema_revision() == SCHEMA_HEAD
        assert schema_diffs(database) == []
        assert stored_shape(database) == declared_shape()
    finally:
        database.close()


def test_a_fresh_postgres_store_matches_the_tables_exactly(
    postgres_session_db: tuple[str, Database],
) -> None:
    _url, database = postgres_session_db
    assert database.schema_revision() == SCHEMA_HEAD
    assert schema_diffs(database) == []
    assert stored_shape(database) == declared_shape()


def test_downgrade_to_nothing_and_back(sqlite_db: Database) -> None:
    config = alembic_config()
    with sqlite_db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert sqlite_db.schema_revision() is None
    assert stored_shape(sqlite_db)[0] == set()
    sqlite_db.upgrade()
    assert sqlite_db.schema_revision() == SCHEMA_HEAD
    assert schema_diffs(sqlite_db) == []
    assert stored_shape(sqlite_db) == declared_shape()


# --- opening ----------------------------------------------------------------------------------


def test_opening_a_missing_file_without_create(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "board.db"
    with pytest.raises(NotFound) as caught:
        Database.open(str(path))
    assert "tui-board init" in caught.value.message
    assert str(path) in caught.value.message
    assert not path.exists() and not path.parent.exists()


def test_opening_with_create_makes_the_file_and_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "board.db"
    database = Database.open(str(path), create=True)
    database.close()
    assert path.exists()
    assert not list(path.parent.glob("*.bak"))  # nothing to back up on a new file


def at_revision(database: Database, revision: str) -> Database:
    config = alembic_config()
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    return database


def test_an_old_local_file_is_backed_up_then_upgraded_on_open(tmp_path: Path) -> None:
    """A file at 0001 (before request ids) opened by this code: a readable copy at
    0001 is made first, then the file is upgraded with every row kept."""
    path = tmp_path / "board.db"
    old = at_revision(Database.connect(str(path)), "0001")
    with old.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO users (login, name, email, role, capacity, work_days, active, version,"
            " created) VALUES ('ada', 'Ada', '', 'admin', 2400, '0,1,2,3,4', 1, 1,"
            " '2026-11-25 10:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO changes (time, user_id, entity, entity_id, action, data)"
            " VALUES ('2026-11-25 10:00:00', 1, 'user', 'ada', 'create', '{}')"
        )
    old.close()
    counts = row_counts(path)

    old_umask = os.umask(0o022)
    try:
        upgraded = Database.open(str(path))
    finally:
        os.umask(old_umask)
    try:
        (backup,) = sorted(tmp_path.glob("board.db.0001-*.bak"))
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # no rights for others
        assert row_counts(backup) == counts
        copy = sqlite3.connect(backup)
        try:
            assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        finally:
            copy.close()
        assert upgraded.schema_revision() == SCHEMA_HEAD
        assert {t: n for t, n in row_counts(path).items() if t in counts} == counts
        assert schema_diffs(upgraded) == []
        assert LocalBackend(upgraded, "ada").me().role == "admin"
    finally:
        upgraded.close()


def _change_with_key(conn: Any, user_id: int, key: str) -> None:
    conn.exec_driver_sql(
        "INSERT INTO changes (time, user_id, entity, entity_id, action, data, request_id)"
        f" VALUES ('2026-11-25 10:00:00', {user_id}, 'entry', 'WEB-1', 'set', '{{}}', '{key}')"
    )


def test_request_ids_are_per_person_from_0004(tmp_path: Path) -> None:
    """Up to 0003 a request id was unique across people; from 0004 per person. Going
    back keeps a key two people used on its first change only."""
    database = at_revision(Database.connect(str(tmp_path / "board.db")), "0003")
    try:
        with database.engine.begin() as conn:
            _change_with_key(conn, 1, "k")
        with pytest.raises(IntegrityError), database.engine.begin() as conn:
            _change_with_key(conn, 2, "k")
        database.upgrade()
        with database.engine.begin() as conn:
            _change_with_key(conn, 2, "k")
        with pytest.raises(IntegrityError), database.engine.begin() as conn:
            _change_with_key(conn, 2, "k")
        at_revision_down(database, "0003")
        with database.engine.connect() as conn:
            keys = conn.exec_driver_sql("SELECT user_id, request_id FROM changes ORDER BY seq")
            assert list(keys) == [(1, "k"), (2, None)]
    finally:
        database.close()


def at_revision_down(database: Database, revision: str) -> None:
    config = alembic_config()
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def test_a_server_database_is_never_upgraded_on_open(postgres_server: Any) -> None:
    url = postgres_server.create_database()
    try:
        at_revision(Database.connect(url), "0001").close()
        with pytest.raises(Invalid) as caught:
            Database.open(url)
        assert "tui-board db upgrade" in caught.value.message
        database = Database.connect(url)
        assert database.schema_revision() == "0001"  # untouched
        database.upgrade()  # what `tui-board db upgrade` does
        assert database.schema_revision() == SCHEMA_HEAD
        assert schema_diffs(database) == []
        database.close()
    finally:
        postgres_server.drop_database(url)


# --- backups --------------------------------------------------------------------------------


def test_backup_is_a_readable_copy_with_the_same_rows(sqlite_db: Database, tmp_path: Path) -> None:
    with_rows(sqlite_db)
    assert sqlite_db.path is not None
    (tmp_path / "copies").mkdir()  # (a folder that is not there is not made)
    copy = sqlite_db.backup(tmp_path / "copies" / "copy.db")
    assert copy == tmp_path / "copies" / "copy.db"
    assert row_counts(copy) == row_counts(sqlite_db.path)
    reopened = Database.open(str(copy))
    try:
        assert [u.login for u in LocalBackend(reopened, "ada").list_users()] == ["ada", "mia"]
    finally:
        reopened.close()


def test_backup_into_a_folder_names_the_file(sqlite_db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    copy = sqlite_db.backup(folder)
    assert copy.parent == folder
    assert copy.name.startswith("board-") and copy.suffix == ".db"
    stamp = copy.stem.removeprefix("board-")
    assert datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=UTC) <= datetime.now(UTC)


def test_backup_needs_a_sqlite_file(
    postgres_session_db: tuple[str, Database], tmp_path: Path
) -> None:
    _url, database = postgres_session_db
    with pytest.raises(Invalid):
        database.backup(tmp_path / "x.db")


# --- SQLite connections -----------------------------------------------------------------------


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(sqlite_db: Database) -> None:
    for _ in range(2):  # every pooled connection, not only the first
        with sqlite_db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
    with sqlite_db.read() as s:
        assert s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(sqlite_db: Database) -> None:
    with pytest.raises(IntegrityError), sqlite_db.write() as s:
        s.connection().exec_driver_sql(
            "INSERT INTO board_columns (project_id, name, position, kind, version) "
            "VALUES (999, 'x', 0, 'open', 1)"
        )


def test_a_write_takes_the_write_lock_when_it_begins(sqlite_db: Database) -> None:
    """BEGIN IMMEDIATE: a second writer waits (here: fails at once) even before the
    first one wrote anything, while readers go on."""
    assert sqlite_db.path is not None
    with sqlite_db.write():
        other = sqlite3.connect(sqlite_db.path, timeout=0, isolation_level=None)
        try:
            assert other.execute("SELECT count(*) FROM users").fetchone() == (0,)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
    with sqlite_db.read():
        other = sqlite3.connect(sqlite_db.path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # a reader holds no write lock
            other.execute("ROLLBACK")
        finally:
            other.close()


def test_a_failed_write_rolls_back(sqlite_db: Database) -> None:
    with pytest.raises(OperationalError), sqlite_db.write() as s:
        s.connection().exec_driver_sql(
            "INSERT INTO customers (name, archived, version) VALUES ('Acme', 0, 1)"
        )
        s.connection().exec_driver_sql("SELECT * FROM no_such_table")
    with sqlite_db.read() as s:
        assert s.connection().exec_driver_sql("SELECT count(*) FROM customers").scalar() == 0


#: A board in use, as the versions with schema 0005 to 0007 wrote it: people, a project
#: with its columns, cards (one archived), time, a comment, a week submitted.
OLD_BOARD_ROWS = [
    "INSERT INTO users (id, login, name, email, role, capacity, work_days, active, version,"
    " created) VALUES (1, 'ada', 'Ada', '', 'admin', 2400, '0,1,2,3,4', 1, 1,"
    " '2026-11-25 10:00:00'), (2, 'mia', 'Mia', '', 'member', 2400, '0,1,2,3,4', 1, 1,"
    " '2026-11-25 10:00:00')",
    "INSERT INTO projects (id, key, name, archived, next_number, version)"
    " VALUES (1, 'WEB', 'Website', 0, 3, 1)",
    "INSERT INTO board_columns (id, project_id, name, position, kind, wip_limit, version)"
    " VALUES (1, 1, 'To do', 0, 'todo', NULL, 1), (2, 1, 'Done', 1, 'done', NULL, 1)",
    "INSERT INTO tasks (id, project_id, number, title, description, column_id, rank,"
    " assignee_id, estimate, due, priority, tags, archived, logged, created, updated, version)"
    " VALUES (1, 1, 1, 'Fix login', '', 1, 1.0, 2, 240, '2026-12-10', 'normal', '', 0, 90,"
    " '2026-11-25 10:00:00', '2026-11-25 10:00:00', 1),"
    " (2, 1, 2, 'Old card', '', 2, 1.0, NULL, NULL, NULL, 'normal', '', 1, 0,"
    " '2026-11-25 10:00:00', '2026-11-25 10:00:00', 1)",
    "INSERT INTO time_entries (id, user_id, task_id, day, minutes, comment, version, updated)"
    " VALUES (1, 2, 1, '2026-11-24', 60, 'started', 1, '2026-11-25 10:00:00'),"
    " (2, 2, 1, '2026-11-25', 30, '', 1, '2026-11-25 10:00:00')",
    "INSERT INTO comments (id, task_id, author_id, body, time)"
    " VALUES (1, 1, 1, 'look at the logs', '2026-11-25 10:00:00')",
    "INSERT INTO week_states (id, user_id, week, state, reviewer_id, note, submitted_minutes,"
    " version, updated, first_day, span_first, span_last) VALUES (1, 2, '2026-W48',"
    " 'submitted', NULL, '', 90, 1, '2026-11-25 10:00:00', 0, '2026-11-23', '2026-11-29')",
]


@pytest.mark.parametrize("revision", ["0005", "0006", "0007"])
def test_a_board_in_use_made_by_an_earlier_version_upgrades_with_its_rows(
    tmp_path: Path, revision: str
) -> None:
    """A board with cards, time and comments at an earlier schema, opened by this code:
    every row is kept, the schema is the declared one, and the app reads and writes it.
    (0007 once failed here on any board with cards: its copy of `tasks` broke a foreign
    key.)"""
    path = tmp_path / "board.db"
    old = at_revision(Database.connect(str(path)), revision)
    with old.engine.begin() as conn:
        for sql in OLD_BOARD_ROWS:
            conn.exec_driver_sql(sql)
    old.close()
    counts = row_counts(path)
    assert counts["tasks"] == 2 and counts["time_entries"] == 2

    upgraded = Database.open(str(path))
    try:
        assert upgraded.schema_revision() == SCHEMA_HEAD
        assert {t: n for t, n in row_counts(path).items() if t in counts} == counts
        assert schema_diffs(upgraded) == []
        mia = LocalBackend(upgraded, "mia")
        assert [e.minutes for e in mia.week(IsoWeek(2026, 48)).entries] == [60, 30]
        assert mia.week(IsoWeek(2026, 48)).state.state == "submitted"
        mia.add_time("WEB-1", date(2026, 12, 1), 30)
        assert mia.get_task("WEB-1").logged == 120
        assert [c.body for c in mia.list_comments("WEB-1")] == ["look at the logs"]
        assert LocalBackend(upgraded, "ada").list_archived("WEB")[0].task.key == "WEB-2"
    finally:
        upgraded.close()
