"""The workload: who has how much work, week by week (for now, what it will show)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tui_board.ui.screens.mode import ModeScreen

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.config import Config


class WorkloadScreen(ModeScreen):
    TITLE = "Workload"
    BINDING_GROUP_TITLE = "Workload"
    PURPOSE = (
        "Workload: each person's planned and logged hours against capacity, week by week, "
        "and the weeks waiting for approval — coming in the workload issue."
    )

    def read_facts(self, backend: Backend, *, today: date, config: Config) -> list[str]:
        people = backend.list_users()
        teams = backend.list_teams()
        who = "1 person" if len(people) == 1 else f"{len(people)} people"
        return [f"{who} on the board, in {len(teams)} team(s)."]
