"""Loading many records at once (the demo city, a first full sync): batched, indexes built last.

Runs on one raw connection in one transaction per batch, with the secondary indexes dropped during
the load and rebuilt (and ANALYZEd) at the end. A crash midway leaves a cache to rebuild, never a
half-indexed one that looks complete: `meta.bulk_load` stays 'running' until the end.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence

from sqlalchemy.schema import CreateIndex

from app.store.cache import Cache
from app.store.register_store import address_rows, change_row, delta_row, name_rows, resident_row
from app.store.schema import metadata
from domain.codec import resident_to_dict
from domain.history import Change
from domain.residents import Household, Resident

import json

log = logging.getLogger(__name__)


class HouseholdBatch(Protocol):
    household: Household
    members: Sequence[Resident]
    changes: Sequence[Change]


@dataclass
class LoadStats:
    households: int = 0
    residents: int = 0
    changes: int = 0
    load_seconds: float = 0.0
    index_seconds: float = 0.0


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


RESIDENT_COLS = ("resident_id", "household_id", "status", "kind", "ward_code", "birth_key", "sex", "resident_code", "my_number", "flags", "version", "record")
NAME_COLS = ("resident_id", "source", "kana_key", "given_kana_key", "kanji_key", "given_kanji_key", "birth_key")
ADDRESS_COLS = ("resident_id", "source", "address_key", "ward_code")
CHANGE_COLS = ("seq", "change_id", "reason", "occurred_on", "notified_on", "cancels", "note", "households", "state")
DELTA_COLS = ("change_seq", "resident_id", "before", "after")


def _secondary_indexes():
    return [ix for table in metadata.sorted_tables for ix in table.indexes]


def bulk_load(cache: Cache, batches: Iterable[HouseholdBatch], *, batch_size: int = 20_000) -> LoadStats:
    stats = LoadStats()
    raw = cache.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('bulk_load', 'running')")
        for ix in _secondary_indexes():
            cur.execute(f"DROP INDEX IF EXISTS {ix.name}")
        cur.execute("PRAGMA synchronous = OFF")
        seq = (cur.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]) + 1
        started = time.perf_counter()
        rows: dict[str, list] = {k: [] for k in ("households", "residents", "name_keys", "address_keys", "changes", "change_residents")}
        pending = 0

        def flush() -> None:
            cur.execute("BEGIN")
            cur.executemany(_insert_sql("households", ("household_id", "member_order")), rows["households"])
            cur.executemany(_insert_sql("residents", RESIDENT_COLS), rows["residents"])
            cur.executemany(_insert_sql("name_keys", NAME_COLS), rows["name_keys"])
            cur.executemany(_insert_sql("address_keys", ADDRESS_COLS), rows["address_keys"])
            cur.executemany(_insert_sql("changes", CHANGE_COLS), rows["changes"])
            cur.executemany(_insert_sql("change_residents", DELTA_COLS), rows["change_residents"])
            cur.execute("COMMIT")
            for v in rows.values():
                v.clear()

        for batch in batches:
            memo: dict[int, tuple[Resident, dict]] = {}

            def to_dict(r: Resident) -> dict:
                hit = memo.get(id(r))
                if hit is None:
                    hit = memo[id(r)] = (r, resident_to_dict(r))  # r kept alive so its id stays unique
                return hit[1]

            rows["households"].append((batch.household.household_id, json.dumps(list(batch.household.member_order))))
            stats.households += 1
            for r in batch.members:
                row = resident_row(r, to_dict(r))
                rows["residents"].append(tuple(row[c] for c in RESIDENT_COLS))
                seen_names = set()
                for nr in name_rows(r):
                    seen_names.add((nr["kana_key"], nr["kanji_key"]))
                    rows["name_keys"].append(tuple(nr[c] for c in NAME_COLS))
                seen_addresses = set()
                for ar in address_rows(r):
                    seen_addresses.add(ar["address_key"])
                    rows["address_keys"].append(tuple(ar[c] for c in ADDRESS_COLS))
                stats.residents += 1
                pending += 1
                for c in batch.changes:
                    for d in c.residents:
                        if d.resident_id != r.resident_id or d.before is None:
                            continue
                        for nr in name_rows(d.before, "history"):
                            if (nr["kana_key"], nr["kanji_key"]) not in seen_names:
                                seen_names.add((nr["kana_key"], nr["kanji_key"]))
                                rows["name_keys"].append(tuple(nr[c] for c in NAME_COLS))
                        for ar in address_rows(d.before, "history"):
                            if ar["address_key"] not in seen_addresses:
                                seen_addresses.add(ar["address_key"])
                                rows["address_keys"].append(tuple(ar[c] for c in ADDRESS_COLS))
            for c in batch.changes:
                cr = change_row(c, "confirmed")
                rows["changes"].append((seq, *(cr[col] for col in CHANGE_COLS[1:])))
                for d in c.residents:
                    dr = delta_row(seq, d, to_dict)
                    rows["change_residents"].append(tuple(dr[col] for col in DELTA_COLS))
                seq += 1
                stats.changes += 1
            if pending >= batch_size:
                flush()
                pending = 0
        flush()
        stats.load_seconds = time.perf_counter() - started
        started = time.perf_counter()
        dialect = cache.engine.dialect
        for ix in _secondary_indexes():
            cur.execute(str(CreateIndex(ix).compile(dialect=dialect)))
        cur.execute("ANALYZE")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('bulk_load', 'done')")
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stats.index_seconds = time.perf_counter() - started
        raw.commit()
    finally:
        raw.close()
    log.info("bulk load: %s", stats)
    return stats
