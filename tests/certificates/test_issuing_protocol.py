"""registry/protocol/issuing.py: delegations, page payloads, base45, and verification verdicts."""
from __future__ import annotations

import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from registry.protocol import issuing
from registry.protocol.issuing import (
    ALTERED,
    EXPIRED,
    GENUINE,
    PAGE_CONTEXT,
    PAYLOAD_PREFIX,
    UNKNOWN_KEY,
    UNREADABLE,
    IssuingRejected,
    IssuingSigner,
    PageSummary,
    PayloadError,
    PersonSummary,
    anchor_to_pem,
    base45_decode,
    base45_encode,
    load_anchor,
    make_delegation,
    parse_delegation,
    parse_payload,
    verify_payload,
)
from registry.protocol.signing import TerminalKey
from tests.certificates.conftest import SIGNED_AT, TERMINAL, VALID_FROM, VALID_UNTIL

SUMMARY = PageSummary(
    "住民票の写し", "令和8年12月6日", "千葉県千葉市長　稲毛　誠一", "千葉県千葉市中央区本千葉町1番2号　千葉本町ハイツ101号室",
    (PersonSummary("髙橋　健太郎", "昭和33年3月14日", "男"), PersonSummary("𠮷田　花子", "昭和20年頃", "女")),
)
NUMBER = "20261206 千葉市 中央区窓口1 プリンタ001 000123 1/2"
DIGEST = bytes(range(32))


# --- base45 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("data, text", [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"),
                                        (b"ietf!", "QED8WEX0"), (b"", "")])
def test_base45_matches_rfc_9285(data, text):
    assert base45_encode(data) == text
    assert base45_decode(text) == data


@given(st.binary(max_size=300))
def test_base45_round_trips_and_never_ends_in_a_space(data):
    text = base45_encode(data)
    assert base45_decode(text) == data
    assert not text.endswith(" ")
    assert set(text) <= set(issuing.BASE45_ALPHABET)


@pytest.mark.parametrize("text", ["GGW", "A", "ABCD", "ab", "::", "A\u3000B"])
def test_base45_refuses_out_of_range_lengths_and_characters(text):
    with pytest.raises(PayloadError):
        base45_decode(text)


@given(st.text(max_size=60))
def test_base45_decode_refuses_garbage_cleanly(text):
    try:
        data = base45_decode(text)
    except PayloadError:
        return
    assert base45_encode(data) == text  # what it accepts is canonical


# --- delegation and signer -------------------------------------------------------------------------


def test_delegation_round_trips_and_is_short(registry_key, terminal_key, delegation):
    parsed, end = parse_delegation(delegation)
    assert end == len(delegation) < 140
    assert parsed.terminal_id == TERMINAL
    assert (parsed.not_before, parsed.not_after) == (VALID_FROM, VALID_UNTIL)
    assert parsed.signed_by(registry_key.public_key())
    assert not parsed.signed_by(Ed25519PrivateKey.generate().public_key())


def test_delegation_accepts_the_projects_key_classes(terminal_key):
    from registry.protocol.certificates import RegistryKey

    registry = RegistryKey.generate()
    terminal = TerminalKey.generate()
    d = make_delegation(registry, "field-01", terminal.public_key_bytes(), VALID_FROM, VALID_UNTIL)
    signer = IssuingSigner(terminal, d, clock=lambda: SIGNED_AT)
    payload = signer.sign_page(NUMBER, DIGEST, SUMMARY)
    anchor = load_anchor(anchor_to_pem(registry))
    assert verify_payload(payload, [anchor], at=SIGNED_AT).genuine


@pytest.mark.parametrize("kw, message", [
    (dict(terminal_id="bad id"), "terminal id"),
    (dict(not_after=VALID_FROM), "after"),
    (dict(not_before=-1), "unix seconds"),
])
def test_make_delegation_refuses_bad_fields(registry_key, terminal_key, kw, message):
    args = dict(terminal_id=TERMINAL, not_before=VALID_FROM, not_after=VALID_UNTIL) | kw
    with pytest.raises(ValueError, match=message):
        make_delegation(registry_key, args["terminal_id"], terminal_key.public_key(), args["not_before"], args["not_after"])


def test_signer_refuses_a_key_the_delegation_is_not_for(delegation):
    with pytest.raises(IssuingRejected) as info:
        IssuingSigner(Ed25519PrivateKey.generate(), delegation)
    assert info.value.code == "issuing_key_mismatch" and "委任" in info.value.message


@pytest.mark.parametrize("now", [VALID_FROM - 1, VALID_UNTIL, VALID_UNTIL + 86400])
def test_signer_refuses_to_sign_outside_the_delegation(terminal_key, delegation, now):
    signer = IssuingSigner(terminal_key, delegation, clock=lambda: now)
    with pytest.raises(IssuingRejected) as info:
        signer.sign_page(NUMBER, DIGEST, SUMMARY)
    assert info.value.code == "issuing_key_expired" and "有効期間" in info.value.message


def test_payload_is_qr_alphanumeric_and_compact(signer):
    text = signer.sign_page(NUMBER, DIGEST, SUMMARY)
    assert text.startswith(PAYLOAD_PREFIX)
    assert set(text) <= set(issuing.BASE45_ALPHABET)
    assert len(text) < 700
    parsed = parse_payload(text)
    assert (parsed.issue_number, parsed.digest, parsed.summary) == (NUMBER, DIGEST, SUMMARY)
    assert parsed.signed_at == SIGNED_AT


