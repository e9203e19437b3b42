"""Real PostgreSQL for tests: the local server on 127.0.0.1:5432 if it answers, else a throwaway one.

A conftest enables the fixtures with ``from tests.support.postgres import postgres_server, postgres_url``.
``MADOGUCHI_TEST_PG=throwaway`` skips the local server and always starts a private one.
"""
from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import LiteralString

import psycopg
from psycopg import sql
import pytest
from sqlalchemy.engine import make_url

ENV_VAR = "MADOGUCHI_TEST_PG"
BIN_GLOB = "/usr/lib/postgresql/*/bin"
SHARED_PORT = 5432
DB_PREFIX = "madoguchi_test_"
SYSTEM_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """Neither a local server nor the binaries to start one."""


class PostgresServer:
    """A PostgreSQL server reachable as user ``postgres`` with trust auth on 127.0.0.1."""

    def __init__(self, port: int, folder: Path | None = None) -> None:
        self.port = port
        self.folder = folder  # None for the shared server; else the throwaway's data, socket and log

    @property
    def shared(self) -> bool:
        return self.folder is None

    @classmethod
    def obtain(cls, tmp_root: Path) -> PostgresServer:
        """The shared server if it answers (and ``MADOGUCHI_TEST_PG`` does not say otherwise), else a throwaway."""
        mode = os.environ.get(ENV_VAR, "")
        if mode not in ("", "throwaway"):
            raise ValueError(f"{ENV_VAR}={mode!r}: expected 'throwaway' or unset")
        if mode != "throwaway" and _answers(SHARED_PORT):
            return cls(SHARED_PORT)
        return cls.start_throwaway(tmp_root)

    @classmethod
    def start_throwaway(cls, tmp_root: Path) -> PostgresServer:
        """initdb + pg_ctl start a private server on a free port; run as ``postgres`` when we are root.

        As root the folder goes in the system temp dir (pytest's is not readable by other users).
        """
        bindir = _find_bindir()
        owner = _system_user() if os.geteuid() == 0 else None
        folder = Path(tempfile.mkdtemp(prefix="madoguchi-pg-", dir=None if owner else tmp_root))
        if owner:
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        try:
            _run(bindir / "initdb", "-D", folder / "data", "-A", "trust", "-U", "postgres",
                 "-E", "UTF8", "--locale=C", "--no-sync", cwd=folder)
            return cls(_start(bindir, folder), folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    def stop(self) -> None:
        """Stop a throwaway server and delete its folder; nothing for the shared one. Idempotent."""
        if self.folder is None or not self.folder.exists():
            return
        try:
            _run(_find_bindir() / "pg_ctl", "-D", self.folder / "data", "-m", "immediate", "-w", "stop",
                 cwd=self.folder)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self) -> str:
        """A fresh empty UTF8 database (C collation: the same on every machine); returns its SQLAlchemy URL."""
        name = DB_PREFIX + uuid.uuid4().hex[:16]
        self._admin("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", name)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def drop_database(self, url: str) -> None:
        """Drop a database made by ``create_database``, closing any connections still open to it."""
        name = make_url(url).database or ""
        if not re.fullmatch(DB_PREFIX + "[0-9a-f]{16}", name):
            raise ValueError(f"refusing to drop {name!r}: not made by create_database")
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    def _admin(self, statement: LiteralString, database: str) -> None:
        with psycopg.connect(_conninfo(self.port), autocommit=True) as conn:
            conn.execute(sql.SQL(statement).format(sql.Identifier(database)))


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    server = PostgresServer.obtain(tmp_path_factory.mktemp("postgres"))
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """URL of a fresh empty database, dropped after the test."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


def _conninfo(port: int) -> str:
    return f"host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=3"


def _answers(port: int) -> bool:
    try:
        psycopg.connect(_conninfo(port)).close()
    except psycopg.Error:
        return False
    return True


def _find_bindir() -> Path:
    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", path.parent.name))

    found = [p for p in map(Path, glob.glob(BIN_GLOB)) if (p / "initdb").exists() and (p / "pg_ctl").exists()]
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL is needed for these tests: no server answers on 127.0.0.1:5432 (user postgres, trust auth) "
            f"and no initdb/pg_ctl under {BIN_GLOB}. Install it with `apt-get install postgresql`."
        )
    return max(found, key=version)


def _system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise PostgresUnavailable(f"as root, initdb must run as the {SYSTEM_USER!r} system user: none exists") from None


def _run(*cmd: str | Path, cwd: Path) -> None:
    """Run a PostgreSQL tool, as the ``postgres`` user when we are root (initdb refuses root)."""
    args = [str(c) for c in cmd]
    if os.geteuid() == 0:
        args = ["runuser", "-u", SYSTEM_USER, "--", *args]
    done = subprocess.run(args, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        log = cwd / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}{tail}")


def _start(bindir: Path, folder: Path) -> int:
    """pg_ctl start on a free port; retried since a probed port can be taken before the server binds it."""
    attempts = 3
    while True:
        port = _free_port()
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {folder}"
                   " -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        try:
            _run(bindir / "pg_ctl", "-D", folder / "data", "-l", folder / "log", "-w", "-t", "30",
                 "-o", options, "start", cwd=folder)
            return port
        except RuntimeError:
            attempts -= 1
            if not attempts:
                raise


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
