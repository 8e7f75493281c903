"""Reusable dialogs: typed `ModalScreen[T]`s that `dismiss(value)` with their answer.

Push one with `push_screen(dialog, callback)` (or `push_screen_wait` from a worker);
each dismisses with its cancel value on `escape`.
"""

from tui_board.ui.dialogs.base import Dialog
from tui_board.ui.dialogs.confirm import ConfirmScreen
from tui_board.ui.dialogs.duration import DurationPrompt, LoggedTime
from tui_board.ui.dialogs.picker import PickerScreen
from tui_board.ui.dialogs.task_detail import TaskDetailScreen
from tui_board.ui.dialogs.task_form import TaskDraft, TaskForm

#: Every dialog (a screen that opens them lists them in its `SUBSCREENS`, for the app's
#: check of the config's `[keymap]` binding ids).
DIALOGS = (ConfirmScreen, DurationPrompt, PickerScreen, TaskDetailScreen, TaskForm)

__all__ = [
    "DIALOGS",
    "ConfirmScreen",
    "Dialog",
    "DurationPrompt",
    "LoggedTime",
    "PickerScreen",
    "TaskDetailScreen",
    "TaskDraft",
    "TaskForm",
]
