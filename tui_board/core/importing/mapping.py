"""Mapping a file's rows (`formats.SourceRow`) to this board: people, projects, tasks and
days. What cannot be mapped is refused with the reason; what is mapped becomes the
`ImportRow`s a Backend stores (`Backend.import_rows`, which checks every rule again).

- People: by the map file (`--map`), then by login, e-mail, or name (when only one
  person has it), whichever the file gives; a file that names nobody (Timewarrior's)
  is one person's, the one the import is for (`Options.user`).
- Projects: `--project` for every row; else by the map file, key or name.
- Tasks: a task key (`WEB-12`) in the task column, or in the description (`WEB-12 fixed
  the login`); else the map file; else the task column's text as a title in the row's
  project (Timewarrior: each tag in turn); a row with no task text goes to the
  project's task titled `NO_TASK_TITLE`. A project or task that is not on the board is
  made with `--create` (admins): a project is given a key from its name.
- Days: an interval is split at midnight where it was worked (`Options.tz`: this
  machine's time zone unless said), so a night shift lands on two days. Seconds become
  minutes by `round_seconds`'s rule (half a minute up): the whole interval's, and each
  part gets its end's rounded minutes less its start's (counted from the interval's
  start), so the parts always add up to the whole. A part of no minutes (a few seconds after
  midnight) is dropped; an interval of no minutes at all is refused.
- The same entry twice in a file (same person, start, duration, task and description)
  is counted once; the second is listed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from fractions import Fraction
from functools import lru_cache
from typing import Any

from tui_board.core.durations import DAY_MINUTES, format_duration, round_microseconds
from tui_board.core.errors import Invalid
from tui_board.core.importing.formats import SourceRow
from tui_board.core.models import ImportRefusal, ImportRow, Project, Task, User

#: The task a row that names none goes to (in its project).
NO_TASK_TITLE = "Imported time"

#: A task key anywhere in a task column (any case), or in a description (capitals).
_KEY_ANY_CASE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9]{0,9})-([0-9]{1,9})(?![0-9A-Za-z])"
)
_KEY_CAPITALS = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Z0-9]{0,9})-([0-9]{1,9})(?![0-9A-Za-z])")
#: What a project key is (the service layer's rule).
_PROJECT_KEY = re.compile(r"[A-Z][A-Z0-9]{0,9}")


def title_key(title: str) -> str:
    """How a task title is compared with another (a file's task column with the
    board's titles): blanks folded, case ignored."""
    return " ".join(title.split()).casefold()


@dataclass(frozen=True)
class MapFile:
    """`--map users.toml`: the file's names for people, projects and tasks, each to a
    login, a project key or a task key:

        [users]
        "Ann Example" = "ann"
        "ann@old.example" = "ann"
        "17" = "ann"          # actiTIME's user id
        [projects]
        "Website relaunch" = "WEB"
        [tasks]
        "Meetings" = "OPS-3"
    """

    users: Mapping[str, str] = field(default_factory=dict)
    projects: Mapping[str, str] = field(default_factory=dict)
    tasks: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, data: Mapping[str, Any]) -> MapFile:
        """From a parsed TOML file; Invalid for anything but these three tables of text."""
        unknown = set(data) - {"users", "projects", "tasks"}
        if unknown:
            raise Invalid(
                f"the map file has [{sorted(unknown)[0]}]; it takes [users], [projects], [tasks]"
            )
        tables: dict[str, dict[str, str]] = {}
        for section in ("users", "projects", "tasks"):
            table = data.get(section, {})
            if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
                raise Invalid(f'the map file\'s [{section}] maps names to text, e.g. "Ann" = "ann"')
            tables[section] = {title_key(k): v.strip() for k, v in table.items()}
        return cls(tables["users"], tables["projects"], tables["tasks"])


@dataclass(frozen=True)
class Options:
    #: The person of rows that name nobody (a Timewarrior export is one person's).
    user: str
    #: Every row's project (`--project KEY`), else the file's.
    project: str | None = None
    #: Projects and tasks that are not on the board are to be made (`--create`).
    create: bool = False
    #: Where the file's times were worked: None for this machine's time zone.
    tz: tzinfo | None = None


@dataclass
class Mapped:
    rows: list[ImportRow] = field(default_factory=list)
    refused: list[ImportRefusal] = field(default_factory=list)

    def refuse(self, line: int, reason: str) -> None:
        self.refused.append(ImportRefusal(line, reason))


