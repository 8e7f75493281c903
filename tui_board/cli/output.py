"""How the CLI prints: aligned tables for people, JSON for scripts, one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from tui_board.core.models import to_json


def emit_json(value: Any) -> None:
    click.echo(json.dumps(to_json(value), indent=2, ensure_ascii=False))


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    right: frozenset[int] | set[int] = frozenset(),
) -> None:
    """Print rows under headers, columns aligned; `right` names right-aligned columns."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        line = "  ".join(
            value.rjust(widths[i]) if i in right else value.ljust(widths[i])
            for i, value in enumerate(row)
        )
        click.echo(
            click.style(line.rstrip(), bold=True)
            if n == 0 and sys.stdout.isatty()
            else line.rstrip()
        )


def fail(message: str, code: int = 1) -> None:
    click.echo(f"tui-board: {message}", err=True)
    raise SystemExit(code)
