"""`nis serve` and `nis config`: the service run, and the settings it runs with."""

from __future__ import annotations

import json

import click

from nis_library import settings as config
from nis_library.app import create_app
from nis_library.cli.base import FORMAT_OPTION, command_settings, main
from nis_library.state.migrate import SchemaNotCurrent


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the library on http://HOST:PORT (development server; use gunicorn in production)."""
    try:
        app = create_app()
    except (config.SettingsError, SchemaNotCurrent) as error:
        raise click.ClickException(str(error)) from None
    app.run(host=host, port=port)


@main.command("config")
@FORMAT_OPTION
def show_config(output_format: str) -> None:
    """Every setting: its value, where the value came from (default, instance/config.py, an NIS_
    environment variable), and what it does."""
    settings = command_settings()
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "settings": settings.as_rows(),
                    "other": {name: str(source) for name, source in settings.extra_sources.items()},
                    "unknown_variables": list(settings.unknown_variables),
                },
                indent=2,
            )
        )
        return
    for entry in settings.as_rows():
        click.echo(f"{entry['setting']} = {json.dumps(entry['value'])}  [{settings.sources[entry['setting']]}]")
        click.echo(f"    {entry['help']} (environment: {entry['variable']})")
    for name, source in settings.extra_sources.items():
        click.echo(f"{name} (not a setting of the NIS Library; passed to Flask; value not shown)  [{source}]")
    for variable in settings.unknown_variables:
        click.echo(f"{variable} is set but is not a setting: ignored")
