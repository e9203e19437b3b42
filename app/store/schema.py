"""The terminal cache's tables (SQLAlchemy Core). Migrations in migrations/versions create them.

Personal data lives only inside the SQLCipher-encrypted file. Search keys (normalized kana and
kanji, birth date as YYYYMMDD) are denormalized into name_keys / address_keys so that every
search of the counter is an index range scan.
"""
from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String, primary_key=True),
    Column("value", Text, nullable=False),
)

residents = Table(
    "residents",
    metadata,
    Column("resident_id", String, primary_key=True),  # 宛名番号
    Column("household_id", String, nullable=False),  # 世帯番号
    Column("status", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("ward_code", String, nullable=False),
    Column("birth_key", String, nullable=False),  # YYYYMMDD, 00 for unknown parts
    Column("sex", Integer, nullable=False),
    Column("resident_code", String),
    Column("my_number", String),
    Column("flags", Integer, nullable=False, default=0),  # 1 suppressed (抑止), 2 support measure (支援措置)
    Column("version", Integer, nullable=False),
    Column("record", Text, nullable=False),  # domain.codec JSON
)
Index("ix_residents_household", residents.c.household_id)
Index("ix_residents_resident_code", residents.c.resident_code)
Index("ix_residents_my_number", residents.c.my_number)

name_keys = Table(
    "name_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("resident_id", String, nullable=False),
    Column("source", String, nullable=False),  # current | old_surname | alias | alphabet | history
    Column("kana_key", String, nullable=False),  # family+given フリガナ, fuzzy-normalized
    Column("given_kana_key", String, nullable=False),
    Column("kanji_key", String, nullable=False),  # family+given, 異体字 folded
    Column("given_kanji_key", String, nullable=False),
    Column("birth_key", String, nullable=False),
)
Index("ix_name_kana_birth", name_keys.c.kana_key, name_keys.c.birth_key)
Index("ix_name_given_kana", name_keys.c.given_kana_key, name_keys.c.birth_key)
Index("ix_name_kanji", name_keys.c.kanji_key, name_keys.c.birth_key)
Index("ix_name_given_kanji", name_keys.c.given_kanji_key, name_keys.c.birth_key)
# Covering: a birth-date lookup checks the name in the index without reading table rows.
Index("ix_name_birth", name_keys.c.birth_key, name_keys.c.kana_key, name_keys.c.kanji_key, name_keys.c.given_kana_key, name_keys.c.given_kanji_key)
Index("ix_name_resident", name_keys.c.resident_id)

address_keys = Table(
    "address_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("resident_id", String, nullable=False),
    Column("source", String, nullable=False),  # current | history
    Column("address_key", String, nullable=False),  # 町丁目+番地 (+方書), 異体字 folded
    Column("ward_code", String, nullable=False),
)
Index("ix_address_key", address_keys.c.address_key)
Index("ix_address_resident", address_keys.c.resident_id)

households = Table(
    "households",
    metadata,
    Column("household_id", String, primary_key=True),
    Column("member_order", Text, nullable=False, default="[]"),
)

changes = Table(
    "changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("change_id", String, nullable=False, unique=True),
    Column("reason", String, nullable=False),  # ChangeReason code
    Column("occurred_on", String, nullable=False),  # RecordDate storage form
    Column("notified_on", String, nullable=False),
    Column("cancels", String, nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("households", Text, nullable=False, default="{}"),  # {"before": [...], "after": [...]}
    Column("state", String, nullable=False, default="confirmed"),  # confirmed | provisional
)

change_residents = Table(
    "change_residents",
    metadata,
    Column("change_seq", Integer, nullable=False),
    Column("resident_id", String, nullable=False),
    Column("before", Text),  # changed keys before (NULL: the record was created)
    Column("after", Text, nullable=False),  # changed keys after (the whole record when created)
)
Index("ix_change_residents_resident", change_residents.c.resident_id, change_residents.c.change_seq)
Index("ix_change_residents_change", change_residents.c.change_seq)  # a change's residents (history view)

access_log = Table(
    "access_log",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("at", String, nullable=False),
    Column("operator", String, nullable=False),
    Column("terminal", String, nullable=False),
    Column("action", String, nullable=False),  # search | view | reveal_my_number | change | ...
    Column("resident_id", String, nullable=False, default=""),
    Column("detail", Text, nullable=False, default="{}"),
    Column("my_number_shown", Integer, nullable=False, default=0),
    Column("mac", String, nullable=False),  # HMAC-SHA256 over the previous mac and this entry
)

# Operations taken at this terminal (届出), in the order taken, until the registry decides them.
outbox = Table(
    "outbox",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("operation_id", String, nullable=False, unique=True),
    Column("kind", String, nullable=False),
    Column("operator_id", String, nullable=False),
    Column("payload", Text, nullable=False),  # the operation as it is sent (registry.operations wire form)
    Column("state", String, nullable=False),  # pending | sending | confirmed | review | rejected
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("code", String, nullable=False, default=""),  # the registry's result code, or the last error
    Column("message", Text, nullable=False, default=""),  # Japanese, for the outbox screen
    Column("result", Text, nullable=False, default="{}"),
)
Index("ix_outbox_state", outbox.c.state, outbox.c.seq)

drafts = Table(
    "drafts",
    metadata,
    Column("draft_id", String, primary_key=True),
    Column("operator_id", String, nullable=False),
    Column("kind", String, nullable=False),  # the notification kind (MoveIn, Birth …)
    Column("title", String, nullable=False, default=""),  # Japanese, for the "resume a draft" list
    Column("data", Text, nullable=False),  # the form's fields as typed (JSON), not yet validated
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)
Index("ix_drafts_operator", drafts.c.operator_id, drafts.c.updated_at)

search_history = Table(
    "search_history",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("operator_id", String, nullable=False),
    Column("criteria", Text, nullable=False),  # the search form as typed (JSON)
    Column("searched_at", Float, nullable=False),
)
Index("ix_search_history_operator", search_history.c.operator_id, search_history.c.seq)

# 交付履歴 (j300): what was issued, reprinted or spoiled at this terminal, one row per event and
# copy, append-only; synced up to the registry in seq order like the access log.
issuance_history = Table(
    "issuance_history",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("event", String, nullable=False),  # issued | spoiled | refused (a kiosk attempt the rules turned down)
    Column("issuance_id", String, nullable=False),  # one copy (UUIDv7); a spoiled event names the copy it spoils
    Column("batch_id", String, nullable=False),  # the request the copy belongs to (one lift covers one batch)
    Column("at", String, nullable=False),  # ISO 8601 with offset
    Column("issued_on", String, nullable=False),  # YYYYMMDD (the day of the issue number)
    Column("sequence", Integer, nullable=False, default=0),  # the number's sequence of that day (issued events)
    Column("operator_id", String, nullable=False),
    Column("terminal_id", String, nullable=False),
    Column("channel", String, nullable=False),  # counter | kiosk
    Column("kind", String, nullable=False),  # domain.certificate_rules.CertificateKind value
    Column("resident_ids", Text, nullable=False),  # JSON list: 交付対象者
    Column("items", Text, nullable=False),  # JSON: the items chosen (記載事項)
    Column("pages", Integer, nullable=False, default=0),
    Column("issue_numbers", Text, nullable=False, default="[]"),  # JSON list, one per page
    Column("printer", String, nullable=False, default=""),
    Column("my_number_printed", Integer, nullable=False, default=0),
    Column("official_use", Integer, nullable=False, default=0),  # 公用
    Column("fee", Integer, nullable=False, default=0),  # yen
    Column("lift_id", String, nullable=False, default=""),  # a supervisor's one-time lift of 支援措置・抑止
    Column("reprint_of", String, nullable=False, default=""),  # the spoiled copy this one replaces
    Column("reason", Text, nullable=False, default=""),  # 処分 reason (spoiled), or a reprint's reason
)
Index("ix_issuance_history_day", issuance_history.c.issued_on, issuance_history.c.sequence)
Index("ix_issuance_history_issuance", issuance_history.c.issuance_id)

issuance_residents = Table(
    "issuance_residents",
    metadata,
    Column("seq", Integer, nullable=False),  # issuance_history.seq of the issued event
    Column("resident_id", String, nullable=False),
)
Index("ix_issuance_residents_resident", issuance_residents.c.resident_id, issuance_residents.c.seq)
