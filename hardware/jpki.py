"""JPKI (公的個人認証) with the 利用者証明用電子証明書 (user-authentication certificate): who holds
this card, proven by the card signing a fresh challenge after the 4-digit PIN.

    trust = TrustConfig.from_files("jlis-auth-ca.pem", "jlis-auth.crl")
    identity = authenticate(pin, trust)     # JpkiIdentity: serial, subject, issuer, validity

`authenticate` runs in one exclusive session: read the certificate (EF 000A, no PIN) and check
it — issued by a configured trust anchor, inside its validity period, not on the configured CRL
(which must itself be signed by that anchor and not past its next update) — before any PIN is
sent; then the PIN's remaining tries, VERIFY (EF 0018), and `80 2A` over the SHA-256 DigestInfo
of a fresh random challenge with the key EF 0017 (RSA-2048, PKCS#1 v1.5 padding by the card);
the signature is verified with the certificate's public key. Time and randomness come in as
parameters. The certificate names the card, not the resident: the registry maps its serial.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtensionOID

from hardware import apdu
from hardware.connection import CardSession, open_application
from hardware.errors import (
    CardCommunicationError,
    CertificateExpired,
    CertificateRevoked,
    CertificateUntrusted,
    CrlOutdated,
    MalformedCardData,
    SignatureMismatch,
    TrustConfigError,
)
from hardware.iso import PinStatus, ReadStats, check_pin_format, read_file, select_ef, tries_left, verify_pin

log = logging.getLogger(__name__)

AID = apdu.AID_JPKI
EF_AUTH_CERT = 0x000A  # 利用者証明用電子証明書
EF_AUTH_CA_CERT = 0x000B
EF_AUTH_KEY = 0x0017
EF_AUTH_PIN = 0x0018  # 利用者証明用パスワード (4 digits, 3 tries)
EF_SIGN_CERT = 0x0001  # 署名用電子証明書 (needs the 署名用 password: not read here)
EF_SIGN_PIN = 0x001B
EF_TOKEN_INFO = 0x0006
AUTH_PIN_MAX_TRIES = 3
SIGNATURE_BYTES = 256  # RSA-2048
CHALLENGE_BYTES = 32
# DER of DigestInfo { AlgorithmIdentifier { sha256, NULL }, OCTET STRING (32 bytes) } up to the digest
SHA256_DIGEST_INFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


def digest_info_sha256(message: bytes) -> bytes:
    """The DigestInfo (RFC 8017 §9.2) the card pads and signs for a SHA-256 signature of `message`."""
    return SHA256_DIGEST_INFO_PREFIX + hashlib.sha256(message).digest()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# -- the terminal's trust configuration ----------------------------------------------------------


def _load_certificates(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return list(x509.load_pem_x509_certificates(data))
    return [x509.load_der_x509_certificate(data)]


def _load_crls(path: Path) -> list[x509.CertificateRevocationList]:
    data = path.read_bytes()
    if b"-----BEGIN" not in data:
        return [x509.load_der_x509_crl(data)]
    marker = b"-----BEGIN X509 CRL-----"
    blocks = [marker + part for part in data.split(marker)[1:]]
    if not blocks:
        raise ValueError("no X509 CRL block in the file")
    return [x509.load_pem_x509_crl(b) for b in blocks]


@dataclass(frozen=True)
class TrustConfig:
    """What a terminal trusts for JPKI authentication: the 利用者証明用 CA certificate(s) (one file,
    PEM bundle or DER) and their CRL(s). Configured per terminal (settings.json's "card")."""

    anchors: tuple[x509.Certificate, ...]
    crls: tuple[x509.CertificateRevocationList, ...]
    anchor_path: str = ""
    crl_path: str = ""

    @classmethod
    def from_files(cls, anchor: str | os.PathLike | None, crl: str | os.PathLike | None) -> "TrustConfig":
        """TrustConfigError (Japanese, naming the file) when a file is missing or unreadable."""
        if not anchor:
            raise TrustConfigError("no trust anchor configured",
                                   "信頼する認証局の証明書（trust_anchor）がこの端末に設定されていません。システム担当者に連絡してください。")
        if not crl:
            raise TrustConfigError("no CRL configured",
                                   "電子証明書の失効リスト（crl）がこの端末に設定されていません。システム担当者に連絡してください。")
        anchor_path, crl_path = Path(anchor), Path(crl)
        try:
            anchors = _load_certificates(anchor_path)
        except OSError as e:
            raise TrustConfigError(f"trust anchor {anchor_path}: {e.strerror or e}",
                                   f"信頼する認証局の証明書ファイル（{anchor_path}）を読み込めません。システム担当者に連絡してください。") from None
        except ValueError as e:
            raise TrustConfigError(f"trust anchor {anchor_path}: not a certificate ({e})",
                                   f"信頼する認証局の証明書ファイル（{anchor_path}）が証明書の形式ではありません。システム担当者に連絡してください。") from None
        try:
            crls = _load_crls(crl_path)
        except OSError as e:
            raise TrustConfigError(f"CRL {crl_path}: {e.strerror or e}",
                                   f"失効リストのファイル（{crl_path}）を読み込めません。システム担当者に連絡してください。") from None
        except ValueError as e:
            raise TrustConfigError(f"CRL {crl_path}: not a CRL ({e})",
                                   f"失効リストのファイル（{crl_path}）が失効リストの形式ではありません。システム担当者に連絡してください。") from None
        if not anchors:
            raise TrustConfigError(f"trust anchor {anchor_path}: no certificate in the file",
                                   f"信頼する認証局の証明書ファイル（{anchor_path}）に証明書がありません。システム担当者に連絡してください。")
        return cls(tuple(anchors), tuple(crls), str(anchor_path), str(crl_path))


# -- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JpkiIdentity:
    """The authenticated card's certificate: what the registry maps to a resident."""

    serial: int
    subject: str  # RFC 4514
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    fingerprint_sha256: str
    certificate: bytes  # DER

    @property
    def serial_hex(self) -> str:
        return format(self.serial, "X")

    def as_dict(self) -> dict:
        return {
            "serial": self.serial_hex,
            "subject": self.subject,
            "issuer": self.issuer,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "fingerprint_sha256": self.fingerprint_sha256,
        }


def identity_of(cert: x509.Certificate) -> JpkiIdentity:
    from cryptography.hazmat.primitives.serialization import Encoding

    der = cert.public_bytes(Encoding.DER)
    return JpkiIdentity(
        serial=cert.serial_number,
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        certificate=der,
    )


# -- checks (pure: no card) ----------------------------------------------------------------------


def parse_certificate(der: bytes) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as e:
        raise MalformedCardData(f"EF 000A is not a DER certificate ({e})") from None


def _issuer_of(cert: x509.Certificate, trust: TrustConfig) -> x509.Certificate:
    for anchor in trust.anchors:
        if anchor.subject != cert.issuer:
            continue
        try:
            cert.verify_directly_issued_by(anchor)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            continue
        return anchor
    raise CertificateUntrusted(f"certificate {cert.serial_number:X} ({cert.issuer.rfc4514_string()}) is not issued by a trust anchor")


def check_certificate(cert: x509.Certificate, trust: TrustConfig, now: dt.datetime) -> x509.Certificate:
    """The anchor that issued `cert`, after every check; CertificateUntrusted / Expired / Revoked,
    CrlOutdated, or TrustConfigError (the anchor or CRL itself is not usable)."""
    anchor = _issuer_of(cert, trust)
    serial = f"{cert.serial_number:X}"
    if not anchor.not_valid_before_utc <= now <= anchor.not_valid_after_utc:
        raise TrustConfigError(f"trust anchor {anchor.subject.rfc4514_string()} is outside its validity period",
                               "この端末に設定された認証局の証明書が有効期間外です。システム担当者に連絡してください。")
    try:
        ca = anchor.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS).value.ca
    except x509.ExtensionNotFound:
        ca = False
    if not ca:
        raise TrustConfigError(f"trust anchor {anchor.subject.rfc4514_string()} is not a CA certificate",
                               "この端末に設定された信頼する証明書が認証局の証明書ではありません。システム担当者に連絡してください。")
    if now < cert.not_valid_before_utc:
        raise CertificateExpired(f"certificate {serial} is not valid before {cert.not_valid_before_utc:%Y-%m-%d}",
                                 "カードの利用者証明用電子証明書はまだ有効期間になっていません。窓口で確認してください。")
    if now > cert.not_valid_after_utc:
        raise CertificateExpired(f"certificate {serial} expired on {cert.not_valid_after_utc:%Y-%m-%d}")
    try:
        usage = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
        if not usage.digital_signature:
            raise CertificateUntrusted(f"certificate {serial} is not for digital signatures")
    except x509.ExtensionNotFound:
        pass
    crls = [c for c in trust.crls if c.issuer == anchor.subject]
    valid = [c for c in crls if c.is_signature_valid(anchor.public_key())]
    if not valid:
        raise TrustConfigError(f"no CRL signed by {anchor.subject.rfc4514_string()} ({len(crls)} with its name)",
                               "この端末の失効リストが、証明書を発行した認証局のものではありません。システム担当者に連絡してください。")
    crl = max(valid, key=lambda c: c.last_update_utc)
    if crl.next_update_utc is not None and now > crl.next_update_utc:
        raise CrlOutdated(f"CRL of {anchor.subject.rfc4514_string()} was due on {crl.next_update_utc:%Y-%m-%d %H:%M}")
    if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
        raise CertificateRevoked(f"certificate {serial} is on the CRL")
    return anchor


