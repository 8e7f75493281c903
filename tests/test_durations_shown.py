"""One way to write a duration, wherever it is shown: `1:30`, and `86:15/8:00!` for time
logged against an estimate that it overran (board cards, the workload grid, the CLI)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console
from rich.style import Style

from tests.cli_helpers import Cli
from tui_board.core.models import Task, WorkloadCell
from tui_board.core.weeks import IsoWeek
from tui_board.core.workload import first_week
from tui_board.ui.widgets.board_card import CardStyles, paint_card, tag_text, time_text
from tui_board.ui.widgets.workload_grid import cell_text

TODAY = date(2026, 5, 13)
#: What a duration looked like in the formats this replaced: `1h30`, `36h30/40h`, `37/40`.
OLD_FORMS = re.compile(r"\b\d+h(\d\d)?\b|\b\d+m\b|(?<![:\d])\d+/\d+(?![:\d])")


def task(**fields: object) -> Task:
    base: dict[str, object] = dict(
        id=1, key="WEB-12", project="WEB", number=12, title="Fix the login form",
        column_id=1, column="Doing", rank=1.0, assignee="sokafor",
    )  # fmt: skip
    return Task(**{**base, **fields})  # type: ignore[arg-type]


def last_line(card: Task, width: int) -> str:
    style = Style()
    styles = CardStyles(*[style] * 10)
    console = Console(width=200)
    strips = paint_card(card, width, styles, console, today=TODAY)
    return "".join(segment.text for segment in strips[3])


@pytest.mark.parametrize(
    ("logged", "estimate", "text"),
    [
        (90, 240, "1:30/4:00"),
        (5175, 480, "86:15/8:00!"),
        (600, 480, "10:00/8:00!"),
        (90, None, "1:30"),
        (0, None, ""),
        (0, 120, "0:00/2:00"),
    ],
)
def test_a_card_writes_time_against_estimate(logged: int, estimate: int | None, text: str) -> None:
    assert time_text(task(logged=logged, estimate=estimate)) == text


def test_a_card_over_its_estimate_is_marked_without_colour() -> None:
    line = last_line(task(logged=5175, estimate=480), 40)
    assert line.rstrip().endswith("86:15/8:00!")
    assert "@sokafor" in line


def test_on_a_narrow_card_the_due_date_stays_and_an_overrun_is_kept() -> None:
    # 26 cells: the width of a card at 80 columns. The whole name, then the overrun.
    over = last_line(task(logged=3600, estimate=960, due=date(2026, 12, 8)), 26)
    assert over.split() == ["@sokafor", "60:00!", "8", "Dec"], over
    # Time within its estimate gives way to a readable assignee; the due date stays.
    within = last_line(task(logged=0, estimate=240, due=date(2027, 1, 6)), 26)
    assert "@sokafor" in within and "6 Jan '27" in within and "0:00" not in within
    # With room for all, all is shown.
    wide = last_line(task(logged=0, estimate=240, due=date(2027, 1, 6)), 40)
    assert "@sokafor" in wide and "0:00/4:00 6 Jan '27" in wide


@pytest.mark.parametrize("width", range(20, 41))
def test_an_assignee_is_never_crowded_out_and_an_overrun_keeps_its_mark(width: int) -> None:
    """`98:30/24:00! 24 Dec` once pushed `@qnovak` off the card: at every width the
    assignee keeps at least `@qn…`, the overrun its `!`, and the due date stays; the
    whole name comes before the whole time."""
    card = task(logged=5910, estimate=1440, due=date(2026, 12, 24), assignee="qnovak")
    line = last_line(card, width)
    assert len(line) == width
    who = line.split()[0]
    assert who.startswith("@qn") and (who == "@qnovak" or who.endswith("…")), line
    assert "!" in line and line.rstrip().endswith("24 Dec"), line
    spent = line.split()[1]
    assert spent in ("98:30/24:00!", "98:30!", "!"), line
    if width >= 23:
        assert who == "@qnovak", line
    if width >= 29:
        assert spent == "98:30/24:00!", line
    # Time within its estimate, with a long assignee: a readable one, the due date.
    within = last_line(task(logged=90, estimate=14400, due=date(2026, 12, 24)), width)
    assert within.split()[0].startswith("@sok") and within.rstrip().endswith("24 Dec"), within
    # Nobody assigned: the time and the due date come first.
    nobody = last_line(
        task(logged=5910, estimate=1440, due=date(2026, 12, 24), assignee=None), width
    )
    assert "98:30" in nobody and nobody.rstrip().endswith("24 Dec"), nobody


def first_line(card: Task, width: int) -> str:
    styles = CardStyles(*[Style()] * 10)
    strips = paint_card(card, width, styles, Console(width=200), today=TODAY)
    return "".join(segment.text for segment in strips[0])


def test_tags_are_shown_whole_then_counted() -> None:
    assert tag_text(("bug", "frontend", "ux"), 30) == "#bug #frontend #ux"
    assert tag_text(("bug", "frontend", "ux"), 17) == "#bug #frontend +1"
    assert tag_text(("bug", "frontend", "ux"), 10) == "#bug +2"
    assert tag_text(("frontend",), 6) == "#fron…"
    assert tag_text((), 6) == ""


def test_at_120_columns_a_card_shows_a_whole_tag_and_name() -> None:
    """A card is 24 cells wide at 120 columns: `#fr…` and `@soka…` were all it showed."""
    card = task(key="APP-18", tags=("frontend",), priority="normal", due=date(2027, 1, 3))
    top, bottom = first_line(card, 24), last_line(card, 24)
    assert "#frontend" in top and top.rstrip().endswith("·"), top
    assert "@sokafor" in bottom and "3 Jan '27" in bottom, bottom
    # With room for both, the priority keeps its word.
    assert first_line(card, 34).rstrip().endswith("· normal")


def test_a_workload_cell_is_a_pair_of_durations() -> None:
    assert cell_text(WorkloadCell("2026-W20", 2400, 1500, 690, False)) == "36:30/40:00"
    assert cell_text(WorkloadCell("2026-W19", 2400, 3000, 0, True)) == "50:00/40:00"
    assert cell_text(WorkloadCell("2026-W19", 0, 0, 0, True)) == "off"


def test_first_week_shows_this_week_and_ahead() -> None:
    now = IsoWeek.of(TODAY)
    assert first_week(TODAY, 3) == now
    assert first_week(TODAY, 8) == now
    assert first_week(TODAY, 10) == now.shift(-2)
    assert first_week(TODAY, 12) == now.shift(-4)  # as the workload screen opens
    assert first_week(TODAY, 52) == now.shift(-4)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = Cli(tmp_path)
    runner.ok("init", "--db", str(runner.db))
    runner.ok("project", "add", "WEB", "Web site")
    runner.ok("task", "add", "WEB", "Fix login", "--estimate", "1h")
    runner.ok("task", "add", "WEB", "Docs")
    return runner


def test_workload_weeks_are_this_week_and_the_ones_ahead(cli: Cli) -> None:
    now = IsoWeek.of(date.today())
    figures = cli.json("workload", "--weeks", "3")
    assert figures["weeks"] == [str(now.shift(i)) for i in range(3)]
    assert figures["current"] == str(now)
    default = cli.json("workload")
    assert default["weeks"][0] == str(now.shift(-4)) and len(default["weeks"]) == 12
    # An explicit first week stays as asked.
    assert cli.json("workload", "--weeks", "2", "--start", "2026-W47")["weeks"] == [
        "2026-W47",
        "2026-W48",
    ]
    out = cli.ok("workload", "--weeks", "3")
    header = out.splitlines()[0].split()
    assert header[1:] == [
        f"W{now.week:02d}*",
        f"W{now.shift(1).week:02d}",
        f"W{now.shift(2).week:02d}",
    ]


def test_the_cli_writes_durations_as_the_screens_do(cli: Cli) -> None:
    cli.ok("log", "1h30", "WEB-1")
    cli.ok("log", "45m", "WEB-2")
    tasks = cli.ok("task", "list")
    assert "1:30/1:00!" in tasks  # over its one-hour estimate, and marked so
    assert re.search(r"WEB-2 .* 0:45 ", tasks)
    people = cli.ok("user", "list")
    assert "40:00" in people
    workload = cli.ok("workload", "--weeks", "1")
    assert re.search(r"\b2:15/40:00\b", workload)
    for out in (tasks, people, workload, cli.ok("week")):
        assert not OLD_FORMS.search(out), out


NUMBER_AS_TEXT = re.compile(r"-?\d+([.,]\d+)?|-?\d+:\d\d")


def strings_like_numbers(value: object, where: str = "") -> list[str]:
    """Every string in a JSON value that holds a number or a duration (`"69.50"`)."""
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in strings_like_numbers(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [f for i, v in enumerate(value) for f in strings_like_numbers(v, f"{where}[{i}]")]
    if isinstance(value, str) and NUMBER_AS_TEXT.fullmatch(value):
        return [f"{where} = {value!r}"]
    return []


def test_json_numbers_are_numbers(cli: Cli) -> None:
    cli.ok("log", "1h30", "WEB-1", "-m", "42")
    cli.ok("timer", "start", "WEB-2")
    commands = [
        ("user", "list"),
        ("project", "list"),
        ("task", "list"),
        ("task", "show", "WEB-1"),
        ("week",),
        ("weeks",),
        ("workload", "--weeks", "2"),
        ("timer", "status"),
        ("timeoff", "list"),
    ]
    for command in commands:
        found = strings_like_numbers(cli.json(*command))
        # A comment is text, whatever it holds.
        assert [f for f in found if not f.endswith(".comment = '42'")] == [], command


def test_a_card_of_nobody_with_no_room_for_the_word_leaves_the_name_blank() -> None:
    """`n…` and `…` read as a name cut short (the trial read `… 74:00/16:00!` as a card
    that lost its assignee): nobody's card says so in full, or by no name at all."""
    card = task(logged=4440, estimate=960, due=date(2026, 12, 7), assignee=None)
    for width in range(14, 40):
        line = last_line(card, width).split()
        assert line[0] in ("nobody", "74:00/16:00!", "74:00!", "!"), (width, line)
        assert not any(part.endswith("…") for part in line), (width, line)
    assert last_line(card, 40).split()[0] == "nobody"
