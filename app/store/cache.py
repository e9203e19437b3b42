"""The terminal's encrypted cache (端末キャッシュ): a folder holding the SQLCipher file and its key slots.

    cache.db        SQLCipher 4 database (and its encrypted -wal; -shm holds only the WAL index)
    cache.keys      key slots: the data key wrapped per operator and for the device

Opening unwraps the data key (operator password or device key), proves it on the file, and brings
the schema to the newest migration. A wrong password or key changes nothing on disk.
"""
from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.store import database
from app.store.keys import KeySlots, new_data_key

log = logging.getLogger(__name__)

DB_FILE = "cache.db"
SLOT_FILE = "cache.keys"


class CacheExists(Exception):
    message = "この場所には既にキャッシュがあります"


def derive_subkey(data_key: bytes, purpose: str) -> bytes:
    """A key for one purpose (e.g. the access log's MAC), derived from the data key with HKDF."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(data_key)


@dataclass
class Cache:
    directory: Path
    engine: Engine
    slots: KeySlots
    _data_key: bytes = field(repr=False)

    # -- creating and opening -----------------------------------------------------------------
    @classmethod
    def create(
        cls,
        directory: Path,
        *,
        operator_id: str | None,
        password: str | None,
        device_key: bytes | None = None,
        scrypt_n: int | None = None,
    ) -> "Cache":
        """A new cache keyed for the operator, and for the device when `device_key` is given. A
        kiosk has no operator: `operator_id=None` with a device key makes a device-only cache."""
        directory = Path(directory)
        if operator_id is None and device_key is None:
            raise ValueError("a cache needs an operator or a device key")
        db_path = directory / DB_FILE
        if db_path.exists() or (directory / SLOT_FILE).exists():
            raise CacheExists(f"a cache already exists in {directory}")
        directory.mkdir(parents=True, exist_ok=True)
        data_key = new_data_key()
        slots = KeySlots.create(directory / SLOT_FILE, cache_id=secrets.token_hex(16))
        kwargs = {"n": scrypt_n} if scrypt_n else {}
        if operator_id is not None:
            slots.add_operator(operator_id, password, data_key, **kwargs)
        if device_key is not None:
            slots.set_device(device_key, data_key)
        engine = database.open_engine(db_path, data_key, create=True)
        os.chmod(db_path, 0o600)  # encrypted, and still nobody else's to read (SQLite gives -wal the same mode)
        database.migrate(engine)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO meta(key, value) VALUES ('cache_id', :v)"), {"v": slots.cache_id})
        slots.save()  # only once the database exists: a crash before leaves no orphan slot file
        log.info("created cache %s in %s", slots.cache_id, directory)
        return cls(directory, engine, slots, data_key)

    @classmethod
    def _open(cls, directory: Path, slots: KeySlots, data_key: bytes) -> "Cache":
        engine = database.open_engine(Path(directory) / DB_FILE, data_key)
        database.migrate(engine)
        with engine.connect() as conn:
            state = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'bulk_load'").scalar()
        if state == "running":  # a bulk load (app.store.bulk) was cut off: indexes and rows are partial
            engine.dispose()
            raise database.CacheIncomplete(f"bulk load into {directory} did not finish")
        return cls(Path(directory), engine, slots, data_key)

    @classmethod
    def open_as_operator(cls, directory: Path, operator_id: str, password: str) -> "Cache":
        slots = cls._slots(directory)
        return cls._open(directory, slots, slots.unlock_operator(operator_id, password))

    @classmethod
    def open_with_device(cls, directory: Path, device_key: bytes) -> "Cache":
        slots = cls._slots(directory)
        return cls._open(directory, slots, slots.unlock_device(device_key))

    @staticmethod
    def _slots(directory: Path) -> KeySlots:
        path = Path(directory) / SLOT_FILE
        if not path.exists() or not (Path(directory) / DB_FILE).exists():
            raise database.CacheMissing(f"no cache in {directory}")
        return KeySlots.load(path)

    # -- operators ------------------------------------------------------------------------------
    def add_operator(self, operator_id: str, password: str, **kwargs) -> None:
        self.slots.add_operator(operator_id, password, self._data_key, **kwargs)
        self.slots.save()

    def remove_operator(self, operator_id: str) -> None:
        self.slots.remove_operator(operator_id)
        self.slots.save()

    def set_device_key(self, device_key: bytes) -> None:
        self.slots.set_device(device_key, self._data_key)
        self.slots.save()

    @property
    def writer(self) -> Engine:
        """For transactions that write: see database.writer (reads use `engine`)."""
        return database.writer(self.engine)

    def subkey(self, purpose: str) -> bytes:
        return derive_subkey(self._data_key, purpose)

    @property
    def db_path(self) -> Path:
        return self.directory / DB_FILE

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Cache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
