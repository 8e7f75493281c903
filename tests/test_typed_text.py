"""Hostile text typed or pasted into the app's own fields: drawn with stand-ins while
it is in the field, kept as typed (the field's rule names what is wrong, and nothing
is stored), on the board's new-card form (title and description), the board's filter
and the timesheet's quick entry. Pilot pastes as a terminal does (`events.Paste` to
the focused field) and reads every frame as `test_hostile_screens` does."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.hostile import CORPUS
from tests.ui_helpers import (  # noqa: F401  (fixtures)
    anyio_backend,
    app_for,
    backend_for,
    frame,
    make_demo_store,
    settle,
    steady,
)
from tui_board.config import Config
from tui_board.core.text import as_typed, unsafe_character
from tui_board.ui.app import BoardApp
from tui_board.ui.dialogs import TaskForm

pytestmark = pytest.mark.anyio

#: The corpus's strings a terminal would act on (the rest are plain text).
HOSTILE = {name: text for name, text in CORPUS.items() if unsafe_character(text)}


@pytest.fixture
def config(tmp_path: Path) -> Config:
    make_demo_store(tmp_path / "demo.db")
    return Config(db=str(tmp_path / "demo.db"))


def assert_frame_clean(app: BoardApp, where: str) -> None:
    for y, line in enumerate(frame(app)):
        found = unsafe_character(line.text)
        assert found is None, f"{where}, line {y}: {found} in {line.text!r}"


async def paste(app: BoardApp, pilot: Pilot[None], text: str) -> None:
    """`text` pasted, as the terminal's driver gives it to the app."""
    app.post_message(events.Paste(text))
    await pilot.pause()


async def paste_each(app: BoardApp, pilot: Pilot[None], where: str) -> None:
    """Each hostile string pasted alone into the focused one-line field."""
    for name, text in HOSTILE.items():
        assert isinstance(app.focused, Input)
        app.focused.value = ""
        await paste(app, pilot, text)
        assert_frame_clean(app, f"{where} holding {name}")


async def test_pasted_escapes_and_bidi_are_drawn_as_stand_ins_in_every_field(
    config: Config,
) -> None:
    app = app_for(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        cards = len(backend_for(config).list_tasks(project="WEB"))
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, TaskForm)
        title = app.focused
        assert isinstance(title, Input)
        for name, text in HOSTILE.items():
            title.value = ""
            await paste(app, pilot, text)
            lines = [line.strip() for line in text.splitlines()]
            assert title.value == (" ".join(filter(None, lines)) if len(lines) > 1 else text)
            assert_frame_clean(app, f"the title holding {name}")
        # The picture is there, one character for one: the cursor stays on its character.
        title.value = ""
        await paste(app, pilot, CORPUS["bidi"])
        assert as_typed(CORPUS["bidi"]) in "\n".join(line.text for line in frame(app))
        await pilot.press("tab")
        description = app.focused
        assert isinstance(description, TextArea)
        for name, text in HOSTILE.items():
            description.text = ""
            await paste(app, pilot, text)
            assert description.text[:3] == text[:3], name  # (line breaks its own)
            assert_frame_clean(app, f"the description holding {name}")
        await pilot.press("ctrl+s")  # the form refuses it, and stays
        await settle(app, pilot)
        assert isinstance(app.screen, TaskForm)
        assert_frame_clean(app, "the form refusing")
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        await pilot.press("slash")
        await paste_each(app, pilot, "the filter")
        await pilot.press("escape")
        await pilot.press("2")
        await settle(app, pilot)
        await pilot.press("i")
        await paste_each(app, pilot, "the quick entry")
    assert len(backend_for(config).list_tasks(project="WEB")) == cards  # nothing stored


async def test_lines_pasted_into_a_one_line_field_are_kept_on_one(config: Config) -> None:
    """Textual's field kept the first line and dropped the rest without a word (a new
    user's trial: a comment pasted from an email lost all but its first line)."""
    app = app_for(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        title = app.focused
        assert isinstance(title, Input)
        await paste(app, pilot, "Fix the login\r\n  on Safari\n\nand Firefox\n")
        assert title.value == "Fix the login on Safari and Firefox"
        await settle(app, pilot)
        said = [n.message for n in app._notifications]
        assert "Pasted 3 lines as one: this field holds one line." in said
        await paste(app, pilot, " one line ")
        assert title.value == "Fix the login on Safari and Firefox one line "
