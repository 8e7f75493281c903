"""One column of the board: a header (name, cards, WIP limit) over a list of cards.

The list is a single line-rendered widget (`ScrollView` + `render_line` + a strip cache,
as Textualize/toolong draws huge logs): its cost follows the lines on screen, not the
cards in the column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from math import ceil

from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Horizontal, Vertical
from textual.filter import LineFilter
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget

from tui_board.core.models import Column, Task
from tui_board.ui.plain_text import cut
from tui_board.ui.widgets.board_card import CARD_HEIGHT, CARD_LINES, CardStyles, paint_card

#: How many painted cards a column keeps (a screen shows a few dozen).
PAINTED_CARDS = 400


class CardList(ScrollView, can_focus=False):
    """A column's cards, drawn line by line; one of them may carry the cursor."""

    COMPONENT_CLASSES = {
        "card-list--card",
        "card-list--cursor",
        "card-list--marker",
        "card-list--key",
        "card-list--cursor-key",
        "card-list--muted",
        "card-list--urgent",
        "card-list--high",
        "card-list--overdue",
        "card-list--over-estimate",
        "card-list--timer",
    }

    DEFAULT_CSS = """
    CardList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        scrollbar-background: $background;
        scrollbar-background-hover: $background;
        scrollbar-background-active: $background;
        scrollbar-color: $panel;
        scrollbar-color-hover: $primary 60%;
        scrollbar-color-active: $primary;
        background: $background;
        color: $foreground;
        & > .card-list--card { background: $surface; color: $foreground; }
        & > .card-list--cursor { background: $card-cursor-background; color: $foreground; }
        & > .card-list--marker { color: $accent; text-style: bold; }
        & > .card-list--key { color: $text-primary; text-style: bold; }
        & > .card-list--cursor-key { color: $card-cursor-key; text-style: bold; }
        & > .card-list--muted { color: $text-muted; }
        & > .card-list--urgent { color: $text-error; text-style: bold; }
        & > .card-list--high { color: $text-warning; }
        & > .card-list--overdue { color: $overdue; text-style: bold; }
        & > .card-list--over-estimate { color: $text-warning; }
        & > .card-list--timer { color: $timer; text-style: bold; }
    }
    """

    @dataclass
    class Clicked(Message):
        """A card (or the empty space under the cards) was clicked."""

        card_list: CardList
        index: int | None

    def __init__(self, column_id: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.column_id = column_id
        #: The cards shown (a column's own sequence: a `Task` is made only for a card
        #: drawn).
        self.cards: Sequence[Task] = ()
        self.cursor: int | None = None
        self.today = date.min
        self.timer_key: str | None = None
        self.empty_text = "no cards"
        #: The column holds finished work: its due dates are no longer a warning.
        self.done = False
        #: Painted cards by the card object's id: (the card, how it was drawn, strips).
        #: The card is kept in the entry, so its id cannot be reused while cached.
        self._painted: dict[int, tuple[Task, tuple[object, ...], list[Strip]]] = {}
        self._styles: dict[bool, CardStyles] = {}
        #: The cards in view when last shown, by index, and how many there were.
        self._drawn: dict[int, Task] = {}
        self._count = 0
        #: What a painted line goes through before it is kept (`_finish`).
        self._look: _Look | None = None
        #: Blank lines, finished, by width and style.
        self._blanks: dict[tuple[int, int, Style], Strip] = {}

    # --- what to show --------------------------------------------------------------------

    def show(
        self,
        cards: Sequence[Task],
        cursor: int | None,
        *,
        today: date,
        timer_key: str | None,
        empty_text: str = "no cards",
    ) -> None:
        """Draw these cards (the cursor on `cursor`, when not None) and keep the cursor
        in view. Only the cards that look different are drawn again."""
        cursor = cursor if cards else None
        looks = (today, timer_key, empty_text)
        every = looks != (self.today, self.timer_key, self.empty_text) or not self.cards
        old_cursor, drawn, old_count = self.cursor, self._drawn, self._count
        self._count = len(cards)
        self.cards, self.cursor = cards, cursor
        self.today, self.timer_key, self.empty_text = looks
        scroll_y = self.scroll_offset.y
        self._set_height(max(1, len(cards) * CARD_HEIGHT))
        self.scroll_to_cursor()
        first = self.scroll_offset.y // CARD_HEIGHT
        bottom = (self.scroll_offset.y + self.size.height) // CARD_HEIGHT + 1
        last = min(len(cards), bottom)
        # The cards in view (the list itself may be the one that was drawn, changed since).
        self._drawn = {index: cards[index] for index in range(first, last)}
        if every or not cards or self.scroll_offset.y != scroll_y:
            self.refresh()
            return
        # The cards in view that changed, and with fewer cards the lines the last ones
        # took, drawn or not before (the list may be the one shown before, changed in
        # place: the count is kept apart).
        end = max(last, max(drawn, default=-1) + 1)
        if len(cards) < old_count:
            end = max(end, old_count)
        for index in range(first, min(end, bottom)):
            if (
                index >= len(cards)
                or drawn.get(index) is not self._drawn.get(index)
                or (index == old_cursor) != (index == cursor)
            ):
                # (not the blank line after the card: it looks the same for any card)
                self.refresh_lines(index * CARD_HEIGHT, CARD_LINES)

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """(Textual's own, as `LineScrollBar`.)"""
        if self._vertical_scrollbar is None:
            bar = LineScrollBar(
                vertical=True, name="vertical", thickness=self.scrollbar_size_vertical
            )
            self._vertical_scrollbar = bar
            bar.display = False
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    def _set_height(self, height: int) -> None:
        """Change the virtual height without a relayout of the screen (which repaints it
        all, 30 ms and more): the list's own size does not depend on it, and its
        scrollbar is always there (`overflow-y: scroll`), so only the bar is told."""
        if self.virtual_size.height == height:
            return
        self.set_reactive(Widget.virtual_size, Size(0, height))
        scrollbar = self.vertical_scrollbar
        window = self.scrollable_content_region.height
        if thumb(scrollbar, height, window) == thumb(scrollbar):
            # The bar looks the same (a thumb of one cell at the top, for thousands of
            # cards either way): told without a repaint of it (a few ms a column).
            scrollbar.set_reactive(ScrollBar.window_virtual_size, height)
            scrollbar.set_reactive(ScrollBar.window_size, window)
        else:
            scrollbar.window_virtual_size = height
            scrollbar.window_size = window
        if self.scroll_offset.y > self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False)

    def scroll_to_cursor(self) -> None:
        if self.cursor is None or not self.size:
            return
        height = self.scrollable_content_region.height
        top = self.cursor * CARD_HEIGHT
        bottom = top + CARD_LINES
        scroll_y = self.scroll_offset.y
        if top < scroll_y:
            self.scroll_to(y=top, animate=False)
        elif bottom > scroll_y + height:
            self.scroll_to(y=min(top, bottom - height + 1), animate=False)

    def card_at_row(self, row: int, *, allow_end: bool = False) -> int:
        """The index of the card drawn at a row of the widget, clamped to the cards
        (`allow_end`: to one past the last, for a card that would land below them)."""
        index = (max(0, row) + self.scroll_offset.y) // CARD_HEIGHT
        last = len(self.cards) if allow_end else len(self.cards) - 1
        return max(0, min(index, last))

    def cursor_row(self) -> int:
        """Where the cursor's card is drawn, in rows from the widget's top."""
        return (self.cursor or 0) * CARD_HEIGHT - self.scroll_offset.y

    # --- drawing --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._painted.clear()
        self._look = None
        self._blanks.clear()
        bar = self._vertical_scrollbar
        if isinstance(bar, LineScrollBar):
            bar.notify_style_update()

    def get_line_filters(self) -> Sequence[LineFilter]:
        """None: `render_line` applies the app's filters itself, to the strips it keeps
        (Textual applies them to each line it draws, made anew each time: a filter
        keystroke paid them on every line of every column, a tenth of its time on a
        256-colour terminal)."""
        return ()

    def _check_look(self) -> _Look:
        """The look lines are finished in (`_finish`), made again (and the lines kept
        forgotten) when the app's line filters change (an ANSI theme turns one off)."""
        filters = list(self.app.get_line_filters())
        look = self._look
        if look is None or look.filters != filters:
            base, background = self.background_colors
            look = self._look = _Look(filters, background, _padding(self, base, background))
            self._painted.clear()
            self._blanks.clear()
        return look

    def _finish(self, strip: Strip, width: int) -> Strip:
        """A line as Textual's styles cache would give it: `width` cells wide (the cells
        under the scroll bar are padded) and through the app's line filters. A strip
        keeps what each filter made of it, so a card painted once is finished once."""
        look = self._look or self._check_look()
        strip = strip.adjust_cell_length(width, look.padding)
        for line_filter in look.filters:
            strip = strip.apply_filter(line_filter, look.background)
        return strip

    def _blank(self, width: int, style: Style, whole: int) -> Strip:
        blank = self._blanks.get((width, whole, style))
        if blank is None:
            blank = self._finish(Strip.blank(width, style), whole)
            self._blanks[width, whole, style] = blank
        return blank

    def on_resize(self, event: events.Resize) -> None:
        self.scroll_to_cursor()

    def card_styles(self, cursor: bool) -> CardStyles:
        """The card's styles on its own background (the cursor's when `cursor`), with
        translucent theme colours such as `$text-muted` blended onto it."""
        styles = self._styles.get(cursor)
        if styles is None:
            styles = self._styles[cursor] = self._resolve_styles(cursor)
        return styles

    def _resolve_styles(self, cursor: bool) -> CardStyles:
        _, behind = self.background_colors
        box = self.get_component_styles("card-list--cursor" if cursor else "card-list--card")
        background = behind + box.background
        text = background + box.color

        def ink(name: str) -> Style:
            part = self.get_component_styles(name)
            color = background + part.color
            return Style(color=color.rich_color, bgcolor=background.rich_color) + part.text_style

        return CardStyles(
            card=Style(color=text.rich_color, bgcolor=background.rich_color),
            marker=ink("card-list--marker"),
            gap=Style(color=text.rich_color, bgcolor=behind.rich_color),
            key=ink("card-list--cursor-key" if cursor else "card-list--key"),
            muted=ink("card-list--muted"),
            urgent=ink("card-list--urgent"),
            high=ink("card-list--high"),
            overdue=ink("card-list--overdue"),
            over_estimate=ink("card-list--over-estimate"),
            timer=ink("card-list--timer"),
        )

    #: This frame's width of the cards and of the whole line, and the row at the top
    #: (`render_lines`).
    _frame: tuple[int, int, int] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._check_look()
        self._frame = (self.scrollable_content_region.width, self.size.width, self.scroll_offset.y)
        try:
            lines = plain_lines(self, crop)
            return lines if lines is not None else super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        if self._frame is None:
            self._check_look()
            width, whole, top = (
                self.scrollable_content_region.width,
                self.size.width,
                self.scroll_offset.y,
            )
        else:
            width, whole, top = self._frame
        row = y + top
        styles = self.card_styles(False)
        if not self.cards:
            if row == 0:
                text = Segment(f" {self.empty_text}", styles.muted + styles.gap)
                return self._finish(Strip([text]).adjust_cell_length(width, styles.gap), whole)
            return self._blank(width, styles.gap, whole)
        index, line = divmod(row, CARD_HEIGHT)
        if index >= len(self.cards):
            return self._blank(width, styles.gap, whole)
        task = self.cards[index]
        cursor = index == self.cursor
        timing = task.key == self.timer_key
        how = (width, whole, cursor, timing, self.today, self.done)
        painted = self._painted.get(id(task))
        if painted is None or painted[0] is not task or painted[1] != how:
            strips = paint_card(
                task,
                width,
                self.card_styles(cursor),
                self.app.console,
                today=self.today,
                cursor=cursor,
                timing=timing,
                done=self.done,
            )
            painted = (task, how, [self._finish(strip, whole) for strip in strips])
            if len(self._painted) >= PAINTED_CARDS:
                self._painted.clear()  # the cards in view are painted again, a few ms
            self._painted[id(task)] = painted
        return painted[2][line]

    def on_click(self, event: events.Click) -> None:
        index = (event.y + self.scroll_offset.y) // CARD_HEIGHT
        self.post_message(self.Clicked(self, index if index < len(self.cards) else None))


