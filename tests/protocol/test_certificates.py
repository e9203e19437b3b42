"""Terminal certificates signed by the registry key."""
from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.protocol.certificates import (
    CERTIFICATE_CONTEXT,
    KINDS,
    SCOPES,
    RegistryKey,
    TerminalCertificate,
    issue_certificate,
    verify_certificate,
)
from registry.protocol.errors import CertificateRejected, KeyFileRejected
from registry.protocol.signing import TerminalKey, b64url_decode, b64url_encode

_PRINTABLE = st.characters(exclude_categories=("C", "Z")) | st.just(" ")
ISSUED = 1_795_000_000
EXPIRES = ISSUED + 365 * 86400


@pytest.fixture(scope="module")
def registry_key() -> RegistryKey:
    return RegistryKey.generate()


@pytest.fixture(scope="module")
def cert() -> TerminalCertificate:
    return TerminalCertificate(
        terminal_id="chuo-counter-01",
        public_key=TerminalKey.generate().public_key_bytes(),
        ward_code="121011",
        scope="ward",
        kind="counter",
        issued_at=ISSUED,
        expires_at=EXPIRES,
        serial="2026-000017",
    )


@pytest.fixture(scope="module")
def text(registry_key, cert) -> str:
    return issue_certificate(registry_key, cert)


def rejected(code: str, registry_public_key: bytes, text: object, now: float) -> CertificateRejected:
    with pytest.raises(CertificateRejected) as info:
        verify_certificate(registry_public_key, text, now)  # type: ignore[arg-type]
    assert info.value.code == code, info.value.log_message
    assert info.value.status == 401
    assert info.value.message and info.value.log_message
    return info.value


def payload_of(text: str) -> dict:
    return json.loads(b64url_decode(text.split(".")[0]))


def test_round_trip(registry_key, cert, text):
    assert verify_certificate(registry_key.public_key_bytes(), text, now=ISSUED + 10) == cert


def test_compact_form(text, cert):
    head, signature = text.split(".")
    assert "=" not in text
    assert len(b64url_decode(signature)) == 64
    raw = b64url_decode(head)
    assert raw == json.dumps(payload_of(text), sort_keys=True, separators=(",", ":")).encode()
    claims = payload_of(text)
    assert claims["public_key"] == b64url_encode(cert.public_key)
    assert claims["terminal_id"] == cert.terminal_id and claims["expires_at"] == EXPIRES


@given(
    terminal_id=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,30}", fullmatch=True),
    public_key=st.binary(min_size=32, max_size=32),
    ward_code=st.text(_PRINTABLE, min_size=1, max_size=20),
    scope=st.sampled_from(SCOPES),
    kind=st.sampled_from(KINDS),
    issued_at=st.integers(min_value=0, max_value=3_000_000_000),
    lifetime=st.integers(min_value=1, max_value=10 * 365 * 86400),
    serial=st.text(_PRINTABLE, min_size=1, max_size=30),
)
def test_round_trip_any_certificate(registry_key, terminal_id, public_key, ward_code, scope, kind, issued_at, lifetime, serial):
    cert = TerminalCertificate(terminal_id, public_key, ward_code, scope, kind, issued_at, issued_at + lifetime, serial)
    text = issue_certificate(registry_key, cert)
    assert text.isascii()
    assert verify_certificate(registry_key.public_key_bytes(), text, now=issued_at) == cert


def test_valid_until_just_before_expiry(registry_key, text):
    verify_certificate(registry_key.public_key_bytes(), text, now=EXPIRES - 0.001)


@pytest.mark.parametrize("now", [EXPIRES, EXPIRES + 1, EXPIRES + 10 * 365 * 86400])
def test_expired(registry_key, text, now):
    error = rejected("certificate_expired", registry_key.public_key_bytes(), text, now)
    assert "有効期限" in error.message and "2027年" in error.message


