"""Alembic environment for the central registry (PostgreSQL or SQLite).

The database URL never sits in a file: registry.database hands the open connection over in
`config.attributes["connection"]`.
"""
from alembic import context

from registry.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the registry migrations run through registry.database.migrate (it passes the connection)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    version_table="alembic_version",
)
with context.begin_transaction():
    context.run_migrations()
