"""The timesheet's grid: tasks by days, drawn line by line, edited in place.

(Over 600 lines, and one file: it is one widget, whose drawing, cursor and cell editing
share its column layout and its lines; split, each part would reach into the others.)

One widget draws the whole week (`render_line`, as Textualize/toolong draws its logs):
a header with the days, a line per task, time off, and the totals against the daily
target. Its cost follows the lines on screen, not the rows of the week, and a key that
changes one cell repaints a few lines of text, not a tree of widgets.

    Task                  Mon 23  Tue 24  Wed 25  Thu 26  Fri 27  Sat 28  Sun 29   Total
    ▎WEB-12 Fix the lo…     1:30    2:00▏     ·       ·       ·       ·       ·     3:30
     APP-3 Release 2.0      6:30*      ·       ·       ·       ·       ·       ·     6:30
    ─────────────────────────────────────────────────────────────────────────────────────
     Total · 8:00 a day     8:00✓   2:00    0:00    0:00    0:00    0:00    0:00   10:00

Typing a duration on a cell starts editing it, inside the cell; the parsed value shows
on the line under the grid as it is typed (`2h -> 2:00`). `commit` (the screen binds
`enter`, `tab`, the arrows) returns it for the screen to store, `cancel_edit` (`esc`)
drops it, and input the parser refuses keeps the cell in edit mode with the reason. The
grid stores nothing itself: the screen does, and shows the result in the same frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Literal

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from tui_board.core.durations import DAY_MINUTES, BareUnit, format_duration, parse_duration
from tui_board.core.errors import Invalid
from tui_board.core.weeks import IsoWeek
from tui_board.ui.plain_text import cut, fit
from tui_board.ui.state.timesheet import TIME_OFF_LABELS, DayStatus, WeekGridState

#: Characters that start editing a cell: a duration begins with one of them. `.` does
#: too (`.5`) on the week that holds today, where it has no week to go back to. `-`
#: starts one to say that negative time is refused (it never stores `-1` as 1:00).
#: `P` starts an ISO 8601 duration (`PT1H30M`).
EDIT_STARTERS = frozenset("0123456789:,-Pp")
#: What a character that neither starts a duration nor is a key's binding shows.
TYPING_HINT = "type a duration like 1:30 (1h30, 90m, 1.5); ? shows the keys"
NEGATIVE = "negative time is refused; type how long, e.g. 1:30"
#: The longest input a cell takes (the parser refuses longer ones anyway).
MAX_INPUT = 32
MARKER = "▎"
CARET = "▏"
TIMER_GLYPH = "⏱"
COMMENT_MARK = "*"
#: The mark of a cell whose text cannot be stored (the reason is on the line below).
ERROR_MARK = "✗"
#: A day's or week's total against its target, marked as well as coloured: `6:00↓` under,
#: `8:00✓` met, `9:30+` over (the colour alone is lost on 16 colours and NO_COLOR).
STATUS_MARKS: dict[DayStatus, str] = {"under": "↓", "met": "✓", "over": "+"}

Move = Literal[
    "down", "up", "left", "right", "next", "previous", "page_down", "page_up", "first", "last"
]


def day_headings(days: Sequence[date], room: int = 6) -> list[str]:
    """The week's column headings, in one form for every day: the longest of `Sun 29`,
    `Su 29`, `29` in which each fits `room` characters (a longer one would push the
    columns after it out of line, say `Sun 29` in a narrow grid)."""
    forms = (
        [f"{day:%a} {day.day}" for day in days],
        [f"{day:%a}"[:2] + f" {day.day}" for day in days],
        [str(day.day) for day in days],
    )
    fitting = (texts for texts in forms if all(len(text) <= room for text in texts))
    return next(fitting, [text[:room] for text in forms[-1]])


def other_week_mark(week: str, width: int) -> str:
    """`in W48` (or `W48` when narrow): a day shown in a short week that is that week's."""
    name = f"W{IsoWeek.parse(week).week}"
    return f"in {name}" if len(name) + 3 <= width else name


@dataclass
class CellEdit:
    """A cell being typed into. `replace`: the text is the cell's value, selected, and
    the first character typed replaces it."""

    key: str
    day: date
    text: str
    replace: bool = False
    error: str = ""


