"""The `?` screen: every key of the current screen and the global keys.

Built from the live bindings (after the user's keymap), so it never disagrees with the
footer; the command palette lists the same rows (see `key_rows`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static


@dataclass(frozen=True)
class KeyRow:
    """One action and every key bound to it, as a person reads it."""

    group: str
    keys: str
    description: str
    tooltip: str
    action: str
    namespace: DOMNode
    #: The binding's id (what the config's `[keymap]` names); None for Textual's own
    #: generic keys such as tab, which are listed last, under the app's group.
    binding_id: str | None = None


def key_rows(screen: Screen[Any]) -> list[KeyRow]:
    """The actions reachable by key on `screen` (its focused widget, the screen itself
    and the app), one row per action with all its keys, in binding order."""
    app = screen.app
    found: dict[tuple[int, str], tuple[DOMNode, list[Binding]]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system or not binding.description:
            continue
        node, bindings = found.setdefault((id(active.node), binding.action), (active.node, []))
        bindings.append(binding)
    rows = []
    for node, bindings in found.values():
        first = bindings[0]
        keys = _unique(app.get_key_display(binding) for binding in bindings)
        rows.append(
            KeyRow(
                group=_group_title(node if first.id else app),
                keys=" / ".join(keys),
                description=first.description,
                tooltip=first.tooltip,
                action=first.action,
                namespace=node,
                binding_id=first.id,
            )
        )
    return sorted(rows, key=lambda row: row.binding_id is None)


def _group_title(node: DOMNode) -> str:
    return getattr(node, "BINDING_GROUP_TITLE", None) or type(node).__name__


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


class HelpScreen(ModalScreen[None]):
    """Lists key rows grouped by where they work; closes with esc, q or ?."""

    BINDING_GROUP_TITLE = "Help"
    BINDINGS = [
        Binding(
            "escape,q,question_mark", "close", "Close", tooltip="Close the help", id="help-close"
        ),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > #help-panel {
        width: 76;
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
    HelpScreen #help-keys {
        height: auto;
        max-height: 100%;
    }
    HelpScreen .help--group {
        margin-top: 1;
        text-style: bold;
        color: $text-accent;
    }
    HelpScreen .help--rows {
        grid-size: 2;
        grid-columns: 18 1fr;
        grid-gutter: 0 1;
        height: auto;
    }
    HelpScreen .help--keys {
        text-style: bold;
        color: $text-primary;
    }
    HelpScreen .help--what {
        color: $foreground;
    }
    """

    def __init__(self, rows: list[KeyRow], *, title: str = "") -> None:
        super().__init__()
        self.rows = rows
        self.heading = title

    def compose(self) -> ComposeResult:
        with Vertical(id="help-panel") as panel:
            panel.border_title = f"Keys: {self.heading}" if self.heading else "Keys"
            with VerticalScroll(id="help-keys"):
                groups: dict[str, list[KeyRow]] = {}
                for row in self.rows:
                    groups.setdefault(row.group, []).append(row)
                for group, rows in groups.items():
                    yield Label(group, classes="help--group", markup=False)
                    with Grid(classes="help--rows"):
                        for row in rows:
                            yield Label(row.keys, classes="help--keys", markup=False)
                            what = (
                                f"{row.description}: {row.tooltip}"
                                if row.tooltip
                                else (row.description)
                            )
                            yield Label(what, classes="help--what", markup=False)

    def on_mount(self) -> None:
        closing = [row.keys for row in key_rows(self) if row.action == "close"]
        panel = self.query_one("#help-panel")
        panel.border_subtitle = f"{' / '.join(closing)}: close" if closing else ""

    def action_close(self) -> None:
        self.dismiss(None)


class MarksHelp(HelpScreen):
    """The help with what a screen's marks mean above its keys (`marks`)."""

    def marks(self) -> list[str]:
        raise NotImplementedError

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#help-keys").mount(
            Label("What the marks mean", classes="help--group", markup=False),
            Static("\n".join(self.marks()), classes="help--what", markup=False),
            before=0,
        )
