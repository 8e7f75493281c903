"""The timesheet: a cell from `enter` to stored and redrawn, switching weeks of 50 rows.

Run by hand:   python tests/bench/bench_timesheet.py [--quick]
(or as part of the whole benchmark: python tests/bench/bench.py --only timesheet)

Each measurement runs in a fresh process on a local SQLite database where the person has
50 rows in this week and in the next (the demo's team, 200 tasks), in a headless app at
120x40. A key is posted as a terminal would send it, and the clock stops at the end of
the frame it causes (the compositor's update encoded as the terminal's escape codes):

- `enter` to stored and redrawn: a duration typed into a cell, then `enter`, until the
  store has answered (the write runs in a worker thread) and the screen shows it: the
  end of the first frame after the answer, or when the answer changes nothing on the
  screen (the value was shown at once), the later of the answer and the first frame;
  and `enter` to its first frame (the screen moves on before the store answers);
- a week switch: `]` or `[` to the end of the frame that shows the other week of 50
  rows (read in a worker thread);
- a character typed into a cell, and moving the cursor, to their frames;
- `tui-board remind`, the line a login runs, as a ratio to `python -c "import sqlmodel"`
  (the budget of `tui-board log`, which does as much).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import PYTHON, WORK, demo, env_for, median_seconds, report  # noqa: E402

ROWS = 50


def timesheet_db() -> Path:
    """The demo (login `bench`) with 50 rows in this week and the next."""
    path = WORK / f"timesheet-{ROWS}.db"
    if path.exists():
        return path
    print(f"making a timesheet of {ROWS} rows a week ...")
    demo(path, users=8, tasks=200, weeks=2)
    env = {**os.environ, "TUI_BOARD_USER": "bench"}
    code = f"""
import sys
from datetime import date
from tui_board.config import Config
from tui_board.backend import open_backend
from tui_board.core.weeks import IsoWeek
backend = open_backend(Config(db=sys.argv[1]), login="bench")
week = IsoWeek.of(date.today())
keys = [t.key for t in backend.list_tasks()][:{ROWS}]
for shift in (0, 1):
    for key in keys:
        backend.add_week_row(week.shift(shift), key)
for key in keys[:10]:  # some time on the next week's rows, none on a working day to come
    backend.set_entry(key, week.shift(1).monday(), 30)
