"""The board screen: `view` (what is shown, the focus), `live` (the store's answers and
other people's changes), `screen` (the keys and what they do)."""

from __future__ import annotations

from tui_board.ui.screens.board.screen import BoardScreen

__all__ = ["BoardScreen"]
