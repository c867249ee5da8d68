"""The search service: loads one bundle once per process and answers searches against it."""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from indexer.bundle import compute_threads, keyword_index, store, term_matrix
from indexer.bundle import location as bundles
from indexer.bundle.documents import FACETS
from indexer.bundle.embeddings import Embedder, shared_embedder
from indexer.content.synonyms import Synonyms
from nis_library.catalogue import ItemSummary
from nis_library.loaded_bundles import LOADED
from nis_library.search import facets, keyword, snippets, spelling
from nis_library.search.bm25f import BM25FScorer
from nis_library.search.fusion import reciprocal_rank_fusion
from nis_library.search.request import SearchRequest, parse_request
from nis_library.search.results import Hit, SearchResults

QUERY_CACHE_SIZE = 4096
MAX_QUERY_TOKENS = 64  # word pieces of a query the model reads: the longest judged query has 18
# Below this cosine similarity an item does not count as matching by meaning (for the semantic
# list, the result count and facet counts). Measured on the 106 judged queries with
# all-MiniLM-L6-v2: at 0.25, 78% of relevant query-item pairs pass and 31% of the rest (at 0.20:
# 86% and 46%; at 0.30: 68% and 19%). Relevant items below it are still found by their words.
SIMILARITY_FLOOR = {"all-MiniLM-L6-v2": 0.25, "hashing-stand-in": 0.1}


@dataclass(frozen=True)
class ItemInfo(ItemSummary):
    text: str  # plain text for snippets: summary and the practical sections


