"""How one card looks: a fixed block of lines, drawn straight into strips.

A column draws its cards with these (no widget per card: a mounted widget costs about a
millisecond at start and again on every relayout, which 10,000 cards cannot afford).

    ▎WEB-12 #bug #ux      ↑ high
    ▎Fix the login form for the
    ▎mobile view and the tab…
    ▎@alice   1:30/4:00  20 May
    (gap)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from tui_board.core.durations import OVER_MARK, format_duration, format_progress
from tui_board.core.models import Task
from tui_board.core.text import printable
from tui_board.ui.plain_text import cut

#: Lines a card takes, and the blank line after it.
CARD_LINES = 4
CARD_HEIGHT = CARD_LINES + 1

PRIORITY_LABELS = {"urgent": "‼ urgent", "high": "↑ high", "normal": "· normal", "low": "↓ low"}
PRIORITY_GLYPHS = {"urgent": "‼", "high": "↑", "normal": "·", "low": "↓"}
TIMER_GLYPH = "⏱"
MARKER = "▎"
#: The cells an assignee keeps on a card's last line before the time gives way.
WHO_ROOM = 6
#: The cells an assignee keeps whatever else the line holds (`@so…`).
WHO_MIN = 4


@dataclass(frozen=True)
class CardStyles:
    """Rich styles for the parts of a card (each with the card's background), resolved
    from a widget's component classes so that they follow the theme."""

    card: Style
    marker: Style
    gap: Style
    key: Style
    muted: Style
    urgent: Style
    high: Style
    overdue: Style
    over_estimate: Style
    timer: Style


def wrap_title(console: Console, title: str, width: int, lines: int = 2) -> list[str]:
    """The title in `lines` lines of `width` cells, word-wrapped, the last one cut (its
    line breaks and control characters shown as `printable` shows them)."""
    if width <= 0:
        return [""] * lines
    wrapped = [line.plain.rstrip() for line in Text(printable(title)).wrap(console, width)]
    if len(wrapped) > lines:
        rest = " ".join(wrapped[lines - 1 :])
        wrapped = [*wrapped[: lines - 1], cut(rest, width)]
    return wrapped + [""] * (lines - len(wrapped))


def time_text(task: Task) -> str:
    """`1:30/4:00` (logged of estimate; `86:15/8:00!` over it), `1:30` without an
    estimate, empty when neither."""
    if task.estimate is None:
        return format_duration(task.logged) if task.logged else ""
    return format_progress(task.logged, task.estimate)


def due_text(task: Task, today: date) -> str:
    if task.due is None:
        return ""
    shown = f"{task.due.day} {task.due:%b}"
    if task.due.year != today.year:  # `3 Jan '27`: a bare `3 Jan 27` reads as the 27th
        shown += f" '{task.due:%y}"
    return f"!{shown}" if task.due < today else shown


def tag_text(tags: Sequence[str], room: int) -> str:
    """`#bug #frontend` in `room` cells: whole tags, then `+2` for those left out; the
    first tag cut (`#fronte…`) only when no whole one fits."""
    words = [f"#{printable(tag)}" for tag in tags]
    for count in range(len(words), 0, -1):
        rest = len(words) - count
        text = " ".join(words[:count]) + (f" +{rest}" if rest else "")
        if cell_len(text) <= room:
            return text
    return cut(words[0], room) if words and room > 0 else ""


def paint_card(
    task: Task,
    width: int,
    styles: CardStyles,
    console: Console,
    *,
    today: date,
    cursor: bool = False,
    timing: bool = False,
    done: bool = False,
) -> list[Strip]:
    """The card's `CARD_HEIGHT` lines, each exactly `width` cells wide. `styles` are
    the cursor's when `cursor`; in a `done` column a past due date is not a warning."""
    base = styles.card
    inner = max(1, width - 2)
    marker = Segment(MARKER if cursor else " ", styles.marker)

    def line(*parts: tuple[str, Style | None]) -> Strip:
        segments = [marker]
        segments += [Segment(text, style or base) for text, style in parts if text]
        return Strip(segments).adjust_cell_length(width, base)

    # Line 1: key, timer, tags ... priority.
    key = cut(task.key, inner)
    left = [(key, styles.key)]
    used = cell_len(key)
    if timing and used + 2 <= inner:
        left.append((f" {TIMER_GLYPH}", styles.timer))
        used += 2
    priority = PRIORITY_LABELS[task.priority]
    if used + 1 + cell_len(priority) > inner:
        priority = PRIORITY_GLYPHS[task.priority]
    if used + 1 + cell_len(priority) > inner:
        priority = ""
    room = inner - used - (cell_len(priority) + 1 if priority else 0)
    tags = tag_text(task.tags, room - 1)
    if priority and tags != tag_text(task.tags, 10_000):  # the tags before the word
        glyph = PRIORITY_GLYPHS[task.priority]
        wider = tag_text(task.tags, room - 1 + cell_len(priority) - cell_len(glyph))
        if wider != tags:
            priority, tags = glyph, wider
            room = inner - used - cell_len(glyph) - 1
    if tags and room >= 4:
        left.append((f" {tags}", styles.muted))
        used += 1 + cell_len(tags)
    priority_style = {"urgent": styles.urgent, "high": styles.high}.get(task.priority, styles.muted)
    pad = " " * (inner - used - cell_len(priority))
    first = line(*left, (pad, None), (priority, priority_style))

    # Lines 2 and 3: the title.
    title = [line((text, None)) for text in wrap_title(console, task.title, inner)]

    # Line 4: assignee ... time logged/estimate, due date.
    spent = time_text(task)
    due = due_text(task, today)
    if done:
        due = due.lstrip("!")
    over = task.estimate is not None and task.logged > task.estimate
    who = f"@{task.assignee}" if task.assignee else "nobody"
    # The whole name comes first: time within its estimate gives way to it, time over
    # its estimate is shortened (`98:30!`, then `!`) but keeps its mark; the name is cut
    # (never below `@so…`) only when that is not enough. The due date goes last.
    whole = cell_len(who)  # "nobody" as a name: it says the card is free to take
    keep = min(whole, WHO_MIN)
    if over:
        short = f"{format_duration(task.logged)}{OVER_MARK}"
        choices = [(spent, due, whole), (short, due, whole), (spent, due, keep)]
        choices += [(short, due, keep), (OVER_MARK, due, keep), (OVER_MARK, "", keep)]
    else:
        choices = [(spent, due, whole), ("", due, whole), (spent, due, min(whole, WHO_ROOM))]
        choices += [("", due, keep), ("", "", keep)]
    for spent, due, room in choices:
        right_width = cell_len(spent) + cell_len(due) + (1 if spent and due else 0)
        if right_width + (1 + room if room else 0) <= inner:
            break
    right: list[tuple[str, Style | None]] = []
    if spent:
        right.append((spent, styles.over_estimate if over else styles.muted))
    if due:
        if right:
            right.append((" ", None))
        right.append((due, styles.overdue if due.startswith("!") else styles.muted))
    room_left = inner - right_width - 1 if right_width else inner
    if not task.assignee and cell_len(who) > room_left:
        who = ""  # "n…" or "…" read as a name cut; no name says nobody as well
    who = cut(who, room_left)
    space = inner - cell_len(who) - right_width
    last = line((who, styles.muted), (" " * max(space, 0), None), *right)

    gap = Strip.blank(width, styles.gap)
    return [first, *title, last, gap]
