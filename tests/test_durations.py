"""The one duration parser: every spelling a user types must mean exactly one thing."""

from __future__ import annotations

from typing import Literal

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from tui_board.core.durations import (
    DAY_MINUTES,
    describe_parse,
    format_duration,
    format_progress,
    parse_duration,
    parse_seconds,
    round_seconds,
)
from tui_board.core.errors import BoardError, Invalid

# --- accepted spellings -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1h30", 90),
        ("1h30m", 90),
        ("1h 30m", 90),
        ("1 h 30 min", 90),
        ("1:30", 90),
        ("0:45", 45),
        ("90m", 90),
        ("90min", 90),
        ("90 mins", 90),
        ("90 minutes", 90),
        ("2h", 120),
        ("2hr", 120),
        ("2hrs", 120),
        ("2 hours", 120),
        ("1 hour", 60),
        ("45m", 45),
        ("1.5", 90),
        ("1,5", 90),
        (".5", 30),
        (",25", 15),
        ("1.", 60),
        ("1.5h", 90),
        ("1,5h", 90),
        ("0", 0),
        ("0h", 0),
        ("0m", 0),
        ("0:00", 0),
        (":30", 30),
        ("8", 480),
        ("24", 1440),
        ("24:00", 1440),
        ("1440m", 1440),
        ("10h05", 605),
        ("1h05m", 65),
        ("1h5", 65),
        ("1.33", 80),
        ("0.01", 1),  # 0.6 minutes rounds up to 1
        ("0.0001", 0),
        ("1.999", 120),
    ],
)
def test_accepted_spellings(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    "text", ["1H30", "1H30M", " 1h30 ", "\t1:30\n", "1h  30m", "1 :30", "1\u00a0h 30", "90 MIN"]
)
def test_case_and_whitespace_tolerant(text: str) -> None:
    assert parse_duration(text) == 90


def test_half_minute_rounds_up() -> None:
    # 0.175 h = 10.5 min: halves go up, not to the even neighbour.
    assert parse_duration("0.175") == 11
    assert parse_duration("0.125") == 8  # 7.5 min


def test_bare_unit_minutes() -> None:
    assert parse_duration("90", bare_unit="minutes") == 90
    assert parse_duration("0", bare_unit="minutes") == 0
    # Explicit units and clock times are unaffected by the bare unit.
    assert parse_duration("1h30", bare_unit="minutes") == 90
    assert parse_duration("1:30", bare_unit="minutes") == 90
    assert parse_duration("2h", bare_unit="minutes") == 120
    with pytest.raises(Invalid, match="fraction of a minute"):
        parse_duration("1.5", bare_unit="minutes")


def test_max_minutes_none_lifts_the_cap() -> None:
    assert parse_duration("25h", max_minutes=None) == 1500
    assert parse_duration("40:00", max_minutes=None) == 2400
    assert parse_duration("100", max_minutes=None) == 6000


def test_custom_cap() -> None:
    assert parse_duration("8h", max_minutes=480) == 480
    with pytest.raises(Invalid, match=r"8:01 is more than 8:00"):
        parse_duration("8:01", max_minutes=480)


# --- seconds and ISO 8601: what other tools write -------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1:30:00", 90),
        ("01:30:00", 90),
        ("0:45:00", 45),
        ("1:30:29", 90),  # 29 seconds round down
        ("1:30:30", 91),  # half a minute rounds up
        ("0:00:29", 0),
        ("0:00:30", 1),
        ("24:00:00", 1440),
        ("PT1H30M", 90),
        ("pt1h30m", 90),
        ("PT90M", 90),
        ("PT1.5H", 90),
        ("PT1,5H", 90),
        ("PT5400S", 90),
        ("PT1H30M29S", 90),
        ("PT1H30M30S", 91),
        ("PT30S", 1),
        ("P1D", 1440),
        ("P0D", 0),
        ("PT0S", 0),
    ],
)
def test_seconds_and_iso_8601(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


def test_the_preview_shows_the_rounded_minutes() -> None:
    assert describe_parse("1:30:30") == "1:30:30 -> 1:31"
    assert describe_parse("PT1H30M") == "PT1H30M -> 1:30"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1:30:5", "two digits"),
        ("1:30:60", "under 60"),
        ("1:75:00", "under 60"),
        ("P1M", "months"),
        ("P1Y", "years"),
        ("P1W", "weeks"),
        ("PT", "ISO 8601"),
        ("P", "ISO 8601"),
        ("PT1X", "ISO 8601"),
        ("-PT1H", "negative"),
        ("P1DT1M", "more than 24:00"),
        ("25:00:00", "more than 24:00"),
    ],
)
def test_seconds_and_iso_8601_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(Invalid, match=why):
        parse_duration(text)


def test_round_seconds_is_the_one_rounding_rule() -> None:
    assert [round_seconds(s) for s in (0, 29, 30, 89, 90, 5399, 5400)] == [0, 0, 1, 1, 2, 90, 90]
    assert parse_seconds("01:30:45") == 5445
    assert parse_seconds("1,5") == 5400
    assert parse_seconds("PT2M3S") == 123


