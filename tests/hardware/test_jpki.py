"""JPKI authentication with the 利用者証明用電子証明書 through the real stack: the card signs a fresh
challenge after its PIN; the signature, the chain to the configured trust anchor and the CRL are
checked with `cryptography`. Every bad certificate is refused before a PIN reaches the card."""
from __future__ import annotations

import datetime as dt

import pytest

from hardware import apdu, jpki, testca
from hardware.errors import (
    CertificateExpired,
    CertificateRevoked,
    CertificateUntrusted,
    CrlOutdated,
    NotMyNumberCard,
    PinBlocked,
    SignatureMismatch,
    TrustConfigError,
    WrongPin,
)
from hardware.virtual_card.profile import Pin, build_card
from tests.hardware.fixtures import NOW, PIN


@pytest.fixture
def trust(pki) -> jpki.TrustConfig:
    return jpki.TrustConfig.from_files(pki.ca.cert_path, pki.ca.crl_path)


def at(moment: dt.datetime):
    return lambda: moment


def pin_verifies(card) -> int:
    return sum(1 for c in card.commands(apdu.INS_VERIFY) if c.data_length > 0)


def test_authentication_names_the_certificate(card_reader, trust, pki):
    challenges = []

    def random(n: int) -> bytes:
        challenges.append(bytes([7]) * n)
        return challenges[-1]

    stats = jpki.ReadStats()
    identity = jpki.authenticate(PIN, trust, now=at(NOW), random=random, stats=stats)
    assert identity.serial == 0x1001 and identity.serial_hex == "1001"
    assert "CN=auth-0000000000001001" in identity.subject
    assert identity.issuer == pki.ca.load().cert.subject.rfc4514_string()
    assert identity.not_before < NOW < identity.not_after
    assert identity.as_dict()["serial"] == "1001" and len(identity.fingerprint_sha256) == 64
    assert len(challenges) == 1 and len(challenges[0]) == 32
    sign = [c for c in card_reader.card.log if c.ins == apdu.INS_COMPUTE_SIGNATURE]
    assert len(sign) == 1 and sign[0].cla == 0x80 and sign[0].data_length == 51 and sign[0].sw == apdu.SW_OK
    assert stats.apdus == len(card_reader.card.log)


def test_the_certificate_alone_needs_no_pin(card_reader, pki):
    cert = jpki.read_certificate()
    assert cert.serial_number == 0x1001
    assert pin_verifies(card_reader.card) == 0
    assert jpki.pin_status().tries_left == 3


@pytest.mark.parametrize("which, error, words", [
    ("untrusted_cert", CertificateUntrusted, "信頼できる認証局"),
    ("expired_cert", CertificateExpired, "有効期限が切れています"),
    ("revoked_cert", CertificateRevoked, "失効しています"),
])
def test_a_bad_certificate_is_refused_before_the_pin(card_reader, pki, trust, which, error, words):
    card = card_reader.put(build_card(pki.profile(jpki_certificate=str(getattr(pki, which)))))
    with pytest.raises(error) as e:
        jpki.authenticate(PIN, trust, now=at(NOW))
    assert words in e.value.message
    assert pin_verifies(card) == 0
    assert not card.commands(apdu.INS_COMPUTE_SIGNATURE)


def test_a_signature_that_does_not_match_the_certificate(card_reader, pki, trust):
    card_reader.put(build_card(pki.profile(jpki_key=str(pki.other_key))))
    with pytest.raises(SignatureMismatch) as e:
        jpki.authenticate(PIN, trust, now=at(NOW))
    assert "一致しません" in e.value.message


def test_a_signature_over_another_challenge_does_not_verify(pki):
    key = testca.load_key(pki.card_key)
    cert = testca.load_cert(pki.card_cert)
    from hardware.virtual_card.card import sign_digest_info

    signature = sign_digest_info(key, jpki.digest_info_sha256(b"challenge one"))
    jpki.check_signature(cert, b"challenge one", signature)
    with pytest.raises(SignatureMismatch):
        jpki.check_signature(cert, b"challenge two", signature)


