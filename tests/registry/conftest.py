"""Registry databases for request tests. Preparing one (migrations, operators with Argon2 hashes)
takes a while, so each session prepares one template per database kind and every test gets a copy."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.registry.harness import Registry, postgres_copy_of, prepare_registry, sqlite_copy
from tests.support.postgres import postgres_server, postgres_url  # noqa: F401  (fixtures)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("registry-template") / "registry.db"
    prepare_registry(f"sqlite:///{path}")  # engines disposed: the WAL is checkpointed into the file
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server):
    url = postgres_server.create_database()
    prepare_registry(url)
    yield url.rsplit("/", 1)[1]
    postgres_server.drop_database(url)


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path) -> str:
    return sqlite_copy(sqlite_template, tmp_path)


@pytest.fixture
def postgres_copy(postgres_server, postgres_template):
    url = postgres_copy_of(postgres_server, postgres_template)
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request):
    """A prepared registry database: a SQLite file, and PostgreSQL (the real server)."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_copy")


@pytest.fixture
def registry(sqlite_url):
    """The app over a SQLite registry, for what does not depend on the database."""
    reg = Registry(sqlite_url)
    yield reg
    reg.close()


@pytest.fixture
def any_registry(db_url):
    """The app over SQLite and over PostgreSQL, for what transactions and column types decide."""
    reg = Registry(db_url)
    yield reg
    reg.close()