@given(st.integers(min_value=0, max_value=24 * 3600))
def test_clock_with_seconds_rounds_as_round_seconds(seconds: int) -> None:
    h, rest = divmod(seconds, 3600)
    text = f"{h}:{rest // 60:02d}:{rest % 60:02d}"
    assert parse_duration(text, max_minutes=None) == round_seconds(seconds)
    assert parse_duration(f"PT{seconds}S", max_minutes=None) == round_seconds(seconds)


# --- refusals -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\t\n  "])
def test_empty_is_not_zero(text: str) -> None:
    with pytest.raises(Invalid) as info:
        parse_duration(text)
    assert "empty is not zero" in info.value.message
    assert "1:30" in info.value.message  # shows a valid example


@pytest.mark.parametrize("text", ["-1h", "-30", "-0:30", " - 1h", "\u22121h", "-0"])
def test_negative_refused(text: str) -> None:
    with pytest.raises(Invalid, match="negative") as info:
        parse_duration(text)
    assert "0:30" in info.value.message


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "1h30x",
        "1::30",
        "h",
        "m",
        "h30",
        "1 30",
        "1h1h",
        "30m1h",
        "1:30h",
        "1.5:30",
        "1..5",
        "1.5.5",
        "1e3",
        "+1h",
        "1h30s",
        "90s",
        "one hour",
        "\u0661",  # an Arabic-Indic digit one: digits are ASCII only
        "1/2",
        ".",
        ",",
    ],
)
def test_garbage_refused(text: str) -> None:
    with pytest.raises(Invalid) as info:
        parse_duration(text)
    # Every refusal points to something that would have worked.
    assert any(example in info.value.message for example in ("1:30", "1h30", "90m", "1.5"))


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("1:75", "2:15"),
        ("0:60", "1:00"),
        ("1h75", "2:15 or 135m"),
        ("1h60m", "2:00"),
        ("2h 90m", "3:30"),
    ],
)
def test_minutes_over_59_refused_with_fix(text: str, fix: str) -> None:
    with pytest.raises(Invalid, match="under 60") as info:
        parse_duration(text)
    assert fix in info.value.message


def test_clock_minutes_need_two_digits() -> None:
    # "1:5" could be 1:05 or 1:50; refuse rather than guess.
    with pytest.raises(Invalid, match="two digits"):
        parse_duration("1:5")
    with pytest.raises(Invalid, match="two digits"):
        parse_duration("1:300")


@pytest.mark.parametrize("text", ["1.5m", "1h30.5", "90,5 min"])
def test_fractional_minutes_refused(text: str) -> None:
    with pytest.raises(Invalid, match="fraction of a minute"):
        parse_duration(text)


def test_decimal_hours_with_minutes_refused() -> None:
    with pytest.raises(Invalid, match="mixes decimal hours"):
        parse_duration("1.5h30")


def test_more_than_a_day_refused() -> None:
    with pytest.raises(Invalid) as info:
        parse_duration("25h")
    assert info.value.message == "25:00 is more than 24:00, the most one day can hold."
    with pytest.raises(Invalid, match="24:01 is more than 24:00"):
        parse_duration("24:01")
    with pytest.raises(Invalid, match="24:01 is more than 24:00"):
        parse_duration("1441m")


def test_bare_hours_over_cap_hints_at_minutes() -> None:
    # The classic mix-up: "90" meant as minutes. Say what it was read as, and the fix.
    with pytest.raises(Invalid) as info:
        parse_duration("90")
    assert "90:00 is more than 24:00" in info.value.message
    assert "90m" in info.value.message


@pytest.mark.parametrize(
    "text", ["9" * 13, "9" * 13 + "h", "9" * 200, "1" * 5000, "1:" + "0" * 5000]
)
def test_huge_input_refused_cleanly(text: str) -> None:
    with pytest.raises(Invalid):
        parse_duration(text, max_minutes=None)


def test_invalid_is_a_board_error() -> None:
    with pytest.raises(BoardError):
        parse_duration("abc")


# --- formatting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (90, "1:30"),
        (0, "0:00"),
        (45, "0:45"),
        (5, "0:05"),
        (60, "1:00"),
        (600, "10:00"),
        (1440, "24:00"),
        (2400, "40:00"),
        (-90, "-1:30"),
        (-5, "-0:05"),
    ],
)
def test_format_duration(minutes: int, text: str) -> None:
    assert format_duration(minutes) == text


@pytest.mark.parametrize(
    ("logged", "estimate", "text"),
    [
        (90, 240, "1:30/4:00"),
        (0, 480, "0:00/8:00"),
        (480, 480, "8:00/8:00"),
        (5175, 480, "86:15/8:00!"),
        (90, None, "1:30"),
        (0, None, "0:00"),
    ],
)
def test_format_progress(logged: int, estimate: int | None, text: str) -> None:
    assert format_progress(logged, estimate) == text