def test_not_yet_valid_beyond_leeway(registry_key, text):
    verify_certificate(registry_key.public_key_bytes(), text, now=ISSUED - 300)
    rejected("certificate_not_yet_valid", registry_key.public_key_bytes(), text, ISSUED - 301)


def test_other_registry_key(text):
    other = RegistryKey.generate()
    rejected("certificate_invalid", other.public_key_bytes(), text, ISSUED + 10)


def test_expired_certificate_of_another_registry_is_invalid_not_expired(text):
    rejected("certificate_invalid", RegistryKey.generate().public_key_bytes(), text, EXPIRES + 1)


@pytest.mark.parametrize(
    "change",
    [
        {"ward_code": "121029"},
        {"scope": "city"},
        {"kind": "kiosk"},
        {"expires_at": EXPIRES + 86400},
        {"terminal_id": "kita-counter-01"},
        {"public_key": b64url_encode(b"\x01" * 32)},
        {"serial": "2026-000018"},
    ],
)
def test_tampered_payload(registry_key, text, change):
    claims = payload_of(text) | change
    forged_head = b64url_encode(json.dumps(claims, sort_keys=True, separators=(",", ":")).encode())
    forged = forged_head + "." + text.split(".")[1]
    rejected("certificate_invalid", registry_key.public_key_bytes(), forged, ISSUED + 10)


def test_tampered_signature(registry_key, text):
    head, signature = text.split(".")
    flipped = bytearray(b64url_decode(signature))
    flipped[0] ^= 0x80
    rejected("certificate_invalid", registry_key.public_key_bytes(), head + "." + b64url_encode(bytes(flipped)), ISSUED + 10)


def test_request_signature_cannot_stand_for_a_certificate(registry_key, text):
    """The registry key signs only with the certificate prefix; a bare payload signature fails."""
    head = text.split(".")[0]
    bare = registry_key.sign(b64url_decode(head))
    rejected("certificate_invalid", registry_key.public_key_bytes(), head + "." + b64url_encode(bare), ISSUED + 10)


def test_non_canonical_payload_is_malformed_even_if_signed(registry_key, text):
    claims = payload_of(text)
    spaced = json.dumps(claims, sort_keys=True, indent=1).encode()
    forged = b64url_encode(spaced) + "." + b64url_encode(registry_key.sign(CERTIFICATE_CONTEXT + spaced))
    rejected("certificate_malformed", registry_key.public_key_bytes(), forged, ISSUED + 10)


@pytest.mark.parametrize(
    "change",
    [
        {"v": 2},
        {"typ": "something-else"},
        {"kind": "robot"},
        {"scope": "everything"},
        {"issued_at": "1795000000"},
        {"issued_at": True},
        {"expires_at": 1.5e9},
        {"expires_at": ISSUED},
        {"public_key": "AAAA"},
        {"public_key": 12},
        {"terminal_id": "端末"},
        {"ward_code": ""},
        {"serial": None},
        {"extra": 1},
    ],
)
def test_signed_but_invalid_claims_are_malformed(registry_key, text, change):
    claims = payload_of(text) | change
    payload = json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()
    forged = b64url_encode(payload) + "." + b64url_encode(registry_key.sign(CERTIFICATE_CONTEXT + payload))
    rejected("certificate_malformed", registry_key.public_key_bytes(), forged, ISSUED + 10)


def test_missing_claim_is_malformed(registry_key, text):
    claims = payload_of(text)
    del claims["serial"]
    payload = json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()
    forged = b64url_encode(payload) + "." + b64url_encode(registry_key.sign(CERTIFICATE_CONTEXT + payload))
    rejected("certificate_malformed", registry_key.public_key_bytes(), forged, ISSUED + 10)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        ".",
        "..",
        "abc",
        "a.b.c",
        "%%%.%%%",
        "eyJ9.AAAA",
        b64url_encode(b"[" * 3000) + "." + "A" * 86,
        b64url_encode(b"\xff\xfe") + "." + "A" * 86,
        b64url_encode(b'{"v":1e999}') + "." + "A" * 86,
        b64url_encode(b"9" * 3000) + "." + "A" * 86,
        "x" * 100_000,
        None,
        b"bytes.bytes",
        12,
    ],
)
def test_garbage_is_malformed(registry_key, garbage):
    rejected("certificate_malformed", registry_key.public_key_bytes(), garbage, ISSUED)


