"""The access log (アクセスログ): who looked at whom, append-only and hash-chained.

Every search, every view of a resident and every reveal of a My Number adds an entry in the same
encrypted cache. Each entry carries an HMAC-SHA256 over the previous entry's MAC and its own
content, keyed by a key derived from the cache's data key: an edited, inserted or deleted entry
breaks the chain and `verify` names the first bad one. (Cutting entries off the end can only be
seen against a copy kept elsewhere: the registry receives the log with the outbox.)
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Connection, select

from app.store.schema import access_log

GENESIS = "0" * 64


@dataclass(frozen=True)
class AccessEntry:
    seq: int
    at: str
    operator: str
    terminal: str
    action: str
    resident_id: str
    detail: dict
    my_number_shown: bool
    mac: str


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str = ""


def _content(seq: int, at: str, operator: str, terminal: str, action: str, resident_id: str, detail: str, shown: int) -> bytes:
    return json.dumps([seq, at, operator, terminal, action, resident_id, detail, shown], ensure_ascii=False).encode()


class AccessLog:
    def __init__(self, key: bytes, *, clock: Callable[[], dt.datetime] | None = None):
        self._key = key
        self._clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))

    def _mac(self, prev: str, content: bytes) -> str:
        return hmac.new(self._key, prev.encode() + content, hashlib.sha256).hexdigest()

    def append(
        self,
        conn: Connection,
        *,
        operator: str,
        terminal: str,
        action: str,
        resident_id: str = "",
        detail: dict | None = None,
        my_number_shown: bool = False,
    ) -> int:
        """Adds one entry inside the caller's transaction; returns its sequence number."""
        last = conn.exec_driver_sql("SELECT seq, mac FROM access_log ORDER BY seq DESC LIMIT 1").first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        at = self._clock().isoformat(timespec="microseconds")
        detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
        shown = 1 if my_number_shown else 0
        mac = self._mac(prev, _content(seq, at, operator, terminal, action, resident_id, detail_text, shown))
        conn.exec_driver_sql(
            "INSERT INTO access_log (seq, at, operator, terminal, action, resident_id, detail, my_number_shown, mac)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, at, operator, terminal, action, resident_id, detail_text, shown, mac),
        )
        return seq

    def verify(self, conn: Connection) -> VerifyResult:
        prev, expected_seq, count = GENESIS, 1, 0
        rows = conn.execute(select(access_log).order_by(access_log.c.seq))
        for row in rows:
            if row.seq != expected_seq:
                return VerifyResult(False, count, expected_seq, f"entry {expected_seq} is missing")
            content = _content(row.seq, row.at, row.operator, row.terminal, row.action, row.resident_id, row.detail, row.my_number_shown)
            if not hmac.compare_digest(self._mac(prev, content), row.mac):
                return VerifyResult(False, count, row.seq, f"entry {row.seq} was altered")
            prev, expected_seq, count = row.mac, expected_seq + 1, count + 1
        # The registry holds the newest entry it received (app.sync): entries cut off the end of
        # the local log after they went up show here.
        anchor = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'access_log_anchor'").scalar()
        if anchor:
            held = json.loads(anchor)
            if held["seq"] > count:
                return VerifyResult(False, count, count + 1, f"entries {count + 1}–{held['seq']} are missing (the registry holds them)")
            mac_there = conn.exec_driver_sql("SELECT mac FROM access_log WHERE seq = ?", (held["seq"],)).scalar()
            if held["seq"] and not hmac.compare_digest(mac_there or "", held["mac"]):
                return VerifyResult(False, count, held["seq"], f"entry {held['seq']} differs from the registry's copy")
        return VerifyResult(True, count)

    def entries(self, conn: Connection, *, resident_id: str | None = None, limit: int = 100) -> list[AccessEntry]:
        q = select(access_log).order_by(access_log.c.seq.desc()).limit(limit)
        if resident_id is not None:
            q = q.where(access_log.c.resident_id == resident_id)
        return [
            AccessEntry(r.seq, r.at, r.operator, r.terminal, r.action, r.resident_id, json.loads(r.detail), bool(r.my_number_shown), r.mac)
            for r in conn.execute(q)
        ]
