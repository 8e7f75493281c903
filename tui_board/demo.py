"""Demo data: a believable team, reproducible from a seed, scalable for benchmarks.

Rows go in by bulk insert (a million entries through the service layer would take
minutes) but keep the service layer's invariants: one entry per (user, task, day), each
task's `logged` equal to the sum of its entries, no day over 24 hours, approved and
submitted weeks only in the past.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_board.backend import full_name
from tui_board.core.clock import Clock, local_today, system_clock
from tui_board.core.models import DEFAULT_COLUMNS
from tui_board.core.weeks import IsoWeek

if TYPE_CHECKING:
    from tui_board.store.database import Database


@dataclass(frozen=True)
class DemoSize:
    users: int = 8
    tasks: int = 80
    weeks: int = 10


FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dev",
    "Emil",
    "Fatima",
    "Greg",
    "Hana",
    "Ivan",
    "Jun",
    "Kira",
    "Liam",
    "Maya",
    "Nils",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
]
LAST = [
    "Silva",
    "Okafor",
    "Martin",
    "Patel",
    "Berg",
    "Haddad",
    "Novak",
    "Sato",
    "Ivanova",
    "Chen",
    "Moreau",
    "Walsh",
    "Kumar",
    "Larsen",
    "Popova",
    "Iyer",
    "Doyle",
    "Ruiz",
]
PROJECTS = [
    ("WEB", "Web site", "Acme Corp"),
    ("APP", "Mobile app", "Globex"),
    ("OPS", "Operations", None),
]
VERBS = [
    "Fix",
    "Add",
    "Refactor",
    "Test",
    "Document",
    "Speed up",
    "Review",
    "Design",
    "Migrate",
    "Remove",
    "Automate",
    "Monitor",
]
OBJECTS = [
    "login form",
    "password reset",
    "search results",
    "checkout flow",
    "invoice PDF",
    "user settings",
    "dark mode",
    "push notifications",
    "offline cache",
    "CSV import",
    "audit log",
    "backup job",
    "TLS certificates",
    "deploy pipeline",
    "rate limiter",
    "onboarding emails",
    "admin dashboard",
    "API pagination",
    "error pages",
    "session timeout",
    "image uploads",
    "release notes",
    "DB indexes",
    "health checks",
]
TAGS = ["bug", "ux", "backend", "frontend", "infra", "security", "docs", "perf"]
COMMENTS = [
    "",
    "",
    "",
    "review",
    "pairing",
    "fixed tests",
    "meeting with customer",
    "investigation",
    "deploy",
    "code review comments",
    "spec discussion",
]


def make_demo(
    target: str,
    *,
    login: str,
    size: DemoSize = DemoSize(),
    seed: int = 7,
    clock: Clock = system_clock,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Create a demo database at `target` (must not exist) with `login` as its admin and
    a team lead; returns how many rows of each kind it made."""
    from tui_board.store.database import Database

    say = progress or (lambda _text: None)
    rng = random.Random(seed)
    now = clock()
    today = local_today(clock)
    rows = _generate(rng, login, size, today, now)
    database = Database.open(target, create=True)
    try:
        _insert(database, rows, now, say)
    except BaseException:
        database.close()
        for suffix in ("", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
        raise
    database.close()
    return {
        "people": len(rows["users"]),
        "tasks": len(rows["tasks"]),
        "time entries": len(rows["time_entries"]),
    }


def _insert(
    database: Database,
    rows: dict[str, list[dict[str, Any]]],
    now: datetime,
    say: Callable[[str], None],
) -> None:
    from sqlalchemy import text

    from tui_board.store.sql import EPOCH_BUMP

    say(f"Writing {len(rows['time_entries']):,} time entries and {len(rows['tasks']):,} tasks ...")
    with database.engine.begin() as conn:
        for table, records in rows.items():
            if not records:
                continue
            columns = list(records[0])
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join(':' + c for c in columns)})"
            )
            for start in range(0, len(records), 50_000):
                conn.execute(text(sql), records[start : start + 50_000])
        conn.execute(
            text(
                "INSERT INTO changes (time, user_id, entity, entity_id, action, data) "
                "VALUES (:t, 1, 'board', 'demo', 'create', '{}')"
            ),
            {"t": now},
        )
        conn.execute(text(EPOCH_BUMP))
        if not database.is_sqlite:
            # The rows came with their ids: each table's sequence goes on after them
            # (else the next insert takes id 1 again and every write fails).
            for table, records in rows.items():
                if records and "id" in records[0]:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                        )
                    )
    if database.is_sqlite:
        with database.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")


