"""Signed requests: round trip, tampering, clock skew, headers, key files."""
from __future__ import annotations

import dataclasses

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given
from hypothesis import strategies as st

from registry.protocol.errors import KeyFileRejected, ProtocolError, SignatureRejected
from registry.protocol.signing import (
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TERMINAL,
    HEADER_TIMESTAMP,
    SIGNATURE_HEADERS,
    SignedRequest,
    TerminalKey,
    b64url_decode,
    b64url_encode,
    canonical_request,
    header_terminal_id,
    request_target,
    sign_request,
    verify_request,
)

NOW = 1_795_000_000.0
TERMINAL = "chuo-counter-01"
PATH = "/v1/residents?ward=121011&name=%E3%83%A4%E3%83%9E%E3%83%80"
BODY = '{"kana":"ヤマダ"}'.encode()


@pytest.fixture(scope="module")
def key() -> TerminalKey:
    return TerminalKey.generate()


@pytest.fixture
def headers(key) -> dict[str, str]:
    return sign_request(key, TERMINAL, "post", PATH, BODY, now=NOW)


def rejected(code: str, *args, **kwargs) -> SignatureRejected:
    with pytest.raises(SignatureRejected) as info:
        verify_request(*args, **kwargs)
    assert info.value.code == code
    assert info.value.status == 401
    return info.value


# --- round trip ------------------------------------------------------------------------------


def test_round_trip(key, headers):
    signed = verify_request(key.public_key_bytes(), headers, "POST", PATH, BODY, now=NOW)
    assert signed == SignedRequest(terminal_id=TERMINAL, timestamp=int(NOW), nonce=headers[HEADER_NONCE])


def test_headers_are_the_four_named_ones(headers):
    assert set(headers) == {"X-Madoguchi-Terminal", "X-Madoguchi-Timestamp", "X-Madoguchi-Nonce", "X-Madoguchi-Signature"}
    assert headers[HEADER_TERMINAL] == TERMINAL
    assert headers[HEADER_TIMESTAMP] == str(int(NOW))
    nonce = headers[HEADER_NONCE]
    assert len(nonce) == 32 and int(nonce, 16) >= 0
    assert "=" not in headers[HEADER_SIGNATURE]
    assert len(b64url_decode(headers[HEADER_SIGNATURE])) == 64


def test_nonces_are_fresh(key):
    nonces = {sign_request(key, TERMINAL, "GET", "/v1/ping", b"", now=NOW)[HEADER_NONCE] for _ in range(50)}
    assert len(nonces) == 50


def test_default_now_is_the_clock(key):
    import time

    headers = sign_request(key, TERMINAL, "GET", "/v1/ping", b"")
    verify_request(key.public_key_bytes(), headers, "GET", "/v1/ping", b"", now=time.time())


def test_canonical_request_layout():
    text = canonical_request("get", "/v1/x?a=1", 1700000000, "0" * 32, b"", "t1")
    assert text.split(b"\n") == [
        b"madoguchi-request-v1",
        b"GET",
        b"/v1/x?a=1",
        b"t1",
        b"1700000000",
        b"0" * 32,
        b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # sha256 of b""
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("GET", "/v1/x\n/y", 1, "0" * 32, b"", "t1"),
        ("GET", "v1/x", 1, "0" * 32, b"", "t1"),
        ("GET", "/v1/ヤマダ", 1, "0" * 32, b"", "t1"),
        ("GET", "/v1/a b", 1, "0" * 32, b"", "t1"),
        ("GE\nT", "/v1/x", 1, "0" * 32, b"", "t1"),
        ("GET", "/v1/x", -1, "0" * 32, b"", "t1"),
        ("GET", "/v1/x", True, "0" * 32, b"", "t1"),
        ("GET", "/v1/x", 1, "0" * 31, b"", "t1"),
        ("GET", "/v1/x", 1, "A" * 32, b"", "t1"),
        ("GET", "/v1/x", 1, "0" * 32, b"", "t1\nGET"),
        ("GET", "/v1/x", 1, "0" * 32, b"", ""),
    ],
)
def test_canonical_request_refuses_ambiguous_fields(args):
    with pytest.raises(ValueError):
        canonical_request(*args)


