"""What every command shares: the config and, opened on first use, the backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tui_board.config import Config

if TYPE_CHECKING:
    from tui_board.backend.protocol import Backend


@dataclass
class CliContext:
    config: Config
    config_path: Path | None = None
    _backend: Backend | None = field(default=None, repr=False)

    def backend(self, *, create: bool = False) -> Backend:
        if self._backend is None:
            from tui_board.backend import open_backend

            self._backend = open_backend(self.config, create=create)
        return self._backend

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    def minutes(self, text: str, *, cap: bool = True) -> int:
        from tui_board.core.durations import parse_duration

        return parse_duration(
            text, bare_unit=self.config.bare_unit, max_minutes=24 * 60 if cap else None
        )

    def today(self) -> date:
        return date.today()

    def day(self, text: str | None, *, ahead: bool = False) -> date:
        """A date typed on the command line (`ahead`: a weekday name is the next one,
        for due dates, starts, milestones and deadlines)."""
        from tui_board.core.weeks import parse_date

        return self.today() if text is None else parse_date(text, self.today(), ahead=ahead)


pass_cli = click.make_pass_decorator(CliContext)
