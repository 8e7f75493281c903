"""The user's words and the app's memory kept apart: `config set` edits the user's file
keeping every comment and its order, byte for byte; the theme picked in the palette and
the last project go to a state file in the data folder (owner-only), are used at the
next start unless the config or `--theme` says otherwise, and a broken state file is said
once and ignored. Pilot on a real SQLite store; the CLI as a subprocess."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from tests.cli_helpers import Cli
from tests.ui_helpers import (  # noqa: F401  (fixtures)
    SIZE,
    anyio_backend,
    app_for,
    board_demo_config,
    demo_template,
    on_board,
    settle,
    steady,
)
from tui_board.config import Config, save_user_value
from tui_board.kept import Kept, load_kept, save_kept, state_path
from tui_board.ui.app import BoardApp

pytestmark = pytest.mark.anyio

#: A config as people write them: comments everywhere, keys in no particular order,
#: odd spacing, a table before a key that belongs to it.
COMMENTED = """\
# My tui-board settings (do not lose this line)

daily_target   = "7h30"   # a long day
theme = "tui-board-light"

# keys I changed
[keymap]
board-new = "N"     # capital, for new
quit = "ctrl+x"
"""


def test_config_set_changes_the_value_and_keeps_every_other_byte(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    save_user_value("theme", "tui-board-dark", path)
    assert path.read_text(encoding="utf-8") == COMMENTED.replace(
        'theme = "tui-board-light"', 'theme = "tui-board-dark"'
    )
    save_user_value("keymap.quit", "f10", path)
    assert path.read_text(encoding="utf-8") == COMMENTED.replace(
        'theme = "tui-board-light"', 'theme = "tui-board-dark"'
    ).replace('quit = "ctrl+x"', 'quit = "f10"')
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_config_set_adds_a_new_key_without_touching_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    save_user_value("week_start", "sunday", path)
    text = path.read_text(encoding="utf-8")
    assert text.replace('week_start = "sunday"\n', "", 1) == COMMENTED
    assert text.index("week_start") < text.index("[keymap]")  # a top-level key, still
    data = tomllib.loads(text)
    assert data["week_start"] == "sunday"
    assert data["keymap"] == {"board-new": "N", "quit": "ctrl+x"}


def test_config_set_keeps_windows_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    crlf = COMMENTED.replace("\n", "\r\n").encode()
    path.write_bytes(crlf)
    save_user_value("daily_target", "8h", path)
    assert path.read_bytes() == crlf.replace(b'"7h30"', b'"8h"')


def test_config_set_from_the_shell_keeps_comments(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    cli.ok("--config", str(path), "config", "set", "bare_unit", "minutes")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# My tui-board settings (do not lose this line)\n")
    assert "# a long day" in text and "# capital, for new" in text
    assert text.replace('bare_unit = "minutes"\n', "", 1) == COMMENTED
    refused = cli.run("--config", str(path), "config", "set", "bare_unit", "parsecs")
    assert refused.code != 0
    assert "bare_unit" in refused.stderr and "Traceback" not in refused.stderr
    assert text == path.read_text(encoding="utf-8")  # a refused value changes nothing


def test_state_file_round_trip_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "state.toml"
    old = os.umask(0o002)  # a lax umask gives the file no wider rights
    try:
        save_kept(Kept(theme="tui-board-light", project="WEB"), path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_kept(path) == (Kept(theme="tui-board-light", project="WEB"), None)


@pytest.mark.parametrize(
    "text",
    ["theme = [unclosed\n", "\udcff".encode("utf-8", "surrogateescape").decode("latin-1")],
)
def test_a_broken_state_file_is_ignored_with_a_reason(tmp_path: Path, text: str) -> None:
    path = tmp_path / "state.toml"
    path.write_text(text, encoding="latin-1")
    kept, problem = load_kept(path)
    assert kept == Kept()
    assert problem is not None and str(path) in problem and "ignored" in problem


def test_keys_of_the_wrong_type_or_unknown_are_left_out(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    path.write_text('theme = 3\nproject = "WEB"\nfuture = "x"\n', encoding="utf-8")
    assert load_kept(path) == (Kept(project="WEB"), None)


# --- in the app ------------------------------------------------------------------------------


async def pick_theme(app: BoardApp, pilot: Pilot[None], name: str) -> None:
    """Through the palette as a user does: ctrl+p, the theme command, the theme's name."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*"theme")
    await pilot.pause(0.3)
    assert isinstance(app.screen, CommandPalette)
    await pilot.press("enter")  # "Theme": Textual's picker
    for _ in range(50):
        await pilot.pause(0.05)
        if isinstance(app.screen, CommandPalette) and "theme" in app.screen._placeholder.lower():
            break
    await pilot.press(*name)
    for _ in range(50):
        await pilot.pause(0.05)
        hits = [str(o.prompt) for o in app.screen.query_one(CommandList).options]
        if hits and hits[0].startswith(name):
            break
    await pilot.press("enter")
    await pilot.pause()


