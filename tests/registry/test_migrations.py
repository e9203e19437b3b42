"""registry/migrations and registry/schema.py describe the same database, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from registry.database import open_database
from registry.schema import counter, metadata
from tests.support.postgres import postgres_server, postgres_url  # noqa: F401


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'r.db'}"
    return request.getfixturevalue("postgres_url")


def test_migrated_database_matches_the_schema_module(url):
    engine = open_database(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []


def test_migrating_twice_is_harmless_and_the_counter_starts_at_zero(url):
    open_database(url).dispose()
    engine = open_database(url)
    with engine.connect() as conn:
        assert conn.execute(select(counter.c.seq)).scalars().all() == [0]
    engine.dispose()
