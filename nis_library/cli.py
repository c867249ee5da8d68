"""The `nis` command."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from indexer.bundle.embeddings import EMBEDDERS, make_embedder
from indexer.bundle.location import models_dir
from indexer.bundle.scope_check import scope_problems
from indexer.content.problems import Severity
from indexer.content.stats import coverage
from indexer.record.loading import load_library
from nis_library import settings as config
from nis_library.accounts.roles import ROLES
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

    Also warns for each word of content/scope.yaml that an active item's text holds.
    Exits 0 when there are no errors (warnings allowed), 1 when there are errors.
    """
    settings = _settings(CONTENT_DIR=content_path)
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
    from nis_library.governance.implements_check import unknown_implements
    from nis_library.governance.recommendations import known_ids
    from nis_library.state.database import STATE_FILE, engine_for
    from nis_library.state.migrate import SchemaNotCurrent, require_current_schema

    if not settings["DATABASE_URL"] and not (settings.instance_dir / STATE_FILE).is_file():
        return (
            f"implements not checked against the register: no state store (none at {settings.instance_dir / STATE_FILE}, DATABASE_URL unset)",
            [],
        )
    engine = engine_for(settings)
    try:
        require_current_schema(engine)
        problems = unknown_implements(library, known_ids(engine))
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
    help="The embedding model (default: the EMBEDDER setting, see 'nis config'; else minilm-onnx-int8).",
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
    if not preview:
        _announce(settings, report.bundle)


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

    settings = _settings(CONTENT_DIR=content_path)
    content = settings.content_dir
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
    click.echo(_describe_impact(settings, plan, dry_run))
    if not dry_run:
        # Not queued here: a webhook must never announce a version the service does not serve yet.
        click.echo("Webhooks for it are queued by the next 'nis build', once that build serves it.")


def _describe_impact(settings, plan, dry_run: bool) -> str:
    """How many ISP links each substantive change or withdrawal flags for review: counts only."""
    from nis_library.isp_links.impact import flagged_counts

    flagging = [v for v in plan.versions if v.change_class == "substantive" or v.status == "withdrawn"]
    if not flagging:
        return "ISP links flagged for review: none (no substantive change or withdrawal)."
    try:
        with _current_state_engine(settings) as engine, engine.connect() as conn:
            counts = flagged_counts(conn, [(v.id, v.number) for v in flagging])
    except click.ClickException as unavailable:
        return f"ISP links flagged for review: unknown ({unavailable.message})"
    verb = "would flag" if dry_run else "flags"
    lines = [f"ISP links each substantive change or withdrawal {verb} for review (counts only):"]
    lines += [f"  {v.id} v{v.number}: {counts[(v.id, v.number)]}" for v in flagging]
    return "\n".join(lines)


