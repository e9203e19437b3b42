"""Resident lookups through the search service on the encrypted cache, and the raw-SQLite floor.

Targets (1,000,000 residents): kana prefix + birth date, resident code, My Number p95 ≤ 5 ms;
fuzzy normalized name with 異体字 p95 ≤ 50 ms. Each search includes its access-log entry.
"""
from __future__ import annotations

import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from app.cli import DEMO_OPERATOR, DEMO_PASSWORD
from app.store.cache import Cache
from app.store.search import Operator, SearchService
from bench.city import ensure_city
from bench.run import percentiles
from domain.codec import resident_from_dict
from domain.kanji_variants import variants_of
from domain.search_criteria import SearchCriteria, plan_search
from domain.search_index import birth_key_ranges
from domain.wareki import format_wareki

HIRAGANA_OFFSET = ord("ぁ") - ord("ァ")


def _fuzz_kana(kana: str, rng: random.Random) -> str:
    """What a clerk might type for a reading: hiragana, a long vowel mark, voicing dropped."""
    out = "".join(chr(ord(c) + HIRAGANA_OFFSET) if "ァ" <= c <= "ヶ" and rng.random() < 0.5 else c for c in kana)
    return out.replace("ウ", "ー", 1) if rng.random() < 0.5 else out


def _variant_name(name: str, rng: random.Random) -> str:
    chars = []
    for ch in name:
        alternatives = sorted(variants_of(ch) - {ch})
        chars.append(rng.choice(alternatives) if alternatives and rng.random() < 0.7 else ch)
    return "".join(chars)


def _queries(cache: Cache, n: int, seed: int):
    rng = random.Random(seed)
    with cache.engine.connect() as conn:
        total = conn.exec_driver_sql("SELECT max(rowid) FROM residents").scalar()
        rowids = rng.sample(range(1, total + 1), min(n, total))
        records = []
        for i in range(0, len(rowids), 500):
            chunk = rowids[i : i + 500]
            records += [
                resident_from_dict(json.loads(r[0]))
                for r in conn.exec_driver_sql(
                    f"SELECT record FROM residents WHERE rowid IN ({','.join(map(str, chunk))}) AND status = 'current'"
                )
            ]
    queries = {"kana_prefix_birth": [], "resident_code": [], "my_number": [], "fuzzy_name_variants": []}
    for r in records:
        if r.birth_date.to_date() is not None and r.name.family_kana:
            queries["kana_prefix_birth"].append(
                SearchCriteria(name=r.name.family_kana[:3], birth=format_wareki(r.birth_date.to_date(), style="short"), ward="*")
            )
        if r.resident_code:
            queries["resident_code"].append(SearchCriteria(resident_code=r.resident_code))
        if r.my_number:
            queries["my_number"].append(SearchCriteria(my_number=r.my_number))
        if rng.random() < 0.5:
            queries["fuzzy_name_variants"].append(SearchCriteria(name=_variant_name(r.name.family + r.name.given, rng), ward="*"))
        elif r.name.family_kana:
            queries["fuzzy_name_variants"].append(
                SearchCriteria(name=_fuzz_kana(r.name.family_kana + r.name.given_kana, rng), ward="*")
            )
    return queries


def _time_service(service: SearchService, criteria: list[SearchCriteria]) -> tuple[list[float], int]:
    times, found = [], 0
    for c in criteria:
        t0 = time.perf_counter()
        result = service.search(c)
        times.append((time.perf_counter() - t0) * 1000)
        found += bool(result.hits)
    return times, found


FLOOR_SQL = {
    "kana_prefix_birth": (
        "SELECT resident_id FROM name_keys INDEXED BY ix_name_birth WHERE kana_key >= ? AND kana_key < ? "
        "AND (birth_key BETWEEN ? AND ? OR birth_key BETWEEN ? AND ? OR birth_key = ?) LIMIT 2000"
    ),
    "resident_code": "SELECT resident_id, record FROM residents WHERE resident_code = ?",
    "my_number": "SELECT resident_id, record FROM residents WHERE my_number = ?",
    "fuzzy_name_variants": "SELECT resident_id FROM name_keys WHERE {col} >= ? AND {col} < ? LIMIT 2000",
}


