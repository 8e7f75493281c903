"""The import row of the benchmark (`import/100k`): a team moving from Toggl Track brings
its history in one command.

The file: a Toggl Track detailed report (CSV, as Toggl exports it) of 100,000 rows of
15 minutes each for the demo's people (matched by e-mail, as the importer matches them),
on WEB's open tasks (the task key in each description), 60 rows a person a day (15 hours)
from two weeks ahead, so no row falls in a week the demo already submitted or approved
and every row is stored. Run as a user runs it, on a copy of the demo made for the run:
`tui-board --db COPY import toggl FILE --project WEB`, timed from outside the process
(wall and CPU time, and its peak memory from wait4), three times on fresh copies.

Kept in its own module: run.py imports `bench_import` and lists its row.
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from run import Bench

ROWS = 100_000
NAME = "import/100k"
#: 15-minute rows a person has a day (15 hours: under the 24 a day holds).
SLOTS = 60
HEADER = [
    "User",
    "Email",
    "Client",
    "Project",
    "Task",
    "Description",
    "Billable",
    "Start date",
    "Start time",
    "End date",
    "End time",
    "Duration",
    "Tags",
    "Amount (EUR)",
]


def toggl_file(db: str, rows: int, path: Path) -> None:
    """A Toggl Track detailed report of `rows` rows for the people and WEB's open tasks of
    the demo in `db`."""
    conn = sqlite3.connect(db)
    try:
        people = conn.execute(
            "SELECT name, email FROM users WHERE role <> 'admin' ORDER BY id"
        ).fetchall()
        tasks = [
            f"WEB-{number}"
            for (number,) in conn.execute(
                "SELECT t.number FROM tasks t JOIN projects p ON p.id = t.project_id"
                " WHERE p.key = 'WEB' AND NOT t.archived ORDER BY t.number"
            )
        ]
    finally:
        conn.close()
    first = date.today() + timedelta(days=14)
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(HEADER)
        for i in range(rows):
            name, email = people[i % len(people)]
            k = i // len(people)
            day = first + timedelta(days=k // SLOTS)
            start = datetime.combine(day, datetime.min.time()) + timedelta(
                hours=6, minutes=15 * (k % SLOTS)
            )
            end = start + timedelta(minutes=15)
            task = tasks[(i * 7 + k) % len(tasks)]
            out.writerow(
                [
                    name,
                    email,
                    "Acme",
                    "Web site",
                    "",
                    f"{task} work",
                    "Yes",
                    start.date().isoformat(),
                    start.strftime("%H:%M:%S"),
                    end.date().isoformat(),
                    end.strftime("%H:%M:%S"),
                    "00:15:00",
                    "",
                    "10.00",
                ]
            )


def stored_minutes(db: str) -> int:
    conn = sqlite3.connect(db)
    try:
        first = (date.today() + timedelta(days=14)).isoformat()
        found = conn.execute(
            "SELECT coalesce(sum(minutes), 0) FROM time_entries WHERE day >= ?", (first,)
        ).fetchone()
        return int(found[0])
    finally:
        conn.close()


def bench_import(bench: Bench) -> None:
    import run

    if not bench.selected(NAME):
        return
    rows = 1_000 if bench.dry else ROWS
    demo = bench.small_db()
    source = bench.work / f"toggl-{rows}.csv"
    if not source.exists():
        toggl_file(demo, rows, source)
    load = os.getloadavg()[0]
    copy = bench.work / f"import-{os.getpid()}.db"
    samples: list[run.Sample] = []
    failed = ""
    try:
        for _ in range(bench.pairs(1, 3)):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(demo, copy)
            command = [*bench.tui_board(), "--db", str(copy), "import", "toggl", str(source)]
            sample, code, _out, err = run.run_child_output(
                [*command, "--project", "WEB"], bench.env()
            )
            stored = stored_minutes(str(copy))
            if code != 0 or stored != rows * 15:
                failed = f"exit {code}, {stored:,} of {rows * 15:,} minutes stored: {err[-200:]}"
            samples.append(sample)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    wall = run.median([s.wall for s in samples])
    bench.add(
        run.Row(
            NAME,
            f"`tui-board --db demo import toggl FILE --project WEB`: a Toggl Track report of "
            f"{rows:,} rows (15 min each, the demo's people by e-mail, WEB's tasks by key), "
            "spawn to exit, on a fresh copy of the demo each run",
            figure=f"{wall:.1f} s ({rows / wall:,.0f} rows/s)",
            budget="< 60 s",
            result="FAIL" if failed else run.verdict(wall < 60),
            cpu=run.wall_cpu(samples),
            load=load,
            note=failed or f"peak memory {max(s.rss_mb for s in samples):.0f} MB; every row stored",
            values={"s": wall, "rows": rows, "mb": max(s.rss_mb for s in samples)},
        )
    )
