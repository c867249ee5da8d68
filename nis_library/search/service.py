"""The search service: loads one bundle once per process and answers searches against it."""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from indexer import bundle as bundles
from indexer import keyword_index, store
from indexer.documents import FACETS
from indexer.embeddings import Embedder, make_embedder
from indexer.synonyms import Synonyms

from . import facets, keyword
from .fusion import reciprocal_rank_fusion
from .request import SearchRequest, parse_request
from .results import Hit, SearchResults

QUERY_CACHE_SIZE = 4096
# Below this cosine similarity an item is not counted as matching by meaning. Set from the judged
# queries (scripts/eval_search.py): unrelated items sit below it with all-MiniLM-L6-v2.
SIMILARITY_FLOOR = {"all-MiniLM-L6-v2": 0.25, "hashing-stand-in": 0.1}


@dataclass(frozen=True)
class ItemInfo:
    id: str
    kind: str
    title: str
    summary: str
    layers: tuple[str, ...]
    areas: tuple[str, ...]
    evidence: str
    cost: str
    text: str  # plain text for snippets: summary and the practical sections


class SearchService:
    def __init__(self, bundle_dir: Path, embedder_factory: Callable[[str], Embedder] | None = None):
        self.bundle_dir = Path(bundle_dir)
        self.manifest = bundles.read_manifest(self.bundle_dir)
        db = store.open_db(self.bundle_dir / bundles.DB_NAME, read_only=True)
        try:
            self._load_items(db)
            self._load_vocabularies(db)
            self._load_vectors(db)
            synonyms = next(iter(db.query("select json from documents where name = 'synonyms'")), None)
            self.synonyms = Synonyms.model_validate_json(synonyms["json"]) if synonyms else Synonyms(groups=[])
        finally:
            db.conn.close()
        self.index = keyword_index.open_index(self.bundle_dir / bundles.WHOOSH_DIR)
        self.analyzer = self.index.schema["title"].analyzer
        self._local = threading.local()
        self._docnum_to_row = self._map_docnums()
        self.model_name = self.manifest["embedder"]
        self._embedder_factory = embedder_factory or (lambda name: make_embedder(_EMBEDDER_KEYS.get(name, name)))
        self._embedder: Embedder | None = None
        self._embedder_lock = threading.Lock()
        self.embed_query = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._embed_query)
        self.known_words = frozenset(p for group in self.synonyms.groups for phrase in group for p in phrase.split())

    # -- loading -----------------------------------------------------------------------------

    def _load_items(self, db) -> None:
        self.items: list[ItemInfo] = []
        self.embed_hashes: list[str] = []
        facet_values: list[dict[str, list[str]]] = []
        for row in db.query("select * from items where status = 'active' order by id"):
            sections = json.loads(row["sections"])
            practical = " ".join(keyword.plain(s["text"]) for s in sections[:3])
            values = {f.name: json.loads(row[f"facet_{f.name}"]) for f in FACETS}
            self.items.append(ItemInfo(
                row["id"], row["kind"], row["title"], row["summary"], tuple(values["layer"]), tuple(values["area"]),
                values["evidence"][0], values["cost"][0], f"{row['summary']} {practical}"))
            self.embed_hashes.append(row["embed_hash"])
            facet_values.append(values)
        self.row_of = {item.id: row for row, item in enumerate(self.items)}
        self._facet_values = facet_values

    def _load_vocabularies(self, db) -> None:
        vocab: dict[str, list[tuple[str, str]]] = {}
        for row in store.read_vocabularies(db):
            vocab.setdefault(row["vocabulary"], []).append((row["id"], row["label"]))
        self.vocabularies = vocab
        self.valid_values = {f.name: tuple(v for v, _ in vocab[f.vocabulary]) for f in FACETS}
        self.matrices = facets.build_matrices(self._facet_values, vocab)
        self.layer_order = {v: i for i, (v, _) in enumerate(vocab["layers"])}

    def _load_vectors(self, db) -> None:
        vectors = store.read_embeddings(db, self.manifest["embedder"], set(self.embed_hashes))
        missing = [h for h in self.embed_hashes if h not in vectors]
        if missing:
            raise bundles.BundleError(f"{self.bundle_dir} lacks {len(missing)} vector(s): run 'nis build --full'")
        dims = self.manifest["dimensions"]
        self.vectors = (np.vstack([vectors[h] for h in self.embed_hashes]).astype(np.float32)
                        if self.embed_hashes else np.zeros((0, dims), dtype=np.float32))

    def _map_docnums(self) -> dict[int, int]:
        mapping = {}
        with self.index.searcher() as searcher:
            for docnum, fields in searcher.reader().iter_docs():
                row = self.row_of.get(fields["id"])
                if row is None:
                    raise bundles.BundleError(f"{self.bundle_dir}: keyword index and database disagree; rebuild")
                mapping[docnum] = row
        if len(mapping) != len(self.items):
            raise bundles.BundleError(f"{self.bundle_dir}: keyword index holds {len(mapping)} items, "
                                      f"the database {len(self.items)}: run 'nis build --full'")
        return mapping

    @property
    def searcher(self):
        # A fresh searcher per bundle and thread, never refreshed: whoosh-reloaded's
        # Searcher.refresh() can return duplicate documents after merged commits.
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.index.searcher()
        return searcher

    def embedder(self) -> Embedder:
        with self._embedder_lock:
            if self._embedder is None:
                self._embedder = self._embedder_factory(self.model_name)
                if self._embedder.name != self.model_name:
                    raise bundles.BundleError(f"the bundle was embedded with {self.model_name}, "
                                              f"but the embedder is {self._embedder.name}")
            return self._embedder

    def _embed_query(self, text: str) -> np.ndarray:
        return self.embedder().embed([text])[0]

    # -- searching ---------------------------------------------------------------------------

    def parse(self, text="", filters=None, mode=None, page=1, per_page=20) -> SearchRequest:
        return parse_request(text, filters, mode, page, per_page, valid_values=self.valid_values)

    def search(self, request: SearchRequest) -> SearchResults:
        size = len(self.items)
        masks = facets.filter_masks(self.matrices, request.filters)
        allowed = facets.combined(masks, size)
        text = request.text
        messages = list(request.notes)
        expansions = self.synonyms.expansions(text) if text else []
        kq = keyword.build_query(self.analyzer, text, expansions)

        keyword_ranked: list[tuple[int, float, tuple[str, ...]]] = []
        semantic_ranked: list[tuple[int, float]] = []
        candidates = np.zeros(size, dtype=bool)
        if not text:
            candidates[:] = True
            order = sorted(np.flatnonzero(allowed), key=lambda r: (min(self.layer_order[l] for l in self.items[r].layers),
                                                                  self.items[r].title.lower()))
            ranked = [(int(r), 0.0) for r in order]
        else:
            if request.mode in ("keyword", "hybrid") and kq.query is not None:
                for docnum in keyword.matching_docnums(self.searcher, kq):
                    candidates[self._docnum_to_row[docnum]] = True
                allowed_docnums = {d for d, r in self._docnum_to_row.items() if allowed[r]} if masks else None
                keyword_ranked = [(self._docnum_to_row[d], s, words)
                                  for d, s, words in keyword.run(self.searcher, kq, allowed_docnums)]
            if request.mode in ("semantic", "hybrid") and size:
                similarity = self.vectors @ self.embed_query(text)
                meaningful = similarity >= SIMILARITY_FLOOR.get(self.model_name, 0.25)
                candidates |= meaningful
                rows = np.flatnonzero(meaningful & allowed)
                rows = rows[np.argsort(-similarity[rows], kind="stable")]
                semantic_ranked = [(int(r), float(similarity[r])) for r in rows]
            if request.mode == "keyword":
                ranked = [(r, s) for r, s, _ in keyword_ranked]
            elif request.mode == "semantic":
                ranked = semantic_ranked
            else:
                ranked = reciprocal_rank_fusion([r for r, _, _ in keyword_ranked], [r for r, _ in semantic_ranked])

        keyword_by_row = {r: (s, words) for r, s, words in keyword_ranked}
        similarity_by_row = dict(semantic_ranked)
        total = len(ranked)
        start = (request.page - 1) * request.per_page
        page_rows = ranked[start:start + request.per_page]
        hits = [self._hit(start + i + 1, row, score, keyword_by_row.get(row), similarity_by_row.get(row), kq)
                for i, (row, score) in enumerate(page_rows)]
        if request.page > 1 and not hits and total:
            messages.append(f"There is no page {request.page}: the results end on page {-(-total // request.per_page)}.")
        suggestion = None
        if text and total < 3:
            suggestion = keyword.did_you_mean(self.searcher, text, self.known_words, self.analyzer)
        return SearchResults(
            query=text, mode=request.mode, filters=dict(request.filters), total=total, page=request.page,
            per_page=request.per_page, hits=hits,
            facets=facets.count(self.matrices, candidates, masks, request.filters),
            did_you_mean=suggestion, messages=messages, expanded_with=tuple(expansions))

    def _hit(self, rank, row, score, keyword_match, similarity, kq) -> Hit:
        item = self.items[row]
        matched_by = tuple(name for name, present in (("words", keyword_match is not None),
                                                       ("meaning", similarity is not None)) if present)
        words = keyword_match[1] if keyword_match else ()
        snippet = keyword.snippet(item.text, frozenset(words), self.analyzer) if words else ""
        return Hit(rank=rank, id=item.id, kind=item.kind, title=item.title, summary=item.summary,
                   layers=item.layers, areas=item.areas, evidence=item.evidence, cost=item.cost,
                   snippet=snippet or html.escape(item.summary), matched_by=matched_by, matched_words=words,
                   keyword_score=keyword_match[0] if keyword_match else None, similarity=similarity,
                   score=float(score))