def test_format_progress_unmarked() -> None:
    assert format_progress(5175, 480, mark=False) == "86:15/8:00"


def test_describe_parse() -> None:
    assert describe_parse("1h30") == "1h30 -> 1:30"
    assert describe_parse("  90m ") == "90m -> 1:30"
    assert describe_parse("90", bare_unit="minutes") == "90 -> 1:30"
    assert describe_parse("25h") == "25:00 is more than 24:00, the most one day can hold."
    assert describe_parse("25h", max_minutes=None) == "25h -> 25:00"
    assert "empty is not zero" in describe_parse("")
    assert "Cannot read 'abc'" in describe_parse("abc")


# --- properties ---------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=DAY_MINUTES))
def test_format_then_parse_round_trips(minutes: int) -> None:
    assert parse_duration(format_duration(minutes)) == minutes


@given(st.integers(min_value=0, max_value=10**9))
def test_format_then_parse_round_trips_uncapped(minutes: int) -> None:
    assert parse_duration(format_duration(minutes), max_minutes=None) == minutes


NINETY_MINUTES = ["1h30", "1h 30m", "1:30", "90m", "1.5", "1,5", "1.5h", "90 min"]


@given(
    st.sampled_from(NINETY_MINUTES),
    st.sampled_from(["hours", "minutes"]),
    st.booleans(),
    st.text(alphabet=" \t", max_size=3),
    st.text(alphabet=" \t", max_size=3),
)
def test_every_spelling_of_ninety_minutes(
    text: str, bare_unit: str, upper: bool, before: str, after: str
) -> None:
    spelled = before + (text.upper() if upper else text) + after
    if bare_unit == "minutes" and text in ("1.5", "1,5"):
        # A bare decimal in a minutes field would be 1.5 minutes: refused, never 90 s.
        with pytest.raises(Invalid):
            parse_duration(spelled, bare_unit="minutes")
        return
    # Never 90 seconds, never 31 hours: exactly 90 minutes.
    assert parse_duration(spelled) == 90
    if text not in ("1.5", "1,5"):
        assert parse_duration(spelled, bare_unit="minutes") == 90


@given(
    st.integers(min_value=0, max_value=24),
    st.integers(min_value=0, max_value=59),
    st.sampled_from(["{h}h{m}", "{h}h{m}m", "{h}h {m}m", "{h} h {m} min", "{h}:{m:02d}"]),
)
def test_generated_hour_minute_spellings(h: int, m: int, pattern: str) -> None:
    assume(h * 60 + m <= DAY_MINUTES)
    assert parse_duration(pattern.format(h=h, m=m)) == h * 60 + m


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=59))
def test_generated_spellings_uncapped(h: int, m: int) -> None:
    for text in (f"{h}h{m}", f"{h}:{m:02d}"):
        assert parse_duration(text, max_minutes=None) == h * 60 + m


@given(st.integers(min_value=0, max_value=2400))
def test_bare_hours_and_minutes(n: int) -> None:
    assert parse_duration(str(n), bare_unit="minutes", max_minutes=None) == n
    assert parse_duration(f"{n}m", max_minutes=None) == n
    assert parse_duration(str(n), max_minutes=None) == n * 60


@given(
    st.integers(min_value=0, max_value=24),
    st.integers(min_value=0, max_value=99),
    st.sampled_from([".", ","]),
)
def test_decimal_hours_round_to_nearest_minute(h: int, hundredths: int, sep: str) -> None:
    exact = (h * 100 + hundredths) * 60 / 100
    minutes = parse_duration(f"{h}{sep}{hundredths:02d}", max_minutes=None)
    assert abs(minutes - exact) <= 0.5


GARBAGE_ALPHABET = "0123456789hHmMiInNsSrR:.,-+ \t/e\u00a0\u2212x"


@given(
    st.one_of(st.text(alphabet=GARBAGE_ALPHABET, max_size=20), st.text(max_size=20)),
    st.sampled_from(["hours", "minutes"]),
    st.sampled_from([DAY_MINUTES, 480, None]),
)
@example("1::30", "hours", DAY_MINUTES)
@example("9" * 5000, "hours", None)
def test_garbage_parses_in_range_or_is_invalid(
    text: str, bare_unit: Literal["hours", "minutes"], max_minutes: int | None
) -> None:
    try:
        minutes = parse_duration(text, bare_unit=bare_unit, max_minutes=max_minutes)
    except Invalid as error:
        assert error.message  # a message a user can read, never an empty one
        assert describe_parse(text, bare_unit=bare_unit, max_minutes=max_minutes) == error.message
        return
    assert isinstance(minutes, int)
    assert minutes >= 0
    if max_minutes is not None:
        assert minutes <= max_minutes
    assert describe_parse(text, bare_unit=bare_unit, max_minutes=max_minutes).endswith(
        format_duration(minutes)
    )
