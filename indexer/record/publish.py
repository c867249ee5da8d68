"""`nis publish`: freeze every changed item of one publication as a new immutable version and
write an edition, all or nothing.

The new edition is assembled in a hidden staging folder inside `content/published/` and appears
under `content/published/<publication>/<edition>/` in one rename, so a publish that fails or is
killed part-way leaves the published record as it was. A lock file refuses a second publish
while one runs.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from indexer.content.characters import control_character_message, first_forbidden
from indexer.content.hashing import sha256_hex
from indexer.content.markdown_bounds import complexity_problems
from indexer.content.model import Item
from indexer.content.problems import Problem
from indexer.content.sources import SOURCE_SUFFIX, SOURCES_DIR
from indexer.content.taxonomy import Taxonomy
from indexer.record.editions import (
    MANIFEST_NAME,
    STAGING_PREFIX,
    ChangeClass,
    FrozenSource,
    Manifest,
    NewVersion,
    PreviousEdition,
    PublishedRecord,
    VersionStatus,
    content_hash,
    edition_sort_key,
    published_root,
    read_version,
    sign_manifest,
)
from indexer.record.loading import load_library

LOCK_NAME = ".lock"
FIRST_VERSION_NOTE = "First published."
BeforeRename = Callable[[Path], object]  # called with the staging folder


class PublishRefused(Exception):
    """Nothing was written; `problems` (if any) say what to fix."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


@dataclass(frozen=True)
class PlannedVersion:
    id: str
    kind: str
    number: int
    source: Path  # the working copy to freeze
    raw: bytes  # its bytes now
    content_hash: str
    change_class: ChangeClass
    change_note: str
    implements: tuple[str, ...]
    status: VersionStatus
    previous: Path | None  # the version it supersedes, for diffs


@dataclass
class PublishPlan:
    publication: str
    edition: str
    date: dt.date
    review: str
    release_notes: str
    versions: list[PlannedVersion] = field(default_factory=list)
    items: dict[str, int] = field(default_factory=dict)  # the edition's item@version set
    previous_edition: PreviousEdition | None = None
    sources: dict[str, bytes] = field(default_factory=dict)  # the register's records the new versions cite

    @property
    def target(self) -> str:
        return f"{self.publication}/{self.edition}"


