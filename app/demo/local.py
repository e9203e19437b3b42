"""The embedded default that `make run` starts: a local SQLite registry holding the demo city, and
a terminal enrolled with it, logged in and synced — the same path a city's terminal takes, with
no server to set up.

    var/demo/registry.db     the registry (SQLite)
    var/demo/terminal/       the terminal: identity, key, device key, encrypted cache
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.sync import terminal as terminal_mod
from app.sync.engine import SyncEngine, SyncReport
from app.sync.terminal import IDENTITY_FILE, TerminalIdentity
from registry import accounts, terminals
from registry.database import open_database
from registry.embedded import EmbeddedRegistry
from registry.load import load_demo_city
from registry.passwords import PasswordHasher
from registry.protocol.issuing import ANCHOR_FILE
from registry.schema import operators, residents, settings
from registry.schema import terminals as terminal_table

DEMO_TERMINAL_ID = "demo-counter-01"


@dataclass
class DemoTerminal:
    registry: EmbeddedRegistry
    login: terminal_mod.Login
    report: SyncReport
    loaded: dict | None

    def close(self) -> None:
        self.login.cache.close()
        self.registry.close()


def ensure_demo_registry(db_path: Path, *, residents_count: int, operator_id: str, password: str, ward_code: str) -> dict | None:
    """A registry with the demo city and the demo operator; returns the load report when it built one."""
    engine = open_database(str(db_path))
    try:
        with engine.begin() as conn:
            terminals.registry_key(conn, None)
            if conn.execute(select(operators.c.operator_id).where(operators.c.operator_id == operator_id)).first() is None:
                accounts.add_operator(conn, PasswordHasher(), operator_id=operator_id, display_name="デモ 職員", role="supervisor", ward_code=ward_code, password=password)
            done = conn.execute(select(settings.c.value).where(settings.c.key == "demo_city")).scalar()
            has_residents = conn.execute(select(residents.c.resident_id).limit(1)).first() is not None
        if done == str(residents_count):
            return None
        if has_residents:  # a load that was cut off, or another size: start again
            engine.dispose()
            db_path.unlink(missing_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
            return ensure_demo_registry(db_path, residents_count=residents_count, operator_id=operator_id, password=password, ward_code=ward_code)
        report = load_demo_city(engine, residents_count=residents_count, seed=1, today=dt.date.today())
        with engine.begin() as conn:
            conn.execute(settings.insert().values(key="demo_city", value=str(residents_count)))
        return report
    finally:
        engine.dispose()


def ensure_enrolled(registry: EmbeddedRegistry, term_dir: Path, *, fresh: bool, terminal_id: str, name: str, kind: str, ward_code: str) -> None:
    """A demo terminal folder enrolled with the embedded registry: enrolled anew when the registry was
    (re)built, the folder is missing or revoked; otherwise pointed at the registry's port of this run."""
    if fresh or not (term_dir / IDENTITY_FILE).exists() or (term_dir / "revoked").exists():
        shutil.rmtree(term_dir, ignore_errors=True)
        with registry.engine.begin() as conn:
            conn.execute(terminal_table.delete().where(terminal_table.c.terminal_id == terminal_id))
            _, code = terminals.register_terminal(conn, name=name, kind=kind, ward_code=ward_code, scope="city", terminal_id=terminal_id)
        terminal_mod.enrol(term_dir, registry.url, code)
    else:  # the embedded registry listens on a new port each run
        identity = TerminalIdentity.load(term_dir)
        TerminalIdentity(**{**identity.__dict__, "registry_url": registry.url}).save(term_dir)


def start_demo_terminal(directory: Path, *, residents_count: int, operator_id: str, password: str, ward_code: str) -> DemoTerminal:
    directory = Path(directory)
    db_path = directory / "registry.db"
    loaded = ensure_demo_registry(db_path, residents_count=residents_count, operator_id=operator_id, password=password, ward_code=ward_code)
    registry = EmbeddedRegistry(str(db_path))
    term_dir = directory / "terminal"
    try:
        ensure_enrolled(registry, term_dir, fresh=loaded is not None, terminal_id=DEMO_TERMINAL_ID, name="デモ窓口端末", kind="counter", ward_code=ward_code)
        client = terminal_mod.client_for(term_dir)
        login = terminal_mod.login(term_dir, operator_id, password, client=client)
        report = SyncEngine(login.cache, client, on_revoked=lambda: terminal_mod.wipe(term_dir), anchor_file=term_dir / ANCHOR_FILE).sync()
    except BaseException:
        registry.close()
        raise
    return DemoTerminal(registry, login, report, loaded)
