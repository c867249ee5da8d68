"""What every `nis` command shares: the `main` group, the common options, the settings, the state
store's engine, who the audit log names for a change made here, and the progress bar."""

from __future__ import annotations

import contextlib
import getpass
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from nis_library import settings as config
from nis_library.state.database import engine_for
from nis_library.state.migrate import SchemaNotCurrent, require_current_schema

CONTENT_OPTION = click.option(
    "--content",
    "content_path",
    type=click.Path(path_type=Path),
    default=None,
    help="The content folder (default: the CONTENT_DIR setting, see 'nis config'; else ./content).",
)
FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Readable text, or JSON for scripts.",
)
INSTANCE_OPTION = click.option(
    "--instance",
    "instance_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Where the bundle lives (default: the INSTANCE_DIR setting, see 'nis config'; else ./instance).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """The NIS Library: evidence for the National Inclusion Standards (sample content)."""


OPTION_NAMES = {"CONTENT_DIR": "option --content", "INSTANCE_DIR": "option --instance", "EMBEDDER": "option --embedder"}


def command_settings(**options) -> config.Settings:
    """The settings (see `nis config`), with the command-line options given over them."""
    try:
        return config.load_settings(options, overridden_by=OPTION_NAMES)
    except config.SettingsError as error:
        raise click.ClickException(str(error)) from None


@contextlib.contextmanager
def state_engine(settings: config.Settings | None = None, *, current: bool = True) -> Iterator[Engine]:
    """The state store's engine, its connections closed when the command is done. When `current`,
    refused (as a ClickException) if its schema is behind the migrations (the message names
    `nis db upgrade`) or the database cannot be reached; `nis db upgrade` and `nis db current` ask
    for it as it is."""
    engine = engine_for(settings or command_settings())
    try:
        if current:
            try:
                require_current_schema(engine)
            except SchemaNotCurrent as error:
                raise click.ClickException(str(error)) from None
            except SQLAlchemyError as error:
                raise click.ClickException(f"the state store cannot be reached: {error.__class__.__name__}") from None
        yield engine
    finally:
        engine.dispose()


def cli_actor() -> str:
    """Who the audit log names for a change made on the command line: `cli:<os user>`."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"cli:uid-{os.getuid()}"


def progress_bar():
    """A progress bar on a terminal; nothing in CI or when output is piped."""
    if os.environ.get("CI") or not sys.stderr.isatty():
        return lambda items, label: items

    def show(items, label):
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar

    return show
