"""`nis db ...` and `nis audit ...`: the state store's database (migrations, backups, key rotation)
and its audit trail."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nis_library.cli.base import cli_actor, main, state_engine
from nis_library.state import audit as trail
from nis_library.state.backup import BackupError, backup, restore
from nis_library.state.keys import StateKeyError
from nis_library.state.migrate import current_revision, upgrade
from nis_library.state.rekey import RekeyError, rekey


@main.group()
def db() -> None:
    """The state store's database (SQLite in the instance folder, or DATABASE_URL's)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied; safe to run again."""
    with state_engine(current=False) as engine:
        revision = upgrade(engine)
        click.echo(f"{engine.url.render_as_string(hide_password=True)} is at revision {revision} (head)")


@db.command("current")
def db_current() -> None:
    """Print the revision the database is at ('none' if never migrated)."""
    with state_engine(current=False) as engine:
        click.echo(current_revision(engine) or "none")


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(file: Path) -> None:
    """Copy every table, in one snapshot, to FILE (gzipped JSON with the schema revision; mode 0600)."""
    with state_engine() as engine:
        counts = backup(engine, file)
    click.echo(f"backed up {sum(counts.values())} rows of {len(counts)} tables to {file}")


@db.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def db_restore(file: Path) -> None:
    """Replace every table with FILE's rows (refused, changing nothing, if FILE is corrupt or of
    another schema revision). Everyone is signed out."""
    with state_engine() as engine:
        try:
            counts = restore(engine, file, cli_actor())
        except BackupError as error:
            raise click.ClickException(f"{error}. Nothing was changed.") from None
    click.echo(f"restored {sum(counts.values())} rows of {len(counts)} tables from {file}")


@db.command("rekey")
def db_rekey() -> None:
    """Reseal the audit log and re-encrypt webhook secrets under STATE_KEY, after a rotation (the old
    key in STATE_RETIRED_KEYS until this has run). Refused, changing nothing, if the log does not verify."""
    with state_engine() as engine:
        try:
            done = rekey(engine, cli_actor())
        except (RekeyError, StateKeyError) as error:
            raise click.ClickException(f"{error}. Nothing was changed.") from None
    click.echo(
        f"resealed {done.audit_rows} audit rows and re-encrypted {done.webhook_secrets} webhook secrets "
        f"under key {done.key_id}: STATE_RETIRED_KEYS can now be emptied"
    )


@main.group()
def audit() -> None:
    """The audit trail of every change of state."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain: exit 0 if whole, 1 naming the first bad row."""
    with state_engine() as engine, engine.connect() as connection:
        bad = trail.verify(connection)
    if bad is not None:
        click.echo(f"audit log broken at {bad}", err=True)
        sys.exit(1)
    click.echo("audit log intact")