def _generate(
    rng: random.Random, login: str, size: DemoSize, today: date, now: datetime
) -> dict[str, list[dict[str, Any]]]:
    team_count = max(1, round(size.users / 4))
    teams = [
        {"id": i + 1, "name": name, "lead_id": None, "version": 1}
        for i, name in enumerate(_team_names(team_count))
    ]
    users: list[dict[str, Any]] = []
    names = _person_names(rng, size.users)
    for index in range(size.users):
        user_login = login if index == 0 else names[index][0]
        users.append(
            {
                "id": index + 1,
                "login": user_login,
                "name": names[index][1] if index else full_name(login),
                "email": f"{user_login}@example.com",
                # a team's first person leads it; the admin's team, its second
                "role": "admin"
                if index == 0
                else ("lead" if index % 4 == 0 or index == 1 else "member"),
                "team_id": teams[index // 4 % team_count]["id"]
                if index // 4 < team_count
                else teams[index % team_count]["id"],
                "capacity": 32 * 60 if index % 5 == 3 else 40 * 60,
                "work_days": "0,1,2,3" if index % 5 == 3 else "0,1,2,3,4",
                "active": True,
                "version": 1,
                "created": now,
            }
        )
    for team in teams:
        # The first two people of a team: its lead is the second when the first is the
        # admin (nobody reviews their own week: the admin's are the lead's to review).
        members = [u for u in users if u["team_id"] == team["id"]]
        leads = [u for u in members[:2] if u["role"] == "lead"]
        team["lead_id"] = leads[0]["id"] if leads else (members[0]["id"] if members else None)

    customers = [
        {"id": i + 1, "name": c, "archived": False, "version": 1}
        for i, c in enumerate(sorted({c for _, _, c in PROJECTS if c}))
    ]
    customer_ids = {c["name"]: c["id"] for c in customers}
    projects: list[dict[str, Any]] = []
    columns: list[dict[str, Any]] = []
    for pid, (key, name, customer) in enumerate(PROJECTS, start=1):
        projects.append(
            {
                "id": pid,
                "key": key,
                "name": name,
                "customer_id": customer_ids.get(customer or ""),
                "archived": False,
                "next_number": 1,
                "version": 1,
            }
        )
        for position, (cname, kind, wip) in enumerate(DEFAULT_COLUMNS):
            columns.append(
                {
                    "id": len(columns) + 1,
                    "project_id": pid,
                    "name": cname,
                    "position": position,
                    "kind": kind,
                    "wip_limit": wip,
                    "version": 1,
                }
            )

    tasks: list[dict[str, Any]] = []
    column_weights = [3, 3, 2, 1, 4]
    for index in range(size.tasks):
        project = projects[index % len(projects)] if index < size.tasks * 0.9 else projects[0]
        project_columns = [c for c in columns if c["project_id"] == project["id"]]
        column = rng.choices(project_columns, weights=column_weights)[0]
        number = project["next_number"]
        project["next_number"] += 1
        estimate = rng.choice([None, 60, 120, 180, 240, 360, 480, 720, 960, 1440])
        due = None if rng.random() < 0.3 else today + timedelta(days=rng.randint(-10, 35))
        assignee = None if rng.random() < 0.12 else rng.choice(users)["id"]
        tasks.append(
            {
                "id": index + 1,
                "project_id": project["id"],
                "number": number,
                "title": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}",
                "description": "",
                "column_id": column["id"],
                "rank": 0.0,
                "assignee_id": assignee,
                "estimate": estimate,
                "due": due,
                "priority": rng.choices(["low", "normal", "high", "urgent"], [2, 6, 2, 1])[0],
                "tags": " ".join(sorted(set(rng.sample(TAGS, rng.randint(0, 2))))),
                "archived": False,
                "logged": 0,
                "created": now,
                "updated": now,
                "version": 1,
            }
        )
    per_column: dict[int, int] = defaultdict(int)
    for task in tasks:
        per_column[task["column_id"]] += 1
        task["rank"] = per_column[task["column_id"]] * 1024.0

    entries, week_states, time_off = _time(rng, users, tasks, columns, size.weeks, today, now)
    _estimate(tasks, columns)
    milestones = _plan(projects, tasks, today)
    return {
        "teams": teams,
        "users": users,
        "customers": customers,
        "projects": projects,
        "milestones": milestones,
        "board_columns": columns,
        "tasks": tasks,
        "time_entries": entries,
        "week_states": week_states,
        "time_off": time_off,
    }


