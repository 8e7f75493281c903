"""Mapping a file's rows to this board's people, projects and tasks."""

from __future__ import annotations


def title_key(title: str) -> str:
    """How a task title is compared with another (a file's task column with the
    board's titles): blanks folded, case ignored."""
    return " ".join(title.split()).casefold()
