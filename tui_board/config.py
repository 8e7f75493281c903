"""Configuration: TOML files read with tomllib; `config set` edits the user's file with
tomlkit, which keeps its comments, order and layout (only the value set changes).

Layers, each overriding the one before: built-in defaults, the site file
`/etc/xdg/tui-board/config.toml` (a shared server's admin points everyone at one
database there), then the user's file (platformdirs' config dir, or `TUI_BOARD_CONFIG`,
or `--config`). Command-line options override all of them. What the app keeps for
itself (the theme picked in the palette, the last project) is never written there: it
goes to a state file of its own (`tui_board/kept.py`).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tui_board.core.durations import parse_duration
from tui_board.core.errors import Invalid
from tui_board.core.weeks import parse_day_name
from tui_board.files import check_trusted, private_folder, write_file

APP_NAME = "tui-board"
SITE_CONFIG = Path("/etc/xdg/tui-board/config.toml")
DEFAULT_THEME = "tui-board-dark"
#: Fields of `Config` that are not settings.
NOT_SETTINGS = ("path", "chosen")
#: Keys whose values are secrets: masked wherever a setting is printed.
SECRET_KEYS = frozenset({"token"})


def user_config_path() -> Path:
    env = os.environ.get("TUI_BOARD_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path as _ucp

    return _ucp(APP_NAME) / "config.toml"


def user_data_dir() -> Path:
    env = os.environ.get("TUI_BOARD_DATA")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME)


def default_db_path() -> Path:
    return user_data_dir() / "board.db"


def user_themes_dir() -> Path:
    return user_config_path().parent / "themes"


@dataclass
class Config:
    """Everything a user may set. Field names are the keys of the TOML file."""

    #: A SQLite file path or a database URL (`postgresql+psycopg://...`).
    db: str = ""
    #: A team server's URL; when set it wins over `db`.
    server: str = ""
    token: str = ""
    theme: str = DEFAULT_THEME
    #: First day of the week in the timesheet: monday ... sunday.
    week_start: str = "monday"
    #: What a bare number such as `2` means in a duration: hours or minutes.
    bare_unit: Literal["hours", "minutes"] = "hours"
    #: The daily target on the timesheet; empty means the user's capacity / work days.
    daily_target: str = ""
    keymap: dict[str, str] = field(default_factory=dict)

    #: Where this config was read from (not a key).
    path: Path | None = field(default=None, compare=False, repr=False)
    #: The keys a config file or the command line set (not a key): what they say wins
    #: over what the app kept for itself (`tui_board/kept.py`).
    chosen: set[str] = field(default_factory=set, compare=False, repr=False)

    @property
    def first_day(self) -> int:
        return parse_day_name(self.week_start)

    @property
    def daily_target_minutes(self) -> int | None:
        if not self.daily_target:
            return None
        return parse_duration(self.daily_target, bare_unit=self.bare_unit)

    @property
    def db_path(self) -> str:
        return self.db or str(default_db_path())

    # --- reading and writing ---------------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None, *, site: Path | None = SITE_CONFIG) -> Config:
        config = cls()
        for layer in (site, path or user_config_path()):
            if layer is not None and layer.is_file():
                # It names the server a token is sent to: never one another account
                # could have written (a group-writable `~/.config`, say).
                check_trusted(layer, "the config file")
                config._merge(_read_toml(layer), layer)
        config.path = path or user_config_path()
        return config

    def _merge(self, data: dict[str, Any], source: Path) -> None:
        for key, value in data.items():
            if key == "keymap":
                if not isinstance(value, dict):
                    raise Invalid(f"{source}: [keymap] must be a table of binding id = keys")
                self.keymap.update({str(k): str(v) for k, v in value.items()})
            else:
                self.set(key, value, source=str(source))

    def set(self, key: str, value: Any, *, source: str = "config") -> None:
        """Set one key, checking its value; raises Invalid with the reason."""
        names = {
            f.name for f in dataclasses.fields(self) if f.name not in (*NOT_SETTINGS, "keymap")
        }
        if key.startswith("keymap."):
            self.keymap[key.removeprefix("keymap.")] = str(value)
            return
        if key not in names:
            raise Invalid(f"{source}: unknown key {key!r}; known keys: {', '.join(sorted(names))}")
        if not isinstance(value, str):
            raise Invalid(f"{source}: {key} must be a string, not {value!r}")
        old = getattr(self, key)
        setattr(self, key, value)
        try:
            # An address is checked where it is given (`config set`, --server) and where
            # it is used (`open_backend`), not where a file is read: a file an older
            # version wrote with a typo would stop every command, `config set` too.
            if key == "server" and value and not source.endswith(".toml"):
                check_server_url(value)
            self.validate()
        except Invalid as error:
            setattr(self, key, old)
            raise Invalid(f"{source}: {error.message}") from None
        self.chosen.add(key)

    def validate(self) -> None:
        if self.bare_unit not in ("hours", "minutes"):
            raise Invalid(f"bare_unit must be 'hours' or 'minutes', not {self.bare_unit!r}")
        self.first_day  # noqa: B018 - raises Invalid on a bad day name
        self.daily_target_minutes  # noqa: B018

    def get(self, key: str) -> str:
        if key.startswith("keymap."):
            return self.keymap.get(key.removeprefix("keymap."), "")
        if key in (*NOT_SETTINGS, "keymap") or not hasattr(self, key):
            raise Invalid(f"unknown key {key!r}")
        return str(getattr(self, key))

    def listing(self, *, reveal: bool = False) -> dict[str, Any]:
        """Every setting in force, as `config list` shows it: secrets masked unless
        `reveal`."""
        return {
            f.name: self.shown(f.name, getattr(self, f.name), reveal=reveal)
            for f in dataclasses.fields(self)
            if f.name not in NOT_SETTINGS
        }

    @staticmethod
    def shown(key: str, value: Any, *, reveal: bool = False) -> Any:
        """A setting's value as a listing prints it: a secret (the API token) as its
        first three and last four characters, so that it can be told from another
        without being given away (the whole value only when `reveal`)."""
        if key in SECRET_KEYS and value and not reveal:
            text = str(value)
            return f"{text[:3]}…{text[-4:]}" if len(text) >= 16 else "…"
        return value

    def to_toml_dict(self) -> dict[str, Any]:
        defaults = Config()
        data: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name in (*NOT_SETTINGS, "keymap"):
                continue
            value = getattr(self, f.name)
            if value != getattr(defaults, f.name):
                data[f.name] = value
        if self.keymap:
            data["keymap"] = dict(self.keymap)
        return data


def check_server_url(url: str) -> None:
    """Invalid unless `url` is a team server's address: http(s)://host[:port][/path]
    (a typo was taken and failed at the first command, as 'UnsupportedProtocol' or an
    'unexpected error: InvalidURL')."""
    from urllib.parse import urlsplit

    from tui_board.core.text import quoted_back

    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError on a port that is not one
    except ValueError:
        ok = False
    if not ok or any(c.isspace() for c in url):
        raise Invalid(
            f"server must be the team server's address, as http://host:port or "
            f"https://host, not {quoted_back(url)}"
        )


def save_user_value(key: str, value: str, path: Path | None = None) -> Path:
    """Set one key in the user's file (not the site file). The file is edited, not
    rewritten: its comments, the order of its keys and its layout stay as they were,
    byte for byte, but for the value set (a new key goes after the last top-level one)."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    target = path or user_config_path()
    check_trusted(target, "the config file")
    try:
        text = target.read_bytes().decode("utf-8") if target.is_file() else ""
        document = tomlkit.parse(text)
    except (TOMLKitError, UnicodeDecodeError) as error:
        raise Invalid(f"{target}: not valid TOML ({error})") from None
    except OSError as error:
        raise Invalid(f"{target}: cannot read ({error.strerror})") from None
    probe = Config()
    probe._merge(document.unwrap(), target)
    probe.set(key, value)
    if key.startswith("keymap."):
        if "keymap" not in document:
            document["keymap"] = tomlkit.table()
        keymap = document["keymap"]
        assert isinstance(keymap, dict)  # `_merge` refused a keymap that is not a table
        keymap[key.removeprefix("keymap.")] = value
    else:
        _set_top_level(document, key, value)
    private_folder(target.parent)
    # Owner only, always: the file may hold an API token, now or after the next `set`.
    write_file(target, document.as_string(), replace=True, private=True)
    return target


def _set_top_level(document: Any, key: str, value: str) -> None:
    """Set a top-level key of a tomlkit document: in place when it is there, else after
    the last top-level key (tomlkit would put it after the comment above the first
    table, which then no longer says what it said)."""
    from tomlkit.items import AoT, Table

    if key in document:
        document[key] = value
        return
    body = document.body
    tables = [i for i, (_, item) in enumerate(body) if isinstance(item, Table | AoT)]
    keys = [i for i, (name, item) in enumerate(body[: tables[0] if tables else None]) if name]
    if tables and keys:
        document._insert_at(keys[-1] + 1, key, value)  # no public way to insert there
    else:
        document[key] = value


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise Invalid(f"{path}: not valid TOML ({error})") from None
    except OSError as error:
        raise Invalid(f"{path}: cannot read ({error.strerror})") from None
