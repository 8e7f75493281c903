"""A card opened: its fields, description, who logged how much time on it, its
comments (add one), and the form to edit its fields.

Reads go through the Backend in a thread worker, writes through the app's writer (in
order with the board's); a card someone else changed meanwhile is refused by the store
(its version), shown as it is now, and nothing is overwritten. Dismissed with the card
as it is now when it changed, else None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Static

from tui_board.core.durations import BareUnit, format_duration
from tui_board.core.models import Comment, ReportRow, Task, TaskPatch, User
from tui_board.ui.dialogs.base import Dialog
from tui_board.ui.dialogs.task_form import TaskDraft, TaskForm
from tui_board.ui.plain_text import cut, fit, plain_text
from tui_board.ui.session import describe_error
from tui_board.ui.writer import Refusal, SendsWrites, Stored, Write

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend


def _when(comment: Comment) -> str:
    return f"{comment.time.astimezone():%a %d %b %H:%M}"


def logged_text(task: Task) -> tuple[str, bool]:
    """The card's logged time against its estimate (`1:30/8:00 · 6:30 left`, or
    `86:15/8:00 · 78:15 over`), and whether it is over."""
    logged = format_duration(task.logged)
    if task.estimate is None:
        return logged, False
    text = f"{logged}/{format_duration(task.estimate)}"
    left = task.estimate - task.logged
    if left < 0:
        return f"{text} · {format_duration(-left)} over", True
    return f"{text} · {format_duration(left)} left", False


def time_lines(rows: Sequence[ReportRow], total: int) -> list[str]:
    """Who logged how much on the card, as far as the viewer may see people's time;
    the rest of the card's total (which everyone sees) as one line for the others."""
    seen = sum(row.minutes for row in rows)
    hidden = max(0, total - seen)
    if not rows and not hidden:
        return ["no time logged yet"]
    names = [cut(row.user) for row in rows]
    if hidden:
        names.append("others")
    if len(names) > 1:
        names.append("total")
    width = max(cell_len(name) for name in names)
    lines = [f"{fit(row.user, width)}  {format_duration(row.minutes):>6}" for row in rows]
    if not rows:
        lines.append("none by you")
    if hidden:
        lines.append(
            f"{fit('others', width)}  {format_duration(hidden):>6}  "
            "(people whose time you may not see)"
        )
    if len(names) > 1:
        lines.append(f"{fit('total', width)}  {format_duration(seen + hidden):>6}")
    return lines