class LineScrollBar(ScrollBar):
    """A vertical scroll bar drawn a line at a time, straight into strips: through Rich
    (Textual's own) it cost 1-1.5 ms a column each time its thumb moved, as often as a
    filter keystroke. The bar is worked out once a frame (`render_lines`), not once a
    line, and its lines keep what the app's line filters made of them."""

    #: How the bar was last drawn, and its lines (filtered).
    _drawn: tuple[tuple[object, ...], list[Strip]] | None = None
    #: This frame's lines (None: a bar drawn as Textual draws it).
    _lines: list[Strip] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._lines = self._bar_lines()
        lines = plain_lines(self, crop) if self._lines is not None else None
        return lines if lines is not None else super().render_lines(crop)

    def get_line_filters(self) -> Sequence[LineFilter]:
        return () if self._lines is not None else super().get_line_filters()

    def _bar_lines(self) -> list[Strip] | None:
        bar = self.render()
        if not isinstance(bar, ScrollBarRender) or not self.vertical:
            return None
        width, height = self.size
        style = bar.style if isinstance(bar.style, Style) else Style.parse(str(bar.style))
        base = self._base()
        filters = list(self.app.get_line_filters())
        where = thumb_cells(height, width, bar.virtual_size, bar.window_size, bar.position)
        how = (width, height, where, style, base, filters)
        if self._drawn is None or self._drawn[0] != how:
            cells = ScrollBarRender.render_bar(
                size=height,
                virtual_size=bar.virtual_size,
                window_size=bar.window_size,
                position=bar.position,
                thickness=width,
                vertical=True,
                back_color=style.bgcolor or RichColor.parse("#555555"),  # (as Textual's)
                bar_color=style.color or RichColor.parse("bright_magenta"),
            )
            assert self._looks is not None
            background = self._looks[1]
            # (a bar's cells are a few looks over and over: each made and filtered once)
            looks: dict[tuple[str, Style | None], Strip] = {}
            lines = []
            for text, cell, _ in cells.segments:
                line = looks.get((text, cell))
                if line is None:
                    line = Strip([Segment(text, base + cell)], width)
                    for line_filter in filters:
                        line = line.apply_filter(line_filter, background)
                    looks[text, cell] = line
                lines.append(line)
            self._drawn = (how, lines)
        return self._drawn[1]

    def render_line(self, y: int) -> Strip:
        lines = self._lines
        if lines is None:
            return super().render_line(y)
        return lines[y] if 0 <= y < len(lines) else Strip.blank(self.size.width)

    #: The bar's own style (`rich_style`: a walk up the DOM) and background, kept until
    #: the styles change (its list's, whose colours it draws in, tell it too).
    _looks: tuple[Style, Color] | None = None

    def _base(self) -> Style:
        if self._looks is None:
            self._looks = (self.rich_style, self.background_colors[1])
        return self._looks[0]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._looks = None


