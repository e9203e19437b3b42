"""The register as the terminal cache holds it: records, households, history, search keys.

Implements domain.register.RegisterView over the encrypted cache, and records Changes (from the
notification rules, from sync or from the demo-city builder) together with their search keys in
one transaction.
"""
from __future__ import annotations

from typing import Iterable

import orjson
from sqlalchemy import Connection, delete, insert, literal_column, select, update

from domain.codec import (
    change_from_stored,
    apply_diff,
    dict_diff,
    household_to_dict,
    household_from_dict,
    resident_from_dict,
    resident_to_dict,
)
from domain.history import Change, ResidentDelta
from domain.residents import Household, Resident
from domain.search_index import address_entries, birth_key, name_entries
from app.store.schema import address_keys, change_residents, changes, households, name_keys, residents

FLAG_SUPPRESSED = 1
FLAG_SUPPORT_MEASURE = 2


def dumps(d: dict) -> str:
    """Compact JSON text (UTF-8 kept as is) for the record and history columns."""
    return orjson.dumps(d).decode()


def resident_row(r: Resident, record: dict | None = None) -> dict:
    """The residents-table row of a record; `record` is its resident_to_dict if already made."""
    return {
        "resident_id": r.resident_id,
        "household_id": r.household_id,
        "status": r.status.value,
        "kind": r.kind.value,
        "ward_code": r.address.lg_code,
        "birth_key": birth_key(r),
        "sex": int(r.sex),
        "resident_code": r.resident_code or None,
        "my_number": r.my_number or None,
        "flags": (FLAG_SUPPRESSED if r.suppressed else 0) | (FLAG_SUPPORT_MEASURE if r.support_measure else 0),
        "version": r.version,
        "record": dumps(record if record is not None else resident_to_dict(r)),
    }


def name_rows(r: Resident, source: str = "current") -> list[dict]:
    bk = birth_key(r)
    return [
        {
            "resident_id": r.resident_id,
            "source": e.source,
            "kana_key": e.kana_key,
            "given_kana_key": e.given_kana_key,
            "kanji_key": e.kanji_key,
            "given_kanji_key": e.given_kanji_key,
            "birth_key": bk,
        }
        for e in name_entries(r, source)
    ]


def address_rows(r: Resident, source: str = "current") -> list[dict]:
    return [
        {"resident_id": r.resident_id, "source": e.source, "address_key": e.address_key, "ward_code": e.ward_code}
        for e in address_entries(r, source)
    ]


def change_row(c: Change, state: str) -> dict:
    return {
        "change_id": c.change_id,
        "reason": c.reason.code,
        "occurred_on": c.occurred_on.to_storage(),
        "notified_on": c.notified_on.isoformat(),
        "cancels": c.cancels,
        "note": c.note,
        "households": dumps(
            {
                "before": [household_to_dict(h) for h in c.households_before],
                "after": [household_to_dict(h) for h in c.households],
            }
        ),
        "state": state,
    }


def delta_row(seq: int, d: ResidentDelta, to_dict=resident_to_dict) -> dict:
    """A history row: the whole record when created, else the changed keys before and after."""
    if d.before is None:
        return {"change_seq": seq, "resident_id": d.resident_id, "before": None, "after": dumps(to_dict(d.after))}
    before, after = dict_diff(to_dict(d.before), to_dict(d.after))
    return {"change_seq": seq, "resident_id": d.resident_id, "before": dumps(before), "after": dumps(after)}


