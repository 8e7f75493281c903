"""tui-board's one benchmark: the budgets of DESIGN.md section 8, each as a ratio to a
floor or a peer measured in the same run, A and B alternating pair by pair.

    python tests/bench/run.py [--quick] [--only NAME ...] [--json FILE] [--list]

Not a test: run it by hand on a quiet machine (`tests/test_bench_runs.py` only checks
that it still runs). Every row says what it times; every figure is a median over the
runs (p90 beside it where the spread matters), with the child's CPU time (user + sys,
from `os.wait4`) beside its wall time, and the 1-minute load average when the row began.
A row that cannot run (no network for Watson, no PostgreSQL, no `wrk`) says SKIP and
why; it never shows a number it did not measure.

How things are timed:
- tui-board's own modules are byte-compiled first, as an install leaves them (pip
  compiles what it installs; an editable install writes its .pyc on the first run unless
  PYTHONDONTWRITEBYTECODE is set, and then every run compiled every module again, some
  80 ms of each start that no user pays; the floor and the peers load theirs compiled);
- start-up and keys: the program runs in a real pseudo-terminal (120x40,
  TERM=xterm-256color) and the clock runs from the spawn (or the key written to the
  terminal) to the first output that holds what the user asked for (a card key, the
  timesheet grid), escape sequences stripped; terminal queries go unanswered;
- shell commands: spawn to exit, alternating with the peer (and the floor);
- the timesheet's keys: in-process (Textual's driver messages, to the end of the frame
  the compositor encodes for the terminal), labelled as such;
- the server: `wrk` (C) against one server process (and two, on PostgreSQL), week
  reads and a mix of 3 reads : 1 write, alternating with a FastAPI hello-world in its
  own process, short runs side by side;
- load: 20 clients, a process each (RemoteBackend over httpx, as a person's app) against
  one server, mixed 3 reads : 1 write, then the store is read directly to count lost or
  doubled entries.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import platform
import re
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
POSTGRES = os.environ.get("TUI_BOARD_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
COLUMNS, LINES = 120, 40


# --- rows -------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table."""

    name: str
    what: str  # exactly what is timed
    figure: str = ""
    peer: str = ""
    ratio: str = ""
    budget: str = ""
    result: str = ""  # PASS, FAIL, SKIP (with the reason in `note`), or INFO (no budget)
    cpu: str = ""  # CPU time (user + sys) beside the wall time
    load: float = 0.0
    note: str = ""
    values: dict[str, float] = field(default_factory=dict)  # raw figures for --json


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float = 0.0


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p90(values: Sequence[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def wall_cpu(samples: Sequence[Sample]) -> str:
    return f"{ms(median([s.cpu for s in samples]))} / {ms(median([s.wall for s in samples]))}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


class Skip(Exception):
    """A row that cannot run here; the message says why."""


# --- the bench's own folder, demo databases, environment ---------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.quick: bool = args.quick
        self.cards: int | None = getattr(args, "cards", None)
        self.dry: bool = args.dry_run
        self.only: list[str] = args.only or []
        default = Path(tempfile.gettempdir()) / "tui-board-bench"
        self.work = Path(args.work) if args.work else default
        self.work.mkdir(parents=True, exist_ok=True)
        self.rows: list[Row] = []
        self.install = not args.no_install

    def pairs(self, quick: int, full: int) -> int:
        """How many A/B pairs a row runs."""
        if self.dry:
            return 1
        return quick if self.quick else full

    def env(self, login: str = "bench", **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "TUI_BOARD_USER": login,
            "TUI_BOARD_CONFIG": str(self.work / "config.toml"),
            "TUI_BOARD_DATA": str(self.work / "data"),
            "NO_COLOR": "1",
        }
        env.pop("TUI_BOARD_TOKEN", None)
        env.update(extra)
        return env

    def tui_board(self) -> list[str]:
        exe = BIN / "tui-board"
        return [str(exe)] if exe.exists() else [PYTHON, "-m", "tui_board"]

    def demo(self, path: Path | str, *, users: int = 8, tasks: int = 80, weeks: int = 10) -> str:
        """Make a demo database (a SQLite file, or an empty PostgreSQL database's URL)."""
        if isinstance(path, Path):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        target = str(path)
        command = [*self.tui_board(), "demo", "--db", target, "--no-open", "--users", str(users)]
        command += ["--tasks", str(tasks), "--weeks", str(weeks)]
        done = subprocess.run(command, env=self.env(), capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"the demo failed: {done.stderr}")
        return target

    def small_db(self) -> str:
        """A fresh copy of the demo (80 cards, 8 people, 10 weeks), made once per run
        (a file of this run's own: two runs at once do not remake each other's)."""
        path = self.work / f"demo-80-{os.getpid()}.db"
        if not getattr(self, "_small_made", False):
            self.demo(path)
            self._small_made = True
        return str(path)

    def board_db(self, cards: int) -> tuple[str, str]:
        """One project (WEB) of `cards` cards, the demo's other projects archived, and
        the needle: the last card of the last column retitled, to search for (the card
        the app reads last: it reads a big board column by column, in order). Kept in
        the bench's folder for later runs."""
        path = self.work / f"board-{cards}-last.db"  # (`board-N.db`: the first column's)
        needle = "Zqxneedle"
        if not path.exists():
            print(f"  (making a board of {cards:,} cards, kept in {self.work} ...)", flush=True)
            # The demo gives 40% of its cards to WEB: 2.5 x cards makes `cards` there.
            self.demo(self.work / "board-making.db", users=50, tasks=cards * 5 // 2, weeks=2)
            import sqlite3

            with sqlite3.connect(self.work / "board-making.db") as conn:
                conn.execute("UPDATE projects SET archived = 1 WHERE key != 'WEB'")
                (count,) = conn.execute(
                    "SELECT count(*) FROM tasks JOIN projects ON projects.id = tasks.project_id"
                    " WHERE projects.key = 'WEB' AND NOT tasks.archived"
                ).fetchone()
                if count != cards:
                    raise SystemExit(f"the board has {count} cards, not {cards}")
                conn.execute(
                    "UPDATE tasks SET title = ? WHERE id = (SELECT t.id FROM tasks t"
                    " JOIN board_columns c ON c.id = t.column_id JOIN projects p"
                    " ON p.id = t.project_id WHERE p.key = 'WEB' AND NOT t.archived"
                    " ORDER BY c.position DESC, t.rank DESC, t.id DESC LIMIT 1)",
                    (f"{needle} found last",),
                )
                conn.commit()
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            (self.work / "board-making.db").rename(path)
        return str(path), needle

    def selected(self, name: str) -> bool:
        return not self.only or any(name == o or name.startswith(o) for o in self.only)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        print_row(row)
        return row


# --- running a child: plain, and in a pseudo-terminal ------------------------------------


def run_child(argv: Sequence[str], env: dict[str, str]) -> tuple[Sample, int, str]:
    """Spawn to exit: wall time, the child's CPU (user + sys) and max RSS, from wait4;
    its exit code; its stderr (and stdout too when it failed)."""
    sample, code, _, err = run_child_output(argv, env)
    return sample, code, err


def run_child_output(argv: Sequence[str], env: dict[str, str]) -> tuple[Sample, int, str, str]:
    """`run_child`, with its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode(errors="replace")
        out.seek(0)
        output = out.read().decode(errors="replace")
        if child.returncode != 0:
            text = output + text
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(wall, cpu, usage.ru_maxrss / 1024), child.returncode, output, text


ESCAPES = re.compile(
    rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_]|[ -/][0-~])"
)


class Pty:
    """A program in a real pseudo-terminal of 120x40. Reads its output with select;
    answers none of its queries; is killed (SIGKILL) and reaped by `close`."""

    def __init__(self, argv: Sequence[str], env: dict[str, str]) -> None:
        import fcntl
        import pty
        import struct
        import termios

        env = {**env, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
        env.pop("NO_COLOR", None)
        env.pop("TEXTUAL", None)
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal, then become the program
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
                os.execve(argv[0], list(argv), env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.text = b""  # everything shown so far, escapes stripped
        self.raw_tail = b""
        self.last_output = self.started
        self.usage: Any = None

    def read(self, timeout: float) -> bool:
        """Read what is there within `timeout`; False when nothing came."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 1 << 16)
        except OSError:
            raise SystemExit("the program in the terminal ended early") from None
        if not chunk:
            raise SystemExit("the program in the terminal ended early")
        self.last_output = time.perf_counter()
        # An escape sequence may be cut between reads: strip it with the tail before it.
        raw = self.raw_tail + chunk
        cut = raw.rfind(b"\x1b")
        if cut >= 0 and len(raw) - cut < 64 and not ESCAPES.match(raw, cut):
            raw, self.raw_tail = raw[:cut], raw[cut:]
        else:
            self.raw_tail = b""
        self.text += ESCAPES.sub(b"", raw)
        return True

    def wait_for(
        self, found: Callable[[bytes], bool], since: int = 0, timeout: float = 60
    ) -> float:
        """Read until `found(text shown since offset `since`)`: the clock (perf_counter)
        at the read that made it true."""
        deadline = time.perf_counter() + timeout
        while not found(self.text[since:]):
            if time.perf_counter() > deadline:
                tail = self.text[-300:].decode(errors="replace")
                raise SystemExit(f"timed out waiting in the terminal; it shows ...{tail!r}")
            self.read(0.05)
        return self.last_output

    def quiet(self, for_seconds: float = 0.3, limit: float = 10) -> None:
        """Read until nothing has come for `for_seconds`."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            if not self.read(for_seconds):
                return

    def send(self, data: bytes) -> float:
        sent = time.perf_counter()
        os.write(self.fd, data)
        return sent

    def close(self) -> Sample:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        _, _, usage = os.wait4(self.pid, 0)
        os.close(self.fd)
        self.usage = usage
        cpu = usage.ru_utime + usage.ru_stime
        return Sample(time.perf_counter() - self.started, cpu, usage.ru_maxrss / 1024)


def has(*needles: bytes) -> Callable[[bytes], bool]:
    return lambda text: all(n in text for n in needles)


def has_pattern(pattern: bytes) -> Callable[[bytes], bool]:
    compiled = re.compile(pattern)
    return lambda text: compiled.search(text) is not None


CARD_KEY = rb"\b(APP|WEB|OPS)-\d+\b"

BARE_APP = '''
"""The floor: a bare Textual app that shows one line."""
from textual.app import App
from textual.widgets import Static


class Bare(App):
    def compose(self):
        yield Static("bare-textual-ready")


Bare().run()
'''


def alternate(pairs: int, *sides: Callable[[], Sample]) -> list[list[Sample]]:
    """Run the sides in turn, pair by pair (the order rotating each round, so that
    neither side always runs first); one list of samples per side."""
    out: list[list[Sample]] = [[] for _ in sides]
    for round_ in range(pairs):
        order = list(range(len(sides)))
        shift = round_ % len(sides)
        for index in order[shift:] + order[:shift]:
            out[index].append(sides[index]())
    return out


# --- 1. start-up in a pseudo-terminal ---------------------------------------------------


def bench_start(bench: Bench) -> None:
    names = ["start/board", "start/timesheet", "start/workload", "start/kanban-tui"]
    if not any(bench.selected(n) for n in names):
        return
    db = bench.small_db()
    bare = bench.work / "bare_app.py"
    bare.write_text(textwrap.dedent(BARE_APP))
    load = os.getloadavg()[0]
    app = [*bench.tui_board(), "--db", db]

    def floor() -> Sample:
        term = Pty([PYTHON, str(bare)], bench.env())
        at = term.wait_for(has(b"bare-textual-ready"))
        sample = term.close()
        return Sample(at - term.started, sample.cpu, sample.rss_mb)

    def board() -> Sample:
        term = Pty(app, bench.env())
        at = term.wait_for(has_pattern(CARD_KEY))
        sample = term.close()
        return Sample(at - term.started, sample.cpu, sample.rss_mb)

    def typed_ahead(key: bytes, grid: Callable[[bytes], bool]) -> Callable[[], Sample]:
        """Spawn with `key` typed at once (a user who types `tui-board`, then `2`
        for the timesheet before anything shows: the terminal keeps the key until the
        app reads it) to the frame that shows that screen's grid."""

        def run() -> Sample:
            term = Pty(app, bench.env())
            term.send(key)
            at = term.wait_for(grid, timeout=30)
            sample = term.close()
            return Sample(at - term.started, sample.cpu, sample.rss_mb)

        return run

    screens = {  # row: (run, the key, what the frame shows)
        "start/timesheet": (
            typed_ahead(
                b"2", has_pattern(rb"Timesheet[\s\S]*" + CARD_KEY + rb"[\s\S]*Total \xc2\xb7")
            ),
            "2",
            "the timesheet grid (its title, a task key, the totals line)",
        ),
        "start/workload": (
            typed_ahead(b"3", has_pattern(rb"Workload[\s\S]*Total \(\d+\)[\s\S]*Capacity")),
            "3",
            "the workload grid (its title, the team's total and capacity lines)",
        ),
    }

    pairs = bench.pairs(5, 15)
    if bench.selected("start/board"):
        ours, bare_ = alternate(pairs, board, floor)
        walls = [s.wall for s in ours]
        ratio = median([s.wall for s in ours]) / median([s.wall for s in bare_])
        bench.add(
            Row(
                "start/board",
                "spawn `tui-board --db demo` (80 cards) in a pty to the first output with a "
                "card key; floor: a bare Textual app to its one line",
                figure=f"{ms(median(walls))} p90 {ms(p90(walls))}",
                peer=f"bare Textual {ms(median([s.wall for s in bare_]))}",
                ratio=f"{ratio:.2f}x",
                budget="<= 3x (goal 2x)",
                result=verdict(ratio <= 3),
                cpu=wall_cpu(ours) + " (to kill)",
                load=load,
                values={
                    "ours_s": median([s.wall for s in ours]),
                    "floor_s": median([s.wall for s in bare_]),
                    "ratio": ratio,
                },
            )
        )
    if bench.selected("start/kanban-tui"):
        try:
            peer = kanban_tui(bench)
        except Skip as skipped:
            bench.add(
                Row("start/kanban-tui", "kanban-tui, the peer", result="SKIP", note=str(skipped))
            )
        else:
            load = os.getloadavg()[0]

            def theirs() -> Sample:
                term = Pty([str(peer.exe)], peer.env)
                at = term.wait_for(has(b"KTCARD-"))
                sample = term.close()
                return Sample(at - term.started, sample.cpu, sample.rss_mb)

            ours, their = alternate(bench.pairs(3, 10), board, theirs)
            ratio = median([s.wall for s in ours]) / median([s.wall for s in their])
            walls = [s.wall for s in ours]
            bench.add(
                Row(
                    "start/kanban-tui",
                    "the peer a user might pick instead: kanban-tui (its own venv) on a board of "
                    "80 cards made with its CLI, spawned in a pty to the first output with a "
                    "card; ours as in start/board",
                    figure=f"{ms(median(walls))} p90 {ms(p90(walls))}",
                    peer=f"kanban-tui {ms(median([s.wall for s in their]))}",
                    ratio=f"{ratio:.2f}x",
                    budget="none (a peer)",
                    result="INFO",
                    cpu=wall_cpu(ours) + " (to kill)",
                    load=load,
                    values={
                        "ours_s": median(walls),
                        "peer_s": median([s.wall for s in their]),
                        "ratio": ratio,
                    },
                )
            )
    for name, (screen, key, shows) in screens.items():
        if not bench.selected(name):
            continue
        load = os.getloadavg()[0]
        ours, bare_ = alternate(pairs, screen, floor)
        walls = [s.wall for s in ours]
        ratio = median(walls) / median([s.wall for s in bare_])
        bench.add(
            Row(
                name,
                f"spawn `tui-board --db demo` in a pty with `{key}` typed at once, to the "
                f"first output that holds {shows}; floor: a bare "
                "Textual app to its one line",
                figure=f"{ms(median(walls))} p90 {ms(p90(walls))}",
                peer=f"bare Textual {ms(median([s.wall for s in bare_]))}",
                ratio=f"{ratio:.2f}x",
                budget="<= 3x (goal 2x)",
                result=verdict(ratio <= 3),
                cpu=wall_cpu(ours) + " (to kill)",
                load=load,
                values={
                    "ours_s": median(walls),
                    "floor_s": median([s.wall for s in bare_]),
                    "ratio": ratio,
                },
            )
        )


@dataclass
class Peer:
    exe: Path
    env: dict[str, str]


def kanban_tui(bench: Bench) -> Peer:
    """kanban-tui in a venv of its own under the bench's folder (its Textual is not
    ours), with a board of 80 cards made through its own CLI once and kept."""
    home = bench.work / "kanban-tui"
    venv = home / "venv"
    exe = venv / "bin" / "ktui"
    env = {
        **bench.env(),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
    }
    if not exe.exists():
        if not bench.install:
            raise Skip("kanban-tui is not installed (and --no-install)")
        print(f"  (installing kanban-tui into its own environment in {venv})", flush=True)
        subprocess.run([PYTHON, "-m", "venv", str(venv)], check=True)
        done = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "kanban-tui"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0 or not exe.exists():
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            raise Skip(f"kanban-tui could not be installed: {last}")
    made = home / "board-80.done"
    if not made.exists():
        script = (
            "from kanban_tui.cli import cli\n"
            "def run(*args):\n"
            "    try:\n"
            "        cli.main(list(args), standalone_mode=False)\n"
            "    except SystemExit:\n"
            "        pass\n"
            "run('board', 'create', 'Bench', '--set-active')\n"
            "for i in range(1, 81):\n"
            "    run('task', 'create', f'KTCARD-{i} Card number {i}', '--column', str(1 + i % 3))\n"
        )
        done = subprocess.run(
            [str(venv / "bin" / "python"), "-c", script], env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise Skip(f"kanban-tui's board could not be made: {done.stderr[-200:]}")
        made.write_text("80 cards\n")
    return Peer(exe, env)


# --- 2. shell commands vs watson add --------------------------------------------------------


def watson(bench: Bench) -> Path:
    """Watson's executable in the bench's environment, installed when missing."""
    exe = BIN / "watson"
    if exe.exists():
        return exe
    if not bench.install:
        raise Skip("Watson is not installed (and --no-install)")
    print("  (installing td-watson into this environment: python -m pip install td-watson)")
    done = subprocess.run(
        [PYTHON, "-m", "pip", "install", "--quiet", "td-watson"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0 or not exe.exists():
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        raise Skip(f"cannot install td-watson (no network?): {last[:80]}")
    return exe


CLI_ROWS = {
    "cli/log": ["log", "15m", "WEB-1"],
    "cli/week": ["week", "--json"],
    "cli/remind": ["remind"],
    "cli/timer-start": ["timer", "start", "WEB-2"],
    "cli/timer-status": ["timer", "status"],
    "cli/timer-stop": ["timer", "stop"],
}


def bench_cli(bench: Bench) -> None:
    chosen = [name for name in CLI_ROWS if bench.selected(name)]
    if not chosen:
        return
    db = bench.small_db()
    load = os.getloadavg()[0]
    try:
        peer: Path | None = watson(bench)
        skip = ""
    except Skip as why:
        peer, skip = None, str(why)
    watson_dir = bench.work / "watson"
    shutil.rmtree(watson_dir, ignore_errors=True)
    watson_dir.mkdir()
    watson_env = {**os.environ, "WATSON_DIR": str(watson_dir)}
    env = bench.env()
    failures: dict[str, str] = {}

    def command(name: str) -> Callable[[], Sample]:
        def run() -> Sample:
            sample, code, err = run_child([*bench.tui_board(), "--db", db, *CLI_ROWS[name]], env)
            if code != 0:
                failures.setdefault(name, err.strip().splitlines()[-1] if err.strip() else "?")
            return sample

        return run

    def watson_add() -> Sample:
        assert peer is not None
        sample, code, err = run_child(
            [str(peer), "add", "-f", "10:00", "-t", "10:15", "bench"], watson_env
        )
        if code != 0:
            failures.setdefault("watson", err.strip()[-200:])
        return sample

    def sqlmodel() -> Sample:
        return run_child([PYTHON, "-c", "import sqlmodel"], env)[0]

    # Every command, the peer and the floor in turn, round by round (the timer's start,
    # status and stop in that order, so each finds the state it needs).
    ours: dict[str, list[Sample]] = {name: [] for name in chosen}
    peers: dict[str, list[Sample]] = {name: [] for name in chosen}
    floors: dict[str, list[Sample]] = {name: [] for name in chosen}
    if "cli/timer-stop" in chosen and "cli/timer-start" not in chosen:
        run_child([*bench.tui_board(), "--db", db, *CLI_ROWS["cli/timer-start"]], env)
    for round_ in range(bench.pairs(5, 15)):
        for name in chosen:
            sides: list[Callable[[], Sample]] = [command(name), sqlmodel]
            if peer is not None:
                sides.append(watson_add)
            shift = round_ % len(sides)
            results: dict[int, Sample] = {}
            for index in [*range(len(sides))][shift:] + [*range(len(sides))][:shift]:
                results[index] = sides[index]()
            ours[name].append(results[0])
            floors[name].append(results[1])
            if peer is not None:
                peers[name].append(results[2])
        if name == "cli/timer-stop" and "cli/timer-start" not in chosen:
            run_child([*bench.tui_board(), "--db", db, *CLI_ROWS["cli/timer-start"]], env)
    if "watson" in failures:
        raise SystemExit(f"watson add failed: {failures['watson']}")
    for name in chosen:
        wall = median([s.wall for s in ours[name]])
        floor = median([s.wall for s in floors[name]])
        row = Row(
            name,
            f"spawn `tui-board {' '.join(CLI_ROWS[name])}` on the demo file to exit; peer: "
            "`watson add -f 10:00 -t 10:15 bench` (own WATSON_DIR); floor: "
            "python -c 'import sqlmodel'",
            figure=f"{ms(wall)} p90 {ms(p90([s.wall for s in ours[name]]))}",
            cpu=wall_cpu(ours[name]),
            load=load,
            budget="<= 2x watson",
            note=f"= {wall / floor:.2f}x import sqlmodel ({ms(floor)})",
            values={"ours_s": wall, "sqlmodel_s": floor},
        )
        if name in failures:
            row.result, row.note = "FAIL", f"exit != 0: {failures[name][:100]}"
        elif peer is None:
            row.result, row.note = "SKIP", f"{skip}; {row.note}"
        else:
            theirs = median([s.wall for s in peers[name]])
            row.peer = f"watson add {ms(theirs)} (cpu {ms(median([s.cpu for s in peers[name]]))})"
            row.ratio = f"{wall / theirs:.2f}x"
            row.result = verdict(wall / theirs <= 2)
            row.values.update(watson_s=theirs, ratio=wall / theirs)
        bench.add(row)


# --- 3. the board at scale ----------------------------------------------------------------


#: What the filter rows type: a word many cards hold, then two words; a word none holds.
FILTER_WORDS = ["fix login", "search r", "zz"]


def bench_board_scale(bench: Bench) -> None:
    """The board rows at each size: `--cards N`, or 10,000 cards (`--quick`), or 1,000,
    10,000 and 100,000 (the full run: key and move times must stay flat)."""
    if bench.cards:
        sizes = [bench.cards]
    else:
        sizes = [10_000] if bench.quick or bench.dry else [1_000, 10_000, 100_000]
    for cards in sizes:
        bench_board_size(bench, cards)


def bench_board_size(bench: Bench, cards: int) -> None:
    prefix = f"board{cards // 1000}k"
    names = [f"{prefix}/first-screen", f"{prefix}/searchable", f"{prefix}/key", f"{prefix}/memory"]
    names += [f"{prefix}/move", f"{prefix}/filter-key"]
    if not any(bench.selected(n) for n in names):
        return
    db, needle = bench.board_db(cards)
    load = os.getloadavg()[0]
    firsts: list[float] = []
    searchable: list[float] = []
    keys: list[float] = []
    frames_end: list[float] = []
    moves: list[float] = []
    moves_end: list[float] = []
    filter_keys: list[float] = []
    filter_ends: list[float] = []
    samples: list[Sample] = []
    for _ in range(bench.pairs(3, 5)):
        term = Pty([*bench.tui_board(), "--db", db], bench.env())
        first = term.wait_for(has_pattern(rb"\bWEB-\d+\b"), timeout=120)
        firsts.append(first - term.started)
        # At once, as a user would: `/` and a word only the last card read holds (its
        # title is the needle; typed all but its last letters, so the echo in the filter
        # box cannot be taken for the card).
        # (`/` first, the word once the filter box shows: keys typed before it are lost,
        # and `/zqxn` typed at once crashed the app in TaskForm.on_mount.)
        mark = len(term.text)
        term.send(b"/")
        term.wait_for(has(b"filter:"), since=mark, timeout=30)
        mark = len(term.text)
        term.send(needle[:-2].lower().encode())
        found = term.wait_for(has(needle.encode()), since=mark, timeout=120)
        searchable.append(found - term.started)
        term.send(b"\x1b")  # escape: the filter closes, every card is shown again
        term.quiet(0.5)
        # The filter left the focus on the needle, the last card of its column: `k`
        # (up) and `j` (down) in turn always have somewhere to go.
        for _ in range(bench.pairs(5, 10)):
            for key in (b"k", b"j"):
                mark = len(term.text)
                sent = term.send(key)
                term.wait_for(lambda text: len(text) > 0, since=mark, timeout=5)
                keys.append(term.last_output - sent)
                term.quiet(0.15)
                frames_end.append(term.last_output - sent)
        if bench.selected(f"{prefix}/move"):
            # The needle's card moved a column left (`H`) and back (`L`): it is the
            # last column's, so both have somewhere to go. The frame shows the move at
            # once; the store's answer comes after (waited for, then the next key).
            for _ in range(bench.pairs(3, 5)):
                for key in (b"H", b"L"):
                    mark = len(term.text)
                    sent = term.send(key)
                    term.wait_for(lambda text: len(text) > 0, since=mark, timeout=5)
                    moves.append(term.last_output - sent)
                    term.quiet(0.4)
                    moves_end.append(term.last_output - sent)
        if bench.selected(f"{prefix}/filter-key"):
            # Typed into the filter a letter at a time (each narrows the cards shown), then
            # taken back a letter at a time (each widens them), a pause between words.
            mark = len(term.text)
            term.send(b"/")
            term.wait_for(has(b"filter:"), since=mark, timeout=30)
            term.quiet(0.5)
            for word in FILTER_WORDS:
                for key in [c.encode() for c in word] + [b"\x7f"] * len(word):
                    mark = len(term.text)
                    sent = term.send(key)
                    term.wait_for(lambda text: len(text) > 0, since=mark, timeout=5)
                    filter_keys.append(term.last_output - sent)
                    term.quiet(0.15)
                    filter_ends.append(term.last_output - sent)
                term.quiet(0.5)
        samples.append(term.close())
    cpu = f"cpu whole session {ms(median([s.cpu for s in samples]))}"
    what = f"`tui-board --db` on one project of {cards:,} cards, in a pty"
    if bench.selected(f"{prefix}/first-screen"):
        value = median(firsts)
        bench.add(
            Row(
                f"{prefix}/first-screen",
                f"{what}: spawn to the first output with a card key",
                figure=f"{ms(value)} p90 {ms(p90(firsts))}",
                budget="< 1 s",
                result=verdict(value < 1),
                values={"s": value},
                cpu=cpu,
                load=load,
            )
        )
    if bench.selected(f"{prefix}/searchable"):
        value = median(searchable)
        bench.add(
            Row(
                f"{prefix}/searchable",
                f"{what}: spawn to `/` + a word typed at the first "
                "screenful showing the last card read (the last column's last)",
                figure=f"{ms(value)} p90 {ms(p90(searchable))}",
                budget="< 2 s",
                result=verdict(value < 2),
                values={"s": value},
                cpu=cpu,
                load=load,
            )
        )
    if bench.selected(f"{prefix}/key"):
        value = median(keys)
        bench.add(
            Row(
                f"{prefix}/key",
                f"{what}: key `k` or `j` written to the pty to the first output after it",
                figure=f"{ms(value)} p90 {ms(p90(keys))}",
                budget="< 50 ms",
                result=verdict(value < 0.05),
                note=f"to the frame's last byte {ms(median(frames_end))}",
                values={"s": value},
                cpu=cpu,
                load=load,
            )
        )
    if bench.selected(f"{prefix}/move"):
        value = median(moves)
        bench.add(
            Row(
                f"{prefix}/move",
                f"{what}: key `H` or `L` (the focused card a column left, and back) written "
                "to the pty to the first output after it",
                figure=f"{ms(value)} p90 {ms(p90(moves))}",
                budget="< 50 ms",
                result=verdict(value < 0.05),
                note=f"to the last byte, the store's answer included {ms(median(moves_end))}",
                values={"s": value},
                cpu=cpu,
                load=load,
            )
        )
    if bench.selected(f"{prefix}/filter-key"):
        value, worst = median(filter_keys), p90(filter_keys)
        bench.add(
            Row(
                f"{prefix}/filter-key",
                f"{what}: a letter typed into the filter (or backspace) written to the pty "
                f"to the first output after it; words {', '.join(FILTER_WORDS)}",
                figure=f"{ms(value)} p90 {ms(worst)}",
                budget="< 50 ms (p90 too)",
                result=verdict(worst < 0.05),
                note=f"to the frame's end {ms(median(filter_ends))} p90 {ms(p90(filter_ends))}",
                values={"s": value, "p90_s": worst},
                cpu=cpu,
                load=load,
            )
        )
    if bench.selected(f"{prefix}/memory"):
        value = max(s.rss_mb for s in samples)
        bench.add(
            Row(
                f"{prefix}/memory",
                f"{what}: max RSS of the child over the session (open, search, keys), from wait4",
                figure=f"{value:.0f} MB",
                budget="< 150 MB",
                result=verdict(value < 150),
                values={"mb": value},
                cpu=cpu,
                load=load,
            )
        )


# --- 4. the timesheet's keys, in-process -------------------------------------------------------


def bench_timesheet(bench: Bench) -> None:
    names = ["timesheet/enter", "timesheet/week-switch"]
    if not any(bench.selected(n) for n in names):
        return
    from inprocess import timesheet_db  # tests/bench/inprocess.py

    db = timesheet_db(bench.work, bench.tui_board(), bench.env())
    load = os.getloadavg()[0]
    results: list[dict[str, Any]] = []
    samples: list[Sample] = []
    for _ in range(bench.pairs(2, 3)):
        copy = bench.work / "timesheet-run.db"  # every run starts from the same week
        shutil.copyfile(db, copy)
        for suffix in ("-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        keys = "3" if bench.dry else "10"
        command = [PYTHON, str(HERE / "inprocess.py"), "timesheet", str(copy), keys]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            child = subprocess.Popen(command, env=bench.env(), stdout=out, stderr=err)
            _, status, usage = os.wait4(child.pid, 0)
            samples.append(Sample(time.perf_counter() - started, usage.ru_utime + usage.ru_stime))
            if os.waitstatus_to_exitcode(status) != 0:
                err.seek(0)
                raise SystemExit(f"the timesheet bench failed:\n{err.read().decode()[-2000:]}")
            out.seek(0)
            results.append(json.loads(out.read().decode().strip().splitlines()[-1]))
    rows = results[0]["rows"]

    def values(name: str) -> list[float]:
        return [v for result in results for v in result[name]]

    cpu = f"cpu whole child {ms(median([s.cpu for s in samples]))}"
    for name, key, label, limit in (
        ("timesheet/enter", "enter_stored", "`enter` on a typed cell to stored and redrawn", 0.05),
        ("timesheet/week-switch", "week_switch", "`]`/`[` to the frame of the other week", 0.1),
    ):
        if not bench.selected(name):
            continue
        got = values(key)
        note = ""
        if key == "enter_stored":
            note = f"enter to its first frame {ms(median(values('enter_frame')))}"
        bench.add(
            Row(
                name,
                f"IN-PROCESS (Textual driver messages, {rows} rows a week, local SQLite): {label}",
                figure=f"{ms(median(got))} p90 {ms(p90(got))}",
                budget=f"< {limit * 1000:.0f} ms",
                result=verdict(median(got) < limit),
                cpu=cpu,
                load=load,
                note=note,
                values={"s": median(got)},
            )
        )


# --- 5. the server vs a FastAPI hello-world ---------------------------------------------


HELLO = '''
"""The peer: FastAPI's hello-world, one process, uvicorn as tui-board serve runs it."""
import sys

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.post("/api/v1/week")
async def root():
    return {"message": "Hello World"}


@app.post("/api/v1/add_time")
async def write():
    return {"message": "Hello World"}


uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
'''


def reads_script(tokens: Sequence[str], weeks: Sequence[str]) -> str:
    """wrk's Lua for `week` reads: request n is person n % people reading week n % weeks
    (this week and the ones before it), so the answers are many, not one."""
    return textwrap.dedent(
        f"""
        local n = 0
        local tokens = {{{", ".join(repr(t) for t in tokens)}}}
        local weeks = {{{", ".join(repr(w) for w in weeks)}}}
        request = function()
          n = n + 1
          local headers = {{}}
          headers["Content-Type"] = "application/json"
          headers["Authorization"] = "Bearer " .. tokens[n % #tokens + 1]
          local body = '{{"week": "' .. weeks[math.floor(n / #tokens) % #weeks + 1] .. '"}}'
          return wrk.format("POST", "/api/v1/week", headers, body)
        end
        """
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a server ended on start (exit {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("a server did not listen in time")


def machine_ticks() -> tuple[int, int]:
    """(busy, all) clock ticks of every core so far, from /proc/stat: the cores the
    whole machine kept busy over a run (the server, PostgreSQL and wrk share them)."""
    # user nice system idle iowait irq softirq steal (guest time is counted in user)
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(fields) - fields[3] - fields[4], sum(fields)


def busy_cores(before: tuple[int, int], after: tuple[int, int]) -> float:
    """Cores busy on average between two `machine_ticks`."""
    spent = after[1] - before[1]
    return (after[0] - before[0]) / spent * (os.cpu_count() or 1) if spent else float("nan")


def cpu_of(pid: int) -> float:
    """CPU time (user + sys) of a running process and its running children (uvicorn's
    workers) so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for child in children:
        with contextlib.suppress(OSError):
            own += cpu_of(int(child))
    return own


@contextlib.contextmanager
def postgres_db(bench: Bench) -> Iterator[str]:
    """A throwaway PostgreSQL database holding the demo; dropped after."""
    try:
        import psycopg
    except ImportError:
        raise Skip("psycopg is not installed") from None
    name = f"tui_board_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = psycopg.connect(POSTGRES, autocommit=True, connect_timeout=3)
    except psycopg.Error as error:
        raise Skip(f"no PostgreSQL at {POSTGRES}: {str(error).splitlines()[0][:60]}") from None
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        url = POSTGRES.rsplit("/", 1)[0] + "/" + name
        bench.demo(url)
        yield url
    finally:
        with contextlib.suppress(psycopg.Error):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextlib.contextmanager
def serving(
    bench: Bench, db: str, workers: int = 1, *, cache: bool = True
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    command = [*bench.tui_board(), "serve", "--db", db, "--port", str(port)]
    command += ["--workers", str(workers)] if workers > 1 else []
    log = open(bench.work / "server.log", "ab")  # noqa: SIM115 - closed below
    env = bench.env() if cache else bench.env(TUI_BOARD_SERVE_READ_CACHE="off")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    try:
        wait_listening(port, server)
        yield f"http://127.0.0.1:{port}", server
    finally:
        stop_process(server)
        log.close()


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def vacuum(db: str) -> None:
    """VACUUM a PostgreSQL database (outside the timed runs): the mix rewrites the same
    cells thousands of times a minute, and PostgreSQL here runs with autovacuum off
    (`SHOW autovacuum`), so without it every run would meet the dead rows of the runs
    before it and the side run last would lose (measured: the mix at 1,140 req/s after
    24 s of it, against 1,470-1,550 with a VACUUM before each run). Autovacuum, on by
    default, keeps a real server's tables so."""
    import psycopg

    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def token_for(bench: Bench, db: str, login: str) -> str:
    done = subprocess.run(
        [*bench.tui_board(), "--db", db, "user", "token", login],
        env=bench.env(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"cannot make a token: {done.stderr}")
    return done.stdout.strip().split()[-1]


def wrk_run(wrk: str, url: str, script: Path, seconds: int) -> dict[str, float]:
    out = subprocess.run(
        [wrk, "-t1", "-c8", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rate is None:
        raise SystemExit(f"cannot read wrk's output:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1.0}
    return {
        "rate": float(rate.group(1)),
        "errors": float(errors.group(1)) if errors else 0.0,
        "p99": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
    }


def mixed_script(tokens: Sequence[str], week: str, task: str) -> str:
    """wrk's Lua for 3 week reads : 1 `add_time` (1 minute on the person's own cell,
    with an `Idempotency-Key` of its own), request n made as person n % people (a team
    at work: each person writes their own time), the writes on the days of the week
    everyone reads, so each write changes what its writer reads next (the server's
    kept answer to that read goes)."""
    run = uuid.uuid4().hex[:12]
    monday = datetime.strptime(f"{week}-1", "%G-W%V-%u")
    first = int(time.mktime((monday.year, monday.month, monday.day, 12, 0, 0, 0, 0, -1)))
    return textwrap.dedent(
        f"""
        local n = 0
        local tokens = {{{", ".join(repr(t) for t in tokens)}}}
        local read = '{{"week": "{week}"}}'
        request = function()
          n = n + 1
          local headers = {{}}
          headers["Content-Type"] = "application/json"
          headers["Authorization"] = "Bearer " .. tokens[n % #tokens + 1]
          if n % 4 == 0 then
            headers["Authorization"] = "Bearer " .. tokens[math.floor(n / 4) % #tokens + 1]
            headers["Idempotency-Key"] = "{run}-" .. n
            local day = os.date("!%Y-%m-%d", {first} + (math.floor(n / 4 / #tokens) % 7) * 86400)
            local body = '{{"task": "{task}", "day": "' .. day .. '", "minutes": 1}}'
            return wrk.format("POST", "/api/v1/add_time", headers, body)
          end
          return wrk.format("POST", "/api/v1/week", headers, read)
        end
        """
    )


def people_of(db: str) -> list[str]:
    """The logins of the demo's people (the bench's admin is not one)."""
    sys.path.insert(0, str(ROOT))
    from tui_board.store.database import Database

    database = Database.open(db)
    try:
        with database.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT login FROM users WHERE role <> 'admin' ORDER BY id"
            ).all()
    finally:
        database.close()
    return [r[0] for r in rows]


def open_task(db: str) -> str:
    """The key of the first open card (what the mixed load writes time to)."""
    sys.path.insert(0, str(ROOT))
    from tui_board.store.database import Database

    database = Database.open(db)
    try:
        with database.engine.connect() as conn:
            found = conn.exec_driver_sql(
                "SELECT p.key, t.number FROM tasks t JOIN projects p ON p.id = t.project_id"
                " WHERE NOT t.archived AND NOT p.archived ORDER BY t.id LIMIT 1"
            ).first()
    finally:
        database.close()
    assert found is not None, "the demo has no open card"
    return f"{found[0]}-{found[1]}"


def bench_server(bench: Bench) -> None:
    """Per store: one `tui-board serve` (one without its read cache, and two processes
    on PostgreSQL) and the hello-world, each hit with week reads and with the 3:1 mix,
    short runs alternating side by side."""
    for store in ("sqlite", "postgres"):
        names = [f"server/{store}", f"server/{store}-mixed", f"server/{store}-uncached"]
        if store == "postgres":
            names.append("server/postgres-workers2")
        wanted = [n for n in names if bench.selected(n)]
        if not wanted:
            continue
        wrk = shutil.which("wrk")
        load = os.getloadavg()[0]
        if wrk is None:
            for name in wanted:
                bench.add(Row(name, "wrk", result="SKIP", note="wrk is not installed", load=load))
            continue
        try:
            with contextlib.ExitStack() as stack:
                if store == "sqlite":
                    db = str(bench.work / "server.db")
                    bench.demo(Path(db))
                else:
                    db = stack.enter_context(postgres_db(bench))
                tokens = [token_for(bench, db, login) for login in people_of(db)]
                task = open_task(db)
                servers = {"1": stack.enter_context(serving(bench, db))}
                if f"server/{store}-workers2" in wanted:
                    servers["2"] = stack.enter_context(serving(bench, db, workers=2))
                if f"server/{store}-uncached" in wanted:
                    servers["uncached"] = stack.enter_context(serving(bench, db, cache=False))
                hello = bench.work / "hello.py"
                hello.write_text(textwrap.dedent(HELLO))
                port = free_port()
                peer = subprocess.Popen(
                    [PYTHON, str(hello), str(port)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                stack.callback(stop_process, peer)
                wait_listening(port, peer)
                today = date.today()
                weeks = [
                    time.strftime("%G-W%V", (today - timedelta(weeks=k)).timetuple())
                    for k in range(4)
                ]
                reads = bench.work / "week.lua"
                reads.write_text(reads_script(tokens, weeks))
                seconds = 1 if bench.dry else 2
                figures = server_runs(
                    bench,
                    wrk,
                    servers,
                    f"http://127.0.0.1:{port}",
                    reads,
                    tokens,
                    weeks[0],
                    task,
                    seconds,
                    mixed=f"server/{store}-mixed" in wanted,
                    settle=None if store == "sqlite" else functools.partial(vacuum, db),
                )
        except Skip as why:
            for name in wanted:
                bench.add(Row(name, "", result="SKIP", note=str(why), load=load))
            continue
        server_rows(bench, store, wanted, figures, load)


def server_runs(
    bench: Bench,
    wrk: str,
    servers: dict[str, tuple[str, subprocess.Popen[bytes]]],
    peer_url: str,
    reads: Path,
    tokens: list[str],
    week: str,
    task: str,
    seconds: int,
    *,
    mixed: bool,
    settle: Callable[[], None] | None = None,
) -> dict[str, list[dict[str, float]]]:
    """Every side's runs, keyed `reads/1`, `reads/uncached`, `mixed/1`, `mixed/2`,
    `reads/hello`...; `settle`, before each run: what keeps the store as it would be
    (PostgreSQL's vacuum)."""

    def mix() -> Path:
        script = bench.work / "mixed.lua"  # a new run id: its keys are new
        script.write_text(mixed_script(tokens, week, task))
        return script

    sides: list[tuple[str, str, Callable[[], Path]]] = []
    pids: dict[str, int] = {}
    for name, (url, process) in servers.items():
        kind = "mixed" if name == "2" else "reads"
        sides.append(
            (f"{kind}/{name}", f"{url}/api/v1/week", mix if name == "2" else lambda: reads)
        )
        pids[f"{kind}/{name}"] = process.pid
    sides.append(("reads/hello", f"{peer_url}/api/v1/week", lambda: reads))
    if mixed or "2" in servers:
        sides.append(("mixed/1", f"{servers['1'][0]}/api/v1/week", mix))
        pids["mixed/1"] = servers["1"][1].pid
        sides.append(("mixed/hello", f"{peer_url}/api/v1/week", mix))
    for _, url, script in sides:  # warm every side
        wrk_run(wrk, url, script(), 1)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in sides}
    for round_ in range(bench.pairs(3, 5)):
        order = sides if round_ % 2 == 0 else sides[::-1]
        for name, url, script in order:
            if settle is not None:
                settle()
            pid = pids.get(name)
            before = cpu_of(pid) if pid else 0.0
            ticks = machine_ticks()
            figures = wrk_run(wrk, url, script(), seconds)
            figures["cpu"] = (cpu_of(pid) - before) / seconds if pid else float("nan")
            figures["machine"] = busy_cores(ticks, machine_ticks())
            runs[name].append(figures)
    return runs


def server_rows(
    bench: Bench,
    store: str,
    wanted: list[str],
    runs: dict[str, list[dict[str, float]]],
    load: float,
) -> None:
    def rate(side: str) -> float:
        return median([r["rate"] for r in runs[side]])

    def p99(side: str) -> float:
        return median([r["p99"] for r in runs[side]])

    def errors(side: str) -> float:
        return sum(r["errors"] for r in runs[side])

    def cpu(side: str) -> str:
        return f"server cpu {median([r['cpu'] for r in runs[side]]):.2f} s per s"

    def machine(side: str) -> float:
        return median([r["machine"] for r in runs[side]])

    people = "request n made as person n % 8 (8 tokens)"
    for name in wanted:
        if name.endswith("-workers2"):
            more = rate("mixed/2") / rate("mixed/1")
            cores = os.cpu_count() or 1
            bench.add(
                Row(
                    name,
                    (
                        "3 `week` reads : 1 `add_time`/s, `tui-board serve --workers 2` on "
                        f"postgres, wrk -t1 -c8, {people}; beside it one process, short runs "
                        "alternating; budget: two processes serve more than one"
                    ),
                    figure=f"{rate('mixed/2'):,.0f} req/s p99 {ms(p99('mixed/2'))}",
                    peer=f"1 process {rate('mixed/1'):,.0f}",
                    ratio=f"{more:.2f}x",
                    budget="> 1 process",
                    result=verdict(more > 1.0 and errors("mixed/2") == 0),
                    cpu=cpu("mixed/2"),
                    load=load,
                    note=(
                        f"non-2xx: {errors('mixed/2'):.0f}; the machine's {cores} cores "
                        f"busy (server, PostgreSQL, wrk): {machine('mixed/2'):.2f} with 2 "
                        f"processes, {machine('mixed/1'):.2f} with 1"
                    ),
                    values={
                        "rate": rate("mixed/2"),
                        "one": rate("mixed/1"),
                        "machine": machine("mixed/2"),
                        "machine_one": machine("mixed/1"),
                    },
                )
            )
            continue
        if name.endswith("-uncached"):
            ratio = rate("reads/uncached") / rate("reads/hello")
            bench.add(
                Row(
                    name,
                    (
                        f"authenticated `week` reads/s as server/{store}, its read cache off "
                        "(`TUI_BOARD_SERVE_READ_CACHE=off`): every answer computed; shown "
                        "beside the budget rows, no budget of its own"
                    ),
                    figure=(f"{rate('reads/uncached'):,.0f} req/s p99 {ms(p99('reads/uncached'))}"),
                    peer=f"hello-world {rate('reads/hello'):,.0f} req/s",
                    ratio=f"{ratio:.2f}x",
                    budget="(shown)",
                    result="INFO" if errors("reads/uncached") == 0 else "FAIL",
                    cpu=cpu("reads/uncached"),
                    load=load,
                    note=f"non-2xx: {errors('reads/uncached'):.0f}",
                    values={"rate": rate("reads/uncached"), "ratio": ratio},
                )
            )
            continue
        mixed = name.endswith("-mixed")
        side, peer = ("mixed/1", "mixed/hello") if mixed else ("reads/1", "reads/hello")
        floor = 0.25 if mixed else 0.5
        asked = "3 `week` reads : 1 `add_time` (Idempotency-Key)" if mixed else "`week` reads"
        spread = "" if mixed else " over 4 weeks"
        what = (
            f"authenticated {asked}/s, one `tui-board serve` process on {store}, wrk -t1 "
            f"-c8, {people}{spread}; answers to reads kept while the store is unchanged; "
            "peer: FastAPI hello-world (async, one uvicorn process, the same requests), "
            "short runs alternating"
        )
        ratio = rate(side) / rate(peer)
        ok = ratio >= floor and errors(side) == 0 and p99(side) < 0.05
        bench.add(
            Row(
                name,
                what,
                figure=f"{rate(side):,.0f} req/s p99 {ms(p99(side))}",
                peer=f"hello-world {rate(peer):,.0f} req/s",
                ratio=f"{ratio:.2f}x",
                budget=f">= {floor}x, p99 < 50 ms",
                result=verdict(ok),
                cpu=cpu(side),
                load=load,
                note=f"non-2xx: {errors(side):.0f}",
                values={"rate": rate(side), "peer_rate": rate(peer), "ratio": ratio},
            )
        )


# --- 6. load: 20 clients, mixed reads and writes --------------------------------------------


#: The paced load: each client's requests a second, on average, as a Poisson process (20
#: clients: 200 a second, as many as 200 people's apps each asking once a second).
PACE = 10


def bench_load(bench: Bench) -> None:
    """Per store, twice: 20 clients paced at `PACE` requests a second each, whose p99 is
    the budget (latency from the moment each request was due, so a client that fell
    behind counts its lag), and the same 20 flat out (each sends the next request when
    the last is answered: the server's most, with no latency budget: 20 busy processes
    on 2 cores measure the scheduler as much as the server)."""
    for store in ("sqlite", "postgres"):
        for flat_out in (False, True):
            name = f"load/{store}" + ("-flat-out" if flat_out else "")
            if bench.selected(name):
                load_row(bench, store, name, flat_out)


def load_row(bench: Bench, store: str, name: str, flat_out: bool) -> None:
    seconds = 3 if bench.dry else (10 if bench.quick else 60)
    clients = 20
    pace = 0 if flat_out else PACE
    what = (
        f"{clients} clients, a process each (RemoteBackend, httpx) x {seconds} s against "
        f"one `tui-board serve` on {store}: 3 week reads : 1 add_time (Idempotency-Key), "
        "each its own cell; the store read directly after; "
        + (
            "each sends when answered (flat out)"
            if flat_out
            else f"each {pace} requests a second (Poisson), latency from when each was due"
        )
    )
    load = os.getloadavg()[0]
    try:
        with contextlib.ExitStack() as stack:
            if store == "sqlite":
                db = str(bench.work / "load.db")
                bench.demo(Path(db))
            else:
                db = stack.enter_context(postgres_db(bench))
            figures = load_run(bench, stack, db, clients, seconds, pace)
    except Skip as why:
        bench.add(Row(name, what, result="SKIP", note=str(why), load=load))
        return
    ok = figures["lost"] == 0 and figures["doubled"] == 0 and figures["5xx"] == 0
    ok = ok and figures["errors"] == 0 and (flat_out or figures["p99"] < 0.05)
    bench.add(
        Row(
            name,
            what,
            figure=(
                f"{figures['rate']:,.0f} req/s p50 {ms(figures['p50'])} p99 {ms(figures['p99'])}"
            ),
            budget="0 lost, 0 doubled, 0 5xx" + ("" if flat_out else "; p99 < 50 ms"),
            result=verdict(ok),
            cpu=f"server cpu {figures['server_cpu']:.2f} s per s",
            load=load,
            note=(
                f"writes {figures['writes']:.0f}, lost {figures['lost']:.0f}, doubled "
                f"{figures['doubled']:.0f}, 5xx {figures['5xx']:.0f}, other errors "
                f"{figures['errors']:.0f}"
            ),
            values=figures,
        )
    )


#: One load client, in a process of its own (as a person's app is): 3 week reads : 1
#: `add_time` of a minute on its own cell until the stop time, then what it saw as JSON.
LOAD_CLIENT = """
import json, random, sys, time
from datetime import date
from pathlib import Path

from tui_board.backend.remote import RemoteBackend
from tui_board.core.weeks import IsoWeek

url, token, key, day, queue, start, stop, pace, phase = json.loads(sys.argv[1])
day = date.fromisoformat(day)
week = IsoWeek.of(day)
backend = RemoteBackend.connect(url, token, queue_dir=Path(queue))
statuses = {"5xx": 0}

def count(response):
    if response.status_code >= 500:
        statuses["5xx"] += 1

backend._client.event_hooks["response"].append(count)
backend.week(week)  # connected and warm before the clock starts
while time.time() < start:
    time.sleep(0.001)
latencies, believed, errors, text, n = [], 0, 0, [], 0
# paced: requests come as a Poisson process of `pace` a second (each client on its own,
# as people do: bursts and lulls, never in step); request n is due at its time
# (perf_counter's), and its latency runs from then, so a client that fell behind counts it
arrivals = random.Random(phase)
due = time.perf_counter() + (arrivals.expovariate(pace) if pace else 0.0)
while time.time() < stop:
    began = time.perf_counter()
    if pace:
        if due > began:
            time.sleep(due - began)
        began = due
        due += arrivals.expovariate(pace)
    try:
        if n % 4 == 3:
            backend.add_time(key, day, 1)
            believed += 1
        else:
            backend.week(week)
    except Exception as error:  # counted and shown, not hidden
        errors += 1
        text.append(f"{type(error).__name__}: {error}")
    latencies.append(time.perf_counter() - began)
    n += 1
backend.sync()  # any write queued while the server did not answer
errors += len(backend.pending_writes())
backend.close()
print(json.dumps({"latencies": latencies, "believed": believed, "errors": errors,
                  "5xx": statuses["5xx"], "text": text[:3]}))
"""


def load_run(
    bench: Bench, stack: contextlib.ExitStack, db: str, clients: int, seconds: float, pace: int
) -> dict[str, float]:
    """`clients` processes, each one person's app on a cell of its own (client i:
    person i % people, task i, today): a client's latency is its own, not its wait for
    a lock shared with other clients in one interpreter."""
    sys.path.insert(0, str(ROOT))
    from tui_board.store.database import Database

    database = Database.open(db)
    with database.engine.connect() as conn:
        logins = [r[0] for r in conn.exec_driver_sql("SELECT login FROM users ORDER BY id")]
        keys = [
            f"{r[0]}-{r[1]}"
            for r in conn.exec_driver_sql(
                "SELECT p.key, t.number FROM tasks t JOIN projects p ON p.id = t.project_id "
                "WHERE NOT t.archived ORDER BY t.id"
            )
        ]
    tokens = {login: token_for(bench, db, login) for login in logins}
    url, server = stack.enter_context(serving(bench, db))
    today = date.today()
    cells = [(logins[i % len(logins)], keys[i], today) for i in range(clients)]

    def stored() -> dict[tuple[str, str, date], int]:
        with database.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT u.login, p.key, t.number, e.day, e.minutes FROM time_entries e "
                "JOIN users u ON u.id = e.user_id JOIN tasks t ON t.id = e.task_id "
                "JOIN projects p ON p.id = t.project_id"
            ).all()
        out = {}
        for login, key, number, day, minutes in rows:
            day = date.fromisoformat(day) if isinstance(day, str) else day
            out[(login, f"{key}-{number}", day)] = minutes
        return out

    before = stored()
    script = bench.work / "load_client.py"
    script.write_text(LOAD_CLIENT)
    start = time.time() + 3 + clients * 0.15  # every client imported and connected first
    stop = start + seconds
    processes = []
    for i, (login, key, day) in enumerate(cells):
        queue = bench.work / f"queue-{i}"
        phase = i  # the seed of its arrivals: each client its own
        args = json.dumps(
            [url, tokens[login], key, day.isoformat(), str(queue), start, stop, pace, phase]
        )
        processes.append(
            subprocess.Popen(
                [PYTHON, str(script), args], env=bench.env(), stdout=subprocess.PIPE, text=True
            )
        )
    while time.time() < start:
        time.sleep(0.01)
    cpu_before = cpu_of(server.pid)
    results = [json.loads(p.communicate()[0]) for p in processes]
    took = seconds
    server_cpu = (cpu_of(server.pid) - cpu_before) / took
    after = stored()
    database.close()
    latencies = [t for r in results for t in r["latencies"]]
    lost = doubled = 0
    for result, cell in zip(results, cells, strict=True):
        change = after.get(cell, 0) - before.get(cell, 0)
        lost += max(0, result["believed"] - change)
        doubled += max(0, change - result["believed"])
    seen = [t for r in results for t in r["text"]]
    if seen:
        print(f"  errors seen by the clients (first 3): {seen[:3]}")
    return {
        "rate": len(latencies) / took,
        "p50": median(latencies),
        "p99": statistics.quantiles(latencies, n=100, method="inclusive")[-1],
        "writes": float(sum(r["believed"] for r in results)),
        "lost": float(lost),
        "doubled": float(doubled),
        "5xx": float(sum(r["5xx"] for r in results)),
        "errors": float(sum(r["errors"] for r in results)),
        "server_cpu": server_cpu,
    }


# --- 7. the workload, in the backend ------------------------------------------------------------


def bench_workload(bench: Bench) -> None:
    """The budget's two sizes: 200 people (the demo over 26 weeks, or 52 in the full
    run) and 5,000 people over about 5M entries (tests/bench/bigstore.py, made once a
    week and kept in the bench's folder)."""
    from bigstore import make, store_path

    for people in (200, 5000):
        name = f"workload/{people}x12"
        if not bench.selected(name):
            continue
        if people == 200:
            weeks = 26 if bench.quick or bench.dry else 52
            path = bench.work / f"workload-{people}x{weeks}.db"
            if not path.exists():
                print(f"  (making {people} people x {weeks} weeks of time, in {bench.work} ...)")
                bench.demo(path, users=people, tasks=people * 5, weeks=weeks)
        else:
            entries = 200_000 if bench.dry else 5_000_000
            path = store_path(bench.work, people, entries)
            if not path.exists():
                print(
                    f"  (making {people:,} people over {entries:,} entries, kept in "
                    f"{bench.work}: about a minute, once a week ...)",
                    flush=True,
                )
                make(path, people, entries)
        load = os.getloadavg()[0]
        runs = bench.pairs(15, 30)
        command = [PYTHON, str(HERE / "inprocess.py"), "workload", str(path), str(runs)]
        _sample, code, out, err = run_child_output(command, bench.env())
        if code != 0:
            raise SystemExit(f"the workload bench failed:\n{err[-2000:]}")
        figures = json.loads(out.strip().splitlines()[-1])
        times = figures["times"]
        limit = 0.05 if people <= 200 else 0.1
        bench.add(
            Row(
                name,
                "IN-PROCESS: the workload's first screenful (Backend.workload(12 weeks, "
                "limit=100: the screen's first read) with the week totals over all "
                f"{figures['people']:,} people) "
                f"over {figures['entries']:,} entries, on the backend the app opens on a "
                "SQLite file, warm",
                figure=f"{ms(median(times))} p90 {ms(p90(times))}",
                budget=f"< {limit * 1000:.0f} ms",
                result=verdict(median(times) < limit),
                cpu=f"cpu {ms(median(figures['cpu']))}; scroll {ms(median(figures['scroll']))}",
                load=load,
                values={
                    "s": median(times),
                    "cpu_s": median(figures["cpu"]),
                    "scroll_s": median(figures["scroll"]),
                },
            )
        )


# --- the table -------------------------------------------------------------------------------


HEADER = (
    "row",
    "figure (median, p90)",
    "floor/peer (same run)",
    "ratio",
    "budget",
    "result",
    "cpu / wall",
    "load",
)


def print_row(row: Row) -> None:
    print(
        f"{row.name:<22} {row.figure:<26} {row.peer:<34} {row.ratio:>6}  {row.budget:<16} "
        f"{row.result:<6} {row.cpu:<24} {row.load:4.2f}",
        flush=True,
    )
    if row.note:
        print(f"{'':<22} {row.note}", flush=True)


def print_header() -> None:
    print(
        f"{HEADER[0]:<22} {HEADER[1]:<26} {HEADER[2]:<34} {HEADER[3]:>6}  {HEADER[4]:<16} "
        f"{HEADER[5]:<6} {HEADER[6]:<24} {HEADER[7]}"
    )


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        result = row.result + (f": {row.note}" if row.note else "")
        cells = (
            row.name,
            row.figure,
            row.peer,
            row.ratio,
            row.budget,
            result,
            row.cpu,
            f"{row.load:.2f}",
        )
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


BENCHES: list[Callable[[Bench], None]] = [
    bench_start,
    bench_cli,
    bench_board_scale,
    bench_timesheet,
    bench_server,
    bench_load,
    bench_workload,
]


def bench_live(bench: Bench) -> None:  # live/sqlite, live/postgres: see live.py
    from live import bench_live as run_live

    run_live(bench)


BENCHES.append(bench_live)


def bench_schedule(bench: Bench) -> None:  # schedule/2000/...: see schedule.py
    from schedule import bench_schedule as run_schedule

    run_schedule(bench)


BENCHES.append(bench_schedule)


def bench_import(bench: Bench) -> None:  # import/100k: see importing.py
    from importing import bench_import as run_import

    run_import(bench)


BENCHES.append(bench_import)

ROW_NAMES = [
    "start/board",
    "start/timesheet",
    "start/workload",
    "start/kanban-tui",
    *CLI_ROWS,
    "board10k/... (--quick) or board1k/, board10k/, board100k/...: first-screen, searchable, "
    "key, move, memory, filter-key",
    "timesheet/enter",
    "timesheet/week-switch",
    "server/sqlite",
    "server/sqlite-mixed",
    "server/sqlite-uncached",
    "server/postgres",
    "server/postgres-mixed",
    "server/postgres-uncached",
    "server/postgres-workers2",
    "load/sqlite",
    "load/sqlite-flat-out",
    "load/postgres",
    "load/postgres-flat-out",
    "workload/200x12",
    "workload/5000x12",
    "live/sqlite",
    "live/postgres",
    "schedule/2000/first-frame",
    "schedule/2000/scroll",
    "schedule/2000/shift",
    "import/100k",
]


def byte_compile() -> None:
    """tui-board's modules compiled to .pyc, as an install leaves them (module docstring)."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("tui_board")
    if spec is not None and spec.origin is not None:
        compileall.compile_dir(Path(spec.origin).parent, quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tests/bench/run.py", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller sizes (~2 min)")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run the rows with this name or prefix (repeatable)",
    )
    parser.add_argument("--json", metavar="FILE", help="also save the rows as JSON")
    parser.add_argument("--markdown", metavar="FILE", help="also save the table as Markdown")
    parser.add_argument("--list", action="store_true", help="list the rows and exit")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="one pair per row, the smallest sizes: checks the bench runs",
    )
    parser.add_argument("--work", metavar="DIR", help="the bench's folder (default: a temp dir)")
    parser.add_argument(
        "--cards",
        type=int,
        metavar="N",
        help="the board rows' size (default 100,000; --quick 10,000)",
    )
    parser.add_argument("--no-install", action="store_true", help="do not pip install Watson")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(ROW_NAMES))
        return 0
    bench = Bench(args)
    sys.path.insert(0, str(HERE))
    byte_compile()
    started = datetime.now()
    print(
        f"tui-board benchmark {started:%Y-%m-%d %H:%M}: {platform.node()}, {os.cpu_count()} "
        f"cores, {platform.platform(terse=True)}, Python {platform.python_version()}"
        f"{', --quick' if args.quick else ''}{', --dry-run' if args.dry_run else ''}"
    )
    print_header()
    try:
        for run in BENCHES:
            run(bench)
    finally:
        for suffix in ("", "-wal", "-shm"):  # this run's own demo
            Path(f"{bench.work / f'demo-80-{os.getpid()}.db'}{suffix}").unlink(missing_ok=True)
    if not bench.rows:
        print(f"no row matches {bench.only}; rows: see --list")
        return 2
    took = (datetime.now() - started).total_seconds()
    print(f"{len(bench.rows)} rows in {took:.0f} s")
    if args.json:
        data = {
            "started": started.isoformat(),
            "cores": os.cpu_count(),
            "quick": args.quick,
            "rows": [asdict(row) for row in bench.rows],
        }
        Path(args.json).write_text(json.dumps(data, indent=2))
    if args.markdown:
        Path(args.markdown).write_text(markdown(bench.rows) + "\n")
    return 1 if any(row.result.startswith("FAIL") for row in bench.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