class SearchService:
    def __init__(self, bundle_dir: Path, embedder_factory: Callable[[str], Embedder] | None = None):
        # One compute thread unless the process set a budget (gunicorn_conf does): see compute_threads.
        compute_threads.ensure_budget(1)
        self.bundle_dir = Path(bundle_dir)
        self.manifest = bundles.read_manifest(self.bundle_dir)
        db = store.open_db(self.bundle_dir / bundles.DB_NAME, read_only=True)
        try:
            self._load_items(db)
            self._load_vocabularies(db)
            self._load_vectors(db)
            synonyms = store.read_document(db, "synonyms")
            self.synonyms = Synonyms.model_validate_json(synonyms) if synonyms else Synonyms(groups=[])
        finally:
            db.conn.close()
        matrix = term_matrix.TermMatrix.load(self.bundle_dir / term_matrix.FILE_NAME)
        if matrix.ids != [item.id for item in self.items]:
            raise bundles.BundleError(f"{self.bundle_dir}: term matrix and database disagree; run 'nis build --full'")
        self.bm25f = BM25FScorer(matrix, keyword_index.FIELD_BOOSTS)
        self.index = keyword_index.open_index(self.bundle_dir / bundles.WHOOSH_DIR)
        self.analyzer = self.index.schema["title"].analyzer
        self._local = threading.local()
        self._check_keyword_index()
        self.model_name = self.manifest["embedder"]
        self._embedder_factory = embedder_factory or self._shared_embedder
        self._embedder: Embedder | None = None
        self._embedder_lock = threading.Lock()
        self.embed_query = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._embed_query)
        self.known_words = frozenset(p for group in self.synonyms.groups for phrase in group for p in phrase.split())
        self.spelling = spelling.SpellingVocabulary.from_index(self.searcher.reader(), keyword.SPELLING_FIELDS)

    # -- loading -----------------------------------------------------------------------------

    def _load_items(self, db) -> None:
        self.items: list[ItemInfo] = []
        self.embed_hashes: list[str] = []
        facet_values: list[dict[str, list[str]]] = []
        for row in db.query("select * from items where status = 'active' order by id"):
            sections = json.loads(row["sections"])
            practical = " ".join(keyword.plain(s["text"]) for s in sections[:3])
            values = {f.name: json.loads(row[f"facet_{f.name}"]) for f in FACETS}
            summary = ItemSummary.from_row(row, values)
            self.items.append(ItemInfo(**summary.summary_fields(), text=f"{row['summary']} {practical}"))
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
        # Sort keys: a value's place in its vocabulary (strong evidence first, the lowest cost first).
        self.sort_keys = {
            sort: np.array([_place(vocab[vocabulary], getattr(item, sort)) for item in self.items], dtype=np.int64)
            for sort, vocabulary in (("evidence", "evidence_strengths"), ("cost", "cost_bands"))
        }
        layer_order = {v: i for i, (v, _) in enumerate(vocab["layers"])}
        self.browse_order = np.array(
            sorted(
                range(len(self.items)),
                key=lambda r: (min(layer_order[layer] for layer in self.items[r].layers), self.items[r].title.lower()),
            ),
            dtype=np.int64,
        )

    def _load_vectors(self, db) -> None:
        vectors = store.read_embeddings(db, self.manifest["embedder"], set(self.embed_hashes))
        missing = [h for h in self.embed_hashes if h not in vectors]
        if missing:
            raise bundles.BundleError(f"{self.bundle_dir} lacks {len(missing)} vector(s): run 'nis build --full'")
        dims = self.manifest["dimensions"]
        self.vectors = (
            np.vstack([vectors[h] for h in self.embed_hashes]).astype(np.float32)
            if self.embed_hashes
            else np.zeros((0, dims), dtype=np.float32)
        )

    def _check_keyword_index(self) -> None:
        with self.index.searcher() as searcher:
            indexed = sorted(fields["id"] for _, fields in searcher.reader().iter_docs())
        if indexed != [item.id for item in self.items]:
            raise bundles.BundleError(f"{self.bundle_dir}: keyword index and database disagree: run 'nis build --full'")

    @property
    def searcher(self):
        # A fresh searcher per bundle and thread, never refreshed: whoosh-reloaded's
        # Searcher.refresh() can return duplicate documents after merged commits.
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.index.searcher()
        return searcher

    def _shared_embedder(self, model_name: str) -> Embedder:
        # The ONNX embedder's model is cached in the bundle's instance folder by `nis build`.
        models = bundles.models_dir(bundles.instance_of(self.bundle_dir))
        return shared_embedder(_EMBEDDER_KEYS.get(model_name, model_name), models)

    def embedder(self) -> Embedder:
        with self._embedder_lock:
            if self._embedder is None:
                self._embedder = self._embedder_factory(self.model_name)
                if self._embedder.name != self.model_name:
                    raise bundles.BundleError(
                        f"the bundle was embedded with {self.model_name}, but the embedder is {self._embedder.name}"
                    )
            return self._embedder

    def _embed_query(self, text: str) -> np.ndarray:
        embedder = self.embedder()
        shorten = getattr(embedder, "shorten", None)  # the model's cost grows with the query's tokens
        return embedder.embed([shorten(text, MAX_QUERY_TOKENS) if shorten else text])[0]

    # -- searching ---------------------------------------------------------------------------

    def parse(self, text="", filters=None, mode=None, page=1, per_page=20, sort=None) -> SearchRequest:
        return parse_request(text, filters, mode, page, per_page, sort, valid_values=self.valid_values)

    def search(self, request: SearchRequest) -> SearchResults:
        size = len(self.items)
        masks = facets.filter_masks(self.matrices, request.filters)
        allowed = facets.combined(masks, size)
        text = request.text
        messages = list(request.notes)
        expansions = self.synonyms.expansions(text) if text else []
        kq = keyword.build_query(self.analyzer, text, expansions)

        keyword_scores = np.zeros(size)
        similarity = None
        candidates = np.zeros(size, dtype=bool)
        if not text:  # browse: everything, Universal first, then by title
            candidates[:] = True
            ranked = self.browse_order[allowed[self.browse_order]]
        else:
            keyword_rows = semantic_rows = np.zeros(0, dtype=np.int64)
            if request.mode in ("keyword", "hybrid"):
                keyword_scores = self.bm25f.score(kq.weighted_terms)
                matched = keyword_scores > 0
                candidates |= matched
                keyword_rows = _best_first(np.flatnonzero(matched & allowed), keyword_scores)
            if request.mode in ("semantic", "hybrid") and size:
                similarity = self.vectors @ self.embed_query(text)
                meaningful = similarity >= SIMILARITY_FLOOR.get(self.model_name, 0.25)
                candidates |= meaningful
                semantic_rows = _best_first(np.flatnonzero(meaningful & allowed), similarity)
            if request.mode == "keyword":
                ranked = keyword_rows
            elif request.mode == "semantic":
                ranked = semantic_rows
            else:
                ranked, _ = reciprocal_rank_fusion(keyword_rows, semantic_rows, size=size)

        if request.sort != "relevance":  # by a value; a stable sort keeps the ranking within each value
            ranked = ranked[np.argsort(self.sort_keys[request.sort][ranked], kind="stable")]
        total = len(ranked)
        start = (request.page - 1) * request.per_page
        hits = []
        for offset, row in enumerate(ranked[start : start + request.per_page]):
            row = int(row)
            keyword_score = float(keyword_scores[row]) if keyword_scores[row] > 0 else None
            meaning = (
                float(similarity[row])
                if similarity is not None and similarity[row] >= SIMILARITY_FLOOR.get(self.model_name, 0.25)
                else None
            )
            hits.append(self._hit(start + offset + 1, row, keyword_score, meaning, kq))
        if request.page > 1 and not hits and total:
            messages.append(
                f"There is no page {request.page}: the results end on page {-(-total // request.per_page)}."
            )
        suggestion = None
        if text and total < 3:
            suggestion = spelling.suggestion(text, self._is_known, self.spelling)
        return SearchResults(
            query=text,
            mode=request.mode,
            filters=dict(request.filters),
            total=total,
            page=request.page,
            per_page=request.per_page,
            hits=hits,
            facets=facets.count(self.matrices, candidates, masks, request.filters),
            did_you_mean=suggestion,
            messages=messages,
            expanded_with=tuple(expansions),
            sort=request.sort,
        )

    def _is_known(self, word: str) -> bool:
        return word in self.known_words or keyword.is_indexed(self.searcher, self.analyzer, word)

    def _hit(self, rank, row, keyword_score, similarity, kq) -> Hit:
        item = self.items[row]
        matched_by = tuple(
            name
            for name, present in (("words", keyword_score is not None), ("meaning", similarity is not None))
            if present
        )
        words = self.bm25f.matched_terms(row, kq.terms + kq.synonym_terms) if keyword_score is not None else ()
        snippet = snippets.snippet(item.text, frozenset(words), self.analyzer) if words else ""
        return Hit(
            **item.summary_fields(),
            rank=rank,
            snippet=snippet or html.escape(item.summary),
            matched_by=matched_by,
            matched_words=words,
            keyword_score=keyword_score,
            similarity=similarity,
        )


