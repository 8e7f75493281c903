"""The board with 10,000 cards in one project: open, a key to its frame, memory.

Run by hand:   python tests/bench/bench_board.py [--quick]
(or as part of the whole benchmark: python tests/bench/bench.py --only board)

Each measurement runs in a fresh process on a database with one project of 10,000
cards (the demo's other projects archived), in a headless app at 120x40:

- open: from the process start (imports included) to the first frame that shows the
  cards, and from the backend being open to that frame (reading and drawing the board);
- a key to its frame: the key event posted as a terminal would, to the end of the frame
  it causes (the compositor's update, encoded as the terminal's escape codes), for
  moving the focus (`j`, `l`), moving a card (`L`, `J`: the frame comes first, the write
  follows in a worker), filtering every card by a word, and a resize to 200x60;
- memory: resident set size once the board is open and after the keys.

The same run on the 80-card demo shows what does not depend on the number of cards.
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

STARTED = time.perf_counter()  # a stand-in for the process start when run by hand

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import PYTHON, WORK, demo, report, small_db  # noqa: E402

CARDS = 10_000
#: The demo spreads 90% of its cards over its three projects and gives the rest to the
#: first: 25,000 makes exactly 10,000 in WEB.
DEMO_TASKS = 25_000


def board_db() -> Path:
    path = WORK / f"board-{CARDS}.db"
    if not path.exists():
        print(f"making a board of {CARDS:,} cards in one project ...")
        demo(path, users=50, tasks=DEMO_TASKS, weeks=2)
        import sqlite3

        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE projects SET archived = 1 WHERE key != 'WEB'")
            (count,) = conn.execute(
                "SELECT count(*) FROM tasks JOIN projects ON projects.id = tasks.project_id "
                "WHERE projects.key = 'WEB' AND NOT tasks.archived"
            ).fetchone()
        assert count == CARDS, count
    return path


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(db: str, keys: int, spawned: float) -> None:
    """Runs in its own process (`spawned`: the parent's clock when it started it; the
    clock is the system's monotonic one): prints one JSON object of figures."""
    import asyncio
    from collections.abc import Iterable

    from textual import events
    from textual._compositor import CompositorUpdate

    from tui_board.config import Config
    from tui_board.ui.app import make_app
    from tui_board.ui.screens.board import BoardScreen

    app = make_app(Config(db=db))
    frames: list[float] = []
    figures: dict[str, object] = {}
    display = app._display

    def timed_display(screen: object, renderable: object) -> None:
        if renderable is not None:
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)  # what a terminal would be sent
            frames.append(time.perf_counter())
            loaded = isinstance(screen, BoardScreen) and screen.has_class("-loaded")
            if loaded and "open" not in figures:
                figures["open"] = frames[-1] - spawned
        display(screen, renderable)  # type: ignore[arg-type]

    app._display = timed_display  # type: ignore[method-assign]

    draws: list[float] = []
    draw = BoardScreen.draw

    def timed_draw(screen: BoardScreen, column_ids: Iterable[int] | None = None) -> None:
        draw(screen, column_ids)
        draws.append(time.perf_counter())

    BoardScreen.draw = timed_draw  # type: ignore[method-assign,assignment]

    async def key_to_frame(key: str, character: str | None) -> float:
        """From the key to the first frame after the board was drawn for it (a filter
        key is drawn a message later than the key: its frame is the one that counts)."""
        await asyncio.sleep(0.05)  # let the previous key's write and frame finish
        while app.workers and any(worker.is_running for worker in app.workers):
            await asyncio.sleep(0.01)
        frames.clear()
        draws.clear()
        assert app._driver is not None
        started = time.perf_counter()
        app._driver.send_message(events.Key(key, character))
        while time.perf_counter() - started < 2:
            if draws and any(frame > draws[0] for frame in frames):
                return next(frame for frame in frames if frame > draws[0]) - started
            await asyncio.sleep(0.0005)
        raise SystemExit(f"no frame after the key {key!r}")

    async def run() -> None:
        opened_at = 0.0
        async with app.run_test(size=(120, 40)) as pilot:
            while "open" not in figures:
                if app.backend is not None and not opened_at:
                    opened_at = time.perf_counter()
                await asyncio.sleep(0.002)
            figures["read_and_draw"] = figures["open"] - (opened_at - spawned)  # type: ignore[operator]
            screen = app.screen
            assert isinstance(screen, BoardScreen) and screen.state is not None
            figures["cards"] = screen.state.total
            figures["rss_open"] = rss_mb()
            # Pairs of keys, so that every key has somewhere to go.
            for name, key, back in (
                ("focus_down", "j", "k"),
                ("focus_right", "l", "h"),
                ("move_card_right", "L", "H"),
                ("reorder_card", "J", "K"),
            ):
                times = []
                for _ in range(keys):
                    times.append(await key_to_frame(key, key))
                    if back is not None:
                        await key_to_frame(back, back)
                figures[name] = times
            await pilot.press("slash")
            figures["filter_all"] = [
                await key_to_frame(k, k) for k in ("f", "i", "x", "backspace", "backspace")
            ]
            await pilot.press("escape")
            frames.clear()
            started = time.perf_counter()
            await pilot.resize_terminal(200, 60)
            while not frames:
                await asyncio.sleep(0.0005)
            figures["resize"] = [frames[-1] - started]
            await asyncio.sleep(0.3)
            wide = []
            for _ in range(keys):
                wide.append(await key_to_frame("L", "L"))
                await key_to_frame("H", "H")
            figures["move_card_200x60"] = wide
            figures["rss_end"] = rss_mb()
            app.exit()

    asyncio.run(run())
    print(json.dumps(figures))


