"""The `nis` command."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from indexer.bundle.embeddings import EMBEDDERS, make_embedder
from indexer.bundle.location import models_dir
from indexer.content.problems import Severity
from indexer.content.stats import coverage
from indexer.record.loading import load_library
from nis_library import settings as config
from nis_library.search.request import MODES, SORTS

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """The NIS Library: evidence for the National Inclusion Standards (sample content)."""


OPTION_NAMES = {"CONTENT_DIR": "option --content", "INSTANCE_DIR": "option --instance", "EMBEDDER": "option --embedder"}


def _settings(**options) -> config.Settings:
    """The settings (see `nis config`), with the command-line options given over them."""
    try:
        return config.load_settings(options, overridden_by=OPTION_NAMES)
    except config.SettingsError as error:
        raise click.ClickException(str(error)) from None


@main.command()
@CONTENT_OPTION
@FORMAT_OPTION
def validate(content_path: Path | None, output_format: str) -> None:
    """Check every file in the content folder; report every problem as path:line: message.

    Exits 0 when there are no errors (warnings allowed), 1 when there are errors.
    """
    library = load_library(_settings(CONTENT_DIR=content_path).content_dir)
    errors = sum(p.severity is Severity.ERROR for p in library.problems)
    warnings = len(library.problems) - errors
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "ok": errors == 0,
                    "errors": errors,
                    "warnings": warnings,
                    "items": len(library.files),
                    "problems": [p.as_dict() for p in library.problems],
                },
                indent=2,
            )
        )
    else:
        for problem in library.problems:
            click.echo(str(problem))
        summary = f"{len(library.files)} items checked: {errors} error(s), {warnings} warning(s)"
        click.echo(summary, err=True)  # stdout stays one problem per line
    sys.exit(1 if errors else 0)


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
    library = load_library(_settings(CONTENT_DIR=content_path).content_dir)
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


INSTANCE_OPTION = click.option(
    "--instance",
    "instance_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Where the bundle lives (default: the INSTANCE_DIR setting, see 'nis config'; else ./instance).",
)


@main.command()
@CONTENT_OPTION
@INSTANCE_OPTION
@click.option("--full", is_flag=True, help="Rebuild everything instead of carrying over unchanged items.")
@click.option(
    "--embedder",
    type=click.Choice(sorted(EMBEDDERS)),
    default=None,
    help="The embedding model (default: the EMBEDDER setting, see 'nis config'; else minilm-onnx).",
)
@click.option(
    "--preview",
    is_flag=True,
    help="Build the preview from the working copies (drafts marked) into INSTANCE/preview, "
    "instead of the public bundle from the latest published versions.",
)
def build(
    content_path: Path | None, instance_path: Path | None, full: bool, embedder: str | None, preview: bool
) -> None:
    """Validate content/ and write the search bundle (database, keyword index, vectors).

    The public bundle holds the latest published version of each item; --preview builds the
    working copies instead. Incremental: unchanged items are neither re-indexed nor re-embedded.
    The new bundle replaces the old one atomically; if anything fails, the old one stays.
    """
    from indexer.bundle.build import BuildRefused
    from indexer.bundle.build import build as run_build

    settings = _settings(CONTENT_DIR=content_path, INSTANCE_DIR=instance_path, EMBEDDER=embedder)
    content, instance = settings.content_dir, settings.instance_dir
    target = config.preview_dir(instance) if preview else instance
    try:
        report = run_build(
            content,
            target,
            source="working" if preview else "published",
            full=full,
            # The ONNX embedder exports its model into the instance now, so the workers need not.
            embedder=make_embedder(settings["EMBEDDER"], models_dir(target)),
            progress=_progress_bar(),
            vectors_from=instance if preview else config.preview_dir(instance),
        )
    except BuildRefused as refused:
        for problem in refused.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Not built: {refused}", err=True)
        sys.exit(1)
    click.echo(
        f"Built {report.bundle} in {report.seconds:.2f}s: {report.items} items, {report.searchable} searchable; "
        f"{'full build' if report.full else 'incremental'}: {report.indexed} indexed, "
        f"{report.removed} removed, {report.embedded} embedded."
    )
    if not preview and report.items == 0:
        click.echo("Nothing is published yet: run 'nis publish', or 'nis build --preview' to see the working copies.")


@main.command()
@click.argument("publication")
@CONTENT_OPTION
@click.option(
    "--review", "review_id", required=True, help="The review this edition comes from (content/reviews/<id>.yaml)."
)
@click.option("--notes", default=None, help="The edition's release notes.")
@click.option(
    "--notes-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Read the release notes from this file.",
)
@click.option("--date", "date_text", default=None, help="The publication date, YYYY-MM-DD (default: today).")
@click.option(
    "--dry-run", is_flag=True, help="Show exactly what would be published, as a list and as diffs; write nothing."
)
def publish(
    publication: str,
    content_path: Path | None,
    review_id: str,
    notes: str | None,
    notes_file: Path | None,
    date_text: str | None,
    dry_run: bool,
) -> None:
    """Freeze every changed item of PUBLICATION (standards or packages) as a new version and write
    an edition. All or nothing; refused, with nothing written, if anything is wrong."""
    import datetime as dt

    from indexer.record import publish as publishing

    content = _settings(CONTENT_DIR=content_path).content_dir
    if notes and notes_file:
        raise click.UsageError("give --notes or --notes-file, not both")
    release_notes = notes_file.read_text(encoding="utf-8") if notes_file else (notes or "")
    try:
        date = dt.date.fromisoformat(date_text) if date_text else dt.date.today()
    except ValueError:
        raise click.BadParameter(f"'{date_text}' is not a date like 2031-09-01", param_hint="--date") from None
    try:
        plan = publishing.publish(content, publication, review_id, release_notes, date, dry_run=dry_run)
    except publishing.PublishRefused as refused:
        for problem in refused.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Not published: {refused.message}", err=True)
        sys.exit(1)
    click.echo(_describe_plan(plan, dry_run))


def _describe_plan(plan, dry_run: bool) -> str:
    from indexer.record.diffs import as_text, item_diff
    from indexer.record.editions import UnreadableVersion, read_version

    verb = "Would publish" if dry_run else "Published"
    lines = [
        f"{verb} {plan.publication} {plan.edition} ({plan.date}, review {plan.review}): "
        f"{len(plan.versions)} new version(s), {len(plan.items)} items in the edition."
    ]
    for version in plan.versions:
        implements = f" [implements {', '.join(version.implements)}]" if version.implements else ""
        status = " WITHDRAWN" if version.status == "withdrawn" else ""
        lines.append(
            f"  {version.id} v{version.number} {version.change_class}{status}: {version.change_note}{implements}"
        )
    if dry_run:
        for version in plan.versions:
            if version.previous is None:
                lines.append(f"\n{version.id} v{version.number}: new item")
                continue
            try:
                old_data, old_sections = read_version(version.previous)
                new_data, new_sections = read_version(version.source)
            except UnreadableVersion as unreadable:
                lines.append(f"\n{version.id} v{version.number}: no diff shown: {unreadable.problem}")
                continue
            diff = item_diff(
                old_data,
                [(s["heading"], s["text"]) for s in old_sections],
                new_data,
                [(s["heading"], s["text"]) for s in new_sections],
            )
            lines.append(f"\n{version.id} v{version.number - 1} -> v{version.number}:\n{as_text(diff)}")
    return "\n".join(lines)


def _progress_bar():
    """A progress bar on a terminal; nothing in CI or when output is piped."""
    import os

    if os.environ.get("CI") or not sys.stderr.isatty():
        return lambda items, label: items

    def show(items, label):
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar

    return show


@main.command()
@click.argument("query", required=False, default="")
@INSTANCE_OPTION
@click.option("--area", multiple=True, help="Area of development (repeat for several).")
@click.option("--subcomponent", multiple=True, help="Sub-component of an area.")
@click.option("--layer", multiple=True, help="Layer of support.")
@click.option("--phase", multiple=True, help="Phase.")
@click.option("--kind", multiple=True, help="Kind of item.")
@click.option("--setting", multiple=True, help="Type of setting.")
@click.option("--evidence", multiple=True, help="Evidence strength.")
@click.option("--cost", multiple=True, help="Cost band.")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True, help="Order of the results.")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--per-page", type=int, default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
def search(
    query: str,
    instance_path: Path | None,
    mode: str,
    sort: str,
    page: int,
    per_page: int,
    as_json: bool,
    **filters,
) -> None:
    """Search the library in your own words, e.g.  nis search "can't sit still in assembly" --layer universal"""
    from indexer.bundle.location import BundleError
    from nis_library.search import InvalidSearch
    from nis_library.search import search as run_search

    try:
        results = run_search(
            _settings(INSTANCE_DIR=instance_path).instance_dir,
            query,
            {k: v for k, v in filters.items() if v},
            mode,
            page,
            per_page,
            sort=sort,
        )
    except InvalidSearch as invalid:
        raise click.BadParameter(invalid.message, param_hint=f"--{invalid.parameter.replace('_', '-')}") from None
    except BundleError as missing:
        click.echo(str(missing), err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(results.as_dict(), indent=2))
        return
    click.echo(render_results(results))


def render_results(results) -> str:
    import html
    import re

    def plain(snippet: str) -> str:
        return html.unescape(re.sub(r"<mark[^>]*>(.*?)</mark>", lambda m: click.style(m.group(1), bold=True), snippet))

    lines = []
    if any(hit.sample for hit in results.hits):
        lines.append("Sample content: illustrative, not the official National Inclusion Standards.")
    for message in results.messages:
        lines.append(message)
    if results.did_you_mean:
        lines.append(f"Did you mean: {results.did_you_mean}?")
    described = f"'{results.query}'" if results.query else "everything"
    lines.append(f"{results.total} result(s) for {described} ({results.mode}), page {results.page} of {results.pages}")
    if results.expanded_with:
        lines.append(f"Also searched for: {', '.join(results.expanded_with)}")
    for hit in results.hits:
        why = " and ".join(hit.matched_by) or "browse"
        lines.append("")
        lines.append(click.style(f"{hit.rank}. {hit.title}", bold=True) + f"  [{hit.id}]")
        lines.append(
            f"   {hit.kind} · {', '.join(hit.layers)} · evidence: {hit.evidence} · cost: {hit.cost} · matched by {why}"
        )
        lines.append(f"   {plain(hit.snippet)}")
    if not results.hits:
        lines.append("No items matched. Try fewer or different words, or remove a filter.")
    return "\n".join(lines)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the library on http://HOST:PORT (development server; use gunicorn in production)."""
    from nis_library.app import create_app

    try:
        app = create_app()
    except config.SettingsError as error:
        raise click.ClickException(str(error)) from None
    app.run(host=host, port=port)