def _announce(settings, bundle: Path) -> None:
    """Now that the bundle is current: record the versions it serves in the state store (the ISP
    links API reads review status from there) and, in the same transaction, queue a webhook delivery
    for every client whose links they flag (never twice for one event). So no notice, and no
    review-needed answer, ever precedes the version it is about. `nis webhooks deliver` sends them."""
    from nis_library.catalogue import Catalogue
    from nis_library.isp_links import served, webhooks

    root = settings["PUBLIC_URL"]
    try:
        with _current_state_engine(settings) as engine, engine.begin() as conn:
            histories = served.record_bundle(conn, Catalogue(bundle))
            queued = webhooks.queue(conn, histories, root.rstrip("/")) if root else 0
    except click.ClickException as unavailable:
        click.echo(f"Not recorded for the ISP links API, webhooks not queued: {unavailable.message}", err=True)
        return
    if not root:
        click.echo(
            "Webhooks not queued: set NIS_PUBLIC_URL (the address clients reach the service at), so that "
            "notices carry links that work; the next build queues them.",
            err=True,
        )
    if queued:
        click.echo(f"Queued {queued} webhook delivery(ies): send them with 'nis webhooks deliver'.")


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
@click.option("--as-typed", is_flag=True, help="Search the words as typed: do not correct their spelling.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
def search(
    query: str,
    instance_path: Path | None,
    mode: str,
    sort: str,
    page: int,
    per_page: int,
    as_typed: bool,
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
            as_typed=as_typed,
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
    if results.corrected_from:
        lines.append(f"Showing results for: {results.query} (search instead for the words as typed: --as-typed)")
    if results.did_you_mean:
        lines.append(f"Did you mean: {results.did_you_mean}?")
    for topic in results.out_of_scope:
        lines.append(f"The library does not cover {topic.title}. {topic.about}")
        lines.extend(f"  For this, go to {place.name}: {place.url}" for place in topic.go_to)
    described = f"'{results.query}'" if results.query else "everything"
    lines.append(f"{results.total} result(s) for {described} ({results.mode}), page {results.page} of {results.pages}")
    if results.query and not results.total:
        lines.append(f"The library has nothing about {described}.")
    if results.missing_words:
        lines.append(f"No item mentions: {', '.join(results.missing_words)}.")
    if results.expanded_with:
        lines.append(f"Also searched for: {', '.join(results.expanded_with)}")
    previous_related = False
    for hit in results.hits:
        why = " and ".join(hit.matched_by) or "browse"
        if hit.related and not previous_related:
            heading = "Less closely related (not counted):" if results.total else "Related, but not about this:"
            lines.extend(["", heading])
        previous_related = hit.related
        lines.append("")
        lines.append(click.style(f"{hit.rank}. {hit.title}", bold=True) + f"  [{hit.id}]")
        lines.append(
            f"   {hit.kind} · {', '.join(hit.layers)} · evidence: {hit.evidence} · cost: {hit.cost} · matched by {why}"
        )
        lines.append(f"   {plain(hit.snippet)}")
        if hit.why:
            lines.append(f"   {hit.why}")
    if not results.hits:
        lines.append("No items matched. Try fewer or different words, or remove a filter.")
    return "\n".join(lines)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the library on http://HOST:PORT (development server; use gunicorn in production)."""
    from nis_library.app import create_app
    from nis_library.state.migrate import SchemaNotCurrent

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
    from nis_library.state.database import engine_for

    settings = _settings()
    engine = engine_for(settings)
    try:
        yield engine
    finally:
        engine.dispose()


@contextlib.contextmanager
def _current_state_engine(settings=None):
    """The state store's engine, refused (as a ClickException naming `nis db upgrade`) if its schema
    is behind or the database cannot be reached."""
    from sqlalchemy.exc import SQLAlchemyError

    from nis_library.state.database import engine_for
    from nis_library.state.migrate import SchemaNotCurrent, require_current_schema

    settings = settings or _settings()
    engine = engine_for(settings)
    try:
        try:
            require_current_schema(engine)
        except SchemaNotCurrent as error:
            raise click.ClickException(str(error)) from None
        except SQLAlchemyError as error:
            raise click.ClickException(f"the state store cannot be reached: {error.__class__.__name__}") from None
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


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(file: Path) -> None:
    """Copy every table, in one snapshot, to FILE (gzipped JSON with the schema revision; mode 0600)."""
    from nis_library.state.backup import backup

    with _migrated_engine() as engine:
        counts = backup(engine, file)
    click.echo(f"backed up {sum(counts.values())} rows of {len(counts)} tables to {file}")


@db.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def db_restore(file: Path) -> None:
    """Replace every table with FILE's rows (refused, changing nothing, if FILE is corrupt or of
    another schema revision). Everyone is signed out."""
    from nis_library.state.backup import BackupError, restore

    with _migrated_engine() as engine:
        try:
            counts = restore(engine, file, _cli_actor())
        except BackupError as error:
            raise click.ClickException(f"{error}. Nothing was changed.") from None
    click.echo(f"restored {sum(counts.values())} rows of {len(counts)} tables from {file}")


@db.command("rekey")
def db_rekey() -> None:
    """Reseal the audit log and re-encrypt webhook secrets under STATE_KEY, after a rotation (the old
    key in STATE_RETIRED_KEYS until this has run). Refused, changing nothing, if the log does not verify."""
    from nis_library.state.keys import StateKeyError
    from nis_library.state.rekey import RekeyError, rekey

    with _migrated_engine() as engine:
        try:
            done = rekey(engine, _cli_actor())
        except (RekeyError, StateKeyError) as error:
            raise click.ClickException(f"{error}. Nothing was changed.") from None
    click.echo(
        f"resealed {done.audit_rows} audit rows and re-encrypted {done.webhook_secrets} webhook secrets "
        f"under key {done.key_id}: STATE_RETIRED_KEYS can now be emptied"
    )


def _cli_actor() -> str:
    """Who the audit log names for a change made on the command line: `cli:<os user>`."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        import os

        return f"cli:uid-{os.getuid()}"


@contextlib.contextmanager
def _migrated_engine():
    from nis_library.state.migrate import SchemaNotCurrent, require_current_schema

    with _state_engine() as engine:
        try:
            require_current_schema(engine)
        except SchemaNotCurrent as error:
            raise click.ClickException(str(error)) from None
        yield engine


# -- accounts -------------------------------------------------------------------------------------


@main.group()
def users() -> None:
    """Accounts for the panel workspace (no one signs up: an administrator adds them here)."""


def _account_change(change):
    from nis_library.accounts.store import AccountError

    with _migrated_engine() as engine:
        try:
            with engine.begin() as conn:
                return change(conn)
        except AccountError as error:
            raise click.ClickException(f"{error}. Nothing was changed.") from None


def _new_password(from_stdin: bool) -> tuple[str, bool]:
    """The password to set, and whether it was generated (and so must be printed once)."""
    from nis_library.accounts import passwords
    from nis_library.accounts.sign_in import PASSWORD_LIMIT

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
    from nis_library.accounts import store

    password, generated = _new_password(password_stdin)
    account = _account_change(lambda conn: store.add(conn, _cli_actor(), username, display_name, role, password))
    click.echo(f"added {account.username} ({account.role})")
    if generated:
        click.echo(f"password (shown once, not stored): {password}")


@users.command("list")
def users_list() -> None:
    """Every account: username, role, whether disabled, display name."""
    from nis_library.accounts import store

    with _migrated_engine() as engine, engine.connect() as conn:
        for account in store.all_accounts(conn):
            state = "disabled" if account.disabled else "active"
            click.echo(f"{account.username}\t{account.role}\t{state}\t{account.display_name}")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account: it cannot sign in, and its sessions end at once."""
    from nis_library.accounts import store

    _account_change(lambda conn: store.disable(conn, _cli_actor(), username))
    click.echo(f"disabled {username}; its sessions are ended")


@users.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def users_reset_password(username: str, password_stdin: bool) -> None:
    """Give an account a new password (printed once) and end its sessions."""
    from nis_library.accounts import store

    password, generated = _new_password(password_stdin)
    _account_change(lambda conn: store.reset_password(conn, _cli_actor(), username, password))
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
    from nis_library.accounts.samples import ensure_sample_accounts

    with _migrated_engine() as engine:
        made = ensure_sample_accounts(engine, _cli_actor())
    for entry in made:
        account = entry.account
        if entry.password:
            click.echo(f"sample account {account.username} ({account.role}): password {entry.password} (shown once)")
        else:
            click.echo(f"sample account {account.username} ({account.role}): exists, password unchanged")


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


@sample.command("register")
@CONTENT_OPTION
def sample_register(content_path: Path | None) -> None:
    """Load the sample recommendations register (every state, from the shipped reviews); safe to run
    again: what is loaded already is left as it is."""
    from nis_library.governance import sample as sample_data
    from nis_library.governance.permissions import GovernanceError
    from nis_library.governance.terms import from_library
    from nis_library.state.migrate import SchemaNotCurrent, require_current_schema

    settings = _settings(CONTENT_DIR=content_path)
    terms = from_library(load_library(settings.content_dir))
    if terms is None:
        raise click.ClickException(f"{settings.content_dir} has no readable taxonomy: run 'nis validate'")
    with _state_engine() as engine:
        try:
            require_current_schema(engine)
            done = sample_data.load(engine, terms)
        except (SchemaNotCurrent, GovernanceError) as error:
            raise click.ClickException(str(error)) from None
    for line in done:
        click.echo(line)
    click.echo(f"sample register: {len(sample_data.PLAN)} recommendations, {len(done)} step(s) taken now")


# -- API clients and webhooks ---------------------------------------------------------------------


@main.group()
def clients() -> None:
    """API clients: settings' ISP systems, each with its own bearer token."""


@clients.command("add")
@click.argument("name")
def clients_add(name: str) -> None:
    """Add a client named NAME (the setting's name) and print its token, once."""
    from nis_library.isp_links import clients as api_clients

    with _current_state_engine() as engine, engine.begin() as conn:
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
    from nis_library.isp_links import clients as api_clients

    with _current_state_engine() as engine, engine.connect() as conn:
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
    from nis_library.isp_links import clients as api_clients

    with _current_state_engine() as engine, engine.begin() as conn:
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
    from nis_library.isp_links import webhooks as hooks

    settings = _settings()
    with _current_state_engine(settings) as engine:
        report = hooks.deliver(
            engine,
            timeout=settings["WEBHOOK_TIMEOUT"],
            max_attempts=settings["WEBHOOK_MAX_ATTEMPTS"],
            allow_localhost=settings["WEBHOOKS_ALLOW_LOCALHOST"],
            ports=tuple(settings["WEBHOOK_PORTS"]),
        )
    click.echo(f"Webhooks: {report.delivered} delivered, {report.retrying} to retry, {report.failed} failed.")


if __name__ == "__main__":  # python -m nis_library.cli, as the nis script
    main(prog_name="nis")
