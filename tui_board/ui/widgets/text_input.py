"""The app's text fields: Textual's `Input` and `TextArea`, drawing what is typed with
a visible stand-in for each character a terminal would act on.

What a person types or pastes reaches the screen before any rule checks it: a bidi
override (U+202E) pasted into a title turned the rest of the drawn line around in a
terminal that does bidi, an escape in a pasted comment was written to the terminal
as typed. Here the field keeps the text as typed (its rule, `core.text.check_text`,
says what is wrong with it, and the store refuses it) and draws `core.text.as_typed`
of it: the same characters, each control, bidi or separator character as a picture
one cell wide (ESC as ␛, U+202E as �).
"""

from __future__ import annotations

from typing import Any

from rich.highlighter import Highlighter
from rich.text import Text
from textual import events
from textual.widgets import Input, TextArea

from tui_board.core.text import as_typed


class TypedText(Highlighter):
    """An input's `highlighter`: the value as `as_typed` draws it (one character for
    one: the input's cursor and selection count characters)."""

    def __call__(self, text: str | Text) -> Text:
        plain = text if isinstance(text, str) else text.plain
        shown = as_typed(plain)
        if isinstance(text, Text) and shown == plain:
            return text
        return Text(shown, no_wrap=True, overflow="ignore", end="")

    def highlight(self, text: Text) -> None:  # (`__call__` does it all)
        pass


class TextInput(Input):
    """A one-line field that draws what is typed safely."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("highlighter", TypedText())
        super().__init__(*args, **kwargs)

    def _on_paste(self, event: events.Paste) -> None:
        """Text of several lines pasted here is kept on one, its lines joined by a
        space, and the field says so (Textual's kept the first line and dropped the
        rest without a word). Input's own handler, run after this one, inserts it."""
        lines = [line.strip() for line in event.text.splitlines()]
        kept = [line for line in lines if line]
        if len(lines) > 1:
            event.text = " ".join(kept)
        if len(kept) > 1:
            self.notify(
                f"Pasted {len(kept)} lines as one: this field holds one line.",
                title="Pasted",
                severity="information",
                markup=False,
            )


class TextEditor(TextArea):
    """A multi-line field that draws what is typed safely (newlines and tabs are its
    own)."""

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        shown = as_typed(line.plain, multiline=True)
        return line if shown == line.plain else Text(shown, end="", no_wrap=True)


__all__ = ["TextEditor", "TextInput", "TypedText"]