def measure(db: Path, runs: int) -> list[dict[str, object]]:
    env = {**os.environ, "TUI_BOARD_USER": "bench", "TUI_BOARD_CONFIG": str(WORK / "cfg.toml")}
    results = []
    for _ in range(runs):
        command = [PYTHON, __file__, "--child", str(db), "--keys", "15"]
        command += ["--spawned", repr(time.perf_counter())]
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise SystemExit(f"board bench failed:\n{out.stderr}")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def median(results: list[dict[str, object]], name: str) -> float:
    values: list[float] = []
    for result in results:
        value = result[name]
        values += value if isinstance(value, list) else [value]  # type: ignore[list-item]
    return statistics.median(values)


def run(runs: int) -> None:
    """Measure in fresh processes, on 10,000 cards and on the 80-card demo (what the
    cost would be if it did not depend on the cards), and print against the budgets."""
    big = measure(board_db(), max(1, runs // 5))
    small = measure(small_db(), max(1, runs // 5))
    cards = big[0]["cards"]
    print(f"{'board (medians; in brackets: the same on the 80-card demo)':<52}")

    def row(name: str, label: str, budget: str, limit: float | None) -> None:
        value, floor = median(big, name), median(small, name)
        text = f"{value * 1000:.1f} ms ({floor * 1000:.1f})"
        report(label, text, budget, limit is None or value < limit)

    row("open", f"{cards:,} cards: process start to board frame", "1 s", 1.0)
    row("read_and_draw", "  of it, store open to board frame", "", None)
    row("focus_down", "key to frame: focus down (j)", "50 ms", 0.05)
    row("focus_right", "key to frame: focus next column (l)", "50 ms", 0.05)
    row("move_card_right", "key to frame: move card to next column (L)", "50 ms", 0.05)
    row("reorder_card", "key to frame: move card down its column (J)", "50 ms", 0.05)
    row("filter_all", "key to frame: type a filter over all cards", "50 ms", 0.05)
    row("resize", "resize 120x40 -> 200x60 to frame", "(a repaint)", None)
    row("move_card_200x60", "key to frame at 200x60: move card (L)", "50 ms", 0.05)
    memory = max(median(big, "rss_open"), median(big, "rss_end"))
    floor = max(median(small, "rss_open"), median(small, "rss_end"))
    report("memory (resident), board open", f"{memory:.0f} MB ({floor:.0f})", "150 MB",
           memory < 150)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--child", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--keys", type=int, default=15, help=argparse.SUPPRESS)
    parser.add_argument("--spawned", type=float, default=STARTED, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.keys, args.spawned)
    else:
        run(5 if args.quick else 15)


if __name__ == "__main__":
    main()
