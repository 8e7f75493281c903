"""Reports: time by person, by project or by task over a range of days (this week,
last week, this month, last month, a custom range), with totals; estimated against
logged per project, milestone, task and person; overtime and undertime per person and
week over the range. The report on screen is exported to CSV or JSON, to a file the
user names, with the columns `tui-board report ...` writes.

The figures come from `Backend.report`, `report_estimates` and `report_overtime`, which
hold only what the reader may see (a member their own hours, a lead their team's); this
screen groups them for display.
"""

from __future__ import annotations

import calendar
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message

from tui_board.core.durations import format_duration
from tui_board.core.errors import Invalid
from tui_board.core.exports import csv_text
from tui_board.core.models import EstimateRow, OvertimeRow, ReportRow
from tui_board.core.reports import (
    TOTAL,
    estimate_table,
    overtime_lines,
    overtime_table,
    overtime_totals,
    part_week,
    records,
    signed_duration,
)
from tui_board.core.text import safe_json
from tui_board.core.weeks import IsoWeek, day_text, parse_date
from tui_board.files import write_file
from tui_board.ui.dialogs import ConfirmScreen, PickerScreen
from tui_board.ui.dialogs.text_prompt import TextPrompt
from tui_board.ui.plain_text import cells
from tui_board.ui.screens.table import TableScreen
from tui_board.ui.widgets.workload_table import plain

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend

Group = Literal["person", "project", "task"]
GROUPS: tuple[Group, ...] = ("person", "project", "task")
RangeKind = Literal["week", "month", "custom"]
ReportKind = Literal["time", "estimates", "overtime"]
KINDS: tuple[ReportKind, ...] = ("time", "estimates", "overtime")
FORMATS = {".csv": "CSV", ".json": "JSON"}


# --- ranges of days ----------------------------------------------------------------------


