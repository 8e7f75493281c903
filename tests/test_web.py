"""`tui-board web`: the app served to a browser by textual-serve. A real `tui-board web`
process on a loopback port, opened in headless Chromium (the system's, driven by
Playwright, which downloads no browser): the board arrives over the page's websocket,
a key typed in the page moves a card, and the SQLite file says so.

Without Chromium (or Playwright) the browser test skips with the reason, except under
CI=true, where it must run."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import entry_point_env, run_cli
from tests.test_postgres_servers import ServerProcess, _free_port
from tests.ui_helpers import board_demo_config, demo_template  # noqa: F401  (fixtures)
from tui_board.backend import open_backend
from tui_board.cli.web import app_command
from tui_board.config import Config

CHROMIUM = os.environ.get("TUI_BOARD_TEST_CHROMIUM", "/usr/bin/chromium")
#: How long the page may take to show the board (a cold app start on a busy machine).
BOARD_TIMEOUT_S = 60


def chromium() -> str:
    """The Chromium executable; else skip (fail under CI=true) saying why."""
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "the playwright package is not installed (pip install -e '.[test]')"
    found = shutil.which(CHROMIUM)
    if reason is None and found is None:
        reason = f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true, so the browser test must run", pytrace=False)
        pytest.skip(reason)
    assert found is not None
    return found


class WebServer:
    """A `tui-board web` process (in a session of its own, so that the app processes
    it starts end with it)."""

    def __init__(self, home: Path, *args: str) -> None:
        self.port = _free_port()
        command = [sys.executable, "-m", "tui_board", *args, "web", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command,
            env=entry_point_env(home, TUI_BOARD_USER="alice"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.said = self._wait_listening()
        #: The team server's token the app processes get (never on their command line).
        self.token = ""

    def _wait_listening(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"tui-board web ended: {self.process.communicate()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            time.sleep(0.1)
        else:
            raise AssertionError("tui-board web did not listen within 30 s")
        assert self.process.stderr is not None
        return "".join(self.process.stderr.readline() for _ in range(3))

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # an app process left behind


@pytest.fixture(name="chromium")
def chromium_executable() -> str:
    return chromium()


@pytest.fixture(params=["local", "remote"])
def web_server(
    request: pytest.FixtureRequest, chromium: str, config: Config, tmp_path: Path
) -> Iterator[WebServer]:
    """`tui-board --db FILE web`, or `tui-board --server URL --token T web` in front of
    a `tui-board serve` on the same file."""
    if request.param == "local":
        server = WebServer(tmp_path, "--db", config.db)
    else:
        team = ServerProcess(config.db, tmp_path / "server")
        request.addfinalizer(team.stop)
        team.wait_ready()
        made = run_cli(
            ["--db", config.db, "user", "token", "alice"],
            home=tmp_path / "admin",
            env={"TUI_BOARD_USER": "alice"},
        )
        assert made.code == 0, made.stderr
        server = WebServer(tmp_path, "--server", team.url, "--token", made.stdout.strip())
        server.token = made.stdout.strip()
    try:
        yield server
    finally:
        server.stop()


def session_command_lines(leader: int) -> list[str]:
    """The command lines of the processes in `leader`'s session (the app processes a
    `tui-board web` started), as `ps` shows them to anyone on the machine."""
    lines = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if os.getsid(int(entry.name)) == leader:
                lines.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
    return lines


def test_a_key_typed_in_the_browser_moves_the_card_in_the_store(
    chromium: str, config: Config, web_server: WebServer
) -> None:
    from playwright.sync_api import WebSocket, sync_playwright

    said = web_server.said
    port = web_server.port
    assert f"on http://127.0.0.1:{port} for " in said
    assert "no login of its own" in said
    assert f"ssh -L {port}:127.0.0.1:{port} " in said
    backend = open_backend(config, login="alice")
    column = backend.get_task("APP-3").column
    received: list[str] = []

    def on_websocket(socket_: WebSocket) -> None:
        def frame(payload: Any) -> None:
            received.append(
                payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
            )

        socket_.on("framereceived", frame)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("websocket", on_websocket)
            page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            deadline = time.monotonic() + BOARD_TIMEOUT_S
            while "APP-3" not in "".join(received):  # the board's first card is drawn
                assert time.monotonic() < deadline, "the board did not arrive in the page"
                page.wait_for_timeout(100)
            apps = [
                line
                for line in session_command_lines(web_server.process.pid)
                if " -m tui_board " in line and " web " not in line
            ]
            assert apps, "no app process"
            if web_server.token:
                assert not any(web_server.token in line for line in apps)
            page.focus(".xterm-helper-textarea")
            page.keyboard.type("L")  # the focused card, APP-3, to the next column
            while backend.get_task("APP-3").column == column:
                assert time.monotonic() < deadline, "the key did not reach the store"
                page.wait_for_timeout(100)
        finally:
            browser.close()
    assert backend.get_task("APP-3").column == "To do"
    backend.close()


def test_the_app_process_gets_the_same_options_and_the_token_by_environment() -> None:
    command = shlex.split(
        app_command(
            {"db": "/srv/team board.db", "server": None, "theme": "tui-board-light", "token": "x"}
        )
    )
    assert command == [
        sys.executable,
        "-m",
        "tui_board",
        "--db",
        "/srv/team board.db",
        "--theme",
        "tui-board-light",
    ]
    remote = shlex.split(
        app_command(
            {"server": "http://h:8765", "token": "tb_secret", "config_path": Path("c.toml")}
        )
    )
    assert remote[3:] == ["--server", "http://h:8765", "--config", str(Path("c.toml").absolute())]
    assert not any("tb_secret" in word for word in remote)  # `ps` would show it


def test_web_without_the_web_extra_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from tui_board.cli.main import cli

    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # as if not installed
    monkeypatch.setenv("TUI_BOARD_CONFIG", str(tmp_path / "config.toml"))
    result = CliRunner().invoke(cli, ["web", "--port", str(_free_port())])
    assert result.exit_code == 2
    assert result.stderr == (
        "tui-board: the app in a browser (`tui-board web`) needs the 'web' extra: "
        "pip install '.[web]' in tui-board's folder (as the README does; it is not on PyPI)\n"
    )
