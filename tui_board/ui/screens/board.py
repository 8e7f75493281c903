"""The board: a project's columns and cards (for now, what it will show)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tui_board.ui.screens.mode import ModeScreen

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.config import Config

#: How many projects the placeholder lists before saying "and N more".
SHOWN_PROJECTS = 8


class BoardScreen(ModeScreen):
    TITLE = "Board"
    BINDING_GROUP_TITLE = "Board"
    PURPOSE = (
        "Board: the current project's columns and cards, to move, assign and log time on "
        "— coming in the board issue."
    )

    def read_facts(self, backend: Backend, *, today: date, config: Config) -> list[str]:
        projects = backend.list_projects()
        if not projects:
            return ["No projects yet. An admin adds one with: tui-board project add KEY NAME"]
        lines = [f"Projects ({len(projects)}):"]
        lines += [f"  {project.key:<8} {project.name}" for project in projects[:SHOWN_PROJECTS]]
        if len(projects) > SHOWN_PROJECTS:
            lines.append(f"  … and {len(projects) - SHOWN_PROJECTS} more")
        return lines