class RegisterStore:
    """RegisterView over one connection (reads see the caller's transaction)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    # -- RegisterView ------------------------------------------------------------------------
    def resident(self, resident_id: str) -> Resident | None:
        row = self.conn.execute(select(residents.c.record).where(residents.c.resident_id == resident_id)).first()
        return None if row is None else resident_from_dict(orjson.loads(row[0]))

    def residents_by_id(self, ids: Iterable[str]) -> dict[str, Resident]:
        ids = list(ids)
        if not ids:
            return {}
        # Straight to the driver: this runs for every search result shown.
        rows = self.conn.exec_driver_sql(
            f"SELECT record FROM residents WHERE resident_id IN ({', '.join('?' * len(ids))})", tuple(ids)
        )
        found = (resident_from_dict(orjson.loads(r[0])) for r in rows)
        return {r.resident_id: r for r in found}

    def household_members(self, household_id: str) -> list[Resident]:
        rows = self.conn.execute(
            select(residents.c.record).where(residents.c.household_id == household_id, residents.c.status == "current")
        )
        return [resident_from_dict(orjson.loads(r[0])) for r in rows]

    def household(self, household_id: str) -> Household | None:
        row = self.conn.execute(select(households.c.member_order).where(households.c.household_id == household_id)).first()
        if row is None:
            return None
        return household_from_dict({"id": household_id, "order": orjson.loads(row[0])})

    def change(self, change_id: str) -> Change | None:
        row = self.conn.execute(select(changes).where(changes.c.change_id == change_id)).first()
        return None if row is None else self._load_change(row)

    def changes_of(self, resident_id: str) -> list[Change]:
        seqs = self.conn.execute(
            select(change_residents.c.change_seq)
            .where(change_residents.c.resident_id == resident_id)
            .order_by(change_residents.c.change_seq)
        ).scalars().all()
        if not seqs:
            return []
        rows = self.conn.execute(select(changes).where(changes.c.seq.in_(seqs)).order_by(changes.c.seq))
        return [self._load_change(row) for row in rows]

    def _load_change(self, row) -> Change:
        """Rebuilds the before/after records of a stored change from the history diffs."""
        deltas = []
        for d in self.conn.execute(
            select(change_residents).where(change_residents.c.change_seq == row.seq).order_by(literal_column("rowid"))
        ):
            after_record = self._record_at(d.resident_id, row.seq)
            if d.before is None:
                before = None
            else:
                before = resident_from_dict(apply_diff(after_record, orjson.loads(d.before)))
            deltas.append(ResidentDelta(d.resident_id, before, resident_from_dict(after_record)))
        return change_from_stored(row, tuple(deltas), orjson.loads(row.households))

    def _record_at(self, resident_id: str, seq: int) -> dict:
        """The stored record of a resident as it was right after change `seq`, replayed from creation."""
        record: dict = {}
        for before, after in self.conn.execute(
            select(change_residents.c.before, change_residents.c.after)
            .where(change_residents.c.resident_id == resident_id, change_residents.c.change_seq <= seq)
            .order_by(change_residents.c.change_seq)
        ):
            record = orjson.loads(after) if before is None else apply_diff(record, orjson.loads(after))
        return record

    # -- writing ------------------------------------------------------------------------------
    def record_change(self, change: Change, *, state: str = "confirmed") -> int:
        """Stores a change, its history rows, the new records and their search keys; returns its seq."""
        seq = self.conn.execute(insert(changes).values(**change_row(change, state))).inserted_primary_key[0]
        self.conn.execute(insert(change_residents), [self._history_row(seq, d) for d in change.residents])
        for d in change.residents:
            self._put_resident(d.after, previous=d.before)
        for h in change.households:
            self.put_household(h)
        return seq

    def _history_row(self, seq: int, d: ResidentDelta) -> dict:
        """A delta row; whole records when this cache holds no earlier history of the resident
        (it came with a snapshot), so that replaying its history starts from a full record."""
        if d.before is not None and not self.has_history(d.resident_id):
            after = resident_to_dict(d.after)
            before = dict_diff(resident_to_dict(d.before), after)[0]
            return {"change_seq": seq, "resident_id": d.resident_id, "before": dumps(before), "after": dumps(after)}
        return delta_row(seq, d)

    def has_history(self, resident_id: str) -> bool:
        return self.conn.execute(
            select(change_residents.c.change_seq).where(change_residents.c.resident_id == resident_id).limit(1)
        ).first() is not None

    # -- sync: putting the registry's state in place ----------------------------------------------
    def drop_provisional(self, change_id: str) -> bool:
        """Takes back a change made here that the registry has not confirmed: the records return to
        how they were before it, and the change leaves the history. Returns whether there was one."""
        row = self.conn.execute(select(changes).where(changes.c.change_id == change_id, changes.c.state == "provisional")).first()
        if row is None:
            return False
        change = self._load_change(row)
        for d in change.residents:
            if d.before is None:
                self.remove_resident(d.resident_id)
            else:
                self._put_resident(d.before, previous=d.after)
        for h in change.households_before:
            self.put_household(h)
        self.conn.execute(delete(change_residents).where(change_residents.c.change_seq == row.seq))
        self.conn.execute(delete(changes).where(changes.c.seq == row.seq))
        return True

    def drop_all_provisional(self) -> int:
        """Takes back every change made here and not yet confirmed, newest first (before changes
        from the registry are put in: its versions of them come with those)."""
        ids = self.conn.execute(
            select(changes.c.change_id).where(changes.c.state == "provisional").order_by(changes.c.seq.desc())
        ).scalars().all()
        for change_id in ids:
            self.drop_provisional(change_id)
        return len(ids)

    def put_record(self, r: Resident) -> None:
        """Puts the registry's record of a resident in place (new or replacing), outside any change."""
        exists = self.conn.execute(select(residents.c.version).where(residents.c.resident_id == r.resident_id)).first()
        self._put_resident(r, previous=r if exists else None)

    def remove_resident(self, resident_id: str) -> None:
        for table in (residents, name_keys, address_keys):
            self.conn.execute(delete(table).where(table.c.resident_id == resident_id))

    def _put_resident(self, r: Resident, previous: Resident | None) -> None:
        row = resident_row(r)
        if previous is None:
            self.conn.execute(insert(residents).values(**row))
        else:
            self.conn.execute(update(residents).where(residents.c.resident_id == r.resident_id).values(**row))
        # Names and addresses a person had stay findable (j340: 過去の氏名・住所も検索).
        self._rekey(name_keys, r.resident_id, name_rows(r), ("kana_key", "kanji_key"))
        self._rekey(address_keys, r.resident_id, address_rows(r), ("address_key",))

    def _rekey(self, table, resident_id: str, current: list[dict], identity: tuple[str, ...]) -> None:
        self.conn.execute(
            update(table).where(table.c.resident_id == resident_id, table.c.source != "history").values(source="history")
        )
        existing = {
            tuple(getattr(row, c) for c in identity): row.id
            for row in self.conn.execute(select(table).where(table.c.resident_id == resident_id))
        }
        for row in current:
            key = tuple(row[c] for c in identity)
            if key in existing:
                self.conn.execute(
                    update(table).where(table.c.id == existing[key]).values(**{k: v for k, v in row.items() if k != "resident_id"})
                )
            else:
                self.conn.execute(insert(table).values(**row))

    def put_household(self, h: Household) -> None:
        values = {"household_id": h.household_id, "member_order": dumps(list(h.member_order))}
        exists = self.conn.execute(select(households.c.household_id).where(households.c.household_id == h.household_id)).first()
        if exists:
            self.conn.execute(update(households).where(households.c.household_id == h.household_id).values(**values))
        else:
            self.conn.execute(insert(households).values(**values))

