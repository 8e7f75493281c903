"""Stored text as the screens show it: plain text, never an instruction to the terminal,
never markup, never wider than its place.

A card title, a name, a comment or a note was typed by someone else, and may come from
an old database, another client or a hand edit that the service layer never checked
(DESIGN.md, section 9). So every widget that shows stored text gets it through
`plain_text`, a `Content` (Textual never reads it as markup) made `printable`; every
line drawn straight into a strip gets it through `cut` or `fit`, which make it
printable too and measure it in cells, so that wide characters and combining marks keep
the columns aligned. Notifications go through `BoardApp.notify`, which does the same.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.content import Content

from tui_board.core.text import printable

#: How much of a stored text a mention shows (a title in a question, a name in a
#: heading): enough to recognise it, never a screenful.
MENTION = 120
#: How much of a note meant to be read (a reviewer's note) shows: a few lines.
PASSAGE = 400


def plain_text(text: str, *, multiline: bool = False) -> Content:
    """`text` for a widget or a notification: its control and bidi characters as
    visible stand-ins (newlines kept when `multiline`), and never parsed as markup."""
    return Content(printable(text, multiline=multiline))


def cut(text: str, width: int = MENTION) -> str:
    """One line of `text` in at most `width` cells, ending in `…` when it was cut."""
    text = printable(text)
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


def cells(text: str) -> int:
    """How many cells `text` takes as the screens show it (a table column's width)."""
    return cell_len(printable(text))


def fit(text: str, width: int) -> str:
    """One line of `text` in exactly `width` cells: padded, or cut with `…`."""
    return set_cell_size(cut(text, width), max(width, 0))


__all__ = ["MENTION", "PASSAGE", "cells", "cut", "fit", "plain_text"]
