"""`nis validate` and `nis stats`: the content folder checked, and counted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from indexer.bundle.scope_check import scope_problems
from indexer.content.problems import Severity
from indexer.content.stats import coverage
from indexer.record.loading import load_library
from nis_library import settings as config
from nis_library.cli.base import CONTENT_OPTION, FORMAT_OPTION, command_settings, main
from nis_library.governance.implements_check import unknown_implements
from nis_library.governance.recommendations import known_ids
from nis_library.state.database import STATE_FILE, engine_for
from nis_library.state.migrate import SchemaNotCurrent, require_current_schema


@main.command()
@CONTENT_OPTION
@FORMAT_OPTION
def validate(content_path: Path | None, output_format: str) -> None:
    """Check every file in the content folder; report every problem as path:line: message.

    Also warns for each word of content/scope.yaml that an active item's text holds.
    Exits 0 when there are no errors (warnings allowed), 1 when there are errors.
    """
    settings = command_settings(CONTENT_DIR=content_path)
    library = load_library(settings.content_dir)
    register_note, register_problems = _check_against_register(settings, library)
    problems = sorted(
        library.problems + register_problems + scope_problems(library), key=lambda p: (p.path, p.line, p.message)
    )
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "ok": errors == 0,
                    "errors": errors,
                    "warnings": warnings,
                    "items": len(library.files),
                    "register": register_note,
                    "problems": [p.as_dict() for p in problems],
                },
                indent=2,
            )
        )
    else:
        for problem in problems:
            click.echo(str(problem))
        summary = f"{len(library.files)} items checked: {errors} error(s), {warnings} warning(s)"
        click.echo(summary, err=True)  # stdout stays one problem per line
        click.echo(register_note, err=True)
    sys.exit(1 if errors else 0)


def _check_against_register(settings: config.Settings, library) -> tuple[str, list]:
    """Warnings for `implements` naming IDs the register does not know, and a note saying whether
    the register was checked: only a configured, migrated state store is (validating never creates
    or migrates one)."""
    if not settings["DATABASE_URL"] and not (settings.instance_dir / STATE_FILE).is_file():
        return (
            f"implements not checked against the register: no state store (none at {settings.instance_dir / STATE_FILE}, DATABASE_URL unset)",
            [],
        )
    engine = engine_for(settings)
    try:
        require_current_schema(engine)
        with engine.connect() as conn:
            problems = unknown_implements(library, known_ids(conn))
    except SchemaNotCurrent:
        return "implements not checked against the register: the state store is not migrated (nis db upgrade)", []
    except Exception as error:  # noqa: BLE001 (an unreachable database must not stop validation)
        return (
            f"implements not checked against the register: the state store cannot be read ({error.__class__.__name__})",
            [],
        )
    finally:
        engine.dispose()
    return f"implements checked against the register ({len(problems)} unknown)", problems


@main.command()
@CONTENT_OPTION
@FORMAT_OPTION
@click.option(
    "--min-per-cell",
    type=click.IntRange(min=0),
    default=None,
    help="Exit 1 if any area × layer cell of the Standards has fewer items than this.",
)
def stats(content_path: Path | None, output_format: str, min_per_cell: int | None) -> None:
    """Item counts per area × layer, per kind and per element of the Universal offer."""
    library = load_library(command_settings(CONTENT_DIR=content_path).content_dir)
    if library.taxonomy is None:
        for problem in library.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    cover = coverage(library)
    standards_layers = _standards_layers(library)
    thin = cover.thin_cells(min_per_cell, standards_layers) if min_per_cell is not None else []
    if output_format == "json":
        click.echo(json.dumps(cover.as_dict() | {"thin_cells": [list(t) for t in thin]}, indent=2))
    else:
        click.echo(_render_coverage(cover, library))
        if library.problems:
            click.echo(
                f"\nNote: {len(library.problems)} validation problem(s); invalid items are not counted "
                "(run 'nis validate')."
            )
        for area, layer, count in thin:
            click.echo(f"below {min_per_cell}: {area} × {layer} has {count}")
    sys.exit(1 if thin else 0)


def _standards_layers(library) -> list[str]:
    """The layers whose area cells the targets apply to: all but those only packages use."""
    package_only = {layer for p in library.publications.publications for layer in p.layers if p.kinds == ["package"]}
    return [layer.id for layer in library.taxonomy.layers if layer.id not in package_only]


def _render_coverage(cover, library) -> str:
    label = {a.id: a.label for a in library.taxonomy.areas}
    width = max(len(v) for v in label.values()) + 2
    lines = [f"{cover.total} active items", "", "Items per area of development and layer of support:"]
    lines.append("".ljust(width) + "".join(layer.rjust(15) for layer in cover.layers))
    for area in cover.areas:
        lines.append(
            label[area].ljust(width) + "".join(str(cover.cells[(area, layer)]).rjust(15) for layer in cover.layers)
        )
    lines += ["", "Items per kind:"]
    lines += [f"  {kind.ljust(22)}{count}" for kind, count in cover.kinds.items()]
    lines += ["", "Elements of the Universal offer (items putting each into practice):"]
    lines += [f"  {element.ljust(28)}{count}" for element, count in cover.universal_offer.items()]
    lines += ["", "Evidence strength:"]
    lines += [f"  {s.ljust(22)}{cover.evidence.get(s, 0)}" for s in (e.id for e in library.taxonomy.evidence_strengths)]
    lines += ["", f"Identification tools that lead to items: {cover.tools_leading_somewhere}"]
    return "\n".join(lines)
