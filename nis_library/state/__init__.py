"""The state store: every piece of mutable data (users, recommendations, the audit log, ...) in one
database, SQLite by default or PostgreSQL, reached through SQLAlchemy Core and migrated by Alembic.
Plain functions only: no Flask here, so the CLI, the app and the tests share them."""
