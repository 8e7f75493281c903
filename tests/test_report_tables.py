"""The estimate and overtime reports as tables (core/reports.py): the columns the CLI
and the reports screen both write, each person's total, the signed differences."""

from __future__ import annotations

from tui_board.core.models import EstimateRow, OvertimeRow
from tui_board.core.reports import (
    ESTIMATE_COLUMNS,
    OVERTIME_COLUMNS,
    estimate_table,
    overtime_lines,
    overtime_table,
    records,
    signed_duration,
)

WEEKS = [
    OvertimeRow("bob", "2026-W52", 2400, 480, 1920, 2000, 80),
    OvertimeRow("bob", "2026-W53", 2400, 0, 2400, 2300, -100),
    OvertimeRow("amy", "2026-W53", 1200, 0, 1200, 1200, 0),
]


def test_each_persons_total_follows_the_weeks_in_the_order_people_come() -> None:
    lines = overtime_lines(WEEKS)
    assert lines[:3] == WEEKS
    assert lines[3:] == [
        OvertimeRow("bob", "total", 4800, 480, 4320, 4300, -20),
        OvertimeRow("amy", "total", 1200, 0, 1200, 1200, 0),
    ]


def test_tables_have_the_columns_and_records_the_same_keys() -> None:
    table = overtime_table(WEEKS)
    # The CSV's headers say which columns are minutes (JSON's keys are the columns).
    assert table[0] == [
        "user", "week", "scheduled_minutes", "time_off_minutes", "expected_minutes",
        "logged_minutes", "difference_minutes",
    ]  # fmt: skip
    assert table[1] == ["bob", "2026-W52", 2400, 480, 1920, 2000, 80]
    assert table[-1][:2] == ["amy", "total"] and len(table) == 6
    assert all(list(r) == list(OVERTIME_COLUMNS) for r in records(overtime_lines(WEEKS)))
    rows = [EstimateRow("task", "=WEB-1", "WEB", 60, 90, 30, 150)]
    assert estimate_table(rows) == [
        [
            "kind",
            "name",
            "project",
            "estimate_minutes",
            "logged_minutes",
            "variance_minutes",
            "percent",
        ],
        ["task", "=WEB-1", "WEB", 60, 90, 30, 150],
    ]
    assert records(rows) == [dict(zip(ESTIMATE_COLUMNS, estimate_table(rows)[1], strict=True))]


def test_signed_durations() -> None:
    assert [signed_duration(m) for m in (90, -45, 0, -600)] == ["+1:30", "-0:45", "0:00", "-10:00"]
