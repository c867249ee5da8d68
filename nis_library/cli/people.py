"""`nis users ...` and `nis sample ...`: the panel workspace's accounts, and the sample accounts and
recommendations register for trying the service."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from indexer.record.loading import load_library
from nis_library.accounts import passwords, store
from nis_library.accounts.roles import ROLES
from nis_library.accounts.samples import ensure_sample_accounts
from nis_library.accounts.sign_in import PASSWORD_LIMIT
from nis_library.cli.base import CONTENT_OPTION, cli_actor, command_settings, main, state_engine
from nis_library.governance import recommendations as recs
from nis_library.governance import sample as sample_data
from nis_library.governance.library_names import from_library
from nis_library.governance.permissions import GovernanceError


@main.group()
def users() -> None:
    """Accounts for the panel workspace (no one signs up: an administrator adds them here)."""


def _account_change(change):
    with state_engine() as engine:
        try:
            with engine.begin() as conn:
                return change(conn)
        except store.AccountError as error:
            raise click.ClickException(f"{error}. Nothing was changed.") from None


def _new_password(from_stdin: bool) -> tuple[str, bool]:
    """The password to set, and whether it was generated (and so must be printed once)."""
    if not from_stdin:
        return passwords.generate_password(), True
    password = sys.stdin.readline().rstrip("\r\n")
    if not 12 <= len(password) <= PASSWORD_LIMIT or not password.isprintable():
        raise click.ClickException(f"a password is 12 to {PASSWORD_LIMIT} printable characters. Nothing was changed.")
    return password, False


@users.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(list(ROLES)))
@click.option("--name", "display_name", required=True, help="The name the workspace shows.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of generating one.")
def users_add(username: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Add an account; prints its generated password once (it is stored only as an argon2 hash)."""
    password, generated = _new_password(password_stdin)
    account = _account_change(lambda conn: store.add(conn, cli_actor(), username, display_name, role, password))
    click.echo(f"added {account.username} ({account.role})")
    if generated:
        click.echo(f"password (shown once, not stored): {password}")


@users.command("list")
def users_list() -> None:
    """Every account: username, role, whether disabled, display name."""
    with state_engine() as engine, engine.connect() as conn:
        for account in store.all_accounts(conn):
            state = "disabled" if account.disabled else "active"
            click.echo(f"{account.username}\t{account.role}\t{state}\t{account.display_name}")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account: it cannot sign in, and its sessions end at once."""
    _account_change(lambda conn: store.disable(conn, cli_actor(), username))
    click.echo(f"disabled {username}; its sessions are ended")


@users.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def users_reset_password(username: str, password_stdin: bool) -> None:
    """Give an account a new password (printed once) and end its sessions."""
    password, generated = _new_password(password_stdin)
    _account_change(lambda conn: store.reset_password(conn, cli_actor(), username, password))
    click.echo(f"reset the password of {username}; its sessions are ended")
    if generated:
        click.echo(f"new password (shown once, not stored): {password}")


@main.group()
def sample() -> None:
    """Sample data for trying the service (clearly marked sample)."""


@sample.command("accounts")
def sample_accounts() -> None:
    """Make the four sample accounts (one per role) if missing, printing each new password once;
    existing ones are listed without a password."""
    with state_engine() as engine, engine.begin() as conn:
        made = ensure_sample_accounts(conn, cli_actor())
    for entry in made:
        account = entry.account
        if entry.password:
            click.echo(f"sample account {account.username} ({account.role}): password {entry.password} (shown once)")
        else:
            click.echo(f"sample account {account.username} ({account.role}): exists, password unchanged")


@sample.command("register")
@CONTENT_OPTION
def sample_register(content_path: Path | None) -> None:
    """Load the sample recommendations register (every state, from the shipped reviews); safe to run
    again: what is loaded already is left as it is."""
    settings = command_settings(CONTENT_DIR=content_path)
    terms = from_library(load_library(settings.content_dir))
    if terms is None:
        raise click.ClickException(f"{settings.content_dir} has no readable taxonomy: run 'nis validate'")
    with state_engine(settings) as engine:
        try:
            with recs.unit_of_work(engine) as conn:
                done = sample_data.load(conn, terms)
        except GovernanceError as error:
            raise click.ClickException(str(error)) from None
    for line in done:
        click.echo(line)
    click.echo(f"sample register: {len(sample_data.PLAN)} recommendations, {len(done)} step(s) taken now")
