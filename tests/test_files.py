"""Files: what tui-board creates has no rights for others (the group's follow a team's
folder); a file that is not ours is refused and left byte for byte as it was, with no
`-wal` or `-shm` beside it; a file on a network filesystem is refused; tokens are
masked. A few checks run the `tui-board` command (in-process, tests/cli_helpers.py), the
rest call the code."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli_helpers import Cli
from tui_board.backend.local import LocalBackend
from tui_board.core.errors import Invalid
from tui_board.files import PRIVATE, SHARED, create_file, write_file
from tui_board.store.database import Database
from tui_board.store.sqlite_file import (
    APPLICATION_ID,
    FileKind,
    check_local_filesystem,
    file_kind,
    filesystem_type,
)


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    """The usual umask, under which a plain `open` makes files every account can read."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def folder_state(folder: Path) -> dict[str, str]:
    """Every file in a folder and the hash of its bytes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def header_application_id(path: Path) -> int:
    with path.open("rb") as handle:
        header = handle.read(100)
    return int.from_bytes(header[68:72], "big")


# --- rights ------------------------------------------------------------------------------------


def test_database_backup_export_and_config_have_no_rights_for_others(tmp_path: Path) -> None:
    runner = Cli(tmp_path)
    runner.ok("init", "--db", str(runner.db))
    assert mode(runner.db) == PRIVATE
    runner.ok("project", "add", "WEB", "Web site")
    runner.ok("task", "add", "WEB", "Fix login")
    runner.ok("log", "1h", "WEB-1")
    runner.ok("db", "backup", str(tmp_path / "copy.db"))
    assert mode(tmp_path / "copy.db") == PRIVATE
    runner.ok("export", "csv", "-o", str(tmp_path / "new.csv"))
    assert mode(tmp_path / "new.csv") == PRIVATE
    old = tmp_path / "old.csv"
    old.write_text("an export from before\n")
    assert mode(old) == 0o644
    runner.ok("export", "csv", "-o", str(old), "--force")
    assert mode(old) == PRIVATE and old.read_text().startswith("date,user,")
    runner.ok("config", "set", "bare_unit", "minutes")  # no token in it: owner-only still
    assert mode(tmp_path / "config.toml") == PRIVATE
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_wal_and_shm_take_the_database_files_mode(tmp_path: Path) -> None:
    """SQLite gives `-wal` and `-shm` the database file's mode (checked, not assumed)."""
    path = tmp_path / "board.db"
    database = Database.open(str(path), create=True)
    try:
        LocalBackend(database, "ada").me()
        with database.read():  # a held connection keeps both files in place
            assert {p.name: mode(p) for p in tmp_path.iterdir()} == {
                "board.db": PRIVATE,
                "board.db-wal": PRIVATE,
                "board.db-shm": PRIVATE,
            }
    finally:
        database.close()


def other_group() -> int:
    """A group this process may give files to, other than its own."""
    if os.geteuid() == 0:
        return 4242
    others = [g for g in os.getgroups() if g != os.getegid()]
    if not others:
        pytest.skip("needs root or a second group to give files to")
    return others[0]


@pytest.mark.parametrize("setgid", [True, False], ids=["setgid", "plain"])
def test_a_team_folder_gives_its_group_read_and_write(tmp_path: Path, setgid: bool) -> None:
    """The README's shared-server setup: a group-writable folder of the team's group.
    With its setgid bit the kernel gives new files the group; without it, the file is
    given the folder's group. Others get nothing either way."""
    team = tmp_path / "team"
    team.mkdir()
    gid = other_group()
    os.chown(team, -1, gid)
    team.chmod(0o2770 if setgid else 0o770)
    path = team / "board.db"
    database = Database.open(str(path), create=True)
    try:
        LocalBackend(database, "ada").me()
        with database.read():
            made = [path, team / "board.db-wal", team / "board.db-shm"]
            if not setgid:  # the companions are the creator's group: the README asks setgid
                made = [path]
            for file in made:
                assert (file.name, mode(file), file.stat().st_gid) == (file.name, SHARED, gid)
        database.backup(team / "copy.db")
        assert (mode(team / "copy.db"), (team / "copy.db").stat().st_gid) == (SHARED, gid)
    finally:
        database.close()
    write_file(team / "report.csv", "x\n")
    assert mode(team / "report.csv") == SHARED
    write_file(team / "config.toml", "x\n", private=True)
    assert mode(team / "config.toml") == PRIVATE