class TaskDetailScreen(SendsWrites, Dialog["Task | None"]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit", tooltip="Edit the card's fields", id="card-edit"),
        Binding("c", "comment", "Comment", tooltip="Write a comment", id="card-comment"),
    ]

    DEFAULT_CSS = """
    TaskDetailScreen > .dialog {
        width: 84;
        height: auto;
        max-height: 100%;
    }
    TaskDetailScreen #detail-body {
        height: auto;
        max-height: 1fr;
    }
    TaskDetailScreen #detail-title {
        margin-top: 1;
        text-style: bold;
    }
    TaskDetailScreen #detail-facts {
        grid-size: 4;
        grid-columns: 10 1fr 10 1fr;
        grid-gutter: 0 1;
        height: auto;
        margin-top: 1;
    }
    TaskDetailScreen .detail--label {
        color: $text-muted;
    }
    TaskDetailScreen .detail--overdue {
        color: $text-error;
        text-style: bold;
    }
    TaskDetailScreen .detail--heading {
        margin-top: 1;
        color: $text-accent;
        text-style: bold;
    }
    TaskDetailScreen .detail--text {
        height: auto;
    }
    TaskDetailScreen .detail--muted {
        color: $text-muted;
    }
    TaskDetailScreen #detail-comment {
        margin-top: 1;
    }
    """

    @dataclass
    class Read(Message):
        """Comments and time, and the card as it is now, read by the worker."""

        comments: list[Comment]
        logged: list[ReportRow]
        task: Task

    @dataclass
    class Failed(Message):
        """A read failed."""

        message: str

    def __init__(
        self,
        backend: Backend,
        task: Task,
        *,
        users: Sequence[User],
        today: date,
        bare_unit: BareUnit = "hours",
    ) -> None:
        super().__init__()
        self.backend = backend
        self.card = task
        self.users = list(users)
        self.today = today
        self.bare_unit: BareUnit = bare_unit
        self.comments: list[Comment] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as panel:
            panel.border_subtitle = "e: edit · c: comment · esc: close"
            with VerticalScroll(id="detail-body"):
                yield Label("", id="detail-title", markup=False)
                with Grid(id="detail-facts"):
                    for name in ("Assignee", "Priority", "Estimate", "Logged", "Due", "Tags"):
                        yield Label(name, classes="detail--label")
                        yield Label("", id=f"detail-{name.lower()}", markup=False)
                yield Label("Description", classes="detail--heading")
                yield Static("", id="detail-description", classes="detail--text", markup=False)
                for name in ("time", "comments"):
                    heading = "Time logged" if name == "time" else "Comments"
                    yield Label(heading, id=f"detail-{name}-heading", classes="detail--heading")
                    yield Static(
                        "reading …", id=f"detail-{name}", classes="detail--text", markup=False
                    )
            yield Input(
                placeholder="Add a comment, enter to post", id="detail-comment", compact=True
            )

    def on_mount(self) -> None:
        self._show_task()
        self.query_one("#detail-body").focus()
        self._read(self.card.key)

    def cancelled(self) -> Task | None:
        return self.card if self.changed else None

    def action_cancel(self) -> None:
        """`esc` in the comment field leaves the field; elsewhere it closes."""
        comment = self.query_one("#detail-comment", Input)
        if comment.has_focus:
            self.query_one("#detail-body").focus()
        else:
            super().action_cancel()

    # --- showing -----------------------------------------------------------------------

    def _show_task(self) -> None:
        task = self.card
        panel = self.query_one(".dialog")
        panel.border_title = plain_text(f"{task.key} · {task.column}")
        self.query_one("#detail-title", Label).update(plain_text(task.title))
        self._fact("assignee", f"@{task.assignee}" if task.assignee else "nobody")
        self._fact("priority", task.priority)
        self._fact("estimate", format_duration(task.estimate) if task.estimate is not None else "-")
        logged, over = logged_text(task)
        self._fact("logged", logged).set_class(over, "detail--overdue")
        due = self._fact("due", f"{task.due:%a %d %b %Y}" if task.due else "-")
        overdue = task.due is not None and task.due < self.today
        due.set_class(overdue, "detail--overdue")
        if overdue:
            due.update(plain_text(f"{task.due:%a %d %b %Y} (overdue)"))
        self._fact("tags", " ".join(f"#{tag}" for tag in task.tags) or "-")
        description = self.query_one("#detail-description", Static)
        description.update(plain_text(task.description or "no description", multiline=True))
        description.set_class(not task.description, "detail--muted")

    def _fact(self, name: str, value: str) -> Label:
        label = self.query_one(f"#detail-{name}", Label)
        label.update(plain_text(value))
        return label

    def _show_comments(self) -> None:
        heading = self.query_one("#detail-comments-heading", Label)
        heading.update(f"Comments ({len(self.comments)})" if self.comments else "Comments")
        text = "\n\n".join(
            f"{cut(comment.author)} · {_when(comment)}\n{comment.body}" for comment in self.comments
        )
        comments = self.query_one("#detail-comments", Static)
        comments.update(plain_text(text or "no comments yet", multiline=True))
        comments.set_class(not self.comments, "detail--muted")

    # --- reading ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="task-detail-read")
    def _read(self, key: str) -> None:
        try:
            comments = self.backend.list_comments(key)
            time = self.backend.task_time(key)
            task = self.backend.get_task(key)  # its total, with the lines: one moment
        except Exception as error:
            self.post_message(self.Failed(describe_error(error)))
            return
        self.post_message(self.Read(comments, time, task))

    @on(Read)
    def _got_read(self, message: Read) -> None:
        self.comments = message.comments
        self._show_comments()
        if message.task != self.card and message.task.version >= self.card.version:
            self.card = message.task
            self.changed = True  # the board shows the card as it is now, too
            self._show_task()
        lines = time_lines(message.logged, self.card.logged)
        time = self.query_one("#detail-time", Static)
        time.update(plain_text("\n".join(lines), multiline=True))
        time.set_class(not message.logged, "detail--muted")

    # --- editing ------------------------------------------------------------------------------

    def action_edit(self) -> None:
        form = TaskForm(
            f"Edit {self.card.key}",
            users=self.users,
            today=self.today,
            bare_unit=self.bare_unit,
            draft=TaskDraft.of(self.card),
        )
        self.app.push_screen(form, self._edited)

    def _edited(self, draft: TaskDraft | None) -> None:
        if draft is None:
            return
        patch = draft.patch_for(self.card)
        if patch.changes():
            self._update(self.card.key, self.card.version, patch)

    def _update(self, key: str, version: int, patch: TaskPatch) -> None:
        def send(backend: Backend, version: int | None) -> Stored[Task]:
            assert version is not None
            task = backend.update_task(key, version, patch)
            return Stored(task, task.key, task.version)

        self.send_write(Write(f"edit {key}", send, key, version))

    def action_comment(self) -> None:
        self.query_one("#detail-comment", Input).focus()

    @on(Input.Submitted, "#detail-comment")
    def _post_comment(self, event: Input.Submitted) -> None:
        body = event.value.strip()
        if not body:
            self.app.bell()
            return
        event.input.value = ""
        self.query_one("#detail-body").focus()
        self._add_comment(self.card.key, body)

    def _add_comment(self, key: str, body: str) -> None:
        def send(backend: Backend, _version: int | None) -> Stored[Comment]:
            return Stored(backend.add_comment(key, body))

        self.send_write(Write(f"comment on {key}", send))

    def write_stored(self, write: Write[Any], result: Any) -> None:
        record = cast("Stored[Task | Comment]", result).record
        if isinstance(record, Task):
            self.card = record
            self.changed = True
            self._show_task()
            self.notify(f"Saved {record.key}.", markup=False)
        else:
            self.comments.append(record)
            self._show_comments()
            self.query_one("#detail-body", VerticalScroll).scroll_end(animate=False)

    def write_refused(self, write: Write[Any], refusal: Refusal) -> None:
        current = refusal.current
        if refusal.kind == "conflict" and isinstance(current, Task):
            self.card = current
            self.changed = True
            self._show_task()
            self.notify(
                f"{current.key} was changed by someone else; this is the card as it is now. "
                "Nothing was overwritten.",
                title="Not saved",
                severity="warning",
                markup=False,
            )
            return
        self.notify(refusal.message, title="Card", severity="error", markup=False)

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.notify(message.message, title="Card", severity="error", markup=False)