def plan_publish(content_dir: Path, publication: str, review_id: str, release_notes: str, date: dt.date) -> PublishPlan:
    """Work out exactly what publishing would write, or refuse with the reasons."""
    library = load_library(content_dir)
    # Content without its configuration or published record is never ok: load_library stops short.
    if not library.ok or library.publications is None or library.taxonomy is None or library.published is None:
        raise PublishRefused(
            "the content has errors: fix them (nis validate) before publishing",
            [p for p in library.problems if p.severity.value == "error"],
        )
    publications = {p.id: p for p in library.publications.publications}
    if publication not in publications:
        raise PublishRefused(f"unknown publication '{publication}': choose one of {', '.join(publications)}")
    review = library.reviews.get(review_id)
    if review is None:
        known = ", ".join(r.id for r in library.reviews.values() if r.publication == publication) or "none yet"
        raise PublishRefused(
            f"unknown review '{review_id}': add content/reviews/{review_id}.yaml first "
            f"(reviews of {publication}: {known})"
        )
    if review.publication != publication:
        raise PublishRefused(f"review '{review_id}' is a review of {review.publication}, not {publication}")
    if not release_notes.strip():
        raise PublishRefused("an edition needs release notes (--notes or --notes-file)")
    control = first_forbidden(release_notes)
    if control is not None:
        raise PublishRefused(f"the release notes: {control_character_message(control)}")
    beyond = complexity_problems(release_notes.strip(), 1)
    if beyond:
        line, message = beyond[0]
        raise PublishRefused(f"the release notes, line {line}: {message} (Markdown that would stall the page)")
    record = library.published
    latest_edition = record.latest_edition(publication)
    if latest_edition and date < latest_edition.manifest.date:
        raise PublishRefused(
            f"the date {date} is before the latest edition of {publication} "
            f"({latest_edition.manifest.edition}, {latest_edition.manifest.date})"
        )

    if review.type == "initial" and latest_edition is not None:
        raise PublishRefused(
            f"review '{review_id}' is an initial review, and {publication} has been published "
            "already: later editions come from a scheduled or out-of-cycle review"
        )
    kinds = set(publications[publication].kinds)
    plan = PublishPlan(
        publication, _edition_number(record, publication, review.type, date), date, review_id, release_notes.strip()
    )
    if latest_edition is not None:
        plan.items = dict(latest_edition.manifest.items)
        plan.previous_edition = PreviousEdition(edition=latest_edition.manifest.edition, sha256=latest_edition.sha256)
    stale_notes = []
    # The content is ok, so every file holds a valid item and its body.
    valid = [(f, f.item, f.body) for f in library.files if f.item is not None and f.body is not None]
    for record_file, item, body in sorted(valid, key=lambda v: v[1].id):
        if item.kind not in kinds:
            continue
        sections = [(s.heading, s.text) for s in body.sections]
        digest = content_hash(item.model_dump(mode="json"), sections)
        latest = record.latest(item.id)
        if latest is not None and latest.record.content_hash == digest:
            continue
        change = item.change
        change_class: ChangeClass
        implements: tuple[str, ...]
        if latest is None and change is None:
            change_class, note, implements = "substantive", FIRST_VERSION_NOTE, ()
        elif change is None or (latest is not None and change.note == latest.record.change_note):
            stale_notes.append(item.id)
            continue
        else:
            change_class, note, implements = change.class_, change.note, tuple(change.implements)
        number = 1 if latest is None else latest.number + 1
        plan.versions.append(
            PlannedVersion(
                item.id,
                item.kind,
                number,
                record_file.path,
                record_file.path.read_bytes(),
                digest,
                change_class,
                note,
                implements,
                item.status,
                latest.path if latest else None,
            )
        )
        plan.items[item.id] = number
    if stale_notes:
        raise PublishRefused(
            "these items changed but have no new change note: add a 'change:' block (class: substantive or "
            "editorial, and a note saying what changed) to each: " + ", ".join(stale_notes)
        )
    if not plan.versions:
        raise PublishRefused(
            f"nothing to publish: no item of {publication} changed since "
            f"{publication} {latest_edition.manifest.edition if latest_edition else '(never published)'}"
        )
    if (published_root(content_dir) / publication / plan.edition).exists():
        raise PublishRefused(
            f"{publication} {plan.edition} already exists: an amendment this year needs an out-of-cycle review"
        )
    plan.items = dict(sorted(plan.items.items()))
    items = library.items
    table = rating_changes(plan.versions, items, library.taxonomy)
    if table:
        plan.release_notes = f"{plan.release_notes}\n\n{table}"
    cited = {c.source for v in plan.versions for c in items[v.id].evidence.citations}
    register = library.root / SOURCES_DIR
    plan.sources = {i: (register / f"{i}{SOURCE_SUFFIX}").read_bytes() for i in sorted(cited)}
    return plan


def rating_changes(versions: list[PlannedVersion], items: Mapping[str, Item], taxonomy: Taxonomy) -> str:
    """The edition's changes of rating, as a Markdown table for its release notes (item, was, now,
    why): each new version whose strength, or what its evidence shows, differs from its previous
    version's. A previous version from before `shows` was recorded changes only by its strength."""
    strengths = {s.id: s.label for s in taxonomy.evidence_strengths}
    shows = {s.id: s.label.lower() for s in taxonomy.evidence_shows}
    rows = []
    for version in versions:
        if version.previous is None:
            continue
        evidence = read_version(version.previous)[0].get("evidence")
        before = evidence if isinstance(evidence, dict) else {}  # as frozen: a mapping, or none at all
        after = items[version.id].evidence
        was, was_shows = before.get("strength"), before.get("shows")
        if was == after.strength and (was_shows is None or was_shows == after.shows):
            continue
        was_text, now_text = (
            _rating_text(was, was_shows, strengths, shows),
            _rating_text(after.strength, after.shows, strengths, shows),
        )
        cells = [f"{version.id}, {items[version.id].title}", was_text, now_text, version.change_note]
        rows.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    if not rows:
        return ""
    return "\n".join(["### Changes of rating", "", "| Item | Was | Now | Why |", "|---|---|---|---|", *rows])


