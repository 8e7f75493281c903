"""Weeks as a whole: their state (submit, approve, reject, reopen), period locks and
time off. Split from `time.py`, whose cells and week sheet these build on.

A week's days. A week is named by its ISO week (``2026-W48``), but a person may see it
start on another day (config ``week_start``): a Sunday-start W48 is Sun 22 to Sat 28 Nov,
the Sunday before the ISO Monday through the Saturday (`IsoWeek.days`). The first day is
the viewer's setting, not the store's, and one person may use Sunday while their lead
uses Monday; so the span is fixed when the week is submitted and stored with its state
(`WeekStateRow.first_day`, 0 Monday .. 6 Sunday):

- `submit_week(week, first_day=...)` sums and locks exactly `week.days(first_day)`; the
  timesheet submits with the first day of the days it shows.
- From then on (submitted, approved, rejected) every reader uses the stored span,
  whatever the reader's own setting: the owner's sheet (`week()` shows the stored days),
  the lead's approvals and week detail, the workload's logged minutes, and the lock on
  cells (`set_entry`, `add_time`, `clear_entry` and the timer refuse a day that lies in
  the span of a submitted or approved week, and only those days).
- A week never submitted (draft) has no stored span: its owner sees it from their own
  first day; readers across people (workload, reports) count it as the ISO week.
- A day belongs to the first week that closed it (submitted or approved it). Switching
  Monday -> Sunday puts the Sunday between in two weeks' days: Mon-start W48 (Mon 23 to
  Sun 29) submitted, the Sun-start W49 shows Sun 29 to Sat 5. W49 is then a SHORT week:
  it is submitted, approved and locked as its remaining days (Mon 30 to Sat 5), its
  total is theirs, and its sheet shows Sun 29 read-only, marked as W48's, counted in
  neither its total nor its target (`WeekSheet.span`, `WeekSheet.others`). The same
  holds the other way (a week submitted late whose last days a later week closed
  already). A short week stores its first and last day (`span_first`, `span_last`);
  the days left are always one run (a week's days always hold its ISO Monday, which no
  other week's do), and `week_days(row)` in time.py is the one place that reads them.
  Putting a week back to submitted or approved (undo: `set_review`) is refused when
  one of its days has been closed by another week since.
- Switching Sunday -> Monday after submitting a Sunday-start week leaves the Sunday
  after it in no week's days as shown (Sun-start W48 ends Sat 28, Mon-start W49 starts
  Mon 30): it stays open, and the workload counts it in the week after.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import func
from sqlmodel import col, delete, select

from tui_board.backend.local.base import check_text
from tui_board.backend.local.orm import OrmService
from tui_board.backend.local.time import CLOSED, TimeService, around, trow_key, week_days
from tui_board.core.durations import DAY_MINUTES, format_duration
from tui_board.core.errors import Conflict, Invalid, Locked, NotFound
from tui_board.core.models import (
    TIME_OFF_KINDS,
    TimeOff,
    TimeOffKind,
    WeekState,
    WeekStateName,
)
from tui_board.core.permissions import (
    OWN_WEEK,
    Actor,
    can_edit_time_of,
    can_lock_periods,
    can_manage_time_off,
    can_review_week,
    require,
)
from tui_board.core.weeks import IsoWeek
from tui_board.store.database import OrmTx
from tui_board.store.tables import (
    PeriodLockRow,
    TimeEntryRow,
    TimeOffRow,
    UserRow,
    WeekStateRow,
)

#: A reviewer's note saying why a week goes back: a few lines.
NOTE_LIMIT = 2_000


class WeekService(TimeService, OrmService):
    # --- week states ---------------------------------------------------------------------------

    def submit_week(
        self, week: IsoWeek, *, user: str | None = None, first_day: int = 0
    ) -> WeekState:
        days = week.days(first_day)
        with self.db.write() as s:
            actor = self._actor(s)
            owner = self._owner_row(s, actor, user)
            require(
                can_edit_time_of(actor, owner.login), f"you may not submit {owner.login}'s week"
            )
            assert owner.id is not None
            self._lock_user(s, owner.id)
            row = self._week_state_row(s, owner, str(week))
            if row.state not in ("draft", "rejected"):
                raise Locked(f"week {week} is already {row.state}")
            # a day belongs to the first week that closed it: this one takes the rest
            closed = self._closed_weeks_near(s, owner.id, week)
            own = [d for d in days if not any(d in week_days(other) for other in closed)]
            self._refuse_timer_into(s, actor, owner, week, own)
            row.submitted_minutes = self._week_total(s, owner, own)
            row.first_day = first_day
            short = own != days
            row.span_first, row.span_last = (own[0], own[-1]) if short else (None, None)
            return self._set_week_state(s, actor, owner, row, "submitted", None, row.note)

    def _refuse_timer_into(
        self, s: OrmTx, actor: Actor, owner: UserRow, week: IsoWeek, own: list[date]
    ) -> None:
        """A week is not submitted while its owner's timer runs and the week holds today
        or a day after it: the timer's time goes into the day it is stopped on, which
        would be read-only, and the time lost."""
        assert owner.id is not None
        timer = self._timer_row(s, owner.id)
        today = self._today()
        if timer is None or not any(day >= today for day in own):
            return
        key = trow_key(s, self._task_at_id(s, timer.task_id))
        mine = owner.login == actor.login
        whose = "your" if mine else f"{owner.login}'s"
        who = "stop it" if mine else "they stop it"
        raise Conflict(
            f"{whose} timer on {key} is running, and its time goes into the day it is "
            f"stopped: {who} before week {week} is submitted"
        )

    def _closed_weeks_near(
        self, s: OrmTx, user_id: int | None, week: IsoWeek
    ) -> list[WeekStateRow]:
        """The person's submitted and approved weeks either side of `week` (the only
        ones whose days its days may share)."""
        names = [str(w) for w in around(week) if w != week]
        return list(
            s.exec(
                select(WeekStateRow).where(
                    WeekStateRow.user_id == user_id,
                    col(WeekStateRow.week).in_(names),
                    col(WeekStateRow.state).in_(CLOSED),
                )
            ).all()
        )

    def _week_total(self, s: OrmTx, owner: UserRow, days: list[date]) -> int:
        """The minutes a person logged on a week's days (what submitting it records)."""
        total = s.exec(
            select(func.coalesce(func.sum(TimeEntryRow.minutes), 0)).where(
                TimeEntryRow.user_id == owner.id,
                TimeEntryRow.day >= days[0],
                TimeEntryRow.day <= days[-1],
            )
        ).one()
        return int(total)

    def approve_week(self, login: str, week: IsoWeek) -> WeekState:
        return self._review(login, week, "approved", "")

    def reject_week(self, login: str, week: IsoWeek, note: str) -> WeekState:
        note = check_text(note, "a note saying why", limit=NOTE_LIMIT, multiline=True)
        return self._review(login, week, "rejected", note)

    def reopen_week(self, login: str, week: IsoWeek) -> WeekState:
        return self._review(login, week, "draft", "")

    def _review(self, login: str, week: IsoWeek, state: WeekStateName, note: str) -> WeekState:
        allowed_from = {
            "approved": ("submitted",),
            "rejected": ("submitted", "approved"),
            "draft": ("submitted", "approved", "rejected"),
        }[state]
        with self.db.write() as s:
            actor, owner, row = self._reviewed(s, login, week)
            if row.state not in allowed_from:
                raise Invalid(f"{login}'s week {week} is {row.state}; it cannot become {state}")
            return self._set_week_state(s, actor, owner, row, state, actor.user_id, note)

    def set_review(
        self, login: str, week: IsoWeek, state: WeekStateName, *, version: int, note: str = ""
    ) -> WeekState:
        if state not in ("draft", "submitted", "approved", "rejected"):
            raise Invalid("the state of a week is draft, submitted, approved or rejected")
        note = check_text(
            note, "a note saying why", limit=NOTE_LIMIT, multiline=True, required=False
        )
        with self.db.write() as s:
            actor, owner, row = self._reviewed(s, login, week)
            if not row.version and state != "draft":  # (undo puts back only what was)
                raise Invalid(f"{login} has not submitted week {week}: nothing to review")
            if row.version != version:
                raise Conflict(
                    f"{login}'s week {week} was changed since (it is {row.state} now)",
                    current=self._week_state_record(s, row, owner.login),
                )
            # From a state its owner may change (draft, rejected) back to one closed for
            # review: only the week as it was submitted, not time added since.
            editable = row.state in ("draft", "rejected")
            closing = state in ("submitted", "approved")
            total = self._week_total(s, owner, week_days(row)) if editable and closing else None
            if total is not None and total != row.submitted_minutes:
                since = "reopened" if row.state == "draft" else "sent back"
                raise Conflict(
                    f"{login}'s week {week} is not the one submitted any more: its time "
                    f"changed since it was {since}",
                    current=self._week_state_record(s, row, owner.login),
                )
            if state in CLOSED and row.state not in CLOSED:
                taken = [
                    (day, other)
                    for other in self._closed_weeks_near(s, owner.id, week)
                    for day in week_days(other)
                    if day in week_days(row)
                ]
                if taken:
                    day, other = taken[0]
                    raise Conflict(
                        f"{login}'s week {week} cannot be {state} again: {day:%a %d %b} "
                        f"is in week {other.week} now, which is {other.state}",
                        current=self._week_state_record(s, row, owner.login),
                    )
            reviewer = actor.user_id if state in ("approved", "rejected") else None
            return self._set_week_state(s, actor, owner, row, state, reviewer, note)

    def _reviewed(self, s: OrmTx, login: str, week: IsoWeek) -> tuple[Actor, UserRow, WeekStateRow]:
        """Who asks, whose week and its state row, for a review: refused unless the
        one asking may review that person's weeks (never their own)."""
        actor = self._actor(s)
        owner = self._user_row(s, login)
        require(
            can_review_week(actor, owner.login, self._team_name(s, owner.team_id)),
            OWN_WEEK if owner.login == actor.login else f"you may not review {login}'s weeks",
        )
        return actor, owner, self._week_state_row(s, owner, str(week))

    def _week_state_row(self, s: OrmTx, owner: UserRow, week: str) -> WeekStateRow:
        row = s.exec(
            select(WeekStateRow).where(WeekStateRow.user_id == owner.id, WeekStateRow.week == week)
        ).first()
        if row is None:
            assert owner.id is not None
            row = WeekStateRow(user_id=owner.id, week=week, version=0, updated=self._now())
        return row

    def _set_week_state(
        self,
        s: OrmTx,
        actor: Actor,
        owner: UserRow,
        row: WeekStateRow,
        state: WeekStateName,
        reviewer_id: int | None,
        note: str,
    ) -> WeekState:
        row.state = state
        row.reviewer_id = reviewer_id
        row.note = note
        row.version += 1
        row.updated = self._now()
        s.add(row)
        self._record(s, actor, "week", f"{owner.login}/{row.week}", state, {"note": note})
        return self._week_state_record(s, row, owner.login)

    def _week_state(self, s: OrmTx, owner: UserRow, week: str) -> WeekState:
        row = s.exec(
            select(WeekStateRow).where(WeekStateRow.user_id == owner.id, WeekStateRow.week == week)
        ).first()
        if row is None:
            return WeekState(owner.login, week)
        return self._week_state_record(s, row, owner.login)

    def _week_state_record(self, s: OrmTx, row: WeekStateRow, login: str) -> WeekState:
        reviewer = s.get(UserRow, row.reviewer_id) if row.reviewer_id else None
        return WeekState(
            user=login,
            week=row.week,
            state=cast(WeekStateName, row.state),
            reviewer=reviewer.login if reviewer else None,
            note=row.note,
            submitted_minutes=row.submitted_minutes,
            version=row.version,
            first_day=row.first_day,
            days=tuple(week_days(row)) if row.state != "draft" else (),
        )

    # --- period locks --------------------------------------------------------------------------

    def lock_period(self, until: date) -> date:
        with self.db.write() as s:
            actor = self._actor(s)
            require(can_lock_periods(actor), "only an admin may lock periods")
            s.add(PeriodLockRow(until=until, user_id=actor.user_id, time=self._now()))
            self._record(s, actor, "lock", until.isoformat(), "lock")
            return until

    def locked_until(self) -> date | None:
        with self.db.read() as s:
            self._actor(s)
            return self._locked_until(s)

    # --- time off ----------------------------------------------------------------------------

    def add_time_off(
        self, day: date, minutes: int, *, kind: TimeOffKind = "vacation", user: str | None = None
    ) -> TimeOff:
        if kind not in TIME_OFF_KINDS:
            raise Invalid(f"a kind of time off is one of {', '.join(TIME_OFF_KINDS)}, not {kind!r}")
        if not 0 < minutes <= DAY_MINUTES:
            raise Invalid("time off is between 0:01 and 24:00 a day")
        with self.db.write() as s:
            actor = self._actor(s)
            owner = self._owner_row(s, actor, user)
            team = self._team_name(s, owner.team_id)
            require(
                can_manage_time_off(actor, owner.login, team),
                f"you may not record {owner.login}'s time off",
            )
            assert owner.id is not None
            self._lock_user(s, owner.id)  # two at once add up too
            held = int(
                s.value(
                    "SELECT coalesce(sum(minutes), 0) FROM time_off"
                    " WHERE user_id = :user_id AND day = :day",
                    user_id=owner.id,
                    day=day,
                )
            )
            if held + minutes > DAY_MINUTES:
                raise Invalid(
                    f"that makes {format_duration(held + minutes)} of time off on "
                    f"{day:%a %d %b}, more than the 24:00 a day holds"
                )
            row = TimeOffRow(user_id=owner.id, day=day, minutes=minutes, kind=kind)
            s.add(row)
            s.flush()
            self._record(s, actor, "time_off", owner.login, "create", {"day": day, "kind": kind})
            return TimeOff(row.id or 0, owner.login, day, minutes, kind)

    def list_time_off(self, start: date, end: date, *, user: str | None = None) -> list[TimeOff]:
        with self.db.read() as s:
            actor = self._actor(s)
            return self._time_off(s, start, end, self._visible_user_row(s, actor, user))

    def remove_time_off(self, time_off_id: int) -> None:
        with self.db.write() as s:
            actor = self._actor(s)
            # (past a 64-bit integer SQLite raised OverflowError: no such id either way)
            row = s.get(TimeOffRow, time_off_id) if 0 < time_off_id < 2**63 else None
            if row is None:
                raise NotFound(f"no time off {time_off_id}")
            owner = cast(UserRow, s.get(UserRow, row.user_id))
            require(
                can_manage_time_off(actor, owner.login, self._team_name(s, owner.team_id)),
                f"you may not change {owner.login}'s time off",
            )
            s.exec(delete(TimeOffRow).where(col(TimeOffRow.id) == time_off_id))
            self._record(s, actor, "time_off", owner.login, "delete", {"id": time_off_id})
