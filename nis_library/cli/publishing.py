"""`nis publish` and `nis build`: new versions frozen into an edition, and the bundle that serves
them (then announced to the ISP links API and its webhooks)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from indexer.bundle.build import BuildRefused
from indexer.bundle.build import build as run_build
from indexer.bundle.embeddings import EMBEDDERS, make_embedder
from indexer.bundle.location import models_dir
from indexer.record import publish as publishing
from indexer.record.diffs import as_text, item_diff
from indexer.record.editions import UnreadableVersion, read_version
from nis_library import settings as config
from nis_library.catalogue import Catalogue
from nis_library.cli.base import CONTENT_OPTION, INSTANCE_OPTION, command_settings, main, progress_bar, state_engine
from nis_library.isp_links import impact
from nis_library.isp_links.announce import announce


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
    settings = command_settings(CONTENT_DIR=content_path, INSTANCE_DIR=instance_path, EMBEDDER=embedder)
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
            progress=progress_bar(),
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


def _announce(settings: config.Settings, bundle: Path) -> None:
    """Announce the bundle now current (`isp_links.announce`), saying what was done."""
    try:
        with state_engine(settings) as engine, engine.begin() as conn:
            done = announce(conn, Catalogue(bundle), settings["PUBLIC_URL"])
    except click.ClickException as unavailable:
        click.echo(f"Not recorded for the ISP links API, webhooks not queued: {unavailable.message}", err=True)
        return
    if not done.webhooks_queued:
        click.echo(
            "Webhooks not queued: set NIS_PUBLIC_URL (the address clients reach the service at), so that "
            "notices carry links that work; the next build queues them.",
            err=True,
        )
    if done.queued:
        click.echo(f"Queued {done.queued} webhook delivery(ies): send them with 'nis webhooks deliver'.")


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
    settings = command_settings(CONTENT_DIR=content_path)
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


def _describe_impact(settings: config.Settings, plan: publishing.PublishPlan, dry_run: bool) -> str:
    """How many ISP links each substantive change or withdrawal flags for review: counts only."""
    if not impact.flagging(plan.versions):
        return "ISP links flagged for review: none (no substantive change or withdrawal)."
    try:
        with state_engine(settings) as engine, engine.connect() as conn:
            flagged = impact.flagged_links(conn, plan.versions)
    except click.ClickException as unavailable:
        return f"ISP links flagged for review: unknown ({unavailable.message})"
    verb = "would flag" if dry_run else "flags"
    lines = [f"ISP links each substantive change or withdrawal {verb} for review (counts only):"]
    lines += [f"  {f.item_id} v{f.number}: {f.links}" for f in flagged]
    return "\n".join(lines)


def _describe_plan(plan: publishing.PublishPlan, dry_run: bool) -> str:
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