@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    path=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=60).map(lambda s: "/" + s),
    body=st.binary(max_size=300),
    terminal=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True),
    now=st.integers(min_value=0, max_value=4_000_000_000),
)
def test_round_trip_any_request(key, method, path, body, terminal, now):
    headers = sign_request(key, terminal, method, path, body, now=now)
    signed = verify_request(key.public_key_bytes(), headers, method.lower(), path, body, now=now + 0.5)
    assert signed.terminal_id == terminal and signed.timestamp == now


def test_request_target_from_raw_asgi_parts():
    assert request_target(b"/v1/residents", b"ward=121011&q=%E3%83%A4") == "/v1/residents?ward=121011&q=%E3%83%A4"
    assert request_target(b"/v1/residents", b"") == "/v1/residents"
    assert request_target("/v1/a%20b") == "/v1/a%20b"


# --- tampering -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"method": "PUT"},
        {"path": "/v1/households?ward=121011&name=%E3%83%A4%E3%83%9E%E3%83%80"},
        {"path": "/v1/residents?ward=121029&name=%E3%83%A4%E3%83%9E%E3%83%80"},
        {"path": "/v1/residents?name=%E3%83%A4%E3%83%9E%E3%83%80&ward=121011"},  # same query, reordered
        {"path": "/v1/residents"},  # query dropped
        {"body": b'{"kana":"\xe3\x83\xa4\xe3\x83\x9e\xe3\x83\x80 "}'},
        {"body": b""},
    ],
    ids=["method", "path", "query-value", "query-order", "query-dropped", "body", "body-empty"],
)
def test_tampered_request_is_rejected(key, headers, change):
    request = {"method": "POST", "path": PATH, "body": BODY} | change
    rejected("signature_invalid", key.public_key_bytes(), headers, request["method"], request["path"], request["body"], now=NOW)


@pytest.mark.parametrize(
    "header,value",
    [
        (HEADER_TERMINAL, "chuo-counter-02"),
        (HEADER_TIMESTAMP, str(int(NOW) + 1)),
        (HEADER_TIMESTAMP, str(int(NOW) - 60)),
        (HEADER_NONCE, "0123456789abcdef0123456789abcdef"),
    ],
    ids=["terminal", "timestamp+1", "timestamp-60", "nonce"],
)
def test_tampered_header_is_rejected(key, headers, header, value):
    assert headers[header] != value
    rejected("signature_invalid", key.public_key_bytes(), headers | {header: value}, "POST", PATH, BODY, now=NOW)


def test_tampered_signature_is_rejected(key, headers):
    signature = bytearray(b64url_decode(headers[HEADER_SIGNATURE]))
    signature[10] ^= 1
    tampered = headers | {HEADER_SIGNATURE: b64url_encode(bytes(signature))}
    rejected("signature_invalid", key.public_key_bytes(), tampered, "POST", PATH, BODY, now=NOW)


def test_another_terminals_key_is_rejected(headers):
    other = TerminalKey.generate()
    error = rejected("signature_invalid", other.public_key_bytes(), headers, "POST", PATH, BODY, now=NOW)
    assert error.message and error.log_message and TERMINAL in error.log_message


def test_signature_of_one_request_does_not_fit_another(key):
    a = sign_request(key, TERMINAL, "GET", "/v1/a", b"", now=NOW)
    b = sign_request(key, TERMINAL, "GET", "/v1/b", b"", now=NOW)
    mixed = b | {HEADER_SIGNATURE: a[HEADER_SIGNATURE]}
    rejected("signature_invalid", key.public_key_bytes(), mixed, "GET", "/v1/b", b"", now=NOW)


