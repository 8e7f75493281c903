"""The layers stay apart (DESIGN.md section 3): core, the backends (the remote one
too), the store, the config and the team server never import Textual, nor does a CLI
command such as `tui-board log`; core imports no SQL or HTTP library. Each check runs
in a fresh interpreter, since this test process may have imported anything."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import tui_board.core
from tests.cli_helpers import Cli, entry_point_env, run_probe

ROOT = Path(__file__).resolve().parents[1]
CORE = sorted(f"tui_board.core.{m.name}" for m in pkgutil.iter_modules(tui_board.core.__path__))
NOT_UI = [
    *CORE,
    "tui_board.backend",
    "tui_board.backend.protocol",
    "tui_board.backend.local",
    "tui_board.backend.remote",
    "tui_board.server.app",
    "tui_board.store.database",
    "tui_board.store.tables",
    "tui_board.config",
]
UI_LIBRARIES = ("textual",)
HEAVY_LIBRARIES = ("textual", "sqlalchemy", "sqlmodel", "httpx", "alembic", "psycopg")


def loaded_after_importing(modules: list[str]) -> set[str]:
    """The top-level packages a fresh interpreter holds after importing `modules`."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_core_has_the_modules_it_should() -> None:
    assert {"tui_board.core.models", "tui_board.core.workload", "tui_board.core.errors"} <= set(
        CORE
    )


def test_no_textual_below_the_ui() -> None:
    loaded = loaded_after_importing(NOT_UI)
    assert {"tui_board", "fastapi", "httpx"} <= loaded  # the server and the remote backend
    assert not loaded & set(UI_LIBRARIES)


@pytest.mark.parametrize("module", CORE)
def test_core_imports_no_ui_sql_or_http(module: str) -> None:
    loaded = loaded_after_importing([module])
    assert not loaded & set(HEAVY_LIBRARIES), f"{module} pulls in {loaded & set(HEAVY_LIBRARIES)}"


def test_all_of_core_together_stays_light() -> None:
    assert not loaded_after_importing(CORE) & set(HEAVY_LIBRARIES)


def test_the_backend_package_defers_the_store() -> None:
    """`tui_board.backend` is imported by the app before its first frame; SQLModel
    and httpx come only with `open_backend`."""
    assert not loaded_after_importing(["tui_board.backend"]) & set(HEAVY_LIBRARIES)


def imported_by_command(args: list[str], home: Path) -> list[str]:
    """Every module the real `python -m tui_board ARGS` imports (`-X importtime`
    lists each on stderr); the command must succeed."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tui_board", *args],
        env=entry_point_env(home, TUI_BOARD_USER="alice"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    modules = [
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    ]
    messages = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    assert (done.returncode, messages) == (0, []), done.stderr[-2000:]
    return modules


#: What the commands that must answer at once run without (DESIGN.md section 8).
NOT_ON_HOT_PATHS = ("textual", "sqlalchemy", "sqlmodel", "pydantic", "httpx", "alembic", "psycopg")


@pytest.mark.parametrize(
    "args",
    [
        ["log", "1h30", "WEB-1", "-m", "review"],
        ["remind"],
        ["week", "--json"],
        ["timer", "start", "WEB-1"],
        ["timer", "status"],
    ],
    ids=lambda args: "-".join(args[:2]),
)
def test_a_command_that_answers_at_once_imports_no_orm_http_or_ui(
    tmp_path: Path, args: list[str]
) -> None:
    """`tui-board log 1h30 WEB-12` runs on the standard library's sqlite3: it imports
    neither the app nor SQLAlchemy, SQLModel, pydantic or httpx."""
    cli = Cli(tmp_path)
    cli.ok("init", "--db", str(cli.db))
    cli.ok("project", "add", "WEB", "Web site")
    cli.ok("task", "add", "WEB", "Fix login")
    modules = imported_by_command(["--db", str(cli.db), *args], tmp_path)
    assert {"tui_board.cli.main", "sqlite3", "tui_board.store.file"} <= set(modules)  # it ran
    assert [m for m in modules if m.split(".")[0] in NOT_ON_HOT_PATHS] == []


def test_timer_stop_and_undo_also_answer_at_once(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.ok("init", "--db", str(cli.db))
    cli.ok("project", "add", "WEB", "Web site")
    cli.ok("task", "add", "WEB", "Fix login")
    cli.ok("--db", str(cli.db), "log", "1h", "WEB-1")
    modules = imported_by_command(["--db", str(cli.db), "undo"], tmp_path)
    assert [m for m in modules if m.split(".")[0] in NOT_ON_HOT_PATHS] == []
    cli.ok("--db", str(cli.db), "timer", "start", "WEB-1")
    modules = imported_by_command(["--db", str(cli.db), "timer", "stop"], tmp_path)
    assert [m for m in modules if m.split(".")[0] in NOT_ON_HOT_PATHS] == []


def test_a_file_behind_the_schema_is_left_to_the_orm(tmp_path: Path) -> None:
    """A file whose schema is behind is not opened on sqlite3: `open_backend` falls back
    to `Database`, which backs it up and upgrades it."""
    import sqlite3

    from tui_board.store.file import SCHEMA_HEAD, FileDatabase

    cli = Cli(tmp_path)
    cli.ok("init", "--db", str(cli.db))
    opened = FileDatabase.open(cli.db)
    assert opened is not None
    opened.close()
    conn = sqlite3.connect(cli.db)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '0004'")
    conn.close()
    assert SCHEMA_HEAD != "0004"
    assert FileDatabase.open(cli.db) is None


def test_each_subcommand_is_found_in_the_module_that_holds_it() -> None:
    """`tui-board log` imports only `cli/time.py` of the command modules: the map that
    says where each command lives is complete and right."""
    import importlib

    from tui_board.cli.main import COMMAND_MODULES

    held = {
        command.name: module
        for module in sorted(set(COMMAND_MODULES.values()))
        for command in importlib.import_module(f"tui_board.cli.{module}").COMMANDS
    }
    assert held == COMMAND_MODULES
    modules = loaded_modules_of_log()
    assert "tui_board.cli.time" in modules
    assert not {"tui_board.cli.work", "tui_board.cli.people", "tui_board.cli.serve"} & modules


def loaded_modules_of_log() -> set[str]:
    script = (
        "import sys\n"
        "from tui_board.cli.main import cli\n"
        "try:\n"
        "    cli.main(['log', '--help'], standalone_mode=False)\n"
        "finally:\n"
        "    print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    return set(done.stderr.split())


#: Runs the app headless, as `tui-board --db FILE` builds it, and reports in JSON which
#: of the ORM's libraries were imported, by which thread, and whether the board had its
#: cards on screen at that moment; then waits for the warm-up to end.
APP_PROBE = """
import asyncio, importlib.abc, json, sys, threading, time

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic")
first = {}
app = None