def _place(terms: list[tuple[str, str]], value: str) -> int:
    """A value's place in its vocabulary's order; an unknown value last."""
    return next((i for i, (term, _) in enumerate(terms) if term == value), len(terms))


def _best_first(rows: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Rows (ascending) by score, highest first; a stable sort keeps ties in row (item ID) order."""
    return rows[np.argsort(-scores[rows], kind="stable")]


_EMBEDDER_KEYS = {"all-MiniLM-L6-v2": "minilm", "all-MiniLM-L6-v2-onnx": "minilm-onnx", "hashing-stand-in": "hashing"}


def get_service(instance_dir: Path, embedder_factory=None) -> SearchService:
    """The service for the bundle `instance/library` serves, loaded once per process and shared with
    the catalogue (`nis_library.loaded_bundles`). After a rebuild swaps the link, the old bundle
    answers until the new one has loaded in the background."""

    def load(bundle_dir: Path) -> SearchService:
        try:
            return SearchService(bundle_dir, embedder_factory)
        except bundles.BundleError:
            raise
        except Exception as exc:  # a damaged file inside the bundle
            raise bundles.BundleError(
                f"The search bundle at {bundle_dir} cannot be read ({exc.__class__.__name__}: "
                f"{exc}). Run 'nis build --full' to rebuild it."
            ) from exc

    return LOADED.get(instance_dir, "search", load)


def search(
    instance_dir: Path,
    text: str = "",
    filters=None,
    mode: str | None = None,
    page=1,
    per_page=20,
    embedder_factory=None,
    sort: str | None = None,
) -> SearchResults:
    """One search, from raw parameters: the entry point for the CLI, the web pages and the API."""
    service = get_service(instance_dir, embedder_factory)
    return service.search(service.parse(text, filters, mode, page, per_page, sort))
