"""How the CLI prints: aligned tables for people, JSON for scripts, one-line errors.

Everything the CLI writes goes through this module, because much of it is text other
people stored (a card title, a name, a rejection note) or that a user typed (a task key
in an error): a control character in it is an instruction to the reader's terminal.
`say` and `table` show text through `printable`, `emit_json` through `safe_json`, `fail`
and click's own usage errors are neutralised the same way. No other module in
`tui_board/cli/` echoes or prints (tests/test_cli_hostile.py checks that).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from tui_board.core.models import to_json
from tui_board.core.text import printable, safe_json

#: The widest a table cell is shown, in terminal cells; `--json` has the full value.
CELL_WIDTH = 48
ELLIPSIS = "…"


def say(text: str, *, err: bool = False, multiline: bool = False, nl: bool = True) -> None:
    """Print a line (to stderr with `err`); `multiline` for text shown on several lines,
    such as a description, a comment body or a CSV document, whose newlines and tabs
    stay."""
    click.echo(printable(text, multiline=multiline), err=err, nl=nl)


def emit_json(value: Any) -> None:
    """Print a value as JSON for scripts: escaped as JSON does, full values."""
    click.echo(safe_json(to_json(value), indent=2))


def clip(text: str, width: int) -> str:
    """`text` made printable and at most `width` terminal cells wide, with an ellipsis
    where it was cut (wide characters count two cells, combining marks none)."""
    from rich.cells import cell_len

    text = printable(text)
    if cell_len(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        size = cell_len(char)
        if used + size > width - 1:
            break
        kept.append(char)
        used += size
    return "".join(kept) + ELLIPSIS


def _pad(text: str, width: int, *, right: bool) -> str:
    from rich.cells import cell_len

    gap = " " * (width - cell_len(text))
    return gap + text if right else text + gap


def _bold_headers() -> bool:
    """Bold table headers on a terminal that has not asked for no colour."""
    return (
        sys.stdout.isatty()
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM", "") not in ("", "dumb")
    )


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    right: frozenset[int] | set[int] = frozenset(),
    width: int = CELL_WIDTH,
) -> None:
    """Print rows under headers, columns aligned in terminal cells; `right` names
    right-aligned columns. A cell wider than `width` cells is cut with an ellipsis."""
    from rich.cells import cell_len

    cells = [[clip(str(h), width) for h in headers]] + [
        ["" if v is None else clip(str(v), width) for v in r] for r in rows
    ]
    widths = [max(cell_len(row[i]) for row in cells) for i in range(len(headers))]
    bold = _bold_headers()
    for n, row in enumerate(cells):
        line = "  ".join(
            _pad(value, widths[i], right=i in right) for i, value in enumerate(row)
        ).rstrip()
        click.echo(click.style(line, bold=True) if n == 0 and bold else line)


@contextmanager
def progress(total: int, label: str, *, at_least: int = 2_000) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for `total` steps (`label` first), when stderr is a
    terminal and there are at least `at_least` steps; yields what to call with each
    step's size. Nothing is shown otherwise (a pipe, a script, a small file)."""
    if total < at_least or not sys.stderr.isatty():
        yield lambda _done: None
        return
    with click.progressbar(
        length=total, label=printable(label), file=sys.stderr, show_pos=True
    ) as bar:
        yield bar.update


def status(text: str) -> None:
    """A line on stderr about what a long command is doing, on a terminal only."""
    if sys.stderr.isatty():
        say(text, err=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """One line on stderr, `tui-board: ...`, and the exit code. A run of text past
    `LONG_RUN` characters (what was typed, quoted back) is cut: a refused 10,000-character
    name was printed whole."""
    message = _LONG_RUN.sub(lambda m: f"{m[0][:SHOWN_OF_RUN]}…({len(m[0]):,} chars)", message)
    if len(message) > LONGEST_ERROR:  # long text with spaces in it: its start and its end
        message = (
            f"{message[: LONGEST_ERROR // 2]} …({len(message):,} chars)… "
            + (message[-(LONGEST_ERROR // 4) :])
        )
    say(f"tui-board: {message}", err=True)
    raise SystemExit(code)


#: The longest run of characters without a space an error shows whole, and how much of
#: a longer one it shows.
LONG_RUN, SHOWN_OF_RUN = 300, 120
#: The longest error shown whole (the reason is at its end as often as its start).
LONGEST_ERROR = 800
_LONG_RUN = re.compile(rf"\S{{{LONG_RUN + 1},}}")


def neutralise(error: click.ClickException) -> click.ClickException:
    """Click's own error (a usage error echoes what was typed) as one whose message is
    printable, for click to show as it would have shown the original (same exit code).
    A request for help is left alone: the help is our own text."""
    if isinstance(error, getattr(click.exceptions, "NoArgsIsHelpError", ())):  # click 8.2+
        return error
    message = error.format_message()
    if printable(message) is message:
        return error
    if isinstance(error, click.UsageError):
        return click.UsageError(printable(message), error.ctx)
    return click.ClickException(printable(message))
