"""The PostgreSQL test support really reaches a server: the shared one and a throwaway one."""
from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text

from tests.support import postgres
from tests.support.postgres import PostgresServer, postgres_server, postgres_url  # noqa: F401  (fixtures)


def roundtrip(url: str) -> list[tuple[int, str]]:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE resident (id integer PRIMARY KEY, name text NOT NULL)"))
            conn.execute(text("INSERT INTO resident VALUES (1, '千葉 花子'), (2, 'ちば たろう')"))
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text("SELECT id, name FROM resident ORDER BY id"))]
    finally:
        engine.dispose()


def database_exists(server: PostgresServer, url: str) -> bool:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres") as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def test_fixture_database_roundtrip(postgres_url: str) -> None:  # noqa: F811
    assert roundtrip(postgres_url) == [(1, "千葉 花子"), (2, "ちば たろう")]


def test_obtain_uses_shared_server_when_it_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(postgres.ENV_VAR, raising=False)
    if not postgres._answers(postgres.SHARED_PORT):
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 on this machine")
    server = PostgresServer.obtain(tmp_path)
    assert server.shared and server.port == 5432
    url = server.create_database()
    try:
        assert url.startswith("postgresql+psycopg://postgres@127.0.0.1:5432/madoguchi_test_")
        assert roundtrip(url) == [(1, "千葉 花子"), (2, "ちば たろう")]
        held = psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={url.rsplit('/', 1)[1]}")
        server.drop_database(url)  # an open connection does not block the drop
        held.close()
        assert not database_exists(server, url)
    finally:
        server.drop_database(url)
    server.stop()  # a no-op for the shared server
    assert postgres._answers(5432)


def test_throwaway_server_starts_serves_and_goes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(postgres.ENV_VAR, "throwaway")
    began = time.monotonic()
    server = PostgresServer.obtain(tmp_path)
    try:
        assert not server.shared and server.port != 5432
        assert server.folder is not None and (server.folder / "data" / "PG_VERSION").exists()
        url = server.create_database()
        assert roundtrip(url) == [(1, "千葉 花子"), (2, "ちば たろう")]
        server.drop_database(url)
        assert not database_exists(server, url)
    finally:
        server.stop()
    assert not server.folder.exists()
    assert not postgres._answers(server.port)
    print(f"throwaway server: {time.monotonic() - began:.1f} s")


def test_drop_refuses_foreign_databases() -> None:
    with pytest.raises(ValueError, match="refusing"):
        PostgresServer(5432).drop_database("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def test_clear_error_without_server_or_binaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(postgres.ENV_VAR, "throwaway")
    monkeypatch.setattr(postgres, "BIN_GLOB", str(tmp_path / "nowhere" / "*" / "bin"))
    with pytest.raises(postgres.PostgresUnavailable, match="apt-get install postgresql"):
        PostgresServer.obtain(tmp_path)
