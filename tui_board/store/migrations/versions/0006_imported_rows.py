"""Imports: where each imported row came from, and the parts of a file waiting to be
imported.

`imported_rows` keeps each row of another tool's file that an import put in a
timesheet cell (who, task, day, minutes, comment, when it started and the tool, file
and line it came from), so that importing an overlapping file counts each row once.
`import_staged` holds the parts of a file sent ahead of the import that stores them
all in one transaction.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imported_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(), nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_imported_rows_user_day", "imported_rows", ["user_id", "day", "task_id"], unique=False
    )
    op.create_table(
        "import_staged",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=64), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("payload", sa.String(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "batch", "part", name="uq_import_staged_part"),
    )
    op.create_index("ix_import_staged_created", "import_staged", ["created"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_import_staged_created", table_name="import_staged")
    op.drop_table("import_staged")
    op.drop_index("ix_imported_rows_user_day", table_name="imported_rows")
    op.drop_table("imported_rows")
