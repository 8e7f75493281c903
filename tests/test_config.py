"""Config: layers (site, user, command line), checked values, writing keeps other keys."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tui_board.config import Config, save_user_value
from tui_board.core.errors import Invalid


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_files(tmp_path: Path) -> None:
    config = Config.load(tmp_path / "none.toml", site=tmp_path / "no-site.toml")
    assert config.theme == "tui-board-dark"
    assert config.bare_unit == "hours"
    assert config.first_day == 0
    assert config.daily_target_minutes is None


def test_the_user_file_overrides_the_site_file(tmp_path: Path) -> None:
    site = write(tmp_path / "site.toml", 'db = "/srv/team/board.db"\ntheme = "tui-board-light"\n')
    user = write(tmp_path / "user.toml", 'theme = "tui-board-dark"\nweek_start = "sunday"\n')
    config = Config.load(user, site=site)
    assert config.db == "/srv/team/board.db"  # from the site
    assert config.theme == "tui-board-dark"  # the user's wins
    assert config.first_day == 6


def test_keymap_table_and_daily_target(tmp_path: Path) -> None:
    user = write(tmp_path / "u.toml", 'daily_target = "7h30"\n[keymap]\nboard = "f1"\n')
    config = Config.load(user, site=None)
    assert config.keymap == {"board": "f1"}
    assert config.daily_target_minutes == 450


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bare_unit = 'parsecs'\n", "bare_unit"),
        ("week_start = 'someday'\n", "someday"),
        ("daily_target = 'lots'\n", "lots"),
        ("colour = 'red'\n", "unknown key"),
        ("theme = 3\n", "must be a string"),
        ("this is = not toml [\n", "not valid TOML"),
    ],
)
def test_a_bad_file_names_the_file_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    user = write(tmp_path / "bad.toml", text)
    with pytest.raises(Invalid) as caught:
        Config.load(user, site=None)
    assert str(user) in caught.value.message
    assert message in caught.value.message


def test_save_user_value_keeps_other_keys_and_refuses_bad_values(tmp_path: Path) -> None:
    user = write(tmp_path / "u.toml", 'theme = "tui-board-light"\n[keymap]\nquit = "ctrl+x"\n')
    save_user_value("bare_unit", "minutes", user)
    save_user_value("keymap.board", "f1", user)
    data = tomllib.loads(user.read_text())
    assert data == {
        "theme": "tui-board-light",
        "bare_unit": "minutes",
        "keymap": {"quit": "ctrl+x", "board": "f1"},
    }
    with pytest.raises(Invalid):
        save_user_value("bare_unit", "parsecs", user)
    assert tomllib.loads(user.read_text())["bare_unit"] == "minutes"


def test_save_creates_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "config.toml"
    save_user_value("db", "/tmp/x.db", target)
    assert Config.load(target, site=None).db == "/tmp/x.db"


def test_config_with_a_tilde_after_an_equals_sign_is_the_home_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--config=~/x.toml`: no shell expands that ~ (it made a folder named `~`)."""
    from tests.cli_helpers import run_cli

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    ran = run_cli(
        ["--config=~/mine.toml", "config", "set", "week_start", "sunday"],
        home=tmp_path,
        env={"HOME": str(tmp_path)},
    )
    assert ran.code == 0, ran.stderr
    assert "sunday" in (tmp_path / "mine.toml").read_text()
    assert not (work / "~").exists()
