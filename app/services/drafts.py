"""Drafts (下書き) of notifications being typed: saved as the clerk types, in the encrypted cache,
so a crash, a closed window or a pulled plug loses nothing; offered back at the next login and
deleted in the same transaction that takes the notification."""
from __future__ import annotations

import time
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.sqlite import insert

from app.store.schema import drafts


@dataclass(frozen=True)
class Draft:
    draft_id: str
    operator_id: str
    kind: str
    title: str
    data: dict
    created_at: float
    updated_at: float


def save(conn: Connection, *, draft_id: str, operator_id: str, kind: str, title: str, data: dict, now: float | None = None) -> None:
    now = time.time() if now is None else now
    stmt = insert(drafts).values(
        draft_id=draft_id, operator_id=operator_id, kind=kind, title=title,
        data=orjson.dumps(data).decode(), created_at=now, updated_at=now,
    )
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[drafts.c.draft_id],
        set_={"title": stmt.excluded.title, "data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at},
    ))


def _draft(row) -> Draft:
    return Draft(row.draft_id, row.operator_id, row.kind, row.title, orjson.loads(row.data), row.created_at, row.updated_at)


def of_operator(conn: Connection, operator_id: str) -> list[Draft]:
    rows = conn.execute(select(drafts).where(drafts.c.operator_id == operator_id).order_by(drafts.c.updated_at.desc()))
    return [_draft(r) for r in rows]


def get(conn: Connection, draft_id: str) -> Draft | None:
    row = conn.execute(select(drafts).where(drafts.c.draft_id == draft_id)).first()
    return None if row is None else _draft(row)


def discard(conn: Connection, draft_id: str) -> bool:
    return conn.execute(delete(drafts).where(drafts.c.draft_id == draft_id)).rowcount > 0
