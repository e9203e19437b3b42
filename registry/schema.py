"""The central registry's tables (SQLAlchemy Core, the same on PostgreSQL and SQLite).

registry/migrations creates them; a test compares the two. Records are stored as the JSON text of
domain.codec so that the registry and the terminals hold exactly the same thing.

The change log is `changes.seq`: numbers handed out from `counter` by every writer inside its
transaction while it holds the writer lock, so that sequence order is commit order and a
terminal's cursor never skips a change that commits late.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# One row (id=1): the last change sequence number handed out. Locking it serializes writers.
counter = Table(
    "counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
)

residents = Table(
    "residents",
    metadata,
    Column("resident_id", String(32), primary_key=True),
    Column("household_id", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("ward_code", String(6), nullable=False),
    Column("version", Integer, nullable=False),
    Column("seq", BigInteger, nullable=False),  # the change that last touched the record
    Column("record", Text, nullable=False),  # domain.codec JSON
)
Index("ix_registry_residents_household", residents.c.household_id)
Index("ix_registry_residents_ward", residents.c.ward_code, residents.c.resident_id)

households = Table(
    "households",
    metadata,
    Column("household_id", String(32), primary_key=True),
    Column("member_order", Text, nullable=False),
)

changes = Table(
    "changes",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("change_id", String(40), nullable=False, unique=True),
    Column("reason", String(8), nullable=False),
    Column("occurred_on", String(16), nullable=False),
    Column("notified_on", String(10), nullable=False),
    Column("cancels", String(40), nullable=False),
    Column("note", Text, nullable=False),
    Column("households", Text, nullable=False),  # {"before": [...], "after": [...]}
    Column("operation_id", String(40), nullable=False),  # "" for loads and imports
    Column("operator_id", String(64), nullable=False),
    Column("terminal_id", String(64), nullable=False),
    Column("recorded_at", Float, nullable=False),
)

change_residents = Table(
    "change_residents",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("change_seq", BigInteger, nullable=False),
    Column("resident_id", String(32), nullable=False),
    Column("before", Text),  # the changed keys before (NULL: created by this change)
    Column("after", Text, nullable=False),  # the whole record after the change
)
Index("ix_change_residents_resident", change_residents.c.resident_id, change_residents.c.change_seq)
Index("ix_change_residents_seq", change_residents.c.change_seq)

# What each change touched, before or after: the scopes a terminal pulls by.
change_scope = Table(
    "change_scope",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("change_seq", BigInteger, nullable=False),
    Column("ward_code", String(6), nullable=False),
    Column("household_id", String(32), nullable=False),
)
Index("ix_change_scope_ward", change_scope.c.ward_code, change_scope.c.change_seq)
Index("ix_change_scope_household", change_scope.c.household_id, change_scope.c.change_seq)

# Every operation a terminal sent, with its outcome: a repeat gets the stored result.
operations = Table(
    "operations",
    metadata,
    Column("operation_id", String(40), primary_key=True),
    Column("terminal_id", String(64), nullable=False),
    Column("operator_id", String(64), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("payload", Text, nullable=False),  # the operation as sent
    Column("state", String(16), nullable=False),  # confirmed | review | rejected
    Column("result", Text, nullable=False),  # JSON answer given to the terminal
    Column("received_at", Float, nullable=False),
    Column("decided_at", Float),
    Column("decided_by", String(64), nullable=False, default=""),
    Column("change_seq", BigInteger),
)
Index("ix_operations_state", operations.c.state, operations.c.received_at)
Index("ix_operations_terminal", operations.c.terminal_id, operations.c.received_at)

# The residents an operation touches, while it waits in review: later ones queue behind it.
operation_residents = Table(
    "operation_residents",
    metadata,
    Column("operation_id", String(40), nullable=False, primary_key=True),
    Column("resident_id", String(32), nullable=False, primary_key=True),
)
Index("ix_operation_residents_resident", operation_residents.c.resident_id)

operators = Table(
    "operators",
    metadata,
    Column("operator_id", String(64), primary_key=True),
    Column("display_name", String(128), nullable=False),
    Column("role", String(16), nullable=False),  # clerk | supervisor | administrator | kiosk
    Column("ward_code", String(6), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", Float, nullable=False, default=0.0),
    Column("password_changed_at", Float, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("operator_id", String(64), nullable=False),
    Column("terminal_id", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
)

terminals = Table(
    "terminals",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("kind", String(16), nullable=False),  # counter | field | kiosk
    Column("ward_code", String(6), nullable=False),
    Column("scope", String(16), nullable=False),  # city | ward | worklist
    Column("public_key", LargeBinary),  # NULL until enrolled
    Column("certificate", Text),
    Column("enrol_code_hash", String(64)),  # one-time code, NULL once used
    Column("enrol_expires_at", Float),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("scope_version", Integer, nullable=False, default=1),
    Column("created_at", Float, nullable=False),
    Column("last_seen_at", Float),
)

# Households a field laptop carries (scope "worklist").
worklists = Table(
    "worklists",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("household_id", String(32), primary_key=True),
)

# Request nonces seen within the clock window: a replayed signed request is refused.
nonces = Table(
    "nonces",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("terminal_id", String(64), nullable=False),
    Column("seen_at", Float, nullable=False),
)
Index("ix_nonces_seen", nonces.c.seen_at)

# Access-log entries sent up by terminals, checked against each terminal's chain.
access_log = Table(
    "access_log",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("operator_id", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("resident_id", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Column("my_number_shown", Boolean, nullable=False),
    Column("mac", String(64), nullable=False),
)

# 交付履歴 (j300) sent up by terminals: one row per event (issued | spoiled) and copy, gap-free per
# terminal like the access log. `audit` marks what the registry found wrong on receipt (a
# protected person issued without a valid lift), for the city's review; the row is kept either way.
issuances = Table(
    "issuances",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event", String(16), nullable=False),
    Column("issuance_id", String(40), nullable=False),
    Column("batch_id", String(40), nullable=False),
    Column("at", String(40), nullable=False),
    Column("issued_on", String(8), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("operator_id", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("resident_ids", Text, nullable=False),
    Column("items", Text, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("issue_numbers", Text, nullable=False),
    Column("printer", String(64), nullable=False),
    Column("my_number_printed", Boolean, nullable=False),
    Column("official_use", Boolean, nullable=False),
    Column("fee", Integer, nullable=False),
    Column("lift_id", String(40), nullable=False),
    Column("reprint_of", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("audit", String(64), nullable=False),
    Column("received_at", Float, nullable=False),
)
Index("ix_issuances_issuance", issuances.c.issuance_id)

issuance_residents = Table(
    "issuance_residents",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("resident_id", String(32), primary_key=True),
)
Index("ix_issuance_residents_resident", issuance_residents.c.resident_id)

# A supervisor's one-time lift (一時解除, j410/j440) of 支援措置・抑止 for one issuance at one terminal.
lifts = Table(
    "lifts",
    metadata,
    Column("lift_id", String(40), primary_key=True),
    Column("terminal_id", String(64), nullable=False),
    Column("supervisor_id", String(64), nullable=False),
    Column("resident_ids", Text, nullable=False),  # JSON list
    Column("reason", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used_by", String(40), nullable=False),  # the batch that used it ("" while unused)
)

# Which My Number card belongs to whom (kiosks): a JPKI 利用者証明用 certificate — issuer, serial and
# the SHA-256 of its DER — linked to a resident. In the national system J-LIS keeps this mapping;
# here the city loads it (`madoguchi registry link-card`).
card_links = Table(
    "card_links",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("issuer", Text, nullable=False),
    Column("serial", String(64), nullable=False),
    Column("resident_id", String(32), nullable=False),
    Column("not_after", String(40), nullable=False),
    Column("linked_at", Float, nullable=False),
)
Index("ix_card_links_resident", card_links.c.resident_id)

# Challenges handed to kiosks for the card to sign: one use, a short life.
kiosk_challenges = Table(
    "kiosk_challenges",
    metadata,
    Column("challenge_id", String(40), primary_key=True),
    Column("terminal_id", String(64), nullable=False),
    Column("challenge", String(64), nullable=False),  # base64url
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used_at", Float),
)
Index("ix_kiosk_challenges_expires", kiosk_challenges.c.expires_at)
