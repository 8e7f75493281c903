"""The workload screen on the large database (200 people, about 1,000,000 time entries):
its first frame, and a change of weeks.

Run by hand:   python tests/bench/bench_workload_screen.py [--quick]
(or as part of the whole benchmark: python tests/bench/bench.py --only workload_screen)

Each measurement runs in a fresh process, in a headless app at 120x40, as the admin
(who sees all 200 people), once the board behind it has loaded and gone quiet:

- first frame: from the key `3` (posted as a terminal would) to the end of the first
  frame that shows the grid with its figures: the screen made and mounted, the workload
  of 200 people x 12 weeks read in a worker, the grid filled and drawn;
- of it, the backend's `workload` call, timed around the call (cold, and sharing the
  CPU with the screen being made and drawn: the `workload` bench times it alone);
- a change of weeks: from the key `]` to the frame that shows the new weeks.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import PYTHON, WORK, large_db, report  # noqa: E402

#: Budget from DESIGN.md section 8.
FIRST_FRAME = 0.5


def child(db: str, shifts: int) -> None:
    """Runs in its own process: prints one JSON object of figures."""
    import asyncio

    from textual import events
    from textual._compositor import CompositorUpdate

    from tui_board.backend.local import LocalBackend
    from tui_board.config import Config
    from tui_board.ui.app import make_app
    from tui_board.ui.screens.board import BoardScreen
    from tui_board.ui.screens.workload import WorkloadScreen

    reads: list[float] = []
    workload = LocalBackend.workload

    def timed_workload(self: LocalBackend, *args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        try:
            return workload(self, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            reads.append(time.perf_counter() - started)

    LocalBackend.workload = timed_workload  # type: ignore[method-assign,assignment]

    app = make_app(Config(db=db))
    frames: list[tuple[float, object]] = []
    display = app._display

    def timed_display(screen: object, renderable: object) -> None:
        if renderable is not None:
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)  # what a terminal would be sent
            weeks = None
            if isinstance(screen, WorkloadScreen) and screen.grid.workload is not None:
                weeks = screen.grid.workload.weeks[0]
            frames.append((time.perf_counter(), weeks))
        display(screen, renderable)  # type: ignore[arg-type]

    app._display = timed_display  # type: ignore[method-assign]
    figures: dict[str, object] = {}

    async def quiet() -> None:
        await asyncio.sleep(0.05)
        while any(worker.is_running for worker in app.workers):
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)

    async def key_to_frame(key: str, character: str, shown: object) -> float:
        """From the key to the first frame whose first week is no longer `shown`."""
        frames.clear()
        assert app._driver is not None
        started = time.perf_counter()
        app._driver.send_message(events.Key(key, character))
        while time.perf_counter() - started < 10:
            done = [at for at, weeks in frames if weeks is not None and weeks != shown]
            if done:
                return done[0] - started
            await asyncio.sleep(0.0005)
        raise SystemExit(f"no workload frame after the key {key!r}")

    async def run() -> None:
        async with app.run_test(size=(120, 40)):
            while not (isinstance(app.screen, BoardScreen) and app.screen.has_class("-loaded")):
                await asyncio.sleep(0.01)
            await quiet()
            reads.clear()
            figures["first_frame"] = await key_to_frame("3", "3", None)
            screen = app.screen
            assert isinstance(screen, WorkloadScreen) and screen.grid.workload is not None
            figures["people"] = len(screen.grid.workload.rows)
            figures["weeks"] = len(screen.grid.workload.weeks)
            figures["read"] = reads[0]
            figures["shift"] = []
            for _ in range(shifts):
                await quiet()
                shown = screen.grid.workload.weeks[0]
                shift = await key_to_frame("right_square_bracket", "]", shown)
                figures["shift"].append(shift)  # type: ignore[union-attr]
            app.exit()

    asyncio.run(run())
    print(json.dumps(figures))


def measure(db: Path, runs: int) -> list[dict[str, object]]:
    env = {**os.environ, "TUI_BOARD_USER": "bench", "TUI_BOARD_CONFIG": str(WORK / "cfg.toml")}
    results = []
    for _ in range(runs):
        command = [PYTHON, __file__, "--child", str(db), "--shifts", "5"]
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise SystemExit(f"workload screen bench failed:\n{out.stderr}")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def median(results: list[dict[str, object]], name: str) -> float:
    values: list[float] = []
    for result in results:
        value = result[name]
        values += value if isinstance(value, list) else [value]  # type: ignore[list-item]
    return statistics.median(values)


def run(runs: int) -> None:
    results = measure(large_db(), max(1, runs // 3))
    people, weeks = results[0]["people"], results[0]["weeks"]
    first = median(results, "first_frame")
    report(
        f"workload screen {people} x {weeks}: key 3 to first frame",
        f"{first * 1000:.0f} ms",
        "500 ms",
        first < FIRST_FRAME,
    )
    read = median(results, "read")
    # The same call as the `workload` bench, but cold and sharing the CPU (and the GIL)
    # with the screen being made and drawn.
    report("  of it, the backend's workload read in a worker", f"{read * 1000:.0f} ms",
           "(in the app)", True)  # fmt: skip
    shift = median(results, "shift")
    report(
        "workload screen: key ] to the next weeks' frame",
        f"{shift * 1000:.0f} ms",
        "(a read + redraw)",
        True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--child", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--shifts", type=int, default=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.shifts)
    else:
        run(5 if args.quick else 15)


if __name__ == "__main__":
    main()
