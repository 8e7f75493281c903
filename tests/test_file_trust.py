"""What a person's own files say is read only when no other account could have written
it: the config (it names the server the token goes to), the offline queue (its writes go
out with the token), the undo file, the app's state and the themes. The folders
tui-board makes for them are its owner's alone, whatever the umask.

The tests run as root, and "another account" is a file given to `nobody` (chown) or a
folder others may write to: as an attacker sharing the server would leave them."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_helpers import Cli
from tui_board.config import Config, save_user_value
from tui_board.core.errors import Invalid
from tui_board.files import private_folder, untrusted
from tui_board.kept import load_kept
from tui_board.themes import load_themes

#: An account other than the test's (`nobody`/`nogroup` on Debian).
OTHER = 65534


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def as_an_account_of_its_own() -> Iterator[None]:
    if os.getuid() != 0:
        pytest.skip("needs root: files are given to another account with chown")
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    tmp_path.chmod(0o700)
    return tmp_path


@pytest.mark.parametrize("umask", [0o000, 0o002, 0o022])
def test_the_folders_made_for_a_persons_files_are_theirs_alone(home: Path, umask: int) -> None:
    os.umask(umask)
    target = home / ".config" / "tui-board"
    save_user_value("theme", "tui-board-light", target / "config.toml")
    assert mode(home / ".config") == mode(target) == 0o700
    assert mode(target / "config.toml") == 0o600
    private_folder(home / "data" / "offline")
    assert mode(home / "data") == mode(home / "data" / "offline") == 0o700


def planted_config(folder: Path) -> Path:
    """A config that sends the token to an attacker's server."""
    folder.mkdir(exist_ok=True)
    path = folder / "config.toml"
    path.write_text('server = "http://127.0.0.1:18999"\ntoken = "tb_planted"\n')
    return path


def test_a_config_file_another_account_owns_is_not_read(home: Path) -> None:
    path = planted_config(home / "cfg")
    os.chown(path, OTHER, OTHER)
    with pytest.raises(Invalid, match="belongs to nobody"):
        Config.load(path, site=None)
    with pytest.raises(Invalid, match="belongs to nobody"):
        save_user_value("theme", "tui-board-light", path)
    assert "tui-board-light" not in path.read_text()


@pytest.mark.parametrize(
    ("folder_mode", "group", "reason"),
    [
        (0o777, None, "anyone may write to"),
        (0o770, OTHER, "the group nogroup may write to"),
    ],
)
def test_a_config_in_a_folder_others_may_write_to_is_not_read(
    home: Path, folder_mode: int, group: int | None, reason: str
) -> None:
    """They could have put it there, or replace it tomorrow (the file itself is mine)."""
    path = planted_config(home / "cfg")
    (home / "cfg").chmod(folder_mode)
    if group is not None:
        os.chown(home / "cfg", -1, group)
    with pytest.raises(Invalid, match=reason):
        Config.load(path, site=None)


def test_a_shared_folder_with_the_sticky_bit_keeps_my_own_file_mine(home: Path) -> None:
    """As in /tmp: others may add entries, not rename or remove mine."""
    path = planted_config(home / "cfg")
    (home / "cfg").chmod(0o1777)
    assert Config.load(path, site=None).server == "http://127.0.0.1:18999"
    os.chown(path, OTHER, OTHER)  # but one of theirs is theirs
    with pytest.raises(Invalid, match="belongs to nobody"):
        Config.load(path, site=None)


def test_a_link_is_checked_where_it_leads(home: Path) -> None:
    theirs = planted_config(home / "theirs")
    os.chown(theirs, OTHER, OTHER)
    (home / "mine").mkdir()
    (home / "mine" / "config.toml").symlink_to(theirs)
    with pytest.raises(Invalid, match="belongs to nobody"):
        Config.load(home / "mine" / "config.toml", site=None)


def test_the_command_says_why_in_one_line_and_sends_nothing(home: Path) -> None:
    path = planted_config(home)  # the Cli's config file: <home>/config.toml
    os.chown(path, OTHER, OTHER)
    ran = Cli(home).run("week", db=False)
    assert ran.code != 0 and ran.stdout == ""
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1 and "config.toml is not read: " in lines[0], ran.stderr
    assert "belongs to nobody" in lines[0] and "chmod go-w" in lines[0]


def test_the_apps_state_and_a_theme_another_account_wrote_are_ignored_and_said(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = home / "state.toml"
    state.write_text('theme = "planted"\n')
    os.chown(state, OTHER, OTHER)
    kept, reason = load_kept(state)
    assert kept.theme == "" and reason is not None and "belongs to nobody" in reason
    themes = home / "themes"
    themes.mkdir()
    (themes / "mine.toml").write_text('name = "mine"\nprimary = "#5FA8D3"\n')
    (themes / "planted.toml").write_text('name = "planted"\nprimary = "#FF0000"\n')
    os.chown(themes / "planted.toml", OTHER, OTHER)
    found, problems = load_themes([themes])
    assert "mine" in found and "planted" not in found
    assert any("planted.toml: not read: " in p and "belongs to nobody" in p for p in problems)


def test_the_undo_file_of_another_account_is_not_undone(home: Path) -> None:
    cli = Cli(home)
    cli.ok("init")
    cli.ok("project", "add", "WEB", "Web site")
    cli.ok("task", "add", "WEB", "Fix login")
    cli.ok("log", "30m", "WEB-1")
    undo_file = home / "data" / "undo.json"
    os.chown(undo_file, OTHER, OTHER)
    ran = cli.run("undo")
    assert ran.code != 0 and "undo.json is not read: " in ran.stderr
    assert cli.week_minutes() == 30
    logged = cli.run("log", "15m", "WEB-1")  # still logged; only not kept for undo
    assert logged.code == 0 and "not kept for `undo`" in logged.stderr
    assert cli.week_minutes() == 45


def test_untrusted_says_nothing_of_what_is_only_mine(home: Path) -> None:
    (home / "a" / "b").mkdir(parents=True)
    assert untrusted(home / "a" / "b" / "missing.toml") is None


def test_an_access_control_list_letting_another_account_write_is_not_trusted(
    home: Path,
) -> None:
    """Mode 600 and `setfacl -m u:nobody:rw`: the group bits show the ACL's mask, and a
    user-private group does not make that mine alone (review)."""
    setfacl = shutil.which("setfacl")
    if setfacl is None:
        pytest.skip("setfacl is not installed")
    path = planted_config(home / "cfg")
    path.chmod(0o600)
    made = subprocess.run([setfacl, "-m", "u:nobody:rw", str(path)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"this filesystem takes no ACL: {made.stderr!r}")
    with pytest.raises(Invalid, match="access control list"):
        Config.load(path, site=None)


def test_a_link_another_account_owns_in_my_own_folder_is_fine(home: Path) -> None:
    """Only I could have put it in my folder (an admin's tool making a home a link,
    say); where it leads is checked as ever. In a folder anyone may add to, it is not."""
    target = planted_config(home / "real")
    (home / "mine").mkdir()
    link = home / "mine" / "config.toml"
    link.symlink_to(target)
    os.lchown(link, OTHER, OTHER)
    assert Config.load(link, site=None).server == "http://127.0.0.1:18999"
    shared = home / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    (shared / "config.toml").symlink_to(target)
    os.lchown(shared / "config.toml", OTHER, OTHER)
    with pytest.raises(Invalid, match="belongs to nobody"):
        Config.load(shared / "config.toml", site=None)
