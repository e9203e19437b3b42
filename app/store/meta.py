"""The cache's `meta` table: small named values (sync cursor, last sync, counters, keys)."""
from __future__ import annotations

from sqlalchemy import text


def get_meta(conn, key: str, default: str = "") -> str:
    value = conn.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": key}).scalar()
    return default if value is None else value


def set_meta(conn, key: str, value: object) -> None:
    conn.execute(text("INSERT OR REPLACE INTO meta(key, value) VALUES (:k, :v)"), {"k": key, "v": str(value)})
