"""The workload's big store: 5,000 people over millions of time entries, made once.

`python tests/bench/bigstore.py PATH [PEOPLE] [ENTRIES]`

The demo generator (tui_board.demo) makes the people, teams, tasks, the last weeks'
time, week states and time off, as a real board would have them; the older history is
then added straight through the standard library's sqlite3 (`executemany`, the time
entries' secondary indexes dropped during the load and built again after), until the
store holds about ENTRIES entries. Each task's `logged` is set to the sum of its entries
again afterwards (the service layer's invariant), and the store is ANALYZEd.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

RECENT_WEEKS = 6


def make(path: Path, people: int = 5000, entries: int = 5_000_000) -> dict[str, int]:
    from tui_board.core.clock import local_today, system_clock
    from tui_board.demo import DemoSize, make_demo

    making = path.with_name(path.name + ".making")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{making}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    made = make_demo(
        str(making),
        login="bench",
        size=DemoSize(users=people, tasks=people * 5, weeks=RECENT_WEEKS),
    )
    print(f"  demo: {made} in {time.perf_counter() - started:.0f} s", flush=True)
    today = local_today(system_clock)
    conn = sqlite3.connect(making)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    (have,) = conn.execute("SELECT count(*) FROM time_entries").fetchone()
    workable = [
        r[0]
        for r in conn.execute(
            "SELECT t.id FROM tasks t JOIN board_columns c ON c.id = t.column_id"
            " WHERE c.kind IN ('active', 'done') ORDER BY t.id"
        )
    ]
    users = [
        (r[0], {int(d) for d in r[1].split(",") if d})
        for r in conn.execute("SELECT id, work_days FROM users ORDER BY id")
    ]
    # the history: working days before the demo's weeks, 2 or 3 entries a day
    first_recent = today - timedelta(days=today.weekday() + 7 * (RECENT_WEEKS - 1))
    per_day = 2.6
    days_needed = max(0, entries - have) / (len(users) * per_day * 5 / 7)
    oldest = first_recent - timedelta(days=int(days_needed) + 1)
    now = datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")

    def history() -> Iterator[tuple[int, int, str, int, str, int, str]]:
        n = len(workable)
        for user_id, worked in users:
            day = oldest
            number = 0
            while day < first_recent:
                if day.weekday() in worked:
                    number += 1
                    count = 2 + (user_id + number) % 2 + (number % 5 == 0)
                    text = day.isoformat()
                    for k in range(count):
                        task = workable[(user_id * 7 + number * 3 + k * 11) % n]
                        yield (user_id, task, text, 120 + 15 * ((k + number) % 8), "", 1, now)
                day += timedelta(days=1)

    conn.execute("DROP INDEX IF EXISTS ix_time_entries_day_user")
    conn.execute("DROP INDEX IF EXISTS ix_time_entries_user_day")
    conn.execute("DROP INDEX IF EXISTS ix_time_entries_task")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT OR IGNORE INTO time_entries (user_id, task_id, day, minutes, comment, version,"
        " updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
        history(),
    )
    conn.execute("COMMIT")
    conn.execute("CREATE INDEX ix_time_entries_user_day ON time_entries (user_id, day)")
    conn.execute("CREATE INDEX ix_time_entries_day_user ON time_entries (day, user_id, minutes)")
    conn.execute("CREATE INDEX ix_time_entries_task ON time_entries (task_id, user_id)")
    conn.execute(
        "UPDATE tasks SET logged = COALESCE((SELECT sum(minutes) FROM time_entries e"
        " WHERE e.task_id = tasks.id), 0)"
    )
    conn.commit()
    conn.execute("ANALYZE")
    (total,) = conn.execute("SELECT count(*) FROM time_entries").fetchone()
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    making.rename(path)
    print(f"  {total:,} entries in {time.perf_counter() - started:.0f} s", flush=True)
    return {"people": len(users), "entries": total}


def store_path(work: Path, people: int, entries: int) -> Path:
    """The store's name in the bench's folder: made again each ISO week (its time runs
    up to the day it was made)."""
    return work / f"workload-{people}p-{entries // 1_000_000}M-{time.strftime('%G-W%V')}.db"


if __name__ == "__main__":
    target = Path(sys.argv[1])
    make(
        target,
        int(sys.argv[2]) if len(sys.argv) > 2 else 5000,
        int(sys.argv[3]) if len(sys.argv) > 3 else 5_000_000,
    )
