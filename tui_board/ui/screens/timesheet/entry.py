"""The timesheet's prompt line: a cell's comment, and quick entry (`WEB-12 1h30 fixed
the login bug`), with the open tasks it completes and checks keys against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.widgets import Input

from tui_board.backend.undo import RowsChange, before_adding, cell_change
from tui_board.core.durations import format_duration
from tui_board.core.errors import Invalid
from tui_board.core.models import Task, TaskRef
from tui_board.core.weeks import IsoWeek
from tui_board.ui.dialogs import PickerScreen
from tui_board.ui.plain_text import cut
from tui_board.ui.screens.timesheet.answers import TimesheetAnswers
from tui_board.ui.screens.timesheet.writes import Outcome, SheetWrite
from tui_board.ui.session import describe_error
from tui_board.ui.state.timesheet import Cell
from tui_board.ui.widgets.timesheet_entry import (
    QuickEntry,
    QuickEntryInput,
    TaskChoice,
    parse_quick_entry,
    task_candidates,
)

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend


class TimesheetEntry(TimesheetAnswers):
    """The timesheet with its prompt line."""

    @dataclass
    class TasksListed(Message):
        tasks: list[Task]
        projects: dict[str, str]
        then: str = ""

    @dataclass
    class ReadFailed(Message):
        message: str
        title: str

    def prompt_text(self) -> tuple[str, str] | None:
        if self._prompt == "quick":
            return self._quick_preview(self.query_one(QuickEntryInput).value)
        if self._prompt == "comment" and self._comment_cell is not None:
            key, day = self._comment_cell
            return f"The comment on {key} for {day:%a %d %b}: enter stores it, esc cancels.", ""
        return None

    def _store_comment(self, text: str) -> None:
        state, cell = self.sheet, self._comment_cell
        self._close_prompt()
        if state is None or cell is None:
            return
        comment = text.strip()
        if comment == state.comment(*cell):
            return
        minutes = state.minutes(*cell)
        key, day = cell

        def send(backend: Backend, version: int | None) -> Outcome:
            entry = backend.set_entry(key, day, minutes, comment=comment, version=version)
            note = (
                f"Comment stored on {key} for {day:%a %d %b}: “{comment}”."
                if comment
                else f"Comment cleared on {key} for {day:%a %d %b}."
            )
            return Outcome(cell, entry, note=note)

        what = f"store the comment on {key} for {day:%a %d %b}"
        self.store_in_cell("comment", cell, minutes, comment, what, send, comment)

    # --- the prompt line: quick entry and comments -------------------------------------------

    @on(Input.Changed, "#timesheet-input")
    def _prompt_changed(self) -> None:
        self._draw_line()

    @on(Input.Submitted, "#timesheet-input")
    def _prompt_submitted(self, event: Input.Submitted) -> None:
        if self._prompt == "comment":
            self._store_comment(event.value)
        elif self._prompt == "quick":
            self._store_quick_entry(event.value)

    def action_quick_entry(self) -> None:
        if self.sheet is None:
            self.app.bell()
            return
        self._open_prompt("quick", "")
        self._list_tasks_once()

    def _quick_preview(self, text: str) -> tuple[str, str]:
        if not text.strip():
            return "A task key, how long, a day if not today, a comment · tab completes the key", ""
        first, space, _ = text.lstrip().partition(" ")
        if not space:
            found = task_candidates(first, self.tasks)
            if found:
                names = " · ".join(f"{task.key} {task.title}" for task in found)
                return f"{names}  (tab completes)", ""
            if self._tasks_loaded:
                return f"No task matches {first!r}.", "warning"
            return "", ""
        try:
            entry = parse_quick_entry(
                text, today=self.today, bare_unit=self.board_app.config.bare_unit
            )
        except Invalid as error:
            return error.message, "error"
        return self._describe_quick(entry)

    def _describe_quick(self, entry: QuickEntry) -> tuple[str, str]:
        title = next((task.title for task in self.tasks if task.key == entry.task), None)
        if title is None and self._tasks_loaded:
            return f"There is no open task {entry.task}.", "error"
        parts = [f"{entry.task} {title or ''}".strip(), f"{entry.day:%a %d %b}"]
        state = self.sheet
        adding = f"+{format_duration(entry.minutes)}"
        if state is not None and entry.day in state.days:
            closed = state.read_only_reason(entry.day)
            if closed is not None:  # said now, not after enter (the store refuses it)
                return " · ".join([*parts, f"not stored: {closed}"]), "error"
            now = state.minutes(entry.task, entry.day) + entry.minutes
            adding += f" (the cell then holds {format_duration(now)})"
        parts.append(adding)
        if entry.comment:
            parts.append(f"“{entry.comment}”")
        return " · ".join(parts) + "  ·  enter stores it", "ok"

    def _store_quick_entry(self, text: str) -> None:
        try:
            entry = parse_quick_entry(
                text, today=self.today, bare_unit=self.board_app.config.bare_unit
            )
        except Invalid:
            self.app.bell()
            self._draw_line()
            return
        _line, tone = self._describe_quick(entry)
        if tone == "error":
            self.app.bell()
            self._draw_line()
            return
        self._close_prompt()
        state = self.sheet
        cell: Cell = (entry.task, entry.day)
        if state is not None and entry.day in state.days:
            old = state.comment(*cell)
            comment = "; ".join(c for c in (old, entry.comment) if c)
            title = next((t.title for t in self.tasks if t.key == entry.task), "")
            state.begin(cell, state.minutes(*cell) + entry.minutes, comment, title=title)
            state.place(entry.task, state.days.index(entry.day))
            self._redraw()
        elif state is not None:
            self._focus_after_load = cell
        task, day, minutes, comment = entry.task, entry.day, entry.minutes, entry.comment

        def send(backend: Backend, _version: int | None) -> Outcome:
            stored = backend.add_time(task, day, minutes, comment=comment)
            note = (
                f"Logged {format_duration(minutes)} on {task} for {day:%a %d %b}; the cell "
                f"holds {format_duration(stored.minutes)}."
            )
            was = before_adding(stored, minutes, comment)
            return Outcome(cell, stored, note=note, undo=cell_change(what, task, day, was, stored))

        what = f"log {format_duration(minutes)} on {task}"
        self.send_write(SheetWrite(what, send, cell, kind="add", text=text))
        if state is not None and entry.day not in state.days:
            self.load_week(IsoWeek.holding(entry.day, self.board_app.config.first_day))

    # --- the open tasks: quick entry's keys, and the rows one may add ----------------------

    def _list_tasks_once(self, then: str = "") -> None:
        backend = self.board_app.backend
        if backend is None:
            return
        if self._tasks_loaded and not then:
            return
        self._list_tasks(backend, then)

    @work(thread=True, exclusive=True, group="timesheet-tasks")
    def _list_tasks(self, backend: Backend, then: str) -> None:
        try:
            tasks = backend.list_tasks()
            projects = {p.key: p.name for p in backend.list_projects()}
        except Exception as error:
            self.post_message(self.ReadFailed(describe_error(error), "Cannot list the tasks"))
            return
        self.post_message(self.TasksListed(tasks, projects, then))

    @on(TasksListed)
    def _tasks_listed(self, message: TasksListed) -> None:
        me = self.board_app.me
        mine = me.login if me else None
        tasks = sorted(message.tasks, key=lambda t: (t.assignee != mine, t.project, t.number))
        self._task_list = tasks
        self.project_names = message.projects
        self.grid.project_names = message.projects
        self.tasks = [
            TaskChoice(t.key, t.title) for t in sorted(tasks, key=lambda t: (t.project, t.number))
        ]
        self._tasks_loaded = True
        self.query_one(QuickEntryInput).set_tasks(self.tasks)
        if self._prompt == "quick":
            self._draw_line()
        if message.then == "pick":
            self._pick_task()

    @on(ReadFailed)
    def _read_failed(self, message: ReadFailed) -> None:
        self.notify(message.message, title=message.title, severity="error", markup=False)

    def action_add_row(self) -> None:
        if self.sheet is None or self.board_app.backend is None:
            self.app.bell()
            return
        if self.refuse_read_only():
            return
        self._list_tasks_once(then="pick")

    def _pick_task(self) -> None:
        state = self.sheet
        if state is None:
            return
        shown = {row.key for row in state.rows}
        me = self.board_app.me
        items = []
        for task in self._task_list:
            if task.key in shown:
                continue
            project = self.project_names.get(task.project, task.project)
            mine = " · mine" if me is not None and task.assignee == me.login else ""
            items.append(
                (f"{task.key} · {cut(task.title, 60)} · {cut(project, 30)}{mine}", task.key)
            )
        if not items:
            self.notify("Every open task is on this week already.", markup=False)
            return
        week = state.week
        picker: PickerScreen[str] = PickerScreen(
            f"Add a task to week {week.week}", items, placeholder="Type a key, a title, a project"
        )

        def picked(key: str | None) -> None:
            if key is None:
                return

            def send(backend: Backend, _version: int | None) -> Outcome:
                ref = backend.add_week_row(week, key)
                undo = RowsChange(what, str(week), added=(key,))
                return Outcome(rows=(ref,), note=f"Added {key} to week {week.week}.", undo=undo)

            task = next((t for t in self._task_list if t.key == key), None)
            if task is not None and self.sheet is not None and self.sheet.week == week:
                self.sheet.cursor_row = self.sheet.add_row(TaskRef(key, task.title, task.project))
                self._redraw()
            what = f"add {key} to week {week.week}"
            self.send_write(SheetWrite(what, send, kind="rows", week=str(week)))

        self.push_dialog_if_in_front(picker, picked)