@dataclass(frozen=True)
class _Look:
    """The app's line filters, the background they are given, and the style that pads
    a line to the widget's width: what Textual's styles cache gives a line."""

    filters: list[LineFilter]
    background: Color
    padding: Style


def _padding(widget: Widget, base: Color, background: Color) -> Style:
    """The style Textual's styles cache pads a widget's lines with."""
    inner, _ = widget._styles_cache.get_inner_outer(base, background)
    return inner.rich_style


def plain_lines(widget: Widget, crop: Region) -> list[Strip] | None:
    """The widget's lines in `crop` as Textual's styles cache gives them, when its styles
    add nothing to its lines (no border, outline, padding, tint, opacity or hatch): its
    own lines, as wide as it is (padded), through the line filters. None: its styles do
    add something (the styles cache draws it).

    For the board's line-drawn widgets: the styles cache read a dozen style rules for
    each line of each widget drawn, a sixth of a filter keystroke's time at 120x40
    (100,000 cards, profiled)."""
    styles = widget.styles
    if (
        widget.BLANK
        or widget._border_title is not None
        or widget._border_subtitle is not None
        or styles.gutter
        or styles.outline
        or styles.tint.a
        or styles.text_opacity != 1
        or widget.opacity != 1
        or (styles.has_rule("hatch") and styles.hatch != "none")
    ):
        return None
    width = widget.size.width
    base, background = widget.background_colors
    padding = _padding(widget, base, background)
    filters = widget.get_line_filters()
    lines = []
    for y in crop.line_range:
        line = widget.render_line(y).adjust_cell_length(width, padding)
        for line_filter in filters:
            line = line.apply_filter(line_filter, background)
        lines.append(line)
    if crop.column_span != (0, width):
        x1, x2 = crop.column_span
        lines = [line.crop(x1, x2) for line in lines]
    widget._styles_cache.clear()  # (what it kept is not what is on the screen now)
    return lines


