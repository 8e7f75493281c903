"""A submitted week keeps its first day: the span a person saw is the span stored.

A week that starts on Sunday (`week_start = "sunday"`) shows the Sunday before the ISO
Monday through the Saturday; submitting it stored and locked Monday to Sunday. The
first day it was submitted with (0 Monday .. 6 Sunday) is now kept with its state;
weeks stored before this were all submitted as Monday to Sunday.

A week may also be short: when some of the days shown are already in another
submitted or approved week (the week someone switched their first day after), it is
submitted as the days left; their first and last day are kept (`span_first`,
`span_last`; NULL for a week of all seven days).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("week_states") as batch:
        batch.add_column(sa.Column("first_day", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("span_first", sa.Date(), nullable=True))
        batch.add_column(sa.Column("span_last", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("week_states") as batch:
        batch.drop_column("span_last")
        batch.drop_column("span_first")
        batch.drop_column("first_day")
