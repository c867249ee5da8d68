"""`nis build`: read and validate content/, then write the search bundle.

Incremental: an item whose file is unchanged is not parsed again (see `indexer.content.read_cache`), and an
item whose indexed text is unchanged (same document hash) is neither re-indexed nor re-embedded: its
keyword-index entry, term-matrix row, database row and vector are carried over from the current
bundle. The new bundle is written into a fresh folder and swapped in atomically (see
`indexer.bundle.location`), so a failed build leaves the current bundle untouched.
"""

from __future__ import annotations

import gc
import json
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, TypeVar

import numpy as np
import sqlite_utils
from numpy.typing import NDArray

from indexer.bundle import keyword_index, store, term_matrix
from indexer.bundle import location as bundle
from indexer.bundle.documents import (
    DOCUMENT_VERSION,
    EVERYDAY_WORDS_DOCUMENT,
    PASSAGES_DOCUMENT,
    SCOPE_DOCUMENT,
    SOURCES_DOCUMENT,
    SearchDocument,
    document_hash,
    embedding_hash,
    passage_hash,
    phrase_hash,
    search_document,
)
from indexer.bundle.embeddings import Embedder, make_embedder
from indexer.content.problems import Problem
from indexer.record.editions import UnreadableVersion
from indexer.record.library import Library, Source
from indexer.record.loading import load_library

T = TypeVar("T")
EMBED_BATCH = 64


class Progress(Protocol):
    """Shows a long step's progress as its items are iterated (a terminal's progress bar)."""

    def __call__(self, items: Sequence[T], label: str, /) -> Iterable[T]: ...


def no_progress(items: Sequence[T], label: str) -> Iterable[T]:
    return items


class BuildRefused(Exception):
    """The content has errors: nothing was built."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"content has {len(problems)} problem(s); run 'nis validate'")
        self.problems = problems


@dataclass
class BuildReport:
    bundle: Path
    items: int = 0  # items in the bundle, withdrawn included
    searchable: int = 0  # active items in the keyword index and the vectors
    indexed: int = 0  # documents (re)written to the keyword index
    embedded: int = 0  # passages embedded by the model in this build
    removed: int = 0  # documents removed from the keyword index
    full: bool = True  # False when the build started from the previous bundle
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Previous:
    """The bundle this build starts from, when it is compatible."""

    path: Path
    rows: dict[str, store.PreviousRow]
    config_hash: str | None
    everyday_words: dict[str, list[str]]  # what its items were indexed with, by item ID
    passages: dict[str, list[str]]  # its items' passages, by item ID


def _previous_bundle(instance_dir: Path, embedder: Embedder, full: bool, source: Source) -> Previous | None:
    path = None if full else bundle.current_bundle(instance_dir)
    if path is None:
        return None
    manifest = bundle.read_manifest(path)
    if (
        manifest.get("document_version") != DOCUMENT_VERSION
        or manifest.get("embedder") != embedder.name
        or manifest.get("source") != source
    ):
        return None
    db = store.open_db(path / bundle.DB_NAME, read_only=True)
    try:
        words = json.loads(store.read_document(db, EVERYDAY_WORDS_DOCUMENT) or "{}")
        passages = json.loads(store.read_document(db, PASSAGES_DOCUMENT) or "{}")
        return Previous(path, store.read_previous_rows(db), manifest.get("config_hash"), words, passages)
    finally:
        db.conn.close()


@dataclass
class Plan:
    """What this build writes, item by item: what carries over from the previous bundle unchanged,
    and what is written, indexed and embedded afresh."""

    carried: list[str] = field(default_factory=list)  # rows copied as they are
    rows: list[store.Row] = field(default_factory=list)  # rows written afresh
    changed: dict[str, SearchDocument] = field(default_factory=dict)  # active items to (re)index
    embed_texts: dict[str, str] = field(default_factory=dict)  # embedding hash -> text to embed
    active: list[str] = field(default_factory=list)  # every searchable item
    wanted_hashes: set[str] = field(default_factory=set)  # embeddings the bundle needs
    passages: dict[str, list[str]] = field(default_factory=dict)  # each active item's passages
    removed: list[str] = field(default_factory=list)  # no longer searchable


@dataclass
class Vectors:
    """Embeddings for the plan: made now, or borrowed from a neighbouring instance's bundle."""

    made: dict[str, NDArray[np.float32]] = field(default_factory=dict)
    neighbour: Path | None = None
    borrowed: set[str] = field(default_factory=set)


class Stopwatch:
    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name], self.last = round(now - self.last, 3), now

    def total(self) -> float:
        return round(time.perf_counter() - self.started, 3)


