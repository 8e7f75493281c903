"""`tui-board remind` (in-process, tests/cli_helpers.py): the login line names the
working days with no time and a week not submitted, and says nothing when all is well."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli_helpers import Ran, run_cli
from tui_board.backend import open_backend
from tui_board.backend.protocol import Backend
from tui_board.config import Config
from tui_board.core.clock import fixed_clock
from tui_board.core.weeks import IsoWeek

#: Wednesday 25 November 2026: ISO week 2026-W48; last week is W47 (16-22 Nov).
TODAY = date(2026, 11, 25)
W48 = IsoWeek.of(TODAY)
W47 = W48.shift(-1)
CLOCK = fixed_clock(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))


class Team:
    """A database with alice (admin) and bob (a member working Monday to Thursday)."""

    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path
        self.config = Config(db=str(tmp_path / "team.db"))
        alice = open_backend(self.config, login="alice", create=True, clock=CLOCK)
        alice.me()
        alice.create_user("bob", "Bob Berg", work_days=(0, 1, 2, 3))
        alice.create_project("WEB", "Web site")
        alice.create_task("WEB", "Fix the login form")
        alice.close()

    def backend(self, login: str = "alice") -> Backend:
        return open_backend(self.config, login=login, clock=CLOCK)

    def remind(self, login: str = "alice", today: date = TODAY) -> Ran:
        args = ["--db", self.config.db, "remind", "--date", today.isoformat()]
        return run_cli(args, home=self.home, env={"TUI_BOARD_USER": login})

    def log_days(self, days: list[date], login: str = "alice", minutes: int = 480) -> None:
        backend = self.backend(login)
        for day in days:
            backend.set_entry("WEB-1", day, minutes, user=login)
        backend.close()


def days_of(week: IsoWeek, *indexes: int) -> list[date]:
    return [week.monday() + timedelta(days=i) for i in indexes]


@pytest.fixture
def team(tmp_path: Path) -> Team:
    return Team(tmp_path)


def test_names_the_days_without_time_and_the_week_not_submitted(team: Team) -> None:
    team.log_days(days_of(W47, 0, 1, 3, 4) + days_of(W48, 0))  # not Wed 18, not Tue 24
    result = team.remind()
    assert result.code == 0, result.stderr
    assert result.stdout == "Wed 18, Tue 24 have no time; week 47 is not submitted\n"
    assert result.stderr == ""


def test_silent_when_all_is_well(team: Team) -> None:
    team.log_days(days_of(W47, 0, 1, 2, 3, 4) + days_of(W48, 0, 1))
    backend = team.backend()
    backend.submit_week(W47)
    backend.close()
    result = team.remind()
    assert (result.code, result.stdout, result.stderr) == (0, "", "")


def test_today_the_weekend_and_time_off_are_not_missing(team: Team) -> None:
    team.log_days(days_of(W47, 0, 1, 2, 3, 4))
    backend = team.backend()
    backend.submit_week(W47)
    backend.add_time_off(date(2026, 11, 23), 480, kind="vacation")
    backend.close()
    # Monday: time off; Tuesday: missing; Wednesday is today, still to be logged.
    assert team.remind().stdout == "Tue 24 has no time\n"
    # On Monday 30 Nov: week 48 is last week now, and its Friday and weekend count too.
    later = team.remind(today=date(2026, 11, 30)).stdout
    assert later == "Tue 24, Wed 25, Thu 26, Fri 27 have no time; week 48 is not submitted\n"


def test_only_the_persons_working_days_count(team: Team) -> None:
    team.log_days(days_of(W47, 0, 1, 2, 3) + days_of(W48, 0, 1), login="bob")
    backend = team.backend("bob")
    backend.submit_week(W47)
    backend.close()
    assert team.remind("bob").stdout == ""  # bob does not work on Fridays
    assert team.remind("bob", today=date(2026, 11, 28)).stdout == "Wed 25, Thu 26 have no time\n"


def test_a_week_sent_back_and_days_that_cannot_change(team: Team) -> None:
    team.log_days(days_of(W47, 0, 1, 2, 3, 4))
    alice = team.backend()
    alice.submit_week(W47)
    alice.create_user("ana", "Ana Admin", role="admin")  # nobody reviews their own week
    ana = team.backend("ana")
    ana.reject_week("alice", W47, "Wednesday looks short")
    ana.close()
    assert (
        team.remind().stdout
        == "Mon 23, Tue 24 have no time; week 47 was sent back: submit it again\n"
    )
    alice.lock_period(date(2026, 11, 23))  # Monday can no longer change
    alice.close()
    assert team.remind().stdout == "Tue 24 has no time; week 47 was sent back: submit it again\n"


def test_an_error_is_one_line(tmp_path: Path) -> None:
    team = Team(tmp_path)
    result = team.remind(login="nobody")
    assert result.code != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("tui-board: ")
    assert "Traceback" not in result.stderr