def thumb(
    scrollbar: ScrollBar, virtual: float | None = None, window: float | None = None
) -> tuple[int, int, int, int] | None:
    """Where a vertical scroll bar's thumb is drawn for a list of `virtual` lines of
    which `window` are in view (None: as it is now): the bar's height and thickness and
    the thumb's first and last eighth of a cell, as Textual's `ScrollBarRender.render_bar`
    works them out (the same cells for the same answer: a test holds it to that); None
    when no thumb is drawn. Worked out here, not drawn: drawing one cost a third of a
    millisecond, twice a column each filter keystroke."""
    virtual = scrollbar.window_virtual_size if virtual is None else virtual
    window = scrollbar.window_size if window is None else window
    window = window if window < virtual else 0  # (as `ScrollBar._render_bar`)
    return thumb_cells(
        scrollbar.size.height, scrollbar.thickness, virtual, window, scrollbar.position
    )


def thumb_cells(
    size: int, thickness: int, virtual: float, window: float, position: float
) -> tuple[int, int, int, int] | None:
    """`thumb`'s answer for a bar of `size` cells and `thickness` (Textual's
    arithmetic, from `ScrollBarRender.render_bar`)."""
    virtual, window = ceil(virtual), ceil(window)  # (as `ScrollBar._render_bar`)
    if not (window and size and virtual and size != virtual):
        return None
    eighths = len(ScrollBarRender.VERTICAL_BARS)
    thumb_size = max(1, window / (virtual / size))
    offset = (size - thumb_size) * (position / (virtual - window))
    start = int(offset * eighths)
    return size, thickness, start, start + ceil(thumb_size * eighths)


