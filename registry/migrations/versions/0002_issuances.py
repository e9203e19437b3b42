"""Issuance history from terminals (交付履歴, j300) and supervisors' one-time lifts (一時解除).

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issuances",
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("issuance_id", sa.String(length=40), nullable=False),
        sa.Column("batch_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("issued_on", sa.String(length=8), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("resident_ids", sa.Text(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("issue_numbers", sa.Text(), nullable=False),
        sa.Column("printer", sa.String(length=64), nullable=False),
        sa.Column("my_number_printed", sa.Boolean(), nullable=False),
        sa.Column("official_use", sa.Boolean(), nullable=False),
        sa.Column("fee", sa.Integer(), nullable=False),
        sa.Column("lift_id", sa.String(length=40), nullable=False),
        sa.Column("reprint_of", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("audit", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", "seq"),
    )
    op.create_index("ix_issuances_issuance", "issuances", ["issuance_id"], unique=False)
    op.create_table(
        "issuance_residents",
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("resident_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", "seq", "resident_id"),
    )
    op.create_index("ix_issuance_residents_resident", "issuance_residents", ["resident_id"], unique=False)
    op.create_table(
        "lifts",
        sa.Column("lift_id", sa.String(length=40), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("supervisor_id", sa.String(length=64), nullable=False),
        sa.Column("resident_ids", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("used_by", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("lift_id"),
    )


def downgrade() -> None:
    op.drop_table("lifts")
    op.drop_index("ix_issuance_residents_resident", table_name="issuance_residents")
    op.drop_table("issuance_residents")
    op.drop_index("ix_issuances_issuance", table_name="issuances")
    op.drop_table("issuances")