# --- clock skew ------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-300, -1, 0, 1, 300])
def test_skew_within_five_minutes_is_accepted(key, headers, offset):
    verify_request(key.public_key_bytes(), headers, "POST", PATH, BODY, now=NOW + offset)


@pytest.mark.parametrize("offset", [301, 3600, -301, -86400])
def test_skew_beyond_five_minutes_is_rejected_both_ways(key, headers, offset):
    error = rejected("clock_skew", key.public_key_bytes(), headers, "POST", PATH, BODY, now=NOW + offset)
    assert error.message == "端末の時計が登録サーバーと5分以上ずれています。時刻を合わせてください"
    assert ("behind" if offset > 0 else "ahead of") in error.log_message


def test_skew_limit_is_a_parameter(key, headers):
    verify_request(key.public_key_bytes(), headers, "POST", PATH, BODY, now=NOW + 500, max_skew_seconds=600)
    error = rejected("clock_skew", key.public_key_bytes(), headers, "POST", PATH, BODY, now=NOW + 61, max_skew_seconds=60)
    assert "1分以上" in error.message


def test_bad_signature_is_reported_before_skew(headers):
    rejected("signature_invalid", TerminalKey.generate().public_key_bytes(), headers, "POST", PATH, BODY, now=NOW + 9999)


# --- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", SIGNATURE_HEADERS)
def test_missing_header(key, headers, missing):
    incomplete = {k: v for k, v in headers.items() if k != missing}
    error = rejected("signature_missing", key.public_key_bytes(), incomplete, "POST", PATH, BODY, now=NOW)
    assert missing in error.log_message


def test_no_headers_at_all(key):
    rejected("signature_missing", key.public_key_bytes(), {}, "GET", "/v1/ping", b"", now=NOW)


@pytest.mark.parametrize(
    "header,value",
    [
        (HEADER_TERMINAL, ""),
        (HEADER_TERMINAL, "端末1"),
        (HEADER_TERMINAL, "a b"),
        (HEADER_TIMESTAMP, "soon"),
        (HEADER_TIMESTAMP, ""),
        (HEADER_TIMESTAMP, "-1795000000"),
        (HEADER_TIMESTAMP, "+1795000000"),
        (HEADER_TIMESTAMP, " 1795000000"),
        (HEADER_TIMESTAMP, "1795000000.0"),
        (HEADER_TIMESTAMP, "1_795_000_000"),
        (HEADER_TIMESTAMP, "１７９５０００００"),  # full-width digits: int() would accept them
        (HEADER_TIMESTAMP, "01795000000"),
        (HEADER_NONCE, "xyz"),
        (HEADER_NONCE, "0123456789ABCDEF0123456789ABCDEF"),
        (HEADER_NONCE, "0123456789abcdef0123456789abcdef00"),
        (HEADER_SIGNATURE, ""),
        (HEADER_SIGNATURE, "not-a-signature"),
        (HEADER_SIGNATURE, "A" * 86 + "=="),
        (HEADER_SIGNATURE, "A" * 85 + "+"),
        (HEADER_SIGNATURE, "A" * 88),
    ],
)
def test_malformed_header(key, headers, header, value):
    rejected("signature_missing", key.public_key_bytes(), headers | {header: value}, "POST", PATH, BODY, now=NOW)


def test_signature_in_standard_base64_is_malformed(key, headers):
    standard = headers[HEADER_SIGNATURE].replace("-", "+").replace("_", "/") + "=="
    rejected("signature_missing", key.public_key_bytes(), headers | {HEADER_SIGNATURE: standard}, "POST", PATH, BODY, now=NOW)


@pytest.mark.parametrize("transform", [str.lower, str.upper, lambda s: s.swapcase()], ids=["lower", "upper", "swapped"])
def test_header_names_are_case_insensitive(key, headers, transform):
    renamed = {transform(k): v for k, v in headers.items()}
    assert verify_request(key.public_key_bytes(), renamed, "POST", PATH, BODY, now=NOW).terminal_id == TERMINAL
    assert header_terminal_id(renamed) == TERMINAL


