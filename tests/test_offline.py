"""The server goes away: time typed meanwhile is kept on disk and lands exactly once."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from tests.live_server import LiveServer, bobs_team
from tui_board.backend.local import LocalBackend
from tui_board.backend.remote import RemoteBackend
from tui_board.core.errors import Invalid
from tui_board.core.weeks import IsoWeek
from tui_board.store.database import Database

MONDAY = date(2026, 11, 23)


def test_entries_typed_offline_survive_a_restart_and_land_exactly_once(tmp_path: Path) -> None:
    database = bobs_team(tmp_path)
    admin = LocalBackend(database, "alice")
    server = LiveServer(database).start()
    token = server.token_for("bob")
    url, port = server.url, server.port
    queue_dir = tmp_path / "offline"
    bob = RemoteBackend.connect(url, token, queue_dir=queue_dir)
    assert bob.me().login == "bob"
    server.stop()

    typed = [(MONDAY, 60), (date(2026, 11, 24), 90), (date(2026, 11, 25), 30)]
    for day, minutes in typed:
        provisional = bob.add_time("WEB-1", day, minutes, comment="offline")
        assert provisional is not None
        assert (provisional.id, provisional.minutes, provisional.user) == (0, minutes, "bob")
    assert not bob.online
    assert [w.arguments["minutes"] for w in bob.pending_writes()] == [60, 90, 30]
    bob.close()  # the app is closed while the server is down
    queued = bob.queue.path.read_text()

    restarted = LiveServer(database, port=port).start()
    try:
        reopened = RemoteBackend.connect(url, token, queue_dir=queue_dir)
        assert len(reopened.pending_writes()) == 3
        assert reopened.sync() == (3, [])
        assert reopened.pending_writes() == []
        # the same queue once more, as if every answer had been lost on the way back
        reopened.queue.path.write_text(queued)
        assert reopened.sync() == (3, [])
        assert reopened.sync() == (0, [])
        sheet = LocalBackend(database, "bob").week(IsoWeek.of(MONDAY))
        assert [(e.day, e.minutes, e.comment) for e in sheet.entries] == [
            (day, minutes, "offline") for day, minutes in typed
        ]
        assert admin.get_task("WEB-1").logged == 180
        reopened.close()
    finally:
        restarted.stop()
        database.close()


def test_a_write_refused_on_replay_is_kept_and_reported(tmp_path: Path) -> None:
    database = bobs_team(tmp_path)
    admin = LocalBackend(database, "alice")
    server = LiveServer(database).start()
    token = server.token_for("bob")
    bob = RemoteBackend.connect(server.url, token, queue_dir=tmp_path / "offline")
    port = server.port
    server.stop()
    bob.add_time("WEB-1", MONDAY, 45)
    admin.lock_period(MONDAY)  # meanwhile the admin locks that day
    restarted = LiveServer(database, port=port).start()
    try:
        sent, refused = bob.sync()
        assert sent == 0
        assert [w.arguments["minutes"] for w in refused] == [45]
        assert bob.pending_writes() == []
        [kept] = bob.queue.refused()
        assert "locked" in kept.refused
        assert LocalBackend(database, "bob").week(IsoWeek.of(MONDAY)).entries == ()
    finally:
        restarted.stop()
        database.close()


def bobs_submitted_week(tmp_path: Path) -> Database:
    """Bob's team, his week of MONDAY submitted with an hour in it."""
    database = bobs_team(tmp_path)
    bob = LocalBackend(database, "bob")
    bob.set_entry("WEB-1", MONDAY, 60)
    bob.submit_week(IsoWeek.of(MONDAY))
    return database


def test_a_queue_planted_by_another_account_is_not_sent(tmp_path: Path) -> None:
    """Another account swapped my queue's folder for one of theirs holding an approval:
    nothing goes out with my token, and the command says why."""
    database = bobs_submitted_week(tmp_path)
    server = LiveServer(database).start()
    try:
        queue_dir = tmp_path / "offline"
        alice = RemoteBackend.connect(server.url, server.token_for("alice"), queue_dir=queue_dir)
        planted = {"login": "bob", "week": str(IsoWeek.of(MONDAY))}
        alice.queue.add(alice.queue.new_id(), "approve_week", planted)
        os.chown(queue_dir, 65534, 65534)
        with pytest.raises(Invalid, match=r"offline queue's folder .* belongs to nobody"):
            alice.me()
        assert LocalBackend(database, "bob").week(IsoWeek.of(MONDAY)).state.state == "submitted"
        alice.close()
    finally:
        server.stop()
        database.close()