backend.close()
"""
    subprocess.run([PYTHON, "-c", code, str(path)], env=env, check=True)
    import sqlite3

    with sqlite3.connect(path) as conn:  # one file: the copies need no -wal beside them
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def child(db: str, keys: int) -> None:
    """Runs in its own process: prints one JSON object of figures (seconds)."""
    import asyncio

    from textual import events
    from textual._compositor import CompositorUpdate

    from tui_board.config import Config
    from tui_board.ui.app import make_app
    from tui_board.ui.screens.timesheet import TimesheetScreen
    from tui_board.ui.writer import WriteAnswered

    app = make_app(Config(db=db))
    frames: list[float] = []
    answered: list[float] = []
    display = app._display

    def timed_display(screen: object, renderable: object) -> None:
        if renderable is not None:
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)  # what a terminal would be sent
            display(screen, renderable)  # type: ignore[arg-type]
            frames.append(time.perf_counter())
            return
        display(screen, renderable)  # type: ignore[arg-type]

    app._display = timed_display  # type: ignore[method-assign]

    def hook(message: object) -> None:
        if isinstance(message, WriteAnswered | TimesheetScreen.WeekLoaded):
            answered.append(time.perf_counter())

    async def idle() -> None:
        await asyncio.sleep(0.05)
        while any(worker.is_running for worker in app.workers):
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.02)

    async def send(key: str, character: str | None) -> float:
        frames.clear()
        answered.clear()
        assert app._driver is not None
        started = time.perf_counter()
        app._driver.send_message(events.Key(key, character))
        return started

    async def first_frame(started: float) -> float:
        while not frames and time.perf_counter() - started < 2:
            await asyncio.sleep(0.0005)
        if not frames:
            raise SystemExit("no frame after a key")
        return frames[0] - started

    async def frame_after_answer(started: float) -> float:
        """Until the store's answer has arrived and is on the screen: the end of the
        first frame drawn after the answer's message arrived (the message hook runs as
        the screen receives it; its handler draws next), or, when the answer changes
        nothing on the screen (the value typed was shown at once), the later of the
        answer and the first frame."""
        while not answered and time.perf_counter() - started < 2:
            await asyncio.sleep(0.0005)
        if not answered:
            raise SystemExit("the store did not answer")
        answer = answered[0]
        while time.perf_counter() - answer < 0.05:
            after = [f for f in frames if f > answer]
            if after:
                return after[0] - started
            await asyncio.sleep(0.0005)
        if not frames:
            raise SystemExit("nothing was drawn")
        return max(frames[0], answer) - started

    async def run() -> None:
        figures: dict[str, list[float] | int] = {}
        async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
            await pilot.pause(0.3)
            await pilot.press("2")
            while not (isinstance(app.screen, TimesheetScreen) and app.screen.sheet):
                await asyncio.sleep(0.01)
            screen = app.screen
            assert isinstance(screen, TimesheetScreen) and screen.sheet is not None
            figures["rows"] = len(screen.sheet.rows)
            await idle()
            for name in ("enter_stored", "enter_frame", "type_frame", "move_frame"):
                figures[name] = []
            figures["week_switch"] = []
            for n in range(keys):
                await idle()
                started = await send("j" if n % 2 else "k", "j" if n % 2 else "k")
                figures["move_frame"].append(await first_frame(started))  # type: ignore[union-attr]
                assert screen.sheet is not None and screen.sheet.focus_cell is not None
                now = screen.sheet.minutes(*screen.sheet.focus_cell)
                text = "1:11" if now != 71 else "2:22"  # a change: the store is written
                for character in text:
                    await idle()
                    started = await send(character, character)
                    figures["type_frame"].append(await first_frame(started))  # type: ignore[union-attr]
                await idle()
                started = await send("enter", "\r")
                figures["enter_frame"].append(await first_frame(started))  # type: ignore[union-attr]
                figures["enter_stored"].append(await frame_after_answer(started))  # type: ignore[union-attr]
                await idle()
                key, character = ("right_square_bracket", "]") if n % 2 == 0 else (
                    "left_square_bracket", "[")  # fmt: skip
                started = await send(key, character)
                figures["week_switch"].append(await frame_after_answer(started))  # type: ignore[union-attr]
                assert screen.sheet is not None and len(screen.sheet.rows) >= ROWS
            app.exit()
        print(json.dumps(figures))

    asyncio.run(run())


def measure(db: Path, runs: int, keys: int) -> list[dict[str, object]]:
    env = {**os.environ, "TUI_BOARD_USER": "bench", "TUI_BOARD_CONFIG": str(WORK / "cfg.toml")}
    results = []
    for _ in range(runs):
        copy = WORK / "timesheet-run.db"  # every run starts from the same week
        shutil.copyfile(db, copy)
        for suffix in ("-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        command = [PYTHON, __file__, "--child", str(copy), "--keys", str(keys)]
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise SystemExit(f"timesheet bench failed:\n{out.stderr}")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def median(results: list[dict[str, object]], name: str) -> float:
    values: list[float] = []
    for result in results:
        value = result[name]
        values += value if isinstance(value, list) else [value]  # type: ignore[list-item]
    return statistics.median(values)


def run(runs: int) -> None:
    results = measure(timesheet_db(), max(1, runs // 5), keys=10)
    rows = results[0]["rows"]
    print(f"timesheet ({rows} rows a week; medians)")

    def row(name: str, label: str, budget: str, limit: float | None) -> None:
        value = median(results, name)
        values = [v for r in results for v in r[name]]  # type: ignore[attr-defined]
        text = f"{value * 1000:.1f} ms (max {max(values) * 1000:.0f})"
        report(label, text, budget, limit is None or value < limit)

    row("enter_stored", "enter to stored and redrawn", "50 ms", 0.05)
    row("enter_frame", "  enter to its first frame", "", None)
    row("week_switch", f"switch weeks ({rows} rows) to the new week's frame", "100 ms", 0.1)
    row("type_frame", "a character typed into a cell to frame", "50 ms", 0.05)
    row("move_frame", "move the cursor (j/k) to frame", "50 ms", 0.05)

    # `tui-board remind` runs at every login: as fast as `tui-board log` should be.
    db = timesheet_db()
    floor = median_seconds([PYTHON, "-c", "import sqlmodel"], runs)
    remind = median_seconds([PYTHON, "-m", "tui_board", "--db", str(db), "remind"], runs, env_for())
    report(
        "tui-board remind (a login line)",
        f"{remind * 1000:.0f} ms = {remind / floor:.2f}x",
        "1.5x sqlmodel",
        remind / floor <= 1.5,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--child", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--keys", type=int, default=10, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.keys)
    else:
        run(5 if args.quick else 15)


if __name__ == "__main__":
    main()
