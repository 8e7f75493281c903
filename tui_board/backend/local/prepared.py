"""The statements on the hottest paths (who is asking, a week's timesheet), in one
place: the server runs them on every request, the timesheet on every week it shows."""

from __future__ import annotations

ACTOR_BY_LOGIN = (
    "SELECT u.id, u.login, u.role, u.active, t.name AS team"
    " FROM users u LEFT JOIN teams t ON t.id = u.team_id WHERE u.login = :login"
)

#: A token's holder and the teams they lead (`led`), in one statement: a row per team
#: led, or one row with `led` null. The server runs it for a request whose token it has
#: not seen at the store's present epoch.
ACTOR_BY_TOKEN = (
    "SELECT u.id, u.login, u.role, u.active, t.name AS team, k.revoked, l.name AS led"
    " FROM api_tokens k JOIN users u ON u.id = k.user_id"
    " LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN teams l ON l.lead_id = u.id"
    " WHERE k.token_hash = :token_hash"
)

TEAMS_LED = "SELECT name FROM teams WHERE lead_id = :user_id"

#: A write this person sent before with the same `Idempotency-Key` (keys are per person).
REQUEST_APPLIED = (
    "SELECT seq, request_hash FROM changes WHERE request_id = :request_id AND user_id = :user_id"
)

WEEK_ENTRIES = (
    "SELECT e.id, e.day, e.minutes, e.comment, e.version, t.number, t.title, p.key"
    " FROM time_entries e JOIN tasks t ON t.id = e.task_id"
    " JOIN projects p ON p.id = t.project_id"
    " WHERE e.user_id = :user_id AND e.day >= :first AND e.day <= :last"
    " ORDER BY e.day, p.key, t.number"
)

WEEK_TIME_OFF = (
    "SELECT id, day, minutes, kind FROM time_off"
    " WHERE user_id = :user_id AND day >= :first AND day <= :last ORDER BY day, id"
)

#: A person's week states for a week and the weeks either side (whose days a week
#: shown from another first day may share).
WEEK_STATES = (
    "SELECT s.week, s.state, s.note, s.submitted_minutes, s.version, s.first_day,"
    " s.span_first, s.span_last, r.login AS reviewer"
    " FROM week_states s LEFT JOIN users r ON r.id = s.reviewer_id"
    " WHERE s.user_id = :user_id AND s.week IN (:weeks)"
)

LOCKED_UNTIL = "SELECT until FROM period_locks ORDER BY id DESC LIMIT 1"

WEEK_ROWS = (
    "SELECT p.key, t.number, t.title, t.archived FROM week_rows r"
    " JOIN tasks t ON t.id = r.task_id JOIN projects p ON p.id = t.project_id"
    " WHERE r.user_id = :user_id AND r.week = :week ORDER BY r.id"
)
