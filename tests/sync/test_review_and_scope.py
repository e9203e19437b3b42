"""審査・決裁, merging, revocation, offline login, scopes and the offline limit — over real HTTP."""
from __future__ import annotations


import pytest

from app.store.keys import WrongPassword
from app.sync import limits, outbox
from app.sync import terminal as terminal_mod
from app.sync.client import RegistryClient, RegistryRefused, TerminalRevoked
from domain.notifications import ExOfficioCorrection
from registry.operations import Policy
from tests.sync.harness import (
    CLERK,
    CLERK_PASSWORD,
    FAST_SCRYPT,
    SUPERVISOR,
    SUPERVISOR_PASSWORD,
    ThreadServer,
    cache_state,
    demo_households,
    enrolled_terminal,
    prepare,
    registry_state,
)
from tests.sync.test_sync_flow import TODAY, _move, _movable


def _correct_domicile(resident_id: str, value: str = "千葉県千葉市中央区千葉港1番") -> ExOfficioCorrection:
    return ExOfficioCorrection(resident_id=resident_id, changes={"domicile": value}, explanation="戸籍の附票の通知による", notified_on=TODAY)


def _supervisor(t) -> RegistryClient:
    client = terminal_mod.client_for(t.directory)
    client.session_token = client.call("POST", "/v1/sessions", body={"operator_id": SUPERVISOR, "password": SUPERVISOR_PASSWORD})["token"]
    return client


@pytest.fixture
def city(db_url):
    prepare(db_url, households_=demo_households(200))
    return db_url


def test_policy_review_then_approval_releases_the_operation_waiting_behind_it(city, tmp_path):
    server = ThreadServer(city)
    t = enrolled_terminal(tmp_path / "t", server.url, city)
    t.engine.sync()
    members, to = _movable(t.cache)
    with t.cache.engine.begin() as conn:
        fix = outbox.take(conn, _correct_domicile(members[0].resident_id), operator_id=CLERK, today=TODAY).operation_id
    assert t.engine.sync().verdicts == {"review": 1}
    assert cache_state(t.cache) == registry_state(city)  # 仮登録: not in force until decided
    with t.cache.engine.begin() as conn:
        move = outbox.take(conn, _move(members, to), operator_id=CLERK, today=TODAY).operation_id
    assert t.engine.sync().verdicts == {"review": 1}
    with t.cache.engine.connect() as conn:
        by_id = {e.operation_id: e for e in outbox.entries(conn)}
    assert by_id[fix].code == "needs_approval" and by_id[move].code == "waiting_for_review"
    assert "決裁" in by_id[fix].message and "審査中" in by_id[move].message

    sup = _supervisor(t)
    queue = sup.call("GET", "/v1/review")["operations"]
    assert [q["operation_id"] for q in queue] == [fix, move]
    decided = sup.call("POST", f"/v1/review/{fix}", body={"approve": True, "comment": "確認済み"})
    assert decided["state"] == "confirmed"
    assert sup.call("GET", "/v1/review")["operations"] == []  # the move ran as soon as it was free

    report = t.engine.sync()
    assert report.changes == 2
    with t.cache.engine.connect() as conn:
        states = {e.operation_id: e.state for e in outbox.entries(conn)}
    assert states == {fix: "confirmed", move: "confirmed"}
    recs, _ = registry_state(city)
    assert recs[members[0].resident_id]["addr"]["town"] == to.town
    assert cache_state(t.cache) == registry_state(city)
    sup.close(), t.close(), server.close()


def test_supervisor_rejection_is_shown_with_the_comment_and_clerks_cannot_decide(city, tmp_path):
    server = ThreadServer(city)
    t = enrolled_terminal(tmp_path / "t", server.url, city)
    t.engine.sync()
    members, _ = _movable(t.cache)
    with t.cache.engine.begin() as conn:
        fix = outbox.take(conn, _correct_domicile(members[0].resident_id), operator_id=CLERK, today=TODAY).operation_id
    t.engine.sync()
    clerk = terminal_mod.client_for(t.directory)
    clerk.session_token = clerk.call("POST", "/v1/sessions", body={"operator_id": CLERK, "password": CLERK_PASSWORD})["token"]
    with pytest.raises(Exception) as refused:
        clerk.call("POST", f"/v1/review/{fix}", body={"approve": True})
    assert getattr(refused.value, "code", "") == "role_forbidden"
    sup = _supervisor(t)
    sup.call("POST", f"/v1/review/{fix}", body={"approve": False, "comment": "本籍の番地を確認してください"})
    t.engine.sync()
    with t.cache.engine.connect() as conn:
        entry = outbox.entries(conn)[0]
    assert entry.state == "rejected" and "差し戻" in entry.message
    assert cache_state(t.cache) == registry_state(city)
    clerk.close(), sup.close(), t.close(), server.close()


def test_stale_base_with_other_fields_is_merged(city, tmp_path):
    server = ThreadServer(city, policy=Policy(review_kinds=frozenset()))
    a = enrolled_terminal(tmp_path / "a", server.url, city)
    b = enrolled_terminal(tmp_path / "b", server.url, city)
    a.engine.sync(), b.engine.sync()
    members, to = _movable(a.cache)
    with a.cache.engine.begin() as conn:
        outbox.take(conn, _correct_domicile(members[0].resident_id), operator_id=CLERK, today=TODAY)
    with b.cache.engine.begin() as conn:
        outbox.take(conn, _move(members, to), operator_id=CLERK, today=TODAY)
    assert a.engine.sync().verdicts == {"confirmed": 1}
    assert b.engine.sync().verdicts == {"confirmed": 1}
    with b.cache.engine.connect() as conn:
        assert outbox.entries(conn)[0].code == "merged"
    rec = registry_state(city)[0][members[0].resident_id]
    assert rec["addr"]["town"] == to.town and rec["dom"][0] == "千葉県千葉市中央区千葉港1番"
    a.engine.sync()
    assert cache_state(a.cache) == cache_state(b.cache) == registry_state(city)
    a.close(), b.close(), server.close()