def cards_shown():
    from tui_board.ui.screens.board import BoardScreen
    if app is None or not app.screen_stack:
        return False
    board = app.screen_stack[0]
    state = getattr(board, "state", None)
    return (
        isinstance(board, BoardScreen)
        and board.has_class("-loaded")
        and state is not None
        and state.complete
        and any(state.cards(c.id) for c in state.columns)
    )


class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in HEAVY and top not in first:
            first[top] = {"thread": threading.current_thread().name, "cards": cards_shown()}
        return None


sys.meta_path.insert(0, Watch())

import tui_board.cli.main  # what `tui-board` imports before it opens the app
from tui_board.config import Config
from tui_board.ui.app import make_app


async def main():
    global app
    app = make_app(Config(db=sys.argv[1]))
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(2000):
            await pilot.pause(0.005)
            if cards_shown():
                break
        shown = cards_shown()
        for _ in range(1000):  # the warm-up begins after the frame with the cards
            warm = [t for t in threading.enumerate() if t.name == "tui-board-warm"]
            if warm or getattr(app.backend, "_full", None) is not None:
                break
            await pilot.pause(0.005)
        for thread in warm:
            thread.join(20)
        backend = app.backend
        ready = getattr(backend, "_full", None) is not None
    print(json.dumps({"cards": shown, "first": first, "ready": ready}))


asyncio.run(main())
"""


def test_the_board_draws_its_cards_before_the_orm_is_imported(tmp_path: Path) -> None:
    """`tui-board` on a local file reaches the board with its cards on the standard
    library's sqlite3 (DESIGN.md section 8): SQLAlchemy, SQLModel and pydantic are first
    imported after that, by the thread that warms the backend for the first write."""
    cli = Cli(tmp_path)
    cli.ok("init", "--db", str(cli.db))
    cli.ok("project", "add", "WEB", "Web site")
    cli.ok("task", "add", "WEB", "Fix login")
    seen = run_probe(APP_PROBE, tmp_path, str(cli.db))
    assert seen["cards"] is True  # the board showed WEB-1
    warm = {"thread": "tui-board-warm", "cards": True}
    assert seen["first"] == {"sqlalchemy": warm, "sqlmodel": warm, "pydantic": warm}
    assert seen["ready"]  # the write path is open before the first key


#: Runs the app headless until the backend's warm-up has begun, then presses keys a
#: fifth of a second apart (someone typing) and reports how many modules SQLAlchemy had
#: when the typing began and when it ended, and whether the warm-up then ended.
APP_TYPING_PROBE = """
import asyncio, json, sys, threading, time
from tui_board.config import Config
from tui_board.ui.app import make_app


def orm_modules():
    return sum(1 for name in list(sys.modules) if name.partition(".")[0] == "sqlalchemy")


async def main():
    app = make_app(Config(db=sys.argv[1]))
    async with app.run_test(size=(120, 40)) as pilot:
        warm = []
        for _ in range(4000):
            warm = [t for t in threading.enumerate() if t.name == "tui-board-warm"]
            if warm:
                break
            await pilot.pause(0.005)
        await pilot.press("j")
        began = orm_modules()
        for _ in range(8):
            await pilot.pause(0.2)
            await pilot.press("j" if _ % 2 else "k")
        ended = orm_modules()
        alive = warm[0].is_alive()
        warm[0].join(30)
        ready = getattr(app.backend, "_full", None) is not None
    print(json.dumps({"warm": bool(warm), "began": began, "ended": ended, "alive": alive,
                      "ready": ready, "after": orm_modules()}))


asyncio.run(main())
"""


def test_the_warm_up_waits_while_keys_come(tmp_path: Path) -> None:
    """The warm-up's imports share the interpreter with the app's thread: once it has
    begun, keys coming stop it (no module imported while someone types), and it goes
    on once they stop."""
    cli = Cli(tmp_path)
    cli.ok("init", "--db", str(cli.db))
    cli.ok("project", "add", "WEB", "Web site")
    cli.ok("task", "add", "WEB", "Fix login")
    cli.ok("task", "add", "WEB", "Fix logout")
    seen = run_probe(APP_TYPING_PROBE, tmp_path, str(cli.db))
    assert seen["warm"]
    assert seen["alive"]  # still waiting when the typing stopped ...
    assert seen["ended"] - seen["began"] <= 2  # ... having imported (all but) nothing
    assert seen["ready"] and seen["after"] > seen["ended"] + 50  # then all of it
