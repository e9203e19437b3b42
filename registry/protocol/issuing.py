"""Certificate signatures: the registry's issuing key, terminal delegations, and each page's QR payload.

The trust root is the registry's **issuing key** (Ed25519); its public key is the *anchor* a
verifier holds (`ANCHOR_FILE` in a terminal's folder, PEM). Terminals issue certificates offline,
so the registry signs a short **delegation** for each terminal's own issuing key, and the terminal
signs every page it prints. A page's QR code carries everything needed to check it offline with the
anchor alone:

    delegation (binary, self-delimiting; signed by the registry issuing key):
        u8   version (1)
        u8   length of the terminal id, then the id (ASCII, `is_valid_terminal_id`)
        32   the terminal's issuing public key (raw Ed25519)
        u32  not_before, u32 not_after (unix seconds, big-endian; valid while not_before <= t < not_after)
        64   signature over DELEGATION_CONTEXT + every byte above

    page payload (signed by the terminal's issuing key):
        u8   version (1)
        ...  the delegation, as above
        u32  signed_at (unix seconds)
        u8   length of the issue number, then the issue number (UTF-8, j1040: 「20261206 千葉市 … 1/2」)
        32   SHA-256 of the page's printed content (defined by the renderer, recomputed by the verifier)
        u16  length of the summary, then the summary: raw DEFLATE (with SUMMARY_DICTIONARY) of the
             page's essential printed items (`PageSummary`), so that someone holding only a scan can
             compare it with the paper
        64   signature over PAGE_CONTEXT + every byte above

    text: PAYLOAD_PREFIX + base45 (RFC 9285) of the payload. Every character is in the QR code's
    alphanumeric set (0-9 A-Z space $ % * + - . / :), so the code is 25 % smaller than with bytes;
    the last character is never a space (base45 cannot end in one), so trimming a scan changes nothing.

Every field has exactly one encoding: parsing is strict (lengths, versions, UTF-8, canonical base45,
no trailing bytes, a bounded inflate), and anything else is refused as unreadable, never an exception
from deep inside. The context prefixes keep these signatures from ever being taken for request or
terminal-certificate signatures (`signing.py`, `certificates.py`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import struct
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from registry.protocol.errors import ProtocolError
from registry.protocol.signing import (
    ED25519_PUBLIC_KEY_BYTES,
    ED25519_SIGNATURE_BYTES,
    _Ed25519Key,
    is_valid_terminal_id,
)

ANCHOR_FILE = "issuing-anchor.pem"  #: in a terminal's folder: the registry issuing key's public key (PEM)
DELEGATION_CONTEXT = b"madoguchi-issuing-delegation-v1\n"
PAGE_CONTEXT = b"madoguchi-certificate-page-v1\n"
DELEGATION_VERSION = 1
PAYLOAD_VERSION = 1
PAYLOAD_PREFIX = "MDG1:"
DIGEST_BYTES = 32
MAX_ISSUE_NUMBER_BYTES = 255
MAX_SUMMARY_BYTES = 4096  # inflated
MAX_PAYLOAD_CHARS = 4296  # a version-40 QR code's alphanumeric capacity
MAX_TIMESTAMP = 2**32 - 1
#: How far a page's signing time may lie ahead of the verifier's clock (clocks differ a little).
FUTURE_LEEWAY_SECONDS = 600

#: Verdict statuses.
GENUINE = "genuine"
ALTERED = "altered"
UNKNOWN_KEY = "unknown_key"
EXPIRED = "expired"
UNREADABLE = "unreadable"

MESSAGE_GENUINE = "真正な証明書です"
MESSAGE_ALTERED = "改ざんの可能性があります"
MESSAGE_UNKNOWN_KEY = "この市の発行用の鍵で署名されていません（偽造の可能性があります）"
MESSAGE_EXPIRED = "発行した端末の発行権限の期間外に署名されています（無効な証明書です）"
MESSAGE_UNREADABLE = "窓口システムの証明書ではないか、読み取れません"

# What the summary of a page mostly consists of, least likely first (DEFLATE prefers the end of a
# dictionary). Part of payload version 1: never change it, make version 2 instead.
SUMMARY_DICTIONARY = (
    "在留カード国籍中華人民共和国ベトナム韓国フィリピンネパール米国"
    "方書号室ハイツマンションアパートコーポ荘棟階"
    "転出証明書住民票記載事項証明書住民票の除票の写し"
    "千葉県千葉市長中央区長花見川区長稲毛区長若葉区長緑区長美浜区長"
    "千葉県千葉市美浜区千葉県千葉市緑区千葉県千葉市若葉区千葉県千葉市稲毛区千葉県千葉市花見川区"
    "丁目番地番号一二三四五六七八九十"
    "明治大正昭和平成令和元年年月日頃不詳\t男\n\t女\n"
    "住民票の写し\n千葉県千葉市中央区"
).encode("utf-8")

_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")
_DELEGATION_FIXED = ED25519_PUBLIC_KEY_BYTES + 4 + 4 + ED25519_SIGNATURE_BYTES


class IssuingRejected(ProtocolError):
    """The terminal cannot sign a certificate now (its delegation is not valid at this time, or its
    key does not match the delegation). Local: 500 if it ever reaches an HTTP response."""

    status = 500


class PayloadError(ValueError):
    """A payload or delegation that is not well formed (internal: verification turns it into a Verdict)."""


# --- base45 (RFC 9285) -------------------------------------------------------------------------

BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_BASE45_VALUE = {c: i for i, c in enumerate(BASE45_ALPHABET)}


def base45_encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        c, n = n % 45, n // 45
        d, e = n % 45, n // 45
        out += (BASE45_ALPHABET[c], BASE45_ALPHABET[d], BASE45_ALPHABET[e])
    if len(data) % 2:
        n = data[-1]
        out += (BASE45_ALPHABET[n % 45], BASE45_ALPHABET[n // 45])
    return "".join(out)


def base45_decode(text: str) -> bytes:
    """Strict: only the alphabet, a length that is not 1 mod 3, every chunk within range (so the
    encoding is canonical: exactly one text per byte string). Raises PayloadError."""
    if not isinstance(text, str) or len(text) % 3 == 1:
        raise PayloadError("not base45 (length)")
    try:
        values = [_BASE45_VALUE[c] for c in text]
    except KeyError as exc:
        raise PayloadError(f"not base45 (character {str(exc)[:10]})") from None
    out = bytearray()
    full = len(values) - len(values) % 3
    for i in range(0, full, 3):
        n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025
        if n > 0xFFFF:
            raise PayloadError("not base45 (chunk out of range)")
        out += n.to_bytes(2, "big")
    if full < len(values):
        n = values[full] + values[full + 1] * 45
        if n > 0xFF:
            raise PayloadError("not base45 (chunk out of range)")
        out.append(n)
    return bytes(out)


# --- keys ----------------------------------------------------------------------------------------

KeyLike = Ed25519PrivateKey | _Ed25519Key


def _sign(key: KeyLike, data: bytes) -> bytes:
    if isinstance(key, (Ed25519PrivateKey, _Ed25519Key)):
        return key.sign(data)
    raise TypeError("an Ed25519 private key is required")


def _public_bytes(key: KeyLike | Ed25519PublicKey) -> bytes:
    if isinstance(key, _Ed25519Key):
        return key.public_key_bytes()
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    if isinstance(key, Ed25519PublicKey):
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    raise TypeError("an Ed25519 key is required")


def anchor_to_pem(key: KeyLike | Ed25519PublicKey) -> bytes:
    """The anchor file's content: the issuing key's public key as SubjectPublicKeyInfo PEM."""
    public = Ed25519PublicKey.from_public_bytes(_public_bytes(key))
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_anchor(data: bytes) -> Ed25519PublicKey:
    """An anchor from PEM (SubjectPublicKeyInfo). ValueError when it is not an Ed25519 public key."""
    try:
        key = serialization.load_pem_public_key(bytes(data))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a PEM public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"not an Ed25519 public key but {type(key).__name__}")
    return key


def _timestamp(value: int | dt.datetime, name: str) -> int:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"{name} must be timezone-aware")
        value = int(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TIMESTAMP:
        raise ValueError(f"{name} must be unix seconds within 0..2^32-1")
    return value


# --- delegation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delegation:
    """What the registry's issuing key vouches for: this terminal's issuing key, for a period."""

    terminal_id: str
    public_key: bytes
    not_before: int
    not_after: int
    signature: bytes
    raw: bytes = field(repr=False)  # the exact bytes parsed (body + signature)

    @property
    def body(self) -> bytes:
        return self.raw[: -ED25519_SIGNATURE_BYTES]

    def valid_at(self, t: float) -> bool:
        return self.not_before <= t < self.not_after

    def signed_by(self, anchor: Ed25519PublicKey) -> bool:
        try:
            anchor.verify(self.signature, DELEGATION_CONTEXT + self.body)
        except InvalidSignature:
            return False
        return True


def _delegation_body(terminal_id: str, public_key: bytes, not_before: int, not_after: int) -> bytes:
    tid = terminal_id.encode("ascii")
    return bytes((DELEGATION_VERSION, len(tid))) + tid + public_key + _U32.pack(not_before) + _U32.pack(not_after)


def make_delegation(
    registry_issuing_key: KeyLike,
    terminal_id: str,
    terminal_public_key: bytes | Ed25519PublicKey,
    not_before: int | dt.datetime,
    not_after: int | dt.datetime,
) -> bytes:
    """The registry's delegation of certificate signing to one terminal's issuing key (binary, ~120 bytes)."""
    if not is_valid_terminal_id(terminal_id):
        raise ValueError(f"bad terminal id: {terminal_id!r}")
    public = terminal_public_key if isinstance(terminal_public_key, bytes) else _public_bytes(terminal_public_key)
    if len(public) != ED25519_PUBLIC_KEY_BYTES:
        raise ValueError("the terminal public key must be 32 raw bytes")
    start, end = _timestamp(not_before, "not_before"), _timestamp(not_after, "not_after")
    if end <= start:
        raise ValueError("not_after must be after not_before")
    body = _delegation_body(terminal_id, public, start, end)
    return body + _sign(registry_issuing_key, DELEGATION_CONTEXT + body)


def parse_delegation(data: bytes, offset: int = 0) -> tuple[Delegation, int]:
    """The delegation starting at `offset` and the offset just after it. Raises PayloadError."""
    if len(data) < offset + 2:
        raise PayloadError("delegation cut short")
    if data[offset] != DELEGATION_VERSION:
        raise PayloadError(f"unknown delegation version {data[offset]}")
    id_len = data[offset + 1]
    start = offset + 2
    end = start + id_len + _DELEGATION_FIXED
    if len(data) < end:
        raise PayloadError("delegation cut short")
    try:
        terminal_id = data[start : start + id_len].decode("ascii")
    except UnicodeDecodeError:
        raise PayloadError("delegation terminal id is not ASCII") from None
    if not is_valid_terminal_id(terminal_id):
        raise PayloadError("delegation terminal id malformed")
    p = start + id_len
    public_key = bytes(data[p : p + ED25519_PUBLIC_KEY_BYTES])
    p += ED25519_PUBLIC_KEY_BYTES
    (not_before,) = _U32.unpack_from(data, p)
    (not_after,) = _U32.unpack_from(data, p + 4)
    if not_after <= not_before:
        raise PayloadError("delegation period empty")
    signature = bytes(data[p + 8 : end])
    return Delegation(terminal_id, public_key, not_before, not_after, signature, bytes(data[offset:end])), end


# --- page summary --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonSummary:
    name: str
    birth_date: str
    sex: str


@dataclass(frozen=True)
class PageSummary:
    """The essential printed items of a page, as printed (和暦 text and all): what a person with
    only a phone compares with the paper."""

    title: str
    certified_on: str  # the certificate's date as printed (「令和8年12月6日」)
    certifier: str  # 「千葉県千葉市長　稲毛　誠一」
    address: str
    persons: tuple[PersonSummary, ...] = ()

    MAX_PERSONS = 16

    def __post_init__(self) -> None:
        for value in (self.title, self.certified_on, self.certifier, self.address):
            _check_field(value)
        if len(self.persons) > self.MAX_PERSONS:
            raise ValueError(f"at most {self.MAX_PERSONS} persons on a page")
        for p in self.persons:
            for value in (p.name, p.birth_date, p.sex):
                _check_field(value)

    def to_text(self) -> str:
        lines = [self.title, self.certified_on, self.certifier, self.address]
        lines += [f"{p.name}\t{p.birth_date}\t{p.sex}" for p in self.persons]
        return "\n".join(lines)

    @classmethod
    def from_text(cls, text: str) -> "PageSummary":
        lines = text.split("\n")
        if len(lines) < 4:
            raise PayloadError("summary has too few lines")
        persons = []
        for line in lines[4:]:
            parts = line.split("\t")
            if len(parts) != 3:
                raise PayloadError("summary person line malformed")
            persons.append(PersonSummary(*parts))
        try:
            return cls(*lines[:4], tuple(persons))
        except ValueError as exc:
            raise PayloadError(f"summary malformed: {exc}") from None

    def lines_ja(self) -> list[str]:
        """The summary as lines to show beside a verdict."""
        out = [f"証明書: {self.title}", f"証明日: {self.certified_on}", f"証明者: {self.certifier}"]
        if self.address:
            out.append(f"住所: {self.address}")
        out += [f"氏名: {p.name}　生年月日: {p.birth_date}　性別: {p.sex}" for p in self.persons]
        return out


def _check_field(value: object) -> None:
    if not isinstance(value, str) or not value.replace("\u3000", " ").isprintable():
        raise ValueError(f"summary field must be printable text without tabs or newlines: {str(value)[:40]!r}")


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, SUMMARY_DICTIONARY)
    return c.compress(data) + c.flush()


def _inflate(data: bytes) -> bytes:
    d = zlib.decompressobj(-15, SUMMARY_DICTIONARY)
    try:
        out = d.decompress(data, MAX_SUMMARY_BYTES + 1)
    except zlib.error:
        raise PayloadError("summary is not DEFLATE data") from None
    if len(out) > MAX_SUMMARY_BYTES or d.unconsumed_tail or not d.eof or d.unused_data:
        raise PayloadError("summary too long or not one complete DEFLATE stream")
    return out


# --- the page payload ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PagePayload:
    """A parsed (not yet verified) page payload."""

    delegation: Delegation
    signed_at: int
    issue_number: str
    digest: bytes
    summary: PageSummary
    signature: bytes
    signed_bytes: bytes = field(repr=False)


def encode_payload(binary: bytes) -> str:
    return PAYLOAD_PREFIX + base45_encode(binary)


def parse_payload(text: str) -> PagePayload:
    """Strict parse of a payload text. Raises PayloadError for anything malformed."""
    if not isinstance(text, str):
        raise PayloadError("payload is not text")
    if len(text) > MAX_PAYLOAD_CHARS:
        raise PayloadError("payload too long")
    if not text.startswith(PAYLOAD_PREFIX):
        raise PayloadError("payload prefix missing")
    data = base45_decode(text[len(PAYLOAD_PREFIX) :])
    if not data or data[0] != PAYLOAD_VERSION:
        raise PayloadError(f"unknown payload version {data[0] if data else None}")
    delegation, p = parse_delegation(data, 1)
    if len(data) < p + 5:
        raise PayloadError("payload cut short")
    (signed_at,) = _U32.unpack_from(data, p)
    n = data[p + 4]
    p += 5
    if len(data) < p + n + DIGEST_BYTES + 2:
        raise PayloadError("payload cut short")
    try:
        issue_number = data[p : p + n].decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("issue number is not UTF-8") from None
    if not issue_number or not issue_number.replace("\u3000", " ").isprintable():
        raise PayloadError("issue number malformed")
    p += n
    digest = bytes(data[p : p + DIGEST_BYTES])
    p += DIGEST_BYTES
    (m,) = _U16.unpack_from(data, p)
    p += 2
    if len(data) != p + m + ED25519_SIGNATURE_BYTES:
        raise PayloadError("payload length does not add up")
    try:
        summary_text = _inflate(data[p : p + m]).decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("summary is not UTF-8") from None
    summary = PageSummary.from_text(summary_text)
    p += m
    return PagePayload(delegation, signed_at, issue_number, digest, summary, bytes(data[p:]), bytes(data[:p]))


class IssuingSigner:
    """Signs certificate pages with a terminal's issuing key under the registry's delegation.

    `clock` gives unix seconds (tests pass their own). Signing outside the delegation's period, or
    with a key the delegation is not for, raises IssuingRejected with a Japanese message.
    """

    def __init__(self, private_key: KeyLike, delegation: bytes, *, clock: Callable[[], float] = time.time):
        try:
            parsed, end = parse_delegation(delegation)
        except PayloadError as exc:
            raise ValueError(f"bad delegation: {exc}") from None
        if end != len(delegation):
            raise ValueError("bad delegation: trailing bytes")
        if _public_bytes(private_key) != parsed.public_key:
            raise IssuingRejected(
                "issuing_key_mismatch",
                "この端末の発行用の鍵が登録サーバーの委任と一致しません。システム管理者に連絡してください",
                f"issuing key does not match the delegation for terminal {parsed.terminal_id}",
            )
        self._key = private_key
        self.delegation = parsed
        self._clock = clock

    @property
    def terminal_id(self) -> str:
        return self.delegation.terminal_id

    def _check_valid(self, now: int) -> None:
        if not self.delegation.valid_at(now):
            raise IssuingRejected(
                "issuing_key_expired",
                "この端末の証明書発行用の鍵の有効期間外です。登録サーバーと同期してから発行してください",
                f"delegation of terminal {self.terminal_id} valid {self.delegation.not_before}..{self.delegation.not_after}, now {now}",
            )

    def sign_page(self, issue_number: str, digest: bytes, summary: PageSummary) -> str:
        """The payload text for one page (what its QR code carries)."""
        now = int(self._clock())
        self._check_valid(now)
        number = issue_number.encode("utf-8")
        if not issue_number or len(number) > MAX_ISSUE_NUMBER_BYTES or not issue_number.replace("\u3000", " ").isprintable():
            raise ValueError("issue number must be 1–255 bytes of printable text")
        if not isinstance(digest, bytes) or len(digest) != DIGEST_BYTES:
            raise ValueError("digest must be 32 bytes (SHA-256)")
        packed = _deflate(summary.to_text().encode("utf-8"))
        if len(packed) > 0xFFFF:
            raise ValueError("summary too long")
        body = (
            bytes((PAYLOAD_VERSION,)) + self.delegation.raw + _U32.pack(now)
            + bytes((len(number),)) + number + digest + _U16.pack(len(packed)) + packed
        )
        return encode_payload(body + _sign(self._key, PAGE_CONTEXT + body))


# --- verification --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What verification found. `message` is Japanese for the person (headline and reason), `detail`
    English for logs; `issue_numbers` and `summaries` are what the payload(s) said (when readable)."""

    status: str  # GENUINE, ALTERED, UNKNOWN_KEY, EXPIRED or UNREADABLE
    message: str
    detail: str
    issue_numbers: tuple[str, ...] = ()
    summaries: tuple[PageSummary, ...] = ()
    terminal_id: str = ""
    signed_at: int | None = None
    digests: tuple[bytes, ...] = ()

    @property
    def genuine(self) -> bool:
        return self.status == GENUINE

    def report_ja(self) -> str:
        """The verdict as a few lines for a person."""
        lines = [self.message]
        if self.issue_numbers:
            lines.append("発行番号: " + "、".join(self.issue_numbers))
        if self.terminal_id:
            when = ""
            if self.signed_at is not None:
                t = dt.datetime.fromtimestamp(self.signed_at, _JST)
                when = f"（署名 {t.year}年{t.month}月{t.day}日{t.hour}時{t.minute:02d}分）"
            lines.append(f"発行端末: {self.terminal_id}{when}")
        seen: set[str] = set()
        for s in self.summaries:
            for line in s.lines_ja():
                if line not in seen:
                    seen.add(line)
                    lines.append("  " + line)
        return "\n".join(lines)


