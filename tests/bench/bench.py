"""tui-board's benchmark: the budgets of DESIGN.md section 8, measured as the issue asks.

Run by hand (not in CI):   python tests/bench/bench.py [--quick] [--only NAME ...]

Every figure is a median over repeated runs, and start-up figures are ratios to a floor
measured in the same run, so that a slow or busy machine moves both sides together.
The large database (200 people, 10,000 tasks, about 1,000,000 entries) is made once
and kept in the temp folder for later runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

PYTHON = sys.executable
HERE = Path(__file__).resolve().parent
WORK = Path(tempfile.gettempdir()) / "tui-board-bench"

# A bare Textual app that shows one line and exits after its first frame: the floor.
BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self.exit)
Bare().run(headless=True)
"""

# tui-board's app on the demo database, exiting after its first frame: the same method.
BOARD_APP = """
import sys
from tui_board.config import Config
from tui_board.ui.app import BoardApp, make_app
class FirstFrame(BoardApp):
    def on_mount(self):
        self.call_after_refresh(self.exit)
app = make_app(Config(db=sys.argv[1]))
app.__class__ = FirstFrame
app.run(headless=True)
"""


def median_seconds(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return statistics.median(times)


def median_call(call: Callable[[], object], runs: int) -> float:
    call()  # warm: the first call pays for compiling statements
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def env_for(login: str = "bench") -> dict[str, str]:
    return {
        **os.environ,
        "TUI_BOARD_USER": login,
        "TUI_BOARD_CONFIG": str(WORK / "config.toml"),
        "TUI_BOARD_DATA": str(WORK / "data"),
    }


def small_db() -> Path:
    path = WORK / "small.db"
    if not path.exists():
        demo(path, users=8, tasks=80, weeks=10)
    return path


def large_db() -> Path:
    path = WORK / "large-200x10000x420.db"
    if not path.exists():
        print("making the large database (200 people, 10,000 tasks, ~1M entries) ...")
        started = time.perf_counter()
        demo(path, users=200, tasks=10_000, weeks=420)
        print(f"  made in {time.perf_counter() - started:.1f} s")
    return path


def demo(path: Path, *, users: int, tasks: int, weeks: int) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            PYTHON,
            "-m",
            "tui_board",
            "demo",
            "--db",
            str(path),
            "--no-open",
            "--users",
            str(users),
            "--tasks",
            str(tasks),
            "--weeks",
            str(weeks),
        ],
        env=env_for(),
        check=True,
        capture_output=True,
    )


def report(name: str, value: str, budget: str, ok: bool) -> None:
    print(f"{name:<52} {value:>22}   budget {budget:<16} {'ok' if ok else 'OVER'}")


def bench_cli(runs: int) -> None:
    db = small_db()
    sqlmodel = median_seconds([PYTHON, "-c", "import sqlmodel"], runs)
    log = median_seconds(
        [PYTHON, "-m", "tui_board", "--db", str(db), "log", "1m", "WEB-1"],
        runs,
        env_for(),
    )
    week = median_seconds(
        [PYTHON, "-m", "tui_board", "--db", str(db), "week", "--json"], runs, env_for()
    )
    label = 'python -c "import sqlmodel"'
    print(f"{label:<52} {sqlmodel * 1000:>19.0f} ms")
    report(
        "tui-board log",
        f"{log * 1000:.0f} ms = {log / sqlmodel:.2f}x",
        "1.5x sqlmodel",
        log / sqlmodel <= 1.5,
    )
    report(
        "tui-board week --json",
        f"{week * 1000:.0f} ms = {week / sqlmodel:.2f}x",
        "1.5x sqlmodel",
        week / sqlmodel <= 1.5,
    )


def bench_start(runs: int) -> None:
    db = small_db()
    bare = WORK / "bare_app.py"
    board = WORK / "board_app.py"
    bare.write_text(textwrap.dedent(BARE_APP))
    board.write_text(textwrap.dedent(BOARD_APP))
    floor = median_seconds([PYTHON, str(bare)], runs)
    ours = median_seconds([PYTHON, str(board), str(db)], runs, env_for())
    print(f"{'bare Textual app to first frame (floor)':<52} {floor * 1000:>19.0f} ms")
    report(
        "tui-board app to first frame",
        f"{ours * 1000:.0f} ms = {ours / floor:.2f}x",
        "2x floor",
        ours / floor <= 2,
    )


def bench_workload(runs: int) -> None:
    from tui_board.backend.local import LocalBackend
    from tui_board.core.weeks import IsoWeek
    from tui_board.store.database import Database

    db = large_db()
    database = Database.open(str(db))
    backend = LocalBackend(database, "bench")
    today = time.localtime()
    start = IsoWeek.of(__import__("datetime").date(*today[:3])).shift(-4)
    with database.engine.connect() as conn:
        entries = conn.exec_driver_sql("SELECT count(*) FROM time_entries").scalar()
        people = conn.exec_driver_sql("SELECT count(*) FROM users").scalar()
    figures = backend.workload(start, 12)
    assert len(figures.rows) == people and len(figures.weeks) == 12
    took = median_call(lambda: backend.workload(start, 12), runs)
    report(
        f"workload {people} people x 12 weeks, {entries:,} entries",
        f"{took * 1000:.1f} ms",
        "100 ms",
        took < 0.1,
    )
    week = median_call(lambda: backend.week(start.shift(3)), runs)
    report("week read on the large database", f"{week * 1000:.1f} ms", "(timesheet)", True)
    database.close()


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"week": "%s"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
"""


def bench_server(runs: int) -> None:
    """Authenticated week reads per second from one server process, loaded by wrk
    (C, so the load generator does not compete with the server for the GIL)."""
    import re
    import shutil
    import socket

    wrk = shutil.which("wrk")
    if wrk is None:
        print("server: needs wrk (apt-get install wrk); skipped")
        return
    db = small_db()
    token = subprocess.run(
        [PYTHON, "-m", "tui_board", "--db", str(db), "user", "token", "bench"],
        env=env_for(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [PYTHON, "-m", "tui_board", "serve", "--db", str(db), "--port", str(port)],
        env=env_for(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        week = time.strftime("%G-W%V")
        script = WORK / "week.lua"
        script.write_text(WRK_SCRIPT % (week, token))
        url = f"http://127.0.0.1:{port}/api/v1/week"
        subprocess.run([wrk, "-t1", "-c8", "-d2s", "-s", str(script), url], capture_output=True)
        out = subprocess.run(
            [wrk, "-t1", "-c8", f"-d{max(5, runs)}s", "-s", str(script), url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        report(
            "server: authenticated week reads, 1 process",
            f"{rate:,.0f} req/s",
            "1,000 req/s",
            rate >= 1000 and errors is None,
        )
    finally:
        server.terminate()
        server.wait(10)


BENCHES = {
    "cli": bench_cli,
    "start": bench_start,
    "workload": bench_workload,
    "server": bench_server,
    "board": lambda runs: __import__("bench_board").run(runs),  # tests/bench/bench_board.py
    # tests/bench/bench_workload_screen.py
    "workload_screen": lambda runs: __import__("bench_workload_screen").run(runs),
    "timesheet": lambda runs: __import__("bench_timesheet").run(runs),  # bench_timesheet.py
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHES), help="run only these")
    args = parser.parse_args()
    runs = 5 if args.quick else 15
    print(
        f"tui-board benchmark: {os.cpu_count()} cores, python {sys.version.split()[0]}, "
        f"{runs} runs each, medians"
    )
    for name in args.only or list(BENCHES):
        BENCHES[name](runs)


if __name__ == "__main__":
    main()
