"""A card's history in words: the change feed's rows about one card, as sentences.

The one place where `Change.data` (what each write records, see
`tui_board/backend/local/tasks.py` and `time.py`) becomes "moved from Todo to Doing",
"reassigned from alice to bob", "estimate 3:00 → 5:00". The card detail and
`tui-board task history` both show these. A sentence names no one: who did it is
`Change.user` (None for a time change by someone whose time the reader may not see).

Changes recorded before the writes kept their old values (`was`, `from`) still read
well, only without the "from" half. Stored text (titles, column names, logins) comes
back as it was stored: the caller shows it through `printable` (the screens'
`plain_text`, the CLI's `say`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from tui_board.core.durations import format_duration
from tui_board.core.models import Change

#: How much of a title a sentence quotes (and of a column's or a person's name).
TITLE_WORDS = 60
#: The fields of an update, in the order a sentence names them.
FIELD_ORDER = ("title", "assignee", "estimate", "due", "priority", "tags", "description")


@dataclass(frozen=True)
class HistoryLine:
    """One change, as a person reads it."""

    seq: int
    time: datetime
    #: Who did it; None: someone whose time the reader may not see.
    user: str | None
    #: What the change was to (`task`, `comment`, `entry`) and what it did there.
    entity: str
    action: str
    data: dict[str, Any]
    #: What happened, without who: "moved from Todo to Doing".
    sentence: str


def history_lines(changes: Iterable[Change]) -> list[HistoryLine]:
    """A card's changes (as `Backend.task_history` gives them) as lines to show."""
    return [
        HistoryLine(c.seq, c.time, c.user, c.entity, c.action, dict(c.data), sentence(c))
        for c in changes
    ]


def sentence(change: Change) -> str:
    """What a change did to its card, in words."""
    data = change.data
    entity, action = change.entity, change.action
    if entity == "task":
        if action == "create":
            column = data.get("column")
            return f"created in {_short(column)}" if column else "created"
        if action == "move":
            return _moved(data)
        if action == "update":
            return _updated(data)
        if action == "archive":
            return "archived"
        if action == "restore":
            return "restored"
        if action == "logged":
            # Someone's time entry the reader may not see: added to, lowered or cleared.
            return "time changed"
    elif entity == "comment" and action == "create":
        return "comment added"
    elif entity == "entry":
        return _time(change)
    return f"{entity} {action}"


def when(time: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """When a change was made, in local time (`tz`, default the machine's): "just now",
    "12 min ago" or "today 14:05" today, "yesterday 09:12", "Tue 1 Dec 14:05" this
    year, "Tue 1 Dec 2025 14:05" before."""
    local, today = time.astimezone(tz), now.astimezone(tz)
    clock = f"{local:%H:%M}"
    ago = today - local
    if local.date() == today.date() and ago.total_seconds() >= 0:
        minutes = int(ago.total_seconds() // 60)
        if minutes < 1:
            return "just now"
        if minutes < 60:
            return f"{minutes} min ago"
        return f"today {clock}"
    if (today.date() - local.date()).days == 1:
        return f"yesterday {clock}"
    year = "" if local.year == today.year else f" {local.year}"
    return f"{_day(local.date())}{year} {clock}"


# --- the sentences -------------------------------------------------------------------------


def _moved(data: Mapping[str, Any]) -> str:
    to, source = _short(data.get("column")), data.get("from")
    if source is None:
        return f"moved to {to}"
    if source == data.get("column"):
        return f"reordered in {to}"
    return f"moved from {_short(source)} to {to}"


def _updated(data: Mapping[str, Any]) -> str:
    was = data.get("was")
    was = was if isinstance(was, dict) else {}
    names = [n for n in FIELD_ORDER if n in data] + sorted(
        n for n in data if n not in FIELD_ORDER and n != "was"
    )
    clauses = [_field(name, data[name], was.get(name), name in was) for name in names]
    return "; ".join(clauses) or "edited"


def _field(name: str, new: Any, old: Any, known: bool) -> str:
    """One field of an update: `known` when the old value was recorded."""
    if name == "title":
        if known and old:
            return f"title changed from {_quote(old)} to {_quote(new)}"
        return f"title changed to {_quote(new)}"
    if name == "description":
        return "description changed" if new else "description cleared"
    if name == "assignee":
        new, old = _short(new), _short(old)
        if not new:
            return f"unassigned from {old}" if known and old else "unassigned"
        if known and old:
            return f"reassigned from {old} to {new}"
        return f"assigned to {new}"
    if name == "estimate":
        return _changed("estimate", _duration(new), _duration(old), known, arrow=True)
    if name == "due":
        return _changed("due", _date(new), _date(old), known)
    if name == "priority":
        return f"priority {old} → {new}" if known and old else f"priority set to {new}"
    if name == "tags":
        return _changed("tags", _tags(new), _tags(old), known, arrow=True)
    return f"{name} changed"


def _changed(what: str, new: str, old: str, known: bool, *, arrow: bool = False) -> str:
    """`estimate 3:00 → 5:00`, `due moved from Tue 1 Dec to Fri 4 Dec`, `... set to X`,
    `... cleared (was X)` (empty text: no value)."""
    if not new:
        return f"{what} cleared (was {old})" if known and old else f"{what} cleared"
    if known and old:
        return f"{what} {old} → {new}" if arrow else f"{what} moved from {old} to {new}"
    return f"{what} set to {new}"


def _time(change: Change) -> str:
    """Time on the card: the day's cell went from `was` to `minutes`."""
    data = change.data
    day = _date(data.get("day"))
    minutes = _int(data.get("minutes"))
    was = _int(data.get("was")) if "was" in data else None
    owner = data.get("user")
    whose = f" for {owner}" if owner and owner != change.user else ""
    if change.action == "delete" or not minutes:
        lost = f" (was {format_duration(was)})" if was else ""
        return f"time{whose} on {day} cleared{lost}"
    if was is None:
        return f"time{whose} on {day} set to {format_duration(minutes)}"
    if not was:
        return f"logged {format_duration(minutes)}{whose} on {day}"
    if minutes > was:
        return (
            f"logged {format_duration(minutes - was)} more{whose} on {day} "
            f"({format_duration(minutes)} that day)"
        )
    return f"time{whose} on {day} lowered from {format_duration(was)} to {format_duration(minutes)}"


# --- values as words ---------------------------------------------------------------------------


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _date(value: Any) -> str:
    """A recorded date (ISO text) as "Tue 1 Dec"; empty for none."""
    if not value:
        return ""
    try:
        return _day(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _duration(value: Any) -> str:
    return "" if value is None else format_duration(_int(value))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _tags(value: Any) -> str:
    if not value:
        return ""
    tags = [value] if isinstance(value, str) else list(value)
    return " ".join(f"#{tag}" for tag in tags)


def _quote(value: Any) -> str:
    return f'"{_short(value)}"'


def _short(value: Any) -> str:
    """Stored text as a sentence names it: at most `TITLE_WORDS` characters."""
    text = str(value or "")
    if len(text) > TITLE_WORDS:
        text = text[: TITLE_WORDS - 1].rstrip() + "…"
    return text


__all__ = ["HistoryLine", "history_lines", "sentence", "when"]
