"""Ask for a duration (a day, and a comment), showing what will be stored while the user
types. The day is read as the timesheet's quick entry reads it (`parse_date`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from tui_board.core.durations import DAY_MINUTES, BareUnit, describe_parse, parse_duration
from tui_board.core.errors import Invalid
from tui_board.core.text import check_text
from tui_board.core.weeks import parse_date
from tui_board.ui.dialogs.base import Dialog
from tui_board.ui.plain_text import plain_text
from tui_board.ui.widgets.text_input import TextInput


@dataclass(frozen=True)
class LoggedTime:
    """The answer: whole minutes, the comment (empty when none), and the day (None when
    the prompt asked for none)."""

    minutes: int
    comment: str = ""
    day: date | None = None


class DurationPrompt(Dialog["LoggedTime | None"]):
    """`1h30` shows `1h30 -> 1:30` before enter stores it; a value the parser refuses
    shows why, and enter does nothing but ring the bell."""

    DEFAULT_CSS = """
    DurationPrompt .duration--context {
        margin-top: 1;
        color: $text-muted;
    }
    DurationPrompt .duration--refused {
        margin-top: 1;
        width: 1fr;
        height: auto;
        color: $text-error;
    }
    DurationPrompt .duration--label {
        margin-top: 1;
    }
    DurationPrompt .dialog--preview {
        height: auto;
    }
    """

    def __init__(
        self,
        title: str,
        *,
        context: str = "",
        bare_unit: BareUnit = "hours",
        max_minutes: int | None = DAY_MINUTES,
        initial: str = "",
        with_comment: bool = True,
        today: date | None = None,
        initial_day: str = "",
        initial_comment: str = "",
        refused: str = "",
    ) -> None:
        super().__init__()
        #: Asked again after the store refused what was typed: the day and the comment
        #: as they were, and why (shown above the fields).
        self.initial_day = initial_day
        self.initial_comment = initial_comment
        self.refused = refused
        self.heading = title
        self.context = context
        self.bare_unit: BareUnit = bare_unit
        self.max_minutes = max_minutes
        self.initial = initial
        self.with_comment = with_comment
        #: With a day: empty is today, else `yesterday`, `mon`, `-2`, `2026-11-24`.
        self.today = today

    def compose(self) -> ComposeResult:
        unit = "hours" if self.bare_unit == "hours" else "minutes"
        with Vertical(classes="dialog") as panel:
            panel.border_title = plain_text(self.heading)
            panel.border_subtitle = "enter: store · esc: cancel"
            if self.context:
                yield Label(plain_text(self.context), classes="duration--context")
            if self.refused:
                yield Label(plain_text(self.refused), classes="duration--refused -error")
            yield Label(
                f"Duration (1h30, 1:30, 90m, 1.5; a bare number is {unit})",
                classes="duration--label",
                markup=False,
            )
            yield TextInput(
                self.initial, placeholder="e.g. 1h30", id="duration-value", compact=True
            )
            yield Label("", classes="dialog--preview", markup=False)
            if self.today is not None:
                yield Label(
                    "Day (empty: today; yesterday, mon, -2, 2026-11-24)",
                    classes="duration--label",
                    markup=False,
                )
                yield TextInput(
                    self.initial_day, placeholder="today", id="duration-day", compact=True
                )
                yield Label(
                    self._day_text(""), classes="dialog--preview duration--day", markup=False
                )
            if self.with_comment:
                yield Label("Comment (optional)", classes="duration--label", markup=False)
                yield TextInput(
                    self.initial_comment,
                    placeholder="what you did",
                    id="duration-comment",
                    compact=True,
                )

    def on_mount(self) -> None:
        self._preview(self.initial)

    @on(Input.Changed, "#duration-value")
    def _changed(self, event: Input.Changed) -> None:
        self._preview(event.value)

    def _preview(self, text: str) -> None:
        preview = self.query_one(".dialog--preview", Label)
        if not text.strip():
            preview.update("")
            preview.remove_class("-error")
            return
        try:
            parse_duration(text, bare_unit=self.bare_unit, max_minutes=self.max_minutes)
        except Invalid:
            ok = False
        else:
            ok = True
        preview.update(plain_text(describe_parse(text, self.bare_unit, self.max_minutes)))
        preview.set_class(not ok, "-error")
        self.query_one("#duration-value", Input).set_class(not ok, "-invalid")

    @on(Input.Changed, "#duration-day")
    def _day_changed(self, event: Input.Changed) -> None:
        self._day_text(event.value, show=True)

    def _day_text(self, text: str, *, show: bool = False) -> str:
        """What the day typed reads as (`Tue 24 Nov 2026`), or why it cannot be read."""
        try:
            day = self._day(text)
        except Invalid as error:
            shown, ok = error.message, False
        else:
            shown, ok = (f"{day:%a %d %b %Y}" if day else ""), True
        if show:
            label = self.query_one(".duration--day", Label)
            label.update(plain_text(shown))
            label.set_class(not ok, "-error")
            self.query_one("#duration-day", Input).set_class(not ok, "-invalid")
        return shown

    def _day(self, text: str) -> date | None:
        if self.today is None:
            return None
        return parse_date(text, self.today) if text.strip() else self.today

    @on(Input.Submitted)
    def _submitted(self) -> None:
        day = None
        if self.today is not None:
            field = self.query_one("#duration-day", Input)
            try:
                day = self._day(field.value)
            except Invalid:
                self._day_text(field.value, show=True)
                field.focus()
                self.app.bell()
                return
        text = self.query_one("#duration-value", Input).value
        try:
            minutes = parse_duration(text, bare_unit=self.bare_unit, max_minutes=self.max_minutes)
        except Invalid as error:
            preview = self.query_one(".dialog--preview", Label)
            preview.update(plain_text(error.message))
            preview.add_class("-error")
            self.query_one("#duration-value", Input).focus()
            self.app.bell()
            return
        comment = ""
        if self.with_comment:
            field = self.query_one("#duration-comment", Input)
            try:  # what the store would refuse after the dialog closed, said here
                comment = check_text(field.value, "The comment").strip()
            except Invalid as unsafe:
                preview = self.query_one(".dialog--preview", Label)
                preview.update(plain_text(f"{unsafe.message}."))
                preview.add_class("-error")
                field.focus()
                self.app.bell()
                return
        self.dismiss(LoggedTime(minutes, comment, day))
