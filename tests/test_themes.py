"""Theme files: the built-ins load, bad files are reported and skipped, users override."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui_helpers import (  # noqa: F401  (fixtures)
    anyio_backend,
    app_for,
    copy_store,
    make_demo_store,
    settle,
    steady,
)
from tui_board.config import DEFAULT_THEME, user_themes_dir
from tui_board.themes import builtin_themes_dir, load_themes
from tui_board.ui.app import ANSI_THEME
from tui_board.ui.theme_variables import APP_VARIABLES, app_variable_defaults

GOOD = """
name = "{name}"
primary = "#336699"
dark = true
[variables]
footer-key-foreground = "#336699"
"""


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user theme folder (the user's real config is never read)."""
    monkeypatch.setenv("TUI_BOARD_CONFIG", str(tmp_path / "config" / "config.toml"))
    folder = user_themes_dir()
    folder.mkdir(parents=True)
    return folder


def test_builtin_themes_load(user_dir: Path) -> None:
    themes, problems = load_themes()

    assert problems == []
    assert {DEFAULT_THEME, "tui-board-light"} <= set(themes)
    assert themes[DEFAULT_THEME].dark is True
    assert themes["tui-board-light"].dark is False
    for theme in themes.values():
        theme.to_color_system().generate()  # every variable resolves


def test_builtin_folder_holds_the_repository_files() -> None:
    names = {path.name for path in builtin_themes_dir().glob("*.toml")}

    assert {"tui-board-dark.toml", "tui-board-light.toml"} <= names


BUILTIN = (
    "tui-board-dark",
    "tui-board-light",
    "tui-board-high-contrast",
    "tui-board-ansi",
    "tui-board-amber",
)


def test_five_builtin_themes_each_with_every_app_variable(user_dir: Path) -> None:
    """The five built-ins load; each has a value for every app variable (its own or the
    default worked out from its colours), and the ANSI one uses the terminal's colours."""
    themes, problems = load_themes()

    assert problems == []
    assert set(BUILTIN) <= set(themes)
    assert themes["tui-board-ansi"].ansi is True
    for name in BUILTIN:
        theme = themes[name]
        generated = theme.to_color_system().generate()
        variables = {**app_variable_defaults(generated), **generated, **theme.variables}
        assert set(APP_VARIABLES) <= set(variables)
        assert not set(theme.variables) - set(APP_VARIABLES) - set(generated), name


def test_app_variables_follow_the_theme_unless_it_sets_them(user_dir: Path) -> None:
    themes, _ = load_themes()
    dark = themes[DEFAULT_THEME].to_color_system().generate()

    defaults = app_variable_defaults(dark)

    assert defaults["overdue"] == dark["text-error"]
    assert defaults["band-over-background"] == dark["error-muted"]
    assert defaults["column-accent"] == f"{dark['primary']} 40%"
    assert themes["tui-board-high-contrast"].variables["band-high-background"] == "#FFD700"