# --- verdicts --------------------------------------------------------------------------------------


def test_genuine_payload(signer, anchors):
    v = verify_payload(signer.sign_page(NUMBER, DIGEST, SUMMARY), anchors, at=SIGNED_AT + 60)
    assert v.status == GENUINE and v.message == "真正な証明書です"
    assert v.issue_numbers == (NUMBER,) and v.summaries == (SUMMARY,) and v.digests == (DIGEST,)
    report = v.report_ja()
    assert "髙橋　健太郎" in report and "𠮷田　花子" in report and NUMBER in report and TERMINAL in report


def test_payload_from_another_registry_is_an_unknown_key(signer):
    v = verify_payload(signer.sign_page(NUMBER, DIGEST, SUMMARY), [Ed25519PrivateKey.generate().public_key()], at=SIGNED_AT)
    assert v.status == UNKNOWN_KEY and not v.genuine


def test_several_anchors_any_one_may_match(signer, anchors):
    others = [Ed25519PrivateKey.generate().public_key() for _ in range(2)]
    assert verify_payload(signer.sign_page(NUMBER, DIGEST, SUMMARY), others + anchors, at=SIGNED_AT).genuine


def _forge(terminal_key, delegation: bytes, signed_at: int) -> str:
    """A payload signed at `signed_at` whatever the delegation says (what a terminal with a wrong
    clock and no check would make)."""
    number = NUMBER.encode()
    packed = issuing._deflate(SUMMARY.to_text().encode())
    body = (bytes((1,)) + delegation + struct.pack(">I", signed_at) + bytes((len(number),)) + number + DIGEST
            + struct.pack(">H", len(packed)) + packed)
    return issuing.encode_payload(body + terminal_key.sign(PAGE_CONTEXT + body))


@pytest.mark.parametrize("signed_at", [VALID_FROM - 1, VALID_UNTIL, VALID_UNTIL + 10 * 86400])
def test_payload_signed_outside_the_delegation_is_expired(terminal_key, delegation, anchors, signed_at):
    v = verify_payload(_forge(terminal_key, delegation, signed_at), anchors, at=VALID_UNTIL + 20 * 86400)
    assert v.status == EXPIRED and "有効期間" in v.message


def test_payload_signed_in_the_future_is_refused(terminal_key, delegation, anchors):
    v = verify_payload(_forge(terminal_key, delegation, SIGNED_AT + 3600), anchors, at=SIGNED_AT)
    assert v.status == ALTERED and "未来" in v.message


def test_a_payload_signed_by_another_terminal_key_is_altered(delegation, anchors):
    v = verify_payload(_forge(Ed25519PrivateKey.generate(), delegation, SIGNED_AT), anchors, at=SIGNED_AT)
    assert v.status == ALTERED


@given(data=st.data())
def test_any_changed_character_is_never_genuine(data, signer, anchors):
    text = signer.sign_page(NUMBER, DIGEST, SUMMARY)
    i = data.draw(st.integers(len(PAYLOAD_PREFIX), len(text) - 1))
    c = data.draw(st.sampled_from(issuing.BASE45_ALPHABET).filter(lambda c: c != text[i]))
    v = verify_payload(text[:i] + c + text[i + 1:], anchors, at=SIGNED_AT)
    assert v.status in (ALTERED, UNKNOWN_KEY, UNREADABLE, EXPIRED) and not v.genuine


@given(text=st.text(max_size=200) | st.text(alphabet=issuing.BASE45_ALPHABET, max_size=400).map(lambda t: PAYLOAD_PREFIX + t))
def test_garbage_is_unreadable_never_an_exception(text, anchors):
    v = verify_payload(text, anchors, at=SIGNED_AT)
    assert v.status == UNREADABLE and v.message.startswith("窓口システムの証明書ではない")


@given(st.binary(max_size=400))
def test_parse_payload_refuses_any_bytes_cleanly(data):
    try:
        parse_payload(PAYLOAD_PREFIX + base45_encode(data))
    except PayloadError:
        pass


def test_truncated_and_extended_payloads_are_unreadable(signer, anchors):
    text = signer.sign_page(NUMBER, DIGEST, SUMMARY)
    raw = base45_decode(text[len(PAYLOAD_PREFIX):])
    for changed in (raw[:-1], raw + b"\0", raw[:40]):
        assert verify_payload(PAYLOAD_PREFIX + base45_encode(changed), anchors).status == UNREADABLE


def test_a_summary_that_inflates_too_far_is_refused():
    bomb = issuing._deflate(b"\xe3\x81\x82" * 100_000)
    with pytest.raises(PayloadError):
        issuing._inflate(bomb)


@pytest.mark.parametrize("field", ["title\tx", "a\nb", "\x00"])
def test_summary_fields_are_single_line_text(field):
    with pytest.raises(ValueError):
        PageSummary(field, "令和8年12月6日", "x", "y")


def test_anchor_pem_round_trip_and_refusals(registry_key):
    pem = anchor_to_pem(registry_key)
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert load_anchor(pem).public_bytes_raw() == registry_key.public_key().public_bytes_raw()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for bad in (b"", b"not pem", other):
        with pytest.raises(ValueError):
            load_anchor(bad)
