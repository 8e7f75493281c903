"""The card's form: a new card's fields, or an existing card's fields to edit.

Every value is checked in the form; a bad one is refused there with the reason (the
form stays open and nothing is stored). Given a `save`, the form also stays open until
the store has the card: the caller sends the write and answers with `saved()` (the form
closes) or `refused(why)` (the form stays, with everything typed and the reason), so a
write that fails (the team server is away, someone changed the card) loses nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, TextArea

from tui_board.core.durations import BareUnit, format_duration, parse_duration
from tui_board.core.errors import Invalid
from tui_board.core.models import PRIORITIES, Priority, Task, TaskPatch, User
from tui_board.core.text import printable
from tui_board.core.weeks import parse_date
from tui_board.ui.dialogs.base import Dialog
from tui_board.ui.dialogs.picker import PickerScreen
from tui_board.ui.plain_text import plain_text
from tui_board.ui.widgets.text_input import TextEditor, TextInput

#: The largest estimate the store takes (10,000 hours).
MAX_ESTIMATE = 10_000 * 60
TITLE_LIMIT = 500
#: The assignee picker's value for "nobody" (None means the picker was cancelled).
NOBODY = ""


@dataclass(frozen=True)
class TaskDraft:
    """A card's fields as the form read them, checked."""

    title: str
    description: str = ""
    assignee: str | None = None
    estimate: int | None = None
    due: date | None = None
    priority: Priority = "normal"
    tags: tuple[str, ...] = ()

    @classmethod
    def of(cls, task: Task) -> TaskDraft:
        return cls(
            task.title,
            task.description,
            task.assignee,
            task.estimate,
            task.due,
            task.priority,
            task.tags,
        )

    def patch_for(self, task: Task) -> TaskPatch:
        """A patch with the fields that differ from `task` (empty when none do)."""
        before = TaskDraft.of(task)
        changed = {
            name: getattr(self, name)
            for name in ("title", "description", "assignee", "estimate", "due", "priority", "tags")
            if getattr(self, name) != getattr(before, name)
        }
        return TaskPatch(**changed)


#: How far ahead the date a field shows as an example lies (a date to come, not one past).
EXAMPLE_AHEAD = timedelta(days=19)


def parse_due(text: str, today: date) -> date | None:
    """A due date: empty for none, `2026-05-20`, `today`, `tomorrow`, or a weekday name
    (the next such day: due dates lie ahead)."""
    text = text.strip()
    if not text:
        return None
    return parse_date(text, today, ahead=True)


def describe_due(text: str, today: date) -> tuple[str, bool]:
    """A preview of the due date and whether it is valid."""
    try:
        due = parse_due(text, today)
    except Invalid as error:
        return error.message, False
    if due is None:
        return "no due date", True
    days = (due - today).days
    when = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(
        days, f"in {days} days" if days > 0 else f"{-days} days ago"
    )
    return f"{due:%a %d %b %Y} ({when})", True


def describe_estimate(text: str, bare_unit: BareUnit) -> tuple[str, bool]:
    if not text.strip():
        return "no estimate", True
    try:
        minutes = parse_duration(text, bare_unit=bare_unit, max_minutes=MAX_ESTIMATE)
    except Invalid as error:
        return error.message, False
    return f"-> {format_duration(minutes)}", True


