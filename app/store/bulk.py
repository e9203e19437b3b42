"""Loading many records at once (the demo city, a first full sync): batched, indexes built last.

Two steps: `build_rows` turns household batches into plain row tuples (pure CPU, so it can run in
worker processes), and `RowLoader` inserts them on one raw connection, a transaction per batch,
with the secondary indexes dropped during the load and rebuilt (and ANALYZEd) at the end. A crash
midway leaves `meta.bulk_load` at 'running': such a cache is rebuilt, never taken for complete.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Iterable, Protocol, Sequence

from sqlalchemy.schema import CreateIndex

from app.store.cache import Cache
from app.store.register_store import address_rows, change_row, delta_row, dumps, name_rows, resident_row
from app.store.schema import metadata
from domain.codec import resident_from_dict, resident_to_dict
from domain.history import Change
from domain.residents import Household, Resident

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


RESIDENT_COLS = ("resident_id", "household_id", "status", "kind", "ward_code", "birth_key", "sex", "resident_code", "my_number", "flags", "version", "record")
NAME_COLS = ("resident_id", "source", "kana_key", "given_kana_key", "kanji_key", "given_kanji_key", "birth_key")
ADDRESS_COLS = ("resident_id", "source", "address_key", "ward_code")
CHANGE_COLS = ("seq", "change_id", "reason", "occurred_on", "notified_on", "cancels", "note", "households", "state")
DELTA_COLS = ("change_seq", "resident_id", "before", "after")
_resident_values, _name_values, _address_values = (itemgetter(*cols) for cols in (RESIDENT_COLS, NAME_COLS, ADDRESS_COLS))


@dataclass
class Rows:
    """Row tuples for one slice of the city. Changes carry no seq yet: `deltas` point at their
    change by its index in `changes`, and the loader numbers them as it inserts."""

    households: list[tuple] = field(default_factory=list)
    residents: list[tuple] = field(default_factory=list)
    name_keys: list[tuple] = field(default_factory=list)
    address_keys: list[tuple] = field(default_factory=list)
    changes: list[tuple] = field(default_factory=list)
    deltas: list[tuple] = field(default_factory=list)


def _key_rows(r: Resident, history: Iterable[Resident], rows: Rows) -> None:
    """Search keys of a record's current state, and of earlier versions that differ from it."""
    seen_names: set = set()
    seen_addresses: set = set()
    for version, source in ((r, "current"), *((h, "history") for h in history)):
        for nr in name_rows(version, source):
            key = (nr["kana_key"], nr["kanji_key"])
            if key not in seen_names:
                seen_names.add(key)
                rows.name_keys.append(_name_values(nr))
        for ar in address_rows(version, source):
            if ar["address_key"] not in seen_addresses:
                seen_addresses.add(ar["address_key"])
                rows.address_keys.append(_address_values(ar))


