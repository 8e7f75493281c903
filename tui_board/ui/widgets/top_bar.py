"""The one-line bar at the top of every mode screen: where I am and who I am."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label


class TopBar(Horizontal):
    """`tui-board · Board` on the left; who is signed in and the backend on the right."""

    DEFAULT_CSS = """
    TopBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    TopBar > .top-bar--title {
        width: auto;
        padding: 0 1;
        text-style: bold;
        color: $text-primary;
    }
    TopBar > .top-bar--who {
        width: 1fr;
        padding: 0 1;
        text-align: right;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        color: $text-muted;
    }
    """

    #: Who is signed in and where the data lives, or what is being opened.
    who: reactive[str] = reactive("")

    def __init__(self, heading: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.heading = heading

    def compose(self) -> ComposeResult:
        yield Label(f"tui-board · {self.heading}", classes="top-bar--title", markup=False)
        yield Label(self.who, classes="top-bar--who", markup=False)

    def watch_who(self, who: str) -> None:
        if self.is_mounted:
            self.query_one(".top-bar--who", Label).update(who)
