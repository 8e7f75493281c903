"""Request ids per person: an `Idempotency-Key` is the sender's own.

One unique index on `changes.request_id` made a key global: another person's write
that reused a key was taken for a replay, answered 204 and dropped. The key is now
unique per person (`user_id`, `request_id`).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ux_changes_request_id", table_name="changes")
    op.create_index("ux_changes_user_request", "changes", ["user_id", "request_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_changes_user_request", table_name="changes")
    # A key two people used is kept on its first change only: the old index is global.
    op.execute(
        "UPDATE changes SET request_id = NULL WHERE request_id IS NOT NULL AND seq NOT IN"
        " (SELECT MIN(seq) FROM changes WHERE request_id IS NOT NULL GROUP BY request_id)"
    )
    op.create_index("ux_changes_request_id", "changes", ["request_id"], unique=True)
