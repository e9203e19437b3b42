"""A real registry over HTTP for sync tests: a database (SQLite file or PostgreSQL), a uvicorn
server (in a thread, or as its own process for kill tests), operators and terminals."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import orjson
from sqlalchemy import select

from app.sync import terminal as terminal_mod
from app.sync.engine import SyncEngine
from registry import accounts, terminals
from registry.embedded import EmbeddedRegistry, free_port, wait_until_up
from registry.database import open_database
from registry.load import load_households
from registry.passwords import PasswordHasher
from registry.schema import households, residents

CLERK, CLERK_PASSWORD = "clerk01", "窓口の正しいパスワード2026"
SUPERVISOR, SUPERVISOR_PASSWORD = "super01", "審査係の正しいパスワード2026"
CHUO = "121011"
FAST_SCRYPT = 2**10
HASHER = PasswordHasher.for_tests()


def prepare(db_url: str, *, households_=()) -> None:
    """Schema, operators and (optionally) households in a registry database."""
    engine = open_database(db_url)
    with engine.begin() as conn:
        accounts.add_operator(conn, HASHER, operator_id=CLERK, display_name="窓口 花子", role="clerk", ward_code=CHUO, password=CLERK_PASSWORD)
        accounts.add_operator(conn, HASHER, operator_id=SUPERVISOR, display_name="審査 太郎", role="supervisor", ward_code=CHUO, password=SUPERVISOR_PASSWORD)
    if households_:
        load_households(engine, households_)
    engine.dispose()


class ThreadServer(EmbeddedRegistry):
    """The registry app in a thread of the test process, with cheap password hashing."""

    def __init__(self, db_url: str, **config):
        super().__init__(db_url, hasher=HASHER, **config)


class ProcessServer:
    """The registry as its own process (`madoguchi registry serve`), to be killed in tests."""

    def __init__(self, db_url: str, port: int | None = None):
        self.db_url = db_url
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "registry", "serve", "--db", self.db_url, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_until_up(self.url)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def close(self) -> None:
        self.kill()
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()


def add_terminal(db_url: str, *, scope: str = "city", kind: str = "counter", ward: str = CHUO, terminal_id: str | None = None) -> str:
    engine = open_database(db_url)
    with engine.begin() as conn:
        _, code = terminals.register_terminal(conn, name="テスト端末", kind=kind, ward_code=ward, scope=scope, terminal_id=terminal_id)
    engine.dispose()
    return code


@dataclass
class Terminal:
    directory: Path
    cache: object
    client: object
    engine: SyncEngine

    def close(self) -> None:
        self.client.close()
        self.cache.close()


def enrolled_terminal(directory: Path, url: str, db_url: str, **kw) -> Terminal:
    code = add_terminal(db_url, **kw)
    terminal_mod.enrol(directory, url, code)
    client = terminal_mod.client_for(directory, timeout=10)
    login = terminal_mod.login(directory, CLERK, CLERK_PASSWORD, client=client, scrypt_n=FAST_SCRYPT)
    engine = SyncEngine(login.cache, client, on_revoked=lambda: terminal_mod.wipe(directory))
    return Terminal(directory, login.cache, client, engine)


def registry_state(db_url: str, ward: str | None = None) -> tuple[dict, dict]:
    engine = open_database(db_url)
    with engine.connect() as conn:
        q = select(residents.c.resident_id, residents.c.record)
        if ward:
            q = q.where(residents.c.ward_code == ward)
        recs = {rid: orjson.loads(rec) for rid, rec in conn.execute(q)}
        hh = {h: orjson.loads(o) for h, o in conn.execute(select(households.c.household_id, households.c.member_order))}
    engine.dispose()
    return recs, hh


def cache_state(cache) -> tuple[dict, dict]:
    with cache.engine.connect() as conn:
        recs = {rid: orjson.loads(rec) for rid, rec in conn.exec_driver_sql("SELECT resident_id, record FROM residents")}
        hh = {h: orjson.loads(o) for h, o in conn.exec_driver_sql("SELECT household_id, member_order FROM households")}
    return recs, hh


def demo_households(n_residents: int, seed: int = 3):
    from app.demo.city import generate_city

    return list(generate_city(n_residents, seed=seed, today=dt.date.today()))
