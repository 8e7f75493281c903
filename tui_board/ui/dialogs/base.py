"""What every dialog shares: a centred panel, `escape` to cancel, and the look of hints,
errors and button rows."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal panel that answers with a `ResultT`; `escape` answers `cancelled()`.

    Subclasses compose their content inside a container with the class `dialog`."""

    BINDING_GROUP_TITLE = "Dialog"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            tooltip="Close without changing anything",
            id="dialog-cancel",
        ),
    ]

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        background: $background 60%;
    }
    Dialog > .dialog {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        border-title-color: $text-primary;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        background: $surface;
        padding: 0 1;
    }
    /* Hints, previews and errors take the dialog's width and wrap at words: a Label
       as wide as its text was cut mid-word at the dialog's edge. */
    Dialog .dialog > .dialog--hint, Dialog .dialog > .dialog--preview,
    Dialog .dialog > .dialog--error {
        width: 100%;
        height: auto;
    }
    Dialog .dialog--hint {
        color: $text-muted;
    }
    Dialog .dialog--preview {
        color: $text-success;
    }
    Dialog .dialog--error, Dialog .dialog--preview.-error {
        color: $text-error;
    }
    Dialog .dialog--buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    Dialog .dialog--buttons Button {
        margin-left: 1;
    }
    Dialog Input.-textual-compact, Dialog TextArea.-textual-compact {
        background: $panel;
    }
    Dialog Input.-invalid {
        color: $text-error;
    }
    """

    def cancelled(self) -> ResultT:
        """The answer when the user closes the dialog without choosing."""
        return None  # type: ignore[return-value]

    def action_cancel(self) -> None:
        self.dismiss(self.cancelled())
