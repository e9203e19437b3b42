"""Loading many households into the registry at once: the synthetic demo city, or an import.

Rows are made in Python and inserted in batches (one transaction each, writer lock held, sequence
numbers taken in one step), through the same tables and the same record JSON as single changes.
"""
from __future__ import annotations

import datetime as dt
import time
from typing import Iterable, Sequence

from sqlalchemy import Engine, insert, select, update

from domain.codec import resident_to_dict
from domain.history import Change
from registry.database import lock_writer
from registry.register import ChangeRows, dumps, resident_values
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
                rows = ChangeRows.of(c, seq, terminal_id="load", now=now)
                ch_rows.append(rows.change)
                cr_rows.extend(rows.history)
                scope_rows.extend(rows.scope)
                last_touched.update((d.resident_id, seq) for d in c.residents)
            res_rows.extend(resident_values(r, resident_to_dict(r), last_touched.get(r.resident_id, 0)) for r in b.members)
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


def load_demo_city(engine: Engine, *, residents_count: int, seed: int = 1, today: dt.date | None = None) -> dict:
    """The synthetic Chiba City (app.demo.city) into an empty registry."""
    from app.demo.city import generate_city

    with engine.connect() as conn:
        if conn.execute(select(residents.c.resident_id).limit(1)).first() is not None:
            raise RuntimeError("the registry already holds residents; load the demo city only into an empty one")
    return load_households(engine, generate_city(residents_count, seed=seed, today=today or dt.date.today()))

