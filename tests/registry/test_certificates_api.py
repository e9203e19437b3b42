"""The registry's certificate endpoints: the authoritative check, supervisors' one-time lifts, the
issuance history terminals send up, and the issuing delegation. Every refusal is a clear 4xx."""
from __future__ import annotations

import datetime as dt

import orjson
import pytest
from sqlalchemy import select, update

from domain.certificate_rules import CertificateKind
from domain.ids import uuid7
from registry.protocol.signing import b64url_encode
from registry.schema import issuances, lifts, residents, settings
from tests.registry.harness import CLERK, assert_error, move_in, operation
from tests.sync.harness import CLERK_PASSWORD, SUPERVISOR, SUPERVISOR_PASSWORD


def _resident(reg, terminal, resident_id: str, *, protected: str = "") -> None:
    response = reg.signed(terminal, "POST", "/v1/operations", {"operations": [operation(move_in(resident_id, f"H-{resident_id}"))]})
    assert response.json()["results"][0]["state"] == "confirmed", response.text
    if protected:
        with reg.engine.begin() as conn:
            record = orjson.loads(conn.execute(select(residents.c.record).where(residents.c.resident_id == resident_id)).scalar())
            record[{"support_measure": "dv", "suppressed": "sup"}[protected]] = 1  # domain.codec's keys
            conn.execute(update(residents).where(residents.c.resident_id == resident_id).values(record=orjson.dumps(record).decode()))


def _event(seq: int, resident_ids: list[str], *, batch_id: str = "", lift_id: str = "", at: float | None = None, event: str = "issued") -> dict:
    when = dt.datetime.fromtimestamp(at or dt.datetime.now().timestamp(), dt.timezone(dt.timedelta(hours=9)))
    return {
        "seq": seq, "event": event, "issuance_id": uuid7(), "batch_id": batch_id or uuid7(), "at": when.isoformat(timespec="seconds"),
        "issued_on": when.strftime("%Y%m%d"), "sequence": seq, "operator_id": CLERK, "channel": "counter", "kind": "copy",
        "resident_ids": orjson.dumps(resident_ids).decode(), "items": "{}", "pages": 1,
        "issue_numbers": orjson.dumps([f"{when:%Y%m%d} 千葉市 窓口1  {seq:06d} 1/1"]).decode(), "printer": "", "my_number_printed": False,
        "official_use": False, "fee": 300, "lift_id": lift_id, "reprint_of": "", "reason": "",
    }


@pytest.fixture
def world(registry):
    counter = registry.enrol()
    kiosk = registry.enrol(kind="kiosk")
    _resident(registry, counter, "R1")
    _resident(registry, counter, "R2", protected="support_measure")
    return registry, counter, kiosk


def test_the_check_says_who_is_protected_at_a_counter_and_nothing_at_a_kiosk(world):
    reg, counter, kiosk = world
    ok = reg.signed(counter, "POST", "/v1/certificates/check", {"resident_ids": ["R1"]}).json()
    assert ok == {"allowed": True, "code": "", "message": "", "protected": []}
    refused = reg.signed(counter, "POST", "/v1/certificates/check", {"resident_ids": ["R1", "R2"]}).json()
    assert not refused["allowed"] and refused["protected"] == ["R2"] and "支援措置" in refused["message"]
    neutral = reg.signed(kiosk, "POST", "/v1/certificates/check", {"resident_ids": ["R2"]}).json()
    assert not neutral["allowed"] and neutral["protected"] == [] and "窓口" in neutral["message"] and "支援" not in neutral["message"]
    assert_error(reg.signed(counter, "POST", "/v1/certificates/check", {"resident_ids": ["NOPE"]}), 404, "resident_unknown")
    assert_error(reg.signed(counter, "POST", "/v1/certificates/check", {"resident_ids": []}), 422, "request_invalid")


