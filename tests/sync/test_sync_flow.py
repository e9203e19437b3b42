"""Operations up, changes down, against a real registry over HTTP on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest

from app.store.register_store import RegisterStore
from app.sync import outbox
from domain.notifications import MoveWithin
from domain.residents import Address
from tests.sync.harness import ThreadServer, cache_state, demo_households, enrolled_terminal, prepare, registry_state

TODAY = dt.date.today()


def _movable(cache):
    """A whole current household of the cache, and an address in the city none of them lives at."""
    with cache.engine.connect() as conn:
        store = RegisterStore(conn)
        hid = conn.exec_driver_sql(
            "SELECT household_id FROM residents WHERE status = 'current' GROUP BY household_id ORDER BY household_id LIMIT 1"
        ).scalar()
        members = store.household_members(hid)
    here = members[0].address
    town = "本千葉町" if here.town != "本千葉町" else "千葉港"
    return members, Address("千葉県", "千葉市中央区", town, "3番7号", "", "121011")


def _move(members, to):
    return MoveWithin(resident_ids=tuple(m.resident_id for m in members), address=to, moved_on=TODAY - dt.timedelta(days=1), notified_on=TODAY)


@pytest.fixture
def registry(db_url):
    prepare(db_url, households_=demo_households(300))
    server = ThreadServer(db_url)
    yield server, db_url
    server.close()


def test_first_sync_takes_the_snapshot_and_the_cache_equals_the_registry(registry, tmp_path):
    server, db_url = registry
    t = enrolled_terminal(tmp_path / "t1", server.url, db_url)
    report = t.engine.sync()
    assert report.snapshot_residents == len(registry_state(db_url)[0]) > 250
    assert cache_state(t.cache) == registry_state(db_url)
    again = t.engine.sync()
    assert again.snapshot_residents is None and again.changes == 0
    t.close()


def test_a_notification_taken_offline_is_confirmed_once_and_comes_back_as_the_registry_change(registry, tmp_path):
    server, db_url = registry
    t = enrolled_terminal(tmp_path / "t1", server.url, db_url)
    t.engine.sync()
    members, to = _movable(t.cache)
    with t.cache.engine.begin() as conn:
        taken = outbox.take(conn, _move(members, to), operator_id="clerk01", today=TODAY)
    with t.cache.engine.connect() as conn:
        assert [e.state for e in outbox.entries(conn)] == ["pending"]
        assert RegisterStore(conn).change(taken.operation_id) is not None  # visible at once, provisional
    report = t.engine.sync()
    assert report.verdicts == {"confirmed": 1} and report.changes == 1
    with t.cache.engine.connect() as conn:
        assert [e.state for e in outbox.entries(conn)] == ["confirmed"]
        state = conn.exec_driver_sql("SELECT state FROM changes WHERE change_id = ?", (taken.operation_id,)).scalar()
    assert state == "confirmed"
    recs, _ = registry_state(db_url)
    assert recs[members[0].resident_id]["addr"]["town"] == to.town
    assert cache_state(t.cache) == registry_state(db_url)
    # Sending the same operation again changes nothing: the stored answer comes back.
    with t.cache.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE outbox SET state = 'pending'")
    assert t.engine.sync().verdicts == {"confirmed": 1}
    assert cache_state(t.cache) == registry_state(db_url)
    t.close()


def test_two_terminals_same_resident_same_fields_one_goes_to_review_and_nothing_is_overwritten(registry, tmp_path):
    server, db_url = registry
    a = enrolled_terminal(tmp_path / "a", server.url, db_url)
    b = enrolled_terminal(tmp_path / "b", server.url, db_url)
    a.engine.sync(), b.engine.sync()
    members, to = _movable(a.cache)
    other = Address("千葉県", "千葉市中央区", "千葉港", "9番9号", "", "121011") if to.town != "千葉港" else Address("千葉県", "千葉市中央区", "本千葉町", "9番9号", "", "121011")
    with a.cache.engine.begin() as conn:
        outbox.take(conn, _move(members, to), operator_id="clerk01", today=TODAY)
    with b.cache.engine.begin() as conn:
        op_b = outbox.take(conn, _move(members, other), operator_id="clerk01", today=TODAY).operation_id
    assert a.engine.sync().verdicts == {"confirmed": 1}
    assert b.engine.sync().verdicts == {"review": 1}
    with b.cache.engine.connect() as conn:
        entry = outbox.entries(conn)[0]
    assert entry.operation_id == op_b and entry.state == "review" and "審査" in entry.message
    recs, _ = registry_state(db_url)
    assert recs[members[0].resident_id]["addr"]["town"] == to.town  # A's move stands
    assert cache_state(b.cache) == registry_state(db_url)  # B's provisional move was taken back
    a.close(), b.close()


def test_one_operation_in_trouble_never_blocks_the_others(registry, tmp_path):
    server, db_url = registry
    a = enrolled_terminal(tmp_path / "a", server.url, db_url)
    b = enrolled_terminal(tmp_path / "b", server.url, db_url)
    a.engine.sync(), b.engine.sync()
    with b.cache.engine.connect() as conn:
        hids = [h for (h,) in conn.exec_driver_sql(
            "SELECT household_id FROM residents WHERE status = 'current' GROUP BY household_id ORDER BY household_id LIMIT 3")]
        store = RegisterStore(conn)
        households = [store.household_members(h) for h in hids]
    far = Address("千葉県", "千葉市中央区", "千葉港", "1番1号", "", "121011")
    near = Address("千葉県", "千葉市中央区", "本千葉町", "2番2号", "", "121011")
    with a.cache.engine.begin() as conn:
        outbox.take(conn, _move(households[0], far if households[0][0].address.town != "千葉港" else near), operator_id="clerk01", today=TODAY)
    a.engine.sync()
    with b.cache.engine.begin() as conn:
        ids = [
            outbox.take(conn, _move(members, Address("千葉県", "千葉市中央区", "院内一丁目", f"{i + 5}番1号", "", "121011")), operator_id="clerk01", today=TODAY).operation_id
            for i, members in enumerate(households)
        ]
    report = b.engine.sync()
    assert report.verdicts == {"review": 1, "confirmed": 2}
    with b.cache.engine.connect() as conn:
        states = {e.operation_id: e.state for e in outbox.entries(conn)}
    assert [states[i] for i in ids] == ["review", "confirmed", "confirmed"]
    assert cache_state(b.cache) == registry_state(db_url)
    a.close(), b.close()


def test_operations_on_the_same_household_in_one_push_each_see_the_one_before(registry, tmp_path):
    server, db_url = registry
    t = enrolled_terminal(tmp_path / "t", server.url, db_url)
    t.engine.sync()
    members, to = _movable(t.cache)
    then = Address("千葉県", "千葉市中央区", "院内二丁目", "8番8号", "", "121011")
    with t.cache.engine.begin() as conn:
        outbox.take(conn, _move(members, to), operator_id="clerk01", today=TODAY)
        moved = RegisterStore(conn).household_members(members[0].household_id)
        outbox.take(conn, _move(moved, then), operator_id="clerk01", today=TODAY)
        again = RegisterStore(conn).household_members(members[0].household_id)
        outbox.take(conn, _move(again, to), operator_id="clerk01", today=TODAY)  # and back
    assert t.engine.sync().verdicts == {"confirmed": 3}
    recs, _ = registry_state(db_url)
    assert {recs[m.resident_id]["addr"]["town"] for m in members} == {to.town}
    assert all(recs[m.resident_id]["v"] == m.version + 3 for m in members)
    assert cache_state(t.cache) == registry_state(db_url)
    t.close()
