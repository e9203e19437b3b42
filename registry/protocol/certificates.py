"""Terminal certificates: the registry's Ed25519 key vouches for a terminal's public key.

Compact form: ``base64url(claims) + "." + base64url(signature)``, both without padding, where
`claims` is canonical JSON (sorted keys, no spaces, ASCII only) of

    {"expires_at", "issued_at", "kind", "public_key" (base64url), "scope", "serial",
     "terminal_id", "typ": "madoguchi-terminal-certificate", "v": 1, "ward_code"}

and the signature is over ``b"madoguchi-certificate-v1\\n" + claims`` (the prefix keeps a
certificate signature from ever being mistaken for a request signature). A certificate has
exactly one text: a non-canonical payload or base64 is refused even when the signature is good.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from registry.protocol.errors import CertificateRejected
from registry.protocol.signing import (
    ED25519_PUBLIC_KEY_BYTES,
    ED25519_SIGNATURE_BYTES,
    _Ed25519Key,
    b64url_decode,
    b64url_encode,
    is_valid_terminal_id,
)

CERTIFICATE_CONTEXT = b"madoguchi-certificate-v1\n"
CERTIFICATE_TYPE = "madoguchi-terminal-certificate"
CERTIFICATE_VERSION = 1
SCOPES = ("city", "ward", "worklist")
KINDS = ("counter", "field", "kiosk")
MAX_CERTIFICATE_CHARS = 4096
MAX_TIMESTAMP = 253402268399  # 9999-12-31 23:59:59 JST (dates are shown in JST)
MAX_FIELD_CHARS = 64
NOT_YET_VALID_LEEWAY_SECONDS = 300
_JST = dt.timezone(dt.timedelta(hours=9))

_REREGISTER = "端末の再登録が必要です。システム管理者に連絡してください"


class RegistryKey(_Ed25519Key):
    """The registry's signing key. Its file may be left unencrypted (`password=None`) when it is
    protected otherwise (a secrets store, a file only the service account can read)."""

    __slots__ = ()
    _password_required = False
    _unreadable_message = "登録サーバーの署名鍵ファイルを開けませんでした。パスワードが違うか、ファイルが壊れています"
    _what = "registry key"

    @classmethod
    def generate(cls) -> "RegistryKey":
        return cls(Ed25519PrivateKey.generate())

    def to_pem(self, password: bytes | None) -> bytes:
        return super().to_pem(password)

    @classmethod
    def from_pem(cls, data: bytes, password: bytes | None) -> "RegistryKey":
        return super().from_pem(data, password)


def _is_timestamp(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_TIMESTAMP


def _is_text(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_FIELD_CHARS and value.isprintable()


@dataclass(frozen=True)
class TerminalCertificate:
    """What the registry vouches for. Construction checks every field (ValueError/TypeError)."""

    terminal_id: str
    public_key: bytes
    ward_code: str
    scope: str  # one of SCOPES
    kind: str  # one of KINDS
    issued_at: int  # unix seconds
    expires_at: int  # unix seconds; valid while now < expires_at
    serial: str

    def __post_init__(self) -> None:
        if not is_valid_terminal_id(self.terminal_id):
            raise ValueError(f"bad terminal id: {self.terminal_id!r}")
        if not isinstance(self.public_key, bytes) or len(self.public_key) != ED25519_PUBLIC_KEY_BYTES:
            raise ValueError("public_key must be 32 raw bytes")
        for name in ("ward_code", "serial"):
            if not _is_text(getattr(self, name)):
                raise ValueError(f"{name} must be 1–{MAX_FIELD_CHARS} printable characters")
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}: {self.scope!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}: {self.kind!r}")
        if not _is_timestamp(self.issued_at) or not _is_timestamp(self.expires_at):
            raise ValueError("issued_at and expires_at must be unix seconds (int)")
        if self.expires_at <= self.issued_at:
            raise ValueError("expires_at must be after issued_at")

    def claims(self) -> dict[str, object]:
        return {
            "v": CERTIFICATE_VERSION,
            "typ": CERTIFICATE_TYPE,
            "terminal_id": self.terminal_id,
            "public_key": b64url_encode(self.public_key),
            "ward_code": self.ward_code,
            "scope": self.scope,
            "kind": self.kind,
            "issued_at": self.issued_at,
            "expires_at": self.expires_at,
            "serial": self.serial,
        }


def _canonical_json(claims: dict[str, object]) -> bytes:
    return json.dumps(claims, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")


def issue_certificate(registry_key: RegistryKey, cert: TerminalCertificate) -> str:
    """The compact, signed text of `cert`."""
    payload = _canonical_json(cert.claims())
    signature = registry_key.sign(CERTIFICATE_CONTEXT + payload)
    return b64url_encode(payload) + "." + b64url_encode(signature)


def _malformed(detail: str) -> CertificateRejected:
    return CertificateRejected(
        "certificate_malformed",
        f"端末証明書の形式が正しくありません。{_REREGISTER}",
        f"terminal certificate malformed: {detail}",
    )


def _jst_date(timestamp: int) -> str:
    d = dt.datetime.fromtimestamp(timestamp, _JST)
    return f"{d.year}年{d.month}月{d.day}日{d.hour}時{d.minute:02d}分"


def _parse(text: object) -> tuple[TerminalCertificate, bytes, bytes]:
    """(certificate, payload bytes, signature) or certificate_malformed."""
    if not isinstance(text, str):
        raise _malformed(f"not text but {type(text).__name__}")
    if len(text) > MAX_CERTIFICATE_CHARS:
        raise _malformed(f"{len(text)} characters (at most {MAX_CERTIFICATE_CHARS})")
    parts = text.split(".")
    if len(parts) != 2:
        raise _malformed(f"{len(parts)} dot-separated parts instead of 2")
    try:
        payload = b64url_decode(parts[0])
        signature = b64url_decode(parts[1])
    except ValueError as exc:
        raise _malformed(f"bad base64url: {exc}") from None
    if len(signature) != ED25519_SIGNATURE_BYTES:
        raise _malformed(f"signature of {len(signature)} bytes")
    try:
        claims = json.loads(payload.decode("ascii"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise _malformed(f"payload is not JSON: {type(exc).__name__}") from None
    if not isinstance(claims, dict):
        raise _malformed("payload is not a JSON object")
    if claims.get("v") != CERTIFICATE_VERSION or claims.get("typ") != CERTIFICATE_TYPE:
        raise _malformed(f"unknown version or type: v={str(claims.get('v'))[:20]!r} typ={str(claims.get('typ'))[:60]!r}")
    expected_keys = set(TerminalCertificate.__dataclass_fields__) | {"v", "typ"}
    if set(claims) != expected_keys:
        raise _malformed(f"claims {sorted(map(str, claims))[:20]} instead of {sorted(expected_keys)}")
    try:
        public_key = b64url_decode(claims["public_key"])
        cert = TerminalCertificate(
            terminal_id=claims["terminal_id"],
            public_key=public_key,
            ward_code=claims["ward_code"],
            scope=claims["scope"],
            kind=claims["kind"],
            issued_at=claims["issued_at"],
            expires_at=claims["expires_at"],
            serial=claims["serial"],
        )
    except (ValueError, TypeError) as exc:
        raise _malformed(f"bad claim: {str(exc)[:200]}") from None
    if _canonical_json(cert.claims()) != payload:
        raise _malformed("payload is not canonical JSON")
    return cert, payload, signature


def verify_certificate(
    registry_public_key: bytes, text: str, now: float, leeway_seconds: int = NOT_YET_VALID_LEEWAY_SECONDS
) -> TerminalCertificate:
    """The certificate in `text`, once its signature by `registry_public_key` (raw 32 bytes) is
    checked and it is valid at `now`.

    Raises CertificateRejected and nothing else, whatever `text` is: `certificate_malformed`,
    `certificate_invalid` (bad signature, another registry's key), `certificate_expired`
    (now >= expires_at), `certificate_not_yet_valid` (now < issued_at - leeway_seconds).
    A wrong `registry_public_key` (not 32 bytes) is a configuration error: ValueError.
    """
    if not isinstance(registry_public_key, bytes) or len(registry_public_key) != ED25519_PUBLIC_KEY_BYTES:
        raise ValueError("the registry public key must be 32 raw bytes")
    cert, payload, signature = _parse(text)
    try:
        Ed25519PublicKey.from_public_bytes(registry_public_key).verify(signature, CERTIFICATE_CONTEXT + payload)
    except InvalidSignature:
        raise CertificateRejected(
            "certificate_invalid",
            f"端末証明書を確認できませんでした（この登録サーバーが発行したものではありません）。{_REREGISTER}",
            f"certificate of terminal {cert.terminal_id} (serial {cert.serial}) has a bad signature or another registry's",
        ) from None
    if now >= cert.expires_at:
        raise CertificateRejected(
            "certificate_expired",
            f"端末証明書の有効期限（{_jst_date(cert.expires_at)}）が切れています。{_REREGISTER}",
            f"certificate of terminal {cert.terminal_id} (serial {cert.serial}) expired at {cert.expires_at} (now {now:.0f})",
        )
    if now < cert.issued_at - leeway_seconds:
        raise CertificateRejected(
            "certificate_not_yet_valid",
            f"端末証明書がまだ有効になっていません（{_jst_date(cert.issued_at)}から有効）。端末または登録サーバーの時計を確認してください",
            f"certificate of terminal {cert.terminal_id} (serial {cert.serial}) issued at {cert.issued_at}, now {now:.0f}",
        )
    return cert
