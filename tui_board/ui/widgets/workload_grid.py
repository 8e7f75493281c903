"""The workload grid: a row per person, a column per week, each cell the week's load
against capacity (`36:30/40:00`, as every duration is written), coloured by its band;
the week totals under the people; and the bands' legend.

Drawn line by line (Textual's line API: a `ScrollView` with `render_line`), so that 200
people by 12 weeks cost what the visible lines cost: a DataTable renders every cell
through Rich and measures all of them, 200-300 ms for this grid. It holds only the rows
read so far: the screen reads a window of people (`Backend.workload(offset=, limit=)`)
and the grid asks for more (`Wanted`) as rows not read yet come near the view; until
they come, such a row shows its place and dots, and keys never wait for them. The
totals are the backend's, over everyone, whatever has been read. The header and the
totals stay put while the people scroll; weeks scroll by whole columns, so a number is
never shown cut (a cut `40:00/40:00` would read `0:00/40:00`).

Colours come from the theme through component classes (`workload-grid--ok`, ...), the
same CSS the legend uses, so the legend always matches the cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Label

from tui_board.core.durations import format_duration, format_progress
from tui_board.core.models import Workload, WorkloadCell, WorkloadRow
from tui_board.core.weeks import IsoWeek
from tui_board.core.workload import BAND_MARKS, BANDS, Band, band, first_week
from tui_board.ui.plain_text import cut, fit

#: Each band's look, for the grid's cells and the legend's swatches alike.
BAND_CSS: dict[Band, str] = {
    "none": "color: $text-muted;",
    "low": "color: $band-low-foreground; background: $band-low-background;",
    "ok": "color: $band-ok-foreground; background: $band-ok-background;",
    "high": "color: $band-high-foreground; background: $band-high-background; text-style: bold;",
    "over": "color: $band-over-foreground; background: $band-over-background; text-style: bold;",
}

NAME_WIDTH = 20
TEAM_WIDTH = 10
#: Lines above and below the people: the two header lines, the totals and capacity.
HEADER = 2
FOOTER = 2
#: Rows read at once (the screen's first read asks for two of these: a screenful of
#: about 35 rows and more around it).
PAGE = 50


def percent(load: int, capacity: int) -> str:
    return f"{load * 100 // capacity}%" if capacity else ("-" if not load else "no capacity")


def band_text(load: int, capacity: int) -> str:
    """The band's words: `50-100%`, ... (`no capacity` for a week with none)."""
    return dict(BANDS).get(band(load, capacity), "no capacity")


#: Each band's mark, after every number and in the legend, in every theme and terminal:
#: colour is never the only sign (16 colours draw some bands alike, NO_COLOR none).
#: `!` and `‼` are the CLI's marks.
#: How the cell under the cursor looks: its band's colours, reversed, so that the band
#: still shows (as its mark does).
CURSOR = Style(reverse=True, bold=True)


def cell_text(cell: WorkloadCell) -> str:
    """`32:00/40:00`: the load (logged for past weeks, logged + planned from this week
    on) against the capacity; `off` for a week with neither. The band's colour (or mark)
    says how full, so the pair carries no over mark of its own."""
    if cell.capacity == 0 and cell.load == 0:
        return "off"
    return format_progress(cell.load, cell.capacity, mark=False)


def marked(text: str, load: int, capacity: int) -> str:
    """The text with its band's mark: `36:30/40:00!`."""
    return text + BAND_MARKS[band(load, capacity)]


def week_labels(weeks: tuple[str, ...], current: str) -> list[tuple[str, str]]:
    """Each week's two header lines: its month's name where a month begins (`now` for
    this week), and `W20`."""
    labels = []
    month = ""
    for week in weeks:
        iso = IsoWeek.parse(week)
        name = f"{iso.monday():%b}"
        labels.append(
            ("now" if week == current else (name if name != month else ""), f"W{iso.week:02d}")
        )
        month = name
    return labels


@dataclass(frozen=True)
class GridSpot:
    """What the cursor is on: a person and a week."""

    user: str | None
    week: str | None


