"""The ASGI entry point uvicorn imports in each worker process."""

from __future__ import annotations

import os

from tui_board.server.app import create_app
from tui_board.store.database import Database

app = create_app(
    Database.open(os.environ["TUI_BOARD_SERVE_DB"], migrate=False),
    read_cache=os.environ.get("TUI_BOARD_SERVE_READ_CACHE", "on") != "off",
)
