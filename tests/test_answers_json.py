"""The server's answers as JSON (`server/app.py` `_json`, written by orjson): the same
JSON as `json.dumps` of `to_json` writes (the same bytes, but a float's notation:
`0.00001` for `1e-05`), for every kind of text a person can store; what orjson cannot
write goes the slow, sure way."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import orjson
from hypothesis import given
from hypothesis import strategies as st

from tests.hostile import CORPUS
from tui_board.core.models import Task, TimeEntry, json_default, to_json
from tui_board.server.app import _json

TEXT = st.one_of(st.text(), st.sampled_from(sorted(CORPUS.values())))
MOMENTS = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


def reference(value: object) -> bytes:
    """What the server wrote before: json's encoder over `json_default`."""
    text = json.dumps(
        value, default=json_default, ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )
    return text.encode("utf-8")


tasks = st.builds(
    Task,
    id=st.integers(1, 2**31),
    key=TEXT,
    project=TEXT,
    number=st.integers(1, 10**6),
    title=TEXT,
    column_id=st.integers(1, 100),
    column=TEXT,
    rank=st.floats(allow_nan=False, allow_infinity=False),
    description=TEXT,
    assignee=st.none() | TEXT,
    estimate=st.none() | st.integers(0, 10**6),
    due=st.none() | st.dates(),
    tags=st.lists(TEXT, max_size=3).map(tuple),
    created=st.none() | MOMENTS,
    start=st.none() | st.dates(),
    milestone=st.none() | TEXT,
)
entries = st.builds(
    TimeEntry,
    id=st.integers(1, 2**31),
    user=TEXT,
    task=TEXT,
    day=st.dates(),
    minutes=st.integers(0, 1440),
    comment=TEXT,
    task_title=TEXT,
    project=TEXT,
    version=st.integers(1, 100),
)


@given(answer=st.lists(tasks, max_size=3) | st.lists(entries, max_size=3))
def test_an_answer_is_the_json_the_server_wrote_before(answer: list[object]) -> None:
    body = bytes(_json(answer).body)
    assert json.loads(body) == json.loads(reference(answer)) == to_json(answer)
    ranks = [t.rank for t in answer if isinstance(t, Task)]
    if all(orjson.dumps(r) == json.dumps(r).encode() for r in ranks):  # else 1e-05 differs
        assert body == reference(answer)


def test_what_orjson_cannot_write_is_written_the_slow_way() -> None:
    """Keys that are not text and integers past 64 bits: `to_json`'s JSON all the same."""
    for value in ({1: date(2026, 12, 6)}, [2**70], {"big": -(2**65)}):
        assert json.loads(bytes(_json(value).body)) == to_json(value)
