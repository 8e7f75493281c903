"""The approvals queue: the submitted weeks I may see, each with its total and its
per-day totals; approve, reject with a note, or reopen. Under the table, the highlighted
week's time task by task, and its reviewer's note.

Who may review whom is the service layer's to decide (a lead reviews their team, an
admin anyone, nobody their own week): a refused review comes back as a notification.
One's own weeks are shown, marked as such, and the reviewing keys on one say at once
that someone else reviews it (rather than asking for a note first). A member sees their
own weeks here, with their state and the reviewer's note.

The queue follows the change feed while it is shown: a week submitted, approved or
reopened elsewhere appears (or goes) within a second or two, without a key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tui_board.backend.undo import review_change
from tui_board.core.durations import format_duration
from tui_board.core.models import Change, TimeOff, User, WeekSheet, WeekState
from tui_board.core.permissions import OWN_WEEK
from tui_board.core.weeks import IsoWeek
from tui_board.ui.dialogs import ConfirmScreen
from tui_board.ui.dialogs.text_prompt import TextPrompt, required
from tui_board.ui.feed import FollowsFeed
from tui_board.ui.plain_text import PASSAGE, cells, cut, plain_text
from tui_board.ui.screens.table import TableScreen
from tui_board.ui.widgets.workload_table import KeyTable, plain
from tui_board.ui.writer import Refusal, Stored, Write

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend

View = Literal["waiting", "recent"]
#: What a reviewer does to a week.
Review = Literal["approve", "reject", "reopen"]
#: The "recent" view: weeks from this many weeks ago on, at most this many of them.
RECENT_WEEKS = 8
RECENT_LIMIT = 200
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STATE_LOOK = {"submitted": "warning", "approved": "success", "rejected": "error", "draft": "muted"}


@dataclass(frozen=True)
class QueuedWeek:
    """A row of the queue: the week's state, and its time day by day."""

    state: WeekState
    name: str
    sheet: WeekSheet
    #: The week is the reviewer's own: someone else reviews it (a member's weeks are
    #: all their own, and not marked).
    mine: bool = False

    @property
    def key(self) -> str:
        return f"{self.state.user}/{self.state.week}"

    def day_totals(self) -> list[int]:
        """Minutes logged on each day, Monday first (time off not counted)."""
        totals = [0] * 7
        for entry in self.sheet.own_entries:  # a short week's own days
            totals[entry.day.weekday()] += entry.minutes
        return totals


@dataclass(frozen=True)
class Queue:
    me: User
    view: View
    weeks: list[QueuedWeek]
    #: More weeks matched than were read.
    cut: bool = False
    #: Whether I review anyone's weeks (an admin, or the lead of a team); the store
    #: still decides each review.
    reviewer: bool = True
    #: The change feed's position before the reads.
    seq: int = 0


