"""Reusable dialogs: typed `ModalScreen[T]`s that `dismiss(value)` with their answer.

Push one with `push_screen(dialog, callback)` (or `push_screen_wait` from a worker);
each dismisses with its cancel value on `escape`.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Where each dialog lives. The package imports a dialog when it is first asked for:
#: the task form alone costs more to import than the board's first frame can spare.
_HOMES = {
    "Dialog": "base",
    "ConfirmScreen": "confirm",
    "DurationPrompt": "duration",
    "LoggedTime": "duration",
    "PickerScreen": "picker",
    "TaskDetailScreen": "task_detail",
    "TaskDraft": "task_form",
    "TaskForm": "task_form",
    "TextPrompt": "text_prompt",
}
#: Every dialog screen, for the app's check of the config's `[keymap]` binding ids.
_DIALOG_NAMES = ("ConfirmScreen", "DurationPrompt", "PickerScreen", "TaskDetailScreen", "TaskForm")


def __getattr__(name: str) -> Any:
    if name == "DIALOGS":
        return tuple(__getattr__(dialog) for dialog in _DIALOG_NAMES)
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


__all__ = ["DIALOGS", *_HOMES]
