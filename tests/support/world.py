"""A real world for the screens and the services behind them: an embedded registry (SQLite) with a small demo city, a terminal
enrolled with it and synced, a clerk and a supervisor. Built once per session as a template and
copied for each test, so every test starts from the same state and may change it freely."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.services.counter import CounterService  # noqa: E402
from app.services.session import log_in  # noqa: E402
from app.sync import terminal as terminal_mod  # noqa: E402
from app.sync.engine import SyncEngine  # noqa: E402
from app.sync.terminal import TerminalIdentity  # noqa: E402
from registry import accounts, terminals  # noqa: E402
from registry.database import open_database  # noqa: E402
from registry.embedded import EmbeddedRegistry  # noqa: E402
from registry.load import load_demo_city  # noqa: E402
from registry.passwords import PasswordHasher  # noqa: E402

CLERK, CLERK_PASSWORD = "clerk01", "窓口の正しいパスワード2026"
SUPERVISOR, SUPERVISOR_PASSWORD = "super01", "審査係の正しいパスワード2026"
CHUO = "121011"
FAST_SCRYPT = 2**10
RESIDENTS = 400
TERMINAL_ID = "ui-counter-01"


@dataclass
class World:
    """One test's copy: the registry database, its server, the terminal folder."""

    directory: Path
    registry: EmbeddedRegistry

    @property
    def terminal_dir(self) -> Path:
        return self.directory / "terminal"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.directory / 'registry.db'}"

    def counter(self, operator: str = CLERK, password: str = CLERK_PASSWORD, **kw) -> CounterService:
        return log_in(self.terminal_dir, operator, password, scrypt_n=FAST_SCRYPT, **kw)

    def registry_offline(self) -> None:
        """The network goes away: the registry stops answering."""
        self.registry.close()


def _point_at(term_dir: Path, url: str) -> None:
    identity = TerminalIdentity.load(term_dir)
    TerminalIdentity(**{**identity.__dict__, "registry_url": url}).save(term_dir)


@pytest.fixture(scope="session")
def ui_template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ui-template")
    db_url = f"sqlite:///{root / 'registry.db'}"
    engine = open_database(db_url)
    hasher = PasswordHasher.for_tests()
    with engine.begin() as conn:
        terminals.registry_key(conn, None)
        accounts.add_operator(conn, hasher, operator_id=CLERK, display_name="窓口 花子", role="clerk", ward_code=CHUO, password=CLERK_PASSWORD)
        accounts.add_operator(conn, hasher, operator_id=SUPERVISOR, display_name="審査 太郎", role="supervisor", ward_code=CHUO, password=SUPERVISOR_PASSWORD)
    load_demo_city(engine, residents_count=RESIDENTS, seed=7, today=dt.date.today())
    with engine.begin() as conn:
        _, code = terminals.register_terminal(conn, name="中央区役所 窓口1", kind="counter", ward_code=CHUO, scope="city", terminal_id=TERMINAL_ID)
    engine.dispose()
    registry = EmbeddedRegistry(db_url)
    try:
        term = root / "terminal"
        terminal_mod.enrol(term, registry.url, code)
        client = terminal_mod.client_for(term, timeout=10)
        login = terminal_mod.login(term, CLERK, CLERK_PASSWORD, client=client, scrypt_n=FAST_SCRYPT)
        SyncEngine(login.cache, client).sync()
        login.cache.add_operator(SUPERVISOR, SUPERVISOR_PASSWORD, n=FAST_SCRYPT)
        login.cache.close()
        client.close()
    finally:
        registry.close()
    return root


@pytest.fixture
def world(ui_template, tmp_path) -> World:
    directory = tmp_path / "world"
    shutil.copytree(ui_template, directory)
    registry = EmbeddedRegistry(f"sqlite:///{directory / 'registry.db'}")
    _point_at(directory / "terminal", registry.url)
    w = World(directory, registry)
    yield w
    registry.close()


@pytest.fixture
def counter(world) -> CounterService:
    """The clerk, logged in online."""
    service = world.counter()
    yield service
    service.close()


@pytest.fixture
def supervisor(world) -> CounterService:
    service = world.counter(SUPERVISOR, SUPERVISOR_PASSWORD)
    yield service
    service.close()
