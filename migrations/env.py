"""Alembic environment for the terminal cache.

Keys never appear in a URL or in alembic.ini: the cache opens the encrypted connection itself and
hands it over in `config.attributes["connection"]`.
"""
from alembic import context

from app.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the cache migrations run only through app.store.database (they need the key)")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
