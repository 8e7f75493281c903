"""The workload: who is overloaded, who has room, week by week; what lies behind a
figure (and reassigning it); the way to the approvals queue and the time reports.

A lead sees their team, an admin everyone, a member only themself: the backend decides
(`Backend.workload` returns only the people the reader may see). The figures and their
rules live in the service layer; this screen only shows them.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Label, Static

import tui_board.core.workload as workload_rules
from tui_board.core.models import (
    Change,
    Workload,
)
from tui_board.core.weeks import IsoWeek
from tui_board.core.workload import BANDS
from tui_board.ui.dialogs import PickerScreen
from tui_board.ui.feed import FollowsFeed
from tui_board.ui.plain_text import plain_text
from tui_board.ui.screens.approvals import ApprovalsScreen
from tui_board.ui.screens.help import HelpScreen, KeyRow
from tui_board.ui.screens.mode import ModeScreen
from tui_board.ui.screens.reports import ReportsScreen
from tui_board.ui.screens.table import TableScreen
from tui_board.ui.screens.week_detail import WeekDetailScreen
from tui_board.ui.session import describe_error
from tui_board.ui.widgets.key_footer import KeyFooter
from tui_board.ui.widgets.top_bar import TopBar
from tui_board.ui.widgets.workload_grid import (
    PAGE,
    BandLegend,
    WorkloadGrid,
)
from tui_board.ui.widgets.workload_table import move_keys

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend

#: Weeks shown before this one, and in all.
WEEKS_BEFORE = 4
WEEKS_SHOWN = 12


def rules() -> list[str]:
    """How the figures are made, in the words of `core.workload`'s docstring (the rule
    lives there and in the service layer; the help quotes it, never restates it)."""
    doc = inspect.getdoc(workload_rules) or ""
    found: list[str] = []
    for line in doc.splitlines():
        if line.startswith("- "):
            found.append(line[2:])
        elif found and line.startswith("  "):
            found[-1] += " " + line.strip()
    bands = ", ".join(text for _, text in BANDS)
    found.append(f"Bands: {bands}; an edge belongs to the lower band (exactly 100% is fine).")
    found.append("A cell shows the load against the capacity in hours:minutes, e.g. 32:00/40:00.")
    return found


def weeks_waiting(states: list[str], mine: str) -> int:
    """Submitted weeks I may review: not my own (nobody reviews their own, admins too)."""
    return sum(1 for user in states if user != mine)


#: Changes that move none of the workload's figures (a card's comment, an API token).
FIGURES_KEPT_BY = frozenset({"comment", "token"})


class RulesHelpScreen(HelpScreen):
    """The help with the workload's rules above the keys."""

    def __init__(self, rows: list[KeyRow], *, title: str, rules: list[str]) -> None:
        super().__init__(rows, title=title)
        self.rules = rules

    def on_mount(self) -> None:
        super().on_mount()
        text = "\n".join(f"• {rule}" for rule in self.rules)
        self.query_one("#help-keys").mount(
            Label("How the figures are made", classes="help--group", markup=False),
            Static(text, classes="help--what", markup=False),
            before=0,
        )


