"""The parts of the benchmark that run inside a process of their own (started by run.py):

- `timesheet DB KEYS`: the app on the timesheet, in-process (keys posted as Textual's
  driver would post them, the clock stopped at the end of the frame the compositor
  encodes for the terminal): `enter` to stored and redrawn, a week switch; prints JSON;
- `workload DB RUNS`: the workload's first screenful (and a window read while
  scrolling) on the backend the app opens on a local file, warm; prints JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROWS = 50


def timesheet_db(work: Path, tui_board: list[str], env: dict[str, str]) -> Path:
    """The demo (login `bench`) with 50 rows in this week and the next, kept in `work`."""
    path = work / f"timesheet-{ROWS}-{time.strftime('%G-W%V')}.db"
    if path.exists():
        return path
    print(f"  (making a timesheet of {ROWS} rows a week ...)", flush=True)
    making = work / "timesheet-making.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{making}{suffix}").unlink(missing_ok=True)
    subprocess.run(
        [*tui_board, "demo", "--db", str(making), "--no-open", "--tasks", "200", "--weeks", "2"],
        env=env,
        check=True,
        capture_output=True,
    )
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
    subprocess.run([sys.executable, "-c", code, str(making)], env=env, check=True)
    import sqlite3

    with sqlite3.connect(making) as conn:  # one file: the copies need no -wal beside them
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    making.rename(path)
    return path


def timesheet_child(db: str, keys: int) -> None:
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


def workload_child(db: str, runs: int) -> None:
    """The workload's first screenful as the app reads it on a local file (the backend
    `tui-board` opens: plain SQL on sqlite3): the first 100 people by team and name and
    the week totals over everyone, for 12 weeks; then a window far down without the
    totals (what scrolling reads). Warm; wall and CPU time of each call."""
    from datetime import date

    from tui_board.backend import open_backend
    from tui_board.config import Config
    from tui_board.core.weeks import IsoWeek

    backend = open_backend(Config(db=db), login="bench")
    start = IsoWeek.of(date.today()).shift(-4)
    import sqlite3

    with sqlite3.connect(db) as conn:
        entries = conn.execute("SELECT count(*) FROM time_entries").fetchone()[0]
        people = conn.execute("SELECT count(*) FROM users").fetchone()[0]
    figures = backend.workload(start, 12, limit=100)  # warm
    if figures.people != people or len(figures.weeks) != 12 or not figures.totals:
        raise SystemExit(f"workload: {figures.people} people, {len(figures.weeks)} weeks")
    first: list[float] = []
    cpu: list[float] = []
    scroll: list[float] = []
    for _ in range(runs):
        started, ticks = time.perf_counter(), time.process_time()
        backend.workload(start, 12, offset=0, limit=100)
        first.append(time.perf_counter() - started)
        cpu.append(time.process_time() - ticks)
        started = time.perf_counter()
        backend.workload(start, 12, offset=max(0, people - 300), limit=100, totals=False)
        scroll.append(time.perf_counter() - started)
    backend.close()
    print(
        json.dumps(
            {"people": people, "entries": entries, "times": first, "cpu": cpu, "scroll": scroll}
        )
    )


if __name__ == "__main__":
    os.environ.setdefault("TUI_BOARD_USER", "bench")
    kind, db, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind == "timesheet":
        timesheet_child(db, count)
    else:
        workload_child(db, count)
