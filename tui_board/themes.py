"""Themes: TOML files turned into Textual `Theme` objects.

The built-in themes live in the repository's top-level `themes/` folder, which the wheel
ships as `tui_board/themes/`; a user's own themes live in `user_themes_dir()` and win over
a built-in of the same name. A file that cannot be used is reported as one line and
skipped, so one bad theme never stops the app from starting.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_board.config import user_themes_dir
from tui_board.files import untrusted

if TYPE_CHECKING:
    from textual.theme import Theme

__all__ = [
    "ThemeFileError",
    "builtin_themes_dir",
    "load_theme_file",
    "load_themes",
    "theme_from_dict",
]

COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)
_BOOL_KEYS = ("dark", "ansi")
_NUMBER_KEYS = ("luminosity_spread", "text_alpha")


class ThemeFileError(Exception):
    """Why a theme file cannot be used, in one line."""


def builtin_themes_dir() -> Path:
    """The folder of the themes that come with tui-board: inside the installed package
    when running from a wheel, else the repository's `themes/` next to the package."""
    packaged = importlib.resources.files("tui_board") / "themes"
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "themes"


def load_themes(extra_dirs: Iterable[Path] = ()) -> tuple[dict[str, Theme], list[str]]:
    """Every usable theme by name, and one message per file that was skipped.

    Folders are read in order (built-in, the user's, then `extra_dirs`), so a later
    theme replaces an earlier one of the same name. A missing folder is not an error.
    """
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for folder in (builtin_themes_dir(), user_themes_dir(), *extra_dirs):
        if not folder.is_dir():
            continue
        builtin = folder == builtin_themes_dir()
        for path in sorted(folder.glob("*.toml")):
            reason = None if builtin else untrusted(path)
            if reason is not None:  # (a theme is drawn in this terminal)
                problems.append(f"{path}: not read: {reason}")
                continue
            try:
                theme = load_theme_file(path)
            except ThemeFileError as error:
                problems.append(f"{path}: {error}")
            else:
                themes[theme.name] = theme
    return themes, problems


def load_theme_file(path: Path) -> Theme:
    """Read one theme file; raises ThemeFileError saying what is wrong with it."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ThemeFileError(f"not valid TOML ({error})") from None
    except OSError as error:
        raise ThemeFileError(f"cannot read it ({error.strerror})") from None
    return theme_from_dict(data)


def theme_from_dict(data: dict[str, Any]) -> Theme:
    """Check a theme table key by key, so the message names the key that is wrong."""
    from textual.color import Color, ColorParseError
    from textual.theme import Theme

    known = {f.name for f in dataclasses.fields(Theme)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ThemeFileError(
            f"unknown key {unknown[0]!r}; theme keys are: {', '.join(sorted(known))}"
        )
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError('missing `name`, e.g. name = "my-theme"')
    if "primary" not in data:
        raise ThemeFileError('missing `primary`, the main colour, e.g. primary = "#5FA8D3"')
    for key in COLOUR_KEYS:
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, str):
            raise ThemeFileError(f'{key} must be a colour in quotes, e.g. "#5FA8D3"')
        try:
            Color.parse(value)
        except ColorParseError:
            raise ThemeFileError(
                f'{key} = {value!r} is not a colour; use e.g. "#5FA8D3" or "rgb(95,168,211)"'
            ) from None
    for key in _BOOL_KEYS:
        if key in data and not isinstance(data[key], bool):
            raise ThemeFileError(f"{key} must be true or false, not {data[key]!r}")
    for key in _NUMBER_KEYS:
        value = data.get(key, 0.0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ThemeFileError(f"{key} must be a number, not {value!r}")
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(
        isinstance(value, str) for value in variables.values()
    ):
        raise ThemeFileError('[variables] must be a table of name = "value" strings')
    for key, value in variables.items():
        problem = _variable_problem(str(key), value)
        if problem is not None:
            raise ThemeFileError(f"[variables] {key} = {value!r}: {problem}")
    theme = Theme(**data)
    try:
        theme.to_color_system()
    except Exception as error:  # whatever ColorSystem refuses makes the theme unusable
        raise ThemeFileError(f"not a usable theme ({error})") from None
    return theme


#: A theme variable's name, as the stylesheet refers to it (`$name`).
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _variable_problem(name: str, value: str) -> str | None:
    """Why a theme variable would break the stylesheet it goes into (one bad value
    stopped the app at start), or None: one line of what a CSS value may be."""
    from textual.css.tokenize import tokenize_values

    if _VARIABLE_NAME.fullmatch(name) is None:
        return "a variable's name is letters, digits, - and _"
    if not value.strip() or not value.isprintable():
        return 'a value is one line of CSS, e.g. "#5FA8D3" or "bold"'
    try:
        tokenize_values({name: value})
    except Exception:  # (Textual's tokenizer errors share no base of their own)
        return 'not a CSS value; e.g. "#5FA8D3", "$primary 50%" or "bold"'
    return None