def test_a_lift_needs_a_supervisor_a_reason_and_a_protected_person(world):
    reg, counter, kiosk = world
    body = {"supervisor_id": SUPERVISOR, "password": SUPERVISOR_PASSWORD, "resident_ids": ["R2"], "reason": "本人請求・本人確認済み"}
    assert_error(reg.signed(counter, "POST", "/v1/certificates/lifts", {**body, "supervisor_id": CLERK, "password": CLERK_PASSWORD}), 403, "role_forbidden")
    assert_error(reg.signed(counter, "POST", "/v1/certificates/lifts", {**body, "password": "違うパスワード"}), 401, "login_failed")
    assert reg.operator_row(SUPERVISOR).failures == 1  # the failure is counted (lockout)
    assert_error(reg.signed(counter, "POST", "/v1/certificates/lifts", {**body, "reason": "  "}), 422, "lift_reason_missing")
    assert_error(reg.signed(counter, "POST", "/v1/certificates/lifts", {**body, "resident_ids": ["R1"]}), 422, "lift_not_needed")
    assert_error(reg.signed(kiosk, "POST", "/v1/certificates/lifts", body), 403, "role_forbidden")
    with reg.engine.connect() as conn:
        assert conn.execute(select(lifts)).all() == []
    granted = reg.signed(counter, "POST", "/v1/certificates/lifts", body)
    assert granted.status_code == 200, granted.text
    lift = granted.json()
    assert lift["resident_ids"] == ["R2"] and lift["supervisor_id"] == SUPERVISOR
    check = reg.signed(counter, "POST", "/v1/certificates/check", {"resident_ids": ["R1", "R2"], "lift_id": lift["lift_id"]}).json()
    assert check["allowed"]
    other = reg.enrol()
    assert not reg.signed(other, "POST", "/v1/certificates/check", {"resident_ids": ["R2"], "lift_id": lift["lift_id"]}).json()["allowed"]
    reg.clock.advance(3600)
    assert not reg.signed(counter, "POST", "/v1/certificates/check", {"resident_ids": ["R2"], "lift_id": lift["lift_id"]}).json()["allowed"]


def test_history_is_kept_gap_free_and_an_unlifted_protected_copy_is_marked(world):
    reg, counter, _ = world
    lift = reg.signed(counter, "POST", "/v1/certificates/lifts", {"supervisor_id": SUPERVISOR, "password": SUPERVISOR_PASSWORD, "resident_ids": ["R2"], "reason": "本人請求"}).json()
    batch = uuid7()
    now = reg.clock()
    events = [
        _event(1, ["R1"], at=now),
        _event(2, ["R2"], batch_id=batch, lift_id=lift["lift_id"], at=now),
        _event(3, ["R2"], batch_id=batch, lift_id=lift["lift_id"], at=now),  # the same issuance's second copy
        _event(4, ["R2"], lift_id=lift["lift_id"], at=now),  # another issuance: the lift is used up
        _event(5, ["R2"], at=now),  # no lift at all
    ]
    assert reg.signed(counter, "POST", "/v1/issuances", {"entries": events[:2]}).json() == {"seq": 2}
    assert_error(reg.signed(counter, "POST", "/v1/issuances", {"entries": events[4:]}), 409, "issuance_history_gap")
    assert reg.signed(counter, "POST", "/v1/issuances", {"entries": events}).json() == {"seq": 5}  # held rows skipped
    with reg.engine.connect() as conn:
        audit = conn.execute(select(issuances.c.seq, issuances.c.audit).order_by(issuances.c.seq)).all()
    assert audit == [(1, ""), (2, ""), (3, ""), (4, "protected_without_lift"), (5, "protected_without_lift")]
    bad = _event(6, ["R1"])
    bad["resident_ids"] = "not json"
    assert_error(reg.signed(counter, "POST", "/v1/issuances", {"entries": [bad]}), 422, "request_invalid")
    unknown_kind = {**_event(6, ["R1"]), "kind": "family_register"}
    assert_error(reg.signed(counter, "POST", "/v1/issuances", {"entries": [unknown_kind]}), 422, "request_invalid")
    every_kind = [{**_event(6 + i, ["R1"]), "kind": kind.value} for i, kind in enumerate(CertificateKind)]
    assert reg.signed(counter, "POST", "/v1/issuances", {"entries": every_kind}).json() == {"seq": 5 + len(every_kind)}


def test_a_delegation_for_the_terminals_key_and_the_issuing_key_never_leaves(world):
    reg, counter, _ = world
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from registry.protocol.issuing import parse_delegation

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    answer = reg.signed(counter, "POST", "/v1/issuing/delegation", {"public_key": b64url_encode(public)}).json()
    from registry.protocol.signing import b64url_decode

    delegation, _ = parse_delegation(b64url_decode(answer["delegation"]))
    assert delegation.terminal_id == counter.terminal_id and delegation.public_key == public
    assert delegation.not_after - reg.clock() >= 14 * 86400 - 1
    assert_error(reg.signed(counter, "POST", "/v1/issuing/delegation", {"public_key": "short"}), 422, "public_key_invalid")
    status = reg.signed(counter, "GET", "/v1/status").json()
    assert "issuing_key" not in str(status) and "registry_key" not in str(status)
    with reg.engine.connect() as conn:
        assert conn.execute(select(settings.c.key).where(settings.c.key == "issuing_key")).scalar() == "issuing_key"
