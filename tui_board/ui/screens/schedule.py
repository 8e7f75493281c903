"""The project schedule: one project's open tasks on a timeline, and whether they are on
time.

A row per open task, grouped by milestone then assignee; a column per week (`z`: per
day); a bar from start to due filled by progress; today, milestones and the deadline
marked; each row's flags in words. The figures and the flags are the service layer's
(`Backend.project_schedule`); this screen draws them line by line (only the lines in
view), so 2,000 tasks scroll as fast as 20.

It opens on the board's project, follows the change feed (`FollowsFeed`: a change of
its project, milestones, tasks, time on them, or its people's schedules is read once per
look), and `?` explains its marks. Shown the first time, it reads before it is shown
(`FIRST_READ_WAIT_S`, the board staying up meanwhile): its first frame is drawn once,
with the schedule, not a loading state first.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static
from textual.worker import Worker

from tui_board.backend.undo import CardChange, Undoable
from tui_board.core.durations import format_duration
from tui_board.core.models import (
    Change,
    Milestone,
    ProjectSchedule,
    ScheduleRow,
    Task,
    TaskPatch,
)
from tui_board.core.schedule import AT_RISK, OVER_ESTIMATE, OVERDUE, revise_row
from tui_board.core.text import printable
from tui_board.ui.dialogs import PickerScreen
from tui_board.ui.dialogs.task_form import EXAMPLE_AHEAD
from tui_board.ui.feed import FollowsFeed
from tui_board.ui.plain_text import cut, plain_text
from tui_board.ui.screens.help import HelpScreen, KeyRow, MarksHelp
from tui_board.ui.screens.mode import ModeScreen, ReadMark, bind
from tui_board.ui.session import describe_error
from tui_board.ui.widgets.key_footer import KeyFooter
from tui_board.ui.widgets.top_bar import TopBar
from tui_board.ui.writer import Refusal, Stored, Write

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend

Zoom = Literal["week", "day"]
#: Characters per week (week zoom) and per day (day zoom).
WEEK_CHARS = 4
DAY_CHARS = 3
FLAG_WORDS = {OVERDUE: "OVERDUE", OVER_ESTIMATE: "OVER EST", AT_RISK: "AT RISK"}
#: The flags in a word each, for a row whose title would otherwise get too few cells.
#: (`+EST`, not `OVER`: beside LATE, a trial read `LATE OVER` as one word, and `OVER`
#: alone as overdue.)
SHORT_FLAG_WORDS = {OVERDUE: "LATE", OVER_ESTIMATE: "+EST", AT_RISK: "RISK"}
#: The cells a task's title keeps before its flags are written short.
MIN_TITLE = 12
NOBODY = ""
#: The project's deadline on the timeline.
DEADLINE = "┃"
#: The fields of a task a schedule row shows as the store has them.
ROW_FIELDS = ("title", "assignee", "start", "due", "estimate", "logged", "version")


def stored_fields(task: Task) -> dict[str, Any]:
    """A task's fields as its schedule row shows them."""
    return {name: getattr(task, name) for name in ROW_FIELDS}


class Line(NamedTuple):
    """A line of the chart: a group's heading (`row` None) or a task. `pending`: the
    task was changed here and whether it is at risk is not known until the store's
    answer is read (shown as `…`). `suffix`: what a heading keeps whole when its text
    is cut (a milestone's date). A tuple: the chart makes one per task."""

    text: str
    row: ScheduleRow | None = None
    pending: bool = False
    suffix: str = ""


def chart_lines(schedule: ProjectSchedule) -> list[Line]:
    """The rows as shown: by milestone (by date; none last), then assignee, each group
    under a heading."""
    lines: list[Line] = []
    days = {m.name: m for m in schedule.milestones}
    milestone_shown: str | None = None
    assignee_shown: str | None = None
    for n, row in enumerate(schedule.rows):
        new_milestone = n == 0 or row.milestone != milestone_shown
        if new_milestone:
            milestone = days.get(row.milestone or "")
            if milestone is not None:
                when = f" · {milestone.day.isoformat()}{milestone_flag(milestone)}"
                lines.append(Line(f"◆ {milestone.name}", suffix=when))
            else:
                lines.append(Line("◆ no milestone"))
            milestone_shown = row.milestone
        if new_milestone or row.assignee != assignee_shown:
            lines.append(Line(f"  {row.assignee or 'nobody'}"))
            assignee_shown = row.assignee
        lines.append(Line("", row))
    return lines


