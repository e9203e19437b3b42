"""Loading many households into the registry at once: the synthetic demo city, or an import.

Rows are made in Python and inserted in batches (one transaction each, writer lock held, sequence
numbers taken in one step), through the same tables and the same record JSON as single changes.
"""
from __future__ import annotations

import datetime as dt
import time
from typing import Iterable, Sequence

from sqlalchemy import Engine, insert, select, update

from domain.codec import dict_diff, household_to_dict, resident_to_dict
from domain.history import Change
from domain.residents import Resident
from registry.database import lock_writer
from registry.register import dumps
from registry.schema import change_residents, change_scope, changes, counter, households, residents


def load_households(engine: Engine, batches: Iterable, *, batch_households: int = 2000) -> dict:
    """Inserts household batches (objects with .household, .members, .changes); returns counts."""
    started = time.perf_counter()
    totals = {"households": 0, "residents": 0, "changes": 0}
    chunk: list = []
    for b in batches:
        chunk.append(b)
        if len(chunk) >= batch_households:
            _load_chunk(engine, chunk, totals)
            chunk = []
    if chunk:
        _load_chunk(engine, chunk, totals)
    totals["seconds"] = round(time.perf_counter() - started, 1)
    return totals


def _load_chunk(engine: Engine, chunk: Sequence, totals: dict) -> None:
    n_changes = sum(len(b.changes) for b in chunk)
    with engine.begin() as conn:
        last = lock_writer(conn)
        conn.execute(update(counter).where(counter.c.id == 1).values(seq=last + n_changes))
        seq = last
        now = time.time()
        hh_rows, res_rows, ch_rows, cr_rows, scope_rows = [], [], [], [], []
        for b in chunk:
            hh_rows.append({"household_id": b.household.household_id, "member_order": dumps(list(b.household.member_order))})
            last_touched: dict[str, int] = {}
            for c in sorted(b.changes, key=_change_order):
                seq += 1
                ch_rows.append(_change_row(c, seq, now))
                scope = set()
                for d in c.residents:
                    after = resident_to_dict(d.after)
                    before = None if d.before is None else dumps(dict_diff(resident_to_dict(d.before), after)[0])
                    cr_rows.append({"change_seq": seq, "resident_id": d.resident_id, "before": before, "after": dumps(after)})
                    last_touched[d.resident_id] = seq
                    for r in (d.before, d.after):
                        if r is not None:
                            scope.add((r.address.lg_code or "", r.household_id))
                scope_rows.extend({"change_seq": seq, "ward_code": w, "household_id": h} for w, h in sorted(scope))
            res_rows.extend(_resident_row(r, last_touched.get(r.resident_id, 0)) for r in b.members)
        conn.execute(insert(households), hh_rows)
        conn.execute(insert(residents), res_rows)
        if ch_rows:
            conn.execute(insert(changes), ch_rows)
            conn.execute(insert(change_residents), cr_rows)
            conn.execute(insert(change_scope), scope_rows)
    totals["households"] += len(hh_rows)
    totals["residents"] += len(res_rows)
    totals["changes"] += len(ch_rows)


def _change_order(c: Change):
    return (c.notified_on, c.change_id)


def _resident_row(r: Resident, seq: int) -> dict:
    return {
        "resident_id": r.resident_id,
        "household_id": r.household_id,
        "status": r.status.value,
        "ward_code": r.address.lg_code or "",
        "version": r.version,
        "seq": seq,
        "record": dumps(resident_to_dict(r)),
    }


def _change_row(c: Change, seq: int, now: float) -> dict:
    return {
        "seq": seq,
        "change_id": c.change_id,
        "reason": c.reason.code,
        "occurred_on": c.occurred_on.to_storage(),
        "notified_on": c.notified_on.isoformat(),
        "cancels": c.cancels,
        "note": c.note,
        "households": dumps({"before": [household_to_dict(h) for h in c.households_before], "after": [household_to_dict(h) for h in c.households]}),
        "operation_id": "",
        "operator_id": "",
        "terminal_id": "load",
        "recorded_at": now,
    }


def load_demo_city(engine: Engine, *, residents_count: int, seed: int = 1, today: dt.date | None = None) -> dict:
    """The synthetic Chiba City (app.demo.city) into an empty registry."""
    from app.demo.city import generate_city

    with engine.connect() as conn:
        if conn.execute(select(residents.c.resident_id).limit(1)).first() is not None:
            raise RuntimeError("the registry already holds residents; load the demo city only into an empty one")
    return load_households(engine, generate_city(residents_count, seed=seed, today=today or dt.date.today()))

