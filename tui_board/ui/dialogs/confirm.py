"""Ask yes or no before doing something (archiving a card)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from tui_board.ui.dialogs.base import Dialog
from tui_board.ui.plain_text import plain_text


class ConfirmScreen(Dialog[bool]):
    """Answers True for yes (`y`, or enter on the yes button), False otherwise."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", tooltip="Do it", id="confirm-yes"),
        Binding("n", "answer(False)", "No", tooltip="Leave it as it is", id="confirm-no"),
    ]

    DEFAULT_CSS = """
    ConfirmScreen > .dialog {
        width: 56;
    }
    ConfirmScreen .confirm--message {
        margin-top: 1;
        width: 1fr;
    }
    """

    def __init__(
        self, message: str, *, title: str = "Are you sure?", yes: str = "Yes", no: str = "No"
    ) -> None:
        super().__init__()
        self.message = message
        self.heading = title
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as panel:
            panel.border_title = plain_text(self.heading)
            panel.border_subtitle = "y: yes · n / esc: no"
            yield Label(plain_text(self.message, multiline=True), classes="confirm--message")
            with Horizontal(classes="dialog--buttons"):
                yield Button(self.no, id="confirm-no", compact=True)
                yield Button(self.yes, id="confirm-yes", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-yes", Button).focus()

    def cancelled(self) -> bool:
        return False

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")