def build(
    content_dir: Path,
    instance_dir: Path,
    *,
    source: Literal["published", "working"] = "published",
    embedder: Embedder | None = None,
    full: bool = False,
    progress: Progress = no_progress,
    vectors_from: Path | None = None,
) -> BuildReport:
    """Build the bundle from the latest published version of each item (`published`: what the
    public sees) or from the working copies (`working`: the panel's preview, drafts marked).
    `vectors_from`: another instance (the public one, for a preview; or the reverse) whose
    current bundle's embeddings are reused for identical passages instead of embedding them again."""
    clock = Stopwatch()
    embedder = embedder or make_embedder(models_dir=bundle.models_dir(instance_dir))
    instance_dir = Path(instance_dir)
    instance_dir.mkdir(parents=True, exist_ok=True)
    previous = _previous_bundle(instance_dir, embedder, full, source)
    library = _read(content_dir, previous, source)
    clock.lap("read")

    target = bundle.new_bundle_dir(instance_dir)
    report = BuildReport(bundle=target, full=previous is None)
    try:
        plan = _plan(library, previous, embedder)
        report.items, report.searchable = len(plan.carried) + len(plan.rows), len(plan.active)
        clock.lap("prepare")
        _write_keyword_index(target, previous, plan, progress)
        report.indexed, report.removed = len(plan.changed), len(plan.removed)
        clock.lap("keyword index")
        vectors = _embed(plan, previous, vectors_from, embedder, progress)
        report.embedded = len(vectors.made)
        clock.lap("embeddings")
        _write_database(target, library, previous, plan, vectors, embedder)
        clock.lap("database")
        report.seconds, report.timings = clock.total(), clock.laps
        bundle.write_manifest(
            target,
            {
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "document_version": DOCUMENT_VERSION,
                "embedder": embedder.name,
                "dimensions": embedder.dimensions,
                "items": report.items,
                "searchable": report.searchable,
                "config_hash": library.config_hash,
                "content": str(Path(content_dir).resolve()),
                "source": source,
            },
        )
        bundle.make_current(instance_dir, target)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    bundle.prune(instance_dir)
    return report


def _read(content_dir: Path, previous: Previous | None, source: Source) -> Library:
    """Read and check the content, reusing what the previous build read from unchanged files."""
    cache = store.read_cache(previous.path / bundle.DB_NAME, previous.config_hash) if previous else None
    # Reading makes a great many small objects and no reference cycles: the cycle collector would
    # only walk the heap over and over (a third of an edit's rebuild time at 10,000 items).
    collecting = gc.isenabled()
    gc.disable()
    try:
        library = load_library(content_dir, cache, source=source)
    finally:
        if collecting:
            gc.enable()
    if not library.ok:
        raise BuildRefused(library.problems)
    return library


def _plan(library: Library, previous: Previous | None, embedder: Embedder) -> Plan:
    old = previous.rows if previous else {}
    old_words = previous.everyday_words if previous else {}
    old_passages = previous.passages if previous else {}
    # A library without errors has read its taxonomy, and every file's front matter, item and body.
    taxonomy = library.taxonomy
    assert taxonomy is not None
    plan = Plan()
    for record in library.files:
        assert record.data is not None
        item_id = record.data["id"]
        assert isinstance(item_id, str)
        before = old.get(item_id)
        words = library.everyday_words.get(item_id, ())
        same_words = list(words) == old_words.get(item_id, [])
        if record.from_cache and before is not None and before.path == record.display_path and same_words:
            plan.carried.append(before.id)  # unchanged: its row, index entry and vectors carry over
            if before.status == "active":
                plan.active.append(before.id)
                plan.wanted_hashes.add(before.embed_hash)
                plan.wanted_hashes.update(phrase_hash(p, embedder.name) for p in words)
                plan.passages[before.id] = passages = old_passages.get(before.id, [])
                plan.wanted_hashes.update(passage_hash(p, embedder.name) for p in passages)
            continue
        item, body = record.item, record.body
        assert item is not None and body is not None
        document = search_document(item, body, taxonomy, words)
        doc_hash, embed_hash = document_hash(document), embedding_hash(document, embedder.name)
        plan.rows.append(store.item_row(item, record, doc_hash, embed_hash))
        if item.status == "active":
            plan.active.append(item.id)
            plan.wanted_hashes.add(embed_hash)
            if before is None or before.status != "active" or before.doc_hash != doc_hash:
                plan.changed[item.id] = document
            if before is None or before.embed_hash != embed_hash:
                plan.embed_texts[embed_hash] = document.embedding_text()
            for phrase in words:  # made only when no bundle has them (see _embed)
                plan.wanted_hashes.add(phrase_hash(phrase, embedder.name))
                plan.embed_texts[phrase_hash(phrase, embedder.name)] = phrase
            plan.passages[item.id] = list(document.passages())
            for passage in plan.passages[item.id]:  # likewise
                plan.wanted_hashes.add(passage_hash(passage, embedder.name))
                plan.embed_texts[passage_hash(passage, embedder.name)] = passage
    plan.removed = sorted({i for i, r in old.items() if r.status == "active"} - set(plan.active))
    return plan


