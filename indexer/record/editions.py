"""The published record: `content/published/`, append-only, written only by `nis publish`.

    published/<publication>/<edition>/edition.yaml            the edition manifest
    published/<publication>/<edition>/items/<kind>/<ID>.md     each item version it introduced
    published/<publication>/<edition>/sources/<id>.yaml        each source record those versions cite

An edition folder appears in one rename when publishing succeeds and is never changed afterwards.
Its manifest lists the exact item@version set, the new versions with their change class and note,
and the SHA-256 of each new version's file; its last line is the SHA-256 of every byte above it,
and it records the hash of the publication's previous edition. The source records the new versions
cite are frozen with them, so a version's "How we rated this" never changes once published: a
corrected record reaches the pages with the next version of each item that cites it. Reading the
record checks all of these, so an edited frozen file is an error that names the file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Annotated, Literal, TypedDict

from pydantic import Field, ValidationError

from indexer.content import files
from indexer.content.body import parse_body
from indexer.content.characters import control_character_message, forbidden_lines
from indexer.content.frontmatter import FrontMatterProblem, split_front_matter
from indexer.content.hashing import sha256_hex
from indexer.content.model import ItemId, RecommendationId
from indexer.content.problems import Problem, display_path, error_at
from indexer.content.safe_yaml import YamlProblem, load_checked
from indexer.content.schema import Slug, Strict, Text
from indexer.content.sources import SOURCE_SUFFIX, SOURCES_DIR

PUBLISHED_DIR = "published"
MANIFEST_NAME = "edition.yaml"
STAGING_PREFIX = ".publishing-"
EditionNumber = Annotated[str, Field(pattern=r"^\d{4}(\.\d{1,3})?$")]  # 2031, or 2031.1 out of cycle
HASH_LINE = re.compile(rb"\nsha256: ([0-9a-f]{64})\n?\Z")
ChangeClass = Literal["substantive", "editorial"]
VersionStatus = Literal["active", "withdrawn"]
Display = Callable[[Path], str]  # a path as problems show it


class NewVersion(Strict):
    id: ItemId
    version: int = Field(ge=1)
    kind: Slug
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")  # of the version's file, byte for byte
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")  # of its content (see `content_hash`)
    change_class: ChangeClass
    change_note: Text
    implements: list[RecommendationId] = []
    status: VersionStatus = "active"


class FrozenSource(Strict):
    id: Slug
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")  # of the record's file, byte for byte


class PreviousEdition(Strict):
    edition: EditionNumber
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Manifest(Strict):
    publication: Slug
    edition: EditionNumber
    date: dt.date
    review: Slug
    release_notes: Text
    previous: PreviousEdition | None = None
    items: dict[ItemId, int]  # the exact item@version set of the publication
    new_versions: list[NewVersion] = Field(min_length=1)
    # The register's records the new versions cite, as they were (editions before the register: none).
    sources: list[FrozenSource] = []


@dataclass(frozen=True)
class Version:
    """One immutable item version, where it lives and what its edition says of it."""

    id: str
    number: int
    publication: str
    edition: str
    date: dt.date
    path: Path  # the frozen file
    record: NewVersion
    sources: dict[str, Path] = field(default_factory=dict)  # its edition's frozen source records, by ID

    @property
    def label(self) -> str:
        return f"{self.id} v{self.number}"


@dataclass
class Edition:
    manifest: Manifest
    path: Path  # the edition folder
    sha256: str  # of the manifest file

    @property
    def key(self) -> tuple[str, str]:
        return self.manifest.publication, self.manifest.edition


@dataclass
class PublishedRecord:
    root: Path
    editions: list[Edition] = field(default_factory=list)  # oldest first, per publication
    versions: dict[str, list[Version]] = field(default_factory=dict)  # by item, oldest first
    problems: list[Problem] = field(default_factory=list)

    def latest(self, item_id: str) -> Version | None:
        found = self.versions.get(item_id)
        return found[-1] if found else None

    def version(self, item_id: str, number: int) -> Version | None:
        found = self.versions.get(item_id, [])
        return found[number - 1] if 1 <= number <= len(found) else None

    def editions_of(self, publication: str) -> list[Edition]:
        return [e for e in self.editions if e.manifest.publication == publication]

    def latest_edition(self, publication: str) -> Edition | None:
        found = self.editions_of(publication)
        return found[-1] if found else None


def content_hash(item_data: Mapping[str, object], sections: list[tuple[str, str]]) -> str:
    """What counts as a change: the validated front matter, less the change note, and the body's
    sections. Reformatting the YAML or editing only the change note is not a new version."""
    data = {k: v for k, v in item_data.items() if k != "change"}
    return sha256_hex(json.dumps([data, sections], sort_keys=True, ensure_ascii=False).encode("utf-8"))


def sign_manifest(text: str) -> bytes:
    """The manifest's bytes with its own hash as the last line."""
    content = text.rstrip("\n").encode("utf-8")
    return content + b"\nsha256: " + sha256_hex(content).encode() + b"\n"


