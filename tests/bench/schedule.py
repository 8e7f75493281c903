"""The schedule rows of the benchmark (`schedule/2000/...`): one project of 2,000 open
tasks on the schedule screen (`4`).

The store: the demo (40 people), then project APP filled up to 2,000 open tasks straight
through the standard library's sqlite3, as `bigstore.py` fills the workload's: most with
a start and a due date around today, some with a due date or a start alone, a few with
neither; estimates of 2 to 16 hours, spread over the people; six milestones and a
deadline. Made once a day (its dates are around the day it was made) and again after a
schema change, kept in the bench's folder.

Measured, in a real pseudo-terminal (120x40), from the key written to the terminal:
- first frame: `4` on the board to the first output holding the schedule's header
  (`forecast`) and a milestone heading: the rows drawn, not a loading state;
- scroll: `pagedown`/`pageup` in turn to the first output after it (a screenful redrawn);
- shift: `>`/`<` in turn (the task under the cursor a day later, then earlier) to the
  first output after it; the store's answer and the schedule read again come later.
And in-process, alternating on the same store: the schedule's read
(`Backend.project_schedule`) against the workload's first screenful (`Backend.workload`,
12 weeks, limit=100: the `workload/...` rows' measure), the peer the first frame is held to.

`python tests/bench/schedule.py measure DB RUNS` is that in-process child.
Kept in its own module: run.py imports `bench_schedule` and lists its rows.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from run import Bench

TASKS = 2000
PROJECT = "APP"
NAMES = ["first-frame", "scroll", "shift"]


def store_path(work: Path) -> Path:
    return work / f"schedule-{TASKS}-{date.today().isoformat()}.db"


def current_schema(path: Path) -> bool:
    """Whether the kept store needs no upgrade: an upgrade on opening would be timed."""
    from tui_board.store.file import FileDatabase

    database = FileDatabase.open(path)
    if database is None:
        return False
    database.close()
    return True


def make(bench: Bench, path: Path) -> None:
    """The demo, then APP filled up to `TASKS` open tasks (see the module's docstring)."""
    making = path.with_name(path.name + ".making")
    bench.demo(making, users=40, tasks=120, weeks=2)
    today = date.today()
    pick = random.Random(7)
    conn = sqlite3.connect(making)
    project_id, number = conn.execute(
        "SELECT id, next_number FROM projects WHERE key = ?", (PROJECT,)
    ).fetchone()
    columns = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM board_columns WHERE project_id = ? AND kind != 'done'", (project_id,)
        )
    ]
    people = [r[0] for r in conn.execute("SELECT id FROM users ORDER BY id")]
    (have,) = conn.execute(
        "SELECT count(*) FROM tasks t JOIN board_columns c ON c.id = t.column_id"
        " WHERE t.project_id = ? AND NOT t.archived AND c.kind != 'done'",
        (project_id,),
    ).fetchone()
    milestones = []
    for n in range(6):
        day = today + timedelta(weeks=2 * n + 1)
        cursor = conn.execute(
            "INSERT INTO milestones (project_id, name, day, version) VALUES (?, ?, ?, 1)",
            (project_id, f"Release {n + 1}", day.isoformat()),
        )
        milestones.append((cursor.lastrowid, day))
    conn.execute(
        "UPDATE projects SET deadline = ? WHERE id = ?",
        ((today + timedelta(weeks=13)).isoformat(), project_id),
    )
    now = datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")
    rows: list[tuple[object, ...]] = []
    for k in range(TASKS - have):
        number += 1
        kind = k % 20
        milestone_id, milestone_day = milestones[k % len(milestones)] if kind < 16 else (None, None)
        due: date | None = (milestone_day or today + timedelta(weeks=6)) - timedelta(
            days=pick.randrange(0, 21)
        )
        assert due is not None
        start: date | None = due - timedelta(days=pick.randrange(1, 15))
        if kind == 16:  # a due date alone
            start = None
        elif kind == 17:  # a start alone
            due = None
        elif kind == 18:  # neither
            start = due = None
        rows.append(
            (
                project_id,
                number,
                f"Task {number} of the big schedule: {pick.choice(['api', 'ui', 'docs', 'db'])}",
                "",
                columns[k % len(columns)],
                float(number),
                people[k % len(people)] if kind != 19 else None,
                pick.randrange(2, 17) * 60,
                None if due is None else due.isoformat(),
                "normal",
                "",
                0,
                0,
                now,
                now,
                1,
                None if start is None else start.isoformat(),
                milestone_id,
            )
        )
    conn.executemany(
        "INSERT INTO tasks (project_id, number, title, description, column_id, rank,"
        " assignee_id, estimate, due, priority, tags, archived, logged, created, updated,"
        " version, start, milestone_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?)",
        rows,
    )
    conn.execute("UPDATE projects SET next_number = ? WHERE id = ?", (number + 1, project_id))
    (count,) = conn.execute(
        "SELECT count(*) FROM tasks t JOIN board_columns c ON c.id = t.column_id"
        " WHERE t.project_id = ? AND NOT t.archived AND c.kind != 'done'",
        (project_id,),
    ).fetchone()
    if count != TASKS:
        raise SystemExit(f"the schedule has {count} open tasks, not {TASKS}")
    conn.commit()
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    making.rename(path)


