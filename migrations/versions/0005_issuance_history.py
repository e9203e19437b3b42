"""Issuance history (交付履歴, j300): every certificate copy issued, reprinted or spoiled here.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issuance_history",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("event", sa.String, nullable=False),
        sa.Column("issuance_id", sa.String, nullable=False),
        sa.Column("batch_id", sa.String, nullable=False),
        sa.Column("at", sa.String, nullable=False),
        sa.Column("issued_on", sa.String, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("operator_id", sa.String, nullable=False),
        sa.Column("terminal_id", sa.String, nullable=False),
        sa.Column("channel", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("resident_ids", sa.Text, nullable=False),
        sa.Column("items", sa.Text, nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("issue_numbers", sa.Text, nullable=False),
        sa.Column("printer", sa.String, nullable=False),
        sa.Column("my_number_printed", sa.Integer, nullable=False),
        sa.Column("official_use", sa.Integer, nullable=False),
        sa.Column("fee", sa.Integer, nullable=False),
        sa.Column("lift_id", sa.String, nullable=False),
        sa.Column("reprint_of", sa.String, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_issuance_history_day", "issuance_history", ["issued_on", "sequence"])
    op.create_index("ix_issuance_history_issuance", "issuance_history", ["issuance_id"])
    op.create_table(
        "issuance_residents",
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("resident_id", sa.String, nullable=False),
    )
    op.create_index("ix_issuance_residents_resident", "issuance_residents", ["resident_id", "seq"])


def downgrade() -> None:
    op.drop_table("issuance_residents")
    op.drop_table("issuance_history")
