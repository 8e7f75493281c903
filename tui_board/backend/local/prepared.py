"""The statements on the hot paths (who is asking, a week's timesheet), built once.

Building a SQLAlchemy `select()` and its cache key costs more than SQLite takes to run
it; the server answers a week read from these in about a fifth of the ORM's time. The
ORM stays everywhere else, where clarity matters more than 100 microseconds.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import bindparam, text

_DAYS = (bindparam("first", type_=sa.Date), bindparam("last", type_=sa.Date))

ACTOR_BY_LOGIN = text(
    "SELECT u.id, u.login, u.role, u.active, t.name AS team"
    " FROM users u LEFT JOIN teams t ON t.id = u.team_id WHERE u.login = :login"
).columns(id=sa.Integer, active=sa.Boolean)

ACTOR_BY_TOKEN = text(
    "SELECT u.id, u.login, u.role, u.active, t.name AS team, k.revoked"
    " FROM api_tokens k JOIN users u ON u.id = k.user_id"
    " LEFT JOIN teams t ON t.id = u.team_id WHERE k.token_hash = :token_hash"
).columns(id=sa.Integer, active=sa.Boolean, revoked=sa.Boolean)

TEAMS_LED = text("SELECT name FROM teams WHERE lead_id = :user_id")

#: A write this person sent before with the same `Idempotency-Key` (keys are per person).
REQUEST_APPLIED = text(
    "SELECT seq FROM changes WHERE request_id = :request_id AND user_id = :user_id"
).columns(seq=sa.Integer)

WEEK_ENTRIES = (
    text(
        "SELECT e.id, e.day, e.minutes, e.comment, e.version, t.number, t.title, p.key"
        " FROM time_entries e JOIN tasks t ON t.id = e.task_id"
        " JOIN projects p ON p.id = t.project_id"
        " WHERE e.user_id = :user_id AND e.day >= :first AND e.day <= :last"
        " ORDER BY e.day, p.key, t.number"
    )
    .bindparams(*_DAYS)
    .columns(day=sa.Date)
)

WEEK_TIME_OFF = (
    text(
        "SELECT id, day, minutes, kind FROM time_off"
        " WHERE user_id = :user_id AND day >= :first AND day <= :last ORDER BY day, id"
    )
    .bindparams(*_DAYS)
    .columns(day=sa.Date)
)

#: A person's week states for a week and the weeks either side (whose days a week
#: shown from another first day may share).
WEEK_STATES = (
    text(
        "SELECT s.week, s.state, s.note, s.submitted_minutes, s.version, s.first_day,"
        " s.span_first, s.span_last, r.login AS reviewer"
        " FROM week_states s LEFT JOIN users r ON r.id = s.reviewer_id"
        " WHERE s.user_id = :user_id AND s.week IN :weeks"
    )
    .bindparams(bindparam("weeks", expanding=True))
    .columns(span_first=sa.Date, span_last=sa.Date)
)

LOCKED_UNTIL = text("SELECT until FROM period_locks ORDER BY id DESC LIMIT 1").columns(
    until=sa.Date
)

WEEK_ROWS = text(
    "SELECT p.key, t.number, t.title, t.archived FROM week_rows r"
    " JOIN tasks t ON t.id = r.task_id JOIN projects p ON p.id = t.project_id"
    " WHERE r.user_id = :user_id AND r.week = :week ORDER BY r.id"
).columns(archived=sa.Boolean)
