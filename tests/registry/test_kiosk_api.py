"""The registry's kiosk endpoints: a one-time challenge, the card's signature over it, the
certificate checked against the registry's own JPKI trust anchor and CRL, the link to a resident —
and every refusal neutral. A kiosk terminal can do nothing but this and issuing."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select

from hardware import testca
from registry import kiosk
from registry.protocol.signing import b64url_decode, b64url_encode
from registry.schema import card_links
from tests.hardware.fixtures import NOW
from tests.registry.harness import ADMIN, ADMIN_PASSWORD, assert_error, move_in, operation
from tests.registry.test_certificates_api import _resident
from tests.sync.harness import CLERK, CLERK_PASSWORD, SUPERVISOR, SUPERVISOR_PASSWORD


@pytest.fixture
def reg(sqlite_url, pki):
    from tests.registry.harness import Registry

    r = Registry(sqlite_url, jpki_trust=kiosk.JpkiTrust(str(pki.ca.cert_path), str(pki.ca.crl_path), now=lambda: NOW))
    yield r
    r.close()


@pytest.fixture
def world(reg, pki):
    counter = reg.enrol()
    booth = reg.enrol(kind="kiosk")
    _resident(reg, counter, "R1")
    with reg.engine.begin() as conn:
        kiosk.link_card(conn, "R1", testca.load_cert(pki.card_cert))
    return reg, counter, booth


def der(path) -> bytes:
    return testca.load_cert(path).public_bytes(Encoding.DER)


def signed_by(key_path, challenge: str) -> str:
    key = testca.load_key(key_path)
    return b64url_encode(key.sign(b64url_decode(challenge), padding.PKCS1v15(), hashes.SHA256()))


def identify(reg, terminal, pki, *, cert=None, key=None, challenge=None):
    challenge = challenge or reg.signed(terminal, "POST", "/v1/kiosk/challenge").json()
    body = {
        "challenge_id": challenge["challenge_id"],
        "certificate": b64url_encode(der(cert or pki.card_cert)),
        "signature": signed_by(key or pki.card_key, challenge["challenge"]),
    }
    return reg.signed(terminal, "POST", "/v1/kiosk/identify", body)


def test_a_linked_card_that_signs_the_challenge_names_its_holder_and_household(world, pki):
    reg, _counter, booth = world
    answer = identify(reg, booth, pki)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["resident_id"] == "R1"
    assert body["members"] == [{"resident_id": "R1", "name": "船橋　健"}]  # names only: nothing else about them


def test_refusals_are_neutral_and_tell_nothing(world, pki):
    reg, _counter, booth = world
    # a card nobody linked (same CA, another certificate)
    with reg.engine.begin() as conn:
        kiosk.unlink_card(conn, testca.load_cert(pki.card_cert))
    message = assert_error(identify(reg, booth, pki), 403, "kiosk_refused")
    assert message == kiosk.NEUTRAL and "窓口" in message
    with reg.engine.begin() as conn:
        kiosk.link_card(conn, "R1", testca.load_cert(pki.card_cert))
    # a signature by another key, a certificate of another CA, a revoked one
    assert assert_error(identify(reg, booth, pki, key=pki.other_key), 403, "kiosk_refused") == kiosk.NEUTRAL
    assert assert_error(identify(reg, booth, pki, cert=pki.untrusted_cert), 403, "kiosk_refused") == kiosk.NEUTRAL
    assert assert_error(identify(reg, booth, pki, cert=pki.revoked_cert), 403, "kiosk_refused") == kiosk.NEUTRAL
    assert assert_error(identify(reg, booth, pki, cert=pki.expired_cert), 403, "kiosk_refused") == kiosk.NEUTRAL
    assert identify(reg, booth, pki).status_code == 200


def test_a_challenge_is_used_once_by_its_own_kiosk_within_its_time(world, pki):
    reg, _counter, booth = world
    other = reg.enrol(kind="kiosk")
    challenge = reg.signed(booth, "POST", "/v1/kiosk/challenge").json()
    assert len(b64url_decode(challenge["challenge"])) == 32
    assert_error(identify(reg, other, pki, challenge=challenge), 403, "kiosk_refused")  # not its challenge
    assert identify(reg, booth, pki, challenge=challenge).status_code == 200
    assert_error(identify(reg, booth, pki, challenge=challenge), 403, "kiosk_refused")  # replayed
    late = reg.signed(booth, "POST", "/v1/kiosk/challenge").json()
    reg.clock.advance(kiosk.CHALLENGE_SECONDS + 1)
    assert_error(identify(reg, booth, pki, challenge=late), 403, "kiosk_refused")
    fresh = reg.signed(booth, "POST", "/v1/kiosk/challenge").json()
    assert identify(reg, booth, pki, challenge=fresh).status_code == 200


def test_only_kiosks_identify_cards(world, pki):
    reg, counter, _booth = world
    assert_error(reg.signed(counter, "POST", "/v1/kiosk/challenge"), 403, "kiosk_only")
    assert_error(reg.signed(counter, "POST", "/v1/kiosk/identify", {"challenge_id": "x", "certificate": "AA", "signature": "AA"}), 403, "kiosk_only")


def test_without_a_trust_anchor_the_registry_identifies_no_one(sqlite_url, pki):
    from tests.registry.harness import Registry

    reg = Registry(sqlite_url)
    try:
        booth = reg.enrol(kind="kiosk")
        _resident(reg, reg.enrol(), "R1")
        with reg.engine.begin() as conn:
            kiosk.link_card(conn, "R1", testca.load_cert(pki.card_cert))
        assert_error(identify(reg, booth, pki), 503, "kiosk_not_configured")
    finally:
        reg.close()


def test_a_kiosk_sends_no_operations_logs_no_one_in_and_administers_nothing(world):
    reg, _counter, booth = world
    before = reg.counts()
    assert_error(reg.signed(booth, "POST", "/v1/operations", {"operations": [operation(move_in("R9", "H9"))]}), 403, "kiosk_forbidden")
    for operator, password in ((CLERK, CLERK_PASSWORD), (SUPERVISOR, SUPERVISOR_PASSWORD), (ADMIN, ADMIN_PASSWORD)):
        assert_error(reg.signed(booth, "POST", "/v1/sessions", {"operator_id": operator, "password": password}), 403, "kiosk_forbidden")
    assert_error(reg.signed(booth, "GET", "/v1/review"), 403, "kiosk_forbidden")
    assert_error(reg.signed(booth, "POST", f"/v1/review/{'0' * 36}", {"approve": True}), 403, "kiosk_forbidden")
    assert_error(reg.signed(booth, "POST", "/v1/admin/terminals", {"name": "x", "kind": "counter", "ward_code": "121011", "scope": "city"}), 403, "kiosk_forbidden")
    assert_error(reg.signed(booth, "POST", "/v1/admin/terminals/t-1/revoke"), 403, "kiosk_forbidden")
    assert_error(reg.signed(booth, "PUT", "/v1/admin/terminals/t-1/worklist", {"household_ids": []}), 403, "kiosk_forbidden")
    assert_error(reg.signed(booth, "POST", "/v1/admin/operators", {"operator_id": "x", "display_name": "x", "role": "clerk", "password": "x"}), 403, "kiosk_forbidden")
    assert_error(reg.signed(booth, "POST", "/v1/certificates/lifts", {"supervisor_id": SUPERVISOR, "password": SUPERVISOR_PASSWORD, "resident_ids": ["R1"], "reason": "x"}), 403, "role_forbidden")
    assert reg.counts() == before
    # what a kiosk does need still works: its status, the changes, the certificate check
    assert reg.signed(booth, "GET", "/v1/status").status_code == 200
    assert reg.signed(booth, "POST", "/v1/certificates/check", {"resident_ids": ["R1"]}).json()["allowed"]


def test_link_card_command_links_and_unlinks(sqlite_url, pki, capsys):
    from app.cli import main
    from tests.registry.harness import Registry

    reg = Registry(sqlite_url)
    _resident(reg, reg.enrol(), "R1")
    reg.close()
    db = sqlite_url.removeprefix("sqlite:///")
    assert main(["registry", "link-card", "--db", db, "--resident", "R1", "--certificate", str(pki.card_cert)]) == 0
    assert '"resident_id": "R1"' in capsys.readouterr().out
    from registry.database import open_database

    engine = open_database(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(select(card_links.c.resident_id, card_links.c.serial)).all() == [("R1", "1001")]
    engine.dispose()
    assert main(["registry", "link-card", "--db", db, "--resident", "NOPE", "--certificate", str(pki.card_cert)]) == 1
    assert "見つかりません" in capsys.readouterr().err
    assert main(["registry", "link-card", "--db", db, "--certificate", str(pki.card_cert), "--unlink"]) == 0
    assert main(["registry", "link-card", "--db", db, "--resident", "R1", "--certificate", str(pki.ca.crl_path)]) == 1
    assert "証明書の形式ではありません" in capsys.readouterr().err
