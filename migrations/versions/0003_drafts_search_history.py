"""Drafts of notifications being typed (下書き) and each operator's search history.

Both hold personal data, so they live in the encrypted cache and never in a settings file.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("draft_id", sa.String, primary_key=True),
        sa.Column("operator_id", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_drafts_operator", "drafts", ["operator_id", "updated_at"])
    op.create_table(
        "search_history",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("operator_id", sa.String, nullable=False),
        sa.Column("criteria", sa.Text, nullable=False),
        sa.Column("searched_at", sa.Float, nullable=False),
    )
    op.create_index("ix_search_history_operator", "search_history", ["operator_id", "seq"])


def downgrade() -> None:
    op.drop_table("search_history")
    op.drop_table("drafts")
