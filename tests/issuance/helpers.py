"""What the issuance tests share: protected residents, households, a registry row, the PDF's text."""
from __future__ import annotations

import subprocess
from dataclasses import replace

import orjson
from sqlalchemy import select, text, update

from app.store.register_store import RegisterStore
from domain.codec import resident_to_dict
from registry.database import open_database
from registry.schema import residents as registry_residents
from tests.ui.test_forms import households_of  # noqa: F401  (shared with the form tests)


def protect(world, counter, resident_id: str, *, in_cache: bool = True, suppressed: bool = False) -> None:
    """The city's 支援措置 (or 抑止) office marks a person — at the registry, and (after a sync) here.
    There is no notification for it yet, so the records are set as that office's system would."""
    flag = {"suppressed": True} if suppressed else {"support_measure": True}
    engine = open_database(world.db_url)
    with engine.begin() as conn:
        record = orjson.loads(conn.execute(select(registry_residents.c.record).where(registry_residents.c.resident_id == resident_id)).scalar())
        record.update({"sup": 1} if suppressed else {"dv": 1})  # domain.codec's keys
        conn.execute(update(registry_residents).where(registry_residents.c.resident_id == resident_id).values(record=orjson.dumps(record).decode()))
    engine.dispose()
    if in_cache:
        with counter.cache.writer.begin() as conn:
            store = RegisterStore(conn)
            store.put_record(replace(store.resident(resident_id), **flag))


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it, every space and line break taken out (a name drawn in
    cells reads 「橋本\n誠」; rotated 「見本」 reads 「見\n本」)."""
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return "".join(out.split())


def history_rows(counter) -> list[dict]:
    with counter.cache.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM issuance_history ORDER BY seq"))]


def access_actions(counter) -> list[tuple[str, str]]:
    with counter.cache.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT action, resident_id FROM access_log ORDER BY seq"))]


def record_dict(r) -> dict:
    return resident_to_dict(r)
