"""Self-service kiosks at the registry: which My Number card belongs to which resident, and who is
holding the card now (proof of possession).

- **Card links** (`card_links`): a JPKI 利用者証明用電子証明書 — its issuer and serial, and the
  SHA-256 of its DER — linked to a resident. In the national system J-LIS maps a certificate to
  its holder; here the city loads the links (`madoguchi registry link-card`). A certificate
  names the card, never the resident: without a link a kiosk learns nothing.
- **Identification**: a kiosk asks for a fresh random challenge (`new_challenge`, kept with a
  short expiry and usable once), has the card sign it after the resident's PIN, and sends the
  certificate and the signature (`identify`). The registry checks the signature with the
  certificate's key, the certificate's chain to *its own* configured trust anchor and CRL
  (`hardware.jpki`'s pure checks), that the challenge is this kiosk's, unused and unexpired, and
  that a link exists; then it answers the resident and the household members the resident may
  choose (names only, in the j1010 order). Every refusal is neutral: the kiosk shows
  「窓口でお手続きください」 and learns nothing about the register.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from cryptography import x509
from sqlalchemy import Connection, delete, insert, select, update

from domain.household_order import order_members
from domain.ids import uuid7
from hardware.errors import CardError, TrustConfigError
from hardware import jpki
from hardware.jpki import TrustConfig, check_certificate, check_signature, utc_now
from registry.protocol.errors import ProtocolError
from registry.protocol.signing import b64url_decode, b64url_encode
from registry.register import RegistryRegister
from registry.schema import card_links, kiosk_challenges

log = logging.getLogger(__name__)

CHALLENGE_BYTES = 32
CHALLENGE_SECONDS = 120  # from the challenge to the signature: the PIN is typed in between
MAX_CERTIFICATE_BYTES = 8192
NEUTRAL = "このカードでは、こちらで証明書を発行できません。窓口でお手続きください。"


class KioskError(ProtocolError):
    """A refusal at the kiosk endpoints. The kiosk shows `message` (neutral); the log has why."""


def _refused(log_message: str, code: str = "kiosk_refused", status: int = 403) -> KioskError:
    return KioskError(code, NEUTRAL, log_message, status=status)


# -- the registry's trust in JPKI ------------------------------------------------------------------


@dataclass
class JpkiTrust:
    """The J-LIS 利用者証明用 CA certificate(s) and CRL the registry checks kiosk cards against,
    read from files and read again when a file changes (the city's update job replaces the CRL)."""

    anchor: str
    crl: str
    now: Callable[[], dt.datetime] = utc_now
    _loaded: tuple[tuple, TrustConfig] | None = field(default=None, repr=False)

    def _stamp(self) -> tuple:
        out = []
        for p in (self.anchor, self.crl):
            try:
                st = os.stat(p)
                out.append((st.st_mtime_ns, st.st_size))
            except OSError:
                out.append(None)
        return tuple(out)

    def current(self) -> TrustConfig:
        """TrustConfigError (logged; the kiosk hears the neutral message) when a file is unusable."""
        stamp = self._stamp()
        if self._loaded is None or self._loaded[0] != stamp:
            self._loaded = (stamp, TrustConfig.from_files(self.anchor or None, self.crl or None))
            log.info("JPKI trust loaded: anchor %s, CRL %s", self.anchor, self.crl)
        return self._loaded[1]

    @classmethod
    def from_environment(cls) -> "JpkiTrust | None":
        anchor, crl = os.environ.get("MADOGUCHI_REGISTRY_JPKI_ANCHOR", ""), os.environ.get("MADOGUCHI_REGISTRY_JPKI_CRL", "")
        return cls(anchor, crl) if anchor or crl else None


# -- card links ------------------------------------------------------------------------------------


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER; ValueError when it is neither."""
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def fingerprint(cert: x509.Certificate) -> str:
    return jpki.identity_of(cert).fingerprint_sha256


def serial_hex(cert: x509.Certificate) -> str:
    return jpki.identity_of(cert).serial_hex


def link_card(conn: Connection, resident_id: str, cert: x509.Certificate, *, now: float | None = None) -> dict:
    """Links a card's 利用者証明用 certificate to a resident (a new card of the same resident gets a
    link of its own; linking a certificate again moves it)."""
    now = time.time() if now is None else now
    register = RegistryRegister(conn)
    if register.resident(resident_id) is None:
        raise KioskError("resident_unknown", f"宛名番号 {resident_id} の住民が登録サーバーに見つかりません。", f"link to unknown resident {resident_id}", status=404)
    fp = fingerprint(cert)
    conn.execute(delete(card_links).where(card_links.c.fingerprint == fp))
    row = {
        "fingerprint": fp,
        "issuer": cert.issuer.rfc4514_string(),
        "serial": serial_hex(cert),
        "resident_id": resident_id,
        "not_after": cert.not_valid_after_utc.isoformat(),
        "linked_at": now,
    }
    conn.execute(insert(card_links).values(**row))
    log.info("card %s of %s linked to resident %s", row["serial"], row["issuer"], resident_id)
    return {k: row[k] for k in ("resident_id", "serial", "issuer", "fingerprint", "not_after")}


def unlink_card(conn: Connection, cert: x509.Certificate) -> bool:
    return conn.execute(delete(card_links).where(card_links.c.fingerprint == fingerprint(cert))).rowcount > 0


def linked_resident(conn: Connection, cert: x509.Certificate) -> str:
    """The resident a certificate is linked to ("" when none): issuer, serial and fingerprint must
    all match (a certificate with the same serial from another issuer is another card)."""
    row = conn.execute(
        select(card_links.c.resident_id).where(
            card_links.c.fingerprint == fingerprint(cert),
            card_links.c.issuer == cert.issuer.rfc4514_string(),
            card_links.c.serial == serial_hex(cert),
        )
    ).first()
    return "" if row is None else row.resident_id


# -- challenges and identification ---------------------------------------------------------------


def new_challenge(conn: Connection, terminal_id: str, *, now: float, random: Callable[[int], bytes] = secrets.token_bytes) -> dict:
    """A fresh challenge for this kiosk, usable once within CHALLENGE_SECONDS."""
    conn.execute(delete(kiosk_challenges).where(kiosk_challenges.c.expires_at < now - 3600))  # old ones go
    challenge = random(CHALLENGE_BYTES)
    challenge_id = uuid7()
    conn.execute(
        insert(kiosk_challenges).values(
            challenge_id=challenge_id, terminal_id=terminal_id, challenge=b64url_encode(challenge), created_at=now, expires_at=now + CHALLENGE_SECONDS, used_at=None
        )
    )
    return {"challenge_id": challenge_id, "challenge": b64url_encode(challenge), "expires_at": now + CHALLENGE_SECONDS}


@dataclass(frozen=True)
class Identified:
    resident_id: str
    members: tuple[dict, ...]  # {"resident_id", "name"} in the j1010 order, the resident among them

    def to_dict(self) -> dict:
        return {"resident_id": self.resident_id, "members": list(self.members)}


def identify(
    conn: Connection,
    terminal_id: str,
    *,
    challenge_id: str,
    certificate: bytes,
    signature: bytes,
    trust: JpkiTrust | None,
    now: float,
) -> Identified:
    """Who holds the card (see the module's docstring). KioskError (neutral) on every refusal;
    the challenge is used up by the attempt, whatever its outcome."""
    row = conn.execute(select(kiosk_challenges).where(kiosk_challenges.c.challenge_id == challenge_id)).first()
    if row is None or row.terminal_id != terminal_id:
        raise _refused(f"challenge {challenge_id[:40]!r} unknown to terminal {terminal_id}")
    if row.used_at is not None:
        raise _refused(f"challenge {challenge_id} used already (a replay)")
    conn.execute(update(kiosk_challenges).where(kiosk_challenges.c.challenge_id == challenge_id).values(used_at=now))
    if now > row.expires_at:
        raise _refused(f"challenge {challenge_id} expired {now - row.expires_at:.0f} s ago")
    if trust is None:
        raise KioskError("kiosk_not_configured", "登録サーバーで電子証明書の検証設定がされていません。窓口でお手続きください。",
                         "no JPKI trust anchor configured at the registry (serve --jpki-anchor/--jpki-crl)", status=503)
    try:
        cert = x509.load_der_x509_certificate(certificate)
    except ValueError as e:
        raise _refused(f"certificate is not DER ({e})", status=422) from None
    try:
        config = trust.current()
        check_certificate(cert, config, trust.now())
        check_signature(cert, b64url_decode(row.challenge), signature)
    except TrustConfigError as e:
        raise KioskError("kiosk_not_configured", "登録サーバーで電子証明書を検証できません。窓口でお手続きください。", f"registry JPKI trust: {e}", status=503) from None
    except CardError as e:
        raise _refused(f"certificate {serial_hex(cert)} refused: {type(e).__name__}: {e}") from None
    resident_id = linked_resident(conn, cert)
    if not resident_id:
        raise _refused(f"certificate {serial_hex(cert)} of {cert.issuer.rfc4514_string()} is linked to no resident")
    register = RegistryRegister(conn)
    me = register.resident(resident_id)
    if me is None or not me.is_current:
        raise _refused(f"resident {resident_id} of certificate {serial_hex(cert)} is not a current resident")
    members = register.household_members(me.household_id) if me.household_id else [me]
    if not any(m.resident_id == resident_id for m in members):
        members.append(me)
    h = register.household(me.household_id) if me.household_id else None
    ordered = order_members(members, h.member_order if h else ())
    log.info("kiosk %s: certificate %s identified resident %s", terminal_id, serial_hex(cert), resident_id)
    return Identified(resident_id, tuple({"resident_id": m.resident_id, "name": m.name.full} for m in ordered))


def read_certificate_file(path: str) -> x509.Certificate:
    """For `link-card`: a PEM or DER file; KioskError (Japanese) when it is not a certificate."""
    try:
        return load_certificate(Path(path).read_bytes())
    except OSError as e:
        raise KioskError("certificate_unreadable", f"証明書のファイル（{path}）を読み込めません。", f"{path}: {e}", status=422) from None
    except ValueError as e:
        raise KioskError("certificate_invalid", f"証明書のファイル（{path}）が証明書の形式ではありません。", f"{path}: {e}", status=422) from None
