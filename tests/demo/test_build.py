"""The demo-city build: block-parallel and single-process builds give the same cache."""
from __future__ import annotations

import datetime as dt

from app.cli import DEMO_OPERATOR, DEMO_PASSWORD
from app.demo.build import build_demo_city
from app.demo.city import generate_city
from app.store.cache import Cache

TODAY = dt.date(2026, 11, 1)


def _contents(directory):
    with Cache.open_as_operator(directory, DEMO_OPERATOR, DEMO_PASSWORD) as c, c.engine.connect() as conn:
        q = conn.exec_driver_sql
        return {
            "residents": q("SELECT resident_id, record FROM residents ORDER BY resident_id").all(),
            "names": q("SELECT resident_id, source, kana_key, kanji_key, birth_key FROM name_keys ORDER BY 1, 2, 3, 4").all(),
            "changes": q("SELECT seq, change_id, reason FROM changes ORDER BY seq").all(),
            "deltas": q("SELECT change_seq, resident_id, before, after FROM change_residents ORDER BY 1, 2").all(),
            "state": q("SELECT value FROM meta WHERE key = 'bulk_load'").scalar(),
        }


def test_blocks_make_the_same_city_whether_apart_or_together():
    whole = list(generate_city(1300, seed=3, today=TODAY, block_residents=500))
    apart = [h for b in (0, 1, 2) for h in generate_city(1300, seed=3, today=TODAY, blocks=[b], block_residents=500)]
    assert whole == apart
    assert sum(len(h.current_members) for h in whole) == 1300


def test_parallel_build_equals_single_process_build(tmp_path):
    common = dict(residents=1300, seed=3, operator_id=DEMO_OPERATOR, password=DEMO_PASSWORD, dataset=False, cache=True, today=TODAY, block_residents=500)
    one = build_demo_city(tmp_path / "one", workers=1, **common)
    two = build_demo_city(tmp_path / "two", workers=2, **common)
    assert one["records"] == two["records"] and one["changes"] == two["changes"]
    a, b = _contents(tmp_path / "one"), _contents(tmp_path / "two")
    assert a == b and a["state"] == "done"
