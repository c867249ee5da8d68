"""Alembic's environment, run by nis_library.state.migrate with the connection to migrate."""

from alembic import context

from nis_library.state.schema import metadata

connection = context.config.attributes["connection"]
# Batch mode: SQLite cannot ALTER most things in place; Alembic copies the table instead.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
