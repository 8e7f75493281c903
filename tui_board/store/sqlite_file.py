"""Whether a SQLite file may be used as a board, decided before anything is written.

Opening a file with SQLite and migrating it would add our tables to whatever it is and
switch it to WAL for good. So a file is first recognised as ours from its header, read
as plain bytes: SQLite's `application_id` (offset 68), which `init` sets. A file made
before that is recognised by its `alembic_version` table holding one of our revisions,
read through an `immutable=1` URI that creates no `-wal` or `-shm`; it gets the
application id when it is opened for use. Anything else is refused with one line and
left byte for byte as it was. An empty file is refused too (its first visitor would
become the admin of a new board) unless `init` was asked to use it.

WAL needs memory shared between processes through the `-shm` file, which network
filesystems do not provide: on NFS, SMB or a FUSE mount a board would be corrupted, so
the file's mount is looked up and such a file is refused, pointing to the team server.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import threading
from contextlib import suppress
from enum import Enum
from pathlib import Path

from tui_board import files
from tui_board.core.errors import Invalid, NotFound, StoreFailed

#: Our SQLite `application_id`: "TUIB" as a big-endian 32-bit number.
APPLICATION_ID = int.from_bytes(b"TUIB", "big")
SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
APPLICATION_ID_OFFSET = 68

MOUNTINFO = Path("/proc/self/mountinfo")
#: Filesystems whose locking or shared memory WAL cannot rely on. Every FUSE
#: filesystem (`fuse.sshfs`, `fuse.rclone`, ...) is among them; `fuseblk` (a local disk
#: through FUSE, such as ntfs-3g) is not.
NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smbfs", "smb3", "9p", "afs", "ceph", "glusterfs", "lustre", "fuse"}
)
TEAM_SERVER_HINT = (
    "run `tui-board serve` on the machine whose disk holds it and point everyone at "
    "it (README: A team server)"
)


class FileKind(Enum):
    """What a path holds, as far as opening it as a board goes."""

    MISSING = "missing"
    EMPTY = "empty"
    OURS = "ours"
    #: Ours, made before the application id: recognised by its Alembic revision.
    OURS_UNMARKED = "ours, unmarked"
    FOREIGN_SQLITE = "a SQLite database of another application"
    NOT_SQLITE = "not a SQLite database"


def our_revisions() -> frozenset[str]:
    """The revisions of our migrations (`0001_initial_schema.py` is `0001`)."""
    versions = Path(__file__).with_name("migrations") / "versions"
    return frozenset(p.name.split("_", 1)[0] for p in versions.glob("[0-9]*_*.py"))


def file_kind(path: Path) -> FileKind:
    """What `path` holds, read without writing anything or creating any file."""
    try:
        # Non-blocking: a FIFO given as --db must not hang the open.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return FileKind.MISSING
    except OSError as error:
        raise Invalid(f"cannot read {path}: {error.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Invalid(f"{path} is not a regular file, so not a tui-board database")
        header = os.pread(fd, HEADER_SIZE, 0)
    except OSError as error:
        raise Invalid(f"cannot read {path}: {error.strerror}") from None
    finally:
        os.close(fd)
    if not header:
        return FileKind.EMPTY
    if len(header) < HEADER_SIZE or not header.startswith(SQLITE_MAGIC):
        return FileKind.NOT_SQLITE
    marked = int.from_bytes(header[APPLICATION_ID_OFFSET : APPLICATION_ID_OFFSET + 4], "big")
    if marked == APPLICATION_ID:
        return FileKind.OURS
    if marked == 0 and unmarked_board_revision(path) in our_revisions():
        return FileKind.OURS_UNMARKED
    return FileKind.FOREIGN_SQLITE


#: The tables every schema of ours has had since the first: a file made before the
#: application id is ours only when it holds them all (a numbered Alembic revision
#: alone names any application that numbers its migrations).
BOARD_TABLES = frozenset(
    {
        "users", "teams", "customers", "projects", "board_columns", "tasks", "comments",
        "time_entries", "timers", "week_states", "time_off", "period_locks", "api_tokens",
        "changes",
    }
)  # fmt: skip
#: Columns of ours that another application's table of the same name is unlikely to have.
BOARD_COLUMNS = {"tasks": {"project_id", "number", "rank"}, "changes": {"seq", "entity_id"}}


def unmarked_board_revision(path: Path) -> str | None:
    """The Alembic revision of a board made before the application id, read
    read-only and `immutable` (no lock, no `-wal`/`-shm`); None when the file is not
    such a board (its tables are not ours) or cannot be read."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables >= BOARD_TABLES:
            return None
        for table, wanted in BOARD_COLUMNS.items():
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            if not wanted <= columns:
                return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return str(row[0]) if row else None


