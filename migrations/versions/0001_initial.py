"""The first cache schema: residents with search keys, households, history, access log.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "residents",
        sa.Column("resident_id", sa.String, primary_key=True),
        sa.Column("household_id", sa.String, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("ward_code", sa.String, nullable=False),
        sa.Column("birth_key", sa.String, nullable=False),
        sa.Column("sex", sa.Integer, nullable=False),
        sa.Column("resident_code", sa.String),
        sa.Column("my_number", sa.String),
        sa.Column("flags", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
    )
    op.create_table(
        "name_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("resident_id", sa.String, nullable=False),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("kana_key", sa.String, nullable=False),
        sa.Column("given_kana_key", sa.String, nullable=False),
        sa.Column("kanji_key", sa.String, nullable=False),
        sa.Column("given_kanji_key", sa.String, nullable=False),
        sa.Column("birth_key", sa.String, nullable=False),
    )
    op.create_table(
        "address_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("resident_id", sa.String, nullable=False),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("address_key", sa.String, nullable=False),
        sa.Column("ward_code", sa.String, nullable=False),
    )
    op.create_table(
        "households",
        sa.Column("household_id", sa.String, primary_key=True),
        sa.Column("member_order", sa.Text, nullable=False),
    )
    op.create_table(
        "changes",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("change_id", sa.String, nullable=False, unique=True),
        sa.Column("reason", sa.String, nullable=False),
        sa.Column("occurred_on", sa.String, nullable=False),
        sa.Column("notified_on", sa.String, nullable=False),
        sa.Column("cancels", sa.String, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("households", sa.Text, nullable=False),
        sa.Column("state", sa.String, nullable=False),
    )
    op.create_table(
        "change_residents",
        sa.Column("change_seq", sa.Integer, nullable=False),
        sa.Column("resident_id", sa.String, nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text, nullable=False),
    )
    op.create_table(
        "access_log",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("at", sa.String, nullable=False),
        sa.Column("operator", sa.String, nullable=False),
        sa.Column("terminal", sa.String, nullable=False),
        sa.Column("action", sa.String, nullable=False),
        sa.Column("resident_id", sa.String, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("my_number_shown", sa.Integer, nullable=False),
        sa.Column("mac", sa.String, nullable=False),
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


# The indexes of this revision (app.store.schema declares the same ones for queries and bulk loads).
INDEXES = (
    ("ix_residents_household", "residents", ["household_id"]),
    ("ix_residents_resident_code", "residents", ["resident_code"]),
    ("ix_residents_my_number", "residents", ["my_number"]),
    ("ix_name_kana_birth", "name_keys", ["kana_key", "birth_key"]),
    ("ix_name_given_kana", "name_keys", ["given_kana_key", "birth_key"]),
    ("ix_name_kanji", "name_keys", ["kanji_key", "birth_key"]),
    ("ix_name_given_kanji", "name_keys", ["given_kanji_key", "birth_key"]),
    ("ix_name_birth", "name_keys", ["birth_key", "kana_key", "kanji_key", "given_kana_key", "given_kanji_key"]),
    ("ix_name_resident", "name_keys", ["resident_id"]),
    ("ix_address_key", "address_keys", ["address_key"]),
    ("ix_address_resident", "address_keys", ["resident_id"]),
    ("ix_change_residents_resident", "change_residents", ["resident_id", "change_seq"]),
)


def downgrade() -> None:
    for name in ("access_log", "change_residents", "changes", "households", "address_keys", "name_keys", "residents", "meta"):
        op.drop_table(name)