def day_at(origin: date, x: int, zoom: Zoom) -> date:
    """The first day character `x` of the timeline stands for."""
    if zoom == "day":
        return origin + timedelta(x // DAY_CHARS)
    return origin + timedelta(x * 7 // WEEK_CHARS)


@lru_cache(maxsize=8)
def _columns(origin: date, width: int, zoom: Zoom) -> tuple[tuple[date, date], ...]:
    """The first and last day each character of the timeline stands for."""
    return tuple(
        (a, max(a, day_at(origin, x + 1, zoom) - timedelta(1)))
        for x in range(width)
        for a in (day_at(origin, x, zoom),)
    )


@lru_cache(maxsize=8)
def _background(
    origin: date, width: int, zoom: Zoom, today: date, marks: tuple[tuple[date, str], ...]
) -> tuple[tuple[str, str], ...]:
    """A timeline with no task on it: the today line and the marks, each on the first
    character of its day."""
    cells = []
    shown: set[date] = set()
    for a, b in _columns(origin, width, zoom):
        if a <= today <= b and today not in shown:
            shown.add(today)
            cells.append(("│", "today"))
            continue
        mark = next(((day, c) for day, c in marks if a <= day <= b and day not in shown), None)
        if mark is not None:
            shown.add(mark[0])
            cells.append((mark[1], "mark"))
        else:
            cells.append((" ", "blank"))
    return tuple(cells)


@lru_cache(maxsize=8)
def _edges(origin: date, width: int, zoom: Zoom) -> tuple[list[date], list[date]]:
    """The first days of the characters, and their last days (each in order)."""
    columns = _columns(origin, width, zoom)
    return [a for a, _ in columns], [b for _, b in columns]


def _span_cells(first: date, last: date, origin: date, width: int, zoom: Zoom) -> range:
    """The characters of the timeline that days `first` to `last` fall on: from the
    first that ends on or after `first` to the last that begins on or before `last`."""
    starts, ends = _edges(origin, width, zoom)
    span = range(bisect_left(ends, first), bisect_right(starts, last))
    return span if span else range(0)


def bar(
    row: ScheduleRow, origin: date, width: int, zoom: Zoom, today: date, marks: dict[date, str]
) -> list[tuple[str, str]]:
    """The timeline of a task: (character, kind) for `width` characters; kinds are
    done, todo, today, mark and blank.

    Start to due: a bar filled by progress. A due date alone: `╌╌┤` ending on it; a start
    alone: `├╌╌` from it. Dates out of view: `◀` or `▶` at that edge. No date at all:
    nothing (the row says so in words)."""
    cells = list(_background(origin, width, zoom, today, tuple(sorted(marks.items()))))
    first = row.start if row.start is not None else row.due
    last = row.due if row.due is not None else row.start
    if first is None or last is None or width <= 0:
        return cells
    span = _span_cells(first, last, origin, width, zoom)
    if not span:
        before = last < day_at(origin, 0, zoom)
        cells[0 if before else width - 1] = ("◀" if before else "▶", "todo")
        return cells
    if row.start is not None and row.due is not None:
        filled = first + timedelta(((last - first).days + 1) * row.progress // 100)
        columns = _columns(origin, width, zoom)
        for x in span:
            # (the character's days within the task's: the last one may run past its due)
            done = min(columns[x][1], last) < filled
            cells[x] = ("█", "done") if done else ("░", "todo")
        return cells
    lead = (
        range(span.start - 2, span.start) if row.start is None else range(span.stop, span.stop + 2)
    )
    for x in lead:
        if 0 <= x < width and cells[x][1] == "blank":
            cells[x] = ("╌", "todo")
    for x in span:
        cells[x] = ("─", "todo")
    if row.start is None:
        cells[span.stop - 1] = ("┤", "todo")
    else:
        cells[span.start] = ("├", "todo")
    return cells


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells: padded, or cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    return set_cell_size(text, width - 1) + "…"


def axis(origin: date, width: int, zoom: Zoom) -> str:
    """The timeline's heading: week numbers (week zoom) or days of the month, only
    whole labels (one that would be cut at the right edge is left out). In day zoom a
    line above names the month at the first day and at each month's first day."""
    step = WEEK_CHARS if zoom == "week" else DAY_CHARS
    text = ""
    for x in range(0, max(0, width), step):
        day = day_at(origin, x, zoom)
        label = f"W{day.isocalendar().week:02d}" if zoom == "week" else f"{day.day}"
        if x + len(label) > width:
            break
        text += label.ljust(step)
    text = text.rstrip()
    if zoom == "week":
        return text
    return f"{months(origin, width)}\n{text}"


def months(origin: date, width: int) -> str:
    """The month line over a day-zoom axis: `May 2026` at the first day, then each
    month's name (and its year in January) at its first day; a name with no room
    before the next one is shortened to three letters, or left out. `Mon` over each
    Monday the names leave room for."""
    starts: list[tuple[int, str]] = []
    for x in range(0, max(0, width), DAY_CHARS):
        day = day_at(origin, x, "day")
        if x == 0 or day.day == 1:
            starts.append((x, f"{day:%b %Y}" if x == 0 or day.month == 1 else f"{day:%b}"))
    text = ""
    for n, (x, name) in enumerate(starts):
        room = (starts[n + 1][0] if n + 1 < len(starts) else width) - x - 1
        if len(name) > room:
            name = name[:3]
        if len(name) > room + (n + 1 == len(starts)):
            continue
        text = text.ljust(x) + name
    # Each Monday where the month names leave room: the weeks' rhythm.
    cells = list(text.ljust(width))
    for x in range(0, max(0, width), DAY_CHARS):
        monday = day_at(origin, x, "day").weekday() == 0 and x + 3 <= width
        if monday and not "".join(cells[max(0, x - 1) : x + 4]).strip():
            cells[x : x + 3] = "Mon"
    return "".join(cells).rstrip()


def summary(schedule: ProjectSchedule, width: int | None = None) -> str:
    """The header: progress, the forecast against the deadline. In `width` cells it
    takes as many lines as it needs, each part whole (at a narrow width its labels are
    shortened first, so two lines hold it); None: one line."""
    if width is None:
        return " · ".join(_summary_parts(schedule, short=False))
    for short in (False, True):
        lines = _wrap(_summary_parts(schedule, short=short, width=width), width)
        if len(lines) <= 2:
            break
    return "\n".join(lines)


def _summary_parts(
    schedule: ProjectSchedule, *, short: bool, width: int | None = None
) -> list[str]:
    name = f"{schedule.project} {printable(schedule.name)}"
    if width is not None:
        name = cut(name, max(len(schedule.project), width // (4 if short else 2)))
    parts = [name]
    when = f"forecast {schedule.forecast.isoformat() if schedule.forecast else 'none'}"
    if schedule.deadline is not None:
        verdict = {True: "ON TIME", False: "LATE", None: "?"}[schedule.on_time]
        when += f" · deadline {schedule.deadline.isoformat()} {verdict}"
    parts.append(when)
    labels = (
        ("done", "left", "logged", "unassigned")
        if short
        else ("done", "remaining", "logged", "unassigned")
    )
    parts += [
        f"{labels[0]} {format_duration(schedule.done_estimate)}",
        f"{labels[1]} {format_duration(schedule.remaining)}",
        f"{labels[2]} {format_duration(schedule.logged)}",
    ]
    if schedule.unassigned:
        parts.append(f"{format_duration(schedule.unassigned)} {labels[3]}")
    return parts


def _wrap(parts: list[str], width: int) -> list[str]:
    """The parts joined by ` · `, a new line where the next would not fit."""
    lines: list[str] = []
    for part in parts:
        if lines and cell_len(lines[-1]) + 3 + cell_len(part) <= width:
            lines[-1] += f" · {part}"
        else:
            lines.append(part)
    return lines


class ScheduleChart(ScrollView, can_focus=False):
    """The chart, drawn line by line."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "schedule-chart--heading",
        "schedule-chart--cursor",
        "schedule-chart--band",
        "schedule-chart--done",
        "schedule-chart--todo",
        "schedule-chart--today",
        "schedule-chart--mark",
        "schedule-chart--flag",
        "schedule-chart--undated",
    }

    def __init__(self) -> None:
        super().__init__()
        self.schedule: ProjectSchedule | None = None
        self.lines: list[Line] = []
        self.cursor = 0
        self.zoom: Zoom = "week"
        #: Weeks the timeline is moved from where it starts (before today).
        self.panned = 0
        self.today = date.today()
        #: Each task's line.
        self.index: dict[str, int] = {}
        #: The styles of the chart's parts, until its styles change (a theme).
        self._styles: dict[str, Style] = {}
        #: The days marked on the timeline (`_marks`), and the schedule they are of.
        self._marks_cache: dict[date, str] = {}
        self._marks_of: ProjectSchedule | None = None

    def show(self, schedule: ProjectSchedule, today: date, keep: str | None = None) -> None:
        self.schedule = schedule
        self.today = today
        self.lines = chart_lines(schedule)
        self.index = {line.row.task: i for i, line in enumerate(self.lines) if line.row}
        found = self.index.get(keep) if keep else None
        self.cursor = found if found is not None else min(self.index.values(), default=0)
        self.virtual_size = Size(0, len(self.lines))
        self._keep_in_view()
        self.refresh()

    def rows(self) -> list[ScheduleRow]:
        """The tasks as shown (with the changes made here that the store has not
        answered yet)."""
        return [line.row for line in self.lines if line.row is not None]

    def revise(self, key: str, changes: dict[str, Any]) -> ScheduleRow | None:
        """Show a change of a task at once, its flags by the schedule's rules (None: the
        task is not on the chart)."""
        index = self.index.get(key)
        if index is None:
            return None
        row = self.lines[index].row
        assert row is not None
        revised, known = revise_row(row, self.today, changes)
        self.put(revised, pending=not known)
        return revised

    def put(self, row: ScheduleRow, *, pending: bool = False) -> None:
        """Show this row in place of the task's."""
        index = self.index.get(row.task)
        if index is not None:
            self.lines[index] = Line("", row, pending)
            self.refresh_line(index)

    @property
    def origin(self) -> date:
        monday = self.today - timedelta(self.today.weekday())
        start = monday - timedelta(7 if self.zoom == "week" else 2)
        return start + timedelta(weeks=self.panned)

    def row_at_cursor(self) -> ScheduleRow | None:
        if 0 <= self.cursor < len(self.lines):
            return self.lines[self.cursor].row
        return None

    def move(self, step: int, tasks: int = 1) -> None:
        """To the task `tasks` task lines up or down (headings are passed over), or the
        last one that way; one redraw."""
        index = was = self.cursor
        left = tasks
        while left and 0 <= index + step < len(self.lines):
            index += step
            if self.lines[index].row is not None:
                self.cursor = index
                left -= 1
        if self.cursor != was:
            self.refresh_line(was)
            self.refresh_line(self.cursor)
        self._keep_in_view()

    def _keep_in_view(self) -> None:
        top = int(self.scroll_y)
        height = self.scrollable_content_region.height
        if not height:
            return
        if self.cursor < top:
            self.scroll_to(y=max(0, self.cursor - 1), animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def label_width(self) -> int:
        return max(24, min(44, self.scrollable_content_region.width * 2 // 5))

    def _style(self, component: str) -> Style:
        style = self._styles.get(component)
        if style is None:
            style = self._styles[component] = self.rich_style + self.get_component_rich_style(
                component
            )
        return style

    def _plain(self) -> Style:
        style = self._styles.get("")
        if style is None:
            style = self._styles[""] = self.rich_style
        return style

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        plain = self._plain()
        index = int(self.scroll_y) + y
        if self.schedule is None or index >= len(self.lines):
            return Strip.blank(width, plain)
        line = self.lines[index]
        labels = self.label_width()
        if line.row is None:
            heading = self._style("schedule-chart--heading")
            suffix = cut(line.suffix, width)
            text = cut(line.text, width - cell_len(suffix)) + suffix
            return Strip([Segment(text, heading)]).adjust_cell_length(width, plain)
        row = line.row
        cursor = index == self.cursor
        base = self._style("schedule-chart--cursor") if cursor else plain
        key = f"  {'▸' if cursor else ' '} {row.task} "
        title = printable(row.title)
        flags = flag_words(
            row.flags, labels - cell_len(key) - 1, cell_len(title), pending=line.pending
        )
        room = max(0, labels - cell_len(key) - cell_len(flags) - 1)
        used = cell_len(key) + room + 1 + cell_len(flags)
        segments = [Segment(f"{key}{fit(title, room)} ", base)]
        if flags:  # (on the cursor's label, in its colours: red on it hardly reads)
            flag = base + Style(bold=True) if cursor else self._style("schedule-chart--flag")
            segments.append(Segment(flags, flag))
        timeline = max(0, width - labels - 1)
        cells = bar(row, self.origin, timeline, self.zoom, self.today, self._marks())
        if row.start is None and row.due is None:
            words = fit(" no start or due date", timeline).rstrip()
            cells[: len(words)] = [(char, "undated") for char in words]
        # The timeline in runs of one kind: a segment each, not one per character.
        run = [" " * max(0, labels - used) + " "]
        kind_of_run = "blank"
        for char, kind in cells:
            if kind != kind_of_run:
                segments.append(Segment("".join(run), self._kind_style(kind_of_run, cursor)))
                run, kind_of_run = [], kind
            run.append(char)
        segments.append(Segment("".join(run), self._kind_style(kind_of_run, cursor)))
        return Strip(segments).adjust_cell_length(width, self._kind_style("blank", cursor))

    def _kind_style(self, kind: str, cursor: bool) -> Style:
        """The style of a part of the timeline (`bar`'s kinds)."""
        if kind == "blank":
            return self._style("schedule-chart--band") if cursor else self._plain()
        return self._part(f"schedule-chart--{kind}", cursor)

    def _marks(self) -> dict[date, str]:
        """The days marked on every line: milestones, and the deadline over them."""
        schedule = self.schedule
        assert schedule is not None
        if self._marks_of is not schedule:
            marks = {m.day: "◆" for m in schedule.milestones}
            if schedule.deadline is not None:
                marks[schedule.deadline] = DEADLINE
            self._marks_of, self._marks_cache = schedule, marks
        return self._marks_cache

    def _part(self, component: str, cursor: bool) -> Style:
        """A part of a task's timeline; on the cursor's line, on its band (the label is
        in the cursor's colours, the bar keeps its own over a lighter band)."""
        if not cursor:
            return self._style(component)
        name = f"{component} cursor"
        style = self._styles.get(name)
        if style is None:
            band = self._style("schedule-chart--band").bgcolor
            style = self._styles[name] = self._style(component) + Style(bgcolor=band)
        return style


def milestone_flag(milestone: Milestone) -> str:
    """` · LATE`, ` · AT RISK: forecast 2026-12-28`, or nothing."""
    if milestone.late:
        return " · LATE"
    if milestone.missed and milestone.forecast is not None:
        return f" · AT RISK: forecast {milestone.forecast.isoformat()}"
    if milestone.open_tasks and milestone.forecast is None:
        if milestone.unassigned:  # (the project's forecast leaves such work out)
            return f" · no forecast: {format_duration(milestone.unassigned)} is assigned to nobody"
        return " · no forecast: not within its people's free time ahead"
    return ""


def cursor_line(row: ScheduleRow, today: date) -> str:
    """`APP-6 Add user settings · Tue 8 Dec to Fri 18 Dec · 4:00 of 16:00 · bmartin`."""

    def day(value: date) -> str:
        year = f" {value.year}" if value.year != today.year else ""
        return f"{value:%a} {value.day} {value:%b}{year}"

    if row.start is not None and row.due is not None:
        when = f"{day(row.start)} to {day(row.due)}"
    elif row.due is not None:
        when = f"due {day(row.due)}"
    elif row.start is not None:
        when = f"from {day(row.start)}"
    else:
        when = "no start or due date"
    logged = format_duration(row.logged)
    time = f"{logged} of {format_duration(row.estimate)}" if row.estimate else f"{logged} logged"
    who = row.assignee or "nobody"
    return f"{row.task} {printable(row.title)} · {when} · {time} · {who}"


def flag_words(
    flags: tuple[str, ...], room: int, title: int = MIN_TITLE, *, pending: bool = False
) -> str:
    """A row's flags in words; in short words when the full ones would leave a title
    of `title` cells fewer than it needs, or than `MIN_TITLE`, of the `room` cells
    (title and flags share)."""
    words = " ".join(FLAG_WORDS[f] for f in flags)
    if words and room - cell_len(words) - 1 < min(title, MIN_TITLE):
        words = " ".join(SHORT_FLAG_WORDS[f] for f in flags)
    return f"{words} …".lstrip() if pending else words


def concerns(change: Change, schedule: ProjectSchedule) -> bool:
    """Whether a change in the feed can change what `schedule` shows: a task of the
    project (time logged on it too), its milestones, the project itself (its deadline),
    the individual schedule or time off of someone with a task on it."""
    project = schedule.project
    match change.entity:
        case "task" | "entry":
            return change.entity_id.rsplit("-", 1)[0] == project
        case "timer":  # a timer stopped logs time
            return str(change.data.get("task") or "").rsplit("-", 1)[0] == project
        case "milestone":
            return change.entity_id.split("/", 1)[0] == project
        case "project":
            return change.entity_id == project
        case "user" | "time_off":
            return any(row.assignee == change.entity_id for row in schedule.rows)
    return False


def legend() -> list[str]:
    """What the chart's marks mean (the help's first part)."""
    return [
        "█ ░  a task from its start to its due date: █ done (logged against the"
        " estimate), ░ still to do",
        "├╌╌  a start but no due date;  ╌╌┤  a due date but no start",
        "◀ ▶  the task's dates are before or after the days in view",
        "│  today;  ◆  a milestone's date;  ┃  the project's deadline",
        "◆ Beta · 2026-06-05 · LATE  a milestone's heading: LATE when its date is past"
        " and tasks of it are still open; AT RISK, with the forecast, when its open tasks"
        " would be done after it (its people working the milestones in date order); no"
        " forecast when some of its work is nobody's or no one has free time for it",
        "Flags: OVERDUE (LATE when short): due before today; OVER EST (+EST): more"
        " logged than estimated; AT RISK (RISK): more left than its person has"
        " time for before its due date; …: not known until the change is stored",
        "Header: done and remaining estimate, time logged, the forecast end against"
        " the deadline (ON TIME or LATE), work nobody is assigned",
        "z: weeks (W20: ISO week 20) or days (the month named over its first day, Mon"
        " over Mondays)",
    ]


class ScheduleHelp(MarksHelp):
    """The help with what the chart's marks mean above the keys."""

    def marks(self) -> list[str]:
        return legend()


class ScheduleScreen(FollowsFeed, ModeScreen):
    TITLE = "Schedule"
    BINDING_GROUP_TITLE = "Schedule"
    AUTO_FOCUS = ""
    PURPOSE = "One project's timeline: what is late, what is at risk, when it will finish."
    DATA = "the schedule"
    # Its first frame is drawn with the schedule (a loading state drawn first, then the
    # chart, cost a third of the time to the first frame of a 2,000-task project).
    FIRST_READ_WAIT_S = 0.25

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("up,k", "move(-1)", "Up", "The task above", "schedule-up"),
        bind("down,j", "move(1)", "Down", "The task below", "schedule-down"),
        bind("pageup", "page(-1)", "Page up", "A screenful up", "schedule-page-up"),
        bind("pagedown", "page(1)", "Page down", "A screenful down", "schedule-page-down"),
        bind("z", "zoom", "Zoom", "Weeks or days", "schedule-zoom", show=True),
        bind("left,h", "pan(-1)", "Earlier", "Show the weeks before", "schedule-pan-earlier"),
        bind("right,l", "pan(1)", "Later", "Show the weeks after", "schedule-pan-later"),
        bind("full_stop", "pan(0)", "Today", "Back to today", "schedule-today"),
        bind("less_than_sign", "shift(-1)", "Day earlier",
             "Move the task's start and due a day earlier", "schedule-day-earlier", show=True),
        bind("greater_than_sign", "shift(1)", "Day later",
             "Move the task's start and due a day later", "schedule-day-later", show=True),
        bind("left_square_bracket", "shift(-7)", "Week earlier",
             "Move the task's start and due a week earlier", "schedule-week-earlier"),
        bind("right_square_bracket", "shift(7)", "Week later",
             "Move the task's start and due a week later", "schedule-week-later"),
        bind("s", "set_date('start')", "Start", "Set the day work on the task starts",
             "schedule-start"),
        bind("d", "set_date('due')", "Due", "Set the task's due date", "schedule-due"),
        bind("e", "estimate", "Estimate", "Re-estimate the task", "schedule-estimate"),
        bind("a", "assign", "Assign", "Give the task to someone", "schedule-assign", show=True),
        bind("enter", "open", "Open", "The task's card", "schedule-open", show=True),
        bind("p", "pick_project", "Project", "Show another project", "schedule-project",
             show=True),
    ]  # fmt: skip

    @dataclass
    class Loaded(Message):
        schedule: ProjectSchedule
        mark: ReadMark
        projects: list[str]
        #: The change feed's position before the read (the first read only).
        seq: int | None = None

    def __init__(self) -> None:
        super().__init__()
        self.project: str | None = None
        self.projects: list[str] = []
        #: Each project's name, by key (the picker's labels).
        self._project_names: dict[str, str] = {}
        #: The board's project when this screen last followed it.
        self._board_seen: str | None = None
        #: The feed brought a change of the schedule not read yet.
        self._feed_stale = False
        #: This screen's stored writes, by task, whose change the feed has not brought yet.
        self._own_changes: Counter[str] = Counter()
        #: Each unanswered write's task line as it was shown before it.
        self._shown_before: dict[Write[Any], Line] = {}

    def compose(self) -> ComposeResult:
        yield TopBar(self.title or "Schedule")
        yield Static("", classes="mode-status", markup=False)
        with Horizontal(id="schedule-head"):
            yield Static("", classes="mode-facts", markup=False)
        yield Static("", id="schedule-line", markup=False)
        yield Static("", id="schedule-axis", markup=False)
        yield ScheduleChart()
        yield KeyFooter()

    def make_help(self, rows: list[KeyRow]) -> HelpScreen:
        """`?` here: what the marks mean, then the keys."""
        return ScheduleHelp(rows, title=self.title or "")

    @property
    def chart(self) -> ScheduleChart:
        return self.query_one(ScheduleChart)

    # --- reading ----------------------------------------------------------------------

    def read(self, backend: Backend, mark: ReadMark) -> Worker[None]:
        project = self.project
        if project is None:  # the first read: the board's project
            project = self._board_seen = self.board_project()
        return self._read(backend, project, self.today, mark, self._feed_seq is None)

    def board_project(self) -> str | None:
        """The project the board shows (before the board has read it: the one it
        showed when the app last ran, which it reads first)."""
        with contextlib.suppress(KeyError):
            for screen in self.app.get_screen_stack("board"):
                state = getattr(screen, "state", None)
                if state is not None:
                    return str(state.project.key)
        return getattr(self.board_app.kept, "project", None) or None

    def on_screen_resume(self) -> None:
        """Shown again: on the board's project if the board moved to another one
        since (a project picked here with `p` stays otherwise); else what changed
        elsewhere while a dialog was open is read now."""
        self._catch_up()
        board = self.board_project()
        if self.chart.schedule is None or board is None or board == self._board_seen:
            return
        self._board_seen = board
        if board != self.project:
            self.project = board
            self.load()

    @work(thread=True, exclusive=True, group="schedule-read")
    def _read(
        self,
        backend: Backend,
        project: str | None,
        today: date,
        mark: ReadMark,
        with_seq: bool = False,
    ) -> None:
        try:
            # Before the reads: a change after it is news in the feed (taken once; then
            # the feed's own reads keep its place).
            seq = backend.last_change() if with_seq else None
            listed = backend.list_projects()
            projects = [p.key for p in listed]
            self._project_names = {p.key: p.name for p in listed}
            if project is None or project not in projects:
                if not projects:
                    raise LookupError("there is no project yet")
                project = projects[0]
            found = backend.project_schedule(project, today=today)
        except Exception as error:
            self.post_answer(self.LoadFailed(describe_error(error)))
            return
        self.post_answer(self.Loaded(found, mark, projects, seq))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if not self.read_is_current(message.mark):
            return
        if message.seq is not None:
            self.follow_feed(message.seq)
        self.projects = message.projects
        self.project = message.schedule.project
        current = self.chart.row_at_cursor()
        self.chart.show(message.schedule, self.today, current.task if current else None)
        self._show_summary()
        self._show_axis()
        self._show_line()
        self.show_loaded()

    # --- other people's (and other processes') changes -----------------------------------

    def feed_paused(self) -> bool:
        return bool(self.writes_pending)  # their answers read the schedule again

    def feed_changed(self, changes: list[Change], complete: bool) -> None:
        """Read the schedule again, once for the lot, when a change concerns it (every
        change, after a gap in the feed)."""
        schedule = self.chart.schedule
        if schedule is None:
            return
        news = [change for change in changes if not self._own(change)]
        if complete and not any(concerns(change, schedule) for change in news):
            return
        self._feed_stale = True
        self._catch_up()

    def _own(self, change: Change) -> bool:
        """Whether `change` is one of this screen's own writes (each counted once: the
        same task changed again, by another session of mine too, is news)."""
        me = self.board_app.me
        key = change.entity_id
        if change.entity != "task" or me is None or change.user != me.login:
            return False
        if self._own_changes[key] <= 0:
            return False
        self._own_changes[key] -= 1
        return True

    def _catch_up(self) -> None:
        """Read the schedule again if the feed changed it, unless a dialog is open over
        it (then when it closes); after this screen's own writes, if any are on their
        way. The cursor stays on its task (`_loaded`)."""
        if not self._feed_stale or self.chart.schedule is None or self.app.screen is not self:
            return
        self._feed_stale = False
        if self.writes_pending:
            self.reload_after_writes()
        else:
            self.load()

    def _show_axis(self) -> None:
        chart = self.chart
        labels = chart.label_width()
        width = max(0, chart.scrollable_content_region.width - labels - 1)
        lines = axis(chart.origin, width, chart.zoom).split("\n")
        self.query_one("#schedule-axis", Static).update(
            "\n".join(" " * (labels + 1) + line for line in lines)
        )

    def _show_summary(self) -> None:
        """The header, on as many lines as the width needs (two at 80 columns)."""
        schedule = self.chart.schedule
        if schedule is None:
            return
        head = self.query_one("#schedule-head")
        width = head.content_region.width or self.size.width - 2
        self.query_one(".mode-facts", Static).update(
            plain_text(summary(schedule, width), multiline=True)
        )

    def _show_line(self) -> None:
        """The task under the cursor in words: its dates (a day moved by `<` `>` is seen
        here, not only as a bar a character wide for 1.75 days), its time, its person."""
        row = self.chart.row_at_cursor()
        self.query_one("#schedule-line", Static).update(
            "" if row is None else cursor_line(row, self.today)
        )

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_summary)
        self.call_after_refresh(self._show_axis)

    # --- keys -------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.chart.move(step)
        self._show_line()

    def action_page(self, step: int) -> None:
        height = max(1, self.chart.scrollable_content_region.height - 1)
        self.chart.move(step, height)
        self._show_line()

    def action_pan(self, weeks: int) -> None:
        """The timeline a week earlier or later per key in days, four in weeks; 0: back to
        today."""
        chart = self.chart
        step = weeks * (4 if chart.zoom == "week" else 1)
        chart.panned = chart.panned + step if weeks else 0
        chart.refresh()
        self._show_axis()

    def action_zoom(self) -> None:
        chart = self.chart
        chart.zoom = "day" if chart.zoom == "week" else "week"
        chart.refresh()
        self._show_axis()

    def _row_or_bell(self) -> ScheduleRow | None:
        row = self.chart.row_at_cursor()
        if row is None:
            self.app.bell()
        return row

    def action_shift(self, days: int) -> None:
        row = self._row_or_bell()
        if row is None:
            return
        if row.due is None and row.start is None:
            self.notify(f"{row.task} has no dates to move.", markup=False)
            return
        step = timedelta(days)
        patch = TaskPatch(
            start=None if row.start is None else row.start + step,
            due=None if row.due is None else row.due + step,
        )
        before = {"start": row.start, "due": row.due}
        after = {"start": patch.start, "due": patch.due}
        what = f"move {row.task} {abs(days)} day{'s' * (abs(days) != 1)} " + (
            "later" if days > 0 else "earlier"
        )
        self._update(row, patch, what, before, after)

    def _update(
        self,
        row: ScheduleRow,
        patch: TaskPatch,
        what: str,
        before: dict[str, Any],
        after: dict[str, Any],
    ) -> None:
        """Show the change at once (the row's flags by the schedule's rules), store it
        through the writer; its answer keeps it, or puts the row back."""
        key = row.task
        shown = self.chart.lines[self.chart.index[key]] if key in self.chart.index else None

        def send(backend: Backend, version: int | None) -> Stored[Task]:
            assert version is not None
            task = backend.update_task(key, version, patch)
            undo = CardChange(what, key, task.version, before, after)
            return Stored(task, key, task.version, f"{what}; u undoes it.", undo)

        write = Write(what, send, key, row.version)
        if self.send_write(write):
            self.chart.revise(key, dict(after))
            self._show_line()
            if shown is not None:
                self._shown_before[write] = shown

    def write_stored(self, write: Write[Any], result: Any) -> None:
        self._shown_before.pop(write, None)
        task = getattr(result, "record", None)
        if isinstance(task, Task):  # its change in the feed is no news (read after this)
            self._own_changes[task.key] += 1
        row = self._row_of(write)
        if isinstance(task, Task) and row is not None and task.version > row.version:
            self.chart.revise(row.task, {"version": task.version})  # for the next key
        self.reload_after_writes()

    def write_refused(self, write: Write[Any], refusal: Refusal) -> None:
        """Put the row back as it was (or as the store has it, when someone changed it
        first) and say why in one line; the schedule is read again after."""
        shown = self._shown_before.pop(write, None)
        if refusal.kind == "skipped":  # an earlier change of it was refused: told once
            self.reload_after_writes()
            return
        message = refusal.message
        if shown is not None and shown.row is not None:
            self.chart.put(shown.row, pending=shown.pending)
            current = refusal.current
            if refusal.kind == "conflict" and isinstance(current, Task):
                self.chart.revise(shown.row.task, stored_fields(current))
                message = (
                    f"{shown.row.task} was changed elsewhere since it was read: "
                    f"{write.what} was not stored; it shows as stored now."
                )
        self.notify(message, title="Not changed", severity="error", markup=False)
        self._show_line()
        self.reload_after_writes()

    def _row_of(self, write: Write[Any]) -> ScheduleRow | None:
        index = self.chart.index.get(write.subject) if isinstance(write.subject, str) else None
        return self.chart.lines[index].row if index is not None else None

    def show_undone(self, change: Undoable | None) -> None:
        """An undo or a redo was stored: show the task's fields as they are now at once,
        then read the schedule again."""
        if isinstance(change, CardChange) and change.key in self.chart.index:
            # `change` undoes it in turn: its `after` is what the store holds now.
            fields = {k: v for k, v in change.after.items() if k in ROW_FIELDS}
            if fields:
                self.chart.revise(change.key, {**fields, "version": change.version})
        self.reload_after_writes()

    def action_set_date(self, field: Literal["start", "due"]) -> None:
        from tui_board.core.errors import Invalid
        from tui_board.core.weeks import parse_date
        from tui_board.ui.dialogs import TextPrompt

        row = self._row_or_bell()
        if row is None:
            return
        today = self.today
        was: date | None = getattr(row, field)

        def read(text: str) -> date | None:
            return (
                None
                if not text.strip() or text.strip() == "-"
                else parse_date(text, today, ahead=True)
            )

        def describe(text: str) -> tuple[str, bool]:
            try:
                day = read(text)
            except Invalid as error:
                return error.message, False
            return (f"{day:%a %d %b %Y}" if day else "no date"), True

        def answered(text: str | None) -> None:
            if text is None:
                return
            day = read(text)
            if day != was:
                what = f"set {row.task}'s {field} to {day or 'none'}"
                patch = TaskPatch(start=day) if field == "start" else TaskPatch(due=day)
                self._update(row, patch, what, {field: was}, {field: day})

        self.app.push_screen(
            TextPrompt(
                f"{'Start' if field == 'start' else 'Due date'} of {row.task}",
                label=f"A date ({self.today + EXAMPLE_AHEAD}, tomorrow; empty for none)",
                describe=describe,
                initial=was.isoformat() if was else "",
            ),
            answered,
        )

    def action_estimate(self) -> None:
        from tui_board.core.durations import describe_parse, parse_duration
        from tui_board.ui.dialogs import TextPrompt

        row = self._row_or_bell()
        if row is None:
            return
        unit = self.board_app.config.bare_unit

        def describe(text: str) -> tuple[str, bool]:
            if not text.strip():
                return "no estimate", True
            line = describe_parse(text, unit, max_minutes=None)
            try:
                parse_duration(text, bare_unit=unit, max_minutes=None)
            except Exception:
                return line, False
            return line, True

        def answered(text: str | None) -> None:
            if text is None:
                return
            minutes = parse_duration(text, bare_unit=unit, max_minutes=None) if text else None
            if minutes != row.estimate:
                what = f"estimate {row.task} at {format_duration(minutes) if minutes else 'none'}"
                self._update(
                    row,
                    TaskPatch(estimate=minutes),
                    what,
                    {"estimate": row.estimate},
                    {"estimate": minutes},
                )

        initial = format_duration(row.estimate) if row.estimate is not None else ""
        self.app.push_screen(
            TextPrompt(
                f"Estimate of {row.task}",
                label="Time (e.g. 6h, 1:30; empty for none)",
                describe=describe,
                initial=initial,
            ),
            answered,
        )

    def action_assign(self) -> None:
        row = self._row_or_bell()
        backend = self.board_app.backend
        if row is None or backend is None:
            return
        self._pick_assignee(backend, row)

    @work(thread=True, exclusive=True, group="schedule-people")
    def _pick_assignee(self, backend: Backend, row: ScheduleRow) -> None:
        try:
            people = backend.list_users()
        except Exception as error:
            self.app.call_from_thread(
                self.notify, describe_error(error), severity="error", markup=False
            )
            return
        items = [(f"{u.name} ({u.login})", u.login) for u in people] + [("nobody", NOBODY)]

        def picked(login: str | None) -> None:
            if login is None or (login or None) == row.assignee:
                return
            who = login or None
            self._update(
                row,
                TaskPatch(assignee=who),
                f"give {row.task} to {login or 'nobody'}",
                {"assignee": row.assignee},
                {"assignee": who},
            )

        picker = PickerScreen(f"Give {row.task} to", items, current=row.assignee or NOBODY)
        self.app.call_from_thread(self.push_dialog_if_in_front, picker, picked)

    def action_open(self) -> None:
        row = self._row_or_bell()
        backend = self.board_app.backend
        if row is None or backend is None:
            return
        self._open_card(backend, row.task)

    @work(thread=True, exclusive=True, group="schedule-card")
    def _open_card(self, backend: Backend, key: str) -> None:
        # Imported here: the card's form costs more to import than the rest of the
        # screen, on the way to its first frame.
        from tui_board.ui.dialogs import TaskDetailScreen

        try:
            task = backend.get_task(key)
            users = backend.list_users()
        except Exception as error:
            self.app.call_from_thread(
                self.notify, describe_error(error), severity="error", markup=False
            )
            return

        def show() -> None:
            card = TaskDetailScreen(
                backend,
                task,
                users=users,
                today=self.today,
                bare_unit=self.board_app.config.bare_unit,
            )
            self.push_dialog_if_in_front(card, lambda changed: self.load() if changed else None)

        self.app.call_from_thread(show)

    def action_pick_project(self) -> None:
        if not self.projects:
            self.app.bell()
            return

        def picked(key: str | None) -> None:
            if key is not None and key != self.project:
                self.project = key
                self.load()

        names = self._project_names
        items = [(f"{key} · {names[key]}" if names.get(key) else key, key) for key in self.projects]
        self.app.push_screen(
            PickerScreen("Show the schedule of", items, current=self.project or ""), picked
        )


__all__ = ["ScheduleChart", "ScheduleScreen", "axis", "bar", "chart_lines", "summary"]
