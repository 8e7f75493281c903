"""Reading other tools' files into `SourceRow`s: what each row says, as the file says it
(people, projects and tasks by their names there; `mapping` finds them on the board).

Written from each tool's documentation and source, and liberal in what it takes:

- CSV (Kimai, Toggl Track, Clockify, ours): columns in any order, found by their header
  (English, and Kimai's German and French); UTF-8 with or without a BOM, UTF-16 with a
  BOM (a spreadsheet's "Unicode text"), else Windows-1252; `,`, `;` or tab between
  cells, whichever the header uses; decimal commas (`1,5`).
- Durations as the tools write them: `1:30`, `01:30:00`, `1.5`, `1,5`, `PT1H30M`, and
  Toggl's `18:25 min` (minutes and seconds); a whole number in a Kimai file is hours
  (its export) or seconds (its importer's format), whichever its From and To agree with.
- Days as `2026-01-05`, `05.01.2026`, `05-01-2026`, or with slashes, `01/05/2026`, whose
  order (day or month first) is taken from the file's days themselves, or asked for
  when none of them says (`DateOrder`). Times as `09:00`, `9:00:30` or `1:00 PM`.

A row that cannot be read becomes a `SourceRow` with `refused` set (the reason): it is
listed, never guessed at.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any, Literal

from tui_board.core.durations import parse_seconds, round_seconds
from tui_board.core.errors import Invalid

DateOrder = Literal["dmy", "mdy"]

#: The formats `tui-board import` reads.
FORMATS = ("kimai", "toggl", "clockify", "timewarrior", "actitime", "csv", "json")


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One row of a file, as the file says it."""

    #: Where it is: the line a CSV record starts on, a JSON entry's number (from 1).
    line: int
    #: The person: their login (user name), e-mail and display name, as far as known.
    person: str = ""
    email: str = ""
    name: str = ""
    project: str = ""
    #: The task column (Kimai's activity, Toggl's and Clockify's task, actiTIME's task).
    task: str = ""
    #: The task's title beside its key, where the file has both (our own exports).
    title: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    #: An interval: when it started (naive: the wall clock where it was worked; aware:
    #: a moment, as Timewarrior's UTC) and how long it lasted.
    start: datetime | None = None
    seconds: Fraction | None = None
    #: A day's row: the day and its exact minutes.
    day: date | None = None
    minutes: int | None = None
    #: Why the row cannot be read ("" when it can).
    refused: str = ""


def read_file(fmt: str, data: bytes, *, date_order: DateOrder | None = None) -> list[SourceRow]:
    """The rows of a file in one of `FORMATS`; Invalid when it is not such a file."""
    readers: dict[str, Callable[[bytes, DateOrder | None], list[SourceRow]]] = {
        "kimai": _kimai,
        "toggl": _toggl,
        "clockify": _clockify,
        "timewarrior": lambda data, _order: _timewarrior(data),
        "actitime": lambda data, _order: _actitime(data),
        "csv": _board_csv,
        "json": lambda data, _order: _board_json(data),
    }
    if fmt not in readers:
        raise Invalid(f"cannot import {fmt!r}; the formats are {', '.join(FORMATS)}")
    return readers[fmt](data, date_order)


