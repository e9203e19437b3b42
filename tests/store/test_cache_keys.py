"""Key slots on real encrypted files: right and wrong passwords, device key, damaged slots."""
from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from sqlalchemy import text

from app.store import database
from app.store.cache import Cache, CacheExists
from app.store.keys import SlotFileDamaged, UnknownOperator, WrongDeviceKey, WrongPassword
from tests.conftest import FAST_SCRYPT, OPERATOR, PASSWORD


def _fingerprint(directory):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file()}


def test_open_with_password_and_device_key(cache):
    directory = cache.directory
    with cache.engine.begin() as conn:
        conn.execute(text("INSERT INTO meta(key, value) VALUES ('probe', '42')"))
    cache.close()
    with Cache.open_as_operator(directory, OPERATOR, PASSWORD) as again:
        with again.engine.connect() as conn:
            assert conn.execute(text("SELECT value FROM meta WHERE key='probe'")).scalar() == "42"
    with Cache.open_with_device(directory, b"d" * 32) as by_device:
        with by_device.engine.connect() as conn:
            assert conn.execute(text("SELECT value FROM meta WHERE key='probe'")).scalar() == "42"


@pytest.mark.parametrize(
    "opener, error",
    [
        (lambda d: Cache.open_as_operator(d, OPERATOR, "違うパスワード"), WrongPassword),
        (lambda d: Cache.open_as_operator(d, "nobody", PASSWORD), UnknownOperator),
        (lambda d: Cache.open_with_device(d, b"x" * 32), WrongDeviceKey),
    ],
)
def test_wrong_secret_is_a_clear_error_and_leaves_files_untouched(cache, opener, error):
    directory = cache.directory
    cache.close()
    before = _fingerprint(directory)
    with pytest.raises(error) as info:
        opener(directory)
    assert info.value.message  # Japanese text for the screen
    assert "パスワード" in info.value.message or "鍵" in info.value.message
    assert _fingerprint(directory) == before


def test_wrong_data_key_on_the_database_itself(cache):
    directory = cache.directory
    cache.close()
    before = _fingerprint(directory)
    with pytest.raises(database.WrongCacheKey):
        database.open_engine(directory / "cache.db", b"\x01" * 32)
    assert _fingerprint(directory) == before


def test_the_file_is_not_readable_without_the_key(cache):
    cache.close()
    plain = sqlite3.connect(cache.db_path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        plain.execute("SELECT * FROM sqlite_master").fetchall()
    plain.close()


def test_operators_added_and_removed(cache):
    cache.add_operator("clerk02", "二人目のパスワード", n=FAST_SCRYPT)
    directory = cache.directory
    cache.close()
    Cache.open_as_operator(directory, "clerk02", "二人目のパスワード").close()
    again = Cache.open_as_operator(directory, OPERATOR, PASSWORD)
    again.remove_operator("clerk02")
    again.close()
    with pytest.raises(UnknownOperator):
        Cache.open_as_operator(directory, "clerk02", "二人目のパスワード")


def test_damaged_slot_file(cache):
    directory = cache.directory
    cache.close()
    (directory / "cache.keys").write_text("{not json")
    with pytest.raises(SlotFileDamaged):
        Cache.open_as_operator(directory, OPERATOR, PASSWORD)


def test_tampered_slot_does_not_open(cache):
    directory = cache.directory
    cache.close()
    doc = json.loads((directory / "cache.keys").read_text())
    slot = doc["slots"][f"operator:{OPERATOR}"]
    wrapped = bytearray(slot["wrapped"].encode())
    wrapped[5] = ord("A") if wrapped[5] != ord("A") else ord("B")
    slot["wrapped"] = wrapped.decode()
    (directory / "cache.keys").write_text(json.dumps(doc))
    with pytest.raises(WrongPassword):
        Cache.open_as_operator(directory, OPERATOR, PASSWORD)


def test_missing_cache_and_existing_cache(tmp_path, cache):
    with pytest.raises(database.CacheMissing):
        Cache.open_as_operator(tmp_path / "nowhere", OPERATOR, PASSWORD)
    with pytest.raises(CacheExists):
        Cache.create(cache.directory, operator_id="x", password="y", scrypt_n=FAST_SCRYPT)


def test_real_work_factor_and_slot_file_permissions(tmp_path):
    c = Cache.create(tmp_path / "real", operator_id=OPERATOR, password=PASSWORD)
    c.close()
    slot = json.loads((tmp_path / "real" / "cache.keys").read_text())["slots"][f"operator:{OPERATOR}"]
    assert slot["kdf"] == "scrypt" and slot["n"] >= 2**15
    assert ((tmp_path / "real" / "cache.keys").stat().st_mode & 0o077) == 0
    assert ((tmp_path / "real" / "cache.db").stat().st_mode & 0o077) == 0
    Cache.open_as_operator(tmp_path / "real", OPERATOR, PASSWORD).close()


def test_schema_is_migrated_on_open_and_not_again(cache):
    with cache.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == database._head_revision()
    assert database.migrate(cache.engine) is False


def test_head_revision_agrees_with_alembic():
    from alembic.script import ScriptDirectory

    assert database._head_revision() == ScriptDirectory.from_config(database._alembic_config()).get_current_head()


def test_a_cut_off_bulk_load_is_not_taken_for_a_cache(cache):
    from app.store.database import CacheIncomplete

    with cache.engine.begin() as conn:
        conn.execute(text("INSERT OR REPLACE INTO meta(key, value) VALUES ('bulk_load', 'running')"))
    directory = cache.directory
    cache.close()
    with pytest.raises(CacheIncomplete) as info:
        Cache.open_as_operator(directory, OPERATOR, PASSWORD)
    assert "中断" in info.value.message


def test_migrations_build_exactly_the_schema_the_code_declares(cache):
    """schema.py (what queries use) and migrations/ (what is on disk) are written apart; alembic's
    own comparison of a freshly migrated cache against the metadata must find nothing."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.store.schema import metadata

    with cache.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