def test_revoked_terminal_is_told_on_next_contact_and_wipes_its_cache(sqlite_url, tmp_path):
    prepare(sqlite_url, households_=demo_households(50))
    server = ThreadServer(sqlite_url)
    t = enrolled_terminal(tmp_path / "t", server.url, sqlite_url)
    t.engine.sync()
    from registry import terminals

    with server.engine.begin() as conn:
        terminals.revoke(conn, t.client.terminal_id)
    with pytest.raises(TerminalRevoked) as revoked:
        t.engine.sync()
    assert "取り消" in revoked.value.message
    assert not (t.directory / "cache").exists() and not (t.directory / "terminal.key").exists()
    assert (t.directory / "revoked").exists()
    t.client.close()
    server.close()


def test_operator_logs_in_offline_with_the_cache_slot_and_a_wrong_password_is_refused(sqlite_url, tmp_path):
    prepare(sqlite_url, households_=demo_households(50))
    server = ThreadServer(sqlite_url)
    t = enrolled_terminal(tmp_path / "t", server.url, sqlite_url)
    t.engine.sync()
    t.close()
    server.close()  # the network is gone
    offline = terminal_mod.client_for(tmp_path / "t", timeout=2)
    login = terminal_mod.login(tmp_path / "t", CLERK, CLERK_PASSWORD, client=offline, scrypt_n=FAST_SCRYPT)
    assert login.online is False
    assert len(cache_state(login.cache)[0]) == len(registry_state(sqlite_url)[0])
    login.cache.close()
    with pytest.raises(WrongPassword) as wrong:
        terminal_mod.login(tmp_path / "t", CLERK, "違うパスワードです", client=offline)
    assert wrong.value.message
    offline.close()


def test_ward_terminal_gets_only_its_ward_and_a_field_laptop_only_its_work_list(sqlite_url, tmp_path):
    prepare(sqlite_url, households_=demo_households(600))
    server = ThreadServer(sqlite_url)
    ward = enrolled_terminal(tmp_path / "w", server.url, sqlite_url, scope="ward", ward="121011")
    ward.engine.sync()
    recs, _ = registry_state(sqlite_url, ward="121011")
    assert set(cache_state(ward.cache)[0]) == set(recs) and 0 < len(recs) < len(registry_state(sqlite_url)[0])

    field = enrolled_terminal(tmp_path / "f", server.url, sqlite_url, scope="worklist", kind="field")
    assert field.engine.sync().snapshot_residents == 0
    all_recs = registry_state(sqlite_url)[0]
    listed = sorted({r["hh"] for r in all_recs.values()})[:3]
    from registry import terminals

    with server.engine.begin() as conn:
        terminals.set_worklist(conn, field.client.terminal_id, listed)
    report = field.engine.sync()  # a new work list: a new snapshot
    assert report.snapshot_residents == sum(1 for r in all_recs.values() if r["hh"] in listed)
    assert {r["hh"] for r in cache_state(field.cache)[0].values()} == set(listed)
    ward.close(), field.close(), server.close()


def test_offline_limit_warns_before_and_refuses_certificates_after(cache):
    day = limits.DAY
    with cache.engine.begin() as conn:
        assert limits.offline_state(conn).can_issue_certificates is False  # never synced
        conn.exec_driver_sql("INSERT OR REPLACE INTO meta(key, value) VALUES ('last_sync_at', '1000000'), ('offline_limit_days', '7')")
    with cache.engine.connect() as conn:
        fresh = limits.offline_state(conn, now=1_000_000 + day)
        assert fresh.can_issue_certificates and fresh.message == ""
        soon = limits.offline_state(conn, now=1_000_000 + 5 * day)
        assert soon.can_issue_certificates and "あと2日" in soon.message
        with pytest.raises(limits.SyncTooOld) as old:
            limits.require_fresh(conn, now=1_000_000 + 8 * day)
    assert "証明書は発行できません" in old.value.message and "8日" in old.value.message


def test_a_cursor_from_before_a_compaction_gets_a_snapshot(sqlite_url, tmp_path):
    prepare(sqlite_url, households_=demo_households(50))
    server = ThreadServer(sqlite_url)
    a = enrolled_terminal(tmp_path / "a", server.url, sqlite_url)
    b = enrolled_terminal(tmp_path / "b", server.url, sqlite_url)
    assert a.engine.sync().snapshot_residents is not None
    b.engine.sync()
    members, to = _movable(b.cache)
    with b.cache.engine.begin() as conn:
        outbox.take(conn, _move(members, to), operator_id=CLERK, today=TODAY)
    b.engine.sync()
    from registry.database import last_seq
    from registry.schema import settings

    with server.engine.begin() as conn:  # the log before the newest change was compacted away
        conn.execute(settings.insert().values(key="min_cursor", value=str(last_seq(conn))))
    assert a.engine.sync().snapshot_residents is not None
    assert cache_state(a.cache) == registry_state(sqlite_url)
    with server.engine.begin() as conn:  # a registry that keeps asking: an error, not a loop
        conn.execute(settings.update().where(settings.c.key == "min_cursor").values(value=str(last_seq(conn) + 5)))
    with pytest.raises(RegistryRefused):
        a.engine.sync()
    a.close(), b.close(), server.close()
