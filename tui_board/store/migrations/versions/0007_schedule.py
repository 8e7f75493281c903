"""The project schedule and individual schedules.

A task gets an optional start date and may belong to a milestone; a project gets an
optional deadline and named milestones (a date and a name); a person gets dated changes
of their working time per weekday (`user_schedules`: from `day` on, minutes Monday to
Sunday as "480,480,480,480,240,0,0"; before the first one, or with none, a person's
schedule is their weekly capacity spread evenly over their work days, as before).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("project_id", "name", name="uq_milestones_project_name"),
    )
    op.create_table(
        "user_schedules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("minutes", sa.String(length=64), nullable=False),
        sa.UniqueConstraint("user_id", "day", name="uq_user_schedules_user_day"),
    )
    op.add_column("tasks", sa.Column("start", sa.Date(), nullable=True))
    op.add_column("projects", sa.Column("deadline", sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # Not a batch copy of `tasks`: dropping the old table with rows that others
        # refer to fails with foreign keys on. SQLite adds a NULL column with its
        # reference in place.
        op.execute("ALTER TABLE tasks ADD COLUMN milestone_id INTEGER REFERENCES milestones (id)")
    else:
        op.add_column("tasks", sa.Column("milestone_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_tasks_milestone", "tasks", "milestones", ["milestone_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("deadline")
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("tasks", recreate="always" if sqlite else "auto") as batch:
        if not sqlite:  # on SQLite the reference is the column's own (see upgrade)
            batch.drop_constraint("fk_tasks_milestone", type_="foreignkey")
        batch.drop_column("milestone_id")
        batch.drop_column("start")
    op.drop_table("user_schedules")
    op.drop_table("milestones")
