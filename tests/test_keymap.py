"""The config's `[keymap]`: a binding remapped by its id moves a card with the new key
(and no longer with the old one), on a real SQLite store; ids no binding has are said
once at start and the rest is used; every binding of tui-board has an id, and the
README lists them all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.binding import Binding

from tests.ui_helpers import (  # noqa: F401  (fixtures)
    SIZE,
    anyio_backend,
    app_for,
    backend_for,
    board_demo_config,
    demo_template,
    on_board,
    settle,
    steady,
)
from tui_board.config import Config
from tui_board.ui.app import BoardApp, binding_ids, node_types
from tui_board.ui.screens.board import BoardScreen
from tui_board.ui.widgets.timesheet_entry import QuickEntryInput

pytestmark = pytest.mark.anyio

README = Path(__file__).resolve().parent.parent / "README.md"


def with_keymap(config: Config, tmp_path: Path, keymap: str) -> Config:
    """The config as a user's file with this `[keymap]` table makes it."""
    path = tmp_path / "config.toml"
    path.write_text(f'db = "{config.db}"\n\n[keymap]\n{keymap}', encoding="utf-8")
    return Config.load(path, site=None)


async def test_a_remapped_key_moves_the_card_and_the_old_one_does_not(
    config: Config, tmp_path: Path
) -> None:
    remapped = with_keymap(config, tmp_path, 'board-move-right = "f5"\nboard = "f1"\n')
    app = app_for(remapped)
    backend = backend_for(config)
    async with app.run_test(size=SIZE) as pilot:
        board = await on_board(app, pilot)
        card = board.focused_card()
        assert card is not None and card.key == "APP-3"
        before = backend.get_task("APP-3").column
        await pilot.press("L", "shift+right")  # the defaults: remapped away
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == before
        await pilot.press("f5")
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "To do"
        assert not [n for n in app._notifications if n.title == "Keymap entries ignored"]
        await pilot.press("3")  # `board = "f1"` leaves the other modes' keys alone
        await settle(app, pilot)
        assert app.current_mode == "workload"
        await pilot.press("f1")
        await settle(app, pilot)
        assert app.current_mode == "board"


async def test_unknown_ids_are_said_once_and_the_rest_is_used(
    config: Config, tmp_path: Path
) -> None:
    keymap = 'bord-move-right = "f5"\nnot-a-binding = "f6"\nboard-move-right = "f7"\n'
    app = app_for(with_keymap(config, tmp_path, keymap))
    backend = backend_for(config)
    async with app.run_test(size=SIZE) as pilot:
        await on_board(app, pilot)
        said = [n for n in app._notifications if n.title == "Keymap entries ignored"]
        assert len(said) == 1
        message = said[0].message
        assert "'bord-move-right' (did you mean 'board-move-right'?)" in message
        assert "'not-a-binding'" in message and "README" in message
        await pilot.press("f7")
        await settle(app, pilot)
        assert backend.get_task("APP-3").column == "To do"


def test_every_binding_of_tui_board_has_an_id() -> None:
    """A binding without an id cannot be remapped (Textual's own ctrl+c aside)."""
    types = node_types()
    assert BoardApp in types and BoardScreen in types and QuickEntryInput in types
    missing = [
        f"{node_type.__name__}: {binding.key} -> {binding.action}"
        for node_type in types
        for binding in vars(node_type).get("BINDINGS", ())
        if not isinstance(binding, Binding) or not (binding.id or binding.system)
    ]
    assert not missing


def test_the_readme_lists_every_binding_id() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Key binding ids") :]
    section = section[: section.index("\n## ")]
    listed = set(re.findall(r"`([a-z][a-z-]*)` ", section))
    assert listed == binding_ids()