@dataclass(frozen=True)
class GridLine:
    """A row as drawn: its name and team, each week's text and component class, and
    the row's own component (for the totals)."""

    name: str
    team: str
    cells: tuple[tuple[str, str], ...]
    look: str = ""


class WorkloadGrid(ScrollView, can_focus=False):
    """People by weeks. `show(workload)` fills it, keeping the cursor on the same person
    and week when they are still shown; the screen moves the cursor (`move`, `page`,
    `edge`) and says how wide it may be (`fit`)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *(f"workload-grid--{name}" for name in BAND_CSS),
        "workload-grid--header",
        "workload-grid--past",
        "workload-grid--now",
        "workload-grid--name",
        "workload-grid--focus",
        "workload-grid--cursor",
        "workload-grid--total",
        "workload-grid--capacity",
        "workload-grid--more",
    }

    DEFAULT_CSS = (
        """
    WorkloadGrid {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 0;
        & > .workload-grid--header { background: $panel; color: $foreground; text-style: bold; }
        & > .workload-grid--past { background: $panel; color: $text-muted; text-style: bold; }
        & > .workload-grid--now { background: $panel; color: $text-accent; text-style: bold; }
        & > .workload-grid--name { text-style: bold; }
        & > .workload-grid--focus { color: $text-accent; text-style: bold; }
        & > .workload-grid--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .workload-grid--total { text-style: bold; }
        & > .workload-grid--capacity { color: $text-muted; }
        & > .workload-grid--more { background: $panel; color: $text-accent; text-style: bold; }
    """
        + "".join(f"    & > .workload-grid--{name} {{ {css} }}\n" for name, css in BAND_CSS.items())
        + "    }\n"
    )

    @dataclass
    class Selected(Message):
        """The cell under the cursor was clicked again: show what lies behind it."""

        grid: WorkloadGrid

    @dataclass
    class Wanted(Message):
        """Rows not read yet come into view (or near it): the screen reads them and
        hands them to `add`."""

        grid: WorkloadGrid
        offset: int
        limit: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: The read the grid shows (its first window: the weeks, the totals, how many
        #: people in all).
        self.workload: Workload | None = None
        #: Every person's row by place, None until read.
        self.rows: list[WorkloadRow | None] = []
        self.show_team = False
        self.cursor_row = 0
        self.cursor_week = 0
        #: The first week shown (weeks scroll by whole columns).
        self.first_week = 0
        self.name_width = 6
        self.team_width = 4
        self.week_width = 5
        #: The people's rows as drawn, by place (None until read), and the two totals rows.
        self.lines: list[GridLine | None] = []
        self.totals: list[GridLine] = []
        self._labels: list[tuple[str, str, str]] = []
        #: The width the grid may take (see `fit`); 0 until the screen says.
        self._available = 0
        #: The blocks of rows asked for and not yet here.
        self._asked: set[int] = set()
        self._teams: set[str] = set()

    @property
    def rows_shown(self) -> list[WorkloadRow]:
        """The rows read so far, in order."""
        return [row for row in self.rows if row is not None]

    def index_of(self, login: str) -> int | None:
        """The place of a person whose row has been read."""
        return next(
            (i for i, row in enumerate(self.rows) if row is not None and row.user == login), None
        )

    # --- filling -------------------------------------------------------------------------

    def show(self, workload: Workload) -> None:
        """A new read (its first window of rows): the totals and the count are its."""
        before = self.spot() if self.workload is not None else None
        self.workload = workload
        people = max(workload.people, workload.offset + len(workload.rows))
        self.rows = [None] * people
        self.lines = [None] * people
        self._asked = set()
        self._teams = set(workload.teams)
        count = range(len(workload.weeks))
        if workload.totals:
            loads = [c.load for c in workload.totals]
            capacities = [c.capacity for c in workload.totals]
        else:  # a window with no totals: what it holds
            loads = [sum(r.cells[i].load for r in workload.rows) for i in count]
            capacities = [sum(r.cells[i].capacity for r in workload.rows) for i in count]
        self.totals = []
        if people:
            self.totals = [
                GridLine(
                    f"Total ({people})",
                    "",
                    tuple(
                        (
                            marked(format_duration(load), load, cap),
                            f"workload-grid--{band(load, cap)}",
                        )
                        for load, cap in zip(loads, capacities, strict=True)
                    ),
                    "workload-grid--total",
                ),
                GridLine(
                    "Capacity",
                    "",
                    tuple((format_duration(cap), "workload-grid--capacity") for cap in capacities),
                    "workload-grid--capacity",
                ),
            ]
        labels = week_labels(workload.weeks, workload.current)
        self._labels = [
            (top, bottom, _look(week, workload.current))
            for week, (top, bottom) in zip(workload.weeks, labels, strict=True)
        ]
        self.name_width, self.team_width, self.week_width = 6, 4, 5
        self._widen(self.totals)
        self._place(workload)
        self.virtual_size = Size(0, len(self.lines) + HEADER + FOOTER)
        self._restore(before)
        if self._available:
            self.fit(self._available)
        self.refresh()
        self._want()

    def add(self, workload: Workload) -> None:
        """More rows of the read shown (the same weeks, people and totals)."""
        if self.workload is None:
            return
        self._asked.discard(workload.offset // PAGE)
        widths = (self.name_width, self.team_width, self.week_width, self.show_team)
        self._place(workload)
        changed = widths != (self.name_width, self.team_width, self.week_width, self.show_team)
        if changed and self._available:
            self.fit(self._available)
        self.refresh()
        self._want()

    def _place(self, workload: Workload) -> None:
        placed = []
        for index, row in enumerate(workload.rows, start=workload.offset):
            if index >= len(self.rows):
                break
            self.rows[index] = row
            line = GridLine(
                cut(row.name, NAME_WIDTH),
                cut(row.team or "-", TEAM_WIDTH),
                tuple(
                    (
                        marked(cell_text(c), c.load, c.capacity),
                        f"workload-grid--{band(c.load, c.capacity)}",
                    )
                    for c in row.cells
                ),
            )
            self.lines[index] = line
            placed.append(line)
            self._teams.add(row.team or "-")
        self.show_team = len({cut(team, TEAM_WIDTH) for team in self._teams}) > 1
        self._widen(placed)

    def _widen(self, lines: list[GridLine]) -> None:
        """Columns wide enough for these lines too (they never narrow while scrolling)."""
        self.name_width = min(
            NAME_WIDTH, max([self.name_width, *(cell_len(line.name) for line in lines)])
        )
        self.team_width = min(
            TEAM_WIDTH, max([self.team_width, *(cell_len(t) for t in self._teams)])
        )
        self.week_width = max(
            [self.week_width, *(cell_len(text) for line in lines for text, _ in line.cells)]
        )

    def _want(self) -> None:
        """Ask for the rows in view, and a screenful either side, not read yet."""
        if self.workload is None or not self.rows:
            return
        lines = self._people_lines()
        top = int(self.scroll_y)
        first = max(0, min(top, self.cursor_row) - lines)
        last = min(len(self.rows), max(top + lines, self.cursor_row + 1) + lines)
        for block in sorted({i // PAGE for i in range(first, last) if self.rows[i] is None}):
            if block not in self._asked:
                self._asked.add(block)
                self.post_message(self.Wanted(self, block * PAGE, PAGE))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._want()

    @property
    def _fixed_width(self) -> int:
        return self.name_width + 2 + (self.team_width + 2 if self.show_team else 0)

    @property
    def _week_cell(self) -> int:
        return self.week_width + 2

    @property
    def weeks_shown(self) -> int:
        """How many weeks fit beside the names."""
        if self.workload is None:
            return 0
        room = self.scrollable_content_region.width - self._fixed_width
        return max(1, min(len(self.workload.weeks), room // self._week_cell))

    def fit(self, available: int) -> None:
        """Be as wide as the names and the whole weeks that fit in `available` cells."""
        self._available = available
        if self.workload is None:
            return
        gutter = self.styles.scrollbar_size_vertical
        room = available - self._fixed_width - gutter
        shown = max(1, min(len(self.workload.weeks), room // self._week_cell))
        width = self._fixed_width + shown * self._week_cell + gutter
        if self.styles.width is None or self.styles.width.value != width:
            self.styles.width = width
        self.call_after_refresh(self._follow)

    # --- the cursor ------------------------------------------------------------------------

    def spot(self) -> GridSpot:
        """The person (None while their row is being read) and week under the cursor."""
        if self.workload is None or not self.rows:
            return GridSpot(None, None)
        row = self.rows[self.cursor_row]
        return GridSpot(row.user if row else None, self.workload.weeks[self.cursor_week])

    def row_at_cursor(self) -> WorkloadRow | None:
        return self.rows[self.cursor_row] if self.rows else None

    def _restore(self, before: GridSpot | None) -> None:
        """The cursor back on the person and week it was on (at first: this week)."""
        assert self.workload is not None
        weeks = list(self.workload.weeks)
        if before is None:
            self.cursor_row = self.first_week = 0
            current = self.workload.current
            self.cursor_week = weeks.index(current) if current in weeks else 0
            # In view: this week and those ahead, the weeks before it as room allows
            # (`first_week`: four past weeks of twelve; none of six).
            lead = str(first_week(IsoWeek.parse(current).monday(), self.weeks_shown))
            self.first_week = weeks.index(lead) if lead in weeks else 0
            return
        found = self.index_of(before.user) if before.user is not None else None
        if found is not None:
            self.cursor_row = found
        if before.week in weeks:
            self.cursor_week = weeks.index(before.week)
        self.cursor_row = max(0, min(self.cursor_row, len(self.rows) - 1))
        self.cursor_week = max(0, min(self.cursor_week, len(weeks) - 1))

    def move(self, dx: int, dy: int) -> None:
        self.move_to(self.cursor_row + dy, self.cursor_week + dx)

    def page(self, step: int) -> None:
        self.move_to(self.cursor_row + step * max(1, self._people_lines()), self.cursor_week)

    def edge(self, step: int) -> None:
        self.move_to(0 if step < 0 else len(self.rows) - 1, self.cursor_week)

    def move_to(self, row: int, week: int) -> None:
        if self.workload is None or not self.rows:
            return
        self.cursor_row = max(0, min(row, len(self.rows) - 1))
        self.cursor_week = max(0, min(week, len(self.workload.weeks) - 1))
        self._follow()
        self.refresh()

    def _people_lines(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER - FOOTER)

    def _follow(self) -> None:
        """Scroll so that the cursor is shown: people by lines, weeks by columns."""
        if self.workload is None:
            return
        shown = self.weeks_shown
        if self.cursor_week < self.first_week:
            self.first_week = self.cursor_week
        elif self.cursor_week >= self.first_week + shown:
            self.first_week = self.cursor_week - shown + 1
        self.first_week = max(0, min(self.first_week, len(self.workload.weeks) - shown))
        lines = self._people_lines()
        top = int(self.scroll_y)
        if self.cursor_row < top:
            top = self.cursor_row
        elif self.cursor_row >= top + lines:
            top = self.cursor_row - lines + 1
        if top != int(self.scroll_y):
            self.scroll_to(y=top, animate=False, force=True)
        self.refresh()
        self._want()

    # --- drawing -------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self.workload is None:
            return Strip.blank(width, self.rich_style)
        people = min(len(self.lines), self._people_lines())
        if y < HEADER:
            segments = self._header(y)
        elif y < HEADER + people:
            index = int(self.scroll_y) + y - HEADER
            if index >= len(self.lines):
                return Strip.blank(width, self.rich_style)
            line = self.lines[index]
            segments = self._row(line, index) if line is not None else self._reading(index)
        elif y - HEADER - people < len(self.totals):
            segments = self._row(self.totals[y - HEADER - people], None)
        else:
            return Strip.blank(width, self.rich_style)
        return Strip(segments).adjust_cell_length(width, self.rich_style)

    def _style(self, component: str) -> Style:
        return self.rich_style + self.get_component_rich_style(component)

    def _visible_weeks(self) -> range:
        return range(self.first_week, min(len(self._labels), self.first_week + self.weeks_shown))

    def _header(self, y: int) -> list[Segment]:
        header = self._style("workload-grid--header")
        segments = [Segment(fit(" Person" if y else "", self.name_width + 2), header)]
        if self.show_team:
            segments.append(Segment(fit(" Team" if y else "", self.team_width + 2), header))
        visible = self._visible_weeks()
        for index in visible:
            top, bottom, look = self._labels[index]
            text = bottom if y else top
            component = f"workload-grid--{look}" if look else "workload-grid--header"
            if y and index == self.cursor_week:
                component = "workload-grid--now" if look == "now" else "workload-grid--more"
            left = "◂" if y and index == visible.start and index > 0 else " "
            right = (
                "▸" if y and index == visible.stop - 1 and visible.stop < len(self._labels) else " "
            )
            if left != " ":
                segments.append(Segment(left, self._style("workload-grid--more")))
            else:
                segments.append(Segment(" ", header))
            segments.append(Segment(text.rjust(self.week_width), self._style(component)))
            segments.append(
                Segment(
                    right,
                    self._style("workload-grid--more" if right != " " else "workload-grid--header"),
                )
            )
        return segments

    def _row(self, line: GridLine, index: int | None) -> list[Segment]:
        base = self._style(line.look or "workload-grid--name")
        name = base
        if index is not None and index == self.cursor_row:
            name = self._style("workload-grid--focus")
        segments = [Segment(" " + fit(line.name, self.name_width) + " ", name)]
        if self.show_team:
            segments.append(Segment(" " + fit(line.team, self.team_width) + " ", base))
        plain = self.rich_style
        for week in self._visible_weeks():
            text, component = line.cells[week]
            cursor = index is not None and index == self.cursor_row and week == self.cursor_week
            style = self._style(component) + CURSOR if cursor else self._style(component)
            segments.append(Segment(" ", plain))
            segments.append(Segment(text.rjust(self.week_width), style))
            segments.append(Segment(" ", plain))
        return segments

    def _reading(self, index: int) -> list[Segment]:
        """A row being read: its place, and a dot per week."""
        name = self._style(
            "workload-grid--focus" if index == self.cursor_row else "workload-grid--capacity"
        )
        segments = [Segment(" " + fit(f"#{index + 1} …", self.name_width) + " ", name)]
        if self.show_team:
            segments.append(Segment(" " * (self.team_width + 2), self.rich_style))
        muted = self._style("workload-grid--capacity")
        for week in self._visible_weeks():
            cursor = index == self.cursor_row and week == self.cursor_week
            style = self._style("workload-grid--cursor") if cursor else muted
            segments.append(Segment(" ", self.rich_style))
            segments.append(Segment("·".rjust(self.week_width), style))
            segments.append(Segment(" ", self.rich_style))
        return segments

    # --- the mouse -------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        if self.workload is None:
            return
        y = event.y - HEADER
        x = event.x - self._fixed_width
        if not 0 <= y < min(len(self.lines), self._people_lines()) or x < 0:
            return
        row = int(self.scroll_y) + y
        week = self.first_week + x // self._week_cell
        if week >= len(self.workload.weeks):
            return
        if (row, week) == (self.cursor_row, self.cursor_week):
            self.post_message(self.Selected(self))
        else:
            self.move_to(row, week)


def _look(week: str, current: str) -> str:
    """How a week's header looks: `now`, `past`, or plain."""
    return "now" if week == current else "past" if week < current else ""


class BandLegend(Horizontal):
    """The bands as the grid colours them: `under 50%`, `50-100%`, ..."""

    DEFAULT_CSS = """
    BandLegend {
        height: 1;
        width: auto;
    }
    BandLegend > Label {
        width: auto;
        padding: 0 1;
        margin-right: 1;
    }
    """ + "".join(f"    BandLegend > .-{name} {{ {css} }}\n" for name, css in BAND_CSS.items())

    def compose(self) -> ComposeResult:
        for name, text in BANDS:
            yield Label(f"{BAND_MARKS[name]} {text}", classes=f"-{name}", markup=False)
