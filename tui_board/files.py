"""Files tui-board creates: never readable by other accounts.

A database, its backups and exports hold a team's time, and the config file an API
token. Each is created with no rights for others, whatever the umask. The group may read
and write a file only when its folder is the team's (group-writable, as the README's
shared-server setup makes it), and the file then belongs to the folder's group. SQLite
gives a database's `-wal` and `-shm` files the database file's mode, so they follow.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

#: Only the owner reads and writes.
PRIVATE = 0o600
#: The owner and the folder's group (a team's folder on a shared server).
SHARED = 0o660


def folder_mode(folder: Path) -> int:
    """The mode a new file in `folder` gets: SHARED in a group-writable folder (the
    team's), PRIVATE anywhere else."""
    return SHARED if folder.stat().st_mode & stat.S_IWGRP else PRIVATE


def _secure(fd: int, folder: Path, *, private: bool) -> None:
    """Give an open file the mode its folder implies, in the folder's group."""
    info = os.stat(folder)
    mode = PRIVATE if private else folder_mode(folder)
    if mode == SHARED and os.fstat(fd).st_gid != info.st_gid:
        try:  # a folder without the setgid bit: new files are in the creator's group
            os.fchown(fd, -1, info.st_gid)
        except PermissionError:  # not in the folder's group: keep the file to oneself
            mode = PRIVATE
    os.fchmod(fd, mode)


def create_file(path: Path, *, private: bool = False) -> None:
    """Create `path`, empty, with the rights its folder implies (`private`: owner only,
    wherever it is). An existing `path` is a FileExistsError and is left alone."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW
    fd = os.open(path, flags, PRIVATE)  # never wider than PRIVATE before `_secure`
    try:
        _secure(fd, path.parent, private=private)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def keep_private(path: Path) -> None:
    """Give an existing file (an empty one `init` was told to use) the rights its
    folder implies; a file of someone else's keeps its own."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):  # never a device such as /dev/null
            with suppress(PermissionError):
                _secure(fd, path.parent, private=False)
    finally:
        os.close(fd)


@contextmanager
def new_file(path: Path, *, replace: bool = False, private: bool = False) -> Iterator[Path]:
    """A new file for the block to fill, with the rights `create_file` gives it.

    Without `replace` it is `path` itself, which must not exist (FileExistsError). With
    `replace` the block fills a file of a unique name beside `path`, which then replaces
    `path` in one step: readers never see half a file, and an old file's wider rights
    do not carry over. If the block fails, nothing it made is left behind."""
    target = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp") if replace else path
    create_file(target, private=private)
    try:
        yield target
        if replace:
            os.replace(target, path)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def write_file(path: Path, text: str, *, replace: bool = False, private: bool = False) -> None:
    """Write `text` (UTF-8) to a new file at `path`, as `new_file` makes it."""
    with new_file(path, replace=replace, private=private) as target:
        target.write_text(text, encoding="utf-8")


__all__ = [
    "PRIVATE",
    "SHARED",
    "create_file",
    "folder_mode",
    "keep_private",
    "new_file",
    "write_file",
]
