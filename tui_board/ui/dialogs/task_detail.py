"""A card opened: its fields, description, who logged how much time on it, its
comments (add one), the form to edit its fields, and (`h`) its history: who did what
to it, when.

Reads go through the Backend in a thread worker, writes through the app's writer (in
order with the board's); a card someone else changed meanwhile is refused by the store
(its version), shown as it is now, and nothing is overwritten. Dismissed with the card
as it is now when it changed, else None.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Static

from tui_board.backend.undo import Undoable, card_edit
from tui_board.core.durations import BareUnit, format_duration
from tui_board.core.history import HistoryLine, history_lines, when
from tui_board.core.models import Comment, ReportRow, Task, TaskPatch, User
from tui_board.core.text import printable
from tui_board.ui.dialogs.base import Dialog
from tui_board.ui.dialogs.task_form import TaskDraft, TaskForm
from tui_board.ui.plain_text import cut, fit, plain_text
from tui_board.ui.read_only import READ_ONLY, not_stored, server_away
from tui_board.ui.session import describe_error
from tui_board.ui.widgets.text_input import TextInput
from tui_board.ui.writer import Refusal, SendsWrites, Stored, Write

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend
    from tui_board.ui.app import BoardApp


#: The card's facts, two a line: the schedule's start next to the due date.
FACTS = ("Assignee", "Priority", "Estimate", "Logged", "Start", "Due", "Milestone", "Tags")


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
        Binding(
            "h",
            "history",
            "History",
            tooltip="Who did what to the card, when (again: back to the card)",
            id="card-history",
        ),
        Binding(
            "u,ctrl+z",
            "app.undo",
            "Undo",
            show=False,
            tooltip="Undo your last change",
            id="card-undo",
        ),
        Binding(
            "U,ctrl+y",
            "app.redo",
            "Redo",
            show=False,
            tooltip="Redo the change undone",
            id="card-redo",
        ),
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
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    TaskDetailScreen #detail-milestone {
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
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
        color: $overdue;
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
    TaskDetailScreen #detail-history {
        display: none;
        height: auto;
        max-height: 1fr;
    }
    TaskDetailScreen.-history #detail-history {
        display: block;
    }
    TaskDetailScreen.-history #detail-body {
        display: none;
    }
    """

    @dataclass
    class Read(Message):
        """Comments and time, and the card as it is now, read by the worker."""

        comments: list[Comment]
        logged: list[ReportRow]
        task: Task

    @dataclass
    class HistoryRead(Message):
        """The card's history, read by the worker."""

        lines: list[HistoryLine]

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
        #: Edit forms waiting, open, for their write's answer.
        self._forms: dict[Write[Any], TaskForm] = {}
        #: A comment on its way to the store (it stays in its field until stored).
        self._posting: str | None = None
        #: The card's history as last read (None: not read yet).
        self.history: list[HistoryLine] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as panel:
            panel.border_subtitle = SUBTITLES[False]
            with VerticalScroll(id="detail-body"):
                yield Label("", id="detail-title", markup=False)
                with Grid(id="detail-facts"):
                    for name in FACTS:
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
            with VerticalScroll(id="detail-history"):
                yield Label("History", id="detail-history-heading", classes="detail--heading")
                yield Static("reading …", id="detail-history-lines", markup=False)
            yield TextInput(
                placeholder="Add a comment, enter to post", id="detail-comment", compact=True
            )

    def on_mount(self) -> None:
        self._show_task()
        self.query_one("#detail-body").focus()
        self._read(self.card.key)
        self._read_history(self.card.key)

    def cancelled(self) -> Task | None:
        return self.card if self.changed else None

    def action_cancel(self) -> None:
        """`esc` in the comment field leaves the field; elsewhere it closes."""
        comment = self.query_one("#detail-comment", Input)
        if comment.has_focus:
            self._shown_part().focus()
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
        self._fact("start", f"{task.start:%a %d %b %Y}" if task.start else "-")
        self._fact("milestone", task.milestone or "-")
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

    def _refuse_offline(self) -> bool:
        """True (and the user is told) when the team server is away: the card is
        read-only until it answers (see `tui_board/ui/read_only.py`)."""
        if not server_away(self.backend):
            return False
        self.notify(READ_ONLY, title="Not changed", severity="warning", markup=False)
        return True

    def action_edit(self) -> None:
        if self._refuse_offline():
            return
        form = TaskForm(
            f"Edit {self.card.key}",
            users=self.users,
            today=self.today,
            bare_unit=self.bare_unit,
            draft=TaskDraft.of(self.card),
            save=self._save_edit,
        )
        self.app.push_screen(form)

    def _save_edit(self, form: TaskForm, draft: TaskDraft) -> None:
        """The form stays open, with what was typed, until the store has the card."""
        if server_away(self.backend):
            form.refused(not_stored(READ_ONLY))
            return
        patch = draft.patch_for(self.card)
        if not patch.changes():
            form.saved()
            return
        write = self._update(self.card.key, self.card.version, patch)
        if write is not None:
            self._forms[write] = form

    def _update(self, key: str, version: int, patch: TaskPatch) -> Write[Any] | None:
        before = self.card

        def send(backend: Backend, version: int | None) -> Stored[Task]:
            assert version is not None
            task = backend.update_task(key, version, patch)
            return Stored(
                task, task.key, task.version, undo=card_edit(f"edit {key}", before, task, patch)
            )

        write = Write(f"edit {key}", send, key, version)
        return write if self.send_write(write) else None

    def action_comment(self) -> None:
        self.query_one("#detail-comment", Input).focus()

    @on(Input.Submitted, "#detail-comment")
    def _post_comment(self, event: Input.Submitted) -> None:
        body = event.value.strip()
        if not body or self._posting is not None or self._refuse_offline():
            self.app.bell()  # the text stays in the field
            return
        self._posting = body
        self._add_comment(self.card.key, body)

    def _add_comment(self, key: str, body: str) -> None:
        """The comment stays in its field until it is stored (then the field empties)."""

        def send(backend: Backend, _version: int | None) -> Stored[Comment]:
            return Stored(backend.add_comment(key, body))

        if not self.send_write(Write(f"comment on {key}", send)):
            self._posting = None

    def write_stored(self, write: Write[Any], result: Any) -> None:
        form = self._forms.pop(write, None)
        if form is not None:
            form.saved()
        record = cast("Stored[Task | Comment]", result).record
        if isinstance(record, Task):
            self.card = record
            self.changed = True
            self._show_task()
            self.notify(f"Saved {record.key}.", markup=False)
        else:
            field = self.query_one("#detail-comment", Input)
            if field.value.strip() == self._posting:
                field.value = ""
                self.query_one("#detail-body").focus()
            self._posting = None
            self.comments.append(record)
            self._show_comments()
            self.query_one("#detail-body", VerticalScroll).scroll_end(animate=False)

    def write_refused(self, write: Write[Any], refusal: Refusal) -> None:
        current = refusal.current
        form = self._forms.pop(write, None)
        if write.subject is None:
            self._posting = None  # a comment: it stays in its field
        if form is not None and form.waiting:  # the form keeps what was typed, and says why
            if server_away(self.backend):
                form.refused(not_stored(refusal.message))
            elif refusal.kind == "conflict":
                form.refused(
                    "Not saved: someone else changed the card meanwhile (it is shown as it "
                    "is now behind this form). Nothing was overwritten; save again to apply "
                    "your fields over theirs, or esc."
                )
            else:
                form.refused(f"Not saved: {refusal.message}")
        if refusal.kind == "conflict" and isinstance(current, Task):
            self.card = current
            self.changed = True
            self._show_task()
            if form is not None:
                return
            self.notify(
                f"{current.key} was changed by someone else; this is the card as it is now. "
                "Nothing was overwritten.",
                title="Not saved",
                severity="warning",
                markup=False,
            )
            return
        if form is not None:
            return
        if write.subject is None and server_away(self.backend):  # a comment: still typed
            self.notify(
                f"{READ_ONLY}: the comment was not posted; it is kept in its field.",
                title="Not stored",
                severity="warning",
                markup=False,
            )
            return
        self.notify(refusal.message, title="Card", severity="error", markup=False)

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.notify(message.message, title="Card", severity="error", markup=False)

    # --- the history (`h`) -------------------------------------------------------------------

    def action_history(self) -> None:
        """Show the card's history instead of its fields, or the fields again. The
        history is read again each time it is shown (the card may have changed)."""
        showing = not self.has_class("-history")
        self.set_class(showing, "-history")
        self.query_one(".dialog").border_subtitle = SUBTITLES[showing]
        self._shown_part().focus()
        if showing:
            self._read_history(self.card.key)

    def _shown_part(self) -> VerticalScroll:
        part = "#detail-history" if self.has_class("-history") else "#detail-body"
        return self.query_one(part, VerticalScroll)

    @work(thread=True, exclusive=True, group="task-detail-history")
    def _read_history(self, key: str) -> None:
        try:
            lines = history_lines(self.backend.task_history(key))
        except Exception as error:
            self.post_message(self.Failed(describe_error(error)))
            return
        self.post_message(self.HistoryRead(lines))

    @on(HistoryRead)
    def _got_history(self, message: HistoryRead) -> None:
        self.history = message.lines
        self._show_history(newest=True)

    def on_resize(self) -> None:
        if self.history:
            self._show_history()

    def show_undone(self, change: Undoable | None) -> None:
        """An undo sent from here: the card (and its history) as stored now."""
        self._read(self.card.key)

    def writes_done(self) -> None:
        """An edit or a comment made here is in the history shown."""
        if self.has_class("-history"):
            self._read_history(self.card.key)

    def _show_history(self, *, newest: bool = False) -> None:
        lines = self.history or []
        heading = self.query_one("#detail-history-heading", Label)
        count = len(lines)
        heading.update(f"History ({count} change{'s' * (count != 1)})" if lines else "History")
        now = cast("BoardApp", self.app).clock()
        part = self.query_one("#detail-history", VerticalScroll)
        # (the panel's width: the history may not be laid out yet, while it is hidden)
        width = self.query_one(".dialog").content_region.width - part.styles.scrollbar_size_vertical
        text = history_text(lines, now, width if width > 0 else HISTORY_WIDTH)
        shown = self.query_one("#detail-history-lines", Static)
        shown.update(plain_text(text or "nothing recorded yet", multiline=True))
        shown.set_class(not lines, "detail--muted")
        if newest:  # the latest changes in sight; older ones are a scroll up
            self.query_one("#detail-history", VerticalScroll).scroll_end(animate=False)


#: The border's line of keys: on the card (False), on its history (True).
SUBTITLES = {
    False: "e: edit · c: comment · h: history · esc: close",
    True: "h: back to the card · c: comment · esc: close",
}
#: The history's width before it is laid out (the dialog's, less its border and padding).
HISTORY_WIDTH = 80
#: The most of a login the history's "who" column shows.
WHO_WIDTH = 12


def history_text(lines: Sequence[HistoryLine], now: datetime, width: int) -> str:
    """The history as lines of `width` cells: when, who, what; a long "what" goes on
    under itself. Stored text in it is made printable here."""
    times = [when(line.time, now) for line in lines]
    people = [cut(line.user or "-", WHO_WIDTH) for line in lines]
    wide = max(map(cell_len, times), default=0)
    wider = max(map(cell_len, people), default=0)
    indent = wide + wider + 4
    room = max(width - indent, 20)
    shown = []
    for time, who, line in zip(times, people, lines, strict=True):
        what = textwrap.wrap(printable(line.sentence), room, break_on_hyphens=False) or [""]
        shown.append(f"{fit(time, wide)}  {fit(who, wider)}  {what[0]}")
        shown.extend(" " * indent + rest for rest in what[1:])
    return "\n".join(shown)
