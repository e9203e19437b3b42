"""Index a change's residents by the change: rebuilding a change for the history view looked
through every row of change_residents (2 s on a 1,000,000-resident cache).

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_change_residents_change", "change_residents", ["change_seq"])


def downgrade() -> None:
    op.drop_index("ix_change_residents_change", "change_residents")