def test_wrong_pins_and_a_blocked_auth_pin(card_reader, trust):
    with pytest.raises(WrongPin) as e:
        jpki.authenticate("9999", trust, now=at(NOW))
    assert e.value.tries_left == 2 and "利用者証明用暗証番号" in e.value.message
    jpki.authenticate(PIN, trust, now=at(NOW))  # the right one resets the counter
    for left in (2, 1):
        with pytest.raises(WrongPin) as e:
            jpki.authenticate("9999", trust, now=at(NOW))
        assert e.value.tries_left == left
    with pytest.raises(PinBlocked):
        jpki.authenticate("9999", trust, now=at(NOW))
    sent = pin_verifies(card_reader.card)
    with pytest.raises(PinBlocked):
        jpki.authenticate(PIN, trust, now=at(NOW))
    assert pin_verifies(card_reader.card) == sent
    # the 券面入力補助AP's PIN is another PIN: still usable
    from hardware import mynumber

    assert mynumber.pin_status().tries_left == 3


def test_an_outdated_crl_stops_authentication(card_reader, trust):
    with pytest.raises(CrlOutdated) as e:
        jpki.authenticate(PIN, trust, now=at(NOW + dt.timedelta(days=31)))
    assert "失効リスト" in e.value.message
    assert pin_verifies(card_reader.card) == 0


def test_a_certificate_not_yet_valid(card_reader, pki, trust, tmp_path):
    key = testca.load_key(pki.card_key)
    future = testca.issue_auth_certificate(pki.ca.load(), key.public_key(), now=NOW, serial=0x1004, not_before=NOW + dt.timedelta(days=10))
    testca.write_cert(tmp_path / "future.pem", future)
    card_reader.put(build_card(pki.profile(jpki_certificate=str(tmp_path / "future.pem"))))
    with pytest.raises(CertificateExpired) as e:
        jpki.authenticate(PIN, trust, now=at(NOW))
    assert "まだ有効期間" in e.value.message


def test_the_trust_configuration_must_be_there_and_right(tmp_path, pki):
    with pytest.raises(TrustConfigError) as e:
        jpki.TrustConfig.from_files(tmp_path / "missing.pem", pki.ca.crl_path)
    assert "missing.pem" in e.value.message and "読み込めません" in e.value.message
    with pytest.raises(TrustConfigError, match="no trust anchor"):
        jpki.TrustConfig.from_files("", pki.ca.crl_path)
    with pytest.raises(TrustConfigError, match="no CRL"):
        jpki.TrustConfig.from_files(pki.ca.cert_path, None)
    (tmp_path / "junk.pem").write_text("not a certificate")
    with pytest.raises(TrustConfigError) as e:
        jpki.TrustConfig.from_files(tmp_path / "junk.pem", pki.ca.crl_path)
    assert "形式ではありません" in e.value.message
    with pytest.raises(TrustConfigError):
        jpki.TrustConfig.from_files(pki.ca.cert_path, pki.ca.cert_path)  # a certificate is no CRL
    # DER files work as well as PEM
    from cryptography.hazmat.primitives.serialization import Encoding

    (tmp_path / "ca.der").write_bytes(pki.ca.load().cert.public_bytes(Encoding.DER))
    crl = testca.make_crl(pki.ca.load(), [], now=NOW)
    (tmp_path / "ca.crl").write_bytes(crl.public_bytes(Encoding.DER))
    assert len(jpki.TrustConfig.from_files(tmp_path / "ca.der", tmp_path / "ca.crl").anchors) == 1


def test_a_crl_from_another_ca_is_a_configuration_error(card_reader, pki, tmp_path):
    stranger = testca.make_ca(now=NOW, name="Some Other CA")
    testca.write_crl(tmp_path / "other.crl.pem", testca.make_crl(stranger, [], now=NOW))
    trust = jpki.TrustConfig.from_files(pki.ca.cert_path, tmp_path / "other.crl.pem")
    with pytest.raises(TrustConfigError) as e:
        jpki.authenticate(PIN, trust, now=at(NOW))
    assert "失効リスト" in e.value.message


def test_a_card_without_jpki(card_reader, pki, trust):
    card_reader.put(build_card(pki.profile(kind="other")))
    with pytest.raises(NotMyNumberCard):
        jpki.authenticate(PIN, trust, now=at(NOW))


def test_the_auth_pin_is_its_own_counter(card_reader, pki, trust):
    card = card_reader.put(build_card(pki.profile(jpki_auth=Pin("4321", 1))))
    assert jpki.pin_status().last_try
    assert jpki.authenticate("4321", trust, now=at(NOW)).serial == 0x1001
    assert card.pin_file(apdu.AID_JPKI, 0x0018).tries == 3
