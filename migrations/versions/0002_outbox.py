"""The outbox: operations taken at this terminal, kept until the registry has decided them.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("operation_id", sa.String, nullable=False, unique=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("operator_id", sa.String, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("state", sa.String, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("code", sa.String, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )
    op.create_index("ix_outbox_state", "outbox", ["state", "seq"])


def downgrade() -> None:
    op.drop_table("outbox")