@dataclass(frozen=True)
class CellValue:
    """A duration typed into a cell that reads well: what to store."""

    key: str
    day: date
    minutes: int
    text: str


@dataclass(frozen=True)
class GridColumns:
    """Column widths for a width: the task label, the project (0: not shown), a day,
    the total."""

    label: int
    project: int
    day: int
    total: int

    @classmethod
    def fit(cls, width: int) -> GridColumns:
        # Day columns of 8 where the tasks keep room: two spaces at least between two
        # headings (`Sun 29  Mon 30`); else 7, else 6 (with short headings, `Su 29`).
        day, total = 8, 8
        rest = width - 7 * day - total
        if rest < 32:
            day = 7
            rest = width - 7 * day - total
        if rest < 16:
            day, total = 6, 7
            rest = width - 7 * day - total
        project = 16 if rest >= 52 else 0
        return cls(max(4, rest - project), project, day, total)

    @property
    def days_x(self) -> int:
        """Where the first day's column starts."""
        return self.project + self.label

    def day_at(self, x: int) -> int | None:
        index = (x - self.days_x) // self.day
        return index if x >= self.days_x and 0 <= index < 7 else None


#: What a line of the grid shows: the header, a task row (its index), the hint of an
#: empty week, the rule above the totals, a kind of time off, the totals, nothing.
Line = tuple[str, int | str | None]


def target_text(state: WeekGridState, room: int) -> str:
    """What the totals line says the days are held against, in `room` cells if it can:
    ` · 8:00 a day`; with a schedule whose days differ, the usual day and the others
    (` · 8:00 a day, Fri 4:00`, narrower ` · 8:00, Fri 4:00`, then ` 8:00, Fri 4:00`)."""
    usual, others = state.targets()
    if not usual:
        return " · no working day"
    if not others:
        return f" · {format_duration(usual)} a day"
    rest = ", ".join(f"{day:%a} {format_duration(minutes)}" for day, minutes in others)
    choices = [
        f" · {format_duration(usual)} a day, {rest}",
        f" · {format_duration(usual)}, {rest}",
        f" {format_duration(usual)}, {rest}",
    ]
    return next((text for text in choices if cell_len(text) <= room), choices[-1])