def test_a_board_in_a_new_folder_of_the_teams_folder_is_the_teams(tmp_path: Path) -> None:
    """`init --db /srv/team/q1/board.db` under umask 002: q1 is made as mkdir makes it in
    the setgid team folder (its group's, group-writable), not for its maker alone (the
    rest of the team got 'Permission denied')."""
    team = tmp_path / "team"
    team.mkdir()
    gid = other_group()
    os.chown(team, -1, gid)
    team.chmod(0o2770)
    old = os.umask(0o002)
    try:
        database = Database.open(str(team / "q1" / "board.db"), create=True)
        database.close()
    finally:
        os.umask(old)
    q1 = team / "q1"
    assert q1.stat().st_gid == gid and mode(q1) & 0o070 == 0o070
    assert mode(q1 / "board.db") == SHARED


def test_a_private_folder_keeps_files_to_their_owner(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    create_file(tmp_path / "a")
    assert mode(tmp_path / "a") == PRIVATE
    with pytest.raises(FileExistsError):
        create_file(tmp_path / "a")
    with pytest.raises(FileExistsError):
        write_file(tmp_path / "a", "over")
    assert (tmp_path / "a").read_text() == ""
    write_file(tmp_path / "a", "over", replace=True)
    assert (tmp_path / "a").read_text() == "over" and mode(tmp_path / "a") == PRIVATE


def test_the_token_is_masked_in_every_listing(tmp_path: Path) -> None:
    runner = Cli(tmp_path)
    token = "tb_" + "s3cr3t" * 7
    set_out = runner.run("config", "set", "token", token, db=False)
    assert set_out.code == 0, set_out.stderr
    config = tmp_path / "config.toml"
    assert mode(config) == PRIVATE and token in config.read_text()
    listing = runner.run("config", "list", db=False).stdout
    as_json = json.loads(runner.run("config", "list", "--json", db=False).stdout)
    got = runner.run("config", "get", "token", db=False).stdout
    for shown in (set_out.stdout, listing, json.dumps(as_json), got):
        assert "s3cr3t" not in shown
    assert as_json["token"] == got.strip() == "tb_…cr3t"
    assert f"token = {got.strip()}" in listing
    revealed = runner.run("config", "get", "token", "--reveal", db=False)
    assert revealed.stdout.strip() == token


# --- foreign files ----------------------------------------------------------------------------


def another_apps_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.commit()
    conn.close()


def another_apps_wal_sqlite(path: Path) -> None:
    another_apps_sqlite(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


def another_alembic_app(path: Path) -> None:
    another_apps_sqlite(path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    conn.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
    conn.commit()
    conn.close()


def another_application_id(path: Path) -> None:
    """Another application's id, even with a revision that looks like ours."""
    another_alembic_app(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0003'")
    conn.execute("PRAGMA application_id = 1234")
    conn.commit()
    conn.close()


def another_alembic_app_numbered_like_us(path: Path) -> None:
    """Another application whose migrations are numbered as ours are (0003), with a
    `users` table too: the revision alone must not make it ours."""
    another_alembic_app(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0003'")
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT)")
    conn.commit()
    conn.close()


def sqlite_without_tables(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")  # writes the header, no table
    conn.close()


def text_file(path: Path) -> None:
    path.write_text("date,hours\n2026-05-11,8\n")


def short_sqlite_header(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00 and then nothing")


def zero_length(path: Path) -> None:
    path.touch()


FOREIGN: dict[str, Callable[[Path], None]] = {
    "another app's SQLite": another_apps_sqlite,
    "another app's SQLite in WAL mode": another_apps_wal_sqlite,
    "another app using Alembic": another_alembic_app,
    "another application id": another_application_id,
    "another app numbered like us": another_alembic_app_numbered_like_us,
    "SQLite without tables": sqlite_without_tables,
    "a text file": text_file,
    "a short SQLite header": short_sqlite_header,
    "a zero-length file": zero_length,
}


@pytest.mark.parametrize("make", FOREIGN.values(), ids=FOREIGN.keys())
@pytest.mark.parametrize("migrate", [True, False], ids=["open", "open-no-migrate"])
def test_a_file_that_is_not_ours_is_refused_untouched(
    tmp_path: Path, make: Callable[[Path], None], migrate: bool
) -> None:
    path = tmp_path / "other.db"
    make(path)
    before = folder_state(tmp_path)
    with pytest.raises(Invalid) as caught:
        Database.open(str(path), migrate=migrate)
    message = caught.value.message
    assert str(path) in message and "\n" not in message
    assert "not a tui-board database" in message or "empty file" in message
    assert folder_state(tmp_path) == before  # the same bytes, no -wal, no -shm


NOT_EMPTY = {name: make for name, make in FOREIGN.items() if make is not zero_length}


@pytest.mark.parametrize("make", NOT_EMPTY.values(), ids=NOT_EMPTY.keys())
def test_init_makes_no_board_in_a_file_with_something_in_it(
    tmp_path: Path, make: Callable[[Path], None]
) -> None:
    path = tmp_path / "other.db"
    make(path)
    before = folder_state(tmp_path)
    with pytest.raises(Invalid):
        Database.open(str(path), create=True)
    assert folder_state(tmp_path) == before


@pytest.mark.parametrize(
    "command",
    [
        ("user", "list"),
        ("db", "upgrade"),
        ("db", "backup", "{folder}/copy.db"),
    ],
    ids=" ".join,
)
def test_commands_refuse_another_apps_database_in_one_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    runner = Cli(tmp_path)
    another_apps_wal_sqlite(runner.db)
    before = folder_state(tmp_path)
    result = runner.run(*(a.format(folder=tmp_path) for a in command))
    assert result.code != 0
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("tui-board: ")
    assert str(runner.db) in result.stderr
    assert folder_state(tmp_path) == before


@pytest.mark.parametrize("create", [False, True], ids=["open", "init"])
def test_a_device_a_fifo_or_a_folder_is_no_database(tmp_path: Path, create: bool) -> None:
    """`/dev/null` reads as empty: it must not become a board, nor lose its mode."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    null_mode = os.stat("/dev/null").st_mode
    for path in (Path("/dev/null"), fifo, tmp_path):
        with pytest.raises(Invalid, match="not a regular file"):
            Database.open(str(path), create=create)
    assert os.stat("/dev/null").st_mode == null_mode
    assert [p.name for p in tmp_path.iterdir()] == ["fifo"]


def test_an_empty_file_is_no_board_until_init_is_asked_to_use_it(tmp_path: Path) -> None:
    runner = Cli(tmp_path)
    runner.db.touch()
    assert mode(runner.db) == 0o644
    visit = runner.run("user", "list", user="mallory")
    assert visit.code != 0 and "tui-board init --db" in visit.stderr
    assert folder_state(tmp_path) == {"team.db": hashlib.sha256(b"").hexdigest()}
    runner.ok("init", "--db", str(runner.db))
    assert header_application_id(runner.db) == APPLICATION_ID
    assert mode(runner.db) == PRIVATE
    users = runner.json("user", "list")
    assert [(u["login"], u["role"]) for u in users] == [("alice", "admin")]


def test_init_marks_the_file_as_ours(tmp_path: Path) -> None:
    path = tmp_path / "board.db"
    Database.open(str(path), create=True).close()
    assert header_application_id(path) == APPLICATION_ID
    assert file_kind(path) is FileKind.OURS


def test_a_board_made_before_the_mark_is_recognised_without_a_trace_then_marked(
    tmp_path: Path,
) -> None:
    """A file made by an older tui-board has no application id: its Alembic revision
    says it is ours, read without creating `-wal` or `-shm`; opening it marks it."""
    path = tmp_path / "board.db"
    Database.open(str(path), create=True).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 0")  # as an older tui-board left it
    conn.close()
    before = folder_state(tmp_path)
    assert file_kind(path) is FileKind.OURS_UNMARKED
    assert folder_state(tmp_path) == before
    database = Database.open(str(path))
    try:
        assert LocalBackend(database, "ada").me().role == "admin"
    finally:
        database.close()
    assert header_application_id(path) == APPLICATION_ID


def test_backup_keeps_an_existing_file_unless_forced(tmp_path: Path) -> None:
    runner = Cli(tmp_path)
    runner.ok("init", "--db", str(runner.db))
    target = tmp_path / "notes.db"
    another_apps_sqlite(target)
    before = folder_state(tmp_path)
    kept = runner.run("db", "backup", str(target))
    assert kept.code != 0 and "--force" in kept.stderr
    # `db backup` leaves its database open (a process's exit closes it, and SQLite then
    # removes -wal and -shm): collect it as that exit would, then compare.
    gc.collect()
    assert folder_state(tmp_path) == before
    itself = runner.run("db", "backup", str(runner.db), "--force")
    assert itself.code != 0 and "the database itself" in itself.stderr
    runner.ok("db", "backup", str(target), "--force")
    assert file_kind(target) is FileKind.OURS and mode(target) == PRIVATE
    # a folder that is not there is not made (a typo made a tree of them)
    astray = runner.run("db", "backup", str(tmp_path / "no" / "such" / "copy.db"))
    assert astray.code != 0 and astray.stderr == (
        f"tui-board: no folder {tmp_path / 'no' / 'such'}: make it first, or name another\n"
    )
    assert not (tmp_path / "no").exists()


# --- network filesystems ------------------------------------------------------------------------

# A real NFS, SMB or sshfs mount cannot be made here (no root on a server, no network):
# the decision is tested on a mountinfo text, and the real check on this machine's tmp_path.
MOUNTINFO = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
40 27 0:40 / /srv/team rw,relatime shared:7 - nfs4 fs:/export/team rw,vers=4.2
41 40 254:1 / /srv/team/local rw,relatime - ext4 /dev/vdb rw
42 27 0:42 / /mnt/win rw,relatime - cifs //pc/share rw
43 27 0:43 / /home/bob/remote rw,nosuid - fuse.sshfs bob@host:/ rw
44 27 0:44 / /mnt/my\\040share rw - smb3 //nas/my rw
45 27 0:45 / /mnt/c rw - 9p drvfs rw
46 27 8:1 / /mnt/usb rw - fuseblk /dev/sdb1 rw
47 27 0:47 / /mnt/old rw - nfs server:/old rw
48 47 0:48 / /mnt/old rw - tmpfs tmpfs rw
"""


@pytest.mark.parametrize(
    ("path", "kind", "refused"),
    [
        ("/home/alice/board.db", "ext4", False),
        ("/srv/team/board.db", "nfs4", True),
        ("/srv/team/local/board.db", "ext4", False),
        ("/srv/teamwork/board.db", "ext4", False),
        ("/mnt/win/board.db", "cifs", True),
        ("/home/bob/remote/board.db", "fuse.sshfs", True),
        ("/mnt/my share/board.db", "smb3", True),
        ("/mnt/c/board.db", "9p", True),
        ("/mnt/usb/board.db", "fuseblk", False),
        ("/mnt/old/board.db", "tmpfs", False),  # mounted over: the last mount wins
    ],
)
def test_the_mount_of_a_file_decides(path: str, kind: str, refused: bool) -> None:
    assert filesystem_type(Path(path).parent, MOUNTINFO) == kind
    if refused:
        with pytest.raises(Invalid) as caught:
            check_local_filesystem(Path(path), MOUNTINFO)
        message = caught.value.message
        assert f"network filesystem ({kind})" in message
        assert "shared" in message and "tui-board serve" in message
    else:
        check_local_filesystem(Path(path), MOUNTINFO)


def test_a_local_folder_is_not_refused(tmp_path: Path) -> None:
    check_local_filesystem(tmp_path / "board.db")  # this machine's /proc/self/mountinfo
    Database.open(str(tmp_path / "board.db"), create=True).close()


def test_an_unwritable_target_is_one_line(tmp_path: Path) -> None:
    runner = Cli(tmp_path)
    runner.ok("init", "--db", str(runner.db))
    for args in (
        ("db", "backup", str(tmp_path / "team.db-nope" / "x" / "copy.db")),
        ("export", "csv", "-o", str(tmp_path / "nope" / "time.csv")),
    ):
        (tmp_path / "team.db-nope").write_text("a file where a folder should be")
        result = runner.run(*args)
        assert result.code != 0 and "Traceback" not in result.stderr
        assert result.stderr.startswith(
            ("tui-board: cannot write ", "tui-board: no folder ")  # backup makes none
        )
        assert result.stderr.count("\n") == 1 and ".tmp" not in result.stderr


@pytest.mark.parametrize("aimed_at", ["a new file", "an empty file"])
def test_init_makes_no_board_through_a_symbolic_link(tmp_path: Path, aimed_at: str) -> None:
    """A member who can write the team folder must not aim an admin's `init` at a file
    of their choosing."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "victim"
    if aimed_at == "an empty file":
        target.touch()
    runner = Cli(tmp_path)
    runner.db.symlink_to(target)
    before = folder_state(elsewhere)
    result = runner.run("init", "--db", str(runner.db), db=False)
    assert result.code != 0
    assert (
        result.stderr
        == f"tui-board: {runner.db} is a symbolic link; init makes a board only at a real path\n"
    )
    assert folder_state(elsewhere) == before