def measure(db: str, runs: int) -> None:
    """In-process, warm, alternating: the schedule's read and the workload's first
    screenful, on the backend `tui-board` opens on a file."""
    from tui_board.backend import open_backend
    from tui_board.config import Config
    from tui_board.core.weeks import IsoWeek

    backend = open_backend(Config(db=db), login="bench")
    start = IsoWeek.of(date.today()).shift(-4)
    found = backend.project_schedule(PROJECT)  # warm
    backend.workload(start, 12, limit=100)
    schedule: list[float] = []
    workload: list[float] = []
    for n in range(runs):
        for side in (0, 1) if n % 2 == 0 else (1, 0):
            started = time.perf_counter()
            if side == 0:
                backend.project_schedule(PROJECT)
                schedule.append(time.perf_counter() - started)
            else:
                backend.workload(start, 12, offset=0, limit=100)
                workload.append(time.perf_counter() - started)
    backend.close()
    print(json.dumps({"rows": len(found.rows), "schedule": schedule, "workload": workload}))


def bench_schedule(bench: Bench) -> None:
    import run

    names = [f"schedule/{TASKS}/{name}" for name in NAMES]
    if not any(bench.selected(name) for name in names):
        return
    path = store_path(bench.work)
    if path.exists() and not current_schema(path):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if not path.exists():
        print(f"  (making a project of {TASKS:,} open tasks, kept in {bench.work} ...)", flush=True)
        make(bench, path)
    load = os.getloadavg()[0]
    runs = bench.pairs(10, 30)
    command = [run.PYTHON, __file__, "measure", str(path), str(runs)]
    _sample, code, out, err = run.run_child_output(command, bench.env())
    if code != 0:
        raise SystemExit(f"the schedule bench failed:\n{err[-2000:]}")
    reads = json.loads(out.strip().splitlines()[-1])
    firsts: list[float] = []
    scrolls: list[float] = []
    scrolls_end: list[float] = []
    shifts: list[float] = []
    shifts_end: list[float] = []
    samples: list[run.Sample] = []
    copy = bench.work / f"schedule-run-{os.getpid()}.db"
    # The app opens the schedule on the board's project, and the board on the project it
    # showed last (a state file in the data folder, which the other rows share): a data
    # folder of its own says APP.
    data = bench.work / "schedule-data"
    data.mkdir(mode=0o700, exist_ok=True)
    (data / "state.toml").write_text(f'project = "{PROJECT}"\n')
    env = bench.env(TUI_BOARD_DATA=str(data))
    try:
        for _ in range(bench.pairs(3, 5)):
            for suffix in ("-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(path, copy)  # every run starts from the same dates
            term = run.Pty([*bench.tui_board(), "--db", str(copy)], env)
            term.wait_for(run.has_pattern(run.CARD_KEY), timeout=120)
            term.quiet(0.5)
            mark = len(term.text)
            sent = term.send(b"4")
            shown = term.wait_for(run.has(b"forecast", "◆ Release".encode()), since=mark)
            firsts.append(shown - sent)
            term.quiet(0.5)
            for _ in range(bench.pairs(5, 10)):
                for keys, took, ended in (
                    ((b"\x1b[6~", b"\x1b[5~"), scrolls, scrolls_end),  # pagedown, pageup
                    ((b">", b"<"), shifts, shifts_end),
                ):
                    for key in keys:
                        mark = len(term.text)
                        sent = term.send(key)
                        term.wait_for(lambda text: len(text) > 0, since=mark, timeout=5)
                        took.append(term.last_output - sent)
                        # a shift's answer and the schedule read again come after its frame
                        term.quiet(0.4)
                        ended.append(term.last_output - sent)
            samples.append(term.close())
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    cpu = f"cpu whole session {run.ms(run.median([s.cpu for s in samples]))}"
    what = f"`tui-board --db` on project {PROJECT} of {reads['rows']:,} open tasks, in a pty"
    schedule_read, workload_read = run.median(reads["schedule"]), run.median(reads["workload"])
    first = run.median(firsts)
    rows = [
        (
            "first-frame",
            f"{what}: `4` on the board to the first output with the schedule's header and "
            "a milestone's rows; peer: the workload's first screenful in the backend "
            "(`workload/...`'s measure), in-process on the same store, alternating with "
            "the schedule's own read",
            firsts,
            0.1,
            f"workload read {run.ms(workload_read)}",
            f"{first / workload_read:.1f}x",
            f"schedule read in-process {run.ms(schedule_read)} "
            f"p90 {run.ms(run.p90(reads['schedule']))}; budget: the workload's (< 100 ms)",
        ),
        (
            "scroll",
            f"{what}: `pagedown`/`pageup` in turn to the first output after it",
            scrolls,
            0.05,
            "",
            "",
            f"to the frame's last byte {run.ms(run.median(scrolls_end))}",
        ),
        (
            "shift",
            f"{what}: `>`/`<` in turn (the task at the cursor a day later, earlier) to "
            "the first output after it",
            shifts,
            0.05,
            "",
            "",
            "to the last byte, the store's answer and the schedule read again included "
            f"{run.ms(run.median(shifts_end))}",
        ),
    ]
    for name, label, got, limit, peer, ratio, note in rows:
        if not bench.selected(f"schedule/{TASKS}/{name}"):
            continue
        value = run.median(got)
        bench.add(
            run.Row(
                f"schedule/{TASKS}/{name}",
                label,
                figure=f"{run.ms(value)} p90 {run.ms(run.p90(got))}",
                peer=peer,
                ratio=ratio,
                budget=f"< {limit * 1000:.0f} ms",
                result=run.verdict(value < limit),
                cpu=cpu,
                load=load,
                note=note,
                values={"s": value, "schedule_read_s": schedule_read, "workload_s": workload_read},
            )
        )


if __name__ == "__main__":
    os.environ.setdefault("TUI_BOARD_USER", "bench")
    if sys.argv[1] == "measure":
        measure(sys.argv[2], int(sys.argv[3]))
