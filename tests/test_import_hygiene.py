"""The layers stay apart (DESIGN.md section 3): core, the backends, the store and the
config never import Textual, and core imports no SQL or HTTP library. Each check runs
in a fresh interpreter, since this test process may have imported anything."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import tui_board.core

ROOT = Path(__file__).resolve().parents[1]
CORE = sorted(f"tui_board.core.{m.name}" for m in pkgutil.iter_modules(tui_board.core.__path__))
NOT_UI = [
    *CORE,
    "tui_board.backend",
    "tui_board.backend.protocol",
    "tui_board.backend.local",
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
    assert "tui_board" in loaded
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
