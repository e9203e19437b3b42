"""Kiosks: My Number card links (利用者証明用 certificate → resident) and one-time challenges.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_links",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("resident_id", sa.String(length=32), nullable=False),
        sa.Column("not_after", sa.String(length=40), nullable=False),
        sa.Column("linked_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint"),
    )
    op.create_index("ix_card_links_resident", "card_links", ["resident_id"], unique=False)
    op.create_table(
        "kiosk_challenges",
        sa.Column("challenge_id", sa.String(length=40), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("challenge", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("used_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("challenge_id"),
    )
    op.create_index("ix_kiosk_challenges_expires", "kiosk_challenges", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_kiosk_challenges_expires", table_name="kiosk_challenges")
    op.drop_table("kiosk_challenges")
    op.drop_index("ix_card_links_resident", table_name="card_links")
    op.drop_table("card_links")
