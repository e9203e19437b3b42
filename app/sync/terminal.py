"""A terminal's identity and its life: enrolment, operator login (online or offline), revocation.

Folder layout (all owner-only):
    terminal.json   who the terminal is: id, registry URL, certificate, ward, scope (no secrets)
    terminal.key    its Ed25519 private key, encrypted with the device key
    device.key      the device key (also the cache's device slot, for background sync)
    cache/          the encrypted cache (app.store.cache)

An operator logs in online when the registry answers (the password is checked there, and a key
slot for the cache is added the first time on this terminal); offline, the operator's key slot is
the verifier: only the right password opens the cache.
"""
from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path


from app.store.cache import Cache
from app.store.files import atomic_write_bytes
from app.store.keys import UnknownOperator, WrongPassword, load_or_create_device_key
from app.sync import client as registry_client
from app.sync.client import RegistryClient, RegistryUnreachable
from app.sync.identity import IDENTITY_FILE, REVOKED_FILE, NotEnrolled, TerminalIdentity  # noqa: F401  (part of this module's interface)
from registry.protocol.signing import TerminalKey

log = logging.getLogger(__name__)

KEY_FILE = "terminal.key"
DEVICE_KEY_FILE = "device.key"
CACHE_DIR = "cache"


def device_key(directory: Path) -> bytes:
    return load_or_create_device_key(Path(directory) / DEVICE_KEY_FILE)


def enrol(directory: Path, registry_url: str, code: str, *, transport=None) -> TerminalIdentity:
    """Makes this terminal's key pair and enrols it with a one-time code from an administrator."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    key = TerminalKey.generate()
    answer = registry_client.enrol(registry_url, code, key, transport=transport)
    atomic_write_bytes(directory / KEY_FILE, key.to_pem(device_key(directory).hex().encode()), mode=0o600)
    identity = TerminalIdentity(
        terminal_id=answer["terminal_id"],
        registry_url=registry_url.rstrip("/"),
        certificate=answer["certificate"],
        registry_public_key=answer["registry_public_key"],
        name=answer["name"],
        kind=answer["kind"],
        ward_code=answer["ward_code"],
        scope=answer["scope"],
    )
    identity.save(directory)
    log.info("enrolled as terminal %s with %s", identity.terminal_id, identity.registry_url)
    return identity


def client_for(directory: Path, *, transport=None, timeout: float = 30.0) -> RegistryClient:
    identity = TerminalIdentity.load(directory)
    key = TerminalKey.from_pem((Path(directory) / KEY_FILE).read_bytes(), device_key(directory).hex().encode())
    return RegistryClient(identity.registry_url, identity.terminal_id, key, transport=transport, timeout=timeout)


class NoCacheYet(Exception):
    message = "この端末にはまだキャッシュがありません。職員が一度オンラインでログインしてください（`madoguchi login`）。"


def open_for_sync(directory: Path) -> Cache:
    """The cache opened with the device key (background sync, no operator at the keyboard)."""
    TerminalIdentity.load(directory)  # NotEnrolled first: that is what to do first
    if (Path(directory) / REVOKED_FILE).exists():
        raise TerminalRevokedHere()
    if not (Path(directory) / CACHE_DIR / "cache.db").exists():
        raise NoCacheYet(str(directory))
    return Cache.open_with_device(Path(directory) / CACHE_DIR, device_key(directory))


def open_or_create_for_device(directory: Path) -> Cache:
    """For an unattended terminal (a kiosk): the cache opened with the device key, or — before its
    first sync — created keyed for the device only (no operator slot: no password exists)."""
    TerminalIdentity.load(directory)
    if (Path(directory) / REVOKED_FILE).exists():
        raise TerminalRevokedHere()
    cache_dir = Path(directory) / CACHE_DIR
    if not (cache_dir / "cache.db").exists():
        return Cache.create(cache_dir, operator_id=None, password=None, device_key=device_key(directory))
    return Cache.open_with_device(cache_dir, device_key(directory))


class TerminalRevokedHere(Exception):
    message = "この端末の登録は取り消され、端末内のデータは消去されています。管理者に連絡してください。"


def wipe(directory: Path) -> None:
    """What a revoked terminal does: its cache and its key are deleted; the identity is kept,
    marked, so the screen can say why."""
    directory = Path(directory)
    shutil.rmtree(directory / CACHE_DIR, ignore_errors=True)
    for name in (KEY_FILE,):
        try:
            os.remove(directory / name)
        except FileNotFoundError:
            pass
    atomic_write_bytes(directory / REVOKED_FILE, b"revoked by the registry\n", mode=0o600)
    log.warning("terminal folder %s wiped after revocation", directory)


@dataclass
class Login:
    cache: Cache
    operator: dict
    online: bool


def login(directory: Path, operator_id: str, password: str, *, client: RegistryClient | None = None, scrypt_n: int | None = None) -> Login:
    """Logs an operator in: at the registry when it answers, else offline against the cache slot.

    WrongPassword / UnknownOperator (with Japanese .message) when the cache refuses offline;
    RegistryRefused when the registry refuses (wrong password, locked account)."""
    directory = Path(directory)
    cache_dir = directory / CACHE_DIR
    client = client or client_for(directory)
    try:
        answer = client.call("POST", "/v1/sessions", body={"operator_id": operator_id, "password": password})
    except RegistryUnreachable:
        log.info("registry unreachable: offline login for %s", operator_id)
        cache = Cache.open_as_operator(cache_dir, operator_id, password)
        return Login(cache, {"operator_id": operator_id}, online=False)
    client.session_token = answer["token"]
    kwargs = {"scrypt_n": scrypt_n} if scrypt_n else {}
    if not (cache_dir / "cache.db").exists():
        cache = Cache.create(cache_dir, operator_id=operator_id, password=password, device_key=device_key(directory), **kwargs)
    else:
        try:
            cache = Cache.open_as_operator(cache_dir, operator_id, password)
        except (UnknownOperator, WrongPassword):
            # The registry vouched for the password: give this operator (or the new password) a slot.
            cache = Cache.open_with_device(cache_dir, device_key(directory))
            cache.add_operator(operator_id, password, **({"n": scrypt_n} if scrypt_n else {}))
    return Login(cache, answer["operator"], online=True)