def _estimate(tasks: list[dict[str, Any]], columns: list[dict[str, Any]]) -> None:
    """Estimates a team could have made for the tasks worked on (the drawn ones were a
    few hours, against the ~70 hours each of them gets: every report was 400-900% over).
    A done task came out within about a quarter of its estimate either way; one under
    way has some of its estimate left, or has run a little over. Whole hours; a task
    drawn with no estimate keeps none. Its own random numbers, as `_plan`."""
    rng = random.Random(len(tasks) * 104729 + 3)
    kinds = {c["id"]: c["kind"] for c in columns}
    for task in tasks:
        if task["estimate"] is None or not task["logged"]:
            continue
        done = kinds[task["column_id"]] == "done"
        share = rng.uniform(0.75, 1.3) if done else rng.uniform(0.85, 1.8)
        task["estimate"] = max(60, round(task["logged"] * share / 60) * 60)


def _plan(
    projects: list[dict[str, Any]], tasks: list[dict[str, Any]], today: date
) -> list[dict[str, Any]]:
    """Each project's schedule: a deadline, a "Beta" and a "Release" milestone (on
    Fridays ahead), the tasks due by one of them in it, and a start date for most tasks
    due after this week with an estimate (a day of work for each six hours, before the
    due date). What the schedule screen (`4`) shows on the demo. Its own random numbers:
    the rest of the demo is what it was without them."""
    rng = random.Random(len(tasks) * 7919 + len(projects))
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    milestones: list[dict[str, Any]] = []
    for project in projects:
        pid = project["id"]
        beta = friday + timedelta(weeks=2 + pid % 2)
        release = friday + timedelta(weeks=5 + pid % 3)
        project["deadline"] = release + timedelta(weeks=1)
        for name, day in (("Beta", beta), ("Release", release)):
            milestones.append(
                {
                    "id": len(milestones) + 1,
                    "project_id": pid,
                    "name": name,
                    "day": day,
                    "version": 1,
                }
            )
    by_project = {(m["project_id"], m["name"]): m for m in milestones}
    for task in tasks:
        due, estimate = task["due"], task["estimate"]
        task["start"], task["milestone_id"] = None, None
        if due is None or due < today:
            continue
        for name in ("Beta", "Release"):
            milestone = by_project[(task["project_id"], name)]
            if due <= milestone["day"]:
                task["milestone_id"] = milestone["id"]
                break
        # Not the work due within the week: its planned spread begins today, as it
        # did before start dates (the workload shows overload on the demo).
        if estimate and due >= today + timedelta(days=7) and rng.random() < 0.8:
            days = -(-estimate // 360) + rng.randint(0, 3)
            task["start"] = due - timedelta(days=days)
    return milestones


def _time(
    rng: random.Random,
    users: list[dict[str, Any]],
    tasks: list[dict[str, Any]],
    columns: list[dict[str, Any]],
    weeks: int,
    today: date,
    now: datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    done_or_active = {c["id"] for c in columns if c["kind"] in ("active", "done")}
    workable = [t for t in tasks if t["column_id"] in done_or_active] or tasks
    by_user: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for task in workable:
        if task["assignee_id"]:
            by_user[task["assignee_id"]].append(task)
    current = IsoWeek.of(today)
    first_week = current.shift(-(weeks - 1))
    entries: list[dict[str, Any]] = []
    week_states: list[dict[str, Any]] = []
    time_off: list[dict[str, Any]] = []
    states = ["approved", "approved", "approved", "submitted", "rejected", "draft"]
    for user in users:
        days_worked = {int(d) for d in user["work_days"].split(",")}
        own = by_user.get(user["id"]) or workable
        extra = rng.sample(workable, min(len(workable), 6))
        pool = list({t["id"]: t for t in own + extra}.values())
        for w in range(weeks):
            week = first_week.shift(w)
            off_day = (
                week.monday() + timedelta(days=rng.randint(0, 4)) if rng.random() < 0.08 else None
            )
            week_total = 0
            for day in week.days():
                if day > today or day.weekday() not in days_worked:
                    continue
                if day == off_day:
                    time_off.append(
                        {
                            "user_id": user["id"],
                            "day": day,
                            "minutes": 480,
                            "kind": rng.choice(["vacation", "vacation", "sick"]),
                        }
                    )
                    continue
                if day == today and rng.random() < 0.5:
                    continue
                budget = rng.choice([360, 420, 450, 480, 480, 510, 540])
                if day == today:
                    budget = rng.choice([60, 120, 180])
                count = min(len(pool), rng.choice([1, 2, 2, 3, 3, 4]))
                chosen = rng.sample(pool, count)
                cuts = sorted(rng.sample(range(1, budget // 15), count - 1)) if count > 1 else []
                bounds = [0, *[c * 15 for c in cuts], budget]
                for task, (a, b) in zip(chosen, itertools.pairwise(bounds), strict=False):
                    minutes = b - a
                    if minutes <= 0:
                        continue
                    entries.append(
                        {
                            "user_id": user["id"],
                            "task_id": task["id"],
                            "day": day,
                            "minutes": minutes,
                            "comment": rng.choice(COMMENTS),
                            "version": 1,
                            "updated": now,
                        }
                    )
                    task["logged"] += minutes
                    week_total += minutes
            if week < current:
                age = current - week
                state = "approved" if age > 3 else rng.choice(states)
                if state != "draft":
                    # the admin reviews everyone but themself: theirs, their team's lead
                    reviewer = 1 if user["id"] != 1 else 2 if len(users) > 1 else None
                    if reviewer is None:  # a demo of one: nobody to review the week
                        state = "submitted"
                    week_states.append(
                        {
                            "user_id": user["id"],
                            "week": str(week),
                            "state": state,
                            "reviewer_id": reviewer if state in ("approved", "rejected") else None,
                            "note": _short_day_note(
                                entries,
                                user["id"],
                                [
                                    d
                                    for d in week.days()
                                    if d.weekday() in days_worked and d != off_day
                                ],
                            )
                            if state == "rejected"
                            else "",
                            "submitted_minutes": week_total,
                            "version": 1,
                            "updated": now,
                        }
                    )
    for index, entry in enumerate(entries, start=1):
        entry["id"] = index
    return entries, week_states, time_off


def _short_day_note(entries: list[dict[str, Any]], user_id: int, workdays: list[date]) -> str:
    """A reviewer's note on a week sent back: its shortest working day, by name."""
    days = dict.fromkeys(workdays, 0)
    if not days:
        return "Please check this week again."
    for entry in entries:
        if entry["user_id"] == user_id and entry["day"] in days:
            days[entry["day"]] += entry["minutes"]
    day = min(days, key=lambda d: days[d])
    minutes = days[day]
    return (
        f"{day:%A} has {minutes // 60}:{minutes % 60:02d}: did you forget the standup?"
        if minutes
        else f"Nothing on {day:%A}: time off, or did you forget it?"
    )


def _team_names(count: int) -> list[str]:
    base = ["Web", "Mobile", "Platform", "Data", "Design", "Support"]
    return [base[i] if i < len(base) else f"Team {i + 1}" for i in range(count)]


def _person_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Logins and names, each name one of its own (a second Chloé Ruiz gets a middle
    initial, then a number: people are told apart by name on every screen)."""
    seen: set[str] = set()
    names: set[str] = set()
    people: list[tuple[str, str]] = []
    while len(people) < count:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        login = (first[0] + last).lower().replace("é", "e")
        if login in seen:
            login = f"{login}{len(people)}"
        seen.add(login)
        name = f"{first} {last}"
        if name in names:
            initial = chr(ord("A") + len(people) % 26)
            name = f"{first} {initial}. {last}"
            if name in names:
                name = f"{first} {last} {len(people)}"
        names.add(name)
        people.append((login, name))
    return people