class ApprovalsScreen(FollowsFeed, TableScreen):
    TITLE = "Approvals"
    BINDING_GROUP_TITLE = "Approvals"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve", "Approve", tooltip="Approve the week (it is locked)",
                id="approvals-approve"),
        Binding("x", "reject", "Reject", tooltip="Send the week back with a note",
                id="approvals-reject"),
        Binding("o", "reopen", "Reopen", tooltip="Back to draft, so its owner can change it",
                id="approvals-reopen"),
        Binding("s", "switch_view", "View",
                tooltip="Only weeks waiting for review, or every recent week",
                id="approvals-view"),
    ]  # fmt: skip

    DEFAULT_CSS = """
    ApprovalsScreen #table-screen-table {
        max-height: 50%;
    }
    ApprovalsScreen #approvals-week-head {
        height: auto;
        padding: 1 1 0 1;
        color: $text-muted;
    }
    /* The week takes the room the queue leaves, its head apart: a max-height of 1fr
       was the whole frame, and the week's last rows fell under the footer. */
    ApprovalsScreen #approvals-below, ApprovalsScreen #approvals-week-room {
        height: 1fr;
    }
    ApprovalsScreen #approvals-week {
        height: auto;
        max-height: 100%;
    }
    """

    def __init__(self, *, today: date, view: View | None = None) -> None:
        super().__init__("Weeks waiting for approval")
        self.today = today
        #: None until the first read: then "waiting", or "recent" for a member.
        self.view: View | None = view
        self.queue: Queue | None = None

    def on_resize(self) -> None:
        if self.queue is not None:
            self.show(self.queue)

    def compose_below(self) -> ComposeResult:
        with Vertical(id="approvals-below"):
            yield Static("", id="approvals-week-head", markup=False)
            with Vertical(id="approvals-week-room"):
                week = KeyTable(id="approvals-week")
                week.show_cursor = False
                yield week

    # --- reading ---------------------------------------------------------------------------

    def read(self, backend: Backend) -> Queue:
        seq = backend.last_change()  # before the reads: a later change is seen again
        me = backend.me()
        reviewer = me.role in ("admin", "lead") or any(
            team.lead == me.login for team in backend.list_teams()
        )
        view: View = self.view or ("waiting" if reviewer else "recent")
        if view == "waiting":
            states = backend.list_week_states(state="submitted")
        else:
            since = str(IsoWeek.of(self.today).shift(-RECENT_WEEKS))
            states = [s for s in backend.list_week_states() if s.week >= since]
        names = {u.login: u.name for u in backend.list_users(include_inactive=True)}
        if view == "recent":  # the newest weeks first, people by name
            states.sort(key=lambda s: names.get(s.user, s.user).casefold())
            states.sort(key=lambda s: s.week, reverse=True)
        if reviewer:  # a reviewer's own weeks last: someone else reviews them
            states.sort(key=lambda s: s.user == me.login)
        cut = len(states) > RECENT_LIMIT
        weeks = [
            QueuedWeek(
                s,
                names.get(s.user, s.user),
                backend.week(IsoWeek.parse(s.week), user=s.user),
                mine=reviewer and s.user == me.login,
            )
            for s in states[:RECENT_LIMIT]
        ]
        return Queue(me, view, weeks, cut, reviewer, seq)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Reviewing keys only for those who review someone's weeks."""
        if action in ("approve", "reject", "reopen"):
            return self.queue is None or self.queue.reviewer
        return True

    def show(self, data: Queue) -> None:
        self.follow_feed(data.seq)
        before = self._current_key()
        index = self.table.row_index
        self.queue = data
        self.view = data.view
        self.refresh_bindings()
        days = [DAY_NAMES[day] for day in self._days_shown()]
        table = self.table
        table.clear(columns=True)
        # week, the days, total and state, each with its padding, and the scrollbar
        fixed = 10 + 7 * len(days) + 8 + 11 + table.styles.scrollbar_size_vertical
        if not self.fits(fixed):  # too narrow for the days (a weekend worked, 80
            fixed -= 7 * len(days)  # columns): the week's table below has them
            days = []
        names = max([6, *(cells(w.name) for w in data.weeks)])
        table.add_column(plain("Person"), key="person", width=min(names, self.room(fixed)))
        table.add_column(plain("Week"), key="week", width=8)
        for day in days:
            table.add_column(plain(day, justify="right"), key=day, width=5)
        table.add_column(plain("Total", justify="right"), key="total", width=6)
        table.add_column(plain("State"), key="state", width=9)
        for week in data.weeks:
            totals = week.day_totals()[: len(days)]
            table.add_row(
                plain(week.name),
                plain(week.state.week),
                *(self._minutes(m) for m in totals),
                table.styled(format_duration(week.sheet.total), "strong", justify="right"),
                table.styled(week.state.state, STATE_LOOK.get(week.state.state, "")),
                key=week.key,
            )
        keys = [w.key for w in data.weeks]
        if keys:
            row = keys.index(before) if before in keys else min(max(index, 0), len(keys) - 1)
            table.move_cursor(row=row, animate=False)
        self._describe(data)
        self._show_week()

    def _minutes(self, minutes: int, look: str = "") -> object:
        if not minutes:
            return self.table.styled("-", "muted", justify="right")
        return self.table.styled(format_duration(minutes), look, justify="right")

    def _describe(self, data: Queue) -> None:
        mine = not data.reviewer
        if data.view == "waiting":
            self.set_heading("Weeks waiting for approval")
            count = len(data.weeks)
            figures = (
                "Nothing waiting."
                if not count
                else (
                    f"{count} week{'s' * (count != 1)} submitted, "
                    f"{format_duration(sum(w.sheet.total for w in data.weeks))} in all"
                )
            )
        else:
            self.set_heading("Your weeks" if mine else "Recent weeks, every state")
            figures = f"Weeks from {IsoWeek.of(self.today).shift(-RECENT_WEEKS)} on"
            if data.cut:
                figures += f", the newest {RECENT_LIMIT}"
            if not data.weeks:
                figures += ": none submitted yet."
        if mine:
            figures += " · your lead reviews your weeks"
        self.set_figures(figures)

    def _current(self) -> QueuedWeek | None:
        index = self.table.row_index
        if self.queue is None or not 0 <= index < len(self.queue.weeks):
            return None
        return self.queue.weeks[index]

    def _current_key(self) -> str | None:
        week = self._current()
        return week.key if week else None

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_week()

    def _show_week(self) -> None:
        """Under the queue: the highlighted week task by task, day by day, and its note."""
        week = self._current()
        head = self.query_one("#approvals-week-head", Static)
        table = self.query_one("#approvals-week", KeyTable)
        table.clear(columns=True)
        if week is None:
            head.update("")
            return
        head.update(plain_text("\n".join(week_heading(week)), multiline=True))
        # the week's own days, in its order (a week submitted from Sunday starts on Sunday)
        shown = self._days_shown()
        dates = {d.weekday(): d for d in week.sheet.days}
        days = [d.weekday() for d in week.sheet.days if d.weekday() in shown]
        tasks = week_tasks(week)
        keys = max([4, *(cells(key) for key in tasks)])
        # the task, the days and the total, each with its padding, and the scrollbar
        fixed = keys + 2 + 8 * len(days) + 8 + table.styles.scrollbar_size_vertical
        titled = self.fits(fixed)  # too narrow: the task's key alone, every figure whole
        table.add_column(plain("Task"), key="task", width=keys)
        if titled:
            titles = max([5, *(cells(title) for title, _ in tasks.values())])
            table.add_column(plain("Title"), key="title", width=min(titles, self.room(fixed)))
        for day in days:
            label = f"{DAY_NAMES[day]} {dates[day]:%d}"
            table.add_column(plain(label, justify="right"), key=str(day), width=6)
        table.add_column(plain("Total", justify="right"), key="total", width=6)
        for key, (name, minutes) in tasks.items():
            table.add_row(
                plain(key),
                *([plain(name)] if titled else []),
                *(self._minutes(minutes[day]) for day in days),
                table.styled(format_duration(sum(minutes)), "strong", justify="right"),
            )
        if tasks:
            table.add_row(
                table.styled("Total", "strong"),
                *([plain("")] if titled else []),
                *(self._minutes(week.day_totals()[day], "strong") for day in days),
                table.styled(format_duration(week.sheet.total), "strong", justify="right"),
            )

    def _days_shown(self) -> list[int]:
        """Monday to Friday, and the weekend when any week shown has time on it."""
        weeks = self.queue.weeks if self.queue else []
        weekend = any(sum(w.day_totals()[5:]) for w in weeks)
        return list(range(7 if weekend else 5))

    # --- reviewing ---------------------------------------------------------------------------

    def _week_or_bell(self) -> QueuedWeek | None:
        week = self._current()
        if week is None:
            self.app.bell()
        return week

    def _reviewable(self) -> QueuedWeek | None:
        """The highlighted week if it is someone else's; of one's own, it says who
        reviews it (the store would refuse it: better before a note is written)."""
        week = self._week_or_bell()
        if week is not None and week.mine:
            self.notify(OWN_WEEK, title="Not changed", severity="warning", markup=False)
            return None
        return week

    def action_approve(self) -> None:
        week = self._reviewable()
        if week is None:
            return
        self._review(week.state, "approve", "")

    def action_reject(self) -> None:
        week = self._reviewable()
        if week is None:
            return
        state = week.state
        prompt = TextPrompt(
            f"Reject {week.name}'s {state.week}",
            label="Note (what to fix; they see it on their timesheet)",
            describe=required("a note saying why"),
            context=f"{format_duration(week.sheet.total)} logged; the week goes back to them.",
            placeholder="e.g. Wednesday looks short",
        )

        def answered(note: str | None) -> None:
            if note:
                self._review(state, "reject", note)

        self.app.push_screen(prompt, answered)

    def action_reopen(self) -> None:
        week = self._reviewable()
        if week is None:
            return
        state = week.state
        confirm = ConfirmScreen(
            f"Reopen {cut(week.name)}'s {state.week} ({state.state})? It goes back to draft, "
            "so that they can change it and submit it again.",
            title="Reopen the week",
            yes="Reopen",
            no="Keep",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._review(state, "reopen", "")

        self.app.push_screen(confirm, answered)

    # --- other people's changes ------------------------------------------------------------

    def feed_paused(self) -> bool:
        return bool(self.writes_pending)  # their answers read the queue again

    def feed_changed(self, changes: list[Change], complete: bool) -> None:
        """A week changed state (submitted, approved, rejected, reopened): read the
        queue again, without the loading spinner (the cursor stays on its week)."""
        if not complete or any(change.entity == "week" for change in changes):
            backend = self.board_app.backend
            if backend is not None:
                self._reads += 1
                self._read_in_worker(backend, self._reads)

    def action_switch_view(self) -> None:
        self.view = "recent" if self.view == "waiting" else "waiting"
        self.action_reload()

    def _review(self, state: WeekState, what: Review, note: str) -> None:
        week = IsoWeek.parse(state.week)
        user = state.user
        names = {w.state.user: w.name for w in self.queue.weeks} if self.queue else {}
        whose = f"{names.get(user, user)}'s {week}"
        done = {"approve": "Approved", "reject": "Rejected", "reopen": "Reopened"}[what]

        def send(backend: Backend, _version: int | None) -> Stored[WeekState]:
            if what == "approve":
                stored = backend.approve_week(user, week)
            elif what == "reject":
                stored = backend.reject_week(user, week, note)
            else:
                stored = backend.reopen_week(user, week)
            undo = review_change(f"{what} {whose}", state, stored)
            return Stored(stored, note=f"{done} {whose}; u undoes it.", undo=undo)

        self.send_write(Write(f"{what} {whose}", send))

    def write_stored(self, write: Write[Any], result: Any) -> None:
        self.changed = True
        self.notify(cast("Stored[WeekState]", result).note, markup=False)
        self.action_reload()

    def write_refused(self, write: Write[Any], refusal: Refusal) -> None:
        self.notify(refusal.message, title="Not changed", severity="error", markup=False)
        self.action_reload()


def week_heading(week: QueuedWeek) -> list[str]:
    """`Maya Okafor · 2026-W17 · rejected by alice`, then the note and the time off (one
    line each, the stored parts cut to a few lines at most)."""
    state = week.state
    head = f"{cut(week.name)} · {state.week} · {state.state}"
    if state.reviewer:
        head += f" by {cut(state.reviewer)}"
    if week.mine:
        head += " · yours: another admin or a lead reviews it"
    lines = [head]
    if state.note:
        # A week sent back and submitted again keeps the note it was sent back with.
        said = "Note" if state.state == "rejected" else "Sent back before with"
        lines.append(f"{said}: {cut(state.note, PASSAGE)}")
    if week.sheet.time_off:
        lines.append(f"Time off: {time_off_text(week.sheet.time_off)}")
    if not week.sheet.own_entries:
        lines.append("No time logged.")
    return lines


def week_tasks(week: QueuedWeek) -> dict[str, tuple[str, list[int]]]:
    """Each task of the week (by key) with its title and minutes by weekday, Monday
    first (the week's days are its sheet's: those it was submitted with)."""
    tasks: dict[str, tuple[str, list[int]]] = {}
    for entry in sorted(week.sheet.own_entries, key=lambda e: e.task):
        _, minutes = tasks.setdefault(entry.task, (entry.task_title, [0] * 7))
        minutes[entry.day.weekday()] += entry.minutes
    return tasks


def time_off_text(time_off: Iterable[TimeOff]) -> str:
    """`Tue vacation 8:00, Wed sick 4:00`."""
    return ", ".join(f"{t.day:%a} {t.kind} {format_duration(t.minutes)}" for t in time_off)