# --- text and CSV ---------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """A file's text: UTF-16 or UTF-8 by their BOM, else UTF-8, else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # (an odd byte at the end, or a lone surrogate: a stand-in, and the row says so)
        return data.decode("utf-16", errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(first_line: str) -> str:
    """The separator the header uses: the most frequent of `,` `;` and tab outside
    quotes."""
    counts = {sep: 0 for sep in ",;\t"}
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def normal_header(text: str) -> str:
    """A header as the readers look it up: no BOM or quotes, blanks folded, any case."""
    return " ".join(text.replace("\ufeff", "").strip().strip('"').split()).casefold()


@dataclass
class Table:
    """A CSV file's records with the line each starts on, each holding only the cells of
    the fields asked for (`columns`: field -> place in a record)."""

    columns: dict[str, int]
    records: list[tuple[int, tuple[str, ...]]]


def _first_line(text: str) -> str:
    """The first line of `text` that is not blank (without splitting all of it)."""
    at = 0
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        if text[at:end].strip():
            return text[at:end]
        at = end + 1
    return ""


def read_table(data: bytes, aliases: Mapping[str, Sequence[str]]) -> Table:
    """A CSV file's records, found by their header: for each field of `aliases`, the
    first of its names the header has (normalised, `normal_header`)."""
    text = decode(data)
    first = _first_line(text)
    if not first:
        return Table({}, [])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    columns: dict[str, int] | None = None
    keep: list[int] = []
    records = []
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if columns is None:
                header = [normal_header(cell) for cell in record]
                found = {}
                for name, names in aliases.items():
                    at = next((header.index(a) for a in names if a in header), None)
                    if at is not None:
                        found[name] = at
                keep = sorted(set(found.values()))
                columns = {name: keep.index(at) for name, at in found.items()}
                continue
            width = len(record)
            records.append((start, tuple(record[i] if i < width else "" for i in keep)))
    except csv.Error as error:  # a cell over the module's 128 KiB, say
        raise Invalid(f"line {line} cannot be read as CSV ({error})") from None
    return Table(columns or {}, records)


def _cell(record: Sequence[str], columns: Mapping[str, int], name: str) -> str:
    at = columns.get(name)
    if at is None or at >= len(record):
        return ""
    return record[at].strip()


def one_line(text: str) -> str:
    """Text from a file made one line: every run of blanks (a multi-line description's
    newlines too) one space."""
    return " ".join(text.split())


def _table(
    data: bytes,
    aliases: Mapping[str, Sequence[str]],
    needed: Sequence[Sequence[str]],
    what: str,
) -> tuple[Table, dict[str, int]]:
    """A CSV file and its columns by field; Invalid unless, for each group of `needed`,
    one of its fields has a column."""
    table = read_table(data, aliases)
    columns = table.columns
    if not columns and not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise Invalid(f"this {what} file is empty")
    for group in needed:
        if not any(name in columns for name in group):
            names = " or ".join(group)
            raise Invalid(f"this is not {_a(what)} file: it has no {names} column")
    return table, columns


# --- days, times, durations -----------------------------------------------------------------

_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DMY_DOTS = re.compile(r"(\d{1,2})[.-](\d{1,2})[.-](\d{4}|\d{2})")
_SLASHES = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
_TIME = re.compile(
    r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?\s*(?:([ap])\.?\s*m\.?)?", re.IGNORECASE
)


def slash_order(texts: Sequence[str], asked: DateOrder | None) -> DateOrder | None:
    """The order of a file's slash dates (`01/05/2026`): as asked, else as the file's
    days show it (a first number over 12 is a day, a second one over 12 is too);
    Invalid when they contradict each other or when none says and some are slashed."""
    if asked is not None:
        return asked
    day_first = month_first = slashed = False
    for text in texts:
        found = _SLASHES.match(text.strip())
        if found is None:
            continue
        slashed = True
        first, second = int(found[1]), int(found[2])
        day_first = day_first or first > 12
        month_first = month_first or second > 12
    if day_first and month_first:
        raise Invalid("this file's days are written both day first and month first")
    if day_first:
        return "dmy"
    if month_first:
        return "mdy"
    if slashed:
        raise Invalid(
            "days such as 03/04/2026 can be read as 3 April or 4 March, and none of this "
            "file's says which; add --dates dmy (day first) or --dates mdy (month first)"
        )
    return None


def parse_day(text: str, order: DateOrder | None = None) -> date:
    """A day as files write it (the module's doc); ValueError when it is not one."""
    text = text.strip()
    if found := _YMD.match(text):
        year, month, day = int(found[1]), int(found[2]), int(found[3])
    elif (found := _SLASHES.match(text)) and order is not None:
        first, second = int(found[1]), int(found[2])
        day, month = (first, second) if order == "dmy" else (second, first)
        year = _year(found[3])
    elif found := _DMY_DOTS.match(text):
        day, month, year = int(found[1]), int(found[2]), _year(found[3])
    else:
        raise ValueError(f"{text!r} is not a day")
    if found.end() < len(text) and text[found.end()] not in " T":
        raise ValueError(f"{text!r} is not a day")
    try:
        return date(year, month, day)
    except ValueError as error:  # `month must be in 1..12`: which day, and why
        raise ValueError(f"{text!r} is not a day ({error})") from None


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def parse_time(text: str) -> time:
    """A time of day: `09:00`, `9:00:30`, `13.00`, `1:00 PM`; ValueError if not one."""
    found = _TIME.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not a time of day")
    hour, minute, second = int(found[1]), int(found[2]), int(found[3] or 0)
    if found[4]:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r} is not a time of day")
        hour = hour % 12 + (12 if found[4].lower() == "p" else 0)
    if hour == 24 and minute == second == 0:
        hour = 0  # "24:00", the end of a day: the next day's midnight (see `_interval`)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{text!r} is not a time of day")
    return time(hour, minute, second)