class ColumnHeader(Widget):
    """`In progress        4/3`: the column's name, then its count on the right (the
    warning colour over the WIP limit); the column holding the focus stands out.

    Drawn in one line of fixed size, so that a new count or the focus moving costs a
    repaint of the line, never a relayout of the screen."""

    COMPONENT_CLASSES = {
        "column-header--focused",
        "column-header--count",
        "column-header--over",
    }

    DEFAULT_CSS = """
    ColumnHeader {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
        text-style: bold;
        & > .column-header--focused { background: $column-accent; }
        & > .column-header--count { color: $text-muted; text-style: not bold; }
        & > .column-header--over { color: $text-warning; text-style: bold; }
    }
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.title = name
        self.count = ""
        self.over = False
        self.focused = False

    def show(self, count: str, *, over: bool, focused: bool) -> None:
        if (count, over, focused) != (self.count, self.over, self.focused):
            self.count, self.over, self.focused = count, over, focused
            self.refresh()

    #: The line as last drawn, and what it showed; its styles (`rich_style` walks up the
    #: DOM), kept until they change.
    _drawn: tuple[tuple[object, ...], Strip] | None = None
    _looks: dict[tuple[bool, bool], tuple[Style, Style]] | None = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn = self._looks = None

    def render_lines(self, crop: Region) -> list[Strip]:
        lines = plain_lines(self, crop)
        return lines if lines is not None else super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        how = (width, self.title, self.count, self.over, self.focused)
        if self._drawn is None or self._drawn[0] != how:
            self._drawn = (how, self._line(width))
        line = self._drawn[1]
        return line if y == 0 else Strip.blank(width, self._styles()[0])

    def _styles(self) -> tuple[Style, Style]:
        """The line's style and its count's."""
        if self._looks is None:
            self._looks = {}
        key = (self.focused, self.over)
        looks = self._looks.get(key)
        if looks is None:
            base = self.rich_style
            if self.focused:
                base += self.get_component_rich_style("column-header--focused")
            name = "column-header--over" if self.over else "column-header--count"
            looks = self._looks[key] = (
                base,
                base + self.get_component_rich_style(name, partial=True),
            )
        return looks

    def _line(self, width: int) -> Strip:
        # (A line drawn straight into a strip: through `render` and Rich, 0.5 ms a
        # header, each time a filter keystroke changes the counts.)
        base, count_style = self._styles()
        count = f" {self.count} "
        room = max(0, width - cell_len(count) - 1)
        title = " " + cut(self.title, room)
        pad = " " * max(0, width - cell_len(count) - cell_len(title))
        count_part = Segment(count, count_style)
        return Strip([Segment(title + pad, base), count_part]).adjust_cell_length(width, base)


class BoardColumn(Vertical):
    """A column's header over its card list."""

    DEFAULT_CSS = """
    BoardColumn {
        width: 1fr;
        height: 1fr;
        padding: 0 1 0 0;
    }
    """

    def __init__(self, column: Column, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.column = column
        self.header = ColumnHeader(column.name)
        self.card_list = CardList(column.id)
        self.card_list.done = column.kind == "done"

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.card_list

    def show_header(self, count: int, *, shown: int | None, focused: bool) -> None:
        """`12`; `3/5` with a WIP limit (the warning colour over it); `2 of 12` when a
        filter hides some. The focused column's header stands out."""
        limit = self.column.wip_limit
        if shown is not None and shown != count:
            text = f"{shown} of {count}"
        else:
            text = f"{count}/{limit}" if limit is not None else str(count)
        over = limit is not None and count > limit
        self.header.show(text, over=over, focused=focused)


class BoardColumns(Horizontal, can_focus=False):
    """The columns side by side, sharing the width: all of them when each gets at least
    `MIN_WIDTH` cells, else as many as fit (the others are hidden until `show_column`
    brings them into view, a whole column at a time)."""

    MIN_WIDTH = 24

    DEFAULT_CSS = """
    BoardColumns {
        height: 1fr;
    }
    """

    @dataclass
    class Fitted(Message):
        """The columns in view changed (a resize, or `show_column`)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: How many columns fit side by side, and the first one in view.
        self.fitting = 1
        self.first_shown = 0

    def views(self) -> list[BoardColumn]:
        return list(self.query_children(BoardColumn))

    def on_resize(self, event: events.Resize) -> None:
        self.fit_columns()

    def fit_columns(self) -> None:
        count = len(self.views())
        self.fitting = max(1, min(count, self.size.width // self.MIN_WIDTH))
        self._show()

    def show_column(self, index: int) -> None:
        """Bring column `index` into view, moving the others as little as possible."""
        if index < self.first_shown:
            self.first_shown = index
        elif index >= self.first_shown + self.fitting:
            self.first_shown = index - self.fitting + 1
        self._show()

    def _show(self) -> None:
        views = self.views()
        self.first_shown = max(0, min(self.first_shown, len(views) - self.fitting))
        first, last = self.shown_range()
        for index, view in enumerate(views):
            view.display = first <= index <= last
        self.post_message(self.Fitted())

    def shown_range(self) -> tuple[int, int]:
        """The first and last column in view (0-based)."""
        return self.first_shown, self.first_shown + self.fitting - 1