def check_signature(cert: x509.Certificate, challenge: bytes, signature: bytes) -> None:
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise CertificateUntrusted(f"certificate key is {type(key).__name__}, not RSA")
    try:
        key.verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureMismatch("the card's signature does not verify with its certificate") from None


# -- on the card ---------------------------------------------------------------------------------


def read_certificate_der(session: CardSession, fid: int = EF_AUTH_CERT) -> bytes:
    return read_file(session, fid, max_size=8192)


def sign(session: CardSession, pin: str, digest_info: bytes) -> bytes:
    """VERIFY the 利用者証明用 PIN (tries asked first) and have the key EF 0017 sign."""
    verify_pin(session, pin, pin_ef=EF_AUTH_PIN, max_tries=AUTH_PIN_MAX_TRIES, what="利用者証明用暗証番号")
    select_ef(session, EF_AUTH_KEY)
    r = session.transmit(apdu.compute_signature(digest_info))
    if not r.ok:
        raise CardCommunicationError(f"COMPUTE SIGNATURE answered {r.sw:04X}")
    if len(r.data) != SIGNATURE_BYTES:
        raise CardCommunicationError(f"COMPUTE SIGNATURE returned {len(r.data)} bytes, not {SIGNATURE_BYTES}")
    return r.data


