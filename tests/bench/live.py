"""The live-updates rows of the benchmark (`live/sqlite`, `live/postgres`).

A real `tui-board serve` process on the demo store. Measured:
- change to other client: one client (RemoteBackend) writes a card, another, waiting on
  the change feed (`wait_changes`, the board's long poll), has it: the wall time from
  just before the write to the waiter's answer, median and worst of several.
- idle: N clients each hold a long poll open (a separate process of lean asyncio HTTP
  clients); the server's CPU per second of wall time while nothing changes, against
  the same N clients polling `last_change` once a second (what the board did before).

Kept in its own module: run.py imports `bench_live` and lists its rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from run import Bench

#: N lean clients, each one long poll (`wait`) or a `last_change` a second (`poll`),
#: until stdin closes. Prints the requests it made.
CLIENTS = """
import asyncio, json, sys
from urllib.parse import urlsplit
url, token, count, mode, since = json.loads(sys.stdin.readline())
where = urlsplit(url)
done = asyncio.Event()
made = [0]
async def request(reader, writer, method, path, body=b""):
    writer.write(
        f"{method} {path} HTTP/1.1\\r\\nHost: {where.netloc}\\r\\n"
        f"Authorization: Bearer {token}\\r\\nContent-Type: application/json\\r\\n"
        f"Content-Length: {len(body)}\\r\\n\\r\\n".encode() + body
    )
    head = await reader.readuntil(b"\\r\\n\\r\\n")
    length = next(int(l.split(b":")[1]) for l in head.lower().split(b"\\r\\n")
                  if l.startswith(b"content-length:"))
    made[0] += 1
    return await reader.readexactly(length)
async def client():
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    while not done.is_set():
        if mode == "wait":
            await request(reader, writer, "GET", f"/api/v1/changes?since={since}&wait=30")
        else:
            await request(reader, writer, "POST", "/api/v1/last_change", b"{}")
            await asyncio.sleep(1)
async def main():
    tasks = [asyncio.create_task(client()) for _ in range(count)]
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)
    done.set()
    for task in tasks:
        task.cancel()
    print(made[0], flush=True)
asyncio.run(main())
"""


def bench_live(bench: Bench) -> None:
    import run

    for store in ("sqlite", "postgres"):
        name = f"live/{store}"
        if not bench.selected(name):
            continue
        idle = 20 if bench.dry else 200
        seconds = 1 if bench.dry else (3 if bench.quick else 10)
        changes = 3 if bench.dry else (8 if bench.quick else 30)
        what = (
            f"`tui-board serve` on {store}: a card written by one client to another "
            f"client's wait_changes answer (median/worst of {changes}); server CPU with "
            f"{idle} clients each holding a long poll, {seconds} s; peer: the same clients "
            "polling last_change once a second (the board before)"
        )
        load = os.getloadavg()[0]
        try:
            with contextlib.ExitStack() as stack:
                if store == "sqlite":
                    db = str(bench.work / "live.db")
                    bench.demo(Path(db))
                else:
                    db = stack.enter_context(run.postgres_db(bench))
                token = run.token_for(bench, db, "bench")
                url, server = stack.enter_context(run.serving(bench, db))
                took = _latencies(bench, url, token, changes)
                waiting = _idle_cpu(url, token, idle, "wait", seconds, server.pid)
                polling = _idle_cpu(url, token, idle, "poll", seconds, server.pid)
        except run.Skip as why:
            bench.add(run.Row(name, what, result="SKIP", note=str(why), load=load))
            continue
        worst, typical = max(took), statistics.median(took)
        cpu, requests = waiting
        peer_cpu, peer_requests = polling
        ok = worst < 1.0 and cpu < 0.02
        bench.add(
            run.Row(
                name,
                what,
                figure=f"change to other client {run.ms(typical)} (worst {run.ms(worst)})",
                peer=f"polling: server cpu {peer_cpu:.3f} s/s, {peer_requests / seconds:.0f} req/s",
                ratio=f"idle cpu {cpu:.4f} s/s, {requests / seconds:.1f} req/s",
                budget="< 1 s; idle ~0 (< 0.02 s/s)",
                result=run.verdict(ok),
                cpu=f"server cpu {cpu:.4f} s per s with {idle} waiting",
                load=load,
                note=f"{idle} idle clients",
                values={
                    "latency_median": typical,
                    "latency_worst": worst,
                    "idle_cpu": cpu,
                    "idle_requests_per_s": requests / seconds,
                    "polling_cpu": peer_cpu,
                    "polling_requests_per_s": peer_requests / seconds,
                },
            )
        )


def _latencies(bench: Bench, url: str, token: str, changes: int) -> list[float]:
    import threading

    from tui_board.backend.remote import RemoteBackend

    folder = bench.work / "live-offline"
    writer = RemoteBackend.connect(url, token, queue_dir=folder)
    watcher = RemoteBackend.connect(url, token, queue_dir=folder)
    took: list[float] = []
    try:
        project = writer.list_projects()[0].key
        for n in range(changes):
            since = watcher.last_change()
            answer: list[Any] = []
            waiting = threading.Thread(
                target=lambda s=since, a=answer: a.append(watcher.wait_changes(s, 10))
            )
            waiting.start()
            time.sleep(0.2)  # the wait is open on the server
            made = time.perf_counter()
            writer.create_task(project, f"Live bench card {n}")
            waiting.join(15)
            took.append(time.perf_counter() - made if answer and answer[0] else 10.0)
    finally:
        writer.close()
        watcher.close()
    return took


def _idle_cpu(
    url: str, token: str, count: int, mode: str, seconds: int, pid: int
) -> tuple[float, int]:
    """The server's CPU per second while `count` clients `wait` or `poll`, and the
    requests they made in that time."""
    import run

    from tui_board.backend.remote import RemoteBackend

    with contextlib.closing(RemoteBackend.connect(url, token)) as probe:
        since = probe.last_change()
    clients = subprocess.Popen(
        [sys.executable, "-c", CLIENTS], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert clients.stdin is not None and clients.stdout is not None
    try:
        clients.stdin.write(json.dumps([url, token, count, mode, since]) + "\n")
        clients.stdin.flush()
        if mode == "wait":  # until all came in and wait: the server's CPU stands still
            _settle(pid)
        else:
            time.sleep(2)  # polling at their pace
        before = run.cpu_of(pid)
        time.sleep(seconds)
        cpu = (run.cpu_of(pid) - before) / seconds
        clients.stdin.write("\n")
        clients.stdin.flush()
        made = int(clients.stdout.readline() or 0)
    finally:
        with contextlib.suppress(OSError):
            clients.stdin.close()
        clients.kill()
        clients.wait()
    # Requests made while measured: a waiting client makes one when it starts; a
    # polling one, one a second (made counts from the start: take the measured part).
    measured = made - count if mode == "wait" else made * seconds // (seconds + 2)
    return cpu, max(0, measured)


def _settle(pid: int, timeout: float = 20.0) -> None:
    """Wait until the process used under 5 ms of CPU in each of two half seconds."""
    import run

    deadline = time.monotonic() + timeout
    quiet = 0
    last = run.cpu_of(pid)
    while quiet < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
        now = run.cpu_of(pid)
        quiet = quiet + 1 if now - last < 0.005 else 0
        last = now
