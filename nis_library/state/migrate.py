"""Migrations: bring a database to the newest schema (`nis db upgrade`), say which revision it is at
(`nis db current`), and refuse one that is behind. Alembic is configured here, in code: the
migrations ship inside the package and no alembic.ini is needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaNotCurrent(RuntimeError):
    """The database is missing migrations; the message names the command that applies them."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, f"no migrations in {MIGRATIONS}"
    return head


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> str:
    """Apply every migration not yet applied (none, if the database is current); the revision after."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    revision = current_revision(engine)
    assert revision is not None, "a database upgraded to the head is at a revision"
    return revision


def require_current_schema(engine: Engine) -> None:
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaNotCurrent(
            f"The state store {engine.url.render_as_string(hide_password=True)} is at "
            f"revision {current or 'none (never migrated)'}, not {head}: run `nis db upgrade`."
        )
