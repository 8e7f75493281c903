"""`FileBackend` (backend/local/file.py): a local file's plain-SQL operations on sqlite3,
the rest on a `LocalBackend` opened on first use, or warmed up beforehand."""

from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import Cli, run_probe
from tui_board.backend.local import orm, people, reports, tasks, weeks
from tui_board.backend.local.file import QUICK, FileBackend, QuickService, open_file
from tui_board.backend.local.service import LocalBackend


def test_each_plain_sql_operation_has_one_implementation() -> None:
    """What a local file runs on sqlite3 is what LocalBackend runs on the ORM session:
    the same function, and no ORM module defines another."""
    assert {"list_tasks", "changes_since", "last_change", "week", "me"} <= QUICK
    for name in QUICK:
        assert getattr(LocalBackend, name) is getattr(QuickService, name), name
    for module in (orm, people, reports, tasks, weeks):
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                assert not QUICK & set(vars(value)), (value, QUICK & set(vars(value)))


def made(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path)
    cli.ok("init", "--db", str(cli.db))
    cli.ok("project", "add", "WEB", "Web site")
    return cli


def test_a_warmed_backend_writes_on_the_backend_it_warmed(tmp_path: Path) -> None:
    cli = made(tmp_path)
    backend = open_file(cli.db, "alice")
    assert isinstance(backend, FileBackend)
    try:
        thread = backend.warm()
        assert backend.warm() is thread  # once
        thread.join(30)
        assert not thread.is_alive()
        full = backend.full()
        assert backend._full is full
        task = backend.create_task("WEB", "Fix login")  # type: ignore[attr-defined]
        assert [t.key for t in backend.list_tasks(project="WEB")] == [task.key]  # type: ignore[attr-defined]
        assert backend.full() is full
    finally:
        backend.close()


#: Warm a FileBackend in a process that has not imported SQLAlchemy yet, and close it at
#: once (the app quitting just after its first frame).
CLOSE_WHILE_WARMING = """
import json, sys, time
from pathlib import Path
from tui_board.backend.local.file import open_file

backend = open_file(Path(sys.argv[1]), "alice")
thread = backend.warm()
began = time.perf_counter()
backend.close()
closed_in = time.perf_counter() - began
importing = "sqlalchemy" not in sys.modules or thread.is_alive()
thread.join(30)
print(json.dumps({"closed_in": closed_in, "importing": importing, "alive": thread.is_alive(),
                  "full": backend._full is not None, "database": backend._database is not None}))
"""


def test_closing_while_warming_opens_nothing_and_does_not_wait(tmp_path: Path) -> None:
    cli = made(tmp_path)
    seen = run_probe(CLOSE_WHILE_WARMING, tmp_path, str(cli.db))
    assert seen["importing"]  # closed while the thread was still at its imports
    assert seen["closed_in"] < 0.1  # without waiting for them
    assert seen == {**seen, "alive": False, "full": False, "database": False}


#: Warm a FileBackend held (the user typing) for a while, in a process that has not
#: imported SQLAlchemy yet: nothing is imported while held; all of it once let go.
HELD_WHILE_TYPING = """
import json, sys, threading, time
from pathlib import Path
from tui_board.backend.local.file import open_file

backend = open_file(Path(sys.argv[1]), "alice")
typing_until = time.monotonic() + 0.6
asked = []

def hold():
    asked.append(threading.current_thread().name)
    return typing_until - time.monotonic()

thread = backend.warm(hold=hold)
time.sleep(0.4)
held = {"sqlalchemy": "sqlalchemy" in sys.modules, "alive": thread.is_alive()}
thread.join(30)
print(json.dumps({"held": held, "alive": thread.is_alive(), "full": backend._full is not None,
                  "sqlalchemy": "sqlalchemy" in sys.modules,
                  "asked_from": sorted(set(asked)), "asked": len(asked)}))
backend.close()
"""


def test_a_held_warming_imports_nothing_until_let_go(tmp_path: Path) -> None:
    cli = made(tmp_path)
    seen = run_probe(HELD_WHILE_TYPING, tmp_path, str(cli.db))
    assert seen["held"] == {"sqlalchemy": False, "alive": True}  # waiting, nothing imported
    assert seen == {**seen, "alive": False, "full": True, "sqlalchemy": True}  # then all of it
    assert seen["asked_from"] == ["tui-board-warm"]  # only the warming thread waits
    assert seen["asked"] > 10  # asked again before each module, not once