def parse_moment(day_text: str, time_text: str, order: DateOrder | None) -> datetime:
    """A day and a time of day as a naive (wall clock) moment. The day's cell may hold
    the time itself (`2026-01-05 09:00`)."""
    day = parse_day(day_text, order)
    rest = day_text.strip()[10:].strip(" T") if _YMD.match(day_text.strip()) else ""
    clock = time_text or rest
    moment = datetime.combine(day, parse_time(clock) if clock else time())
    if clock and clock.strip().startswith("24"):
        moment += timedelta(days=1)
    return moment


_MIN_SEC = re.compile(r"(\d+):(\d{2})\s*min", re.IGNORECASE)


def file_seconds(text: str) -> Fraction:
    """A duration as the tools write it, in exact seconds (ValueError if not one)."""
    text = text.strip()
    if found := _MIN_SEC.fullmatch(text):  # Toggl: "18:25 min"
        return Fraction(int(found[1]) * 60 + int(found[2]))
    try:
        return parse_seconds(text)
    except Invalid as error:
        raise ValueError(error.message) from None


# --- interval files: Kimai, Toggl Track, Clockify ---------------------------------------------

KIMAI_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "datum"),
    "from": ("from", "begin", "von", "de", "start"),
    "to": ("to", "end", "bis", "à", "a"),
    "duration": ("duration", "dauer", "durée", "duration (h)"),
    "person": ("user", "username", "benutzer", "nom d'utilisateur", "utilisateur"),
    "name": ("name", "alias"),
    "email": ("e-mail", "email", "courriel"),
    "project": ("project", "projekt", "projet"),
    "task": ("activity", "tätigkeit", "activité", "aktivität"),
    "description": ("description", "beschreibung", "comment"),
    "tags": ("tags", "schlagworte", "mots-clés"),
}

TOGGL_COLUMNS: dict[str, tuple[str, ...]] = {
    "start date": ("start date",),
    "start time": ("start time",),
    "end date": ("end date",),
    "end time": ("end time",),
    "duration": ("duration",),
    "name": ("user", "member"),
    "email": ("email", "e-mail"),
    "project": ("project",),
    "task": ("task",),
    "description": ("description",),
    "tags": ("tags",),
}

CLOCKIFY_COLUMNS: dict[str, tuple[str, ...]] = {
    "start date": ("start date",),
    "start time": ("start time",),
    "end date": ("end date",),
    "end time": ("end time",),
    "duration": ("duration (h)", "duration"),
    "decimal": ("duration (decimal)",),
    "name": ("user",),
    "email": ("email", "e-mail"),
    "project": ("project",),
    "task": ("task",),
    "description": ("description",),
    "tags": ("tags",),
}


