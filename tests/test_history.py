"""The history's words that need no store: when a change was made, and changes recorded
before the writes kept their old values (tests/contract/test_history.py has the
sentences from real writes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from tui_board.core.history import TITLE_WORDS, sentence, when
from tui_board.core.models import Change

NOW = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)  # a Tuesday


@pytest.mark.parametrize(
    ("ago", "shown"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=12), "12 min ago"),
        (timedelta(minutes=59, seconds=59), "59 min ago"),
        (timedelta(hours=1), "today 13:30"),
        (timedelta(hours=14, minutes=30), "today 00:00"),
        (timedelta(hours=14, minutes=31), "yesterday 23:59"),
        (timedelta(days=2), "Sun 29 Nov 14:30"),
        (timedelta(days=31), "Sat 31 Oct 14:30"),
        (timedelta(days=365), "Mon 1 Dec 2025 14:30"),
        (timedelta(minutes=-5), "Tue 1 Dec 14:35"),  # a clock ahead: the time itself
    ],
)
def test_when_is_short_local_time_and_relative_today(ago: timedelta, shown: str) -> None:
    assert when(NOW - ago, NOW, UTC) == shown


def test_when_is_in_the_readers_time_zone() -> None:
    tokyo = timezone(timedelta(hours=9))
    # 23:00 UTC on Monday is Tuesday 08:00 in Tokyo, where "now" is Tuesday 23:30
    assert when(datetime(2026, 11, 30, 23, 0, tzinfo=UTC), NOW, tokyo) == "today 08:00"


def change(entity: str, action: str, data: dict[str, Any], user: str | None = "ada") -> Change:
    return Change(1, NOW, user, entity, "WEB-1", action, data)


@pytest.mark.parametrize(
    ("entity", "action", "data", "said"),
    [
        ("task", "move", {"column": "Done", "index": None}, "moved to Done"),
        ("task", "update", {"assignee": "bob"}, "assigned to bob"),
        ("task", "update", {"assignee": None}, "unassigned"),
        ("task", "update", {"estimate": 300}, "estimate set to 5:00"),
        ("task", "update", {"due": "2026-12-04"}, "due set to Fri 4 Dec"),
        ("task", "update", {"title": "New"}, 'title changed to "New"'),
        ("task", "update", {"priority": "low"}, "priority set to low"),
        ("task", "update", {}, "edited"),
        ("task", "create", {}, "created"),
        ("entry", "set", {"user": "ada", "day": "2026-11-30", "minutes": 90},
         "time on Mon 30 Nov set to 1:30"),
        ("entry", "delete", {"user": "ada", "day": "2026-11-30", "minutes": 0},
         "time on Mon 30 Nov cleared"),
        ("task", "renamed", {}, "task renamed"),
    ],
)  # fmt: skip
def test_changes_recorded_without_their_old_values_still_read_well(
    entity: str, action: str, data: dict[str, Any], said: str
) -> None:
    assert sentence(change(entity, action, data)) == said


def test_a_long_title_is_quoted_in_part_and_stored_text_is_left_for_the_screen() -> None:
    said = sentence(change("task", "update", {"title": "T" * 10_000, "was": {"title": "\x1b[2J"}}))
    assert said == f'title changed from "\x1b[2J" to "{"T" * (TITLE_WORDS - 1)}…"'


def test_time_someone_changed_that_the_reader_may_not_see_reads_neutral() -> None:
    """The feed gives such a change as `logged` by nobody, whether time was added,
    lowered or cleared: the sentence says it changed, not that it was logged."""
    assert sentence(change("task", "logged", {}, user=None)) == "time changed"