def test_only_time_is_sent_from_the_queue(tmp_path: Path) -> None:
    """A line that is not a time write (only those wait offline) is refused on replay,
    kept in the refused file, and not sent: here an approval in the admin's own queue."""
    database = bobs_submitted_week(tmp_path)
    server = LiveServer(database).start()
    try:
        alice = RemoteBackend.connect(
            server.url, server.token_for("alice"), queue_dir=tmp_path / "offline"
        )
        planted = {"login": "bob", "week": str(IsoWeek.of(MONDAY))}
        alice.queue.add(alice.queue.new_id(), "approve_week", planted)
        alice.queue.add(alice.queue.new_id(), "add_time", {
            "task": "WEB-1", "day": "2026-11-30", "minutes": 15, "comment": "", "user": None,
        })  # fmt: skip
        sent, refused = alice.sync()
        assert sent == 1 and [w.operation for w in refused] == ["approve_week"]
        assert "not a write that waits offline" in alice.queue.refused()[0].refused
        assert LocalBackend(database, "bob").week(IsoWeek.of(MONDAY)).state.state == "submitted"
        alice.close()
    finally:
        server.stop()
        database.close()


def test_time_logged_from_the_shell_while_the_server_is_away_is_said_to_be_queued(
    tmp_path: Path,
) -> None:
    """Not "Logged ... that cell now holds 0:30": nothing is stored yet. Then the next
    command that reaches the server sends it."""
    database = bobs_team(tmp_path)
    server = LiveServer(database).start()
    token, url, port = server.token_for("bob"), server.url, server.port
    server.stop()
    try:
        queued = run_cli(["--server", url, "--token", token, "log", "30m", "WEB-1"], home=tmp_path)
        assert queued.code == 0, queued.stderr
        assert queued.stdout.startswith("Queued 0:30 on WEB-1 for ") and "now holds" not in (
            queued.stdout
        )
        restarted = LiveServer(database, port=port).start()
        try:
            sent = run_cli(["--server", url, "--token", token, "week", "--json"], home=tmp_path)
            assert sent.code == 0, sent.stderr
            assert sum(e["minutes"] for e in json.loads(sent.stdout)["entries"]) == 30
            assert sent.stderr == "Sent 1 entry typed while the server was down.\n"
            again = run_cli(["--server", url, "--token", token, "week"], home=tmp_path)
            assert again.code == 0 and again.stderr == ""  # said once
        finally:
            restarted.stop()
    finally:
        database.close()


def test_time_queued_from_the_shell_and_refused_later_is_said_by_the_next_command(
    tmp_path: Path,
) -> None:
    """The server refuses queued time when it is back (over 24:00 a day, a task that is
    not there, a locked day): the next command says which and why on stderr; it said
    nothing, and the time was only in the refused file."""
    database = bobs_team(tmp_path)
    admin = LocalBackend(database, "alice")
    server = LiveServer(database).start()
    token, url, port = server.token_for("bob"), server.url, server.port
    server.stop()
    remote = ["--server", url, "--token", token]
    try:
        for line in (
            ["log", "15h", "WEB-1", "--date", str(MONDAY)],
            ["log", "10h", "WEB-1", "--date", str(MONDAY)],
            ["log", "10m", "NOPE-9", "--date", str(MONDAY)],
        ):
            queued = run_cli([*remote, *line], home=tmp_path)
            assert queued.code == 0 and queued.stdout.startswith("Queued"), queued.stderr
        restarted = LiveServer(database, port=port).start()
        try:
            told = run_cli([*remote, "week", "--week", str(IsoWeek.of(MONDAY))], home=tmp_path)
            assert told.code == 0, told.stderr
            lines = told.stderr.splitlines()
            assert lines[0] == "Sent 1 entry typed while the server was down."
            assert lines[1].startswith("The server refused add_time WEB-1 2026-11-23 10:00: ")
            assert "24:00" in lines[1]
            assert lines[2].startswith("The server refused add_time NOPE-9 2026-11-23 0:10: ")
            assert "NOPE" in lines[2]
            assert lines[3].startswith("They are kept in the offline folder")
            assert len(lines) == 4
            assert admin.get_task("WEB-1").logged == 15 * 60
        finally:
            restarted.stop()
    finally:
        database.close()
