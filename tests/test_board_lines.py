"""The board's line-drawn widgets (card lists, their scroll bars) draw their lines past
Textual's styles cache, with the app's line filters applied once to the strips they
keep (`plain_lines`, `CardList._finish`). What reaches the screen must be what
Textual's own way gives, on every kind of terminal: each frame here is drawn both ways
and compared cell by cell, style by style."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.filter import LineFilter
from textual.pilot import Pilot
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input

from tests.ui_helpers import (  # noqa: F401  (fixtures)
    Terminal,
    anyio_backend,
    app_for,
    board_demo_config,
    demo_template,
    frame,
    on_board,
    steady,
    terminal,
)
from tui_board.config import Config
from tui_board.ui.app import BoardApp
from tui_board.ui.screens.board import BoardScreen
from tui_board.ui.widgets import board_column
from tui_board.ui.widgets.board_column import CardList, ColumnHeader, LineScrollBar, thumb_cells

pytestmark = pytest.mark.anyio


def forget(app: BoardApp) -> None:
    """Every line the board's widgets keep, forgotten: the next frame draws them anew."""
    for widget in app.screen.query(CardList):
        widget._painted.clear()
        widget._blanks.clear()
        widget._look = None
        widget._styles_cache.clear()
        bar = widget.vertical_scrollbar
        assert isinstance(bar, LineScrollBar)
        bar._drawn = bar._looks = None
        bar._styles_cache.clear()
    for header in app.screen.query(ColumnHeader):
        header._drawn = header._looks = None
        header._styles_cache.clear()


def textual_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines through Textual's styles cache, and the app's filters applied by it to each
    line drawn (the widgets keep their lines unfiltered)."""

    def app_filters(widget: Widget) -> Sequence[LineFilter]:
        return widget.app.get_line_filters()

    def pad_only(widget: CardList, strip: Strip, width: int) -> Strip:
        look = widget._look or widget._check_look()
        return strip.adjust_cell_length(width, look.padding)

    monkeypatch.setattr(board_column, "plain_lines", lambda widget, crop: None)
    monkeypatch.setattr(CardList, "get_line_filters", app_filters)
    monkeypatch.setattr(CardList, "_finish", pad_only)
    monkeypatch.setattr(LineScrollBar, "_bar_lines", lambda bar: None)
    monkeypatch.setattr(ColumnHeader, "render_lines", Widget.render_lines)
    monkeypatch.setattr(
        ColumnHeader, "render_line", lambda header, y: header._line(header.size.width)
    )


def both_ways(app: BoardApp, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Strip], list[Strip]]:
    """The frame as the app draws it (with what its widgets keep), and as Textual's own
    way draws it from nothing kept."""
    mine = frame(app)
    with monkeypatch.context() as patch:
        textual_way(patch)
        forget(app)
        theirs = frame(app)
    forget(app)
    return mine, theirs


def same(mine: list[Strip], theirs: list[Strip]) -> None:
    assert len(mine) == len(theirs)
    for y, (a, b) in enumerate(zip(mine, theirs, strict=True)):
        # cell by cell: the same text in the same style (segments may be cut apart
        # differently)
        cells_a = [(c, s) for text, s, _ in a for c in text]
        cells_b = [(c, s) for text, s, _ in b for c in text]
        assert cells_a == cells_b, f"line {y}: {a.text!r} != {b.text!r}"


@pytest.mark.parametrize("kind", ["truecolor", "256", "16", "no-color"])
@pytest.mark.parametrize("size", [(120, 40), (50, 20)])
async def test_the_board_draws_as_textual_would(
    kind: Terminal, size: tuple[int, int], config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal(monkeypatch, kind)
    app = app_for(config)
    async with app.run_test(size=size) as pilot:
        screen = await on_board(app, pilot)
        seen: list[str] = []

        async def check(what: str) -> None:
            await pilot.pause()
            mine, theirs = both_ways(app, monkeypatch)
            same(mine, theirs)
            seen.append(what)

        await check("the board")
        await pilot.press("j", "j", "l")  # the cursor on a card further down, next column
        await check("the cursor moved")
        await filter_by(screen, pilot, "zzzz")  # every column empty: "no cards match"
        assert all(not screen.state.shown(c.id) for c in screen.state.columns)  # type: ignore[union-attr]
        await check("nothing shown")
        await filter_by(screen, pilot, "e")
        await check("some shown")
        before = frame(app)
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        after = frame(app)
        assert [line.text for line in after] == [line.text for line in before]
        assert after != before  # the colours changed ...
        await check("another theme")  # ... as Textual draws them in it
        assert seen == [
            "the board",
            "the cursor moved",
            "nothing shown",
            "some shown",
            "another theme",
        ]


async def filter_by(screen: BoardScreen, pilot: Pilot[None], text: str) -> None:
    await pilot.press("slash")
    field = screen.query_one("#board-filter", Input)
    field.value = ""
    await pilot.press(*text)
    await pilot.press("enter")
    assert screen.state is not None and screen.state.query == text


bars = st.tuples(
    st.integers(1, 60),  # the bar's height
    st.integers(1, 2),  # its thickness
    st.integers(0, 200_000),  # lines in the list
    st.integers(0, 60),  # lines in view
)


@settings(max_examples=400, deadline=None)
@given(bar=bars, where=st.floats(0, 1), nudge=st.integers(-12, 12), shift=st.floats(-0.02, 0.02))
def test_a_thumb_is_where_textual_draws_it(
    bar: tuple[int, int, int, int], where: float, nudge: int, shift: float
) -> None:
    """Two bars whose thumbs `thumb_cells` puts in the same cells are drawn alike by
    Textual, and two it puts apart are drawn differently: what a card list compares
    to know whether its bar needs drawing again."""
    size, thickness, virtual, window = bar
    other = max(0, virtual + nudge)

    def drawn(virtual: int, where: float) -> tuple[object, ...]:
        shown = window if window < virtual else 0
        position = max(0.0, min(1.0, where)) * max(0, virtual - shown)
        cells = ScrollBarRender.render_bar(size, virtual, shown, position, thickness)
        return tuple(cells.segments), thumb_cells(size, thickness, virtual, shown, position)

    (looks, key), (other_looks, other_key) = drawn(virtual, where), drawn(other, where + shift)
    assert (key == other_key) == (looks == other_looks)
