"""The store's epoch: a number every write moves on, except one that changes only
timesheet cells (and says which, in the change feed).

A team server keeps answers to reads while the store is unchanged
(`server/cache.py`). When the store moves on, the epoch tells it what moved: the same
epoch means every commit since was a write of cells, each recorded in `changes` with its
person and day, so only the answers about that person's weeks are dropped (a team
logging time no longer empties every other person's kept week). Any other write (a
token revoked, a task renamed, a week approved, a row typed by hand) moves the epoch,
and every kept answer goes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_epoch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO store_epoch (id, epoch) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table("store_epoch")
