"""Files tui-board creates: never readable by other accounts; files it reads its own
settings and queued writes from: never changeable by other accounts.

A database, its backups and exports hold a team's time, and the config file an API
token. Each is created with no rights for others, whatever the umask. The group may read
and write a file only when its folder is the team's (group-writable, as the README's
shared-server setup makes it), and the file then belongs to the folder's group. SQLite
gives a database's `-wal` and `-shm` files the database file's mode, so they follow.

What a person's own files say is trusted: the config names the server their token goes
to, the offline queue holds writes sent with their token, a theme is drawn in their
terminal. So each is read only when no other account could have put it there
(`untrusted`, as OpenSSH's StrictModes checks `~/.ssh`), and the folders tui-board makes
for them are its owner's alone (`private_folder`), whatever the umask.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
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


#: A folder only its owner may enter (what `private_folder` makes).
PRIVATE_FOLDER = 0o700


def private_folder(folder: Path) -> None:
    """Make `folder` and the folders above it that are missing, each for its owner only
    (the XDG rule for the folders of a person's settings and data): a group-writable
    `~/.config` made under umask 002 would let the group replace what is read there."""
    missing: list[Path] = []
    for item in (folder, *folder.parents):
        if item.is_dir():
            break
        missing.append(item)
    for item in reversed(missing):
        with suppress(FileExistsError):
            item.mkdir(mode=PRIVATE_FOLDER)
            item.chmod(PRIVATE_FOLDER)  # (the umask may have taken bits from `mode` only)


def untrusted(path: Path) -> str | None:
    """Why another account could have written what `path` holds, or None when none
    could: `path` (when it exists) and every folder above it belong to this account or
    to root, and no one else may write to them. A folder with the sticky bit (`/tmp`)
    lets others make entries but not rename or remove ours, so it may be shared; a
    group's right to write is no one else's when the group is this account's own (a
    user-private group, as systems with umask 002 give each person). Symbolic links are
    followed, and where they lead is checked the same way."""
    absolute = Path(os.path.abspath(path))
    uid = os.getuid()
    for chain, follow in ((absolute, False), (Path(os.path.realpath(path)), True)):
        for item in (chain, *chain.parents):
            try:
                info = os.stat(item) if follow else os.lstat(item)
            except FileNotFoundError:
                continue  # not made yet: what it would be made in is checked
            except OSError as error:
                return f"{item} cannot be checked ({error.strerror})"
            if stat.S_ISLNK(info.st_mode):
                # A link is as trusted as the folder it is in (checked next), and where
                # it leads (the second chain); its owner counts only in a folder anyone
                # may add to (/tmp), where another account may have made it.
                if info.st_uid not in (uid, 0) and _sticky(item.parent):
                    return f"{item} belongs to {_login(info.st_uid)}"
                continue
            if info.st_uid not in (uid, 0):
                return f"{item} belongs to {_login(info.st_uid)}"
            shared = stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX
            if info.st_mode & stat.S_IWOTH and not shared:
                return f"anyone may write to {item}"
            if info.st_mode & stat.S_IWGRP and not shared:
                if _has_acl(item):  # the group bits are the ACL's mask: who else is in it
                    return f"{item} has an access control list (getfacl) letting others in"
                if not _own_group(info.st_gid):
                    return f"the group {_group(info.st_gid)} may write to {item}"
    return None


def _sticky(folder: Path) -> bool:
    try:
        return bool(os.stat(folder).st_mode & stat.S_ISVTX)
    except OSError:
        return False


def _has_acl(item: Path) -> bool:
    """Whether `item` has a POSIX access ACL (its group bits are then the ACL's mask,
    which may let named accounts write)."""
    try:
        os.getxattr(item, "system.posix_acl_access")
    except OSError:
        return False
    return True


def check_trusted(path: Path, what: str) -> None:
    """Raise Invalid, in one line, when another account could have written `path`."""
    from tui_board.core.errors import Invalid

    reason = untrusted(path)
    if reason is not None:
        raise Invalid(
            f"{what} {path} is not read: {reason}; make it yours and writable by you "
            "alone (chown, chmod go-w), or remove it"
        )


def _login(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _group(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return f"gid {gid}"


@cache
def _own_group(gid: int) -> bool:
    """Whether only this account is in group `gid` (as a member, or by its primary
    group)."""
    import grp
    import pwd

    uid = os.getuid()
    try:
        members = grp.getgrgid(gid).gr_mem
        me = pwd.getpwuid(uid).pw_name
    except KeyError:
        return False
    if any(member != me for member in members):
        return False
    return all(entry.pw_uid == uid for entry in pwd.getpwall() if entry.pw_gid == gid)


__all__ = [
    "PRIVATE",
    "PRIVATE_FOLDER",
    "SHARED",
    "check_trusted",
    "create_file",
    "folder_mode",
    "keep_private",
    "new_file",
    "private_folder",
    "untrusted",
    "write_file",
]