async def test_the_palette_theme_survives_a_restart(config: Config) -> None:
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        await on_board(app, pilot)
        assert app.theme == "tui-board-dark"
        await pick_theme(app, pilot, "tui-board-light")
        assert app.theme == "tui-board-light"
        await pilot.press("q")
    assert load_kept()[0].theme == "tui-board-light"
    assert stat.S_IMODE(state_path().stat().st_mode) == 0o600

    again = app_for(Config(db=config.db))
    async with again.run_test(size=SIZE) as pilot:
        await on_board(again, pilot)
        assert again.theme == "tui-board-light"

    # The config (or --theme, which sets the same) wins over what the app kept.
    chosen = Config(db=config.db)
    chosen.set("theme", "tui-board-dark", source="--theme")
    told = app_for(chosen)
    async with told.run_test(size=SIZE) as pilot:
        await on_board(told, pilot)
        assert told.theme == "tui-board-dark"
    assert load_kept()[0].theme == "tui-board-light"  # still kept, for a start without it


async def test_a_config_file_theme_wins_over_the_kept_one(config: Config, tmp_path: Path) -> None:
    save_kept(Kept(theme="tui-board-light"))
    path = tmp_path / "config.toml"
    path.write_text(f'db = "{config.db}"\ntheme = "tui-board-dark"\n', encoding="utf-8")
    app = app_for(Config.load(path, site=None))
    async with app.run_test(size=SIZE) as pilot:
        await on_board(app, pilot)
        assert app.theme == "tui-board-dark"


async def test_the_last_project_is_shown_at_the_next_start(config: Config) -> None:
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        board = await on_board(app, pilot)
        assert board.state is not None
        first = board.state.project.key
        other = next(p.key for p in board.projects if p.key != first)
        board.load_board(other)
        await settle(
            app, pilot, lambda: board.state is not None and board.state.project.key == other
        )
    assert load_kept()[0].project == other
    again = app_for(config)
    async with again.run_test(size=SIZE) as pilot:
        board = await on_board(again, pilot)
        assert board.state is not None and board.state.project.key == other


async def test_a_broken_state_file_is_said_once_and_the_app_starts(config: Config) -> None:
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("theme = [broken\n", encoding="utf-8")
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        await on_board(app, pilot)
        said = [n for n in app._notifications if "state.toml" in n.message]
        assert len(said) == 1 and "not valid TOML" in said[0].message
        assert app.theme == "tui-board-dark"
    # The next thing kept (the project shown) replaced the broken file: said only once.
    assert load_kept() == (Kept(project=load_kept()[0].project), None)
    again = app_for(config)
    async with again.run_test(size=SIZE) as pilot:
        await on_board(again, pilot)
        assert not [n for n in again._notifications if "state.toml" in n.message]


async def test_the_theme_picker_offers_tui_boards_themes_only(config: Config) -> None:
    """Textual's own (nord, ansi-light...) are not offered: the screens were made with
    ours, and some of Textual's hide text (red on red totals on ansi-light)."""
    app = app_for(config)
    async with app.run_test(size=SIZE) as pilot:
        await on_board(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"theme")
        await pilot.pause(0.3)
        await pilot.press("enter")
        offered: list[str] = []
        for _ in range(50):
            await pilot.pause(0.05)
            offered = [str(o.prompt) for o in app.screen.query_one(CommandList).options]
            if len(offered) > 1:
                break
        assert offered and all(name.startswith("tui-board-") for name in offered), offered
        assert {"tui-board-dark", "tui-board-light"} <= set(offered)


def test_config_set_refuses_a_theme_that_is_not_there(tmp_path: Path) -> None:
    ran = Cli(tmp_path).run("config", "set", "theme", "no-such-theme", db=False)
    assert ran.code != 0 and len(ran.stderr.strip().splitlines()) == 1
    assert "no theme 'no-such-theme'; themes: " in ran.stderr and "tui-board-light" in ran.stderr
    assert Cli(tmp_path).run("config", "set", "theme", "tui-board-light", db=False).code == 0
