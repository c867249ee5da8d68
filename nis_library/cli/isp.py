"""`nis clients ...` and `nis webhooks ...`: the ISP links API's clients, and the webhook deliveries
to their callbacks."""

from __future__ import annotations

import json

import click

from nis_library.cli.base import FORMAT_OPTION, command_settings, main, state_engine
from nis_library.isp_links import clients as api_clients
from nis_library.isp_links import webhooks as hooks


@main.group()
def clients() -> None:
    """API clients: settings' ISP systems, each with its own bearer token."""


@clients.command("add")
@click.argument("name")
def clients_add(name: str) -> None:
    """Add a client named NAME (the setting's name) and print its token, once."""
    with state_engine() as engine, engine.begin() as conn:
        try:
            client, token = api_clients.add(conn, name)
        except api_clients.ClientError as error:
            raise click.BadParameter(str(error), param_hint="NAME") from None
    click.echo(f"Client {client.id} ({client.name}) added. Its token, shown only now; keep it secret:")
    click.echo(token)


@clients.command("list")
@FORMAT_OPTION
def clients_list(output_format: str) -> None:
    """Every client, active or revoked (never their tokens)."""
    with state_engine() as engine, engine.connect() as conn:
        found = api_clients.all_clients(conn)
    rows = [
        {
            "id": c.id,
            "name": c.name,
            "created_at": c.created_at.isoformat(timespec="seconds"),
            "revoked_at": c.revoked_at.isoformat(timespec="seconds") if c.revoked_at else None,
        }
        for c in found
    ]
    if output_format == "json":
        click.echo(json.dumps({"clients": rows}, indent=2))
        return
    for row in rows:
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
        click.echo(f"{row['id']}\t{row['name']}\tadded {row['created_at']}\t{state}")
    if not rows:
        click.echo("No clients yet: add one with 'nis clients add \"<setting name>\"'.")


@clients.command("revoke")
@click.argument("client_id", type=click.IntRange(min=1))
def clients_revoke(client_id: int) -> None:
    """Revoke client CLIENT_ID's token: its requests are refused from now on."""
    with state_engine() as engine, engine.begin() as conn:
        try:
            client = api_clients.revoke(conn, client_id)
        except api_clients.ClientError as error:
            raise click.BadParameter(str(error), param_hint="CLIENT_ID") from None
    click.echo(f"Client {client.id} ({client.name}) revoked.")


@main.group()
def webhooks() -> None:
    """Webhook deliveries to clients' callbacks."""


@webhooks.command("deliver")
def webhooks_deliver() -> None:
    """Send every webhook delivery that is due (run by a timer, or after a build). A delivery that
    fails is retried later with exponential backoff, up to WEBHOOK_MAX_ATTEMPTS."""
    settings = command_settings()
    with state_engine(settings) as engine:
        report = hooks.deliver(
            engine,
            timeout=settings["WEBHOOK_TIMEOUT"],
            max_attempts=settings["WEBHOOK_MAX_ATTEMPTS"],
            allow_localhost=settings["WEBHOOKS_ALLOW_LOCALHOST"],
            ports=tuple(settings["WEBHOOK_PORTS"]),
        )
    click.echo(f"Webhooks: {report.delivered} delivered, {report.retrying} to retry, {report.failed} failed.")
