"""The approvals queue through the screen (`v` on the workload), on the demo store:
submitted weeks with their totals and per-day totals; approve, reject with a note,
reopen; what the store holds after each; who may review whom."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests import ui_helpers as ui
from tests.test_workload_screen import open_workload, press
from tests.ui_helpers import anyio_backend, steady, workload_demo  # noqa: F401  (fixtures)
from tui_board.config import Config
from tui_board.core.durations import format_duration
from tui_board.core.errors import Forbidden
from tui_board.core.permissions import OWN_WEEK
from tui_board.core.weeks import IsoWeek
from tui_board.ui.app import BoardApp
from tui_board.ui.dialogs import ConfirmScreen, TextPrompt
from tui_board.ui.screens.approvals import ApprovalsScreen
from tui_board.ui.widgets.key_footer import KeyFooter
from tui_board.ui.widgets.workload_table import KeyTable

pytestmark = pytest.mark.anyio


@pytest.fixture
def demo_config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    return ui.copy_store(request.getfixturevalue("workload_demo"), tmp_path)


async def open_queue(app: BoardApp, pilot: Pilot[None]) -> ApprovalsScreen:
    await open_workload(app, pilot)
    await press(app, pilot, "v")
    screen = app.screen
    assert isinstance(screen, ApprovalsScreen)
    assert screen.queue is not None
    return screen


async def open_rejection(
    app: BoardApp, pilot: Pilot[None], week: str
) -> tuple[ApprovalsScreen, TextPrompt]:
    """The queue, on `week`, its rejection's note asked for (`x`)."""
    screen = await open_queue(app, pilot)
    await select(app, pilot, screen, week)
    await press(app, pilot, "x")
    prompt = app.screen
    assert isinstance(prompt, TextPrompt)
    return screen, prompt


def keys(screen: ApprovalsScreen) -> list[str]:
    assert screen.queue is not None
    return [w.key for w in screen.queue.weeks]


async def select(app: BoardApp, pilot: Pilot[None], screen: ApprovalsScreen, key: str) -> None:
    screen.table.move_cursor(row=keys(screen).index(key))
    await ui.settle(app, pilot)


