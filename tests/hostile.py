"""Hostile text: what a member could plant for everyone else to see.

`CORPUS` holds a string of every class the trust rules are about; `plant` writes them
straight into a store with SQL (as an old database, another client or a hand-edit
would), past the service layer's checks, into every text column a screen or a command
shows; `assert_clean` checks bytes that went to a terminal.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

ESC = "\x1b"

CORPUS: dict[str, str] = {
    "clear": "Evil \x1b[2J\x1b[31mred",
    "title": "\x1b]0;pwned\x07x",
    "clipboard": "\x1b]52;c;SGVsbG8=\x07x",
    "dcs": "q\x1bP+q544e\x1b\\q",
    "c1_csi": "a\x9b31mb",
    "c1_osc": "t\x9d0;pwned\x9cx",
    "bidi": "invoice\u202egnp.exe",
    "isolate": "\u2066iso\u2069late",
    "nul": "a\x00b",
    "bell": "ring\x07\x08\x7fdel",
    "cr": "over\rwrite",
    "newline": "two\nlines",
    "separator": "line\u2028sep",
    "long": "L" * 10_000,
    "combining": "Z\u0335\u0321\u031b\u0317a\u0337l\u0337g\u0336o",
    "wide": "漢字テスト🎉",
    "markup": "[bold red]x[/] [/nope] [link=http://e]y",
    "formula": '=HYPERLINK("http://evil","x")',
}

#: Markers of the sequences above that must never reach a terminal raw.
FORBIDDEN = (
    "\x1b[2J", "\x1b]0;pwned", "\x1b]52;", "\x1bP+q", "\x9b", "\x9d", "\x9c",
    "\u202e", "\u2066", "\u2069", "\x00", "\x07", "\x08", "\x7f", "\u2028",
)  # fmt: skip

#: Every text column shown by a screen or a command, by table.
TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("name", "email"),
    "teams": ("name",),
    "customers": ("name",),
    "projects": ("name",),
    "board_columns": ("name",),
    "tasks": ("title", "description", "tags"),
    "comments": ("body",),
    "time_entries": ("comment",),
    "week_states": ("note",),
}


def plant(db: Path, *, corpus: dict[str, str] = CORPUS) -> int:
    """Write the corpus into every row's text columns (row i gets string i mod n), with
    plain SQL. Returns the number of values written."""
    values = list(corpus.values())
    written = 0
    with sqlite3.connect(db) as conn:
        for table, columns in TEXT_COLUMNS.items():
            ids = [r[0] for r in conn.execute(f"SELECT id FROM {table} ORDER BY id")]
            for i, row_id in enumerate(ids):
                for j, column in enumerate(columns):
                    value = values[(i + j) % len(values)]
                    conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, row_id))
                    written += 1
    return written


def violations(output: str) -> list[str]:
    """The forbidden markers found in text that went to a terminal."""
    return [marker for marker in FORBIDDEN if marker in output]


def stray_escapes(output: str) -> list[str]:
    """Escape sequences in a CLI's output (a CLI writes none of its own): each ESC and
    C1 control with what follows it."""
    return [output[m.start() : m.start() + 12] for m in re.finditer("[\x1b\x80-\x9f]", output)]
