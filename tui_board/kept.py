"""What the app keeps for itself between runs: the theme picked in the palette, the last
project shown on the board.

It lives in a state file of its own in the data folder (`tui-board locate data`), written
with tomli-w, never in the user's config: the config holds the user's words, this file
the app's memory. A setting in the config (or on the command line) wins over what is kept
here. A state file that cannot be read is reported once and ignored (the next thing kept
replaces it); it never stops the app.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tui_board.config import user_data_dir
from tui_board.files import private_folder, untrusted, write_file

__all__ = ["STATE_FILE", "Kept", "load_kept", "save_kept", "state_path"]

STATE_FILE = "state.toml"


@dataclass(frozen=True)
class Kept:
    """What the app remembers; an empty string means nothing is kept."""

    #: The theme last picked in the command palette's theme picker.
    theme: str = ""
    #: The key of the project last shown on the board.
    project: str = ""


def state_path() -> Path:
    return user_data_dir() / STATE_FILE


def load_kept(path: Path | None = None) -> tuple[Kept, str | None]:
    """What is kept, and why the file was ignored (None when it was read, or is not
    there). A key of the wrong type, or one this version does not know, is left out."""
    target = path or state_path()
    reason = untrusted(target)
    if reason is not None:  # (the theme it names is drawn in this terminal)
        return Kept(), f"{target}: not read: {reason}; ignored"
    try:
        with target.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return Kept(), None
    except tomllib.TOMLDecodeError as error:
        return Kept(), f"{target}: not valid TOML ({error}); ignored"
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return Kept(), f"{target}: cannot read ({reason}); ignored"
    known = {f.name for f in dataclasses.fields(Kept)}
    values = {k: v for k, v in data.items() if k in known and isinstance(v, str)}
    return Kept(**values), None


def save_kept(kept: Kept, path: Path | None = None) -> None:
    """Write what is kept, replacing the file in one step, for its owner only (as every
    file tui-board makes in the data folder); empty values are left out."""
    import tomli_w

    target = path or state_path()
    private_folder(target.parent)
    data = {k: v for k, v in dataclasses.asdict(kept).items() if v}
    write_file(target, tomli_w.dumps(data), replace=True, private=True)