class TaskForm(Dialog["TaskDraft | None"]):
    """Title, description, assignee (a picker), estimate (a duration), due date,
    priority and tags. `ctrl+s` or enter in a one-line field saves; `esc` cancels.

    Without `save` the form answers with the draft at once. With it, saving calls
    `save(form, draft)` and the form waits, open, until the caller says `saved()` or
    `refused(message)` (at once, or when the store answers)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s", "save", "Save", tooltip="Check the fields and save the card", id="card-save"
        ),
    ]

    DEFAULT_CSS = """
    TaskForm > .dialog {
        width: 76;
    }
    TaskForm #task-form-fields {
        height: auto;
        margin-top: 1;
    }
    TaskForm .task-form--row {
        height: auto;
    }
    TaskForm .task-form--row.-tall {
        height: 4;
    }
    TaskForm .task-form--label {
        width: 12;
        padding-right: 1;
        color: $text-muted;
        text-align: right;
    }
    TaskForm .task-form--row Input, TaskForm .task-form--row TextArea {
        width: 1fr;
    }
    TaskForm #task-form-estimate, TaskForm #task-form-due {
        width: 18;
    }
    TaskForm .task-form--row .dialog--preview {
        width: 1fr;
        height: auto;
        margin-left: 1;
    }
    TaskForm #task-form-assignee {
        width: auto;
        min-width: 16;
    }
    TaskForm #task-form-priority {
        width: 18;
    }
    TaskForm .dialog--error {
        margin-top: 1;
        width: 1fr;
        height: auto;
    }
    TaskForm .dialog--error.-saving {
        color: $text-muted;
    }
    """

    def __init__(
        self,
        title: str,
        *,
        users: Sequence[User],
        today: date,
        bare_unit: BareUnit = "hours",
        draft: TaskDraft | None = None,
        context: str = "",
        save: Callable[[TaskForm, TaskDraft], None] | None = None,
    ) -> None:
        super().__init__()
        self.save = save
        #: The draft sent with `save`, while its answer is awaited.
        self.sending: TaskDraft | None = None
        self.heading = title
        self.users = list(users)
        self.today = today
        self.bare_unit: BareUnit = bare_unit
        self.draft = draft or TaskDraft("")
        self.context = context
        self.assignee = self.draft.assignee

    def compose(self) -> ComposeResult:
        # The fields start with the card's values as the screens show them: a control
        # character stored by another client is a visible stand-in here, and saving
        # stores the stand-in.
        draft = self.draft
        estimate = format_duration(draft.estimate) if draft.estimate is not None else ""
        with Vertical(classes="dialog") as panel:
            panel.border_title = plain_text(self.heading)
            panel.border_subtitle = "ctrl+s / enter: save · tab: next field · esc: cancel"
            if self.context:
                yield Label(plain_text(self.context), classes="dialog--hint")
            with Vertical(id="task-form-fields"):
                with _row("Title"):
                    yield TextInput(printable(draft.title), id="task-form-title", compact=True)
                with _row("Description", classes="-tall"):
                    yield TextEditor(
                        printable(draft.description, multiline=True),
                        id="task-form-description",
                        compact=True,
                        tab_behavior="focus",
                        soft_wrap=True,
                    )
                with _row("Assignee"):
                    yield Button(
                        plain_text(self._assignee_label()), id="task-form-assignee", compact=True
                    )
                with _row("Estimate"):
                    yield TextInput(
                        estimate, placeholder="e.g. 4h", id="task-form-estimate", compact=True
                    )
                    yield Label("", id="task-form-estimate-preview", classes="dialog--preview")
                with _row("Due"):
                    due = draft.due.isoformat() if draft.due else ""
                    yield TextInput(
                        due,
                        placeholder=f"fri, {self.today + EXAMPLE_AHEAD}",
                        id="task-form-due",
                        compact=True,
                    )
                    yield Label("", id="task-form-due-preview", classes="dialog--preview")
                with _row("Priority"):
                    yield Select(
                        [(p, p) for p in PRIORITIES],
                        value=draft.priority,
                        allow_blank=False,
                        id="task-form-priority",
                        compact=True,
                    )
                with _row("Tags"):
                    yield TextInput(
                        printable(" ".join(draft.tags)),
                        placeholder="bug ux",
                        id="task-form-tags",
                        compact=True,
                    )
            yield Label("", classes="dialog--error", markup=False)
            with Horizontal(classes="dialog--buttons"):
                yield Button("Cancel", id="task-form-cancel", compact=True)
                yield Button("Save", id="task-form-save", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one(".dialog--error").display = False
        self._preview_estimate(self.query_one("#task-form-estimate", Input).value)
        self._preview_due(self.query_one("#task-form-due", Input).value)
        self.query_one("#task-form-title", Input).focus()

    # --- assignee -------------------------------------------------------------------------

    def _assignee_label(self) -> str:
        return f"@{self.assignee} ▾" if self.assignee else "nobody ▾"

    @on(Button.Pressed, "#task-form-assignee")
    def _pick_assignee(self) -> None:
        if self.sending is not None:  # the form stays on top until the store answers
            self.app.bell()
            return
        items = [("nobody", NOBODY)] + [
            (f"{user.login} · {user.name}", user.login) for user in self.users if user.active
        ]
        current = self.assignee or NOBODY
        self.app.push_screen(
            PickerScreen("Assign to", items, current=current), self._assignee_picked
        )

    def _assignee_picked(self, login: str | None) -> None:
        if login is None:
            return
        self.assignee = login or None
        self.query_one("#task-form-assignee", Button).label = plain_text(self._assignee_label())

    # --- live previews ----------------------------------------------------------------------

    @on(Input.Changed, "#task-form-title")
    def _title_changed(self, event: Input.Changed) -> None:
        event.input.remove_class("-invalid")

    @on(Input.Changed, "#task-form-estimate")
    def _estimate_changed(self, event: Input.Changed) -> None:
        self._preview_estimate(event.value)

    @on(Input.Changed, "#task-form-due")
    def _due_changed(self, event: Input.Changed) -> None:
        self._preview_due(event.value)

    def _preview_estimate(self, text: str) -> None:
        message, ok = describe_estimate(text, self.bare_unit)
        self._show_preview("#task-form-estimate", message, ok)

    def _preview_due(self, text: str) -> None:
        message, ok = describe_due(text, self.today)
        self._show_preview("#task-form-due", message, ok)

    def _show_preview(self, field: str, message: str, ok: bool) -> None:
        preview = self.query_one(f"{field}-preview", Label)
        preview.update(plain_text(message))
        preview.set_class(not ok, "-error")
        self.query_one(field, Input).set_class(not ok, "-invalid")

    # --- saving ---------------------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#task-form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#task-form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        if self.sending is not None:
            self.app.bell()  # saving already: one write at a time
            return
        try:
            draft = self.read()
        except _FieldError as error:
            self._refuse(error.field, error.message)
            return
        if self.save is None:
            self.dismiss(draft)
            return
        self.sending = draft
        self._show_error("Saving …", error=False)
        self.save(self, draft)

    @property
    def waiting(self) -> bool:
        """Whether the form is open and waits for the store's answer to `save`."""
        return self.sending is not None and self in self.app.screen_stack

    def saved(self) -> None:
        """The store has the card: the form closes with the draft it sent."""
        draft, self.sending = self.sending, None
        if draft is None or self not in self.app.screen_stack:
            return
        if self.app.screen is not self:
            self.pop_until_active()
        self.dismiss(draft)

    def refused(self, message: str) -> None:
        """The card was not stored: the form stays open with what was typed and why."""
        self.sending = None
        if self in self.app.screen_stack:
            self._show_error(message)
            self.app.bell()

    def read(self) -> TaskDraft:
        """The fields as a draft, or `_FieldError` naming the first bad one and why."""
        title = self.query_one("#task-form-title", Input).value.strip()
        if not title:
            raise _FieldError("#task-form-title", "A card needs a title.")
        if len(title) > TITLE_LIMIT:
            raise _FieldError(
                "#task-form-title",
                f"The title is too long ({len(title)} characters, at most {TITLE_LIMIT}).",
            )
        estimate_text = self.query_one("#task-form-estimate", Input).value
        try:
            estimate = (
                parse_duration(estimate_text, bare_unit=self.bare_unit, max_minutes=MAX_ESTIMATE)
                if estimate_text.strip()
                else None
            )
        except Invalid as error:
            raise _FieldError("#task-form-estimate", f"Estimate: {error.message}") from None
        try:
            due = parse_due(self.query_one("#task-form-due", Input).value, self.today)
        except Invalid as error:
            raise _FieldError("#task-form-due", f"Due: {error.message}") from None
        tags = tuple(
            dict.fromkeys(
                word.lstrip("#")
                for word in self.query_one("#task-form-tags", Input).value.split()
                if word.lstrip("#")
            )
        )
        priority = cast(Priority, self.query_one("#task-form-priority", Select).value)
        description = self.query_one("#task-form-description", TextArea).text.strip()
        return TaskDraft(title, description, self.assignee, estimate, due, priority, tags)

    def _show_error(self, message: str, *, error: bool = True) -> None:
        label = self.query_one(".dialog--error", Label)
        label.update(plain_text(message, multiline=True))
        label.display = bool(message)
        label.set_class(not error, "-saving")

    def _refuse(self, field: str, message: str) -> None:
        self._show_error(message)
        widget = self.query_one(field, Widget)
        widget.add_class("-invalid")
        widget.focus()
        self.app.bell()


def _row(label: str, *, classes: str = "") -> Horizontal:
    """A line of the form: its label, then what the caller composes into it."""
    row = Horizontal(classes=f"task-form--row {classes}".strip())
    row.compose_add_child(Label(label, classes="task-form--label"))
    return row


class _FieldError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