_JST = dt.timezone(dt.timedelta(hours=9))


def _headline(status: str) -> str:
    return {
        GENUINE: MESSAGE_GENUINE,
        ALTERED: MESSAGE_ALTERED,
        UNKNOWN_KEY: MESSAGE_UNKNOWN_KEY,
        EXPIRED: MESSAGE_EXPIRED,
        UNREADABLE: MESSAGE_UNREADABLE,
    }[status]


def verdict(status: str, reason_ja: str, detail: str, **kw) -> Verdict:
    message = _headline(status) + (f"：{reason_ja}" if reason_ja else "")
    return Verdict(status, message, detail, **kw)


def verify_payload(text: str, anchors: Sequence[Ed25519PublicKey], at: float | None = None) -> Verdict:
    """Checks one page's payload (a QR code's text) against the anchors, offline.

    Genuine means: well formed, the delegation signed by one of `anchors`, the page signed by the
    delegated key, signed within the delegation's period and not after `at` (default now) plus a
    little leeway. The page's printed content is NOT checked here (only `verify_pdf` can): the
    summary is returned so that a person can compare it with the paper.
    """
    now = time.time() if at is None else at
    try:
        payload = parse_payload(text.strip() if isinstance(text, str) else text)
    except PayloadError as exc:
        return verdict(UNREADABLE, "", f"payload unreadable: {exc}")
    d = payload.delegation
    known = dict(issue_numbers=(payload.issue_number,), terminal_id=d.terminal_id, signed_at=payload.signed_at)
    if not any(d.signed_by(a) for a in anchors):
        return verdict(UNKNOWN_KEY, "", f"delegation for terminal {d.terminal_id} not signed by any of {len(anchors)} anchor(s)", **known)
    try:
        Ed25519PublicKey.from_public_bytes(d.public_key).verify(payload.signature, PAGE_CONTEXT + payload.signed_bytes)
    except (InvalidSignature, ValueError):
        return verdict(ALTERED, "QRコードの内容が署名と一致しません", f"page signature invalid (terminal {d.terminal_id})", **known)
    known.update(summaries=(payload.summary,), digests=(payload.digest,))
    if not d.valid_at(payload.signed_at):
        return verdict(
            EXPIRED, f"署名日時が委任の有効期間（{_jst(d.not_before)}〜{_jst(d.not_after)}）の外です",
            f"signed at {payload.signed_at}, delegation valid {d.not_before}..{d.not_after}", **known,
        )
    if payload.signed_at > now + FUTURE_LEEWAY_SECONDS:
        return verdict(ALTERED, "署名日時が未来の日時です", f"signed at {payload.signed_at}, now {now:.0f}", **known)
    return verdict(GENUINE, "", f"page {payload.issue_number} signed by terminal {d.terminal_id}", **known)


def _jst(t: int) -> str:
    d = dt.datetime.fromtimestamp(t, _JST)
    return f"{d.year}年{d.month}月{d.day}日"


def digest_of(content: bytes) -> bytes:
    """SHA-256, the digest a page payload carries."""
    return hashlib.sha256(content).digest()