async def test_the_queue_has_each_submitted_week_with_its_days(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_queue(app, pilot)
        submitted = backend.list_week_states(state="submitted")
        assert sorted(keys(screen)) == sorted(f"{s.user}/{s.week}" for s in submitted)
        table = screen.table
        assert screen.queue is not None
        for index, week in enumerate(screen.queue.weeks):
            sheet = backend.week(IsoWeek.parse(week.state.week), user=week.state.user)
            days = [sum(e.minutes for e in sheet.entries if e.day == d) for d in sheet.days]
            row = [str(c) for c in table.get_row_at(index)]
            shown_days = row[2 : 2 + len(table.columns) - 4]
            assert shown_days == [format_duration(m) if m else "-" for m in days][: len(shown_days)]
            assert row[-2] == format_duration(sheet.total)
            assert row[-1] == "submitted"
        notes = str(screen.query_one("#approvals-week-head").render())
        first = screen.queue.weeks[0]
        assert f"{first.name} · {first.state.week} · submitted" in notes


async def test_approve(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_queue(app, pilot)
        await select(app, pilot, screen, "qnovak/2026-W18")
        await press(app, pilot, "a")
        state = backend.list_week_states(user="qnovak", state="approved")
        assert "2026-W18" in [s.week for s in state]
        assert "qnovak/2026-W18" not in keys(screen)
        assert screen.changed
        assert any("Approved Quinn Novak's 2026-W18" in n.message for n in app._notifications)
        sheet = backend.week(IsoWeek(2026, 18), user="qnovak")
        assert not sheet.editable  # approved weeks are locked


async def test_reject_with_a_note(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen, prompt = await open_rejection(app, pilot, "dwalsh/2026-W19")
        await press(app, pilot, "enter")  # a note is required
        assert app.screen is prompt
        assert "Write a note" in str(prompt.query_one(".dialog--preview").render())
        prompt.query_one(Input).value = "Friday is missing"
        await press(app, pilot, "enter")
        (state,) = [s for s in backend.list_week_states(user="dwalsh") if s.week == "2026-W19"]
        assert (state.state, state.note) == ("rejected", "Friday is missing")
        assert state.reviewer == "alice"
        assert "dwalsh/2026-W19" not in keys(screen)
    # the member sees the state and the note
    app = ui.app_for(demo_config, "dwalsh")
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_queue(app, pilot)
        assert screen.view == "recent"
        await select(app, pilot, screen, "dwalsh/2026-W19")
        row = [str(c) for c in screen.table.get_row_at(screen.table.row_index)]
        assert row[-1] == "rejected"
        notes = str(screen.query_one("#approvals-week-head").render())
        assert "Note: Friday is missing" in notes
        assert all(key.startswith("dwalsh/") for key in keys(screen))
    # submitted again, the lead sees the note as the one it was sent back with
    ui.backend_for(demo_config, "dwalsh").submit_week(IsoWeek(2026, 19))
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_queue(app, pilot)
        await select(app, pilot, screen, "dwalsh/2026-W19")
        notes = str(screen.query_one("#approvals-week-head").render())
        assert "Sent back before with: Friday is missing" in notes


async def test_a_note_the_store_would_refuse_keeps_the_dialog_open(demo_config: Config) -> None:
    """A bidi override (or an escape) in the note: said in the dialog as it is typed,
    and enter does nothing, so the note is not lost to a refusal after it closed."""
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        _screen, prompt = await open_rejection(app, pilot, "dwalsh/2026-W19")
        await pilot.press(*"fix ")
        prompt.query_one(Input).insert_text_at_cursor("\u202eWednesday")
        await pilot.pause()
        preview = str(prompt.query_one(".dialog--preview").render())
        assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in preview
        await press(app, pilot, "enter")
        assert app.screen is prompt  # still open, the note still there
        assert prompt.query_one(Input).value == "fix \u202eWednesday"
        (state,) = [s for s in backend.list_week_states(user="dwalsh") if s.week == "2026-W19"]
        assert state.state == "submitted"
        prompt.query_one(Input).value = "fix Wednesday"
        await press(app, pilot, "enter")
        (state,) = [s for s in backend.list_week_states(user="dwalsh") if s.week == "2026-W19"]
        assert (state.state, state.note) == ("rejected", "fix Wednesday")


async def test_escape_cancels_a_rejection(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_queue(app, pilot)
        await select(app, pilot, screen, "dwalsh/2026-W19")
        await press(app, pilot, "x", "escape")
        (state,) = [s for s in backend.list_week_states(user="dwalsh") if s.week == "2026-W19"]
        assert state.state == "submitted"


async def test_reopen_asks_first(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_queue(app, pilot)
        await press(app, pilot, "s")  # every recent week
        assert screen.view == "recent"
        await select(app, pilot, screen, "cruiz/2026-W19")
        await press(app, pilot, "o")
        assert isinstance(app.screen, ConfirmScreen)
        await press(app, pilot, "n")
        assert backend.week(IsoWeek(2026, 19), user="cruiz").state.state == "rejected"
        await press(app, pilot, "o", "y")
        assert backend.week(IsoWeek(2026, 19), user="cruiz").state.state == "draft"
        await press(app, pilot, "u")  # undone: rejected again, with the lead's note
        state = backend.week(IsoWeek(2026, 19), user="cruiz").state
        assert state.state == "rejected" and state.note


async def test_an_approval_and_a_rejection_are_undone(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_queue(app, pilot)
        await select(app, pilot, screen, "qnovak/2026-W18")
        await press(app, pilot, "a")
        assert backend.week(IsoWeek(2026, 18), user="qnovak").state.state == "approved"
        assert any("u undoes it" in n.message for n in app._notifications)
        await press(app, pilot, "u")
        assert backend.week(IsoWeek(2026, 18), user="qnovak").state.state == "submitted"
        assert "qnovak/2026-W18" in keys(screen)  # back in the queue
        await select(app, pilot, screen, "qnovak/2026-W18")
        await press(app, pilot, "x")
        await press(app, pilot, *"Tuesday is short", "enter")
        assert backend.week(IsoWeek(2026, 18), user="qnovak").state.state == "rejected"
        await press(app, pilot, "u")
        state = backend.week(IsoWeek(2026, 18), user="qnovak").state
        assert (state.state, state.note) == ("submitted", "")
        await press(app, pilot, "U")  # redone: rejected with the note
        state = backend.week(IsoWeek(2026, 18), user="qnovak").state
        assert (state.state, state.note) == ("rejected", "Tuesday is short")


async def test_a_lead_reviews_their_team_never_their_own_week(demo_config: Config) -> None:
    app = ui.app_for(demo_config, "sokafor")
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_queue(app, pilot)
        assert sorted(keys(screen)) == [
            "qnovak/2026-W17",
            "qnovak/2026-W18",
            "qnovak/2026-W19",
            "sokafor/2026-W17",
        ]
        await select(app, pilot, screen, "sokafor/2026-W17")
        await press(app, pilot, "a")
        assert any(n.message == OWN_WEEK for n in app._notifications)
        assert backend.week(IsoWeek(2026, 17), user="sokafor").state.state == "submitted"
        await select(app, pilot, screen, "qnovak/2026-W17")
        await press(app, pilot, "a")
        assert backend.week(IsoWeek(2026, 17), user="qnovak").state.state == "approved"


async def test_an_admin_sees_their_own_weeks_and_cannot_review_them(demo_config: Config) -> None:
    """alice is an admin and the lead of her own team: her weeks are in her queue,
    marked as hers, and no key of hers approves, rejects or reopens one."""
    app = ui.app_for(demo_config)
    backend = ui.backend_for(demo_config)
    before = backend.list_week_states(user="alice")
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_queue(app, pilot)
        assert "alice/2026-W17" in keys(screen)
        await select(app, pilot, screen, "alice/2026-W17")
        head = str(screen.query_one("#approvals-week-head").render())
        assert "yours: another admin or a lead reviews it" in head
        await press(app, pilot, "a")
        assert app.screen is screen
        await press(app, pilot, "x")
        assert app.screen is screen  # no note asked for: it could not be used
        await press(app, pilot, "s")  # every recent week: an approved one of hers
        await select(app, pilot, screen, "alice/2026-W18")
        await press(app, pilot, "o")
        assert app.screen is screen
        said = [n.message for n in app._notifications]
        assert said.count(OWN_WEEK) == 3, said
        # somebody else's week is reviewed as before
        await select(app, pilot, screen, "dwalsh/2026-W19")
        head = str(screen.query_one("#approvals-week-head").render())
        assert "yours" not in head
    assert backend.list_week_states(user="alice") == before
    with pytest.raises(Forbidden, match="your own week"):
        backend.approve_week("alice", IsoWeek(2026, 17))


async def test_a_member_cannot_approve(demo_config: Config) -> None:
    app = ui.app_for(demo_config, "cruiz")
    backend = ui.backend_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_queue(app, pilot)
        assert keys(screen) and all(key.startswith("cruiz/") for key in keys(screen))
        await press(app, pilot, "s")  # the waiting view: only her own submitted weeks
        assert screen.view == "waiting"
        await press(app, pilot, "s")
        assert screen.queue is not None and not screen.queue.reviewer
        await select(app, pilot, screen, "cruiz/2026-W19")
        await press(app, pilot, "a", "x", "o")  # no reviewing keys for her
        assert app.screen is screen
        assert "Approve" not in {c.title for c in app.get_system_commands(screen)}
        assert backend.week(IsoWeek(2026, 19), user="cruiz").state.state == "rejected"
    # the store refuses it anyway
    with pytest.raises(Forbidden, match="your own week"):
        ui.backend_for(demo_config, "cruiz").approve_week("cruiz", IsoWeek(2026, 19))
    with pytest.raises(Forbidden, match="may not review"):
        ui.backend_for(demo_config, "cruiz").approve_week("dwalsh", IsoWeek(2026, 19))


async def test_escape_goes_back_and_the_workload_reads_again(demo_config: Config) -> None:
    app = ui.app_for(demo_config)
    async with app.run_test(size=ui.SIZE) as pilot:
        workload = await open_workload(app, pilot)
        await press(app, pilot, "v")
        screen = app.screen
        assert isinstance(screen, ApprovalsScreen)
        await select(app, pilot, screen, "qnovak/2026-W18")
        await press(app, pilot, "a", "escape")
        assert app.screen is workload
        assert "5 weeks to approve" in str(workload.query_one(".mode-facts").render())


async def test_a_week_submitted_meanwhile_appears_without_a_key(
    demo_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lead's queue follows the change feed: a week a member submits through
    another backend on the same store shows up, and one approved elsewhere goes."""
    monkeypatch.setattr(ApprovalsScreen, "FEED_SECONDS", 0.2)
    lead = "sokafor"
    app = ui.app_for(demo_config, lead)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await open_queue(app, pilot)
        before = keys(screen)
        member = ui.backend_for(demo_config, "nlarsen")
        week = IsoWeek(2026, 20)
        assert f"nlarsen/{week}" not in before
        member.submit_week(week)

        async def wait_for(done: bool) -> None:
            for _ in range(50):
                await pilot.pause(0.1)
                if (f"nlarsen/{week}" in keys(screen)) == done:
                    return
            raise AssertionError(f"the queue did not follow: {keys(screen)}")

        await wait_for(True)
        assert sorted(keys(screen)) == sorted([*before, f"nlarsen/{week}"])
        assert app.screen is screen
        ui.backend_for(demo_config, "alice").approve_week("nlarsen", week)
        await wait_for(False)
        assert sorted(keys(screen)) == sorted(before)


async def test_the_week_under_the_queue_ends_above_the_footer_at_80x24(
    demo_config: Config,
) -> None:
    """The highlighted week takes the room the queue leaves: drawn whole above the
    footer, it scrolls to its Total line when it is longer."""
    app = ui.app_for(demo_config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(app, pilot)
        week = screen.query_one("#approvals-week", KeyTable)
        footer = screen.query_one(KeyFooter)
        assert week.row_count + 1 > week.size.height  # longer than the room: it scrolls
        assert week.region.bottom <= footer.region.y
        week.scroll_end(animate=False)
        await ui.settle(app, pilot)
        lines = [line.split() for line in ui.frame_text(app)]
        assert any(line[:1] == ["Total"] for line in lines), ui.frame_text(app)


async def test_at_80_columns_a_worked_weekend_cuts_no_figure(demo_config: Config) -> None:
    """Seven days do not fit beside the names and titles at 80 columns: the queue
    drops its day columns (the week's table under it has them) and the week's table
    its titles, rather than being cut at the right, where 1:45 would read as 1."""
    week = IsoWeek(2026, 19)
    ui.backend_for(demo_config, "alice").reopen_week("dwalsh", week)
    dev = ui.backend_for(demo_config, "dwalsh")
    task = dev.list_entries(week.monday(), week.sunday())[0].task
    dev.set_entry(task, week.days()[5], 105)  # Saturday
    dev.submit_week(week)
    app = ui.app_for(demo_config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(app, pilot)
        await select(app, pilot, screen, "dwalsh/2026-W19")
        await ui.settle(app, pilot)
        lines = ui.frame_text(app)
        queue_head = next(line.split() for line in lines if line.split()[:1] == ["Person"])
        assert queue_head[-2:] == ["Total", "State"], lines
        week_head = next(line.split() for line in lines if line.split()[:1] == ["Task"])
        assert week_head[1] == "Mon" and week_head[-3:-1] == ["Sun", f"{week.sunday():%d}"]
        assert week_head[-1] == "Total"
        rows = [line.split() for line in lines if line.split()[:1] == [task]]
        assert rows and rows[0][-1].count(":") == 1, lines  # the whole total, h:mm
        assert "1:45" in rows[0]
