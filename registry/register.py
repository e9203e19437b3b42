"""The authoritative register as the registry stores it: RegisterView over one connection, and
recording a Change with its place in the change log.

Each history row keeps the whole record after the change (and the changed keys before), so a
change can be sent down to a terminal exactly as it was, without replaying anything.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable

import orjson
from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain.codec import change_from_stored, apply_diff, dict_diff, household_from_dict, household_to_dict, resident_from_dict, resident_to_dict
from domain.history import Change, ResidentDelta
from domain.residents import Household, Resident
from registry.database import next_seq
from registry.schema import change_residents, change_scope, changes, households, residents


def dumps(value) -> str:
    return orjson.dumps(value).decode()


class RegistryRegister:
    """domain.register.RegisterView over the registry's tables (reads see the caller's transaction)."""

    def __init__(self, conn: Connection):
        self.conn = conn
        # Records read or written in this transaction. Writers hold the writer lock, and every
        # write goes through record_change, which refreshes it: it never goes stale.
        self._known: dict[str, Resident | None] = {}
        # Current members of households as the database holds them (residents with writes not yet
        # flushed are left out there and overlaid from _known).
        self._members_db: dict[str, list[Resident]] = {}
        self.next_seq = lambda: next_seq(self.conn)  # an OperationService hands out numbers itself
        # With `deferred`, writes wait in memory until flush() (a whole push in a few statements);
        # every read below sees them all the same.
        self.deferred = False
        self._pending: dict[str, list[dict]] = {"changes": [], "history": [], "scope": [], "new": [], "changed": []}
        self._pending_households: dict[str, str] = {}
        self._dirty: set[str] = set()

    # -- RegisterView ------------------------------------------------------------------------
    def resident(self, resident_id: str) -> Resident | None:
        if resident_id not in self._known:
            row = self.conn.execute(_RECORD_BY_ID, {"rid": resident_id}).first()
            self._known[resident_id] = None if row is None else resident_from_dict(orjson.loads(row[0]))
        return self._known[resident_id]

    def prefetch(self, ids: Iterable[str]) -> None:
        """Reads, in one query, these residents and everyone in their households (the rules ask
        for them one by one next, and for the households' members)."""
        wanted = sorted(i for i in ids if i not in self._known)
        if not wanted:
            return
        if self.conn.dialect.name == "postgresql":  # one statement shape whatever the count: prepared once
            rows = self.conn.exec_driver_sql(_HOUSEHOLDS_OF_PG, {"ids": wanted})
        else:
            their_households = select(residents.c.household_id).where(residents.c.resident_id.in_(wanted))
            rows = self.conn.execute(select(residents.c.record).where(residents.c.household_id.in_(their_households)))
        self._known.update(dict.fromkeys(wanted))
        members: dict[str, list[Resident]] = {}
        for (record,) in rows:
            r = resident_from_dict(orjson.loads(record))
            members.setdefault(r.household_id, [])
            if r.resident_id in self._dirty:
                continue
            self._known[r.resident_id] = r
            if r.status.value == "current":
                members[r.household_id].append(r)
        for hid, found in members.items():
            self._members_db.setdefault(hid, found)

    def residents_by_id(self, ids: Iterable[str]) -> dict[str, Resident]:
        ids = list(ids)
        out = {i: self._known[i] for i in ids if i in self._dirty}
        rest = [i for i in ids if i not in out]
        if rest:
            rows = self.conn.execute(select(residents.c.record).where(residents.c.resident_id.in_(rest)))
            out.update((r.resident_id, r) for r in (resident_from_dict(orjson.loads(row[0])) for row in rows))
        return out

    def household_members(self, household_id: str) -> list[Resident]:
        if household_id not in self._members_db:
            rows = self.conn.execute(
                select(residents.c.record).where(residents.c.household_id == household_id, residents.c.status == "current")
            )
            self._members_db[household_id] = [resident_from_dict(orjson.loads(r[0])) for r in rows]
        members = [r for r in self._members_db[household_id] if r.resident_id not in self._dirty]
        for rid in self._dirty:
            r = self._known[rid]
            if r is not None and r.household_id == household_id and r.is_current:
                members.append(r)
        return members

    def household(self, household_id: str) -> Household | None:
        if household_id in self._pending_households:
            return household_from_dict({"id": household_id, "order": orjson.loads(self._pending_households[household_id])})
        row = self.conn.execute(select(households.c.member_order).where(households.c.household_id == household_id)).first()
        return None if row is None else household_from_dict({"id": household_id, "order": orjson.loads(row[0])})

    def change(self, change_id: str) -> Change | None:
        self.flush()  # history is read from the tables
        row = self.conn.execute(select(changes).where(changes.c.change_id == change_id)).first()
        return None if row is None else self._load_change(row)

    def changes_of(self, resident_id: str) -> list[Change]:
        self.flush()  # history is read from the tables
        seqs = select(change_residents.c.change_seq).where(change_residents.c.resident_id == resident_id)
        rows = self.conn.execute(select(changes).where(changes.c.seq.in_(seqs)).order_by(changes.c.seq)).all()
        return [self._load_change(row) for row in rows]

    def _load_change(self, row) -> Change:
        deltas = []
        for d in self.conn.execute(
            select(change_residents).where(change_residents.c.change_seq == row.seq).order_by(change_residents.c.id)
        ):
            after = orjson.loads(d.after)
            before = None if d.before is None else resident_from_dict(apply_diff(after, orjson.loads(d.before)))
            deltas.append(ResidentDelta(d.resident_id, before, resident_from_dict(after)))
        return change_from_stored(row, tuple(deltas), orjson.loads(row.households))

    def version_of(self, resident_id: str) -> int | None:
        r = self.resident(resident_id)
        return None if r is None else r.version

    def fields_changed_since(self, resident_id: str, version: int) -> set[str]:
        """The record keys changed by confirmed changes after `version` of a resident."""
        self.flush()  # history is read from the tables
        changed: set[str] = set()
        rows = self.conn.execute(
            select(change_residents.c.before, change_residents.c.after)
            .where(change_residents.c.resident_id == resident_id)
            .order_by(change_residents.c.change_seq)
        )
        for before, after in rows:
            after_d = orjson.loads(after)
            if after_d.get("v", 0) <= version:
                continue
            changed |= set(after_d) if before is None else set(orjson.loads(before))
        changed.discard("v")
        return changed

    # -- writing (the caller holds the writer lock) --------------------------------------------
    def record_change(self, change: Change, *, operation_id: str = "", operator_id: str = "", terminal_id: str = "") -> int:
        seq = self.next_seq()
        rows = ChangeRows.of(change, seq, operation_id=operation_id, operator_id=operator_id, terminal_id=terminal_id, now=time.time())
        p = self._pending
        p["changes"].append(rows.change)
        p["history"].extend(rows.history)
        p["scope"].extend(rows.scope)
        for d, record in zip(change.residents, rows.records):
            values = resident_values(d.after, record, seq)
            p["new" if d.before is None else "changed"].append(values)
            self._known[d.resident_id] = d.after
            self._dirty.add(d.resident_id)
        for h in change.households:
            self._pending_households[h.household_id] = dumps(list(h.member_order))
        if not self.deferred:
            self.flush()
        return seq

    def put_household(self, h: Household) -> None:
        self._pending_households[h.household_id] = dumps(list(h.member_order))
        if not self.deferred:
            self.flush()

    def flush(self) -> None:
        """Writes what waits in memory: one statement a table."""
        p = self._pending
        if p["changes"]:
            self.conn.execute(insert(changes), p["changes"])
        if p["history"]:
            self.conn.execute(insert(change_residents), p["history"])
        if p["scope"]:
            self.conn.execute(insert(change_scope), p["scope"])
        if p["new"]:
            self.conn.execute(insert(residents), p["new"])
        if p["changed"]:
            self.conn.execute(_UPDATE_RESIDENT, [{**v, "rid": v["resident_id"]} for v in p["changed"]])
        if self._pending_households:
            dialect_insert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
            upsert = dialect_insert(households)
            upsert = upsert.on_conflict_do_update(index_elements=[households.c.household_id], set_={"member_order": upsert.excluded.member_order})
            self.conn.execute(upsert, [{"household_id": h, "member_order": o} for h, o in self._pending_households.items()])
        if self._dirty:
            self._members_db.clear()  # they left out the residents just written
        for rows in p.values():
            rows.clear()
        self._pending_households.clear()
        self._dirty.clear()


# Everyone in the households of some residents (themselves included).
_HOUSEHOLDS_OF_PG = (
    "SELECT record FROM residents WHERE household_id IN "
    "(SELECT household_id FROM residents WHERE resident_id = ANY(%(ids)s))"
)
_RECORD_BY_ID = select(residents.c.record).where(residents.c.resident_id == bindparam("rid"))
_UPDATE_RESIDENT = update(residents).where(residents.c.resident_id == bindparam("rid"))


def resident_values(r: Resident, record: dict, seq: int) -> dict:
    """The residents-table row of a record (`record` is its resident_to_dict)."""
    return {
        "resident_id": r.resident_id,
        "household_id": r.household_id,
        "status": r.status.value,
        "ward_code": r.address.lg_code or "",
        "version": r.version,
        "seq": seq,
        "record": dumps(record),
    }


@dataclass
class ChangeRows:
    """The rows one change writes: the change, its history (whole record after, changed keys
    before) and the wards and households it touched (for scoped pulls)."""

    change: dict
    history: list[dict]
    scope: list[dict]
    records: list[dict]  # resident_to_dict of each resident after, in change order

    @classmethod
    def of(cls, change: Change, seq: int, *, operation_id: str = "", operator_id: str = "", terminal_id: str = "", now: float) -> "ChangeRows":
        row = {
            "seq": seq,
            "change_id": change.change_id,
            "reason": change.reason.code,
            "occurred_on": change.occurred_on.to_storage(),
            "notified_on": change.notified_on.isoformat(),
            "cancels": change.cancels,
            "note": change.note,
            "households": dumps(
                {"before": [household_to_dict(h) for h in change.households_before], "after": [household_to_dict(h) for h in change.households]}
            ),
            "operation_id": operation_id,
            "operator_id": operator_id,
            "terminal_id": terminal_id,
            "recorded_at": now,
        }
        history, records, touched = [], [], set()
        for d in change.residents:
            after = resident_to_dict(d.after)
            before = None if d.before is None else dumps(dict_diff(resident_to_dict(d.before), after)[0])
            history.append({"change_seq": seq, "resident_id": d.resident_id, "before": before, "after": dumps(after)})
            records.append(after)
            touched.update((r.address.lg_code or "", r.household_id) for r in (d.before, d.after) if r is not None)
        scope = [{"change_seq": seq, "ward_code": w, "household_id": h} for w, h in sorted(touched)]
        return cls(row, history, scope, records)
