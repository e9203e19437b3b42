"""Signed requests: every terminal request carries an Ed25519 signature by the terminal's key.

The signature covers a canonical text (see `canonical_request`): the method, the request target
(path *and* query string, exactly as sent on the wire), the terminal id, the timestamp, a random
nonce and the SHA-256 of the body. The registry checks it with `verify_request`; finding the
terminal's public key (`header_terminal_id` first) and refusing a nonce seen before is its own job,
with its database. A nonce must be remembered for at least twice the allowed clock skew, because
a request is accepted while its timestamp is within `max_skew_seconds` of the registry's clock.

On the server, the path to verify is the raw request target, not a decoded path: with ASGI,
`request_target(scope["raw_path"], scope["query_string"])`.
"""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from registry.protocol.errors import KeyFileRejected, SignatureRejected

HEADER_TERMINAL = "X-Madoguchi-Terminal"
HEADER_TIMESTAMP = "X-Madoguchi-Timestamp"
HEADER_NONCE = "X-Madoguchi-Nonce"
HEADER_SIGNATURE = "X-Madoguchi-Signature"
SIGNATURE_HEADERS = (HEADER_TERMINAL, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE)

REQUEST_CONTEXT = "madoguchi-request-v1"
MAX_SKEW_SECONDS = 300
NONCE_HEX_CHARS = 32
ED25519_PUBLIC_KEY_BYTES = 32
ED25519_SIGNATURE_BYTES = 64

