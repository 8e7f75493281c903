"""The board: the current project's columns and cards, to move, assign and log time on.

Everything the user does changes the screen at once and is stored by the app's writer
(`tui_board/ui/writer.py`), one write after another, each carrying the card's version:
when someone changed the card first, the store refuses the write, the user is told and
the board shows the card as it is now (`live.py`, which also brings other people's
changes in within a second or two). What is shown and the focus: `view.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Input

from tui_board.backend.undo import (
    before_adding,
    card_archived,
    card_edit,
    card_move,
    cell_change,
    toggle_timer,
)
from tui_board.core.durations import format_duration
from tui_board.core.models import Project, Task, TaskPatch
from tui_board.ui.dialogs.confirm import ConfirmScreen
from tui_board.ui.dialogs.duration import DurationPrompt, LoggedTime
from tui_board.ui.dialogs.picker import PickerScreen
from tui_board.ui.plain_text import cut
from tui_board.ui.read_only import READ_ONLY, not_stored, server_away
from tui_board.ui.screens.board.live import BoardLive, FeedRow, Outcome
from tui_board.ui.screens.mode import bind, moving_keys
from tui_board.ui.session import describe_error
from tui_board.ui.writer import Write

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.ui.dialogs.task_form import TaskDraft, TaskForm


class BoardScreen(BoardLive):
    TITLE = "Board"
    BINDING_GROUP_TITLE = "Board"
    AUTO_FOCUS = ""  # the board's keys belong to the screen, not to a widget
    PURPOSE = "The current project's columns and cards."

    BINDINGS: ClassVar[list[BindingType]] = [
        # Moving the focus: in help and the palette, not in the footer.
        *moving_keys("board", "card", (
            ("focus_column(-1)", "Focus the column on the left"),
            ("focus_column(1)", "Focus the column on the right"),
            ("focus_card(-1)", "Focus the card above"), ("focus_card(1)", "Focus the card below"),
            ("focus_page(-1)", "Focus a page of cards up"), ("focus_page(1)", "Focus a page down"),
            ("focus_end(-1)", "Focus the column's first card"),
            ("focus_end(1)", "Focus the column's last card"),
        )),
        # Moving the card.
        bind("shift+left,H", "move_card(-1)", "Move left", "Move the card to the previous column",
             "board-move-left"),
        bind("shift+right,L", "move_card(1)", "Move right", "Move the card to the next column",
             "board-move-right"),
        bind("shift+up,K", "reorder_card(-1)", "Move up", "Move the card up in its column",
             "board-move-up"),
        bind("shift+down,J", "reorder_card(1)", "Move down", "Move the card down in its column",
             "board-move-down"),
        # The card's actions, in the footer.
        bind("n", "new_card", "New", "A new card in this column", "board-new", show=True),
        bind("enter", "open_card", "Open", "The card's details, comments and time; edit it",
             "board-open", show=True),
        bind("a", "assign", "Assign", "Assign the card to someone", "board-assign", show=True),
        bind("t", "log_time", "Log", "Log time on the card", "board-log-time", show=True),
        bind("space", "toggle_timer", "Timer", "Start or stop my timer on the card",
             "board-timer", show=True),
        bind("d", "archive", "Archive", "Archive the card (asks first)", "board-archive",
             show=True),
        bind("A", "show_archive", "Archived", "The project's archived cards: restore one",
             "board-archived"),
        bind("slash", "filter", "Filter", "Show only cards matching a text", "board-filter",
             show=True),
        bind("m", "only_mine", "Mine", "Show only my cards (again: everyone's)", "board-mine",
             show=True),
        bind("p", "pick_project", "Project", "Switch to another project", "board-project",
             show=True),
        bind("escape", "clear_filter", "Clear filter", "Show every card again",
             "board-clear-filter"),
        # The board follows other people's changes by itself: reloading stays out of sight.
        bind("r", "reload", "Reload", "Read the board again (or retry opening it)", "reload"),
    ]  # fmt: skip

    DEFAULT_CSS = """
    BoardScreen > #board-bar {
        height: 1;
        padding: 0 1;
    }
    BoardScreen #board-project {
        width: auto;
        max-width: 50%;
        text-overflow: ellipsis;
        text-style: bold;
        color: $text-primary;
        text-wrap: nowrap;
    }
    BoardScreen #board-summary {
        width: 1fr;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    BoardScreen #board-filter {
        display: none;
        width: 1fr;
        max-width: 40;
    }
    /* `/ TLS`: the filter's own prompt, apart from the project's name. */
    BoardScreen #board-filter-prompt {
        display: none;
        width: auto;
        margin: 0 1 0 2;
        color: $text-accent;
        text-style: bold;
    }
    BoardScreen.-filtering #board-filter, BoardScreen.-filtering #board-filter-prompt {
        display: block;
    }
    BoardScreen > .mode-status {
        padding: 0 1;
        margin: 0;
    }
    BoardScreen > .mode-facts {
        padding: 1 2;
        height: 1fr;
    }
    BoardScreen > BoardColumns {
        display: none;
    }
    BoardScreen.-loaded > BoardColumns {
        display: block;
    }
    BoardScreen.-loaded > .mode-facts {
        display: none;
    }
    """

    @dataclass
    class ProjectsListed(Message):
        projects: list[Project]

    # --- moving cards ---------------------------------------------------------------------------

    def _card_or_bell(self) -> Task | None:
        task = self.focused_card()
        if task is None:
            self.app.bell()
            state = self.state
            if (
                state is not None
                and state.filtered
                and state.total
                and not any(state.shown(view.column.id) for view in self._views)
            ):
                ways = ["esc clears the filter"] if state.query else []
                ways += ["m shows everyone's"] if state.only_login else []
                self.notify(f"No card: the filter hides every card ({'; '.join(ways)}).")
            else:
                self.notify("No card here.")
        return task

    def action_move_card(self, step: int) -> None:
        if self.refuse_offline():
            return
        task = self._card_or_bell()
        target = self._focus_column + step
        if task is None or self.state is None:
            return
        if not 0 <= target < len(self._views):
            self.app.bell()
            return
        row = self._list(target).card_at_row(self._list().cursor_row(), allow_end=True)
        self._move(task, target, row)

    def action_reorder_card(self, step: int) -> None:
        if self.refuse_offline():
            return
        task = self._card_or_bell()
        if task is None or self.state is None:
            return
        row = self._focus_row + step
        column_id = self._column_id()
        assert column_id is not None
        if not 0 <= row < len(self.state.shown(column_id)):
            self.app.bell()
            return
        self._move(task, self._focus_column, row)

    def _move(self, task: Task, column: int, row: int) -> None:
        """Move the card on screen now; the writer stores it."""
        assert self.state is not None
        source = self._column_id()
        target = self._views[column].column
        index_before = self.state.cards(task.column_id).index_of(task.key)
        before = self.change_on_screen({c for c in (source, target.id) if c is not None})
        placement = self.state.move(task.key, target.id, row)
        if placement is None:
            return
        was = self._focus_column
        self._focus_column = column
        self._focus_row = placement.shown_index
        self._focus_key = task.key
        self.draw({c for c in (source, target.id) if c is not None})
        if was != column:
            self._scroll_to_focus()
        limit, count = target.wip_limit, self.state.count(target.id)
        if source != target.id and limit is not None and count > limit:
            self.notify(  # (moved all the same: a limit is a warning, as on a paper board)
                f"{target.name} holds {count} card{'s' * (count != 1)}, over its limit of {limit}.",
                title="Over the WIP limit",
                severity="warning",
                markup=False,
            )
        key, column_id, index = task.key, target.id, placement.index

        what = f"move {key} to {target.name}" if source != target.id else f"reorder {key}"

        def send(backend: Backend, version: int | None) -> Outcome:
            assert version is not None
            moved = backend.move_task(key, version, column_id, index)
            undo = card_move(what, task, index_before, moved, index)
            return Outcome(moved, own=(("task", key, "move"),), undo=undo)

        self.send_board_write(Write(what, send, key, task.version), before=before)

    # --- card actions -------------------------------------------------------------------------

    def _backend_or_none(self) -> Backend | None:
        backend = self.board_app.backend
        if backend is None:
            self.notify("Not connected yet.", severity="warning")
        return backend

    def action_new_card(self) -> None:
        if self.refuse_offline():
            return
        column_id = self._column_id()
        if self.state is None or column_id is None:
            self.app.bell()
            return
        from tui_board.ui.dialogs.task_form import TaskForm  # opened here: kept off start-up

        column = self._views[self._focus_column].column
        project = self.state.project.key

        def create(form: TaskForm, draft: TaskDraft) -> None:
            """The form stays open, with what was typed, until the card is stored."""
            if server_away(self.board_app.backend):
                form.refused(not_stored(READ_ONLY))
                return

            def send(backend: Backend, _version: int | None) -> Outcome:
                task = backend.create_task(
                    project,
                    draft.title,
                    description=draft.description,
                    column_id=column.id,
                    assignee=draft.assignee,
                    estimate=draft.estimate,
                    due=draft.due,
                    priority=draft.priority,
                    tags=draft.tags,
                )
                return Outcome(
                    task,
                    note=f"Made {task.key}; u undoes it.",
                    own=(("task", task.key, "create"),),
                    undo=card_archived(f"make {task.key}", task),
                )

            write = Write(f"make a card in {project} · {column.name}", send)
            self.send_board_write(write, form=form)

        form = TaskForm(
            f"New card in {project} · {column.name}",
            users=self.users,
            today=self.today,
            bare_unit=self.board_app.config.bare_unit,
            save=create,
        )
        self.app.push_screen(form)

    def action_open_card(self) -> None:
        task = self._card_or_bell()
        backend = self.board_app.backend
        if task is None or backend is None:
            return
        from tui_board.ui.dialogs.task_detail import TaskDetailScreen

        detail = TaskDetailScreen(
            backend,
            task,
            users=self.users,
            today=self.today,
            bare_unit=self.board_app.config.bare_unit,
        )

        def closed(changed: Task | None) -> None:
            if changed is not None and self.state is not None:
                self.state.put(changed)
                self.draw()

        self.app.push_screen(detail, closed)

    def action_assign(self) -> None:
        if self.refuse_offline():
            return
        task = self._card_or_bell()
        if task is None:
            return
        from tui_board.ui.dialogs.task_form import NOBODY

        items = [("nobody", NOBODY)] + [
            (f"{user.login} · {user.name}", user.login) for user in self.users if user.active
        ]
        picker = PickerScreen(f"Assign {task.key} to", items, current=task.assignee or NOBODY)

        def picked(login: str | None) -> None:
            if login is None or (login or None) == task.assignee or self.refuse_offline():
                return
            assignee = login or None
            key = task.key
            who = f"@{assignee}" if assignee else "nobody"

            def send(backend: Backend, version: int | None) -> Outcome:
                assert version is not None
                patch = TaskPatch(assignee=assignee)
                done = backend.update_task(key, version, patch)
                note = f"{key} assigned to {who}."
                undo = card_edit(f"assign {key} to {who}", task, done, patch)
                return Outcome(done, note=note, own=(("task", key, "update"),), undo=undo)

            self.send_write(Write(f"assign {key} to {who}", send, key, task.version))

        self.app.push_screen(picker, picked)

    def action_log_time(self) -> None:
        task = self._card_or_bell()
        if task is not None:
            self._ask_log_time(task)

    def _ask_log_time(
        self,
        task: Task,
        *,
        duration: str = "",
        day_text: str = "",
        comment: str = "",
        refused: str = "",
    ) -> None:
        """`t`'s dialog; asked again as it was typed, with why, when the store refuses
        the time (the week submitted, the day's 24:00 passed)."""
        today = self.today
        prompt = DurationPrompt(
            f"Log time on {task.key}",
            context=cut(task.title, 40),
            bare_unit=self.board_app.config.bare_unit,
            today=today,
            initial=duration,
            initial_day=day_text,
            initial_comment=comment,
            refused=refused,
        )
        key = task.key

        def logged(answer: LoggedTime | None) -> None:
            if answer is None:
                return
            day = answer.day or today
            when = "today" if day == today else f"on {day:%a %d %b}"

            what = f"log {format_duration(answer.minutes)} on {key} {when}"

            def send(backend: Backend, _version: int | None) -> Outcome:
                entry = backend.add_time(key, day, answer.minutes, comment=answer.comment)
                if entry.id == 0:  # the server is away: queued, sent once it answers
                    note = (
                        f"Queued {format_duration(answer.minutes)} on {key}: the server is "
                        "away; it is sent as soon as it answers."
                    )
                    return Outcome(None, note=note)
                now = backend.get_task(key)
                note = (
                    f"Logged {format_duration(answer.minutes)} on {key} "
                    f"({format_duration(entry.minutes)} {when})."
                )
                was = before_adding(entry, answer.minutes, answer.comment)
                undo = cell_change(what, key, day, was, entry)
                return Outcome(now, note=note, own=(("entry", key, "set"),), undo=undo)

            def again(why: str) -> None:
                self._ask_log_time(
                    task,
                    duration=format_duration(answer.minutes),
                    day_text="" if day == today else day.isoformat(),
                    comment=answer.comment,
                    refused=why,
                )

            self.send_board_write(Write(what, send, key), retry=again)

        self.app.push_screen(prompt, logged)

    def action_toggle_timer(self) -> None:
        if self.refuse_offline():
            return
        task = self._card_or_bell()
        me = self.board_app.me
        if task is None or me is None:
            return
        key, login, today = task.key, me.login, self.today

        def send(backend: Backend, _version: int | None) -> Outcome:
            done = toggle_timer(backend, login, key, today)
            own: tuple[FeedRow, ...] = ()
            if done.stopped is not None:
                own += (("timer", login, "stop"),)
                if done.entry is not None:
                    own += (("entry", done.stopped.task, "set"),)
            if done.running is not None:
                own += (("timer", login, "start"),)
            task = backend.get_task(key) if done.running is None else None
            return Outcome(task, True, done.running, done.note(), own, done.undo)

        self.send_write(Write(f"start or stop the timer on {key}", send, key))

    def action_archive(self) -> None:
        if self.refuse_offline():
            return
        task = self._card_or_bell()
        if task is None:
            return
        confirm = ConfirmScreen(
            f"Archive {task.key} · {cut(task.title)}?\nIt leaves the board; "
            "u undoes it, and the archive (A) lists it and brings it back.",
            title="Archive the card",
            yes="Archive",
            no="Keep",
        )

        def answered(yes: bool | None) -> None:
            if not yes or self.state is None or self.refuse_offline():
                return
            column_id = self.state.column_of(task.key)
            before = self.change_on_screen(set() if column_id is None else {column_id})
            place = None if column_id is None else self.state.cards(column_id).index_of(task.key)
            if self.state.remove(task.key) is None:
                return
            self.draw(None if column_id is None else {column_id})
            key = task.key

            def send(backend: Backend, version: int | None) -> Outcome:
                assert version is not None
                done = backend.archive_task(key, version)
                return Outcome(
                    done,
                    note=f"Archived {key}; u undoes it.",
                    own=(("task", key, "archive"),),
                    undo=card_archived(f"archive {key}", done, place),
                )

            self.send_board_write(Write(f"archive {key}", send, key, task.version), before=before)

        self.app.push_screen(confirm, answered)

    def action_show_archive(self) -> None:
        """The project's archived cards; the ones restored there come back at once."""
        if self.state is None or self.board_app.backend is None:
            self.app.bell()
            return
        from tui_board.ui.screens.archive import ArchiveScreen  # kept off start-up

        archive = ArchiveScreen(self.state.project)

        def closed(_: None) -> None:
            if self.state is not None and archive.restored:
                for task in archive.restored:
                    if task.project == self.state.project.key:
                        self.state.put(task)
                self.draw()

        self.app.push_screen(archive, closed)

    # --- a card asked for from elsewhere (the command palette) ---------------------------------

    #: A card to focus and open once its project's board is shown.
    _reveal: str | None = None

    def reveal_card(self, key: str) -> None:
        """Focus the card `key` and open it, reading its project's board first when
        another one is shown; a filter that hides it is cleared."""
        self._reveal = key
        state = self.state
        project = key.rsplit("-", 1)[0]
        if state is None or state.project.key != project:
            self.load_board(project)
        else:
            self.board_shown()

    def board_shown(self) -> None:
        key, state = self._reveal, self.state
        if key is None or state is None or state.project.key != key.rsplit("-", 1)[0]:
            return
        column_id = state.column_of(key)
        if column_id is None and not state.complete:
            return  # a big board's first page: the card may come with the rest
        self._reveal = None
        task = state.get(key)
        index = None if column_id is None else state.column_index(column_id)
        if task is None or column_id is None or index is None:
            self.notify(f"{key} is not on the board (archived?).", severity="warning")
            return
        if state.filtered and not state.matches(task):
            state.set_filter(only_login=None)
            self.action_clear_filter()
            self.draw()
        self._set_focus(index, state.shown(column_id).index_of(key) or 0)
        self._scroll_to_focus()
        self.action_open_card()

    # --- filters and projects --------------------------------------------------------------------

    def action_filter(self) -> None:
        if self.state is None:
            return
        self.add_class("-filtering")
        field = self.query_one("#board-filter", Input)
        # Focused now, not on a later turn: keys typed right after `/` (a fast typist,
        # a paste, a slow link delivering them at once) go to the filter, not to the
        # board's keys (where `q` quits and `n` opens a form).
        field.display = True
        self.set_focus(field)

    @on(Input.Submitted, "#board-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        if not event.value.strip():  # nothing to filter by: the field closes
            self._close_filter()
            return
        self.set_focus(None)
        self._draw_bar()

    def action_clear_filter(self) -> None:
        """Every card again: the text filter emptied and closed, and "only mine" off (it
        stayed on, while the help said esc shows every card)."""
        self._close_filter()
        if self.state is not None and self.state.only_login:
            self.state.set_filter(only_login=None)
            self.draw()

    def _close_filter(self) -> None:
        field = self.query_one("#board-filter", Input)
        if field.value:
            field.value = ""  # the field redraws the board
        self.set_focus(None)
        self.remove_class("-filtering")
        field.display = False

    def action_only_mine(self) -> None:
        me = self.board_app.me
        if self.state is None or me is None:
            return
        mine = None if self.state.only_login else me.login
        self.state.set_filter(only_login=mine)
        self.draw()

    def action_pick_project(self) -> None:
        backend = self._backend_or_none()
        if backend is not None:
            self._list_projects(backend)

    @work(thread=True, exclusive=True, group="board-projects")
    def _list_projects(self, backend: Backend) -> None:
        try:
            projects = backend.list_projects()
        except Exception as error:
            self.post_message(self.LoadFailed(describe_error(error)))
            return
        self.post_message(self.ProjectsListed(projects))

    @on(ProjectsListed)
    def _projects_listed(self, message: ProjectsListed) -> None:
        if not message.projects:
            self.notify("There are no projects yet.", severity="warning")
            return
        current = self.state.project.key if self.state else None
        items = [(f"{p.key} · {p.name}", p.key) for p in message.projects]

        def picked(key: str | None) -> None:
            if key is not None and key != current:
                self.load_board(key)

        self.app.push_screen(PickerScreen("Switch project", items, current=current), picked)