def test_header_repeated_in_another_case_is_refused(key, headers):
    doubled = headers | {HEADER_TERMINAL.lower(): "kita-counter-09"}
    rejected("signature_missing", key.public_key_bytes(), doubled, "POST", PATH, BODY, now=NOW)
    assert header_terminal_id(doubled) is None


def test_other_headers_are_ignored(key, headers):
    extra = headers | {"Content-Type": "application/json", "X-Madoguchi-Other": "1"}
    verify_request(key.public_key_bytes(), extra, "POST", PATH, BODY, now=NOW)


def test_header_terminal_id(headers):
    assert header_terminal_id(headers) == TERMINAL
    assert header_terminal_id({}) is None
    assert header_terminal_id({"x-madoguchi-terminal": "bad id"}) is None
    assert header_terminal_id({"x-madoguchi-terminal": "t-9"}) == "t-9"


def test_verify_refuses_a_bad_public_key(headers):
    with pytest.raises(ValueError):
        verify_request(b"short", headers, "POST", PATH, BODY, now=NOW)


def test_errors_carry_japanese_and_english(key):
    with pytest.raises(ProtocolError) as info:
        verify_request(key.public_key_bytes(), {}, "GET", "/", b"", now=NOW)
    error = info.value
    assert error.code == "signature_missing"
    assert any("\u3040" <= c <= "\u30ff" for c in error.message)  # kana: it is Japanese
    assert error.log_message.isascii()


# --- key files -------------------------------------------------------------------------------


def test_pem_round_trip(key):
    pem = key.to_pem(b"terminal-secret")
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = TerminalKey.from_pem(pem, b"terminal-secret")
    assert loaded.public_key_bytes() == key.public_key_bytes()
    headers = sign_request(loaded, TERMINAL, "GET", "/v1/ping", b"", now=NOW)
    verify_request(key.public_key_bytes(), headers, "GET", "/v1/ping", b"", now=NOW)


def test_public_key_is_raw_32_bytes(key):
    assert isinstance(key.public_key_bytes(), bytes) and len(key.public_key_bytes()) == 32
    assert key.public_key_bytes() != TerminalKey.generate().public_key_bytes()


def test_repr_shows_no_private_material(key):
    assert b64url_encode(key.public_key_bytes()) in repr(key)


def test_pem_wrong_password(key):
    pem = key.to_pem(b"terminal-secret")
    with pytest.raises(KeyFileRejected) as info:
        TerminalKey.from_pem(pem, b"terminal-secreT")
    assert info.value.code == "key_file_unreadable"
    assert "鍵ファイル" in info.value.message


@pytest.mark.parametrize("data", [b"", b"garbage", b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"])
def test_pem_garbage(data):
    with pytest.raises(KeyFileRejected):
        TerminalKey.from_pem(data, b"terminal-secret")


def test_pem_unencrypted_file_is_refused_when_a_password_is_given():
    plain = TerminalKey.generate()._private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(KeyFileRejected):
        TerminalKey.from_pem(plain, b"terminal-secret")


def test_pem_of_another_key_type_is_refused():
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    )
    with pytest.raises(KeyFileRejected) as info:
        TerminalKey.from_pem(pem, b"pw")
    assert "Ed25519" in info.value.log_message


def test_terminal_key_file_must_be_encrypted(key):
    with pytest.raises(ValueError):
        key.to_pem(b"")
    with pytest.raises(ValueError):
        key.to_pem(None)  # type: ignore[arg-type]


def test_signed_request_is_frozen(key, headers):
    signed = verify_request(key.public_key_bytes(), headers, "POST", PATH, BODY, now=NOW)
    with pytest.raises(dataclasses.FrozenInstanceError):
        signed.nonce = "x"  # type: ignore[misc]