# Terminal ids travel in a header and in the canonical text, so they are plain ASCII tokens.
_TERMINAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_TIMESTAMP = re.compile(r"0|[1-9][0-9]{0,11}")  # ASCII digits only: int() would take "١٢", " 1", "1_0"
_NONCE = re.compile(r"[0-9a-f]{32}")
_METHOD = re.compile(r"[A-Z]{1,16}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def is_valid_terminal_id(terminal_id: object) -> bool:
    """Whether `terminal_id` is a well-formed terminal id: 1–64 of A–Z a–z 0–9 . _ -, not starting with . _ -."""
    return isinstance(terminal_id, str) and _TERMINAL_ID.fullmatch(terminal_id) is not None


def b64url_encode(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict inverse of `b64url_encode`: only the base64url alphabet, no padding, canonical
    trailing bits. Raises ValueError otherwise."""
    if not isinstance(text, str) or _BASE64URL.fullmatch(text) is None or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    if b64url_encode(data) != text:
        raise ValueError("non-canonical base64url")
    return data


def request_target(raw_path: bytes | str, query_string: bytes | str = b"") -> str:
    """The path to sign or verify, from the raw path and query string as they were on the wire
    (ASGI's `scope["raw_path"]` and `scope["query_string"]`): "path" or "path?query"."""
    path = raw_path.decode("latin-1") if isinstance(raw_path, bytes) else raw_path
    query = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    return f"{path}?{query}" if query else path


def _check_path(path: str) -> None:
    # A request target on the wire is printable ASCII without spaces; anything else would be
    # re-encoded by the HTTP client and then no longer match what was signed.
    if not isinstance(path, str) or not path.startswith("/") or not all("\x21" <= c <= "\x7e" for c in path):
        raise ValueError(f"path must be the request target as sent (printable ASCII, starting with '/'): {path!r}")


def canonical_request(method: str, path: str, timestamp: int, nonce: str, body: bytes, terminal_id: str) -> bytes:
    """The bytes that are signed: newline-joined

        madoguchi-request-v1
        METHOD (upper case)
        path, with the query string exactly as sent
        terminal_id
        timestamp (unix seconds, decimal)
        nonce (32 lowercase hex)
        sha256 hex of the body

    Raises ValueError for a field that cannot appear in a well-formed request (a newline, a
    non-ASCII path, a malformed nonce…), so no two different requests share one canonical text.
    """
    method_upper = method.upper() if isinstance(method, str) else ""
    if _METHOD.fullmatch(method_upper) is None:
        raise ValueError(f"bad HTTP method: {method!r}")
    _check_path(path)
    if not is_valid_terminal_id(terminal_id):
        raise ValueError(f"bad terminal id: {terminal_id!r}")
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or _TIMESTAMP.fullmatch(str(timestamp)) is None:
        raise ValueError(f"bad timestamp: {timestamp!r}")
    if not isinstance(nonce, str) or _NONCE.fullmatch(nonce) is None:
        raise ValueError(f"bad nonce: {nonce!r}")
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("body must be bytes")
    lines = (
        REQUEST_CONTEXT,
        method_upper,
        path,
        terminal_id,
        str(timestamp),
        nonce,
        hashlib.sha256(body).hexdigest(),
    )
    return "\n".join(lines).encode("ascii")


class _Ed25519Key:
    """An Ed25519 private key kept in memory; saved as PKCS#8 PEM, encrypted with a password."""

    __slots__ = ("_private",)
    _password_required = True
    _unreadable_message = "鍵ファイルを開けませんでした。パスワードが違うか、ファイルが壊れています"
    _what = "key"

    def __init__(self, private_key: Ed25519PrivateKey):
        if not isinstance(private_key, Ed25519PrivateKey):
            raise TypeError("an Ed25519 private key is required")
        self._private = private_key

    @classmethod
    def generate(cls):
        return cls(Ed25519PrivateKey.generate())

    def public_key_bytes(self) -> bytes:
        """The raw 32-byte public key."""
        return self._private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of `data`."""
        return self._private.sign(bytes(data))

    def to_pem(self, password: bytes | None) -> bytes:
        """PKCS#8 PEM, encrypted with `password` (BestAvailableEncryption)."""
        if password is None:
            if self._password_required:
                raise ValueError(f"the {self._what} file must be encrypted: give a password")
            encryption: serialization.KeySerializationEncryption = serialization.NoEncryption()
        else:
            if not isinstance(password, bytes) or not password:
                raise ValueError("the password must be non-empty bytes")
            encryption = serialization.BestAvailableEncryption(password)
        return self._private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)

    @classmethod
    def from_pem(cls, data: bytes, password: bytes | None):
        """Loads a key saved by `to_pem`. A wrong or missing password, a damaged file, an
        unencrypted file when a password is given (or the reverse) or a key that is not Ed25519
        raise KeyFileRejected (code `key_file_unreadable`)."""
        if password is not None and not isinstance(password, bytes):
            raise TypeError("the password must be bytes or None")
        if password is None and cls._password_required:
            raise ValueError(f"the {cls._what} file is encrypted: give a password")
        try:
            key = serialization.load_pem_private_key(bytes(data), password=password)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise cls._unreadable(f"{type(exc).__name__}: {exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise cls._unreadable(f"not an Ed25519 key but {type(key).__name__}")
        return cls(key)

    @classmethod
    def _unreadable(cls, detail: str) -> KeyFileRejected:
        return KeyFileRejected(
            "key_file_unreadable",
            cls._unreadable_message,
            f"cannot load the {cls._what} file (wrong password, damaged, or not an Ed25519 PKCS#8 key): {detail}",
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(public_key={b64url_encode(self.public_key_bytes())})"


class TerminalKey(_Ed25519Key):
    """The terminal's own Ed25519 key; its file is always encrypted with a password."""

    __slots__ = ()
    _password_required = True
    _unreadable_message = "端末の鍵ファイルを開けませんでした。パスワードが違うか、ファイルが壊れています。システム管理者に連絡してください"
    _what = "terminal key"

    @classmethod
    def generate(cls) -> "TerminalKey":
        return cls(Ed25519PrivateKey.generate())

    def to_pem(self, password: bytes) -> bytes:  # type: ignore[override]
        return super().to_pem(password)

    @classmethod
    def from_pem(cls, data: bytes, password: bytes) -> "TerminalKey":  # type: ignore[override]
        return super().from_pem(data, password)


@dataclass(frozen=True)
class SignedRequest:
    """What a verified request's headers said."""

    terminal_id: str
    timestamp: int
    nonce: str


def sign_request(
    key: TerminalKey, terminal_id: str, method: str, path: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """The four signature headers for a request (`path` with its query string, exactly as it
    will be sent; `body` the exact bytes sent, b"" when there is none)."""
    timestamp = int(time.time() if now is None else now)
    nonce = secrets.token_hex(NONCE_HEX_CHARS // 2)
    signature = key.sign(canonical_request(method, path, timestamp, nonce, body, terminal_id))
    return {
        HEADER_TERMINAL: terminal_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: b64url_encode(signature),
    }


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """The one value of header `name`, looked up case-insensitively; None when it is missing,
    repeated (even in another case), or not text."""
    wanted = name.lower()
    items = headers.items() if hasattr(headers, "items") else ()
    values = [v for k, v in items if isinstance(k, str) and k.lower() == wanted]
    if len(values) != 1 or not isinstance(values[0], str):
        return None
    return values[0]


def header_terminal_id(headers: Mapping[str, str]) -> str | None:
    """The terminal id a request claims (not yet verified), so the registry can find its key;
    None when the header is missing or malformed."""
    value = _header(headers, HEADER_TERMINAL)
    return value if is_valid_terminal_id(value) else None


_MISSING_MESSAGE = "要求に端末の署名がありません。端末を再起動しても直らない場合はシステム管理者に連絡してください"
_INVALID_MESSAGE = "要求の署名を確認できませんでした。端末の登録が正しいか、システム管理者に確認してください"


def _missing(detail: str) -> SignatureRejected:
    return SignatureRejected("signature_missing", _MISSING_MESSAGE, f"signature headers missing or malformed: {detail}")


def _skew_text(seconds: int) -> str:
    return f"{seconds // 60}分" if seconds % 60 == 0 else f"{seconds}秒"


def verify_request(
    public_key: bytes,
    headers: Mapping[str, str],
    method: str,
    path: str,
    body: bytes,
    now: float,
    max_skew_seconds: int = MAX_SKEW_SECONDS,
) -> SignedRequest:
    """Checks a request's signature against the terminal's raw 32-byte public key.

    Raises SignatureRejected: `signature_missing` when a header is missing, repeated or
    malformed; `signature_invalid` when the signature does not match (another key, or any of
    method, path, query, body, terminal id, timestamp or nonce changed); `clock_skew` when the
    signature is good but the timestamp is more than `max_skew_seconds` from `now`. The nonce is
    returned for the caller's replay check; it is not checked here.
    """
    if not isinstance(public_key, bytes) or len(public_key) != ED25519_PUBLIC_KEY_BYTES:
        raise ValueError("the terminal public key must be 32 raw bytes")
    terminal_id = _header(headers, HEADER_TERMINAL)
    timestamp_text = _header(headers, HEADER_TIMESTAMP)
    nonce = _header(headers, HEADER_NONCE)
    signature_text = _header(headers, HEADER_SIGNATURE)
    absent = [n for n, v in zip(SIGNATURE_HEADERS, (terminal_id, timestamp_text, nonce, signature_text)) if v is None]
    if absent:
        raise _missing(f"{', '.join(absent)} absent or repeated")
    assert terminal_id is not None and timestamp_text is not None and nonce is not None and signature_text is not None
    if not is_valid_terminal_id(terminal_id):
        raise _missing(f"{HEADER_TERMINAL} malformed: {terminal_id[:80]!r}")
    if _TIMESTAMP.fullmatch(timestamp_text) is None:
        raise _missing(f"{HEADER_TIMESTAMP} malformed: {timestamp_text[:80]!r}")
    if _NONCE.fullmatch(nonce) is None:
        raise _missing(f"{HEADER_NONCE} malformed: {nonce[:80]!r}")
    try:
        signature = b64url_decode(signature_text)
    except ValueError:
        signature = b""
    if len(signature) != ED25519_SIGNATURE_BYTES:
        raise _missing(f"{HEADER_SIGNATURE} malformed: {signature_text[:100]!r}")
    timestamp = int(timestamp_text)

    try:
        message = canonical_request(method, path, timestamp, nonce, body, terminal_id)
    except ValueError as exc:
        raise SignatureRejected("signature_invalid", _INVALID_MESSAGE, f"request from {terminal_id} cannot match a signature: {exc}") from None
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature:
        raise SignatureRejected(
            "signature_invalid",
            _INVALID_MESSAGE,
            f"bad signature from terminal {terminal_id} on {method.upper()} {path[:200]}",
        ) from None

    offset = timestamp - now
    if abs(offset) > max_skew_seconds:
        direction = "ahead of" if offset > 0 else "behind"
        raise SignatureRejected(
            "clock_skew",
            f"端末の時計が登録サーバーと{_skew_text(int(max_skew_seconds))}以上ずれています。時刻を合わせてください",
            f"terminal {terminal_id} clock is {abs(offset):.0f} s {direction} the registry (allowed {max_skew_seconds} s)",
        )
    return SignedRequest(terminal_id=terminal_id, timestamp=timestamp, nonce=nonce)
