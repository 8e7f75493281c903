"""Pick one of many things by typing a few letters of it (people, projects, tasks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tui_board.core.fuzzy import Match, fuzzy_match
from tui_board.ui.dialogs.base import Dialog
from tui_board.ui.plain_text import cut, plain_text
from tui_board.ui.widgets.text_input import TextInput

T = TypeVar("T")


class PickerScreen(Dialog["T | None"], Generic[T]):
    """A fuzzy-filtered list of `(label, value)` items; answers the chosen value, or
    None when cancelled. The list keeps the items' order until the user types.

    It opens on the `current` item (marked as such), else on the first; `enter` picks
    the highlighted one (the current one too: the caller sees nothing changed), and
    the arrows move one step. The list never takes the focus (the query field keeps
    it), so the highlight is drawn as strongly as a focused list's.

    Labels hold stored text (titles, names): each is shown as plain text, in one line
    of at most `MENTION` cells, cut to the list's width."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Next", show=False, id="picker-next"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker-previous"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="picker-page-down"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="picker-page-up"),
    ]

    DEFAULT_CSS = """
    PickerScreen > .dialog {
        width: 60;
    }
    PickerScreen #picker-query {
        margin: 1 0 0 0;
    }
    PickerScreen #picker-options {
        text-wrap: nowrap;
        text-overflow: ellipsis;
        height: auto;
        max-height: 14;
        border: none;
        padding: 0;
        background: $surface;
    }
    PickerScreen #picker-options:focus {
        background-tint: transparent;
    }
    PickerScreen #picker-options > .option-list--option-highlighted {
        color: $block-cursor-foreground;
        background: $block-cursor-background;
        text-style: $block-cursor-text-style;
    }
    PickerScreen .picker--none {
        color: $text-muted;
    }
    """

    def __init__(
        self,
        title: str,
        items: Sequence[tuple[str, T]],
        *,
        current: T | None = None,
        placeholder: str = "Type to filter",
    ) -> None:
        super().__init__()
        self.heading = title
        self.items = [(cut(label), value) for label, value in items]
        self.current = current
        self.placeholder = placeholder
        #: Indexes into `items` of the options shown, in the order shown, and their
        #: labels (before `_draw` cuts them to the list's width).
        self._shown: list[int] = []
        self._prompts: list[Content] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as panel:
            panel.border_title = plain_text(self.heading)
            panel.border_subtitle = "↑↓ choose · enter pick · esc cancel"
            yield TextInput(placeholder=self.placeholder, id="picker-query", compact=True)
            options = OptionList(id="picker-options")
            options.can_focus = False
            yield options
            yield Label("nothing matches", classes="picker--none", markup=False)

    def on_mount(self) -> None:
        self._show("")
        # Once laid out, the labels are cut to the list's width and the list can scroll
        # the highlighted item into view.
        self.call_after_refresh(self._laid_out)

    def _laid_out(self) -> None:
        options = self.query_one(OptionList)
        self._draw(options.highlighted)
        options.scroll_to_highlight()

    def on_resize(self) -> None:
        self._draw(self.query_one(OptionList).highlighted)

    def _is_current(self, index: int) -> bool:
        return self.current is not None and self.items[index][1] == self.current

    @on(Input.Changed, "#picker-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def _show(self, query: str) -> None:
        query = query.strip()
        if query:
            found = [(fuzzy_match(query, label), i) for i, (label, _) in enumerate(self.items)]
            ranked = sorted(
                ((match, i) for match, i in found if match is not None),
                key=lambda hit: -hit[0].score,
            )
            self._shown = [i for _, i in ranked]
            self._prompts = [highlight_match(match, self.items[i][0]) for match, i in ranked]
        else:
            self._shown = list(range(len(self.items)))
            self._prompts = [plain_text(label) for label, _ in self.items]
        # No query: on the current item; else on the best match.
        current = next((p for p, i in enumerate(self._shown) if self._is_current(i)), 0)
        self._draw(0 if query else current)
        self.query_one(".picker--none").display = not self._shown

    def _draw(self, highlighted: int | None) -> None:
        """The shown items, each on one line: a label too long for the list is cut (with
        an ellipsis) so that the current item's mark stays in sight."""
        options = self.query_one(OptionList)
        padding = options.get_component_styles("option-list--option").padding
        width = options.scrollable_content_region.width - padding.width  # <= 0: not laid out
        prompts = []
        for prompt, index in zip(self._prompts, self._shown, strict=True):
            mark = CURRENT_MARK if self._is_current(index) else None
            room = width - (mark.cell_length if mark is not None else 0)
            if width > 0 and prompt.cell_length > room:
                prompt = prompt.truncate(max(1, room), ellipsis=True)
            prompts.append(prompt + mark if mark is not None else prompt)
        options.set_options(Option(prompt) for prompt in prompts)
        if self._shown and highlighted is not None:
            options.highlighted = min(highlighted, len(self._shown) - 1)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if not self._shown:
            return
        now = options.highlighted
        last = len(self._shown) - 1
        target = (0 if step > 0 else last) if now is None else now + step
        options.highlighted = max(0, min(last, target))

    @on(Input.Submitted, "#picker-query")
    def _submitted(self) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is None or not self._shown:
            self.app.bell()
            return
        self.dismiss(self.items[self._shown[highlighted]][1])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.items[self._shown[event.option_index]][1])


#: After the item the picker opened on.
CURRENT_MARK = Content.styled("  (current)", "italic")


def highlight_match(match: Match, label: str) -> Content:
    """The label as plain text, the letters the query matched reversed (as Textual does)."""
    content = plain_text(label)
    for offset in match.offsets:
        if not label[offset].isspace():
            content = content.stylize("reverse", offset, offset + 1)
    return content
