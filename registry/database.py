"""The registry's database: PostgreSQL (psycopg 3) in production, SQLite as the embedded default.

`open_database(url)` gives an engine with the schema migrated. Writers call `next_seq` /
`lock_writer` inside their transaction: on PostgreSQL that row lock on `counter` serializes them,
on SQLite every write transaction starts with BEGIN IMMEDIATE, which does the same.
"""
from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, select, text, update
from sqlalchemy.engine import make_url

from registry.schema import counter

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def normalize_url(url: str) -> str:
    """A plain path or sqlite:///path stays SQLite; postgresql:// gets the psycopg 3 driver."""
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_registry_engine(url: str) -> Engine:
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"isolation_level": None, "timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            dbapi_conn.execute("PRAGMA synchronous=NORMAL")
            dbapi_conn.execute("PRAGMA busy_timeout=30000")

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # A writing transaction takes the write lock at once: no upgrade deadlocks, writers in
            # order. Readers (execution option read_only) see a WAL snapshot without blocking.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("read_only") else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)


def _alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(engine: Engine) -> None:
    """Brings the schema to the newest revision (idempotent) and makes sure the counter row exists."""
    from alembic import command

    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        if conn.execute(select(counter.c.seq).where(counter.c.id == 1)).first() is None:
            conn.execute(counter.insert().values(id=1, seq=0))


def reading(engine: Engine) -> Connection:
    """A connection for a consistent read-only snapshot (REPEATABLE READ on PostgreSQL)."""
    conn = engine.connect()
    if conn.dialect.name == "postgresql":
        return conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return conn.execution_options(read_only=True)


def open_database(url: str) -> Engine:
    engine = create_registry_engine(url)
    migrate(engine)
    return engine


def lock_writer(conn: Connection) -> int:
    """Takes the writer lock for the rest of the transaction; returns the last sequence number."""
    if conn.dialect.name == "postgresql":
        return conn.execute(text("SELECT seq FROM counter WHERE id = 1 FOR UPDATE")).scalar_one()
    return conn.execute(select(counter.c.seq).where(counter.c.id == 1)).scalar_one()


def next_seq(conn: Connection) -> int:
    """The next change sequence number (call with the writer lock held)."""
    return conn.execute(update(counter).where(counter.c.id == 1).values(seq=counter.c.seq + 1).returning(counter.c.seq)).scalar_one()


def last_seq(conn: Connection) -> int:
    return conn.execute(select(counter.c.seq).where(counter.c.id == 1)).scalar_one()
