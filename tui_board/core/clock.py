"""Time as an argument: the app, the backends and the tests all take a clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock stopped at `moment` (naive means UTC): for snapshots and tests."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return lambda: moment


def local_today(clock: Clock) -> date:
    return clock().astimezone().date()
