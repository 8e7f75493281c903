"""Find anything from the command palette (`ctrl+p`): cards by key and title (on every
project), projects and people, beside the commands.

The cards, projects and people are read once when the palette opens, in a thread (the
palette stays responsive while a big store answers), then every keystroke matches them
in memory with the pickers' matcher (`core/fuzzy.py`, linear in a label's length, so a
crafted title costs no more than any other). Stored text reaches the palette as plain
`Content`, never as markup.

Choosing a card opens it on the board wherever the user is (its project's board read
first when another is shown); a project opens its board; a person opens the workload's
drill-down of their current week.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tui_board.core.fuzzy import fuzzy_match
from tui_board.ui.dialogs.picker import highlight_match
from tui_board.ui.plain_text import cut

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.core.models import Project, Task, User
    from tui_board.ui.app import BoardApp

#: At most this many hits of each kind are offered for one query.
MOST_HITS = 30
#: Labels matched between two yields to the event loop (keys stay quick on a big store).
BATCH = 2_000
#: How long a person's workload may take to be read before their drill-down opens.
WORKLOAD_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class Found:
    """One thing the palette can find: its label (what is matched and shown), a line
    of help, and what choosing it does."""

    label: str
    help: str
    open: Callable[[], object]
    #: The card's or project's key, the person's login: typed whole, it comes first.
    key: str = ""

    def rank(self, query: str) -> int:
        """2 when the query is the key (case aside), 1 when the key starts with it, else 0."""
        key = self.key.casefold()
        if not key or not query:
            return 0
        return 2 if key == query else 1 if key.startswith(query) else 0


class FindAnything(Provider):
    """Cards, projects and people, for the command palette."""

    things: list[Found]

    @property
    def board_app(self) -> BoardApp:
        return cast("BoardApp", self.app)

    async def startup(self) -> None:
        self.things = []
        backend = self.board_app.backend
        if backend is None:
            return
        worker = self.app.run_worker(
            lambda: _read(backend), thread=True, group="find-anything", exit_on_error=False
        )
        await worker.wait()
        result = worker.result
        if result is None:  # the store did not answer: the commands are still there
            return
        app = self.board_app
        self.things = [
            *(
                Found(
                    f"{task.key} {cut(task.title, 80)}",
                    f"card · {task.column}" + (f" · @{task.assignee}" if task.assignee else ""),
                    partial(show_card, app, task.key),
                    task.key,
                )
                for task in result.tasks
            ),
            *(
                Found(
                    f"{project.key} {cut(project.name, 60)}",
                    "project · open its board",
                    partial(show_project, app, project.key),
                    project.key,
                )
                for project in result.projects
            ),
            *(
                Found(
                    f"@{user.login} {cut(user.name, 60)}",
                    "person · their week in the workload",
                    partial(show_person, app, user.login),
                    user.login,
                )
                for user in result.users
            ),
        ]

    async def discover(self) -> Hits:
        """Nothing typed: the projects and people (the cards wait for a query)."""
        for thing in self.things:
            if not thing.help.startswith("card"):
                shown = _shown(Content(thing.label), thing.help)
                yield DiscoveryHit(shown, thing.open, thing.label)

    async def search(self, query: str) -> Hits:
        """The things matching `query`: the one whose key it is first, then those whose
        key starts with it, then the matcher's order."""
        typed = query.strip().removeprefix("@").casefold()
        best: list[tuple[int, float, int]] = []
        for start in range(0, len(self.things), BATCH):
            for index in range(start, min(start + BATCH, len(self.things))):
                thing = self.things[index]
                match = fuzzy_match(query, thing.label)
                if match is None:
                    continue
                hit = (thing.rank(typed), match.score, -index)
                if len(best) < MOST_HITS:
                    heapq.heappush(best, hit)
                elif hit > best[0]:
                    heapq.heapreplace(best, hit)
            await asyncio.sleep(0)
        if not best:
            return
        top = max(score for _, score, _ in best)
        for rank, score, index in sorted(best, reverse=True):
            thing = self.things[-index]
            match = fuzzy_match(query, thing.label)
            assert match is not None
            yield Hit(
                # The palette keeps the best hits first; ours score below a perfect
                # command name: the exact key, then the keys it starts, then the
                # matcher's order.
                (rank + 0.9 * (score / top if top > 0 else 0.0)) / 6,
                _shown(highlight_match(match, thing.label), thing.help),
                thing.open,
                text=thing.label,
            )


def _shown(label: Content, help: str) -> Content:
    """The label, and under it the help, dimmed; both plain text."""
    return Content.assemble(label, "\n", Content(cut(help)).stylize("dim"))


@dataclass(frozen=True)
class _Read:
    tasks: list[Task]
    projects: list[Project]
    users: list[User]


def _read(backend: Backend) -> _Read | None:
    try:
        return _Read(backend.list_tasks(), backend.list_projects(), backend.list_users())
    except Exception:
        return None


# --- what choosing does ------------------------------------------------------------------------


def show_card(app: BoardApp, key: str) -> None:
    """The card on the board, focused and open, wherever the user was."""

    async def go() -> None:
        from tui_board.ui.screens.board import BoardScreen

        await app.action_switch_mode("board")
        board = app.screen
        if isinstance(board, BoardScreen):
            board.reveal_card(key)

    app.run_worker(go(), group="find-anything-open")


def show_project(app: BoardApp, key: str) -> None:
    """The project's board."""

    async def go() -> None:
        from tui_board.ui.screens.board import BoardScreen

        await app.action_switch_mode("board")
        board = app.screen
        if isinstance(board, BoardScreen):
            board.load_board(key)

    app.run_worker(go(), group="find-anything-open")


def show_person(app: BoardApp, login: str) -> None:
    """The workload's drill-down of the person's current week (once the grid is read)."""

    async def go() -> None:
        from tui_board.ui.screens.workload import WorkloadScreen

        await app.action_switch_mode("workload")
        screen = app.screen
        if not isinstance(screen, WorkloadScreen):
            return
        grid = screen.grid
        for _ in range(int(WORKLOAD_WAIT_SECONDS / 0.05)):
            if grid.workload is not None:
                break
            await asyncio.sleep(0.05)
        figures = grid.workload
        place = grid.index_of(login)
        if figures is None or place is None:
            app.notify(f"The workload does not show @{login} to you.", severity="warning")
            return
        weeks = list(figures.weeks)
        week = weeks.index(figures.current) if figures.current in weeks else grid.cursor_week
        grid.move_to(place, week)
        screen.action_details()

    app.run_worker(go(), group="find-anything-open")
