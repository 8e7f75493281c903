"""The estimated-against-logged and overtime reports as tables: one set of columns for
`tui-board report estimates|overtime` (CSV and JSON) and the reports screen's export,
so that a file written from either has the same columns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from tui_board.core.durations import format_duration
from tui_board.core.models import EstimateRow, OvertimeRow, to_json
from tui_board.core.weeks import IsoWeek

ESTIMATE_COLUMNS = ("kind", "name", "project", "estimate", "logged", "variance", "percent")
OVERTIME_COLUMNS = (
    "user", "week", "scheduled", "time_off", "expected", "logged", "difference",
)  # fmt: skip
#: The columns that hold minutes: the CSV's headers say so (`estimate_minutes`); JSON's
#: keys are typed numbers, documented as minutes.
MINUTE_COLUMNS = frozenset(
    {"estimate", "logged", "variance", "scheduled", "time_off", "expected", "difference"}
)


def csv_header(columns: Iterable[str]) -> list[str]:
    """A report's CSV header: `logged_minutes` where the column holds minutes (a
    spreadsheet showed 16080 where the screen said 268:00)."""
    return [f"{c}_minutes" if c in MINUTE_COLUMNS else c for c in columns]


#: The week of a person's line that adds up their weeks.
TOTAL = "total"


def overtime_totals(rows: Iterable[OvertimeRow]) -> list[OvertimeRow]:
    """Each person's weeks added up, as a line whose week is `total` (in the order the
    people first appear)."""
    sums: dict[str, list[int]] = {}
    for r in rows:
        figures = sums.setdefault(r.user, [0, 0, 0, 0, 0])
        for i, value in enumerate((r.scheduled, r.time_off, r.expected, r.logged, r.difference)):
            figures[i] += value
    return [OvertimeRow(user, TOTAL, *figures) for user, figures in sums.items()]


def overtime_lines(rows: Sequence[OvertimeRow]) -> list[OvertimeRow]:
    """The weeks, then each person's total."""
    return [*rows, *overtime_totals(rows)]


def estimate_table(rows: Iterable[EstimateRow]) -> list[list[object]]:
    """The header and a line per row: what the CSV holds."""
    return [
        csv_header(ESTIMATE_COLUMNS),
        *([getattr(r, c) for c in ESTIMATE_COLUMNS] for r in rows),
    ]


def overtime_table(rows: Sequence[OvertimeRow]) -> list[list[object]]:
    """The header, the weeks and each person's total: what the CSV holds."""
    return [
        csv_header(OVERTIME_COLUMNS),
        *([getattr(r, c) for c in OVERTIME_COLUMNS] for r in overtime_lines(rows)),
    ]


def records(rows: Iterable[EstimateRow | OvertimeRow]) -> list[dict[str, Any]]:
    """The rows as JSON objects, a key per column (as `--json` prints them)."""
    return [to_json(r) for r in rows]


def part_week(week: str, first: date, last: date | None) -> bool:
    """Whether only some of the (ISO) week's days are counted between `first` and
    `last` (the report's span, cut at today; None: nothing counted)."""
    days = IsoWeek.parse(week).days()
    return last is not None and (days[0] < first or days[-1] > last)


def signed_duration(minutes: int) -> str:
    """`+1:30`, `-0:45`, `0:00`: over (or under) as the reports show it."""
    if not minutes:
        return format_duration(0)
    return ("+" if minutes > 0 else "-") + format_duration(abs(minutes))


__all__ = [
    "ESTIMATE_COLUMNS",
    "OVERTIME_COLUMNS",
    "TOTAL",
    "estimate_table",
    "overtime_lines",
    "overtime_table",
    "overtime_totals",
    "records",
    "signed_duration",
]
