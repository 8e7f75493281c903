"""The optional parts of the install: the team server and the PostgreSQL driver.

A member's install holds what the app and the commands need (about a third less than
everything); `.[server]` adds FastAPI and uvicorn, `.[postgres]` the
psycopg driver. Reaching for a part that is not installed is one line that says what
to install, never an ImportError's traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from tui_board.core.errors import Invalid

#: What each extra is for, in the words of the message.
EXTRAS = {
    "server": "the team server (`tui-board serve`)",
    "postgres": "a PostgreSQL database",
    "web": "the app in a browser (`tui-board web`)",
}


def import_extra(module: str, extra: str) -> ModuleType:
    """`module`, or Invalid naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise Invalid(
            f"{EXTRAS[extra]} needs the {extra!r} extra: pip install '.[{extra}]' in "
            "tui-board's folder (as the README does; it is not on PyPI)"
        ) from None


__all__ = ["EXTRAS", "import_extra"]