def _kimai(data: bytes, order: DateOrder | None) -> list[SourceRow]:
    table, columns = _table(data, KIMAI_COLUMNS, [("date",), ("from", "duration")], "Kimai")
    order = slash_order([_cell(r, columns, "date") for _, r in table.records], order)
    rows = []
    for line, record in table.records:
        get = _getter(record, columns)
        try:
            if not get("from"):  # a day's time, no interval
                day = parse_day(get("date"), order)
                minutes = round_seconds(file_seconds(get("duration")))
                rows.append(replace(_interval_row(line, get, None, None), day=day, minutes=minutes))
                continue
            start = parse_moment(get("date"), get("from"), order)
            interval = _interval(start, get("to")) if get("to") else None
            seconds = _kimai_seconds(get("duration"), interval)
        except ValueError as error:
            rows.append(SourceRow(line, refused=str(error)))
            continue
        rows.append(_interval_row(line, get, start, seconds))
    return rows


def _kimai_seconds(text: str, interval: Fraction | None) -> Fraction:
    """Kimai's Duration: `1:30`, `1.5`, `1,5` as such; a whole number is hours (its
    export's decimal hours) unless From and To show it is seconds (its importer's)."""
    if not text:
        if interval is None:
            raise ValueError("the row has neither a duration nor From and To")
        return interval
    if text.isdigit():
        whole = int(text)
        if interval is not None and abs(whole - interval) <= 60 < abs(whole * 3600 - interval):
            return Fraction(whole)
    return file_seconds(text)


def _toggl(data: bytes, order: DateOrder | None) -> list[SourceRow]:
    return _start_end_file(data, order, TOGGL_COLUMNS, "Toggl Track detailed report")


def _clockify(data: bytes, order: DateOrder | None) -> list[SourceRow]:
    return _start_end_file(data, order, CLOCKIFY_COLUMNS, "Clockify detailed report")


def _start_end_file(
    data: bytes, order: DateOrder | None, aliases: Mapping[str, Sequence[str]], what: str
) -> list[SourceRow]:
    """Toggl's and Clockify's: start and end as a day and a time each, a duration."""
    table, columns = _table(
        data, aliases, [("start date",), ("duration", "decimal", "end date")], what
    )
    days = [_cell(r, columns, n) for _, r in table.records for n in ("start date", "end date")]
    order = slash_order(days, order)
    rows = []
    for line, record in table.records:
        get = _getter(record, columns)
        try:
            start = parse_moment(get("start date"), get("start time"), order)
            if get("duration"):
                seconds = file_seconds(get("duration"))
            elif get("decimal"):
                seconds = file_seconds(get("decimal"))
            else:
                end = parse_moment(get("end date"), get("end time"), order)
                seconds = _seconds_between(start, end)
        except ValueError as error:
            rows.append(SourceRow(line, refused=str(error)))
            continue
        rows.append(_interval_row(line, get, start, seconds))
    return rows


def _getter(record: Sequence[str], columns: Mapping[str, int]) -> Callable[[str], str]:
    """A record's cells by field, each as it was before a spreadsheet-safe export put a
    `'` before it (`unquoted`)."""
    return lambda name: unquoted(_cell(record, columns, name))


def _interval(start: datetime, to_text: str) -> Fraction:
    """The seconds from `start` to a time of day on its day (the next day's when it is
    earlier: a night shift)."""
    end = datetime.combine(start.date(), parse_time(to_text))
    if to_text.strip().startswith("24") or end < start:
        end += timedelta(days=1)
    return _seconds_between(start, end)


