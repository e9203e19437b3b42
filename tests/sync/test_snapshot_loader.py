"""app.sync.snapshot: the same cache whether the snapshot is parsed here or by worker processes,
and nothing taken for complete when the stream is cut or the counts disagree."""
from __future__ import annotations

import multiprocessing

import orjson
import pytest

from app.sync.client import RegistryUnreachable
from app.sync.snapshot import load_snapshot, parse_lines
from domain.codec import resident_to_dict
from tests.sync.harness import demo_households

TABLES = {
    "residents": "SELECT * FROM residents ORDER BY resident_id",
    "households": "SELECT * FROM households ORDER BY household_id",
    "name_keys": "SELECT resident_id, source, kana_key, given_kana_key, kanji_key, given_kanji_key, birth_key FROM name_keys ORDER BY 1, 2, 3, 5",
    "address_keys": "SELECT resident_id, source, address_key, ward_code FROM address_keys ORDER BY 1, 2, 3",
}


@pytest.fixture(scope="module")
def snapshot() -> list[bytes]:
    """Snapshot lines after the header, as registry.feed.snapshot_lines writes them."""
    batches = demo_households(600, seed=5)
    records = sorted((resident_to_dict(r) for b in batches for r in b.members), key=lambda d: d["id"])
    lines = [b'{"r":' + orjson.dumps(r) + b"}" for r in records]
    lines += [orjson.dumps({"h": {"id": b.household.household_id, "order": list(b.household.member_order)}}) for b in batches]
    lines.append(orjson.dumps({"end": {"residents": len(records), "households": len(batches)}}))
    return lines


def _tables(cache) -> dict:
    with cache.engine.connect() as conn:
        return {name: conn.exec_driver_sql(sql).all() for name, sql in TABLES.items()}


def _marker(cache) -> str | None:
    with cache.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'snapshot'").scalar()


def test_workers_load_the_same_rows_as_this_process(snapshot, cache, tmp_path):
    from app.store.cache import Cache

    inline = load_snapshot(cache, iter(snapshot))
    assert inline.workers == 0 and inline.residents == inline.end["residents"] > 550
    expected = _tables(cache)

    other = Cache.create(tmp_path / "other", operator_id="clerk01", password="正しいパスワード-2026", scrypt_n=2**10)
    try:
        stats = load_snapshot(other, iter(snapshot), inline_lines=100, batch_lines=37, in_flight=3, workers=2)
        assert stats.workers == 2 and stats.residents == inline.residents and stats.households == inline.households
        assert stats.worker_peak_rss_kib and stats.worker_peak_rss_kib > 0
        assert _tables(other) == expected
        assert _marker(other) == "done"
    finally:
        other.close()
    assert not multiprocessing.active_children()


def test_record_text_is_kept_as_sent(snapshot):
    rows, end = parse_lines(snapshot[:3])
    assert end is None
    assert [r[-1].encode() for r in rows.residents] == [line[5:-1] for line in snapshot[:3]]


@pytest.mark.parametrize("workers", [0, 2])
def test_a_cut_stream_is_not_taken_for_a_snapshot(snapshot, cache, workers):
    lines = iter(snapshot[: len(snapshot) // 2])
    with pytest.raises(RegistryUnreachable):
        load_snapshot(cache, lines, inline_lines=50, batch_lines=40, workers=workers)
    assert _marker(cache) == "running"
    assert not multiprocessing.active_children()


def test_counts_that_disagree_are_refused(snapshot, cache):
    lying = snapshot[:-1] + [orjson.dumps({"end": {"residents": 1, "households": 1}})]
    with pytest.raises(RegistryUnreachable, match="residents"):
        load_snapshot(cache, iter(lying), inline_lines=50, batch_lines=40, workers=1)
    assert _marker(cache) == "running"
    assert not multiprocessing.active_children()


def test_a_worker_that_dies_stops_the_load(snapshot, cache, monkeypatch):
    import app.sync.snapshot as snap

    started = []
    real = snap._Workers.__init__

    def spy(self, count):
        real(self, count)
        started.append(self)

    monkeypatch.setattr(snap._Workers, "__init__", spy)

    def lines():
        yield from snapshot[:200]
        for p in started[0].processes:
            p.kill()
            p.join()
        yield from snapshot[200:]

    with pytest.raises(RegistryUnreachable, match="died"):
        load_snapshot(cache, lines(), inline_lines=50, batch_lines=40, workers=2)
    assert _marker(cache) == "running"
    assert not multiprocessing.active_children()


