"""Exports: CSV as both of ours write it (`tui-board export csv`, the reports screen's
`e`), and the files other tools read (`export kimai`, `export timewarrior`, `export
actitime`), each read back by our own import to the same cells.

Exports are opened in spreadsheets, which run a cell that starts with `=`, `+`, `-` or
`@` as a formula: a card title can then fetch a URL or run a command on the reader's
machine. Every CSV cell goes through `csv_cell`, which neutralises it as OWASP advises
(our import takes the `'` off again).

The other tools keep intervals, not cells: Kimai and Timewarrior need a start time. A
person's day is laid out from its first hour (00:00 where the time was worked) one cell
after the other, in the order of the cells (project, then task number): a day holds at
most 24:00, so no interval crosses midnight and each lands back on its own day.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import groupby
from typing import Any

from tui_board.core.durations import format_duration
from tui_board.core.importing.formats import timew_moment
from tui_board.core.models import Project, TimeEntry, User
from tui_board.core.text import csv_cell, safe_json

#: Kimai's timesheet columns, as its export writes them and its importer reads them.
KIMAI_HEADER = (
    "Date", "From", "To", "Duration", "User", "Name", "E-mail", "Customer", "Project",
    "Activity", "Description", "Tags",
)  # fmt: skip


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """The rows as CSV text (`\\n` line ends), each cell made safe by `csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def task_label(entry: TimeEntry) -> str:
    """How a task is named where another tool has a name and no key: `WEB-12 Fix the
    login` (our import finds the key in it)."""
    return f"{entry.task} {entry.task_title}".strip()


def laid_out(
    entries: Iterable[TimeEntry], tz: tzinfo | None = None
) -> list[tuple[TimeEntry, datetime, datetime]]:
    """Each entry as an interval (start, end, aware): a person's day from its first
    hour, one entry after another (the module's doc). `tz`: where the time was worked
    (None: this machine's time zone)."""
    ordered = sorted(entries, key=lambda e: (e.user, e.day))
    found = []
    for (_user, day), group in groupby(ordered, key=lambda e: (e.user, e.day)):
        midnight = datetime.combine(day, time())
        cursor = midnight.replace(tzinfo=tz) if tz is not None else midnight.astimezone()
        for entry in group:
            end = cursor + timedelta(minutes=entry.minutes)
            found.append((entry, cursor, end))
            cursor = end
    return found


def kimai_csv(
    entries: Iterable[TimeEntry],
    users: Mapping[str, User],
    projects: Mapping[str, Project],
    tz: tzinfo | None = None,
) -> str:
    """A CSV Kimai's importer reads (its timesheet columns; Duration as `h:mm`)."""
    rows: list[list[Any]] = [list(KIMAI_HEADER)]
    for entry, start, end in laid_out(entries, tz):
        user = users.get(entry.user)
        project = projects.get(entry.project)
        project_name = project.name if project else entry.project
        rows.append(
            [
                entry.day.isoformat(),
                f"{start:%H:%M}",
                f"{end:%H:%M}" if end.date() == entry.day else "24:00",
                format_duration(entry.minutes),
                entry.user,
                user.name if user else entry.user,
                user.email if user else "",
                (project.customer if project else None) or project_name,
                project_name,
                task_label(entry),
                entry.comment,
                "",
            ]
        )
    return csv_text(rows)


def timewarrior_json(entries: Iterable[TimeEntry], tz: tzinfo | None = None) -> str:
    """What `timew import` reads (`timew export`'s JSON): one person's intervals in UTC,
    tagged with the task's key and title, the cell's comment as the annotation, the
    most recent first numbered 1 as Timewarrior numbers them."""
    intervals = []
    for entry, start, end in laid_out(entries, tz):
        interval: dict[str, Any] = {
            "start": timew_moment(start),
            "end": timew_moment(end),
            "tags": [entry.task, entry.task_title] if entry.task_title else [entry.task],
        }
        if entry.comment:
            interval["annotation"] = entry.comment
        intervals.append(interval)
    intervals.sort(key=lambda i: i["start"])
    for number, interval in enumerate(reversed(intervals), 1):
        interval["id"] = number
    ordered = [{"id": i["id"], **{k: v for k, v in i.items() if k != "id"}} for i in intervals]
    return safe_json(ordered, indent=1) + "\n"


def actitime_json(
    entries: Sequence[TimeEntry],
    users: Mapping[str, User],
    projects: Mapping[str, Project],
    task_ids: Mapping[str, int],
    first: date,
    last: date,
) -> str:
    """actiTIME's time-track as its API returns it (`GET /timetrack` with the users and
    tasks it refers to): a record per person, day and task, time in minutes. The ids
    are this board's."""
    data = []
    for (login, day), group in groupby(
        sorted(entries, key=lambda e: (e.user, e.day)), key=lambda e: (e.user, e.day)
    ):
        user = users.get(login)
        data.append(
            {
                "userId": user.id if user else login,
                "date": day.isoformat(),
                "dayOffset": (day - first).days,
                "records": [
                    {
                        "taskId": task_ids.get(e.task, e.task),
                        "time": e.minutes,
                        "comment": e.comment,
                    }
                    for e in group
                ],
            }
        )
    referenced_users = {
        str(u.id): {"id": u.id, "username": u.login, "fullName": u.name, "email": u.email}
        for u in users.values()
        if any(e.user == u.login for e in entries)
    }
    tasks: dict[str, Any] = {}
    for entry in entries:
        project = projects.get(entry.project)
        task_id = task_ids.get(entry.task, entry.task)
        tasks[str(task_id)] = {
            "id": task_id,
            "name": task_label(entry),
            "projectName": project.name if project else entry.project,
            "customerName": (project.customer if project else None) or "",
        }
    document = {
        "dateFrom": first.isoformat(),
        "dateTo": last.isoformat(),
        "data": data,
        "users": referenced_users,
        "tasks": tasks,
    }
    return safe_json(document, indent=1) + "\n"


__all__ = ["actitime_json", "csv_text", "kimai_csv", "laid_out", "task_label", "timewarrior_json"]