def _write_keyword_index(target: Path, previous: Previous | None, plan: Plan, progress: Progress) -> None:
    """The keyword index and term matrix: start from the previous ones, replace only what changed."""
    whoosh_dir = target / bundle.WHOOSH_DIR
    if previous is not None:
        shutil.copytree(previous.path / bundle.WHOOSH_DIR, whoosh_dir)
        ix = keyword_index.open_index(whoosh_dir)
        previous_matrix = term_matrix.TermMatrix.load(previous.path / term_matrix.FILE_NAME)
    else:
        ix = keyword_index.create(whoosh_dir)
        previous_matrix = None
    keyword_index.write(ix, plan.removed, progress(list(plan.changed.values()), "Indexing"))
    term_matrix.assemble(
        previous_matrix,
        sorted(plan.active),
        {i: term_matrix.document_row(ix.schema, doc) for i, doc in plan.changed.items()},
    ).save(target / term_matrix.FILE_NAME)
    ix.close()


def _embed(
    plan: Plan, previous: Previous | None, vectors_from: Path | None, embedder: Embedder, progress: Progress
) -> Vectors:
    """Embeddings carry over by hash, or are borrowed from the neighbour; only new passages go
    through the model."""
    reusable = store.embedding_hashes(previous.path / bundle.DB_NAME, embedder.name) if previous else set()
    neighbour = bundle.current_bundle(vectors_from) if vectors_from else None
    borrowable = (store.embedding_hashes(neighbour / bundle.DB_NAME, embedder.name) - reusable) if neighbour else set()
    to_embed = [h for h in plan.embed_texts if h not in reusable and h not in borrowable]
    vectors = Vectors(neighbour=neighbour, borrowed=plan.wanted_hashes & borrowable)
    batches = [to_embed[i : i + EMBED_BATCH] for i in range(0, len(to_embed), EMBED_BATCH)]
    for batch in progress(batches, "Embedding"):
        for h, vector in zip(batch, embedder.embed([plan.embed_texts[h] for h in batch]), strict=True):
            vectors.made[h] = vector
    return vectors


def _write_database(
    target: Path, library: Library, previous: Previous | None, plan: Plan, vectors: Vectors, embedder: Embedder
) -> None:
    db = store.open_db(target / bundle.DB_NAME)
    with db.conn:
        store.write_items(db, plan.rows)
        store.write_embeddings(db, embedder.name, vectors.made)
        if previous is not None:
            store.carry_over(db, previous.path / bundle.DB_NAME, plan.carried, plan.wanted_hashes - set(vectors.made))
        if vectors.neighbour is not None:
            store.copy_embeddings(db, vectors.neighbour / bundle.DB_NAME, vectors.borrowed)
        store.write_links(db)
        _write_publishing(db, library, previous.path / bundle.DB_NAME if previous else None)
        assert library.taxonomy is not None and library.synonyms is not None  # read, as the library has no errors
        store.write_taxonomy(db, library.taxonomy)
        store.write_document(db, "synonyms", library.synonyms.model_dump_json())
        # The register every item, working or published, cites from: the pages' "How we rated this".
        register = {i: r.model_dump(mode="json") for i, r in sorted(library.sources.items())}
        store.write_document(db, SOURCES_DOCUMENT, json.dumps(register, sort_keys=True))
        if library.scope is not None:  # read from the working tree, like the synonyms, for both builds
            store.write_document(db, SCOPE_DOCUMENT, library.scope.document())
        # What the items were indexed with: the next build re-indexes an item whose words change.
        store.write_document(db, EVERYDAY_WORDS_DOCUMENT, json.dumps(library.everyday_words, sort_keys=True))
        store.write_document(db, PASSAGES_DOCUMENT, json.dumps(plan.passages, sort_keys=True))
    db.conn.close()


def _write_publishing(db: sqlite_utils.Database, library: Library, previous_db: Path | None) -> None:
    """Versions, editions and reviews; and on every item row its latest published version and,
    for a preview, whether the working copy is a draft."""
    record = library.published
    assert record is not None and library.publications is not None  # read, as the library has no errors
    try:
        store.write_published(db, record, library.reviews, library.publications.model_dump_json(), previous_db)
    except UnreadableVersion as unreadable:  # a frozen version past its hash check, yet unsafe to read
        raise BuildRefused([unreadable.problem]) from None
    latest = {i: (v[-1].number, v[-1].edition, v[-1].date.isoformat()) for i, v in record.versions.items()}
    drafts: set[str] = set()
    if library.source == "working":
        for item_id, digest in store.read_content_hashes(db).items():
            published = record.latest(item_id)
            if published is None or published.record.content_hash != digest:
                drafts.add(item_id)
    store.mark_versions(db, latest, drafts)