class VersionSection(TypedDict):
    heading: str
    line: int
    text: str


class UnreadableVersion(ValueError):
    """A frozen version file that cannot be read safely: its problem says where and why."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def read_version(path: Path) -> tuple[dict[str, object], list[VersionSection]]:
    """A frozen version's front matter and body sections, as written: not checked against today's
    taxonomy, which may have changed since it was published. Read with the same limits as a working
    copy; UnreadableVersion if it breaks one."""

    def unreadable(line: int, message: str) -> UnreadableVersion:
        return UnreadableVersion(error_at(path.as_posix(), line, "unreadable-version", message))

    try:
        text = files.read_bytes(path, files.ITEM_MAX_BYTES).decode("utf-8")
    except files.UnsafeFile as unsafe:
        raise unreadable(1, unsafe.message) from None
    except UnicodeDecodeError:
        raise unreadable(1, "the file is not valid UTF-8") from None
    for line, char in forbidden_lines(text, limit=1):
        raise unreadable(line, control_character_message(char))
    try:
        split = split_front_matter(text)
        data = load_checked(split.front_matter, split.front_matter_first_line) or {}
    except (FrontMatterProblem, YamlProblem) as problem:
        raise unreadable(problem.line, problem.message) from None
    if not isinstance(data, dict):
        raise unreadable(1, "the front matter is not a mapping")
    body = parse_body(split.body, split.body_first_line)
    return data, [{"heading": s.heading, "line": s.line, "text": s.text} for s in body.sections]


def published_root(content_dir: Path) -> Path:
    return Path(content_dir) / PUBLISHED_DIR


def edition_sort_key(number: str) -> tuple[int, int]:
    year, _, amendment = number.partition(".")
    return int(year), int(amendment or 0)


def load_published(content_dir: Path) -> PublishedRecord:
    """Read and verify every edition. Problems name the file that is wrong."""
    root = published_root(content_dir)
    record = PublishedRecord(root=root)
    display = partial(display_path, Path(content_dir))
    if _refuse_link(root, record, display) or not root.is_dir():
        return record
    for publication_dir in sorted(_folders(root, record, display)):
        previous: Edition | None = None
        folders = list(_folders(publication_dir, record, display))
        for folder in sorted(
            folders, key=lambda p: edition_sort_key(p.name) if re.fullmatch(r"\d{4}(\.\d+)?", p.name) else (0, 0)
        ):
            edition = _read_edition(folder, publication_dir.name, previous, record, display)
            if edition is not None:
                record.editions.append(edition)
                previous = edition
        for stray in (p for p in publication_dir.iterdir() if p.is_file() and not files.is_symlink(p)):
            record.problems.append(
                error_at(
                    display(stray),
                    1,
                    "stray-published-file",
                    "only nis publish writes in content/published/: remove this file",
                )
            )
    for edition in record.editions:
        for new in edition.manifest.new_versions:
            path = edition.path / "items" / new.kind / f"{new.id}.md"
            record.versions.setdefault(new.id, []).append(
                Version(
                    new.id,
                    new.version,
                    edition.manifest.publication,
                    edition.manifest.edition,
                    edition.manifest.date,
                    path,
                    new,
                    {s.id: edition.path / SOURCES_DIR / f"{s.id}{SOURCE_SUFFIX}" for s in edition.manifest.sources},
                )
            )
    for item_id, versions in record.versions.items():
        versions.sort(key=lambda v: v.number)
        numbers = [v.number for v in versions]
        if numbers != list(range(1, len(numbers) + 1)):
            record.problems.append(
                error_at(
                    display(versions[-1].path),
                    1,
                    "version-gap",
                    f"{item_id} has versions {numbers}: versions count up from 1 with no gaps",
                )
            )
    return record


def _refuse_link(path: Path, record: PublishedRecord, display: Display) -> bool:
    """True, with a problem, if `path` is a symbolic link: the record is never read through one."""
    if files.is_symlink(path):
        record.problems.append(error_at(display(path), 1, "symlink", files.SYMLINK_MESSAGE))
        return True
    return False


def _folders(parent: Path, record: PublishedRecord, display: Display) -> list[Path]:
    """The folders in `parent` (not hidden), each link among its entries reported, never followed."""
    return [
        p
        for p in parent.iterdir()
        if not p.name.startswith(".") and not _refuse_link(p, record, display) and p.is_dir()
    ]


def _read_edition(
    folder: Path, publication: str, previous: Edition | None, record: PublishedRecord, display: Display
) -> Edition | None:
    manifest_path = folder / MANIFEST_NAME
    where = display(manifest_path)
    try:
        raw = files.read_bytes(manifest_path, files.MANIFEST_MAX_BYTES)
    except files.UnsafeFile as unsafe:
        if unsafe.code == "missing-file":
            record.problems.append(
                error_at(display(folder), 1, "missing-manifest", f"the edition folder has no {MANIFEST_NAME}")
            )
        else:
            record.problems.append(error_at(where, 1, unsafe.code, unsafe.message))
        return None
    problems = record.problems
    signed = HASH_LINE.search(raw)
    if not signed:
        problems.append(
            error_at(
                where,
                1,
                "unsigned-manifest",
                "the manifest's last line must be its sha256: it was not written by nis publish, or was edited",
            )
        )
        return None
    body = raw[: signed.start()]
    if sha256_hex(body) != signed.group(1).decode():
        problems.append(
            error_at(
                where,
                1,
                "edited-manifest",
                "this edition's manifest was edited after publishing "
                "(its hash does not match): published files must never change; restore it from git",
            )
        )
        return None
    try:
        manifest = Manifest.model_validate(load_checked(body.decode("utf-8")))
    except YamlProblem as exc:
        problems.append(error_at(where, exc.line, "bad-manifest", f"the manifest cannot be read: {exc.message}"))
        return None
    except (ValidationError, UnicodeDecodeError) as exc:
        problems.append(error_at(where, 1, "bad-manifest", f"the manifest cannot be read: {str(exc).splitlines()[0]}"))
        return None
    if manifest.publication != publication or manifest.edition != folder.name:
        problems.append(
            error_at(
                where,
                1,
                "misplaced-edition",
                f"the manifest says {manifest.publication} {manifest.edition} but lies in {publication}/{folder.name}/",
            )
        )
    expected_previous = (
        None if previous is None else PreviousEdition(edition=previous.manifest.edition, sha256=previous.sha256)
    )
    if manifest.previous != expected_previous:
        problems.append(
            error_at(
                where,
                1,
                "broken-chain",
                f"the manifest's 'previous' does not match the "
                f"edition before it ({expected_previous.edition if expected_previous else 'none'}): "
                "an earlier edition was edited, removed or added by hand",
            )
        )
    for new in manifest.new_versions:
        path = folder / "items" / new.kind / f"{new.id}.md"
        try:
            actual = sha256_hex(files.read_bytes(path, files.ITEM_MAX_BYTES))
        except files.UnsafeFile as unsafe:
            if unsafe.code == "missing-file":
                problems.append(
                    error_at(
                        display(path), 1, "missing-version", f"{new.id} v{new.version} is missing from its edition"
                    )
                )
            else:
                problems.append(error_at(display(path), 1, unsafe.code, unsafe.message))
            continue
        if actual != new.sha256:
            problems.append(
                error_at(
                    display(path),
                    1,
                    "edited-version",
                    f"{new.id} v{new.version} was edited after publishing (its hash does not match "
                    f"{where}): published versions never change; restore it from git and edit the "
                    f"working copy instead",
                )
            )
    _check_frozen_sources(folder, manifest, record, display)
    listed = {(n.kind, n.id) for n in manifest.new_versions}
    items_dir = folder / "items"
    if not _refuse_link(items_dir, record, display) and items_dir.is_dir():
        kind_dirs = _folders(items_dir, record, display)
        for path in sorted(p for kind_dir in kind_dirs for p in kind_dir.iterdir() if not p.name.startswith(".")):
            if (path.parent.name, path.stem) not in listed:
                problems.append(
                    error_at(
                        display(path),
                        1,
                        "unlisted-version",
                        "this file is not in its edition's manifest: only nis publish writes here",
                    )
                )
    return Edition(manifest, folder, sha256_hex(raw))


def _check_frozen_sources(folder: Path, manifest: Manifest, record: PublishedRecord, display: Display) -> None:
    """Each source record the manifest lists is there, unedited; nothing else is in `sources/`."""
    for frozen in manifest.sources:
        path = folder / SOURCES_DIR / f"{frozen.id}{SOURCE_SUFFIX}"
        try:
            actual = sha256_hex(files.read_bytes(path, files.SOURCE_MAX_BYTES))
        except files.UnsafeFile as unsafe:
            message = f"the source record '{frozen.id}' is missing from its edition"
            record.problems.append(
                error_at(display(path), 1, unsafe.code, message if unsafe.code == "missing-file" else unsafe.message)
            )
            continue
        if actual != frozen.sha256:
            record.problems.append(
                error_at(
                    display(path),
                    1,
                    "edited-source",
                    f"the source record '{frozen.id}' was edited after publishing (its hash does not match the "
                    "manifest): published records never change; restore it from git and correct the register instead",
                )
            )
    listed = {s.id for s in manifest.sources}
    sources_dir = folder / SOURCES_DIR
    if not _refuse_link(sources_dir, record, display) and sources_dir.is_dir():
        for path in sorted(p for p in sources_dir.iterdir() if not p.name.startswith(".")):
            if path.suffix != SOURCE_SUFFIX or path.stem not in listed:
                record.problems.append(
                    error_at(
                        display(path),
                        1,
                        "unlisted-source",
                        "this file is not in its edition's manifest: only nis publish writes here",
                    )
                )
