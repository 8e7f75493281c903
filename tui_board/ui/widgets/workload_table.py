"""What the workload, approvals and report screens share: a table the screen drives by
its own keys, and cells coloured from the theme (the screen that shows one such table
under a heading: `tui_board/ui/screens/table.py`).

The table never takes the focus: every key is the screen's, so that each is in the
footer, in `?` and in the palette, and remappable by its binding id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import JustifyMethod
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets.data_table import CursorType

from tui_board.core.text import printable

if TYPE_CHECKING:
    pass


class Styled:
    """A cell's text in a component style of `widget`, looked up when it is drawn, so a
    new theme recolours it (Textual clears the table's caches on a style change)."""

    __slots__ = ("component", "justify", "text", "widget")

    def __init__(
        self, widget: Widget, text: str, component: str = "", *, justify: JustifyMethod = "left"
    ) -> None:
        self.widget = widget
        self.text = text
        self.component = component
        self.justify = justify

    def __rich__(self) -> Text:
        style = self.widget.get_component_rich_style(self.component) if self.component else ""
        return Text(
            printable(self.text),
            style=style,
            justify=self.justify,
            no_wrap=True,
            overflow="ellipsis",
            end="",
        )

    def __str__(self) -> str:
        return self.text


def plain(text: str, *, justify: JustifyMethod = "left") -> Text:
    """A cell's text (stored text often): never read as markup, its control characters
    shown as `printable` shows them."""
    return Text(printable(text), justify=justify, no_wrap=True, overflow="ellipsis", end="")


class KeyTable(DataTable[Any], can_focus=False):
    """A DataTable moved by its screen's keys: it never takes the focus, and shows its
    cursor as a focused table does."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-table--muted",
        "key-table--strong",
        "key-table--warning",
        "key-table--error",
        "key-table--success",
    }

    DEFAULT_CSS = """
    KeyTable {
        height: 1fr;
        max-height: 100%;
        background: $surface;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
        & > .datatable--cursor, & > .datatable--fixed-cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .datatable--fixed {
            background: $surface;
            color: $foreground;
            text-style: bold;
        }
        & > .key-table--muted { color: $text-muted; }
        & > .key-table--strong { text-style: bold; }
        & > .key-table--warning { color: $text-warning; }
        & > .key-table--error { color: $text-error; text-style: bold; }
        & > .key-table--success { color: $text-success; }
    }
    """

    def __init__(self, *, cursor_type: CursorType = "row", id: str | None = None) -> None:
        super().__init__(
            cursor_type=cursor_type,
            cursor_background_priority="css",
            zebra_stripes=False,
            id=id,
        )

    def styled(self, text: str, component: str = "", *, justify: JustifyMethod = "left") -> Styled:
        """Text in one of this table's component styles (`muted`, `strong`, ...)."""
        name = f"key-table--{component}" if component else ""
        return Styled(self, text, name, justify=justify)

    @property
    def row_index(self) -> int:
        return self.cursor_coordinate.row if self.row_count else -1


def move_keys() -> list[BindingType]:
    """The keys that move a `KeyTable`'s cursor, for the screens that show one."""

    def key(keys: str, action: str, description: str, tooltip: str, id: str) -> Binding:
        return Binding(keys, action, description, show=False, tooltip=tooltip, id=id)

    return [
        key("up,k", "move(0, -1)", "Up", "Move the cursor up", "table-up"),
        key("down,j", "move(0, 1)", "Down", "Move the cursor down", "table-down"),
        key("left,h", "move(-1, 0)", "Left", "Move the cursor left", "table-left"),
        key("right,l", "move(1, 0)", "Right", "Move the cursor right", "table-right"),
        key("pageup", "page(-1)", "Page up", "Move the cursor a page up", "table-page-up"),
        key("pagedown", "page(1)", "Page down", "Move a page down", "table-page-down"),
        key("home,g", "edge(-1)", "First row", "Move to the first row", "table-first"),
        key("end,G", "edge(1)", "Last row", "Move to the last row", "table-last"),
    ]