class WeekGrid(Widget, can_focus=True):
    """The week's cells; the screen owns the keys that move and act, the grid the keys
    that type into a cell."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "week-grid--cursor",
        "week-grid--cursor-row",
        "week-grid--edit",
        "week-grid--edit-selected",
        "week-grid--header",
        "week-grid--today",
        "week-grid--key",
        "week-grid--muted",
        "week-grid--comment",
        "week-grid--timer",
        "week-grid--preview",
        "week-grid--error",
        "week-grid--under",
        "week-grid--met",
        "week-grid--over",
        "week-grid--total",
        "week-grid--rule",
    }

    DEFAULT_CSS = """
    WeekGrid {
        height: 1fr;
        padding: 0 1;
        background: $background;
        color: $foreground;
        & > .week-grid--cursor { background: $primary 30%; color: $foreground; text-style: bold; }
        & > .week-grid--cursor-row { background: $boost; color: $foreground; }
        & > .week-grid--edit { background: $panel; color: $foreground; text-style: bold; }
        & > .week-grid--edit-selected {
            background: $primary 60%; color: $foreground; text-style: bold;
        }
        & > .week-grid--header { color: $text-muted; text-style: bold; }
        & > .week-grid--today { color: $today; text-style: bold; }
        & > .week-grid--key { color: $text-primary; text-style: bold; }
        & > .week-grid--muted { color: $text-muted; }
        & > .week-grid--comment { color: $text-accent; }
        & > .week-grid--timer { color: $timer; text-style: bold; }
        & > .week-grid--preview { color: $text-success; text-style: bold; }
        & > .week-grid--error { color: $text-error; text-style: bold; }
        & > .week-grid--under { color: $text-warning; text-style: bold; }
        & > .week-grid--met { color: $text-success; text-style: bold; }
        & > .week-grid--over { color: $text-error; text-style: bold; }
        & > .week-grid--total { color: $foreground; text-style: bold; }
        & > .week-grid--rule { color: $foreground 30%; }
    }
    WeekGrid:focus > .week-grid--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    """

    @dataclass
    class Changed(Message):
        """The cursor moved or the cell being typed into changed."""

        grid: WeekGrid

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, WeekGrid.Changed)

    @dataclass
    class Refused(Message):
        """A key asked for something the week does not allow (it is read-only)."""

        reason: str

    @dataclass
    class Hint(Message):
        """A character that does nothing on a cell: what to type instead."""

        text: str

    class NeedsRow(Message):
        """A duration was typed on a week without rows: there is no cell to put it in
        (the digit does nothing else: digits never switch screens here)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state: WeekGridState | None = None
        self.edit: CellEdit | None = None
        self.bare_unit: BareUnit = "hours"
        self.timer_key: str | None = None
        #: Project names by key, for the project column of a wide grid.
        self.project_names: dict[str, str] = {}
        self.empty_text = "No tasks on this week yet."
        #: The first task row in view, when the rows do not all fit.
        self.top = 0
        self._lines: list[Line] = []
        self._ink: dict[tuple[str, str], Style] = {}
        #: Each line as last drawn: how it looked, and its strip.
        self._strips: dict[int, tuple[tuple[object, ...], Strip]] = {}
        #: Lines of its container the grid leaves to what follows it (`height: auto`).
        self.reserve = 0
        self._natural = 0

    # --- what to show --------------------------------------------------------------------

    def show(self, state: WeekGridState | None) -> None:
        """Show another week (or the same one read again)."""
        full_stop = self.starts_duration(".")
        self.state = state
        if self.edit is not None and (state is None or self.edit.day not in state.days):
            self.edit = None
        self.changed()
        if self.starts_duration(".") != full_stop:
            # `.` types here on the week holding today, and is the screen's "this week"
            # elsewhere (`check_consume_key`): the footer and help follow.
            self.refresh_bindings()

    def changed(self) -> None:
        """Something the grid shows changed: repaint it, keep the cursor in view."""
        natural = self.natural_height()
        if natural != self._natural:
            self._natural = natural
            self.refresh(layout=True)  # with `height: auto` the grid grows or shrinks
        self._arrange()
        self._repaint()
        self.post_message(self.Changed(self))

    def _repaint(self) -> None:
        """Repaint the lines that look different from when they were drawn (a key that
        changes a cell redraws its row and the totals, not the grid)."""
        width = self.size.width
        for y, line in enumerate(self._lines):
            drawn = self._strips.get(y)
            if drawn is None or drawn[0] != self._looks(line):
                self.refresh(Region(0, y, width, 1))

    def _looks(self, line: Line) -> tuple[object, ...]:
        """Everything a line's look depends on (with the state, which holds the week,
        and the width): equal looks draw the same strip."""
        state = self.state
        kind, what = line
        base = (kind, what, id(state), self.content_size.width, id(self.project_names))
        if state is None:
            return base
        if kind == "row" and isinstance(what, int) and what < len(state.rows):
            row = state.rows[what]
            edit = self.edit if self.edit is not None and self.edit.key == row.key else None
            cursor = what == state.cursor_row
            return (
                *base,
                row,
                cursor and state.cursor_day,
                cursor,
                tuple(state.minutes(row.key, day) for day in state.days),
                tuple(bool(state.comment(row.key, day)) for day in state.days),
                None if edit is None else (edit.day, edit.text, edit.replace, edit.error),
                row.key == self.timer_key,
            )
        if kind == "header":
            return (*base, state.cursor_day, len(state.rows), self.shown_rows())
        if kind in ("total", "off"):
            return (*base, tuple(state.day_total(day) for day in state.days))
        if kind == "empty":
            return (*base, self.empty_text)
        return base

    def natural_height(self) -> int:
        """Lines to show everything: the header, the rows (or the empty week's hint),
        the rule, time off and the totals."""
        state = self.state
        if state is None:
            return 1
        return 3 + max(1, len(state.rows)) + len(state.time_off)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(4, min(self.natural_height(), container.height - self.reserve))

    @property
    def editing(self) -> bool:
        return self.edit is not None

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character is None or not character.isprintable():
            return False
        if self.edit is not None:
            return True
        # A duration's first character is the grid's, rows or not: a digit typed on an
        # empty week must not reach the app's `1`/`2`/`3` (another screen).
        return self.starts_duration(character)

    def starts_duration(self, character: str | None) -> bool:
        """Whether this character begins a duration (on the week that holds today,
        `.` too: `.5`)."""
        if character is None:
            return False
        if character in EDIT_STARTERS:
            return True
        state = self.state
        return character == "." and state is not None and state.today in state.days

    def starts_edit(self, character: str | None) -> bool:
        """Whether typing this character on the grid starts editing the cursor's cell."""
        state = self.state
        return state is not None and bool(state.rows) and self.starts_duration(character)

    # --- moving ---------------------------------------------------------------------------

    def apply_move(self, move: Move) -> bool:
        state = self.state
        if state is None or not state.rows:
            return False
        first, last = self.shown_rows()
        page = max(1, last - first + 1)
        moved = {
            "down": lambda: state.move(1, 0),
            "up": lambda: state.move(-1, 0),
            "left": lambda: state.move(0, -1),
            "right": lambda: state.move(0, 1),
            "next": lambda: state.step(True),
            "previous": lambda: state.step(False),
            "page_down": lambda: state.move(page, 0),
            "page_up": lambda: state.move(-page, 0),
            "first": lambda: state.move(-len(state.rows), 0),
            "last": lambda: state.move(len(state.rows), 0),
        }[move]()
        self.changed()
        return moved

    # --- editing -----------------------------------------------------------------------------

    def start_edit(self, text: str, *, replace: bool = False, error: str = "") -> bool:
        """Type into the cursor's cell, starting with `text`; False (and `Refused`)
        when the cell cannot be changed."""
        state = self.state
        cell = state.focus_cell if state is not None else None
        if state is None or cell is None:
            return False
        reason = state.read_only_reason(cell[1])
        if reason is not None:
            self.post_message(self.Refused(reason))
            return False
        self.edit = CellEdit(cell[0], cell[1], text[:MAX_INPUT], replace=replace, error=error)
        self.changed()
        return True

    def cancel_edit(self) -> None:
        if self.edit is not None:
            self.edit = None
            self.changed()

    def preview(self) -> tuple[str, bool]:
        """What the cell being typed into would store (`1h30 -> 1:30`), or why not."""
        edit, state = self.edit, self.state
        if edit is None or state is None:
            return "", True
        if edit.error:
            return edit.error, False
        if not edit.text.strip():
            return "type a duration such as 1h30, 1:30, 90m or 1.5", True
        try:
            minutes = self._read(edit)
        except Invalid as error:
            return error.message, False
        return f"{edit.text.strip()} -> {format_duration(minutes)}", True

    def _read(self, edit: CellEdit) -> int:
        """The minutes typed, checked against what the day can hold."""
        assert self.state is not None
        if edit.text.lstrip().startswith("-"):
            raise Invalid(NEGATIVE)
        minutes = parse_duration(edit.text, bare_unit=self.bare_unit)
        old = self.state.minutes(edit.key, edit.day)
        total = self.state.day_total(edit.day) - old + minutes
        if total > DAY_MINUTES:
            raise Invalid(
                f"that makes {format_duration(total)} on {edit.day:%a %d %b}, "
                "more than the 24:00 a day holds"
            )
        return minutes

    def commit(self, move: Move) -> CellValue | None:
        """End typing and move on, returning the value to store (None when it did not
        change). A value the parser refuses keeps the cell in edit mode with the reason
        (and returns None)."""
        edit, state = self.edit, self.state
        if edit is None or state is None:
            return None
        try:
            minutes = self._read(edit)
        except Invalid as error:
            edit.error = error.message
            self.app.bell()
            self.changed()
            return None
        self.edit = None
        value = None
        if minutes != state.minutes(edit.key, edit.day):
            value = CellValue(edit.key, edit.day, minutes, edit.text.strip())
        if move == "down":
            state.next_down()
            self.changed()
        else:
            self.apply_move(move)
        return value

    def erase(self) -> None:
        """`backspace` while typing: the last character (all of a selected value)."""
        edit = self.edit
        if edit is not None:
            edit.text = "" if edit.replace else edit.text[:-1]
            self._typed(edit)

    def clear_input(self) -> None:
        edit = self.edit
        if edit is not None:
            edit.text = ""
            self._typed(edit)

    async def on_key(self, event: events.Key) -> None:
        """Characters: the first character of a duration starts editing the cell, and
        while editing every character goes into it. Other keys are the screen's bindings,
        run here, in the order the keys came: on a slow link `2 enter 3` arrives at once,
        and the `3` must reach the next cell, not the one `enter` is storing. A character
        that is neither says what to type."""
        character = event.character if event.is_printable else None
        edit = self.edit
        if edit is None and self.starts_duration(character) and not self.starts_edit(character):
            event.stop()
            event.prevent_default()
            if self.state is None:
                self.app.bell()  # the week is on its way
            else:
                self.post_message(self.NeedsRow())
            return
        if character is None or (edit is None and not self.starts_edit(character)):
            binding = self.screen.active_bindings.get(event.key)
            if binding is not None and not binding.binding.priority:
                event.stop()
                event.prevent_default()
                if binding.enabled:
                    await self.app.run_action(binding.binding.action, binding.node)
                else:
                    self.app.bell()
            elif character is not None and self.state is not None and self.state.rows:
                self.post_message(self.Hint(TYPING_HINT))
            return
        if edit is None:
            if not self.start_edit(character):
                self.app.bell()
        else:
            edit.text = character if edit.replace else (edit.text + character)[:MAX_INPUT]
            self._typed(edit)
        event.stop()
        event.prevent_default()

    def _typed(self, edit: CellEdit) -> None:
        edit.replace = False
        edit.error = ""
        self.changed()

    def on_click(self, event: events.Click) -> None:
        state = self.state
        if state is None or self.edit is not None:
            return
        line = self._lines[event.y] if 0 <= event.y < len(self._lines) else None
        if line is None or line[0] != "row" or not isinstance(line[1], int):
            return
        columns = GridColumns.fit(self.content_size.width)
        day = columns.day_at(event.x - self.gutter.left)
        state.place(state.rows[line[1]].key, day if day is not None else state.cursor_day)
        self.changed()

    def on_focus(self) -> None:
        self._restyle()

    def on_blur(self) -> None:
        self._restyle()

    def _restyle(self) -> None:
        """The cursor's colours follow the focus (`WeekGrid:focus`)."""
        self._ink.clear()
        self._strips.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._arrange()
        self._strips.clear()

    # --- arranging the lines -----------------------------------------------------------------

    def _arrange(self) -> None:
        """Which line shows what: the header, the task rows in view (the cursor's row
        among them), then time off and the totals."""
        state = self.state
        height = self.content_size.height
        if state is None:
            self._lines = []
            return
        footer: list[Line] = [("rule", None)]
        footer += [("off", kind) for kind in state.time_off]
        footer.append(("total", None))
        room = max(1, height - 1 - len(footer))
        if not state.rows:
            body: list[Line] = [("empty", None)]
        else:
            count = len(state.rows)
            cursor = min(state.cursor_row, count - 1)
            top = max(0, min(self.top, count - room))
            if cursor < top:
                top = cursor
            elif cursor >= top + room:
                top = cursor - room + 1
            self.top = top
            body = [("row", index) for index in range(top, min(count, top + room))]
        lines = [("header", None), *body, *footer]
        self._lines = (lines + [("blank", None)] * height)[: max(height, 0)]

    def shown_rows(self) -> tuple[int, int]:
        """The first and last task rows in view (0-based; (0, -1) when none)."""
        rows = [line[1] for line in self._lines if line[0] == "row" and isinstance(line[1], int)]
        return (rows[0], rows[-1]) if rows else (0, -1)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll(3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll(-3)

    def _scroll(self, rows: int) -> None:
        if self.state is not None and self.state.rows:
            self.state.move(rows, 0)
            self.changed()

    # --- styles ------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._ink.clear()
        self._strips.clear()

    def _background(self, name: str) -> Color:
        _, behind = self.background_colors
        if not name:
            return behind
        return behind + self.get_component_styles(f"week-grid--{name}").background

    def ink(self, name: str, on: str = "") -> Style:
        """A part's style (`name`: a component class without its prefix; empty: plain
        text) on a background (`on`: `cursor`, `cursor-row`, `edit` ...; empty: the
        grid's), translucent theme colours blended onto that background."""
        style = self._ink.get((name, on))
        if style is None:
            background = self._background(on)
            if name:
                part = self.get_component_styles(f"week-grid--{name}")
                colour = background + part.color
                extra = part.text_style
            else:
                holder = self.get_component_styles(f"week-grid--{on}") if on else None
                colour = background + (holder.color if holder else self.styles.color)
                extra = holder.text_style if holder else Style()
            style = Style(color=colour.rich_color, bgcolor=background.rich_color) + extra
            self._ink[(name, on)] = style
        return style

    # --- drawing -----------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        if len(self._lines) != self.content_size.height:
            self._arrange()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        line = self._lines[y] if 0 <= y < len(self._lines) else ("blank", None)
        looks = self._looks(line)
        drawn = self._strips.get(y)
        if drawn is not None and drawn[0] == looks:
            return drawn[1]
        strip = self._draw(line)
        self._strips[y] = (looks, strip)
        return strip

    def _draw(self, line: Line) -> Strip:
        width = self.content_size.width
        state = self.state
        if state is None or line[0] == "blank":
            return Strip.blank(width, self.ink(""))
        columns = GridColumns.fit(width)
        kind, what = line
        if kind == "header":
            strip = self._header(state, columns)
        elif kind == "row" and isinstance(what, int):
            strip = self._row(state, columns, what)
        elif kind == "empty":
            strip = Strip([Segment(cut(f"  {self.empty_text}", width), self.ink("muted"))])
        elif kind == "rule":
            strip = Strip([Segment("─" * width, self.ink("rule"))])
        elif kind == "off" and isinstance(what, str):
            strip = self._time_off(state, columns, what)
        else:
            strip = self._totals(state, columns)
        return strip.adjust_cell_length(width, self.ink(""))

    def _label(
        self, columns: GridColumns, parts: list[tuple[str, Style]], base: Style
    ) -> list[Segment]:
        """Parts laid out in the label column (project and task), cut to fit."""
        width = columns.project + columns.label
        segments: list[Segment] = []
        used = 0
        for text, style in parts:
            room = width - used
            if room <= 0:
                break
            shown = cut(text, room)
            segments.append(Segment(shown, style))
            used += cell_len(shown)
        if used < width:
            segments.append(Segment(" " * (width - used), base))
        return segments

    def _header(self, state: WeekGridState, columns: GridColumns) -> Strip:
        header = self.ink("header")
        label = "Task"
        if state.rows:
            first, last = self.shown_rows()
            if last - first + 1 < len(state.rows):
                label = f"Task {first + 1}-{last + 1} of {len(state.rows)}"
        parts = [(" ", header)]
        if columns.project:
            parts.append((f"{'Project':<{columns.project - 1}} ", header))
        parts.append((label, header))
        segments = self._label(columns, parts, header)
        room = columns.day - 1
        headings = day_headings(state.days, room)
        for index, day in enumerate(state.days):
            if day == state.today:
                style = self.ink("today")
            elif not state.is_working(day) or state.elsewhere(day) is not None:
                style = self.ink("muted")
            else:
                style = header
            if index == state.cursor_day and state.rows:
                style += Style(underline=True)
            segments.append(Segment(f"{headings[index]:>{room}}", style))
            segments.append(Segment(" ", header))
        segments.append(Segment(f"{'Total':>{columns.total - 1}} ", header))
        return Strip(segments)

    def _row(self, state: WeekGridState, columns: GridColumns, index: int) -> Strip:
        row = state.rows[index]
        on_cursor_row = index == state.cursor_row
        on = "cursor-row" if on_cursor_row else ""
        base = self.ink("", on)
        muted = self.ink("muted", on)
        parts: list[tuple[str, Style]] = [
            (MARKER if on_cursor_row else " ", self.ink("key", on)),
        ]
        if columns.project:
            project = self.project_names.get(row.project, row.project)
            parts.append((f"{fit(project, columns.project - 2)}  ", muted))
        parts.append((row.key, muted if row.archived else self.ink("key", on)))
        if row.key == self.timer_key:
            parts.append((f" {TIMER_GLYPH}", self.ink("timer", on)))
        title = row.title + (" (archived)" if row.archived else "")
        parts.append((f" {title}", muted if row.archived else base))
        segments = self._label(columns, parts, base)
        edit = self.edit
        for day_index, day in enumerate(state.days):
            editing = edit is not None and edit.key == row.key and edit.day == day
            if editing:
                assert edit is not None
                segments += self._edit_cell(edit, columns.day)
            else:
                cursor = on_cursor_row and day_index == state.cursor_day
                segments += self._cell(state, row.key, day, columns.day, "cursor" if cursor else on)
        total = state.row_total(row.key)
        text = format_duration(total) if total else "·"
        segments.append(Segment(f"{text:>{columns.total - 1}} ", self.ink("total", on)))
        return Strip(segments)

    def _cell(
        self, state: WeekGridState, key: str, day: date, width: int, on: str
    ) -> list[Segment]:
        minutes = state.minutes(key, day)
        comment = state.comment(key, day)
        dim = not state.is_working(day) or state.read_only_reason(day) is not None
        if minutes:
            style = self.ink("muted" if dim and on != "cursor" else "", on)
            text = format_duration(minutes)
        else:
            style = self.ink("" if on == "cursor" else "muted", on)
            text = "·"
        mark = COMMENT_MARK if comment else " "
        return [
            Segment(f"{text:>{width - 1}}", style),
            Segment(mark, self.ink("comment", on) if comment else style),
        ]

    def _edit_cell(self, edit: CellEdit, width: int) -> list[Segment]:
        """The cell being typed into, inside its own width: what the text stores shows
        on the line under the grid, so nothing is drawn over the next day or the total;
        text that cannot be stored starts with `✗`."""
        if edit.text.strip() and not self.preview()[1]:
            shown = (edit.text + CARET)[-(width - 2) :]
            return [
                Segment(f"{ERROR_MARK} ", self.ink("error", "edit")),
                Segment(f"{shown:>{width - 2}}", self.ink("", "edit")),
            ]
        if edit.replace:
            shown = edit.text[-(width - 1) :]
            return [
                Segment(" " * (width - 1 - len(shown)), self.ink("", "edit")),
                Segment(shown, self.ink("", "edit-selected")),
                Segment(" ", self.ink("", "edit")),
            ]
        shown = (edit.text + CARET)[-width:]
        return [Segment(f"{shown:>{width}}", self.ink("", "edit"))]

    def _time_off(self, state: WeekGridState, columns: GridColumns, kind: str) -> Strip:
        muted = self.ink("muted")
        label = TIME_OFF_LABELS.get(kind, kind.title())  # type: ignore[call-overload]
        per_day = state.time_off.get(kind, {})  # type: ignore[call-overload]
        segments = self._label(columns, [(f" {label}", muted)], muted)
        for day in state.days:
            minutes = per_day.get(day, 0)
            text = format_duration(minutes) if minutes else "·"
            segments.append(Segment(f"{text:>{columns.day - 1}} ", muted))
        total = sum(per_day.get(day, 0) for day in state.counted_days)
        segments.append(Segment(f"{format_duration(total):>{columns.total - 1}} ", muted))
        return Strip(segments)

    def _totals(self, state: WeekGridState, columns: GridColumns) -> Strip:
        bold = self.ink("total")
        muted = self.ink("muted")
        room = columns.project + columns.label - len(" Total")
        parts = [(" Total", bold), (target_text(state, room), muted)]
        segments = self._label(columns, parts, bold)
        for day in state.days:
            status = state.status(day)
            style = self._status_style(status)
            text = format_duration(state.day_total(day))
            other = state.elsewhere(day)
            if other is not None:  # another week's day: marked, not counted here
                text = other_week_mark(other, columns.day - 1)
            segments.append(Segment(f"{text:>{columns.day - 1}}", style))
            segments.append(Segment(STATUS_MARKS.get(status, " "), style))
        status = state.week_status()
        style = self._status_style(status)
        text = format_duration(state.week_total())
        segments.append(Segment(f"{text:>{columns.total - 1}}", style))
        segments.append(Segment(STATUS_MARKS.get(status, " "), style))
        return Strip(segments)

    def _status_style(self, status: DayStatus) -> Style:
        if status in ("under", "met", "over"):
            return self.ink(status)
        return self.ink("muted")