class WorkloadScreen(FollowsFeed, ModeScreen):
    TITLE = "Workload"
    BINDING_GROUP_TITLE = "Workload"
    AUTO_FOCUS = ""
    PURPOSE = "Who has how much work, week by week."
    #: The screens it pushes (their keys are remappable too).
    SUBSCREENS: ClassVar[tuple[type[TableScreen], ...]] = ()

    BINDINGS: ClassVar[list[BindingType]] = [
        *move_keys(),
        Binding("enter", "details", "Details", tooltip="The tasks and time behind the figure",
                id="workload-details"),
        Binding("left_square_bracket", "shift(-1)", "Earlier", tooltip="Show a week earlier",
                id="workload-earlier"),
        Binding("right_square_bracket", "shift(1)", "Later", tooltip="Show a week later",
                id="workload-later"),
        Binding("full_stop", "this_week", "This week", show=False,
                tooltip="Back to 4 weeks before and 8 after this one", id="workload-this-week"),
        Binding("v", "approvals", "Approvals", tooltip="Submitted weeks: approve or reject",
                id="workload-approvals"),
        Binding("t", "reports", "Reports", tooltip="Time by person, project or task; export",
                id="workload-reports"),
        Binding("f", "pick_team", "Team", show=False, tooltip="Show one team, or everyone",
                id="workload-team"),
        Binding("r", "reload", "Reload", show=False, tooltip="Read the figures again",
                id="reload"),
    ]  # fmt: skip

    DEFAULT_CSS = """
    WorkloadScreen > .mode-status {
        padding: 0 1;
        margin: 0;
    }
    WorkloadScreen > #workload-head {
        height: 1;
        padding: 0 1;
    }
    WorkloadScreen #workload-head > .mode-facts {
        width: 1fr;
        height: 1;
        min-height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    WorkloadScreen > #workload-legend {
        height: 1;
        padding: 0 1;
        margin-bottom: 1;
    }
    WorkloadScreen #workload-legend > .workload--muted {
        width: auto;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    WorkloadScreen > #workload-body {
        height: 1fr;
        padding: 0 1;
    }
    WorkloadScreen WorkloadGrid {
        height: auto;
        max-height: 100%;
    }
    """

    @dataclass
    class Loaded(Message):
        number: int
        workload: Workload

    @dataclass
    class More(Message):
        """More rows of the read `number` (the grid asked for them)."""

        number: int
        workload: Workload

    @dataclass
    class Waiting(Message):
        """How many submitted weeks I may review."""

        count: int
        #: The change feed's position before they were counted (None: not asked).
        seq: int | None = None

    @dataclass
    class LoadFailed(Message):
        number: int
        message: str

    def __init__(self) -> None:
        super().__init__()
        self.start: IsoWeek | None = None
        self.team: str | None = None
        #: Teams seen when showing everyone I may see (what the team filter offers).
        self.teams_seen: list[str] = []
        #: Submitted weeks I may review, as last counted.
        self.waiting = 0
        self._loads = 0

    def compose(self) -> ComposeResult:
        yield TopBar(self.title or "Workload")
        yield Static("", classes="mode-status", markup=False)
        with Horizontal(id="workload-head"):
            yield Static("", classes="mode-facts", markup=False)
        with Horizontal(id="workload-legend"):
            yield BandLegend()
            yield Label("load/capacity (h:mm) · ? how", classes="workload--muted")
        with Vertical(id="workload-body"):
            yield WorkloadGrid()
        yield KeyFooter()

    def on_resize(self) -> None:
        self.grid.fit(self.size.width - 2)  # the grid's margins

    def action_move(self, dx: int, dy: int) -> None:
        self.grid.move(dx, dy)

    def action_page(self, step: int) -> None:
        self.grid.page(step)

    def action_edge(self, step: int) -> None:
        self.grid.edge(step)

    @on(WorkloadGrid.Selected)
    def _clicked_twice(self) -> None:
        self.action_details()

    @property
    def grid(self) -> WorkloadGrid:
        return self.query_one(WorkloadGrid)

    def make_help(self, rows: list[KeyRow]) -> HelpScreen:
        """`?` here: the keys, then how the figures are made."""
        return RulesHelpScreen(rows, title=self.title or "", rules=rules())

    # --- reading --------------------------------------------------------------------------

    def load(self) -> None:
        """Read the figures (when the backend opens, on `r`, after a change of weeks)."""
        backend = self.board_app.backend
        if backend is None:
            return
        today = self.today
        if self.start is None:
            self.start = IsoWeek.of(today).shift(-WEEKS_BEFORE)
        self._loads += 1
        facts = self.query_one(".mode-facts", Static)
        facts.loading = False  # a spinner would take turns with the read for the CPU
        if self.grid.workload is None:
            facts.update("Reading the workload …")
        # the rows around those in view (the grid asks for the rest as they come near)
        offset = max(0, int(self.grid.scroll_y) // PAGE * PAGE) if self.grid.rows else 0
        self._read(backend, self.start, self.team, today, self._loads, offset)

    @work(thread=True, group="workload-read")
    def _read(
        self,
        backend: Backend,
        start: IsoWeek,
        team: str | None,
        today: date,
        number: int,
        offset: int = 0,
    ) -> None:
        """The first read: a window of people and the totals over everyone."""
        try:
            figures = backend.workload(
                start, WEEKS_SHOWN, team=team, today=today, offset=offset, limit=2 * PAGE
            )
        except Exception as error:
            self.post_message(self.LoadFailed(number, describe_error(error)))
            return
        self.post_message(self.Loaded(number, figures))

    @on(WorkloadGrid.Wanted)
    def _wanted(self, message: WorkloadGrid.Wanted) -> None:
        backend = self.board_app.backend
        if backend is None or self.start is None:
            return
        self._read_more(
            backend, self.start, self.team, self.today, self._loads, message.offset, message.limit
        )

    @work(thread=True, group="workload-more")
    def _read_more(
        self,
        backend: Backend,
        start: IsoWeek,
        team: str | None,
        today: date,
        number: int,
        offset: int,
        limit: int,
    ) -> None:
        """Rows the grid asked for, without the totals (it has them)."""
        try:
            figures = backend.workload(
                start,
                WEEKS_SHOWN,
                team=team,
                today=today,
                offset=offset,
                limit=limit,
                totals=False,
            )
        except Exception as error:
            self.post_message(self.LoadFailed(number, describe_error(error)))
            return
        self.post_message(self.More(number, figures))

    @on(More)
    def _more(self, message: More) -> None:
        if message.number == self._loads:
            self.grid.add(message.workload)

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.number != self._loads:
            return
        figures = message.workload
        if self.team is None:
            self.teams_seen = list(figures.teams)
        self.grid.show(figures)
        self.set_status("")
        self._show_summary()
        backend = self.board_app.backend
        if backend is not None:  # after the grid's first frame: it need not wait for this
            self.call_after_refresh(self._count_waiting, backend, self._feed_seq is None)

    @work(thread=True, exclusive=True, group="workload-waiting")
    def _count_waiting(self, backend: Backend, with_seq: bool = True) -> None:
        try:
            # Before the count: a week submitted after it is news in the feed.
            seq = backend.last_change() if with_seq else None
            me = backend.me()
            submitted = [s.user for s in backend.list_week_states(state="submitted")]
        except Exception:  # the summary just leaves the count out; `v` reports errors
            return
        self.post_message(self.Waiting(weeks_waiting(submitted, me.login), seq))

    @on(Waiting)
    def _got_waiting(self, message: Waiting) -> None:
        if message.seq is not None:
            self.follow_feed(message.seq)  # "N weeks to approve" follows the feed
        self.waiting = message.count
        self._show_summary()

    def feed_changed(self, changes: list[Change], complete: bool) -> None:
        """Time logged, a task or a person changed, anywhere (another screen, another
        shell, another person): the figures are read again where they are (as `r`
        reads them). A week submitted, approved, rejected or reopened: count again."""
        backend = self.board_app.backend
        if backend is None:
            return
        if not complete or any(c.entity == "week" for c in changes):
            self._count_waiting(backend, with_seq=False)
        if not complete or any(c.entity not in FIGURES_KEPT_BY for c in changes):
            self.load()

    def _show_summary(self) -> None:
        figures = self.grid.workload
        if figures is not None:
            summary = plain_text(self._summary(figures, self.waiting))
            self.query_one(".mode-facts", Static).update(summary)

    def _summary(self, figures: Workload, waiting: int) -> str:
        people = figures.people
        who = "1 person" if people == 1 else f"{people:,} people"
        teams = set(figures.teams)
        if self.team is not None:
            who = f"team {self.team}: {who}"
        elif len(teams) > 1:
            who += f" in {len(teams)} teams"
        elif teams:
            who += f" · team {next(iter(teams))}"
        parts = [who, f"{figures.weeks[0]} to {figures.weeks[-1]}"]
        if waiting:
            parts.append(f"{waiting} week{'s' * (waiting != 1)} to approve (v)")
        return " · ".join(parts)

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        if message.number != self._loads:
            return
        self.set_status(f"Cannot read the workload: {message.message}", error=True)
        self.notify(message.message, title="Workload: cannot read", severity="error", markup=False)

    # --- keys ------------------------------------------------------------------------------

    def action_shift(self, step: int) -> None:
        if self.start is None:
            return
        self.start = self.start.shift(step)
        self.load()

    def action_this_week(self) -> None:
        self.start = IsoWeek.of(self.today).shift(-WEEKS_BEFORE)
        self.load()

    def action_details(self) -> None:
        figures = self.grid.workload
        spot = self.grid.spot()
        row = self.grid.row_at_cursor()
        if figures is None or row is None or spot.week is None:
            self.app.bell()  # (a row still being read, too)
            return
        week = spot.week
        detail = WeekDetailScreen(row, week, team=self.team, today=self.today)
        self.app.push_screen(detail, lambda _: self._after(detail))

    def action_approvals(self) -> None:
        if self.board_app.backend is None:
            self.app.bell()
            return
        screen = ApprovalsScreen(today=self.today)
        self.app.push_screen(screen, lambda _: self._after(screen))

    def action_reports(self) -> None:
        if self.board_app.backend is None:
            self.app.bell()
            return
        first_day = self.board_app.config.first_day
        self.app.push_screen(ReportsScreen(today=self.today, first_day=first_day))

    def _after(self, screen: TableScreen) -> None:
        if screen.changed:
            self.load()

    def action_pick_team(self) -> None:
        if len(self.teams_seen) < 2:
            self.notify("You see one team's figures (or only your own).", markup=False)
            return
        items: list[tuple[str, str]] = [("everyone I may see", "")]
        items += [(f"team {name}", name) for name in self.teams_seen]

        def picked(name: str | None) -> None:
            if name is None or (name or None) == self.team:
                return
            self.team = name or None
            self.load()

        self.app.push_screen(
            PickerScreen("Show the workload of", items, current=self.team or ""), picked
        )


WorkloadScreen.SUBSCREENS = (WeekDetailScreen, ApprovalsScreen, ReportsScreen)

__all__ = ["RulesHelpScreen", "WeekDetailScreen", "WorkloadScreen", "rules"]
