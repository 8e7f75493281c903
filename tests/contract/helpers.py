"""Helpers of the contract suite: the test calendar, and `refused`/`unchanged`, which
check that an error left every row of the store as it was."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import TYPE_CHECKING, cast

import pytest

from tui_board.core.weeks import IsoWeek

if TYPE_CHECKING:
    from tests.conftest import Harness
    from tests.contract.conftest import World

FAR_PAST = date(2000, 1, 1)
FAR_FUTURE = date(2100, 12, 31)

#: The clock's day (Wednesday) and week, and the days around it.
TODAY = date(2026, 11, 25)
WEEK = IsoWeek(2026, 48)
MONDAY = date(2026, 11, 23)
LAST_WEEK = IsoWeek(2026, 47)
NEXT_WEEK = IsoWeek(2026, 49)


def day(offset: int) -> date:
    """TODAY shifted by `offset` days."""
    return TODAY + timedelta(offset)


@contextmanager
def unchanged(where: World | Harness) -> Iterator[None]:
    """Assert that the block changes nothing in the store: every row of every table
    (the change feed, versions and everyone's timers included) is as it was. Use it
    outside `pytest.raises`, so the comparison runs after the error was caught."""
    harness = cast("Harness", getattr(where, "harness", where))
    before = harness.dump()
    yield
    after = harness.dump()
    for table, rows in before.items():
        assert after[table] == rows, f"table {table} changed"


@contextmanager
def refused(
    error: type[BaseException], where: World | Harness
) -> Iterator[pytest.ExceptionInfo[BaseException]]:
    """The block raises `error` and leaves the store exactly as it was (`as caught`:
    what it raised)."""
    with unchanged(where), pytest.raises(error) as caught:
        yield caught