def test_bad_files_are_reported_and_the_good_ones_still_load(user_dir: Path) -> None:
    (user_dir / "broken.toml").write_text('name = "broken"\nprimary = \n', encoding="utf-8")
    (user_dir / "bad-colour.toml").write_text(
        'name = "bad-colour"\nprimary = "not-a-colour"\n', encoding="utf-8"
    )
    (user_dir / "good.toml").write_text(GOOD.format(name="good"), encoding="utf-8")

    themes, problems = load_themes()

    assert "good" in themes
    assert DEFAULT_THEME in themes
    assert "broken" not in themes
    assert "bad-colour" not in themes
    assert len(problems) == 2
    assert all("\n" not in problem for problem in problems)
    broken = next(p for p in problems if "broken.toml" in p)
    bad_colour = next(p for p in problems if "bad-colour.toml" in p)
    assert "not valid TOML" in broken
    assert "primary" in bad_colour
    assert "not-a-colour" in bad_colour


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('primary = "#336699"', "missing `name`"),
        ('name = "x"', "missing `primary`"),
        ('name = "x"\nprimary = "#336699"\nprimay = "#000000"', "unknown key 'primay'"),
        ('name = "x"\nprimary = "#336699"\ndark = "yes"', "dark must be true or false"),
        ('name = "x"\nprimary = 12', "primary must be a colour"),
        ('name = "x"\nprimary = "#336699"\nvariables = 3', "[variables] must be a table"),
        ('name = "x"\nprimary = "#336699"\n[variables]\ntoday = "red;"', "not a CSS value"),
        ('name = "x"\nprimary = "#336699"\n[variables]\ntoday = "a}b"', "not a CSS value"),
        ('name = "x"\nprimary = "#336699"\n[variables]\ntoday = ""', "one line of CSS"),
        ('name = "x"\nprimary = "#336699"\n[variables]\n"a b" = "red"', "a variable's name"),
    ],
)
def test_each_invalid_field_is_named(user_dir: Path, text: str, expected: str) -> None:
    (user_dir / "wrong.toml").write_text(text, encoding="utf-8")

    themes, problems = load_themes()

    assert "x" not in themes
    assert len(problems) == 1
    assert expected in problems[0]


def test_user_theme_overrides_builtin_by_name(user_dir: Path) -> None:
    (user_dir / "mine.toml").write_text(GOOD.format(name=DEFAULT_THEME), encoding="utf-8")

    themes, problems = load_themes()

    assert problems == []
    assert themes[DEFAULT_THEME].primary == "#336699"


def test_extra_dirs_come_last_and_win(user_dir: Path, tmp_path: Path) -> None:
    (user_dir / "a.toml").write_text(GOOD.format(name="shared"), encoding="utf-8")
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "b.toml").write_text(
        GOOD.format(name="shared").replace("#336699", "#AA0000"), encoding="utf-8"
    )

    themes, _ = load_themes([extra, tmp_path / "missing"])

    assert themes["shared"].primary == "#AA0000"


@pytest.mark.anyio
async def test_the_app_reports_a_broken_theme_once_and_starts_with_the_rest(
    user_dir: Path, tmp_path: Path
) -> None:
    (user_dir / "broken.toml").write_text('name = "broken"\nprimary = \n', encoding="utf-8")
    (user_dir / "mine.toml").write_text(GOOD.format(name="mine"), encoding="utf-8")
    make_demo_store(tmp_path / "demo.db")
    app = app_for(copy_store(tmp_path / "demo.db", tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for key in ("2", "w", "1"):  # the note is not shown again on other screens
            await pilot.press(key)
            await settle(app, pilot)
        notes = [n for n in app._notifications if "theme file" in n.title]
        assert len(notes) == 1, [n.title for n in app._notifications]
        assert "broken.toml" in notes[0].message and "not valid TOML" in notes[0].message
        assert app.theme == DEFAULT_THEME
        assert {"mine", ANSI_THEME, "tui-board-amber"} <= set(app.available_themes)


@pytest.mark.anyio
async def test_a_theme_variable_that_would_break_the_stylesheet_is_refused_and_the_app_starts(
    user_dir: Path, tmp_path: Path
) -> None:
    """A file taking the default theme's name with a variable CSS cannot read (`red;`)
    stopped the app at start, with exit status 0: it is reported and skipped."""
    broken = 'name = "{name}"\nprimary = "#FF0000"\n[variables]\ntoday = "red;"\n'
    (user_dir / "a.toml").write_text(broken.format(name=DEFAULT_THEME), encoding="utf-8")
    make_demo_store(tmp_path / "demo.db")
    app = app_for(copy_store(tmp_path / "demo.db", tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        notes = [n for n in app._notifications if "theme file" in n.title]
        assert len(notes) == 1 and "not a CSS value" in notes[0].message
        assert app.theme == DEFAULT_THEME
        assert str(app.current_theme.primary).upper() != "#FF0000"
        assert app.is_running and app.screen.query("BoardColumn")
