"""The `tui-board` command run in this process (click's CliRunner): a subprocess costs
about a second of start-up under load, an in-process run a few milliseconds.

A run sees what a fresh process started with the given environment would see, and
nothing it does outlives it: every `TUI_BOARD_*` variable of the test process is
removed, HOME and the XDG folders point into the run's own folder (so that platformdirs
finds no real config, data or themes), the environment is put back exactly as it was
afterwards, and a run that changes the working folder or the umask fails. Exceptions
the CLI did not turn into a message propagate with their traceback. The real entry
point (exit codes, stderr, pipes, `python -m tui_board`) keeps its own subprocess
tests (tests/test_cli.py, tests/test_cli_hostile.py), run with `entry_point_env`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tui_board.cli.main import cli


@dataclass(frozen=True)
class Ran:
    """What one run of the command ended with."""

    code: int
    stdout: str
    stderr: str


def isolated_env(home: Path, **extra: str | None) -> dict[str, str | None]:
    """The environment a run starts with (None: the variable is unset): the test
    process's own `TUI_BOARD_*` and colour settings removed, every folder the CLI may
    look in under `home`, then `extra`."""
    env: dict[str, str | None] = {
        key: None for key in os.environ if key.startswith("TUI_BOARD_") or key == "NO_COLOR"
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        TUI_BOARD_CONFIG=str(home / "config.toml"),
        TUI_BOARD_DATA=str(home / "data"),
    )
    env.update(extra)
    return env


def entry_point_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a real `tui-board` process: this process's own, changed as
    `isolated_env` changes it."""
    env = {**os.environ, **isolated_env(home, **extra)}
    return {key: value for key, value in env.items() if value is not None}


def run_probe(script: str, home: Path, *args: str, login: str = "alice") -> Any:
    """Run a Python script in a fresh interpreter (`entry_point_env(home)`, `login` the
    user, the repository its folder): what its last line of output holds, as JSON.
    For what only a new process shows (which modules a path imports, and when)."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=entry_point_env(home, TUI_BOARD_USER=login),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_cli(
    args: list[str] | tuple[str, ...],
    *,
    home: Path,
    env: Mapping[str, str | None] | None = None,
    color: bool = False,
) -> Ran:
    """Run `tui-board ARGS` in-process with `isolated_env(home, **env)`. `color=False`
    strips escapes as a pipe does; `color=True` shows every byte the CLI wrote."""
    before_env, before_cwd = dict(os.environ), os.getcwd()
    before_umask = os.umask(0o022)
    os.umask(before_umask)
    try:
        result = CliRunner(catch_exceptions=False).invoke(
            cli,
            list(args),
            env=isolated_env(home, **(env or {})),
            color=color,
            prog_name="tui-board",
        )
    finally:
        changed = os.environ.keys() | before_env.keys()
        leaked = {k for k in changed if os.environ.get(k) != before_env.get(k)}
        os.environ.clear()
        os.environ.update(before_env)
        umask = os.umask(before_umask)
        cwd = os.getcwd()
        os.chdir(before_cwd)
    assert (cwd, umask) == (before_cwd, before_umask), f"the run changed cwd or umask: {args}"
    assert not leaked, f"the run left environment variables changed: {sorted(leaked)}"
    return Ran(result.exit_code, result.stdout, result.stderr)


class Cli:
    """`tui-board --db <tmp>/team.db ...` as a given person (TUI_BOARD_USER), each run
    in-process, with the config and data folders under the test's tmp_path."""

    def __init__(self, tmp_path: Path, user: str = "alice") -> None:
        self.home = tmp_path
        self.db = tmp_path / "team.db"
        self.user = user

    def run(self, *args: str, user: str | None = None, db: bool = True) -> Ran:
        prefix = ["--db", str(self.db)] if db else []
        env = {"TUI_BOARD_USER": user or self.user}
        return run_cli([*prefix, *args], home=self.home, env=env)

    def ok(self, *args: str, user: str | None = None) -> str:
        """Stdout of a run that must succeed."""
        result = self.run(*args, user=user)
        assert result.code == 0, (args, result.stderr)
        return result.stdout

    def json(self, *args: str, user: str | None = None) -> Any:
        """The `--json` output, parsed (as `json.loads` types it: the tests' asserts
        check its shape)."""
        return json.loads(self.ok(*args, "--json", user=user))

    def week_minutes(self, task: str = "WEB-1") -> int:
        return sum(e["minutes"] for e in self.json("week")["entries"] if e["task"] == task)
