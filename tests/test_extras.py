"""A member's install has no server stack and no PostgreSQL driver: asking for either
is one line that says what to install."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui_board.cli.main import cli
from tui_board.core.errors import Invalid
from tui_board.store.database import Database


@pytest.mark.parametrize("missing", ["uvicorn", "fastapi", "greenlet", "orjson"])
def test_serve_without_the_server_extra_says_what_to_install(
    missing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # `import` now fails as if absent
    monkeypatch.setenv("TUI_BOARD_CONFIG", str(tmp_path / "config.toml"))
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "board.db")])
    assert result.exit_code == 2  # what the CLI gives every refused request
    assert result.stderr == (
        "tui-board: the team server (`tui-board serve`) needs the 'server' extra: "
        "pip install '.[server]' in tui-board's folder (as the README does; it is not on PyPI)\n"
    )
    assert not (tmp_path / "board.db").exists()


def test_postgresql_without_the_driver_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(Invalid, match=r"pip install '\.\[postgres\]' in tui-board's folder"):
        Database.connect("postgresql://nobody@127.0.0.1:1/none")


def test_a_server_on_a_sqlite_file_needs_no_postgresql_driver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's PostgreSQL half (`server/green.py`) is imported only for a
    PostgreSQL store: a team on one SQLite file installs no driver."""
    monkeypatch.setitem(sys.modules, "psycopg", None)
    for module in ("tui_board.server.app", "tui_board.server.green"):
        monkeypatch.delitem(sys.modules, module, raising=False)  # imported afresh here
    from tui_board.server.app import create_app

    database = Database.open(str(tmp_path / "board.db"), create=True)
    try:
        assert create_app(database) is not None
        assert "tui_board.server.green" not in sys.modules
    finally:
        database.close()
