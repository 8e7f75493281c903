"""Who may read or write what: plain functions of the actor and the target.

The service layer asks these before every read of another person's data and before
every write; the server and the screens never decide on their own.

- member: sees and edits own time, moves and edits cards, submits own weeks.
- lead: also sees the time and workload of the teams they lead and reviews their weeks,
  manages projects and columns, records time off for their team.
- admin: everything, including people, teams and period locks.

Nobody reviews their own week, admins included.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_board.core.errors import Forbidden
from tui_board.core.models import Role


@dataclass(frozen=True)
class Actor:
    user_id: int
    login: str
    role: Role
    team: str | None = None
    #: Names of the teams this person leads (a lead-role member leads their own team).
    leads: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def can_see_person(actor: Actor, login: str, team: str | None) -> bool:
    return actor.is_admin or actor.login == login or (team is not None and team in actor.leads)


def can_edit_time_of(actor: Actor, login: str) -> bool:
    return actor.is_admin or actor.login == login


#: What anyone who tries to approve, reject or reopen their own week is told.
OWN_WEEK = "you cannot review your own week; another admin or your team's lead does"


def can_review_week(actor: Actor, login: str, team: str | None) -> bool:
    """A lead reviews their team's weeks, an admin anyone's; nobody their own, admins
    included (the rule says every week is seen by a second person)."""
    if actor.login == login:
        return False
    return actor.is_admin or (team is not None and team in actor.leads)


def can_manage_time_off(actor: Actor, login: str, team: str | None) -> bool:
    return can_see_person(actor, login, team)


def can_manage_people(actor: Actor) -> bool:
    return actor.is_admin


def can_manage_projects(actor: Actor) -> bool:
    return actor.role in ("lead", "admin")


def can_lock_periods(actor: Actor) -> bool:
    return actor.is_admin


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)
