"""The one duration parser: every cell, dialog, CLI argument and API field uses it.

Durations are whole minutes everywhere. Users type them in many spellings (``1h30``,
``1:30``, ``90m``, ``1.5``, ``1,5``); all of them must mean the same thing, and input that
cannot be read for sure is refused with a reason and an example instead of being guessed
(other tools logged ``1`` as one minute and ``1h30`` as 31 hours).

Other tools write durations with seconds: ``01:30:00`` (Toggl, Clockify, Kimai) and ISO
8601's ``PT1H30M``. Both are read here too. Seconds become whole minutes one way, the
same everywhere (typed, imported, a midnight split): to the nearest minute, half a
minute rounding up (``0:00:29`` is 0 minutes, ``0:00:30`` is 1; `round_seconds`).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Literal

from tui_board.core.errors import Invalid

__all__ = [
    "DAY_MINUTES",
    "OVER_MARK",
    "BareUnit",
    "describe_parse",
    "format_duration",
    "format_progress",
    "parse_duration",
    "parse_seconds",
    "round_microseconds",
    "round_seconds",
]

BareUnit = Literal["hours", "minutes"]

#: The most one day can hold, the default cap of `parse_duration`.
DAY_MINUTES = 24 * 60

#: Longer input is refused before any regex or int conversion runs on it, so that
#: pasted junk cannot cost time or hit Python's int-from-string digit limit.
_MAX_INPUT_CHARS = 64
#: More integer digits than this is refused as too large, even without a cap.
_MAX_INT_DIGITS = 12

_EXAMPLES = "1:30, 1h30, 90m or 1.5"

#: ISO 8601 durations of a day's scale: days, hours, minutes, seconds (``PT1H30M``,
#: ``PT90M``, ``P1D``, ``PT1.5H``). Years and months (``P1M``) have no fixed length.
_ISO_RE = re.compile(
    r"p(?:(?P<d>[0-9]+(?:[.,][0-9]+)?)d)?"
    r"(?:t(?:(?P<h>[0-9]+(?:[.,][0-9]+)?)h)?(?:(?P<m>[0-9]+(?:[.,][0-9]+)?)m)?"
    r"(?:(?P<s>[0-9]+(?:[.,][0-9]+)?)s)?)?",
    re.ASCII,
)

_NUM = r"(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)"
_H_UNIT = r"(?:hours|hour|hrs|hr|h)"
_M_UNIT = r"(?:minutes|minute|mins|min|m)"

# "1:30", "0:45", ":30", "1:30:00" (minutes and seconds must be written with two digits:
# "1:5" is ambiguous).
_CLOCK_RE = re.compile(r"(?P<h>[0-9]*) ?: ?(?P<m>[0-9]+)(?: ?: ?(?P<s>[0-9]+))?", re.ASCII)
# "1h30", "1h 30m", "1 h 30 min", "2h", "1.5h", "90m", "90 mins", "1.5", ".5", "0".
_UNIT_RE = re.compile(
    rf"(?:(?P<h>{_NUM}) ?{_H_UNIT})? ?(?:(?P<m>{_NUM}) ?(?P<mu>{_M_UNIT})?)?",
    re.ASCII,
)


def _number(token: str, original: str) -> Fraction:
    """Read ``1``, ``1.5``, ``1,5``, ``.5`` or ``1.`` exactly (no float rounding)."""
    whole, _, frac = token.replace(",", ".").partition(".")
    if len(whole) > _MAX_INT_DIGITS:
        raise Invalid(f"{original!r} is far too large for a duration; try e.g. 1:30.")
    value = Fraction(int(whole or "0"))
    if frac:
        value += Fraction(int(frac), 10 ** len(frac))
    return value


def _round_minutes(value: Fraction) -> int:
    """Round to the nearest whole minute, halves up (0.5 minutes counts as 1)."""
    return int((value + Fraction(1, 2)) // 1)


def round_seconds(seconds: int | Fraction) -> int:
    """Seconds as whole minutes, the one way they are rounded everywhere: to the nearest
    minute, half a minute up (29 s -> 0, 30 s -> 1, 89 s -> 1, 90 s -> 2)."""
    return int((seconds + 30) // 60)


def round_microseconds(microseconds: int | Fraction) -> int:
    """`round_seconds` for a count of microseconds (what an interval is measured in)."""
    return int((microseconds + 30_000_000) // 60_000_000)


def _whole_minutes(value: Fraction, original: str) -> int:
    if value.denominator != 1:
        raise Invalid(
            f"{original!r} has a fraction of a minute; minutes must be whole, e.g. 90m or 1h30."
        )
    return int(value)


def _too_many_minutes(original: str, hours: int, minutes: int, sep: str) -> Invalid:
    total = hours * 60 + minutes
    fix = format_duration(total) if sep == ":" else f"{format_duration(total)} or {total}m"
    return Invalid(
        f"{original!r} has {minutes} minutes after {sep!r}, but that must be under 60; "
        f"write {fix} instead."
    )


def _parse(text: str, bare_unit: BareUnit) -> tuple[Fraction, bool]:
    """Parse without the cap or rounding: the exact minutes (a fraction when seconds or
    decimal hours were typed); also say whether the input was a bare number."""
    original = text.strip()
    if not original:
        raise Invalid(f"Enter a duration such as {_EXAMPLES}; empty is not zero, type 0 for none.")
    if len(original) > _MAX_INPUT_CHARS:
        raise Invalid(f"That is too long to be a duration; try e.g. {_EXAMPLES}.")
    # One space between tokens, whatever whitespace the user typed.
    s = " ".join(original.lower().split())
    if s[0] in "-\u2212":
        raise Invalid(f"{original!r} is negative; a duration is 0 or more, e.g. 0:30.")

    clock = _CLOCK_RE.fullmatch(s)
    if clock:
        return _clock(original, clock["h"], clock["m"], clock["s"]), False
    if s[0] == "p":
        return _iso(original, s), False

    unit = _UNIT_RE.fullmatch(s)
    if unit is None or (unit["h"] is None and unit["m"] is None):
        raise Invalid(f"Cannot read {original!r} as a duration; try e.g. {_EXAMPLES}.")
    hours_token, minutes_token = unit["h"], unit["m"]

    if hours_token is None:
        # "90m", or a bare number such as "1.5" whose unit is configurable.
        assert minutes_token is not None
        value = _number(minutes_token, original)
        if unit["mu"] is None and bare_unit == "hours":
            return value * 60, True
        return Fraction(_whole_minutes(value, original)), unit["mu"] is None

    hours_value = _number(hours_token, original)
    if minutes_token is None:
        # "2h", "1.5h": decimal hours are rounded to the nearest minute.
        return hours_value * 60, False
    # "1h30", "1h 30m": whole hours plus whole minutes under 60.
    if hours_value.denominator != 1:
        raise Invalid(f"{original!r} mixes decimal hours with minutes; write e.g. 1h30 or 1.5h.")
    hours = int(hours_value)
    minutes = _whole_minutes(_number(minutes_token, original), original)
    if minutes >= 60:
        raise _too_many_minutes(original, hours, minutes, "h")
    return Fraction(hours * 60 + minutes), False


def _clock(original: str, hours_text: str, minutes_text: str, seconds_text: str | None) -> Fraction:
    """``h:mm`` or ``h:mm:ss``: minutes and seconds of two digits, each under 60."""
    if len(minutes_text) != 2 or (seconds_text is not None and len(seconds_text) != 2):
        raise Invalid(
            f"{original!r}: write the minutes (and seconds) after ':' with two digits, "
            "e.g. 1:05 or 1:30:00."
        )
    hours = _whole_minutes(_number(hours_text or "0", original), original)
    minutes = int(minutes_text)
    if minutes >= 60:
        raise _too_many_minutes(original, hours, minutes, ":")
    seconds = int(seconds_text or "0")
    if seconds >= 60:
        raise Invalid(f"{original!r} has {seconds} seconds, but that must be under 60.")
    return Fraction(hours * 60 + minutes) + Fraction(seconds, 60)


def _iso(original: str, s: str) -> Fraction:
    """An ISO 8601 duration (``PT1H30M``), lower-cased: its exact minutes."""
    found = _ISO_RE.fullmatch(s)
    if found is None or not any(found.groupdict().values()):
        if any(unit in s.partition("t")[0] for unit in "ymw"):
            raise Invalid(
                f"{original!r}: years, months and weeks are not durations of a day; "
                "write e.g. PT1H30M or P1D."
            )
        raise Invalid(
            f"Cannot read {original!r} as an ISO 8601 duration; try e.g. PT1H30M or {_EXAMPLES}."
        )
    parts = {k: _number(v, original) for k, v in found.groupdict().items() if v is not None}
    seconds = (
        parts.get("d", 0) * 86_400 + parts.get("h", 0) * 3_600 + parts.get("m", 0) * 60
    ) + parts.get("s", 0)
    return Fraction(seconds) / 60


def parse_duration(
    text: str,
    *,
    bare_unit: BareUnit = "hours",
    max_minutes: int | None = DAY_MINUTES,
) -> int:
    """Turn what a user typed into whole minutes, or raise `Invalid` saying why.

    A bare number means hours (``bare_unit="minutes"`` for fields where minutes are the
    norm). ``max_minutes`` caps the result (one day by default); ``None`` lifts the cap.
    """
    exact, bare = _parse(text, bare_unit)
    minutes = _round_minutes(exact)
    if max_minutes is not None and minutes > max_minutes:
        limit = format_duration(max_minutes)
        why = "the most one day can hold" if max_minutes == DAY_MINUTES else "the most allowed here"
        hint = ""
        if bare and bare_unit == "hours" and minutes % 60 == 0 and minutes // 60 <= max_minutes:
            hint = f"; for minutes write {text.strip()}m"
        raise Invalid(f"{format_duration(minutes)} is more than {limit}, {why}{hint}.")
    return minutes


def parse_seconds(text: str, *, bare_unit: BareUnit = "hours") -> Fraction:
    """What `parse_duration` reads, as exact seconds, neither rounded nor capped: for a
    file's durations (``01:30:45``, ``1,5``, ``PT1H``), whose seconds are rounded where
    they land in a day (`round_seconds`)."""
    return _parse(text, bare_unit)[0] * 60


def format_duration(minutes: int) -> str:
    """How every screen and the CLI write a duration, ``H:MM`` (``90`` -> ``1:30``,
    ``2400`` -> ``40:00``): the echo of what was typed, a cell, a card, a total alike."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}"


#: What follows a "logged/estimate" pair whose time is over its estimate: a mark that
#: reads without colour (NO_COLOR, a pipe, a screen reader), as the CLI's `!` marks do.
OVER_MARK = "!"


def format_progress(logged: int, estimate: int | None, *, mark: bool = True) -> str:
    """Time logged against an estimate, both as `format_duration` writes them:
    ``1:30/4:00``; ``86:15/8:00!`` when over the estimate (`OVER_MARK`, unless not
    `mark`); just ``1:30`` without an estimate."""
    if estimate is None:
        return format_duration(logged)
    over = OVER_MARK if mark and logged > estimate else ""
    return f"{format_duration(logged)}/{format_duration(estimate)}{over}"


def describe_parse(
    text: str,
    bare_unit: BareUnit = "hours",
    max_minutes: int | None = DAY_MINUTES,
) -> str:
    """One line for an input field's live preview: what will be stored, or why not.

    Never raises, so a screen can call it on every keystroke.
    """
    try:
        minutes = parse_duration(text, bare_unit=bare_unit, max_minutes=max_minutes)
    except Invalid as error:
        return error.message
    return f"{text.strip()} -> {format_duration(minutes)}"
