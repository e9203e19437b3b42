"""Changes down to terminals: pages of the change log after a cursor, and whole snapshots.

A terminal's scope decides what it gets: the whole city, its ward, or the households of its work
list (a field laptop carries as little as it can). Every page and snapshot is read in one
consistent snapshot of the database, and the cursor it hands back is the newest sequence number
that snapshot can see, so a terminal with nothing in scope still moves forward.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import orjson
from sqlalchemy import Connection, Engine, select

from registry.database import last_seq, reading
from registry.schema import change_residents, change_scope, changes, households, residents, settings, worklists

MAX_PAGE = 1000
SNAPSHOT_BATCH = 2000


@dataclass(frozen=True)
class Scope:
    kind: str  # city | ward | worklist
    ward_code: str = ""
    terminal_id: str = ""
    version: int = 1

    def describe(self) -> dict:
        return {"kind": self.kind, "ward_code": self.ward_code, "version": self.version}


def min_cursor(conn: Connection) -> int:
    """Cursors below this need a snapshot (the log before it was compacted away)."""
    value = conn.execute(select(settings.c.value).where(settings.c.key == "min_cursor")).scalar()
    return int(value or 0)


def _scope_filter(scope: Scope):
    """The change sequence numbers in scope, as a subquery condition on change_scope."""
    if scope.kind == "ward":
        return change_scope.c.ward_code == scope.ward_code
    if scope.kind == "worklist":
        return change_scope.c.household_id.in_(select(worklists.c.household_id).where(worklists.c.terminal_id == scope.terminal_id))
    return None


def changes_page(conn: Connection, scope: Scope, after: int, limit: int = MAX_PAGE) -> dict:
    """The changes in scope after `after`, oldest first, with the cursor to ask from next."""
    limit = max(1, min(limit, MAX_PAGE))
    head = last_seq(conn)
    condition = _scope_filter(scope)
    if condition is None:
        seqs = conn.execute(select(changes.c.seq).where(changes.c.seq > after).order_by(changes.c.seq).limit(limit)).scalars().all()
    else:
        seqs = conn.execute(
            select(change_scope.c.change_seq)
            .where(condition, change_scope.c.change_seq > after)
            .group_by(change_scope.c.change_seq)
            .order_by(change_scope.c.change_seq)
            .limit(limit)
        ).scalars().all()
    out = []
    if seqs:
        by_seq: dict[int, list] = {}
        for row in conn.execute(
            select(change_residents.c.change_seq, change_residents.c.resident_id, change_residents.c.after)
            .where(change_residents.c.change_seq.in_(seqs))
            .order_by(change_residents.c.id)
        ):
            by_seq.setdefault(row.change_seq, []).append(orjson.Fragment(row.after))
        for row in conn.execute(select(changes).where(changes.c.seq.in_(seqs)).order_by(changes.c.seq)):
            out.append(
                {
                    "seq": row.seq,
                    "change_id": row.change_id,
                    "reason": row.reason,
                    "occurred_on": row.occurred_on,
                    "notified_on": row.notified_on,
                    "cancels": row.cancels,
                    "note": row.note,
                    "households": orjson.Fragment(row.households),
                    "residents": by_seq.get(row.seq, []),
                }
            )
    more = len(seqs) == limit
    cursor = seqs[-1] if more else head
    return {"changes": out, "cursor": max(cursor, after), "more": more, "head": head}


def snapshot_lines(engine: Engine, scope: Scope) -> Iterator[bytes]:
    """The scope's residents and households as NDJSON lines, read in one consistent snapshot.

    First line {"snapshot": {...}, "cursor": N}; then {"r": record} and {"h": household} lines;
    last line {"end": {"residents": n, "households": m}} — a stream without it was cut off."""
    conn = reading(engine)
    try:
        with conn.begin():
            cursor = last_seq(conn)
            yield orjson.dumps({"snapshot": scope.describe(), "cursor": cursor}) + b"\n"
            query = select(residents.c.household_id, residents.c.record).order_by(residents.c.resident_id)
            hh_query = select(households.c.household_id, households.c.member_order)
            if scope.kind == "ward":
                query = query.where(residents.c.ward_code == scope.ward_code)
                hh_query = hh_query.where(
                    households.c.household_id.in_(select(residents.c.household_id).where(residents.c.ward_code == scope.ward_code))
                )
            elif scope.kind == "worklist":
                listed = select(worklists.c.household_id).where(worklists.c.terminal_id == scope.terminal_id)
                query = query.where(residents.c.household_id.in_(listed))
                hh_query = hh_query.where(households.c.household_id.in_(listed))
            n = m = 0
            result = conn.execution_options(stream_results=True, yield_per=SNAPSHOT_BATCH).execute(query)
            for part in result.partitions():
                yield b"".join(b'{"r":' + rec.encode() + b"}\n" for _hh, rec in part)
                n += len(part)
            result = conn.execution_options(stream_results=True, yield_per=SNAPSHOT_BATCH).execute(hh_query)
            for part in result.partitions():
                yield b"".join(orjson.dumps({"h": {"id": hid, "order": orjson.Fragment(order)}}) + b"\n" for hid, order in part)
                m += len(part)
            yield orjson.dumps({"end": {"residents": n, "households": m}}) + b"\n"
    finally:
        conn.close()

