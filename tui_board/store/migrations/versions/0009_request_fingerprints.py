"""What a request with an `Idempotency-Key` asked for, kept with the key.

A key is the sender's promise that a request sent again is the same request. A key
used again for another request (a client's bug, or a member's forbidden request under
a key of an earlier write) was answered 204 as a replay and dropped: a write lost while
the client was told it was done. The request's fingerprint (its operation and
arguments, hashed) is kept with the key, and a key sent with another request is refused
(422). Changes made before this migration have none: a key of theirs is a replay, as
before.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_column("request_hash")