class _DictMemo:
    """resident_to_dict once per record version of a household (a version is shared between
    the members list and the history's before/after)."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[Resident, dict]] = {}

    def __call__(self, r: Resident) -> dict:
        hit = self._seen.get(id(r))
        if hit is None:
            hit = self._seen[id(r)] = (r, resident_to_dict(r))  # r kept alive so its id stays unique
        return hit[1]


def build_rows(batches: Iterable[HouseholdBatch]) -> Rows:
    rows = Rows()
    for batch in batches:
        to_dict = _DictMemo()

        rows.households.append((batch.household.household_id, dumps(list(batch.household.member_order))))
        earlier: dict[str, list[Resident]] = {}
        for c in batch.changes:
            for d in c.residents:
                if d.before is not None:
                    earlier.setdefault(d.resident_id, []).append(d.before)
        for r in batch.members:
            row = resident_row(r, to_dict(r))
            rows.residents.append(_resident_values(row))
            _key_rows(r, earlier.get(r.resident_id, ()), rows)
        for c in batch.changes:
            index = len(rows.changes)
            cr = change_row(c, "confirmed")
            rows.changes.append(tuple(cr[col] for col in CHANGE_COLS[1:]))
            for d in c.residents:
                dr = delta_row(0, d, to_dict)
                rows.deltas.append((index, *(dr[col] for col in DELTA_COLS[1:])))
    return rows


def snapshot_rows(records: Sequence[dict], households: Iterable[dict], *, texts: Sequence | None = None) -> Rows:
    """Rows for records and households as a registry snapshot sends them (no history here).

    `texts`, when given, are the records' JSON as received (orjson.Fragment each), stored as they
    are instead of dumping the parsed records again."""
    rows = Rows()
    for h in households:
        rows.households.append((h["id"], dumps(list(h.get("order", ())))))
    for i, record in enumerate(records):
        r = resident_from_dict(record)
        rows.residents.append(_resident_values(resident_row(r, record if texts is None else texts[i])))
        _key_rows(r, (), rows)
    return rows


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _secondary_indexes():
    return [ix for table in metadata.sorted_tables for ix in table.indexes]


class RowLoader:
    """Inserts Rows into a cache; use as a context manager, `add` each slice, then it indexes."""

    def __init__(self, cache: Cache, *, marker: str = "bulk_load"):
        """`marker` is the meta key left at 'running' until the load is complete: 'bulk_load'
        makes Cache.open refuse a cut-off load; sync snapshots use their own and redo it."""
        self.cache = cache
        self.marker = marker
        self.stats = LoadStats()

    def __enter__(self) -> "RowLoader":
        self._raw = self.cache.engine.raw_connection()
        self._cur = cur = self._raw.cursor()
        cur.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, 'running')", (self.marker,))
        for ix in _secondary_indexes():
            cur.execute(f"DROP INDEX IF EXISTS {ix.name}")
        cur.execute("PRAGMA synchronous = OFF")
        self._seq = cur.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0] + 1
        self._started = time.perf_counter()
        return self

    def add(self, rows: Rows) -> None:
        cur, first = self._cur, self._seq
        cur.execute("BEGIN")
        cur.executemany(_insert_sql("households", ("household_id", "member_order")), rows.households)
        cur.executemany(_insert_sql("residents", RESIDENT_COLS), rows.residents)
        cur.executemany(_insert_sql("name_keys", NAME_COLS), rows.name_keys)
        cur.executemany(_insert_sql("address_keys", ADDRESS_COLS), rows.address_keys)
        cur.executemany(_insert_sql("changes", CHANGE_COLS), ((first + i, *c) for i, c in enumerate(rows.changes)))
        cur.executemany(_insert_sql("change_residents", DELTA_COLS), ((first + d[0], *d[1:]) for d in rows.deltas))
        cur.execute("COMMIT")
        self._seq += len(rows.changes)
        self.stats.households += len(rows.households)
        self.stats.residents += len(rows.residents)
        self.stats.changes += len(rows.changes)

    def __exit__(self, exc_type, *exc) -> None:
        try:
            if exc_type is None:
                self.stats.load_seconds = time.perf_counter() - self._started
                started = time.perf_counter()
                cur, dialect = self._cur, self.cache.engine.dialect
                for ix in _secondary_indexes():
                    cur.execute(str(CreateIndex(ix).compile(dialect=dialect)))
                cur.execute("ANALYZE")
                cur.execute("PRAGMA synchronous = NORMAL")
                cur.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, 'done')", (self.marker,))
                cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self.stats.index_seconds = time.perf_counter() - started
                log.info("bulk load: %s", self.stats)
        finally:
            self._cur.close()  # a statement left open (the checkpoint's row) would block the next commit
            self._raw.close()


def chunked(batches: Iterable[HouseholdBatch], size: int) -> Iterable[list[HouseholdBatch]]:
    chunk: list[HouseholdBatch] = []
    for b in batches:
        chunk.append(b)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bulk_load(cache: Cache, batches: Iterable[HouseholdBatch], *, chunk_households: int = 5_000) -> LoadStats:
    """Loads household batches in this process (see app.demo.build for the parallel build)."""
    with RowLoader(cache) as loader:
        for chunk in chunked(batches, chunk_households):
            loader.add(build_rows(chunk))
    return loader.stats