def _rating_text(
    strength: str | None, shows: str | None, strengths: Mapping[str, str], shows_labels: Mapping[str, str]
) -> str:
    """ "Emerging: positive results"; the strength alone where nothing more is known ("Not yet rated")."""
    text = str(strength) if strength is None else strengths.get(strength, strength)
    return f"{text}: {shows_labels.get(shows, shows)}" if shows and shows != "not-rated" else text


def _edition_number(record: PublishedRecord, publication: str, review_type: str, date: dt.date) -> str:
    """Initial and scheduled reviews give `<year>`; out-of-cycle ones `<year of the last
    edition>.<n>`, counting amendments since that edition."""
    editions = [e.manifest.edition for e in record.editions_of(publication)]
    if review_type != "out-of-cycle":
        return str(date.year)
    if not editions:
        raise PublishRefused(f"an out-of-cycle edition amends an edition, but {publication} has none yet")
    base = max(editions, key=edition_sort_key).split(".")[0]
    amendments = [e for e in editions if e.startswith(base + ".")]
    return f"{base}.{len(amendments) + 1}"


def manifest_text(plan: PublishPlan) -> str:
    manifest = Manifest(
        publication=plan.publication,
        edition=plan.edition,
        date=plan.date,
        review=plan.review,
        release_notes=plan.release_notes,
        previous=plan.previous_edition,
        items=plan.items,
        new_versions=[
            NewVersion(
                id=v.id,
                version=v.number,
                kind=v.kind,
                sha256=sha256_hex(v.raw),
                content_hash=v.content_hash,
                change_class=v.change_class,
                change_note=v.change_note,
                implements=list(v.implements),
                status=v.status,
            )
            for v in plan.versions
        ],
        sources=[FrozenSource(id=i, sha256=sha256_hex(raw)) for i, raw in plan.sources.items()],
    )
    header = (
        "# Written by `nis publish`. Never edit this folder: `nis validate` checks every hash.\n"
        "# The last line is the SHA-256 of everything above it.\n"
    )
    return header + yaml.safe_dump(manifest.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100)


def apply_plan(content_dir: Path, plan: PublishPlan, *, before_rename: BeforeRename | None = None) -> Path:
    """Write the edition: staged, then one rename. `before_rename` lets tests fail or kill the
    publish at its last moment."""
    root = published_root(content_dir)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f"{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"
    target = root / plan.publication / plan.edition
    try:
        for version in plan.versions:
            path = staging / "items" / version.kind / f"{version.id}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_synced(path, version.raw)
        for source_id, raw in plan.sources.items():
            path = staging / SOURCES_DIR / f"{source_id}{SOURCE_SUFFIX}"
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_synced(path, raw)
        _write_synced(staging / MANIFEST_NAME, sign_manifest(manifest_text(plan)))
        target.parent.mkdir(exist_ok=True)
        if before_rename:
            before_rename(staging)
        os.rename(staging, target)  # fails, rather than merges, if the edition appeared meanwhile
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _write_synced(path: Path, raw: bytes) -> None:
    with open(path, "xb") as handle:
        handle.write(raw)
        handle.flush()
        os.fsync(handle.fileno())


@contextmanager
def publish_lock(content_dir: Path) -> Iterator[None]:
    """One publish at a time; a second is refused at once rather than queued."""
    root = published_root(content_dir)
    root.mkdir(parents=True, exist_ok=True)
    handle = open(root / LOCK_NAME, "a+b")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise PublishRefused("another nis publish is running: wait for it to finish") from None
            raise
        _remove_stale_staging(root)
        yield
    finally:
        handle.close()


def _remove_stale_staging(root: Path) -> None:
    """Staging folders left by a publish that was killed (we hold the lock, so none is live)."""
    for stale in root.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)


def publish(
    content_dir: Path,
    publication: str,
    review_id: str,
    release_notes: str,
    date: dt.date,
    *,
    dry_run: bool = False,
    before_rename: BeforeRename | None = None,
) -> PublishPlan:
    content_dir = Path(content_dir)
    if dry_run:
        return plan_publish(content_dir, publication, review_id, release_notes, date)
    with publish_lock(content_dir):
        plan = plan_publish(content_dir, publication, review_id, release_notes, date)
        apply_plan(content_dir, plan, before_rename=before_rename)
    return plan
