"""Operations say what they are: declared on the protocol, never guessed from names."""

from __future__ import annotations

import inspect
from datetime import date
from pathlib import Path
from typing import Protocol

import httpx
import pytest
from sqlmodel import col, select

from tests.live_server import live_server
from tui_board.backend.declare import reads, writes
from tui_board.backend.local import LocalBackend
from tui_board.backend.operations import NOT_OPERATIONS, operations, operations_of
from tui_board.backend.protocol import Backend
from tui_board.backend.remote import RemoteBackend
from tui_board.store.database import Database
from tui_board.store.tables import ChangeRow


def test_every_method_of_the_protocol_is_a_declared_operation() -> None:
    methods = {
        name
        for name, _ in inspect.getmembers(Backend, inspect.isfunction)
        if not name.startswith("_")
    }
    assert set(operations()) == methods - NOT_OPERATIONS


def test_the_declarations_are_what_the_operations_do() -> None:
    found = operations()
    assert not found["me"].writes and not found["week"].writes
    assert found["move_task"].writes and found["approve_week"].writes
    queued = {name for name, op in found.items() if op.queue_offline}
    assert queued == {"set_entry", "add_time", "clear_entry"}
    assert all(found[name].writes for name in queued)


def test_a_name_decides_nothing() -> None:
    """`merge_tasks` starts like `me`; a name-based guess took it for a read."""

    class Store(Protocol):
        @writes
        def merge_tasks(self, keep: str, drop: str) -> None: ...
        @reads
        def weekly_digest(self) -> str: ...
        @writes(queue_offline=True)
        def log_minutes(self, minutes: int) -> None: ...

    found = operations_of(Store)
    assert found["merge_tasks"].writes and not found["merge_tasks"].queue_offline
    assert not found["weekly_digest"].writes
    assert found["log_minutes"].writes and found["log_minutes"].queue_offline


def test_an_undeclared_operation_is_an_error_at_once() -> None:
    class Store(Protocol):
        def listed(self) -> list[str]: ...

    with pytest.raises(TypeError, match=r"Store\.listed declares neither @reads nor @writes"):
        operations_of(Store)


def test_every_remote_write_carries_a_key_of_its_own_and_reads_none(tmp_path: Path) -> None:
    """A write the server applied, whose answer was lost, must not apply twice: each
    write (queueable or not) is sent with an `Idempotency-Key`, recorded on its change."""
    database = Database.open(str(tmp_path / "server.db"), create=True)
    admin = LocalBackend(database, "alice")
    admin.me()
    admin.create_project("WEB", "Web site")
    with live_server(database) as server:
        remote = RemoteBackend.connect(
            server.url, server.token_for("alice"), queue_dir=tmp_path / "queue"
        )
        before = admin.last_change()
        made = remote.create_task("WEB", "Through the server")
        remote.move_task(made.key, made.version, made.column_id, 0)
        remote.add_time(made.key, date(2026, 11, 24), 30)
        remote.list_tasks(project="WEB")
        remote.close()
    with database.read() as s:
        keys = s.exec(select(ChangeRow.request_id).where(col(ChangeRow.seq) > before)).all()
    database.close()
    assert len(keys) == 3
    assert all(keys) and len(set(keys)) == 3


@pytest.mark.parametrize("key", ["a\x1b]0;x", "é-key", "a" * 65, "with space"])
def test_an_idempotency_key_is_printable_ascii_or_refused(tmp_path: Path, key: str) -> None:
    """The key is stored on the change it made; it holds nothing a terminal acts on."""
    database = Database.open(str(tmp_path / "server.db"), create=True)
    LocalBackend(database, "alice").me()
    with live_server(database) as server:
        answer = httpx.post(
            f"{server.url}/api/v1/create_customer",
            json={"name": "ACME"},
            headers={
                b"Authorization": f"Bearer {server.token_for('alice')}".encode(),
                b"Idempotency-Key": key.encode("utf-8"),
            },
        )
    if "\x1b" in key:  # the HTTP parser itself refuses a control character in a header
        assert answer.status_code == 400
    else:
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"] == "invalid"
    assert LocalBackend(database, "alice").list_customers() == []
    database.close()