def mark(path: Path) -> None:
    """Set our application id in the file's header."""
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    finally:
        conn.close()


#: The board files this process has open (by device and inode), and how many times.
_held: dict[tuple[int, int], int] = {}
_held_lock = threading.Lock()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)  # no descriptor is opened (see `hold`)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def hold(path: Path) -> tuple[int, int] | None:
    """Note that this process has `path` open as a board (call `release` with what this
    returns when it is closed). While it is held, `prepare` does not read the file again:
    on Linux, closing any descriptor of a file drops every POSIX lock this process holds
    on it, SQLite's included, and another process would then take this one's connections
    for gone: it deletes the `-wal` file under them, and writes are lost or the file is
    damaged. SQLite itself never closes such a descriptor early; our header read would."""
    key = _identity(path)
    if key is not None:
        with _held_lock:
            _held[key] = _held.get(key, 0) + 1
    return key


def release(key: tuple[int, int] | None) -> None:
    if key is None:
        return
    with _held_lock:
        left = _held.get(key, 0) - 1
        if left > 0:
            _held[key] = left
        else:
            _held.pop(key, None)


def is_held(path: Path) -> bool:
    key = _identity(path)
    with _held_lock:
        return key is not None and key in _held


def prepare(path: Path, *, create: bool) -> None:
    """Make `path` ready to open as a board, or refuse it before anything is written.

    A missing file is created (with the rights its folder implies) when `create`; an
    empty one is taken when `create` (what `init` asks), refused otherwise; ours is
    used, marked first if it was made before the mark; anything else is refused. A file
    this process has open as a board already (`hold`) was checked then, and is not read
    again."""
    if is_held(path):
        return
    check_local_filesystem(path)
    kind = file_kind(path)
    if kind is FileKind.MISSING:
        if not create:
            raise NotFound(f"no database at {path}; create one with `tui-board init --db {path}`")
        _make_folder(path.parent)
        try:
            files.create_file(path)
        except FileExistsError:
            raise Invalid(f"{path} was just created by someone else; try again") from None
        mark(path)
    elif kind is FileKind.EMPTY:
        if not create:
            raise Invalid(
                f"{path} is an empty file, not a board; to make a board in it: "
                f"tui-board init --db {path}"
            )
        files.keep_private(path)
        mark(path)
    elif kind is FileKind.OURS_UNMARKED:
        with suppress(sqlite3.Error):  # read-only here: a later writer marks it
            mark(path)
    elif kind is not FileKind.OURS:
        raise Invalid(f"{path} is not a tui-board database ({kind.value}); it was left unchanged")


# --- what SQLite says, in a user's words ----------------------------------------------


def read_only_message(path: Path) -> str:
    return f"read-only: {path} cannot be written by you"


def is_read_only(path: Path) -> bool:
    """Whether the caller cannot write the board at `path`: the file itself, or the
    folder SQLite makes its `-wal` and `-shm` files in (unless both are there to use)."""
    if not os.access(path, os.W_OK):
        return True
    if os.access(path.parent, os.W_OK | os.X_OK):
        return False
    beside = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    return not all(os.access(f, os.W_OK) for f in beside)


def _make_folder(folder: Path) -> None:
    """The folder a new board goes in: the data folder, for its owner only; any other as
    `mkdir` makes it (in a team's setgid folder, its group's, as the team needs)."""
    from tui_board.config import user_data_dir

    if folder.is_dir():
        return
    if os.path.abspath(folder) == os.path.abspath(user_data_dir()):
        files.private_folder(folder)
    else:
        folder.mkdir(parents=True, exist_ok=True)


def read_only_uri(path: Path) -> str | None:
    """The URI to read a board at `path` by, when a plain connection cannot: the folder
    is not the reader's to write and no `-shm` is beside the file (nobody has it open),
    so SQLite, which makes a WAL file's `-shm` to read it, would refuse it. Opened
    immutable, read-only, it reads the file as it is. None: a plain connection does."""
    if os.access(path.parent, os.W_OK | os.X_OK) or path.with_name(path.name + "-shm").exists():
        return None
    return f"{path.resolve().as_uri()}?mode=ro&immutable=1"