def _floor(cache: Cache, queries: dict) -> dict[str, list[float]]:
    """The same index lookups on a plain (unencrypted) SQLite copy of the search tables."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="madoguchi-floor-") as tmp:
        path = Path(tmp) / "floor.db"
        plain = sqlite3.connect(path)
        plain.execute("CREATE TABLE residents (resident_id TEXT PRIMARY KEY, resident_code TEXT, my_number TEXT, record TEXT)")
        plain.execute("CREATE TABLE name_keys (resident_id TEXT, kana_key TEXT, given_kana_key TEXT, kanji_key TEXT, given_kanji_key TEXT, birth_key TEXT)")
        raw = cache.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("SELECT resident_id, resident_code, my_number, record FROM residents")
            while rows := cur.fetchmany(50_000):
                plain.executemany("INSERT INTO residents VALUES (?, ?, ?, ?)", rows)
            cur.execute("SELECT resident_id, kana_key, given_kana_key, kanji_key, given_kanji_key, birth_key FROM name_keys")
            while rows := cur.fetchmany(50_000):
                plain.executemany("INSERT INTO name_keys VALUES (?, ?, ?, ?, ?, ?)", rows)
        finally:
            raw.close()
        for sql in (
            "CREATE INDEX a ON residents(resident_code)", "CREATE INDEX b ON residents(my_number)",
            "CREATE INDEX c ON name_keys(kana_key, birth_key)", "CREATE INDEX d ON name_keys(kanji_key, birth_key)",
            "CREATE INDEX ix_name_birth ON name_keys(birth_key, kana_key, kanji_key, given_kana_key, given_kanji_key)", "ANALYZE",
        ):
            plain.execute(sql)
        plain.commit()
        top = "\U0010ffff"
        for metric, criteria in queries.items():
            times = []
            for c in criteria:
                p = plan_search(c, own_ward="")
                if metric == "kana_prefix_birth":
                    keys = birth_key_ranges(p.birth_first, p.birth_last)
                    args = (p.name_key, p.name_key + top, *keys.exact, *keys.partial, keys.unknown)
                    sql = FLOOR_SQL[metric]
                elif metric in ("resident_code", "my_number"):
                    args, sql = (p.resident_code or p.my_number,), FLOOR_SQL[metric]
                else:
                    col = "kanji_key" if p.name_column.startswith("kanji") or p.name_column.startswith("given_kanji") else "kana_key"
                    args, sql = (p.name_key, p.name_key + top), FLOOR_SQL[metric].format(col=col)
                t0 = time.perf_counter()
                plain.execute(sql, args).fetchall()
                times.append((time.perf_counter() - t0) * 1000)
            results[metric] = times
        plain.close()
    return results


def run(ctx):
    ensure_city(ctx.directory, ctx.residents, ctx.seed)
    cache = Cache.open_as_operator(ctx.directory, DEMO_OPERATOR, DEMO_PASSWORD)
    try:
        service = SearchService(cache, Operator(DEMO_OPERATOR, "bench", "121011"))
        queries = _queries(cache, ctx.samples, ctx.seed)
        targets = {"kana_prefix_birth": 5, "resident_code": 5, "my_number": 5, "fuzzy_name_variants": 50}
        for metric, criteria in queries.items():
            _time_service(service, criteria[:20])  # warm the page cache
            times, found = _time_service(service, criteria)
            yield {"metric": metric, "store": "sqlcipher+service", "residents": ctx.residents, **percentiles(times), "found": found, "target_p95_ms": targets[metric]}
        for metric, times in _floor(cache, queries).items():
            yield {"metric": metric, "store": "plain-sqlite-index-only", "residents": ctx.residents, **percentiles(times)}
    finally:
        cache.close()