@dataclass(frozen=True)
class DateRange:
    """The days a report covers, both ends included."""

    start: date
    end: date
    kind: RangeKind = "custom"
    #: The day weeks start on (0 Monday .. 6 Sunday), as the timesheet shows them.
    first_day: int = 0

    @classmethod
    def week_of(cls, day: date, first_day: int = 0) -> DateRange:
        days = IsoWeek.holding(day, first_day).days(first_day)
        return cls(days[0], days[-1], "week", first_day)

    @classmethod
    def month_of(cls, day: date) -> DateRange:
        last = calendar.monthrange(day.year, day.month)[1]
        return cls(day.replace(day=1), day.replace(day=last), "month")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shift(self, step: int) -> DateRange:
        """The range `step` periods later (earlier if negative): weeks move by weeks,
        months by months, a custom range by its own length."""
        if self.kind == "week":
            return DateRange.week_of(self.start + timedelta(weeks=step), self.first_day)
        if self.kind == "month":
            month = self.start.year * 12 + self.start.month - 1 + step
            return DateRange.month_of(date(month // 12, month % 12 + 1, 1))
        length = timedelta(days=self.days * step)
        return DateRange(self.start + length, self.end + length)

    def span(self) -> str:
        """`2026-W20: Mon 11 May to Sun 17 May 2026`, `May 2026`, or the days; the first
        day names its year when it is not the last day's (`Wed 01 Jan 2020 to ...`)."""
        days = f"{day_text(self.start, self.end)} to {self.end:%a %d %b %Y}"
        if self.kind == "week":
            return f"{IsoWeek.holding(self.start, self.first_day)}: {days}"
        if self.kind == "month":
            return f"{self.start:%B %Y}"
        return f"{days} ({self.days} day{'s' * (self.days != 1)})"

    def name(self, today: date) -> str | None:
        """`this week`, `last week`, `this month`, `last month`, or None."""
        for name, span in relative_ranges(today, self.first_day):
            if span == self:
                return name
        return None

    def describe(self, today: date) -> str:
        """`this week (2026-W20: Mon 11 May to Sun 17 May 2026)`, `May 2026`, ..."""
        name = self.name(today)
        return f"{name} ({self.span()})" if name else self.span()


def relative_ranges(today: date, first_day: int = 0) -> list[tuple[str, DateRange]]:
    week, month = DateRange.week_of(today, first_day), DateRange.month_of(today)
    return [
        ("this week", week),
        ("last week", week.shift(-1)),
        ("this month", month),
        ("last month", month.shift(-1)),
    ]


def parse_range(text: str, today: date) -> DateRange:
    """Two days: `2026-05-01 2026-05-13`, `2026-05-01..2026-05-13`, `2026-05-01 to
    today`; each as `parse_date` reads it."""
    words = text.replace("..", " ").replace(" to ", " ").split()
    if len(words) != 2:
        raise Invalid("Write the first and the last day, e.g. 2026-05-01 2026-05-13.")
    start, end = (parse_date(word, today) for word in words)
    if end < start:
        raise Invalid(f"{end:%d %b %Y} comes before {start:%d %b %Y}; write the first day first.")
    return DateRange(start, end)


def describe_range(today: date) -> Callable[[str], tuple[str, bool]]:
    def describe(text: str) -> tuple[str, bool]:
        try:
            return DateRange.describe(parse_range(text, today), today), True
        except Invalid as error:
            return error.message, False

    return describe


# --- the report on screen ------------------------------------------------------------------


@dataclass(frozen=True)
class ReportLine:
    """One line of the report: what it is about (a login, a project key or a task key),
    its name, and the minutes logged."""

    key: str
    name: str
    minutes: int


@dataclass(frozen=True)
class Report:
    """The report as shown: its range, its grouping, its lines (most time first)."""

    span: DateRange
    group: Group
    lines: tuple[ReportLine, ...]

    @property
    def total(self) -> int:
        return sum(line.minutes for line in self.lines)


def group_report(
    rows: list[ReportRow],
    group: Group,
    *,
    names: dict[str, str],
    projects: dict[str, str],
    span: DateRange,
) -> Report:
    """Sum the backend's (person, project, task) rows by person, project or task."""
    minutes: dict[str, int] = defaultdict(int)
    titles: dict[str, str] = {}
    for row in rows:
        key = {"person": row.user, "project": row.project, "task": row.task}[group]
        minutes[key] += row.minutes
        if group == "person":
            titles[key] = names.get(row.user, row.user)
        elif group == "project":
            titles[key] = projects.get(row.project, row.project)
        else:
            titles[key] = row.task_title
    lines = tuple(
        ReportLine(key, titles[key], total)
        for key, total in sorted(minutes.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return Report(span, group, lines)


def shares(parts: list[int]) -> list[str]:
    """Each part's share of their sum, in whole percents that add up to 100
    (largest remainder: the points rounding drops go to the parts that lost most); a part
    that is not zero but rounds to nothing shows `<1%`, never `0%`."""
    total = sum(parts)
    if total <= 0:
        return ["-" for _ in parts]
    floors = [part * 100 // total for part in parts]
    order = sorted(range(len(parts)), key=lambda i: (-(parts[i] * 100 % total), -parts[i], i))
    for i in order[: 100 - sum(floors)]:
        floors[i] += 1
    return [
        f"{share}%" if share or not part else "<1%"
        for share, part in zip(floors, parts, strict=True)
    ]


def report_csv(report: Report) -> str:
    first, last = report.span.start.isoformat(), report.span.end.isoformat()
    return csv_text(
        [
            [report.group, "name", "minutes", "hours", "from", "to"],
            *(
                [line.key, line.name, line.minutes, _hours(line.minutes), first, last]
                for line in report.lines
            ),
            ["total", "", report.total, _hours(report.total), first, last],
        ]
    )


def report_json(report: Report) -> str:
    data = {
        "from": report.span.start.isoformat(),
        "to": report.span.end.isoformat(),
        "by": report.group,
        "rows": [
            {
                report.group: line.key,
                "name": line.name,
                "minutes": line.minutes,
                "hours": _decimal_hours(line.minutes),
            }
            for line in report.lines
        ],
        "total_minutes": report.total,
        "total_hours": _decimal_hours(report.total),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class EstimatesReport:
    """Estimated against logged, as the backend answered: projects, milestones, tasks,
    people (those whose hours the reader may see)."""

    rows: tuple[EstimateRow, ...]

    @property
    def projects(self) -> tuple[EstimateRow, ...]:
        return tuple(r for r in self.rows if r.kind == "project")


@dataclass(frozen=True)
class OvertimeReport:
    """Each person's weeks over the range: schedule, time off, expected, logged; counted
    up to today, as `tui-board report overtime` counts (`counted`)."""

    span: DateRange
    rows: tuple[OvertimeRow, ...]
    #: The last day counted: the range's last, or today when the range ends later; None
    #: when the range starts after today (nothing is expected yet).
    last: date | None

    @classmethod
    def counted(cls, span: DateRange, today: date) -> date | None:
        """The last day of `span` whose hours are expected: no later than today."""
        return None if span.start > today else min(span.end, today)

    @property
    def cut(self) -> bool:
        """The range ends after today: its later days are not counted."""
        return self.last != self.span.end

    def part(self, week: str) -> bool:
        """Whether only some of the (ISO) week's days are counted."""
        return part_week(week, self.span.start, self.last)

    def describe(self, today: date) -> str:
        """The range as `describe` names it, then `to today (Wed 13 May)` when it is cut."""
        named = self.span.describe(today)
        if self.last is None:
            return f"{named}, not begun"
        return f"{named}, to today ({day_text(self.last, today)})" if self.cut else named

    @property
    def totals(self) -> list[OvertimeRow]:
        return overtime_totals(self.rows)


def estimates_csv(report: EstimatesReport) -> str:
    return csv_text(estimate_table(report.rows))


def estimates_json(report: EstimatesReport) -> str:
    """What `tui-board report estimates --json` prints."""
    return safe_json(records(report.rows), indent=2) + "\n"


def overtime_csv(report: OvertimeReport) -> str:
    return csv_text(overtime_table(report.rows))


def overtime_json(report: OvertimeReport) -> str:
    """The rows `tui-board report overtime --json` prints, then each person's total (a
    row whose week is `total`, as in the CSV)."""
    return safe_json(records(overtime_lines(report.rows)), indent=2) + "\n"


AnyReport = Report | EstimatesReport | OvertimeReport


def report_text(report: AnyReport, suffix: str) -> str:
    """The report as the file named with `suffix` (`.csv` or `.json`) holds it."""
    as_json = suffix.lower() == ".json"
    if isinstance(report, EstimatesReport):
        return estimates_json(report) if as_json else estimates_csv(report)
    if isinstance(report, OvertimeReport):
        return overtime_json(report) if as_json else overtime_csv(report)
    return report_json(report) if as_json else report_csv(report)


def export_lines(report: AnyReport) -> int:
    if isinstance(report, Report):
        return len(report.lines)
    return len(report.rows)


def export_totals(report: AnyReport) -> str:
    """What an export holds besides its lines (the estimates' projects are their own)."""
    if isinstance(report, EstimatesReport):
        return ""
    return "the totals" if isinstance(report, OvertimeReport) else "the total"


def export_name(report: AnyReport) -> str:
    """The file name an export offers first."""
    if isinstance(report, EstimatesReport):
        return "report-estimates.csv"
    if isinstance(report, OvertimeReport):  # the days counted
        return f"report-{report.span.start}-to-{report.last or report.span.end}-overtime.csv"
    return f"report-{report.span.start}-to-{report.span.end}-by-{report.group}.csv"


def plural(count: int, group: Group) -> str:
    if count == 1:
        return group
    return "people" if group == "person" else f"{group}s"


def _hours(minutes: int) -> str:
    """Decimal hours for a spreadsheet's cell (`1.50`); the screen writes `1:30`."""
    return f"{minutes / 60:.2f}"


def _decimal_hours(minutes: int) -> float:
    """Decimal hours as a JSON number (`1.5`), rounded to the hundredth."""
    return round(minutes / 60, 2)


# --- where to write it -----------------------------------------------------------------------


def export_target(text: str, cwd: Path) -> Path:
    """The file a typed path names (`~` expanded, relative to `cwd`), or `Invalid`
    saying why it cannot be written."""
    text = text.strip()
    if not text:
        raise Invalid("Write a file name ending in .csv or .json.")
    path = Path(text).expanduser()
    path = path if path.is_absolute() else cwd / path
    if path.is_dir():
        raise Invalid(f"{path} is a folder; add a file name, e.g. {path / 'report.csv'}")
    if path.suffix.lower() not in FORMATS:
        raise Invalid("End the name with .csv or .json: the format follows it.")
    parent = path.parent
    if not parent.exists():
        raise Invalid(f"There is no folder {parent}.")
    if not parent.is_dir():
        raise Invalid(f"{parent} is not a folder.")
    if path.exists() and not os.access(path, os.W_OK):
        raise Invalid(f"{path} cannot be written (no permission).")
    if not path.exists() and not os.access(parent, os.W_OK):
        raise Invalid(f"Cannot write in {parent} (no permission).")
    return path


def describe_target(cwd: Path) -> Callable[[str], tuple[str, bool]]:
    def describe(text: str) -> tuple[str, bool]:
        try:
            path = export_target(text, cwd)
        except Invalid as error:
            return error.message, False
        what = FORMATS[path.suffix.lower()]
        if path.exists():
            return f"{what} -> {path} (exists: you will be asked before it is replaced)", True
        return f"{what} -> {path}", True

    return describe


#: The width of the replace-file question's lines (ConfirmScreen's, within its border).
CONFIRM_WIDTH = 52


def path_lines(path: str, width: int) -> list[str]:
    """A path cut into lines of at most `width` cells after a `/`, never inside a name
    (a name longer than a line is a line of its own)."""
    lines: list[str] = []
    for piece in re.findall(r"[^/]*/|[^/]+$", path):  # each name with its `/`
        if lines and cells(lines[-1]) + cells(piece) <= width:
            lines[-1] += piece
        else:
            lines.append(piece)
    return lines or [path]


def write_report(report: AnyReport, path: Path, *, replace: bool = False) -> None:
    """Write the report to a new file (without rights for others); an existing one is
    replaced only when `replace` (the user said so)."""
    write_file(path, report_text(report, path.suffix), replace=replace)


# --- the screen --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportData:
    rows: list[ReportRow]
    names: dict[str, str]
    projects: dict[str, str]
    span: DateRange


@dataclass(frozen=True)
class ReportsScreenData:
    """What one read brought: the kind of report and its figures."""

    kind: ReportKind
    time: ReportData | None = None
    estimates: EstimatesReport | None = None
    overtime: OvertimeReport | None = None


class ReportsScreen(TableScreen):
    TITLE = "Reports"
    BINDING_GROUP_TITLE = "Reports"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "kind", "Report",
                tooltip="Time, then estimated against logged, then overtime and undertime",
                id="reports-kind"),
        Binding("b", "group", "By", tooltip="Time by person, then by project, then by task",
                id="reports-group"),
        Binding("d", "pick_range", "Dates",
                tooltip="This week, last week, this month, last month or a custom range",
                id="reports-range"),
        Binding("left_square_bracket", "shift(-1)", "Earlier", tooltip="The period before",
                id="reports-earlier"),
        Binding("right_square_bracket", "shift(1)", "Later", tooltip="The period after",
                id="reports-later"),
        Binding("e", "export", "Export", tooltip="Write this report to a CSV or JSON file",
                id="reports-export"),
    ]  # fmt: skip

    @dataclass
    class Exported(Message):
        path: Path
        lines: int
        #: What the file holds besides the lines: "the total", "the totals" or "".
        totals: str = "the total"

    @dataclass
    class ExportFailed(Message):
        message: str

    def __init__(
        self,
        *,
        today: date,
        group: Group = "person",
        cwd: Path | None = None,
        first_day: int = 0,
        kind: ReportKind = "time",
    ) -> None:
        super().__init__("Time report")
        self.today = today
        self.kind: ReportKind = kind
        self.group: Group = group
        self.first_day = first_day
        self.span = DateRange.week_of(today, first_day)
        self.cwd = cwd
        self.data: ReportData | None = None
        #: The time report, when it is the one on screen.
        self.report: Report | None = None
        self.estimates: EstimatesReport | None = None
        self.overtime: OvertimeReport | None = None
        self.last_export: Path | None = None

    @property
    def shown(self) -> AnyReport | None:
        """The report on screen (what `e` writes)."""
        return {"time": self.report, "estimates": self.estimates, "overtime": self.overtime}[
            self.kind
        ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "group":
            return self.kind == "time"
        if action in ("pick_range", "shift"):
            return self.kind != "estimates"
        return True

    def read(self, backend: Backend) -> ReportsScreenData:
        span, kind = self.span, self.kind
        if kind == "estimates":
            return ReportsScreenData(
                kind, estimates=EstimatesReport(tuple(backend.report_estimates()))
            )
        if kind == "overtime":
            last = OvertimeReport.counted(span, self.today)
            weeks = backend.report_overtime(span.start, last) if last is not None else []
            return ReportsScreenData(kind, overtime=OvertimeReport(span, tuple(weeks), last))
        rows = backend.report(span.start, span.end)
        names = {u.login: u.name for u in backend.list_users(include_inactive=True)}
        projects = {p.key: p.name for p in backend.list_projects(include_archived=True)}
        return ReportsScreenData(kind, time=ReportData(rows, names, projects, span))

    def show(self, data: ReportsScreenData | ReportData) -> None:
        if isinstance(data, ReportData):  # the time report again (another grouping, a resize)
            data = ReportsScreenData("time", time=data)
        if data.kind != self.kind:  # read before `t` moved on: its own read follows
            return
        if data.time is not None:
            self._show_time(data.time)
        elif data.estimates is not None:
            self.estimates = data.estimates
            self._show_estimates(data.estimates)
        elif data.overtime is not None:
            self.overtime = data.overtime
            self._show_overtime(data.overtime)
        self._describe()

    def _show_time(self, data: ReportData) -> None:
        self.data = data
        report = group_report(
            data.rows, self.group, names=data.names, projects=data.projects, span=data.span
        )
        self.report = report
        table = self.table
        table.clear(columns=True)
        # `Key  Project`: the keys' column is not `Project` as well.
        key_title, name = {
            "person": ("Person", "Name"),
            "project": ("Key", "Project"),
            "task": ("Task", "Title"),
        }[self.group]
        total_label = f"Total ({len(report.lines)})"
        keys = max([6, len(total_label), *(cells(line.key) for line in report.lines)])
        fixed = keys + 2 + 10 + 7 + table.styles.scrollbar_size_vertical
        names = max([6, *(cells(line.name) for line in report.lines)])
        table.add_column(plain(key_title), key="key", width=keys)
        table.add_column(plain(name), key="name", width=min(names, self.room(fixed)))
        table.add_column(plain("Time", justify="right"), key="time", width=8)
        table.add_column(plain("Share", justify="right"), key="share", width=5)
        total = report.total
        parts = shares([line.minutes for line in report.lines])
        for line, share in zip(report.lines, parts, strict=True):
            table.add_row(
                plain(line.key),
                plain(line.name),
                plain(format_duration(line.minutes), justify="right"),
                table.styled(share, "muted", justify="right"),
                key=line.key,
            )
        if report.lines:
            table.add_row(
                table.styled(total_label, "strong"),
                plain(""),
                table.styled(format_duration(total), "strong", justify="right"),
                plain(""),
                key="\0total",
            )

    def _columns(self, columns: list[tuple[str, int]], wide: str, left: int) -> None:
        """Columns of fixed widths, the first `left` of them left-aligned, the figures
        after them right-aligned; the `wide` one takes the room left, up to its width."""
        table = self.table
        table.clear(columns=True)
        fixed = sum(width + 2 for title, width in columns if title != wide)
        fixed += table.styles.scrollbar_size_vertical
        for index, (title, width) in enumerate(columns):
            size = min(width, self.room(fixed)) if title == wide else width
            justify: Literal["left", "right"] = "left" if index < left else "right"
            table.add_column(plain(title, justify=justify), key=title, width=size)

    def _signed(self, minutes: int | None, look: str = "") -> object:
        """Over in the warning style, under muted, as `+1:30` and `-0:45` (`-`: none,
        as for time on a task with no estimate)."""
        if minutes is None:
            return self.table.styled("-", look or "muted", justify="right")
        style = look or ("warning" if minutes > 0 else "muted" if minutes < 0 else "")
        return self.table.styled(signed_duration(minutes), style, justify="right")

    def _show_estimates(self, report: EstimatesReport) -> None:
        rows = report.rows
        projects = max([7, *(cells(r.project) for r in rows)])
        names = max([4, *(cells(r.name) for r in rows)])
        self._columns(
            [("Kind", 9), ("Name", names), ("Project", projects), ("Estimate", 8),
             ("Logged", 7), ("+/-", 8), ("%", 5)],
            "Name",
            3,
        )  # fmt: skip
        table = self.table
        for index, r in enumerate(rows):
            table.add_row(
                table.styled(r.kind, "muted"),
                plain(r.name),
                plain(r.project),
                plain("-" if r.estimate is None else format_duration(r.estimate), justify="right"),
                plain(format_duration(r.logged), justify="right"),
                self._signed(r.variance),
                plain("-" if r.percent is None else f"{r.percent}%", justify="right"),
                key=f"{index}",
            )

    def _show_overtime(self, report: OvertimeReport) -> None:
        rows = report.rows
        weeks: dict[str, int] = {}
        for r in rows:
            weeks[r.user] = weeks.get(r.user, 0) + 1
        people = max([6, *(cells(r.user) for r in rows)])
        week = 15 if any(report.part(r.week) for r in rows) else 8  # `2026-W20 (part)`
        self._columns(
            [("Person", people), ("Week", week), ("Schedule", 8), ("Off", 7), ("Expected", 8),
             ("Logged", 7), ("+/-", 8)],
            "Person",
            2,
        )  # fmt: skip
        table = self.table
        totals = {t.user: t for t in report.totals}
        for index, r in enumerate(rows):
            table.add_row(*self._overtime_cells(r, part=report.part(r.week)), key=f"{index}")
            last = index + 1 == len(rows) or rows[index + 1].user != r.user
            if last and weeks[r.user] > 1:  # one week is its own total
                table.add_row(*self._overtime_cells(totals[r.user], "strong"), key=f"{index}\0")

    def _overtime_cells(
        self, r: OvertimeRow, look: str = "", *, part: bool = False
    ) -> list[object]:
        table = self.table
        week = "Total" if r.week == TOTAL else f"{r.week} (part)" if part else r.week
        return [
            table.styled(r.user, look),
            table.styled(week, look),
            *(
                table.styled(format_duration(v), look, justify="right")
                for v in (r.scheduled, r.time_off, r.expected, r.logged)
            ),
            self._signed(r.difference, look),
        ]

    def on_resize(self) -> None:
        if self.kind == "time" and self.data is not None:
            self._show_time(self.data)
        elif self.kind == "estimates" and self.estimates is not None:
            self._show_estimates(self.estimates)
        elif self.kind == "overtime" and self.overtime is not None:
            self._show_overtime(self.overtime)

    def _describe(self) -> None:
        span = self.span.describe(self.today)
        if self.kind == "estimates":
            self.set_heading("Estimated against logged: every task with an estimate or time")
        elif self.kind == "overtime":
            overtime = self.overtime
            if overtime is not None and overtime.span == self.span:
                span = overtime.describe(self.today)
            self.set_heading(f"Overtime and undertime: {span}")
        else:
            self.set_heading(f"Time by {self.group}: {span}")
        figures = self._figures()
        if figures is not None:
            self.set_figures(figures)
        if self.last_export is not None:
            self.set_notes(f"Last written: {self.last_export}")

    def _figures(self) -> str | None:
        if self.kind == "estimates":
            if self.estimates is None:
                return None
            projects = self.estimates.projects
            if not self.estimates.rows:
                return "No task has an estimate or time logged."
            logged = sum(r.logged for r in projects)
            over = f"project{'s' * (len(projects) != 1)}"
            if all(r.estimate is None for r in projects):
                return f"No estimate; logged {format_duration(logged)} over {len(projects)} {over}"
            estimate = sum(r.estimate or 0 for r in projects)
            percent = f", {logged * 100 // estimate}%" if estimate else ""
            return (
                f"Estimate {format_duration(estimate)}, logged {format_duration(logged)} "
                f"({signed_duration(logged - estimate)}{percent}) over {len(projects)} {over}"
            )
        if self.kind == "overtime":
            if self.overtime is None:
                return None
            totals = self.overtime.totals
            if self.overtime.last is None:
                return "These days start after today: no hours are expected yet."
            if not totals:
                return "Nobody here whose hours you may see."
            expected = sum(t.expected for t in totals)
            logged = sum(t.logged for t in totals)
            count = len(totals)
            return (
                f"{count} {plural(count, 'person')}: expected {format_duration(expected)} "
                f"(schedule less time off), logged {format_duration(logged)}, "
                f"{signed_duration(logged - expected)}"
            )
        report = self.report
        if report is None:
            return None
        if not report.lines:
            return "No time logged in these days (that you may see)."
        count = len(report.lines)
        return f"{format_duration(report.total)} logged, {count} {plural(count, self.group)}"

    # --- keys ------------------------------------------------------------------------------------

    def action_kind(self) -> None:
        """The next report: time, estimated against logged, overtime."""
        self.kind = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        self.refresh_bindings()
        self.set_figures("")
        self._describe()
        self.action_reload()

    def action_group(self) -> None:
        self.group = GROUPS[(GROUPS.index(self.group) + 1) % len(GROUPS)]
        if self.data is not None:
            self.show(self.data)

    def action_shift(self, step: int) -> None:
        self.span = self.span.shift(step)
        self.action_reload()

    def action_pick_range(self) -> None:
        today = self.today
        choices: list[tuple[str, DateRange | None]] = [*relative_ranges(today, self.first_day)]
        choices.append(("custom range …", None))
        items = [
            (f"{label} · {span.span()}" if span else label, index)
            for index, (label, span) in enumerate(choices)
        ]
        current = next((i for i, (_, s) in enumerate(choices) if s == self.span), len(choices) - 1)

        def picked(index: int | None) -> None:
            if index is None:
                return
            span = choices[index][1]
            if span is None:
                self._ask_range()
            else:
                self.span = span
                self.action_reload()

        self.app.push_screen(PickerScreen("Report on", items, current=current), picked)

    def _ask_range(self) -> None:
        prompt = TextPrompt(
            "A custom range",
            label="First and last day: 2026-05-01 2026-05-13, or mon today, -7 today",
            describe=describe_range(self.today),
            initial=f"{self.span.start.isoformat()} {self.span.end.isoformat()}",
        )

        def answered(text: str | None) -> None:
            if text:
                self.span = parse_range(text, self.today)
                self.action_reload()

        self.app.push_screen(prompt, answered)

    def action_export(self) -> None:
        report = self.shown
        if report is None:
            self.app.bell()
            return
        cwd = self.cwd or Path.cwd()
        name = export_name(report)
        if isinstance(report, EstimatesReport):
            what = f"{len(report.rows)} lines estimated against logged"
        elif isinstance(report, OvertimeReport):
            weeks = len(report.rows)
            what = (
                f"{weeks} person-week{'s' * (weeks != 1)} of overtime, "
                f"{report.describe(self.today)}"
            )
        else:
            what = (
                f"{len(report.lines)} lines by {report.group}, {report.span.describe(self.today)}"
            )
        prompt = TextPrompt(
            "Export the report",
            label="Write to (.csv or .json; ~ is your home)",
            describe=describe_target(cwd),
            context=f"{what}; relative paths start in {cwd}",
            initial=str(self.last_export.parent / name) if self.last_export else name,
        )

        def answered(text: str | None) -> None:
            if not text:
                return
            try:
                path = export_target(text, cwd)
            except Invalid as error:  # the file system changed since the preview
                self.notify(error.message, title="Not exported", severity="error", markup=False)
                return
            if not path.exists():
                self._write(report, path, replace=False)
                return
            lines = "\n".join(path_lines(str(path), CONFIRM_WIDTH))
            confirm = ConfirmScreen(
                f"This file exists:\n{lines}\nReplace it with this report?",
                title="Replace the file",
                yes="Replace",
                no="Keep it",
            )

            def replace(yes: bool | None) -> None:
                if yes:
                    self._write(report, path, replace=True)
                else:
                    self.notify(f"{path} kept.", title="Not exported", markup=False)

            self.app.push_screen(confirm, replace)

        self.app.push_screen(prompt, answered)

    @work(thread=True, group="reports-export")
    def _write(self, report: AnyReport, path: Path, *, replace: bool) -> None:
        try:
            write_report(report, path, replace=replace)
        except OSError as error:
            reason = error.strerror or str(error)
            self.post_message(self.ExportFailed(f"Cannot write {path}: {reason}"))
        else:
            self.post_message(self.Exported(path, export_lines(report), export_totals(report)))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        self.last_export = message.path
        lines = f"{message.lines} line{'s' * (message.lines != 1)}"
        if message.totals:
            lines += f" and {message.totals}"
        self.notify(f"Wrote {lines} to {message.path}", title="Exported", markup=False)
        self.set_notes(f"Last written: {message.path}")

    @on(ExportFailed)
    def _export_failed(self, message: ExportFailed) -> None:
        self.notify(message.message, title="Not exported", severity="error", markup=False)
