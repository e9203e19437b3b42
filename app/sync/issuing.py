"""The terminal's certificate-signing key and the registry's delegation of it.

Certificates are signed page by page (the QR code) by a key of this terminal, so that a counter
can issue while the network is down; the registry's issuing key vouches for that key with a
delegation that runs for a few weeks and is renewed at every sync. The private key lives inside
the encrypted cache (meta table), so it is wiped with the cache when the terminal is revoked. The
registry's issuing public key — the anchor `madoguchi verify-certificate` checks against — is
also written as a PEM file into the terminal folder, for verifying without opening the cache.
"""
from __future__ import annotations

import logging
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection

from app.store.cache import Cache
from app.store.files import atomic_write_bytes
from app.sync.client import RegistryClient
from app.store.meta import get_meta, set_meta
from registry.protocol.issuing import anchor_to_pem
from registry.protocol.signing import b64url_decode, b64url_encode

log = logging.getLogger(__name__)

PRIVATE_KEY = "issuing_private_key"
DELEGATION = "issuing_delegation"
ANCHOR = "issuing_anchor"
NOT_AFTER = "issuing_not_after"
RENEW_BEFORE_SECONDS = 7 * 86400


class NoIssuingKey(Exception):
    message = "証明書に署名する鍵がまだこの端末にありません。登録サーバーと同期してから発行してください。"


def _private_key(conn: Connection) -> Ed25519PrivateKey | None:
    raw = get_meta(conn, PRIVATE_KEY)
    return Ed25519PrivateKey.from_private_bytes(b64url_decode(raw)) if raw else None


def _public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def ensure_delegation(cache: Cache, client: RegistryClient, *, now: float, anchor_file: Path | None = None) -> bool:
    """Makes the key on first use and asks the registry for a delegation when there is none or it
    runs out within a week. Returns whether a new delegation was stored."""
    with cache.writer.begin() as conn:
        key = _private_key(conn)
        if key is None:
            key = Ed25519PrivateKey.generate()
            set_meta(conn, PRIVATE_KEY, b64url_encode(key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())))
            set_meta(conn, NOT_AFTER, 0)
        not_after = float(get_meta(conn, NOT_AFTER, "0"))
    if (anchor_file is not None and not anchor_file.exists()) or not_after - now < RENEW_BEFORE_SECONDS:
        answer = client.call("POST", "/v1/issuing/delegation", body={"public_key": b64url_encode(_public_bytes(key))})
        anchor = b64url_decode(answer["anchor"])
        with cache.writer.begin() as conn:
            current = _private_key(conn)
            if current is None or _public_bytes(current) != _public_bytes(key):
                return False  # the key changed meanwhile (another sync): its own delegation follows
            old_anchor = get_meta(conn, ANCHOR)
            if old_anchor and old_anchor != answer["anchor"]:
                log.warning("the registry's issuing key changed: certificates signed before still verify with the old anchor")
            set_meta(conn, DELEGATION, answer["delegation"])
            set_meta(conn, ANCHOR, answer["anchor"])
            set_meta(conn, NOT_AFTER, answer["not_after"])
        if anchor_file is not None:
            pem = anchor_to_pem(Ed25519PublicKey.from_public_bytes(anchor))
            if not anchor_file.exists() or anchor_file.read_bytes() != pem:
                atomic_write_bytes(anchor_file, pem, mode=0o644)
        log.info("issuing delegation renewed until %s", answer["not_after"])
        return True
    return False


def signing_material(conn: Connection) -> tuple[Ed25519PrivateKey, bytes, bytes]:
    """(private key, delegation, anchor) for signing certificates; NoIssuingKey when not delegated yet."""
    key = _private_key(conn)
    delegation, anchor = get_meta(conn, DELEGATION), get_meta(conn, ANCHOR)
    if key is None or not delegation or not anchor:
        raise NoIssuingKey("no issuing key or delegation in the cache")
    return key, b64url_decode(delegation), b64url_decode(anchor)
