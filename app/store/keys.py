"""Key slots: the cache's random 256-bit data key, kept only wrapped (鍵スロット).

One slot per operator (scrypt of the password → AES-256-GCM key that wraps the data key) and one
device slot (a random device key kept in a file that only the terminal's account can read). The
slot file holds no personal data: operator ids, salts, nonces and wrapped keys.
"""
from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.store.files import atomic_write_bytes

SLOT_FILE_VERSION = 1
# scrypt cost: N=2**15, r=8 (32 MiB, ~60 ms here). Stored per slot so it can be raised later.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
DATA_KEY_BYTES = 32


class CacheKeyError(Exception):
    """Base for key problems; `message` is the Japanese text for the screen."""

    message = "暗号鍵を開けませんでした"

    def __init__(self, detail: str = ""):
        super().__init__(detail or self.__class__.__name__)


class WrongPassword(CacheKeyError):
    message = "操作者IDまたはパスワードが違います"


class UnknownOperator(CacheKeyError):
    message = "操作者IDまたはパスワードが違います"


class WrongDeviceKey(CacheKeyError):
    message = "この端末の装置鍵ではキャッシュを開けません（端末の再登録が必要です）"


class SlotFileDamaged(CacheKeyError):
    message = "鍵ファイルが破損しています。システム管理者に連絡してください"


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s.encode("ascii"))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode("utf-8"))


@dataclass
class KeySlots:
    """The slot file of one cache. Mutations are written atomically by `save`."""

    path: Path
    cache_id: str
    slots: dict[str, dict]

    @classmethod
    def create(cls, path: Path, cache_id: str) -> "KeySlots":
        return cls(Path(path), cache_id, {})

    @classmethod
    def load(cls, path: Path) -> "KeySlots":
        try:
            doc = json.loads(Path(path).read_text("utf-8"))
            if doc.get("version") != SLOT_FILE_VERSION:
                raise SlotFileDamaged(f"unsupported slot file version {doc.get('version')!r}")
            return cls(Path(path), doc["cache_id"], dict(doc["slots"]))
        except FileNotFoundError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise SlotFileDamaged(f"slot file {path} unreadable: {exc}") from exc

    def save(self) -> None:
        doc = {"version": SLOT_FILE_VERSION, "cache_id": self.cache_id, "slots": self.slots}
        atomic_write_bytes(self.path, json.dumps(doc, indent=1, sort_keys=True).encode("utf-8"), mode=0o600)

    # -- wrapping ---------------------------------------------------------------------------
    def _aad(self, slot_name: str) -> bytes:
        return f"madoguchi-cache:{self.cache_id}:{slot_name}".encode("utf-8")

    def _wrap(self, slot_name: str, kek: bytes, data_key: bytes, extra: dict) -> None:
        nonce = secrets.token_bytes(12)
        wrapped = AESGCM(kek).encrypt(nonce, data_key, self._aad(slot_name))
        self.slots[slot_name] = {**extra, "nonce": _b64(nonce), "wrapped": _b64(wrapped)}

    def _unwrap(self, slot_name: str, kek: bytes, error: type[CacheKeyError]) -> bytes:
        slot = self.slots[slot_name]
        try:
            return AESGCM(kek).decrypt(_unb64(slot["nonce"]), _unb64(slot["wrapped"]), self._aad(slot_name))
        except InvalidTag as exc:
            raise error(f"slot {slot_name} did not open") from exc

    # -- operator slots ------------------------------------------------------------------------
    @staticmethod
    def operator_slot(operator_id: str) -> str:
        return f"operator:{operator_id}"

    def operators(self) -> list[str]:
        return sorted(s.split(":", 1)[1] for s in self.slots if s.startswith("operator:"))

    def add_operator(self, operator_id: str, password: str, data_key: bytes, *, n: int = SCRYPT_N) -> None:
        if not password:
            raise ValueError("empty password")
        salt = secrets.token_bytes(16)
        kek = _scrypt(password, salt, n, SCRYPT_R, SCRYPT_P)
        extra = {"kdf": "scrypt", "salt": _b64(salt), "n": n, "r": SCRYPT_R, "p": SCRYPT_P}
        self._wrap(self.operator_slot(operator_id), kek, data_key, extra)

    def remove_operator(self, operator_id: str) -> None:
        self.slots.pop(self.operator_slot(operator_id), None)

    def unlock_operator(self, operator_id: str, password: str) -> bytes:
        name = self.operator_slot(operator_id)
        slot = self.slots.get(name)
        if slot is None:
            # Spend the same time as a real attempt so that ids cannot be probed by timing.
            _scrypt(password, b"\0" * 16, SCRYPT_N, SCRYPT_R, SCRYPT_P)
            raise UnknownOperator(f"no slot for operator {operator_id!r}")
        kek = _scrypt(password, _unb64(slot["salt"]), slot["n"], slot["r"], slot["p"])
        return self._unwrap(name, kek, WrongPassword)

    # -- device slot -----------------------------------------------------------------------------
    def set_device(self, device_key: bytes, data_key: bytes) -> None:
        self._wrap("device", device_key, data_key, {"kdf": "raw"})

    def unlock_device(self, device_key: bytes) -> bytes:
        if "device" not in self.slots:
            raise WrongDeviceKey("cache has no device slot")
        return self._unwrap("device", device_key, WrongDeviceKey)


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)


def load_or_create_device_key(path: Path) -> bytes:
    """The terminal's device key (装置鍵): 32 random bytes in a file readable by its owner only."""
    path = Path(path)
    if path.exists():
        key = path.read_bytes()
        if len(key) != 32:
            raise WrongDeviceKey(f"device key file {path} has {len(key)} bytes")
        return key
    key = secrets.token_bytes(32)
    atomic_write_bytes(path, key, mode=0o600)
    return key
