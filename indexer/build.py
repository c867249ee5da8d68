"""`nis build`: read and validate content/, then write the search bundle.

Incremental: an item whose indexed text is unchanged (same document hash) is neither re-indexed nor
re-embedded; its Whoosh entry and its vector are carried over from the current bundle. The new
bundle is written into a fresh folder and swapped in atomically (see `indexer.bundle`), so a failed
build leaves the current bundle untouched.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

import numpy as np

from . import bundle, keyword_index, store, term_matrix
from .documents import DOCUMENT_VERSION, document_hash, embedding_hash, search_document
from .embeddings import Embedder, make_embedder
from .library import Library, load_library
from .problems import Problem

T = TypeVar("T")
Progress = Callable[[Sequence[T], str], Iterable[T]]
EMBED_BATCH = 64


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
    items: int = 0            # items in the bundle, withdrawn included
    searchable: int = 0       # active items in the keyword index and the vectors
    indexed: int = 0          # documents (re)written to the keyword index
    embedded: int = 0         # passages embedded by the model in this build
    removed: int = 0          # documents removed from the keyword index
    full: bool = True         # False when the build started from the previous bundle
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def build(content_dir: Path, instance_dir: Path, *, embedder: Embedder | None = None, full: bool = False,
          progress: Progress = no_progress, library: Library | None = None) -> BuildReport:
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 3)
        return now

    library = library or load_library(content_dir)
    if not library.ok:
        raise BuildRefused(library.problems)
    t = lap("read", started)
    embedder = embedder or make_embedder()
    instance_dir = Path(instance_dir)
    instance_dir.mkdir(parents=True, exist_ok=True)

    previous = None if full else bundle.current_bundle(instance_dir)
    previous_hashes: dict[str, tuple[str, str, str]] = {}
    if previous is not None:
        manifest = bundle.read_manifest(previous)
        if manifest.get("document_version") == DOCUMENT_VERSION and manifest.get("embedder") == embedder.name:
            previous_hashes = store.read_hashes(store.open_db(previous / bundle.DB_NAME, read_only=True))
        else:
            previous = None

    target = bundle.new_bundle_dir(instance_dir)
    report = BuildReport(bundle=target, full=previous is None)
    try:
        rows, documents, embed_hashes = [], {}, {}
        for record in library.files:
            item = record.item
            document = search_document(item, record.body, library.taxonomy)
            doc_hash, embed_hash = document_hash(document), embedding_hash(document, embedder.name)
            rows.append(store.item_row(item, record.body, record.display_path, doc_hash, embed_hash))
            if item.status == "active":
                documents[item.id] = (document, doc_hash)
                embed_hashes[item.id] = embed_hash
        report.items, report.searchable = len(rows), len(documents)
        t = lap("prepare", t)

        # Keyword index: start from the previous one and replace only what changed.
        whoosh_dir = target / bundle.WHOOSH_DIR
        if previous is not None:
            shutil.copytree(previous / bundle.WHOOSH_DIR, whoosh_dir)
            ix = keyword_index.open_index(whoosh_dir)
            old_active = {i for i, (status, _, _) in previous_hashes.items() if status == "active"}
            removed = sorted(old_active - set(documents))
            changed = [doc for i, (doc, h) in documents.items()
                       if i not in old_active or previous_hashes[i][1] != h]
        else:
            ix = keyword_index.create(whoosh_dir)
            removed, changed = [], [doc for doc, _ in documents.values()]
        keyword_index.write(ix, removed, progress(changed, "Indexing"))
        # The same terms and lengths as a sparse matrix, for fast BM25F (see indexer.term_matrix).
        previous_matrix = (term_matrix.TermMatrix.load(previous / term_matrix.FILE_NAME)
                           if previous is not None else None)
        term_matrix.assemble(previous_matrix, sorted(documents),
                             {doc.id: term_matrix.document_row(ix.schema, doc) for doc in changed}
                             ).save(target / term_matrix.FILE_NAME)
        ix.close()
        report.indexed, report.removed = len(changed), len(removed)
        t = lap("keyword index", t)

        # Embeddings: carried over by hash; only new passages go through the model.
        wanted = set(embed_hashes.values())
        vectors = {}
        if previous is not None:
            vectors = store.read_embeddings(store.open_db(previous / bundle.DB_NAME, read_only=True),
                                            embedder.name, wanted)
        missing = {h: doc.embedding_text() for i, (doc, _) in documents.items()
                   if (h := embed_hashes[i]) not in vectors}
        hashes = list(missing)
        batches = [hashes[i:i + EMBED_BATCH] for i in range(0, len(hashes), EMBED_BATCH)]
        for batch in progress(batches, "Embedding"):
            for h, vector in zip(batch, embedder.embed([missing[h] for h in batch])):
                vectors[h] = vector
        report.embedded = len(hashes)
        t = lap("embeddings", t)

        db = store.open_db(target / bundle.DB_NAME)
        with db.conn:
            store.write_items(db, rows)
            store.write_taxonomy(db, library.taxonomy)
            store.write_document(db, "synonyms", library.synonyms.model_dump_json())
            store.write_embeddings(db, embedder.name, {h: vectors[h] for h in wanted})
        db.conn.close()
        t = lap("database", t)

        report.seconds = round(time.perf_counter() - started, 3)
        report.timings = timings
        bundle.write_manifest(target, {
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "document_version": DOCUMENT_VERSION,
            "embedder": embedder.name, "dimensions": embedder.dimensions, "items": report.items,
            "searchable": report.searchable, "content": str(Path(content_dir).resolve()),
        })
        bundle.publish(instance_dir, target)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    bundle.prune(instance_dir)
    return report


def vectors_matrix(vectors: dict[str, np.ndarray], order: list[str]) -> np.ndarray:
    return np.vstack([vectors[h] for h in order]) if order else np.zeros((0, 0), dtype=np.float32)