def read_certificate(reader: str | None = None) -> x509.Certificate:
    """The card's 利用者証明用電子証明書 (no PIN needed)."""
    with open_application(AID, reader) as session:
        return parse_certificate(read_certificate_der(session))


def pin_status(reader: str | None = None) -> PinStatus:
    with open_application(AID, reader) as session:
        return PinStatus(session.reader, tries_left(session, EF_AUTH_PIN, AUTH_PIN_MAX_TRIES))


@dataclass(frozen=True)
class SignedChallenge:
    """The card's signature over a challenge someone else chose (the registry, for a kiosk), with
    the certificate that verifies it: what the registry checks again on its side."""

    identity: JpkiIdentity
    challenge: bytes
    signature: bytes


def sign_challenge(
    pin: str,
    trust: TrustConfig,
    challenge: bytes,
    reader: str | None = None,
    *,
    now: Callable[[], dt.datetime] = utc_now,
    stats: ReadStats | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> SignedChallenge:
    """The card signs `challenge` after the PIN, in one exclusive session: the certificate is read
    and checked first (a bad certificate costs no PIN try), then the tries, VERIFY and `80 2A`;
    the signature is verified with the certificate's key here too. Every failure is a CardError."""
    check_pin_format(pin)
    session = open_application(AID, reader, clock=clock)
    try:
        cert = parse_certificate(read_certificate_der(session))
        check_certificate(cert, trust, now())  # before the PIN: a bad certificate costs no try
        signature = sign(session, pin, digest_info_sha256(challenge))
    finally:
        session.close()
        if stats is not None:
            stats.add(session)
    check_signature(cert, challenge, signature)
    identity = identity_of(cert)
    log.info("JPKI signature on %r: certificate %s of %s", session.reader, identity.serial_hex, identity.issuer)
    return SignedChallenge(identity, challenge, signature)


def check_card_certificate(trust: TrustConfig, reader: str | None = None, *, now: Callable[[], dt.datetime] = utc_now) -> JpkiIdentity:
    """The card's certificate read (no PIN) and checked against `trust`: what a kiosk does as soon
    as a card is placed, so that a card it cannot accept is told so before any PIN is typed."""
    cert = read_certificate(reader)
    check_certificate(cert, trust, now())
    return identity_of(cert)


def authenticate(
    pin: str,
    trust: TrustConfig,
    reader: str | None = None,
    *,
    now: Callable[[], dt.datetime] = utc_now,
    random: Callable[[int], bytes] = os.urandom,
    stats: ReadStats | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> JpkiIdentity:
    """Authenticates the cardholder (see the module's docstring): a fresh random challenge signed
    by the card. Every failure is a CardError."""
    return sign_challenge(pin, trust, random(CHALLENGE_BYTES), reader, now=now, stats=stats, clock=clock).identity