def _seconds_between(start: datetime, end: datetime) -> Fraction:
    if end < start:
        raise ValueError("the row ends before it starts")
    return Fraction((end - start) // timedelta(microseconds=1), 1_000_000)


def _interval_row(
    line: int, get: Callable[[str], str], start: datetime | None, seconds: Fraction | None
) -> SourceRow:
    return SourceRow(
        line,
        person=get("person"),
        email=get("email"),
        name=get("name"),
        project=one_line(get("project")),
        task=one_line(get("task")),
        tags=_tags(get("tags")),
        description=one_line(get("description")),
        start=start,
        seconds=seconds,
    )


def _tags(text: str) -> tuple[str, ...]:
    return tuple(t for t in (one_line(part) for part in text.split(",")) if t)


# --- Timewarrior -----------------------------------------------------------------------------

_TIMEW_MOMENT = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")


def _timewarrior(data: bytes) -> list[SourceRow]:
    """`timew export`: a JSON list of intervals, `start`/`end` in UTC as
    `20260105T080000Z`, `tags` and an `annotation`; an interval with no end is still
    running and is not imported."""
    entries = _json(data, "Timewarrior export")
    if not isinstance(entries, list):
        raise Invalid("this is not a Timewarrior export: it is not a JSON list of intervals")
    rows = []
    for line, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or "start" not in entry:
            rows.append(SourceRow(line, refused="not an interval (no start)"))
            continue
        tags = tuple(one_line(str(t)) for t in entry.get("tags") or () if str(t).strip())
        annotation = one_line(str(entry.get("annotation") or ""))
        try:
            start = _timew_moment(entry["start"])
            if not entry.get("end"):
                raise ValueError("the interval is still running (it has no end); stop it first")
            seconds = _seconds_between(start, _timew_moment(entry["end"]))
        except ValueError as error:
            rows.append(SourceRow(line, tags=tags, refused=str(error)))
            continue
        rows.append(
            SourceRow(line, tags=tags, description=annotation, start=start, seconds=seconds)
        )
    return rows


def _timew_moment(value: Any) -> datetime:
    text = str(value).strip()
    if found := _TIMEW_MOMENT.fullmatch(text):
        year, month, day, hour, minute, second = (int(g) for g in found.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a moment (20260105T080000Z)") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def timew_moment(moment: datetime) -> str:
    """A moment as Timewarrior writes it: UTC, `20260105T080000Z`."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# --- actiTIME ---------------------------------------------------------------------------------


def _actitime(data: bytes) -> list[SourceRow]:
    """actiTIME's time-track as its REST API returns it (`GET /timetrack`): `data`, a
    list of a user's day (`userId`, `date`, `records` of `taskId`, `time` in minutes,
    `comment`), with the users and tasks it refers to when asked for
    (`includeReferenced`: `users`, `tasks`, keyed by id). A flat list of records, each
    with its `userId` and `date`, is read too."""
    found = _json(data, "actiTIME time-track")
    if isinstance(found, dict):
        days = found.get("data")
        users = _by_id(found.get("users"))
        tasks = _by_id(found.get("tasks"))
        projects = _by_id(found.get("projects"))
    else:
        days, users, tasks, projects = found, {}, {}, {}
    if not isinstance(days, list):
        raise Invalid("this is not an actiTIME time-track: it has no list of days (`data`)")
    rows = []
    line = 0
    for entry in days:
        if not isinstance(entry, dict):
            line += 1
            rows.append(SourceRow(line, refused="not a day of time-track"))
            continue
        records = entry.get("records")
        for record in records if isinstance(records, list) else [entry]:
            line += 1
            rows.append(_actitime_row(line, entry, record, users, tasks, projects))
    return rows


def _by_id(value: Any) -> dict[str, dict[str, Any]]:
    """Referenced objects by their id as text, from a dict keyed by id or a list."""
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if isinstance(v, dict)}
    if isinstance(value, list):
        return {str(v.get("id")): v for v in value if isinstance(v, dict)}
    return {}


def _actitime_row(
    line: int,
    day_entry: dict[str, Any],
    record: Any,
    users: Mapping[str, dict[str, Any]],
    tasks: Mapping[str, dict[str, Any]],
    projects: Mapping[str, dict[str, Any]],
) -> SourceRow:
    if not isinstance(record, dict):
        return SourceRow(line, refused="not a time-track record")
    user_id = str(record.get("userId", day_entry.get("userId", "")))
    task_id = str(record.get("taskId", ""))
    user = users.get(user_id, {})
    task = tasks.get(task_id, {})
    project = projects.get(str(task.get("projectId")), {})
    minutes = record.get("time")
    try:
        day = date.fromisoformat(str(record.get("date", day_entry.get("date", ""))))
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0:
            raise ValueError(f"{minutes!r} is not a number of minutes")
    except ValueError as error:
        return SourceRow(line, refused=str(error))
    full_name = " ".join(str(user.get(k) or "") for k in ("firstName", "lastName") if user.get(k))
    return SourceRow(
        line,
        person=str(user.get("username") or user_id),
        email=str(user.get("email") or ""),
        name=str(user.get("fullName") or full_name),
        project=one_line(str(task.get("projectName") or project.get("name") or "")),
        task=one_line(str(task.get("name") or task_id)),
        description=one_line(str(record.get("comment") or "")),
        day=day,
        minutes=minutes,
    )


# --- ours: `tui-board export csv` and `export json` ------------------------------------------

BOARD_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day"),
    "person": ("user",),
    "project": ("project",),
    "task": ("task",),
    "title": ("title", "task_title"),
    "minutes": ("minutes",),
    "hours": ("hours",),
    "comment": ("comment",),
}


def _board_csv(data: bytes, order: DateOrder | None) -> list[SourceRow]:
    needed = [("date",), ("person",), ("task",), ("minutes", "hours")]
    table, columns = _table(data, BOARD_COLUMNS, needed, "tui-board CSV")
    rows = []
    for line, record in table.records:
        get = _getter(record, columns)
        fields = {name: get(name) for name in BOARD_COLUMNS}
        rows.append(_board_row(line, fields, order))
    return rows


def _board_json(data: bytes) -> list[SourceRow]:
    entries = _json(data, "tui-board JSON export")
    if not isinstance(entries, list):
        raise Invalid("this is not a tui-board JSON export: it is not a list of entries")
    rows = []
    for line, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            rows.append(SourceRow(line, refused="not an entry"))
            continue
        fields = {
            "date": str(entry.get("day", "")),
            "person": str(entry.get("user", "")),
            "project": str(entry.get("project", "")),
            "task": str(entry.get("task", "")),
            "title": str(entry.get("task_title", "")),
            "minutes": str(entry.get("minutes", "")),
            "hours": "",
            "comment": str(entry.get("comment") or ""),
        }
        rows.append(_board_row(line, fields, None))
    return rows


def _board_row(line: int, fields: Mapping[str, str], order: DateOrder | None) -> SourceRow:
    try:
        day = parse_day(fields["date"], order)
        given = fields["minutes"].strip()
        if given:
            if given.startswith("-") and given[1:].isdigit():
                raise ValueError(f"{given} minutes is negative; time cannot be negative")
            if not given.isdigit():
                raise ValueError(f"{given!r} is not a number of minutes")
            minutes = int(given)
        elif fields["hours"].strip():
            minutes = round_seconds(file_seconds(fields["hours"]))
        else:  # (a short row: fewer cells than the header has columns)
            raise ValueError("no minutes or hours on this line")
    except ValueError as error:
        return SourceRow(line, refused=str(error))
    return SourceRow(
        line,
        person=fields["person"],
        project=fields["project"],
        task=fields["task"] or fields["title"],
        title=fields["title"],
        description=one_line(fields["comment"]),
        day=day,
        minutes=minutes,
    )


def unquoted(cell: str) -> str:
    """A cell of our CSV as it was stored: the `'` our export puts before a cell that a
    spreadsheet would run as a formula (`core.text.csv_cell`) taken off again."""
    if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return cell[1:]
    return cell


def _json(data: bytes, what: str) -> Any:
    text = decode(data)
    if not text.strip(" \t\r\n\ufeff"):
        raise Invalid(f"this {what} is empty")
    try:
        return json.loads(text)
    except ValueError as error:
        raise Invalid(f"this is not {_a(what)}: it is not JSON ({error})") from None
    except RecursionError:
        raise Invalid(f"this is not {_a(what)}: its JSON nests too deep") from None


def _a(what: str) -> str:
    """`a Kimai file`, `an actiTIME time-track`."""
    return f"{'an' if what[:1].lower() in 'aeiou' else 'a'} {what}"


__all__ = [
    "FORMATS",
    "DateOrder",
    "SourceRow",
    "decode",
    "file_seconds",
    "normal_header",
    "one_line",
    "parse_day",
    "parse_moment",
    "parse_time",
    "read_file",
    "read_table",
    "slash_order",
    "timew_moment",
    "unquoted",
]