def test_padding_or_standard_base64_is_malformed(registry_key, text):
    head, signature = text.split(".")
    rejected("certificate_malformed", registry_key.public_key_bytes(), head + "=." + signature, ISSUED + 10)
    rejected("certificate_malformed", registry_key.public_key_bytes(), f" {text}", ISSUED + 10)
    rejected("certificate_malformed", registry_key.public_key_bytes(), f"{text}\n", ISSUED + 10)


@given(st.text(max_size=400))
def test_random_text_only_ever_raises_certificate_rejected(registry_key, garbage):
    with pytest.raises(CertificateRejected) as info:
        verify_certificate(registry_key.public_key_bytes(), garbage, now=ISSUED)
    assert info.value.code == "certificate_malformed"


_B64 = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=200)


@given(head=_B64, signature=_B64)
def test_random_base64_parts_only_ever_raise_certificate_rejected(registry_key, head, signature):
    with pytest.raises(CertificateRejected):
        verify_certificate(registry_key.public_key_bytes(), f"{head}.{signature}", now=ISSUED)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


@given(claims=st.dictionaries(st.sampled_from(["v", "typ", "terminal_id", "public_key", "ward_code", "scope", "kind", "issued_at", "expires_at", "serial", "x"]), _JSON))
def test_random_json_claims_signed_by_the_registry_only_ever_raise_certificate_rejected(registry_key, claims):
    payload = json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()
    forged = b64url_encode(payload) + "." + b64url_encode(registry_key.sign(CERTIFICATE_CONTEXT + payload))
    with pytest.raises(CertificateRejected):
        verify_certificate(registry_key.public_key_bytes(), forged, now=ISSUED)


def test_wrong_registry_public_key_is_a_configuration_error(text):
    with pytest.raises(ValueError):
        verify_certificate(b"", text, now=ISSUED)


# --- the certificate itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"terminal_id": "bad id"},
        {"public_key": b"\x00" * 31},
        {"scope": "planet"},
        {"kind": "robot"},
        {"expires_at": ISSUED},
        {"issued_at": -1},
        {"serial": ""},
        {"ward_code": "12\n1011"},
    ],
)
def test_certificate_fields_are_checked_at_construction(cert, change):
    with pytest.raises((ValueError, TypeError)):
        dataclasses.replace(cert, **change)


def test_certificate_is_frozen(cert):
    with pytest.raises(dataclasses.FrozenInstanceError):
        cert.scope = "city"  # type: ignore[misc]


# --- the registry key file -------------------------------------------------------------------


def test_registry_key_pem_round_trip_with_password(registry_key, cert, text):
    pem = registry_key.to_pem(b"registry-secret")
    assert b"ENCRYPTED" in pem
    loaded = RegistryKey.from_pem(pem, b"registry-secret")
    assert loaded.public_key_bytes() == registry_key.public_key_bytes()
    verify_certificate(registry_key.public_key_bytes(), issue_certificate(loaded, cert), now=ISSUED)


def test_registry_key_pem_round_trip_without_password(registry_key):
    pem = registry_key.to_pem(None)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert RegistryKey.from_pem(pem, None).public_key_bytes() == registry_key.public_key_bytes()


@pytest.mark.parametrize("password", [None, b"wrong"])
def test_registry_key_pem_wrong_or_missing_password(registry_key, password):
    pem = registry_key.to_pem(b"registry-secret")
    with pytest.raises(KeyFileRejected) as info:
        RegistryKey.from_pem(pem, password)
    assert info.value.code == "key_file_unreadable"
    assert "登録サーバー" in info.value.message
