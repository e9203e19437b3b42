"""The authoritative register as the registry stores it: RegisterView over one connection, and
recording a Change with its place in the change log.

Each history row keeps the whole record after the change (and the changed keys before), so a
change can be sent down to a terminal exactly as it was, without replaying anything.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Iterable

import orjson
from sqlalchemy import Connection, bindparam, insert, select, update

from domain.change_reasons import ChangeReason
from domain.codec import apply_diff, dict_diff, household_from_dict, household_to_dict, resident_from_dict, resident_to_dict
from domain.history import Change, ResidentDelta
from domain.record_dates import RecordDate
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
        self._members: dict[str, list[Resident]] = {}  # current members of whole households read
        self.next_seq = lambda: next_seq(self.conn)  # an OperationService hands out numbers itself

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
            self._known[r.resident_id] = r
            members.setdefault(r.household_id, [])
            if r.status.value == "current":
                members[r.household_id].append(r)
        for hid, found in members.items():
            self._members.setdefault(hid, found)

    def residents_by_id(self, ids: Iterable[str]) -> dict[str, Resident]:
        ids = list(ids)
        if not ids:
            return {}
        rows = self.conn.execute(select(residents.c.record).where(residents.c.resident_id.in_(ids)))
        found = (resident_from_dict(orjson.loads(r[0])) for r in rows)
        return {r.resident_id: r for r in found}

    def household_members(self, household_id: str) -> list[Resident]:
        if household_id in self._members:
            return list(self._members[household_id])
        rows = self.conn.execute(
            select(residents.c.record).where(residents.c.household_id == household_id, residents.c.status == "current")
        )
        return [resident_from_dict(orjson.loads(r[0])) for r in rows]

    def household(self, household_id: str) -> Household | None:
        row = self.conn.execute(select(households.c.member_order).where(households.c.household_id == household_id)).first()
        return None if row is None else household_from_dict({"id": household_id, "order": orjson.loads(row[0])})

    def change(self, change_id: str) -> Change | None:
        row = self.conn.execute(select(changes).where(changes.c.change_id == change_id)).first()
        return None if row is None else self._load_change(row)

    def changes_of(self, resident_id: str) -> list[Change]:
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
        hh = orjson.loads(row.households)
        return Change(
            change_id=row.change_id,
            reason=ChangeReason.from_code(row.reason),
            occurred_on=RecordDate.from_storage(row.occurred_on),
            notified_on=dt.date.fromisoformat(row.notified_on),
            residents=tuple(deltas),
            households=tuple(household_from_dict(h) for h in hh.get("after", [])),
            households_before=tuple(household_from_dict(h) for h in hh.get("before", [])),
            cancels=row.cancels,
            note=row.note,
        )

    def version_of(self, resident_id: str) -> int | None:
        r = self.resident(resident_id)
        return None if r is None else r.version

    def fields_changed_since(self, resident_id: str, version: int) -> set[str]:
        """The record keys changed by confirmed changes after `version` of a resident."""
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
        self.conn.execute(insert(changes), rows.change)
        self.conn.execute(insert(change_residents), rows.history)
        self.conn.execute(insert(change_scope), rows.scope)
        new, changed = [], []
        for d, record in zip(change.residents, rows.records):
            (new if d.before is None else changed).append(resident_values(d.after, record, seq))
            self._known[d.resident_id] = d.after
            for r in (d.before, d.after):  # households the change touched: read them again
                if r is not None:
                    self._members.pop(r.household_id, None)
        if new:
            self.conn.execute(insert(residents), new)
        if changed:
            self.conn.execute(_UPDATE_RESIDENT, [{**v, "rid": v["resident_id"]} for v in changed])
        for h in change.households:
            self.put_household(h)
        return seq

    def put_household(self, h: Household) -> None:
        order = dumps(list(h.member_order))
        done = self.conn.execute(_UPDATE_HOUSEHOLD, {"hid": h.household_id, "member_order": order}).rowcount
        if not done:
            self.conn.execute(insert(households).values(household_id=h.household_id, member_order=order))


# Everyone in the households of some residents (themselves included).
_HOUSEHOLDS_OF_PG = (
    "SELECT record FROM residents WHERE household_id IN "
    "(SELECT household_id FROM residents WHERE resident_id = ANY(%(ids)s))"
)
_RECORD_BY_ID = select(residents.c.record).where(residents.c.resident_id == bindparam("rid"))
_UPDATE_RESIDENT = update(residents).where(residents.c.resident_id == bindparam("rid"))
_UPDATE_HOUSEHOLD = update(households).where(households.c.household_id == bindparam("hid"))


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