_EMBEDDER_KEYS = {"all-MiniLM-L6-v2": "minilm", "hashing-stand-in": "hashing"}
_services: dict[Path, SearchService] = {}
_services_lock = threading.Lock()


def get_service(instance_dir: Path, embedder_factory=None) -> SearchService:
    """The service for the bundle `instance/library` points at now, loaded once per process.
    After a rebuild swaps the link, the next call loads the new bundle."""
    link = bundles.link_path(instance_dir)
    current = bundles.current_bundle(instance_dir)
    if current is None:
        reason = "is missing" if not link.exists() and not link.is_symlink() else "is incomplete or from another version"
        raise bundles.BundleError(f"The search bundle at {link} {reason}. Run 'nis build' to build it.")
    with _services_lock:
        service = _services.get(current)
        if service is None:
            try:
                service = SearchService(current, embedder_factory)
            except bundles.BundleError:
                raise
            except Exception as exc:  # a damaged file inside the bundle
                raise bundles.BundleError(f"The search bundle at {link} cannot be read ({exc.__class__.__name__}: "
                                          f"{exc}). Run 'nis build --full' to rebuild it.") from exc
            for old in [p for p in _services if p != current]:
                del _services[old]
            _services[current] = service
        return service


def search(instance_dir: Path, text: str = "", filters=None, mode: str | None = None, page=1, per_page=20,
           embedder_factory=None) -> SearchResults:
    """One search, from raw parameters: the entry point for the CLI, the web pages and the API."""
    service = get_service(instance_dir, embedder_factory)
    return service.search(service.parse(text, filters, mode, page, per_page))
