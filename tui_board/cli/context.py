"""What every command shares: the config and, opened on first use, the backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tui_board.config import Config

if TYPE_CHECKING:
    from tui_board.backend.offline import QueuedWrite
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
            if hasattr(self._backend, "on_sync"):  # a team server's: writes may wait
                self._backend.on_sync = _tell_synced
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


def _tell_synced(sent: int, refused: list[QueuedWrite]) -> None:
    """What the queued writes' send did, on stderr, before the command's own answer:
    time typed while the server was down and refused now is said here, or nowhere."""
    from tui_board.cli.output import say

    if sent:
        say(
            f"Sent {sent} entr{'y' if sent == 1 else 'ies'} typed while the server was down.",
            err=True,
        )
    for write in refused:
        say(f"The server refused {write.describe()}: {write.refused}", err=True)
    if refused:
        say(
            f"{'It is' if len(refused) == 1 else 'They are'} kept in the offline folder "
            "(tui-board locate data), not stored.",
            err=True,
        )
