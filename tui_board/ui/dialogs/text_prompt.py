"""Ask for one line of text (a rejection's note, a file to write, a range of dates),
showing while the user types what it will mean, or why it cannot be used."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from tui_board.core.errors import Invalid
from tui_board.core.text import check_text
from tui_board.ui.dialogs.base import Dialog
from tui_board.ui.plain_text import plain_text
from tui_board.ui.widgets.text_input import TextInput

#: Reads what was typed: a line saying what it means, and whether it can be used.
Describe = Callable[[str], tuple[str, bool]]


def required(what: str) -> Describe:
    """Anything but blank."""

    def describe(text: str) -> tuple[str, bool]:
        return ("", True) if text.strip() else (f"Write {what}.", False)

    return describe


class TextPrompt(Dialog["str | None"]):
    """Answers the text (stripped) on enter when `describe` accepts it, None on esc."""

    DEFAULT_CSS = """
    TextPrompt > .dialog {
        width: 72;
    }
    TextPrompt .text-prompt--context {
        width: 1fr;
        margin-top: 1;
        color: $text-muted;
        height: auto;
    }
    TextPrompt .text-prompt--label {
        margin-top: 1;
    }
    TextPrompt .dialog--preview {
        height: auto;
        min-height: 1;
    }
    """

    def __init__(
        self,
        title: str,
        *,
        label: str,
        describe: Describe,
        context: str = "",
        initial: str = "",
        placeholder: str = "",
    ) -> None:
        super().__init__()
        self.heading = title
        self.label = label
        self.describe = describe
        self.context = context
        self.initial = initial
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as panel:
            panel.border_title = plain_text(self.heading)
            panel.border_subtitle = "enter: ok · esc: cancel"
            if self.context:
                yield Label(plain_text(self.context), classes="text-prompt--context")
            yield Label(self.label, classes="text-prompt--label", markup=False)
            yield TextInput(
                self.initial, placeholder=self.placeholder, id="text-prompt-value", compact=True
            )
            yield Label("", classes="dialog--preview", markup=False)

    def on_mount(self) -> None:
        if self.initial:
            self._preview(self.initial)

    @on(Input.Changed, "#text-prompt-value")
    def _changed(self, event: Input.Changed) -> None:
        self._preview(event.value)

    def _preview(self, text: str) -> bool:
        try:  # the rule every stored text keeps, said here (the store would refuse it
            check_text(text, "The text")  # after the dialog had closed, and lose it)
        except Invalid as unsafe:
            message, ok = f"{unsafe.message}.", False
        else:
            message, ok = self.describe(text)
        preview = self.query_one(".dialog--preview", Label)
        preview.update(plain_text(message))
        preview.set_class(not ok, "-error")
        self.query_one("#text-prompt-value", Input).set_class(not ok, "-invalid")
        return ok

    @on(Input.Submitted, "#text-prompt-value")
    def _submitted(self, event: Input.Submitted) -> None:
        if not self._preview(event.value):
            self.app.bell()
            return
        self.dismiss(event.value.strip())
