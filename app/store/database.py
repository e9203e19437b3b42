"""Opening the encrypted cache file: SQLCipher 4 via sqlcipher3, SQLAlchemy 2, alembic on open.

The raw 256-bit data key goes in as the first statement of every pooled connection (never a
passphrase: that would run PBKDF2 on each connection), proved by a read, then WAL mode. Temp
tables and sorts stay in memory so no plaintext temp file is ever written.
"""
from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path

import sqlcipher3
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"


class CacheOpenError(Exception):
    """The cache could not be opened; `message` is Japanese for the screen."""

    message = "キャッシュを開けませんでした"


class WrongCacheKey(CacheOpenError):
    message = "暗号鍵が一致しないため、キャッシュを開けません"


class CacheMissing(CacheOpenError):
    message = "この端末にはキャッシュがありません（初回同期が必要です）"


class CacheIncomplete(CacheOpenError):
    message = "キャッシュの作成が途中で中断されています。作り直してください（初回同期をやり直します）"


# Page cache per pooled connection. The pool keeps POOL_SIZE connections, so the cache's memory is
# bounded by POOL_SIZE × PAGE_CACHE_KIB (96 MiB); connections beyond it (overflow) are closed when
# returned. 64 MiB each let a 1M-resident desktop reach 425 MB; 24 MiB costs searches nothing
# measurable (bench search p95 within noise), since hot index pages are few.
POOL_SIZE = 4
PAGE_CACHE_KIB = 24 * 1024


def _connect(path: Path, key: bytes) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise WrongCacheKey(f"cannot decrypt {path.name}: {exc}") from exc
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
    return conn


IMMEDIATE = "madoguchi_immediate"


def writer(engine: Engine) -> Engine:
    """The same pool, but each transaction starts with BEGIN IMMEDIATE: it takes the write lock
    first (waiting its turn) instead of reading under a snapshot and failing with "database is
    locked" when another thread — the background sync, the clerk's screen — wrote in between."""
    return engine.execution_options(**{IMMEDIATE: True})


def open_engine(path: Path, key: bytes, *, create: bool = False) -> Engine:
    """An engine over the encrypted file at `path`; every connection is keyed with `key`."""
    path = Path(path)
    if len(key) != 32:
        raise ValueError("the cache key must be 32 bytes")
    if not create and not path.exists():
        raise CacheMissing(f"no cache at {path}")
    # Prove the key once before the pool exists, so a wrong key fails here with the file untouched.
    _connect(path, key).close()
    engine = create_engine(
        "sqlite://",
        creator=lambda: _connect(path, key),
        poolclass=QueuePool,
        pool_size=POOL_SIZE,
        max_overflow=4,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn):  # pysqlite-style drivers need an explicit BEGIN for real transactions
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(IMMEDIATE) else "BEGIN")

    return engine


_REVISION = re.compile(r"^(revision|down_revision)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|None)", re.M)


@cache
def _head_revision() -> str:
    """The newest migration, read from the version files' revision lines.

    Opening a cache only needs to know whether it is up to date; importing alembic's script
    machinery for that costs more than the whole rest of the open, so alembic is loaded only
    when there is something to migrate. tests/store checks this agrees with alembic's head."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = {m.group(1): m.group(2) or m.group(3) for m in _REVISION.finditer(path.read_text("utf-8"))}
        if "revision" in found:
            revisions.add(found["revision"])
            if found.get("down_revision"):
                parents.add(found["down_revision"])
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"cache migrations must have exactly one head, found {sorted(heads)}")
    return heads.pop()


def _alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(engine: Engine) -> bool:
    """Brings the schema to the newest revision; returns whether anything ran."""
    with engine.connect() as conn:
        has_version = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")
        ).first()
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if has_version else None
    if current == _head_revision():
        return False
    from alembic import command

    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    log.info("cache schema migrated from %s to %s", current, _head_revision())
    return True