def file_state(path: Path) -> tuple[int, int, int, bool, bool]:
    """What changes when a board file is written: its inode, size and time, and whether
    a `-wal` and a `-shm` are beside it (an immutable reader's check)."""
    try:
        info = os.stat(path)
    except OSError:
        return (0, 0, 0, False, False)
    beside = [path.with_name(path.name + suffix).exists() for suffix in ("-wal", "-shm")]
    return (info.st_ino, info.st_size, info.st_mtime_ns, beside[0], beside[1])


#: SQLite's words (as its error messages begin) and what they mean for a board.
_SQLITE_SAYS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("attempt to write a readonly database",), "{readonly}"),
    (
        ("file is not a database", "database disk image is malformed", "malformed database"),
        "{path} is damaged and cannot be read as a board (SQLite: {detail}); restore it "
        "from a backup, such as the .bak files beside it",
    ),
    (
        ("unable to open database file",),
        "cannot open {path}: it must be a file that you may read and write, in a folder "
        "you may write",
    ),
    (
        ("database is locked", "database table is locked"),
        "{path} is busy: another program has held it for over 10 seconds; try again",
    ),
    (("database or disk is full",), "cannot write {path}: the disk is full"),
    (("disk i/o error",), "cannot read or write {path}: the disk reported an I/O error"),
)


def store_error(error: BaseException, path: Path | None) -> StoreFailed | None:
    """What a SQLite error a user can cause (a read-only, damaged, busy or full file)
    means, as one sentence; None for any other error (a bug: shown as one)."""
    cause = getattr(error, "orig", None) or error
    if not isinstance(cause, sqlite3.Error):
        return None
    detail = (str(cause).splitlines() or [""])[0]
    said = detail.lower()
    where = str(path) if path is not None else "the database"
    for starts, sentence in _SQLITE_SAYS:
        if said.startswith(starts):
            readonly = read_only_message(path) if path is not None else "the database is read-only"
            return StoreFailed(sentence.format(path=where, detail=detail, readonly=readonly))
    return None


# --- network filesystems ------------------------------------------------------------------


def _unescape(field: str) -> str:
    """Mount points in mountinfo escape space, tab, newline and backslash as octal."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def filesystem_type(path: Path, mountinfo: str) -> str | None:
    """The type of the filesystem that holds `path` (an absolute path), from the text of
    `/proc/self/mountinfo`: the mount with the longest mount point that contains it (the
    last one mounted, when several share a mount point)."""
    best: tuple[int, str] | None = None
    target = str(path)
    for line in mountinfo.splitlines():
        fields = line.split(" ")
        if "-" not in fields[6:]:
            continue
        separator = fields.index("-", 6)
        if len(fields) <= separator + 1:
            continue
        point = _unescape(fields[4])
        inside = point == "/" or target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= best[0]):
            best = (len(point), fields[separator + 1])
    return best[1] if best else None


def is_network_filesystem(kind: str) -> bool:
    return kind in NETWORK_FILESYSTEMS or kind.startswith("fuse.")


def check_local_filesystem(path: Path, mountinfo: str | None = None) -> None:
    """Refuse a SQLite file on a network filesystem, saying why and what to do."""
    if mountinfo is None:
        try:
            mountinfo = MOUNTINFO.read_text(encoding="utf-8", errors="replace")
        except OSError:  # not Linux: nothing to go by
            return
    kind = filesystem_type(path.resolve().parent, mountinfo)
    if kind is not None and is_network_filesystem(kind):
        raise Invalid(
            f"{path} is on a network filesystem ({kind}): SQLite's WAL needs memory shared "
            f"between processes, which {kind} does not provide, and the board would be "
            f"corrupted; {TEAM_SERVER_HINT}"
        )


__all__ = [
    "APPLICATION_ID",
    "FileKind",
    "check_local_filesystem",
    "file_kind",
    "file_state",
    "filesystem_type",
    "is_read_only",
    "mark",
    "our_revisions",
    "prepare",
    "read_only_message",
    "read_only_uri",
    "store_error",
]
