"""Each operator's recent searches (検索履歴), newest first, kept in the encrypted cache: what was
typed is personal data. A repeated search moves to the top instead of being listed twice."""
from __future__ import annotations

import time
from dataclasses import asdict

import orjson
from sqlalchemy import Connection, delete, insert, select

from app.store.schema import search_history
from domain.search_criteria import SearchCriteria

KEEP = 30


def _key(c: SearchCriteria) -> bytes:
    return orjson.dumps(asdict(c), option=orjson.OPT_SORT_KEYS)


def remember(conn: Connection, operator_id: str, criteria: SearchCriteria, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    key = _key(criteria).decode()
    conn.execute(delete(search_history).where(search_history.c.operator_id == operator_id, search_history.c.criteria == key))
    conn.execute(insert(search_history).values(operator_id=operator_id, criteria=key, searched_at=now))
    old = select(search_history.c.seq).where(search_history.c.operator_id == operator_id).order_by(search_history.c.seq.desc()).offset(KEEP)
    conn.execute(delete(search_history).where(search_history.c.seq.in_(old.scalar_subquery())))


def recent(conn: Connection, operator_id: str, limit: int = KEEP) -> list[SearchCriteria]:
    rows = conn.execute(
        select(search_history.c.criteria).where(search_history.c.operator_id == operator_id).order_by(search_history.c.seq.desc()).limit(limit)
    ).scalars()
    out = []
    for text in rows:
        try:
            out.append(SearchCriteria(**orjson.loads(text)))
        except TypeError:  # a field this version no longer has: skip that entry
            continue
    return out


def describe(c: SearchCriteria) -> str:
    """One line for the history list: what was searched, in the clerk's words."""
    parts = []
    if c.name:
        parts.append(("名" if c.given_only else "") + c.name)
    if c.birth:
        parts.append(f"生年月日 {c.birth}")
    if c.sex:
        parts.append({1: "男", 2: "女"}.get(c.sex, ""))
    if c.address:
        parts.append(f"住所 {c.address}")
    for label, v in (("宛名番号", c.resident_id), ("住民票コード", c.resident_code), ("個人番号", "****" + c.my_number[-4:] if c.my_number else "")):
        if v:
            parts.append(f"{label} {v}")
    if c.ward == "*":
        parts.append("（全区）")
    return "　".join(p for p in parts if p) or "（条件なし）"
