"""The one-line bar at the top of every mode screen: where I am, my running timer, and
who I am."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.timer import Timer as Ticker
from textual.widgets import Label

from tui_board.core.clock import system_clock
from tui_board.core.durations import format_duration
from tui_board.core.models import Timer
from tui_board.core.text import printable
from tui_board.ui.plain_text import plain_text

TIMER_GLYPH = "⏱"


def timer_text(timer: Timer, now: datetime) -> str:
    """`⏱ WEB-12 0:42`: the task and how long the timer has run, in whole minutes."""
    started = timer.started if timer.started.tzinfo else timer.started.replace(tzinfo=UTC)
    minutes = max(0, int((now - started).total_seconds() // 60))
    return f"{TIMER_GLYPH} {timer.task} {format_duration(minutes)}"


class TopBar(Horizontal):
    """`tui-board · Board` on the left, then my running timer (ticking), then who is
    signed in and the backend on the right.

    The timer follows the app's `timer` reactive when the app has one (every screen's
    bar shows the same timer); set `TopBar.timer` directly otherwise."""

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
        text-wrap: nowrap;
    }
    TopBar > .top-bar--timer {
        display: none;
        width: auto;
        padding: 0 1;
        text-style: bold;
        color: $timer;
        text-wrap: nowrap;
    }
    TopBar.-timing > .top-bar--timer {
        display: block;
    }
    TopBar > .top-bar--link {
        display: none;
        width: auto;
        padding: 0 1;
        text-style: bold;
        color: $text-warning;
        text-wrap: nowrap;
    }
    TopBar.-offline > .top-bar--link {
        display: block;
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
    #: My running timer, or None.
    timer: reactive[Timer | None] = reactive(None)
    #: "" while the store answers, else e.g. "offline · 2 entries queued".
    link: reactive[str] = reactive("")

    def __init__(self, heading: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.heading = heading
        self._ticker: Ticker | None = None

    def compose(self) -> ComposeResult:
        yield Label(
            plain_text(f"tui-board · {self.heading}"), classes="top-bar--title", markup=False
        )
        yield Label("", classes="top-bar--timer", markup=False)
        yield Label("", classes="top-bar--link", markup=False)
        yield Label(plain_text(self.who), classes="top-bar--who", markup=False)

    def on_mount(self) -> None:
        self._ticker = self.set_interval(1, self._tick, pause=True)
        if hasattr(type(self.app), "timer"):
            self.watch(self.app, "timer", self._follow_app_timer)
        if hasattr(type(self.app), "link"):
            self.watch(self.app, "link", self._follow_app_link)

    def _follow_app_link(self, link: str) -> None:
        self.link = link

    def watch_link(self, link: str) -> None:
        self.set_class(bool(link), "-offline")
        if self.is_mounted:
            self.query_one(".top-bar--link", Label).update(plain_text(link))

    def _follow_app_timer(self, timer: Timer | None) -> None:
        self.timer = timer

    def watch_who(self, who: str) -> None:
        if self.is_mounted:
            self.query_one(".top-bar--who", Label).update(plain_text(who))

    def watch_timer(self, timer: Timer | None) -> None:
        self.set_class(timer is not None, "-timing")
        if self._ticker is not None:
            if timer is None:
                self._ticker.pause()
            else:
                self._ticker.resume()
        self._tick()

    def _tick(self) -> None:
        if not self.is_mounted or self.timer is None:
            return
        clock = getattr(self.app, "clock", system_clock)
        text = printable(timer_text(self.timer, clock()))
        label = self.query_one(".top-bar--timer", Label)
        old = str(label.content)
        if old != text:
            label.update(text, layout=len(old) != len(text))  # a relayout repaints it all
