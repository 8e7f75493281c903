"""People, teams, customers and API tokens."""

from __future__ import annotations

import re
import secrets

from sqlmodel import col, select

from tui_board.backend.local.base import check_login, check_text, hash_token
from tui_board.backend.local.orm import OrmService
from tui_board.core.errors import Invalid, NotFound
from tui_board.core.models import (
    DEFAULT_CAPACITY,
    DEFAULT_WORK_DAYS,
    ROLES,
    Customer,
    Role,
    Team,
    User,
    UserPatch,
)
from tui_board.core.permissions import can_manage_people, require
from tui_board.core.text import quoted_back, same_as_shown
from tui_board.store.database import OrmTx
from tui_board.store.tables import ApiTokenRow, CustomerRow, TeamRow, UserRow

#: How long a token's label may be (`tui-board user token LOGIN --name`).
TOKEN_NAME_LIMIT = 100


class PeopleService(OrmService):
    def get_user(self, login: str) -> User:
        with self.db.read() as s:
            self._actor(s)
            return self._user_record(s, self._user_row(s, login))

    def create_user(
        self,
        login: str,
        name: str,
        *,
        email: str = "",
        role: Role = "member",
        team: str | None = None,
        capacity: int | None = None,
        work_days: tuple[int, ...] | None = None,
    ) -> User:
        login = check_login(login)
        check_role(role)
        name = check_text(name or login, "a name")
        email = check_email(email)
        with self.db.write() as s:
            actor = self._actor(s)
            require(can_manage_people(actor), "only an admin may add people")
            if s.exec(select(UserRow.id).where(UserRow.login == login)).first() is not None:
                raise Invalid(f"there is already a user {login!r}")
            self._refuse_taken(s, login, name=name, email=email)
            row = UserRow(
                login=login,
                name=name,
                email=email,
                role=role,
                team_id=self._team_row(s, team).id if team else None,
                capacity=check_capacity(DEFAULT_CAPACITY if capacity is None else capacity),
                work_days=format_work_days(work_days or DEFAULT_WORK_DAYS),
                created=self._now(),
            )
            s.add(row)
            s.flush()
            self._record(s, actor, "user", login, "create", {"role": role, "team": team})
            return self._user_record(s, row)

    def update_user(self, login: str, version: int, patch: UserPatch) -> User:
        changes = patch.changes()
        with self.db.write() as s:
            actor = self._actor(s)
            row = self._user_row(s, login)
            own_profile = set(changes) <= {"name", "email"} and login == actor.login
            require(own_profile or can_manage_people(actor), "only an admin may change people")
            self._check_version(row, version, f"user {login}", self._user_record(s, row))
            for key, value in changes.items():
                if key == "role":
                    check_role(value)
                    if login == actor.login and value != "admin":
                        raise Invalid("you cannot take away your own admin role")
                elif key == "active":
                    if login == actor.login and not value:
                        raise Invalid("you cannot deactivate your own account")
                    value = bool(value)
                elif key == "team":
                    row.team_id = self._team_row(s, value).id if value else None
                    continue
                elif key == "capacity":
                    check_capacity(value)
                elif key == "work_days":
                    value = format_work_days(value)
                elif key == "name":
                    value = check_text(value, "a name")
                    self._refuse_taken(s, login, name=value)
                elif key == "email":
                    value = check_email(value)
                    self._refuse_taken(s, login, email=value)
                setattr(row, key, value)
            row.version += 1
            s.add(row)
            self._record(s, actor, "user", login, "update", changes)
            return self._user_record(s, row)

    @staticmethod
    def _refuse_taken(s: OrmTx, login: str, *, name: str = "", email: str = "") -> None:
        """Refuse a name or an email another person has (as a reader tells them apart:
        case, accents' forms and spacing aside): a lead approving the week of "Chloé
        Ruiz" must know whose it is, and an import maps people by their email."""
        wanted_name, wanted_email = same_as_shown(name), same_as_shown(email)
        for other, other_name, other_email in s.exec(
            select(UserRow.login, UserRow.name, UserRow.email).where(UserRow.login != login)
        ):
            if wanted_name and same_as_shown(other_name) == wanted_name:
                raise Invalid(
                    f"{other} is already called {name!r}; choose a name others can tell apart"
                )
            if wanted_email and same_as_shown(other_email) == wanted_email:
                raise Invalid(f"{other} already has the email {email!r}")

    # --- teams ---------------------------------------------------------------------------

    def list_teams(self) -> list[Team]:
        with self.db.read() as s:
            self._actor(s)
            teams = []
            for row in s.exec(select(TeamRow).order_by(col(TeamRow.name))):
                lead = s.get(UserRow, row.lead_id) if row.lead_id else None
                assert row.id is not None
                teams.append(Team(row.id, row.name, lead.login if lead else None, row.version))
            return teams

    def create_team(self, name: str, *, lead: str | None = None) -> Team:
        name = check_text(name, "a team name", limit=100)
        with self.db.write() as s:
            actor = self._actor(s)
            require(can_manage_people(actor), "only an admin may add teams")
            if s.exec(select(TeamRow.id).where(TeamRow.name == name)).first() is not None:
                raise Invalid(f"there is already a team {name!r}")
            row = TeamRow(name=name, lead_id=self._lead_id(s, lead))
            s.add(row)
            s.flush()
            self._record(s, actor, "team", name, "create", {"lead": lead})
            assert row.id is not None
            return Team(row.id, row.name, lead, row.version)

    def set_team_lead(self, name: str, lead: str | None) -> Team:
        with self.db.write() as s:
            actor = self._actor(s)
            require(can_manage_people(actor), "only an admin may change a team's lead")
            row = self._team_row(s, name, "a team name")
            row.lead_id = self._lead_id(s, lead)
            row.version += 1
            s.add(row)
            self._record(s, actor, "team", name, "update", {"lead": lead})
            assert row.id is not None
            return Team(row.id, row.name, lead, row.version)

    def _lead_id(self, s: OrmTx, lead: str | None) -> int | None:
        return self._user_row(s, lead, "a lead").id if lead else None

    # --- customers --------------------------------------------------------------------------

    def list_customers(self, *, include_archived: bool = False) -> list[Customer]:
        with self.db.read() as s:
            self._actor(s)
            query = select(CustomerRow).order_by(col(CustomerRow.name))
            if not include_archived:
                query = query.where(col(CustomerRow.archived).is_(False))
            return [
                Customer(row.id or 0, row.name, row.archived, row.version) for row in s.exec(query)
            ]

    def create_customer(self, name: str) -> Customer:
        name = check_text(name, "a customer name")
        with self.db.write() as s:
            actor = self._actor(s)
            require(actor.role in ("lead", "admin"), "only a lead or an admin may add customers")
            if s.exec(select(CustomerRow.id).where(CustomerRow.name == name)).first():
                raise Invalid(f"there is already a customer {name!r}")
            row = CustomerRow(name=name)
            s.add(row)
            s.flush()
            self._record(s, actor, "customer", name, "create")
            return Customer(row.id or 0, row.name, row.archived, row.version)

    # --- API tokens (the team server's logins) ----------------------------------------------

    def create_token(self, login: str, *, name: str = "") -> str:
        """A new API token for `login`, returned once; only its hash is stored."""
        token = "tb_" + secrets.token_urlsafe(32)
        name = check_text(name, "a token's name", limit=TOKEN_NAME_LIMIT, required=False)
        with self.db.write() as s:
            actor = self._actor(s)
            require(
                can_manage_people(actor) or login == actor.login,
                "only an admin may make tokens for other people",
            )
            row = self._user_row(s, login)
            assert row.id is not None
            s.add(
                ApiTokenRow(
                    user_id=row.id, token_hash=hash_token(token), name=name, created=self._now()
                )
            )
            self._record(s, actor, "token", login, "create", {"name": name})
        return token

    def revoke_tokens(self, login: str) -> int:
        """Revoke every token of `login`; returns how many were live."""
        with self.db.write() as s:
            actor = self._actor(s)
            require(
                can_manage_people(actor) or login == actor.login,
                "only an admin may revoke other people's tokens",
            )
            row = self._user_row(s, login)
            live = s.exec(
                select(ApiTokenRow).where(
                    ApiTokenRow.user_id == row.id, col(ApiTokenRow.revoked).is_(False)
                )
            ).all()
            for token in live:
                token.revoked = True
                s.add(token)
            self._record(s, actor, "token", login, "revoke", {"count": len(live)})
            return len(live)

    def login_for_token(self, token: str) -> str:
        """Whose token this is; Forbidden when unknown, revoked or the user is inactive."""
        return self.authenticate(token).login


def check_role(role: str) -> None:
    if role not in ROLES:
        raise Invalid(f"a role is one of {', '.join(ROLES)}, not {role!r}")


def check_email(email: str) -> str:
    """An email address as stored: one line of text of the shape name@host, or none
    (`notanemail` was taken, and an import's rows then found nobody by it)."""
    email = check_text(email, "an email", required=False)
    if email and not _EMAIL.fullmatch(email):
        raise Invalid(f"{quoted_back(email)} is not an e-mail address (name@example.com)")
    return email


#: What an e-mail address looks like, no more: one @ with something on each side.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def check_capacity(minutes: int) -> int:
    if not 0 <= minutes <= 7 * 24 * 60:
        raise Invalid("a weekly capacity is between 0 and 168 hours")
    return minutes


def format_work_days(days: tuple[int, ...]) -> str:
    if not days or any(not 0 <= d <= 6 for d in days):
        raise Invalid("work days are weekdays 0 (Monday) to 6 (Sunday), at least one")
    return ",".join(str(d) for d in sorted(set(days)))


__all__ = ["NotFound", "PeopleService", "hash_token"]
