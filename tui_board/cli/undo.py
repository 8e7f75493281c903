"""`tui-board undo`: undo my last change made from the shell.

The commands that change something (`log`, `task add|move|assign|archive`, `timer
start|stop`, `approve`, `reject`) keep the change they made (`tui_board.backend.undo`) in
a small private file in the data folder, per store, newest last. `tui-board undo` takes
the newest and undoes it through the Backend, as a versioned write: when someone changed
the thing since, it says so and changes nothing (and that change is dropped: it can no
longer be undone). `--list` shows what is kept.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tui_board.cli.context import CliContext, pass_cli
from tui_board.cli.output import emit_json, fail, say

if TYPE_CHECKING:
    from tui_board.backend.undo import Undoable

#: Changes kept per store.
KEEP = 20
FILE_NAME = "undo.json"


def undo_file() -> Path:
    from tui_board.config import user_data_dir

    return user_data_dir() / FILE_NAME


def store_of(cli_ctx: CliContext) -> str:
    """Whose changes on which store: the server's URL (its token says who), or the
    database with the login I use on it."""
    from tui_board.backend import current_login

    config = cli_ctx.config
    if config.server:
        return config.server
    db = config.db_path
    return f"{current_login()} @ {db if '://' in db else os.path.realpath(db)}"


def _read(path: Path) -> dict[str, list[dict[str, Any]]]:
    """What is kept; Invalid when another account could have written the file (what
    it says is undone as me)."""
    from tui_board.files import check_trusted

    check_trusted(path, "the undo file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or not ours to read: start again
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict[str, list[dict[str, Any]]]) -> None:
    from tui_board.files import private_folder, write_file

    private_folder(path.parent)
    write_file(path, json.dumps(data, indent=1, sort_keys=True), replace=True, private=True)


def remember(cli_ctx: CliContext, change: Undoable | None) -> None:
    """Keep a change a command made, for `tui-board undo` (never fails the command)."""
    if change is None:
        return
    from tui_board.core.errors import Invalid

    path = undo_file()
    try:
        data = _read(path)
    except Invalid as error:
        say(f"tui-board: this change is not kept for `undo`: {error.message}", err=True)
        return
    kept = data.setdefault(store_of(cli_ctx), [])
    kept.append(change.to_json())
    del kept[:-KEEP]
    try:
        _write(path, data)
    except OSError as error:
        say(f"tui-board: cannot keep this change for `undo`: {error.strerror}", err=True)


@click.command()
@click.option("--list", "listing", is_flag=True, help="Show the changes kept, newest first.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print them as JSON.")
@pass_cli
def undo(cli_ctx: CliContext, listing: bool, as_json: bool) -> None:
    """Undo my last change made from the shell (`log`, `task move` ...)."""
    from tui_board.backend.undo import change_from_json, follow
    from tui_board.core.errors import BoardError

    if not cli_ctx.config.server:
        # A local file must be a board, as for every other command, even with nothing
        # kept for it (what was kept names the file, not what it holds now).
        cli_ctx.backend()
    path = undo_file()
    data = _read(path)
    store = store_of(cli_ctx)
    kept = data.get(store, [])
    if listing:
        if as_json:
            emit_json(list(reversed(kept)))
        else:
            for item in reversed(kept):
                say(str(item.get("what", "?")))
            if not kept:
                say("Nothing to undo from the shell on this board.")
        return
    if not kept:
        say("Nothing to undo from the shell on this board.")
        return
    raw = kept.pop()
    try:
        change = change_from_json(raw)
    except (ValueError, TypeError, KeyError):
        _write(path, data)
        fail("the last change kept for undo could not be read; it is dropped")
    try:
        undone = change.undo(cli_ctx.backend())
    except BoardError as error:
        if error.kind == "unavailable":
            raise  # the server is away: the change stays, to undo once it is back
        _write(path, data)  # changed since, locked, not allowed: it cannot be undone
        reason = error.message
        if error.kind == "conflict":
            reason = change.changed_since(reason)
        reason = reason.removesuffix("; nothing was changed")  # (said once, below)
        after = (
            "`tui-board undo` now takes back the change before it" if kept else "it was the last"
        )
        fail(
            f"cannot undo {change.what}: {reason}; nothing was changed, and it is off the "
            f"undo list ({after})"
        )
    # the change before it of the same thing expects it as the undo left it
    older = [change_from_json(item) for item in kept]
    follow(older, undone.redo)
    data[store] = [item.to_json() for item in older]
    _write(path, data)
    say(f"Undone: {change.what}.")


COMMANDS = [undo]