@main.command("config")
@FORMAT_OPTION
def show_config(output_format: str) -> None:
    """Every setting: its value, where the value came from (default, instance/config.py, an NIS_
    environment variable), and what it does."""
    settings = _settings()
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


# -- the state store ------------------------------------------------------------------------------


@contextlib.contextmanager
def _state_engine():
    """The state store's engine, its connections closed when the command is done."""
    from nis_library.state.database import database_url, make_engine

    settings = _settings()
    engine = make_engine(database_url(settings["DATABASE_URL"], settings.instance_dir))
    try:
        yield engine
    finally:
        engine.dispose()


@main.group()
def db() -> None:
    """The state store's database (SQLite in the instance folder, or DATABASE_URL's)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied; safe to run again."""
    from nis_library.state.migrate import upgrade

    with _state_engine() as engine:
        revision = upgrade(engine)
        click.echo(f"{engine.url.render_as_string(hide_password=True)} is at revision {revision} (head)")


@db.command("current")
def db_current() -> None:
    """Print the revision the database is at ('none' if never migrated)."""
    from nis_library.state.migrate import current_revision

    with _state_engine() as engine:
        click.echo(current_revision(engine) or "none")


@main.group()
def audit() -> None:
    """The audit trail of every change of state."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain: exit 0 if whole, 1 naming the first bad row."""
    from nis_library.state import audit as trail
    from nis_library.state.migrate import SchemaNotCurrent, require_current_schema

    with _state_engine() as engine:
        try:
            require_current_schema(engine)
        except SchemaNotCurrent as error:
            raise click.ClickException(str(error)) from None
        with engine.connect() as connection:
            bad = trail.verify(connection)
    if bad is not None:
        click.echo(f"audit log broken at {bad}", err=True)
        sys.exit(1)
    click.echo("audit log intact")