class Board:
    """The board as mapping sees it: people, projects and tasks by what files name them."""

    def __init__(self, users: Sequence[User], projects: Sequence[Project], tasks: Sequence[Task]):
        self.logins = {u.login.casefold(): u.login for u in users}
        self.emails = {u.email.casefold(): u.login for u in users if u.email}
        names: dict[str, list[str]] = defaultdict(list)
        for u in users:
            names[title_key(u.name)].append(u.login)
        self.names = names
        self.project_keys = {p.key for p in projects}
        project_names: dict[str, list[str]] = defaultdict(list)
        for p in projects:
            project_names[title_key(p.name)].append(p.key)
        self.project_names = project_names
        self.tasks = {t.key for t in tasks}
        #: Each task's title (title key), to tell this board's WEB-1 from another's.
        self.task_titles = {t.key: title_key(t.title) for t in tasks}
        #: (project key, title key) -> the task's key: the open one of lowest number.
        self.titles: dict[tuple[str, str], str] = {}
        for t in sorted(tasks, key=lambda t: (not t.archived, -t.number)):
            self.titles[(t.project, title_key(t.title))] = t.key


def map_rows(
    rows: Sequence[SourceRow],
    board: Board,
    options: Options,
    map_file: MapFile | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> Mapped:
    """The file's rows as `ImportRow`s, and those refused with the reason. `progress`
    is told of every thousand rows mapped."""
    mapper = _Mapper(board, options, map_file or MapFile())
    mapped = Mapped()
    seen: dict[tuple[Any, ...], int] = {}
    for at, row in enumerate(rows, 1):
        if progress is not None and at % 1000 == 0:
            progress(1000)
        if row.refused:
            mapped.refuse(row.line, row.refused)
            continue
        same = (
            row.person, row.email, row.name, row.start, row.seconds, row.day, row.minutes,
            row.project, row.task, row.tags, row.description,
        )  # fmt: skip
        if same in seen:
            mapped.refuse(row.line, f"the same entry as line {seen[same]}; counted once")
            continue
        seen[same] = row.line
        try:
            login = mapper.person(row)
            task, project, title, project_name = mapper.task(row)
            parts = split_days(row, options.tz)
        except Invalid as error:
            mapped.refuse(row.line, error.message)
            continue
        except (OverflowError, ValueError):  # a day at the calendar's end, say
            mapped.refuse(row.line, "its days are beyond the calendar")
            continue
        for day, minutes, started, through in parts:
            mapped.rows.append(
                ImportRow(
                    line=row.line,
                    user=login,
                    day=day,
                    minutes=minutes,
                    started=started,
                    through=through,
                    comment=row.description,
                    task=task,
                    project=project,
                    title=title,
                    project_name=project_name,
                )
            )
    return mapped


class _Mapper:
    def __init__(self, board: Board, options: Options, map_file: MapFile) -> None:
        self.board = board
        self.options = options
        self.map = map_file
        #: Projects to make: the file's name (title key) -> (key, name).
        self.new_projects: dict[str, tuple[str, str]] = {}

    def person(self, row: SourceRow) -> str:
        texts = [t for t in (row.person, row.email, row.name) if t]
        if not texts:
            return self.options.user
        for text in texts:
            if title_key(text) in self.map.users:
                return self.map.users[title_key(text)]
        for text in (row.person, row.name):
            if text and text.casefold() in self.board.logins:
                return self.board.logins[text.casefold()]
        for text in (row.email, row.person):
            if text and text.casefold() in self.board.emails:
                return self.board.emails[text.casefold()]
        for text in (row.name, row.person):
            found = self.board.names.get(title_key(text)) if text else None
            if found and len(found) == 1:
                return found[0]
        raise Invalid(
            f"no person {texts[0]!r} on the board (by login, e-mail or name); "
            "add them, or map them with --map"
        )

    def task(self, row: SourceRow) -> tuple[str, str, str, str]:
        """(task key, or "" with: project key, title, a new project's name)."""
        key = self._key(row)
        if key:
            return key, "", "", ""
        for text in (row.task, *row.tags):
            mapped = self.map.tasks.get(title_key(text)) if text else None
            if mapped:
                if _canonical(mapped) not in self.board.tasks:
                    raise Invalid(f"the map file names {mapped!r} for {text!r}; no such task")
                return _canonical(mapped), "", "", ""
        named, title = self._named_key(row)
        if named:
            return self._task_of_another_board(row, named, title)
        tags = list(row.tags)
        project, name = self._project(row, tags)
        titles = [row.task] if row.task else tags or [NO_TASK_TITLE]
        for title in titles:
            found = self.board.titles.get((project, title_key(title)))
            if found:
                return found, "", "", ""
        if not self.options.create:
            where = f"project {project}" if not name else f"a new project {name!r}"
            raise Invalid(
                f"no task titled {titles[0]!r} in {where}; map it with --map, or make it "
                "with --create (admins)"
            )
        return "", project, titles[0], name

    def _key(self, row: SourceRow) -> str:
        """A task key the row names, of a task on the board ("" when none). A key with
        a title beside it (our exports) is this board's task only when the titles agree:
        another board's WEB-1 may be this one's WEB-2 (made by --create), and the same
        file read again put its time on this board's WEB-1."""
        for text in (row.task, *row.tags):
            whole = _KEY_ANY_CASE.fullmatch(text.strip()) if text else None
            if whole:
                key = f"{whole[1].upper()}-{int(whole[2])}"
                _, title = self._named_key(row)
                if key in self.board.tasks and (
                    not title or self.board.task_titles[key] == title_key(title)
                ):
                    return key
                return ""  # another board's (`_named_key`)
        for text, pattern in ((row.task, _KEY_ANY_CASE), (row.description, _KEY_CAPITALS)):
            for found in pattern.finditer(text):
                key = f"{found[1].upper()}-{int(found[2])}"
                if key in self.board.tasks:
                    return key
        return ""

    @staticmethod
    def _named_key(row: SourceRow) -> tuple[str, str]:
        """A key a whole task cell gives (our CSV and JSON), or the first of Timewarrior's
        tags as our export writes them ([key, title]), and the title beside it: (KEY,
        title); ("", "") when none. A key inside a longer text (`ISO-9001 audit`, Kimai's
        `OPS-9 Test CSV import`) is not taken for one: it may be a title's own words."""
        if row.task:
            whole = _KEY_ANY_CASE.fullmatch(row.task.strip())
            if whole:
                return f"{whole[1].upper()}-{int(whole[2])}", row.title.strip()
            return "", ""
        if 1 <= len(row.tags) <= 2:
            whole = _KEY_ANY_CASE.fullmatch(row.tags[0].strip())
            if whole:
                title = row.tags[1].strip() if len(row.tags) == 2 else ""
                return f"{whole[1].upper()}-{int(whole[2])}", title
        return "", ""

    def _task_of_another_board(
        self, row: SourceRow, key: str, title: str
    ) -> tuple[str, str, str, str]:
        """A row whose task is `key` of another board (not on this one): the task of
        its title in the project the row names, or in the key's project; with --create,
        a new task of that title (its number is this board's next: OPS-9 there may be
        OPS-1 here), in a new project keyed as the key when none is here."""
        prefix = key.rpartition("-")[0]
        title = title or key
        project, name = self.options.project, ""
        if not project:
            project = (self._known_project(row.project) if row.project else "") or (
                prefix if prefix in self.board.project_keys else ""
            )
        if project:
            for text in (title, row.task):  # (a title that looks like a key and more)
                found = self.board.titles.get((project, title_key(text)))
                if found:
                    return found, "", "", ""
        if not self.options.create:
            nor = f" (nor {title!r} in its project)" if title != key else ""
            raise Invalid(
                f"no task {key} on the board{nor}; map it with --map, or make it with "
                "--create (admins)"
            )
        if not project:
            name = row.project if row.project and row.project.upper() != prefix else prefix
            wanted = title_key(name)
            if wanted not in self.new_projects:
                taken = self.board.project_keys | {k for k, _ in self.new_projects.values()}
                made = prefix if prefix not in taken else project_key_for(name, taken)
                self.new_projects[wanted] = (made, name)
            project, name = self.new_projects[wanted]
        return "", project, title, name

    def _project(self, row: SourceRow, tags: list[str]) -> tuple[str, str]:
        """The row's project key, and its name when it is to be made ("" when on the
        board). A tag that names a project is taken from `tags`."""
        if self.options.project:
            return self.options.project, ""
        candidates = [row.project] if row.project else list(tags)
        for text in candidates:
            key = self._known_project(text)
            if key:
                if not row.project:
                    tags.remove(text)
                return key, ""
        if not row.project:
            raise Invalid(
                "the row names no project; give one with --project, a tag or a project column"
            )
        if not self.options.create:
            raise Invalid(
                f"no project {row.project!r} on the board (by key or name); map it with "
                "--map, or make it with --create (admins)"
            )
        wanted = title_key(row.project)
        if wanted not in self.new_projects:
            taken = self.board.project_keys | {k for k, _ in self.new_projects.values()}
            self.new_projects[wanted] = (project_key_for(row.project, taken), row.project)
        return self.new_projects[wanted]

    def _known_project(self, text: str) -> str:
        mapped = self.map.projects.get(title_key(text))
        if mapped:
            return mapped.upper()
        if text.upper() in self.board.project_keys:
            return text.upper()
        found = self.board.project_names.get(title_key(text))
        return found[0] if found and len(found) == 1 else ""


def _canonical(key: str) -> str:
    project, _, number = key.strip().upper().rpartition("-")
    return f"{project}-{int(number)}" if number.isdigit() else key.strip().upper()


def project_key_for(name: str, taken: set[str]) -> str:
    """A key for a project made from a file's name: its first word's letters and digits
    in capitals (accents dropped), at most 10, with a number after it when taken:
    "Website relaunch" -> WEBSITE, then WEBSITE2."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = ["".join(c for c in w if c.isalnum()).upper() for w in ascii_name.split()]
    stem = next((w for w in words if w and w[0].isalpha()), "") or "P"
    stem = stem[:10]
    key, n = stem, 1
    while key in taken or not _PROJECT_KEY.fullmatch(key):
        n += 1
        key = f"{stem[: 10 - len(str(n))]}{n}"
    return key


# --- days ------------------------------------------------------------------------------------


def split_days(row: SourceRow, tz: tzinfo | None) -> list[tuple[date, int, datetime, datetime]]:
    """The (day, minutes, started, through) a row puts time on (the module's doc). Each
    part of an interval starts where it does: its first part when the interval does,
    the next at midnight (a file that speaks for that day replaces it)."""
    if row.day is not None and row.minutes is not None:
        if row.minutes == 0 and not row.description:
            raise Invalid("0:00: the row holds no time and no comment")
        if row.minutes > DAY_MINUTES:
            raise Invalid(f"{format_duration(row.minutes)} is more than a day holds")
        first = _midnight(row.day, tz)
        last = _midnight(row.day + timedelta(days=1), tz)
        return [(row.day, row.minutes, first, last - timedelta(microseconds=1))]
    assert row.start is not None and row.seconds is not None
    begin = row.start if row.start.tzinfo is not None else _aware(row.start, tz)
    begin = begin.astimezone(UTC)
    # Microseconds: whole for every duration a file writes (a fraction only for odd
    # decimal hours), so that the arithmetic stays on integers.
    length = row.seconds * 1_000_000
    left: int | Fraction = int(length) if length.denominator == 1 else length
    if round_microseconds(left) == 0:
        raise Invalid("0:00: the row holds no time (under half a minute)")
    pieces: list[tuple[date, int | Fraction]] = []
    cursor = begin
    day = _local(begin, tz).date()
    while True:
        midnight = _midnight(day + timedelta(days=1), tz)
        span = (midnight - cursor) // _MICROSECOND
        if left <= span:
            pieces.append((day, left))
            break
        pieces.append((day, span))
        left -= span
        cursor = midnight
        day += timedelta(days=1)
    # Each part: its end's rounded minutes less its start's, both counted from the
    # interval's start, so the parts always add up to the whole interval's minutes.
    minutes: list[int] = []
    done: int | Fraction = 0
    counted = 0
    for _, microseconds in pieces:
        done += microseconds
        minutes.append(round_microseconds(done) - counted)
        counted += minutes[-1]
    starts = [begin] + [_midnight(day, tz) for day, _ in pieces[1:]]
    return [
        (day, m, started, started)
        for (day, _), m, started in zip(pieces, minutes, starts, strict=True)
        if m > 0
    ]


_MICROSECOND = timedelta(microseconds=1)


@lru_cache(maxsize=4096)
def _midnight(day: date, tz: tzinfo | None) -> datetime:
    """The first moment of a day where the time was worked, in UTC."""
    return _aware(datetime.combine(day, time()), tz)


def _aware(wall: datetime, tz: tzinfo | None) -> datetime:
    """A wall-clock moment where the time was worked, as a UTC moment."""
    local = wall.replace(tzinfo=tz) if tz is not None else wall.astimezone()
    return local.astimezone(UTC)


def _local(moment: datetime, tz: tzinfo | None) -> datetime:
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


__all__ = [
    "NO_TASK_TITLE",
    "Board",
    "MapFile",
    "Mapped",
    "Options",
    "map_rows",
    "project_key_for",
    "split_days",
    "title_key",
]
