"""The search service: loads one bundle once per process and answers searches against it."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

import numpy as np
import sqlite_utils
from whoosh.searching import Searcher

from indexer.bundle import compute_threads, keyword_index, store, term_matrix
from indexer.bundle import location as bundles
from indexer.bundle.documents import (
    EVERYDAY_WORDS_DOCUMENT,
    FACETS,
    PASSAGES_DOCUMENT,
    SCOPE_DOCUMENT,
    passage_hash,
    phrase_hash,
    plain_text,
)
from indexer.bundle.embeddings import EMBEDDERS, Embedder, shared_embedder
from indexer.content.synonyms import Synonyms
from nis_library.catalogue import ItemSummary
from nis_library.loaded_bundles import LOADED
from nis_library.search import coverage, explain, facets, fusion, intent, keyword, relevance, snippets, spelling
from nis_library.search.bm25f import BM25FScorer
from nis_library.search.request import FilterValues, SearchRequest, parse_request
from nis_library.search.results import Hit, SearchResults, Snippet
from nis_library.search.scope import ScopeMatcher

QUERY_CACHE_SIZE = 4096
TERMS_CACHE_SIZE = 65536
MAX_QUERY_TOKENS = 64  # word pieces of a query the model reads, per text embedded
# A note of LONG_QUERY_WORDS words or more is embedded sentence by sentence and the vectors averaged:
# the model reads only MAX_QUERY_TOKENS word pieces of a text, so the need a long note names last
# was cut off. Fitted on the tuning part (long notes: hybrid nDCG@10 0.898 to 0.915; adding the
# whole note's vector as well did no better and cost a third more; scripts/eval_search.py).
LONG_QUERY_WORDS = 30
MAX_QUERY_SENTENCES = 8  # at most this many texts embedded for one query
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+")
# Below this cosine similarity an item does not count as matching by meaning (for the semantic
# list, the result count and facet counts). Measured on the 106 judged queries with
# all-MiniLM-L6-v2: at 0.25, 78% of relevant query-item pairs pass and 31% of the rest (at 0.20:
# 86% and 46%; at 0.30: 68% and 19%). Relevant items below it are still found by their words.
# The three encoders of the real model (torch, ONNX float32, ONNX int8) share its scale: the int8
# one was measured with the same values (scripts/eval_search.py --embedder minilm-onnx-int8).
MINILM_NAMES = ("all-MiniLM-L6-v2", "all-MiniLM-L6-v2-onnx", "all-MiniLM-L6-v2-onnx-int8")
SIMILARITY_FLOOR = {**dict.fromkeys(MINILM_NAMES, 0.25), "hashing-stand-in": 0.1}
# Short queries sit lower on the model's scale ("clumsy year 1": best item 0.21), so the items
# within SIMILARITY_MARGIN of the best also match by meaning, down to SIMILARITY_LOWEST; below it
# nothing matches by meaning (a string of nonsense letters).
SIMILARITY_MARGIN = 0.05
SIMILARITY_LOWEST = {**dict.fromkeys(MINILM_NAMES, 0.15), "hashing-stand-in": 0.05}
# Where the meaning score starts when it is scaled for fusion (see fusion.scaled_similarity).
SIMILARITY_BASE = {**dict.fromkeys(MINILM_NAMES, 0.15), "hashing-stand-in": 0.0}
# An item's meaning score: its text's similarity and its closest everyday phrase's, half each
# (tuned on the judged queries: 0.3 and 0.5 both beat the text alone; see fusion.py).
PHRASE_WEIGHT = 0.5
# ... and that, half and half with its closest passage (SearchDocument.passages): the model reads
# only the first 256 word pieces of an item, so most of what it says to do is only seen here.
# Fitted with the fusion's keyword weight on the tuning part of the judged queries (0, 0.25, 0.4,
# 0.5 and 0.65 tried; scripts/eval_search.py).
PASSAGE_WEIGHT = 0.5


@dataclass(frozen=True)
class Scored:
    """One query scored over the whole library, before filters."""

    kq: keyword.KeywordQuery
    keyword_scores: np.ndarray  # BM25F, 0 where no word matched
    similarity: np.ndarray | None  # cosine similarity, when meaning was searched
    by_meaning: np.ndarray  # bool: matched by meaning
    scores: np.ndarray  # the mode's ranking score, with the intent weights
    found: np.ndarray  # bool: matched at all
    widened: bool  # keyword mode: no item had the words typed, so the synonyms were searched
    coverage: coverage.Coverage  # how much of the query's distinctive vocabulary each item has
    answers: np.ndarray  # bool: clears the absolute bar for answering the query (relevance.py)
    tokens: tuple[str, ...] = ()  # the query analysed, repeats kept (intent rules, the scope)


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
            scope = store.read_document(db, SCOPE_DOCUMENT)
        finally:
            db.conn.close()
        matrix = term_matrix.TermMatrix.load(self.bundle_dir / term_matrix.FILE_NAME)
        if matrix.ids != [item.id for item in self.items]:
            raise bundles.BundleError(f"{self.bundle_dir}: term matrix and database disagree; run 'nis build --full'")
        self.bm25f = BM25FScorer(matrix, keyword_index.FIELD_BOOSTS)
        self.index = keyword_index.open_index(self.bundle_dir / bundles.WHOOSH_DIR)
        self.analyzer: keyword.Analyzer = self.index.schema["title"].analyzer
        self._local = threading.local()
        self._check_keyword_index()
        self.model_name = self.manifest["embedder"]
        self._embedder_factory = embedder_factory or self._shared_embedder
        self._embedder: Embedder | None = None
        self._embedder_lock = threading.Lock()
        self.embed_query = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._embed_query)
        # A word's or phrase's analysed terms, cached: a search analyses each of its words on its
        # own too (coverage, the why line), and people's words recur from query to query.
        self.terms_of = lru_cache(maxsize=TERMS_CACHE_SIZE)(lambda text: tuple(self._analyse(text)))
        self.scope = ScopeMatcher.from_document(scope, self.analyzer)
        # Words never corrected, and corrected to: the synonyms' and the scope's ("diabeties" is
        # corrected to "diabetes", which no item has, so the scope notice can say where to go).
        scope_words = (w for topic in self.scope.topics for phrase in topic.words for w in phrase.split())
        self.known_words = frozenset(
            [p for group in self.synonyms.groups for phrase in group for p in phrase.split()] + list(scope_words)
        )
        self.spelling = spelling.SpellingVocabulary.from_index(
            self.searcher.reader(), keyword.SPELLING_FIELDS, sorted(self.known_words)
        )
        self.intent = intent.IntentWeights(intent.load_rules(), self.items, self._analyse)
        spelling.is_ordinary_word("warm")  # load the English word list now, not in the first search

    # -- loading -----------------------------------------------------------------------------

    def _load_items(self, db: sqlite_utils.Database) -> None:
        self.items: list[ItemInfo] = []
        self.embed_hashes: list[str] = []
        facet_values: list[dict[str, list[str]]] = []
        for row in db.query("select * from items where status = 'active' order by id"):
            sections = json.loads(row["sections"])
            practical = " ".join(plain_text(s["text"]) for s in sections[:3])
            values = {f.name: json.loads(row[f"facet_{f.name}"]) for f in FACETS}
            summary = ItemSummary.from_row(row, values)
            self.items.append(ItemInfo(**summary.summary_fields(), text=f"{row['summary']} {practical}"))
            self.embed_hashes.append(row["embed_hash"])
            facet_values.append(values)
        self.row_of = {item.id: row for row, item in enumerate(self.items)}
        self._facet_values = facet_values

    def _load_vocabularies(self, db: sqlite_utils.Database) -> None:
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

    def _load_vectors(self, db: sqlite_utils.Database) -> None:
        model = self.manifest["embedder"]

        def texts_of(document: str) -> list[tuple[int, str]]:
            by_item = json.loads(store.read_document(db, document) or "{}")
            return [(row, text) for row, item in enumerate(self.items) for text in by_item.get(item.id, ())]

        phrases, passages = texts_of(EVERYDAY_WORDS_DOCUMENT), texts_of(PASSAGES_DOCUMENT)
        phrase_hashes = [phrase_hash(phrase, model) for _, phrase in phrases]
        passage_hashes = [passage_hash(passage, model) for _, passage in passages]
        vectors = store.read_embeddings(db, model, set(self.embed_hashes) | set(phrase_hashes) | set(passage_hashes))
        missing = [h for h in self.embed_hashes + phrase_hashes + passage_hashes if h not in vectors]
        if missing:
            raise bundles.BundleError(f"{self.bundle_dir} lacks {len(missing)} vector(s): run 'nis build --full'")
        dims = self.manifest["dimensions"]

        def stacked(hashes: list[str]) -> np.ndarray:
            if not hashes:
                return np.zeros((0, dims), dtype=np.float32)
            return np.vstack([vectors[h] for h in hashes]).astype(np.float32)

        self.vectors = stacked(self.embed_hashes)
        # Each item's everyday phrases and passages, item by item (rows ascending), for the closest
        # of each per item.
        self.phrases = _Grouped(stacked(phrase_hashes), [row for row, _ in phrases])
        self.passages = _Grouped(stacked(passage_hashes), [row for row, _ in passages])

    def _check_keyword_index(self) -> None:
        with self.index.searcher() as searcher:
            indexed = sorted(fields["id"] for _, fields in searcher.reader().iter_docs())
        if indexed != [item.id for item in self.items]:
            raise bundles.BundleError(f"{self.bundle_dir}: keyword index and database disagree: run 'nis build --full'")

    @property
    def searcher(self) -> Searcher:
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
        texts = (_sentences(text) if len(text.split()) >= LONG_QUERY_WORDS else []) or [text]
        # One text at a time: a batch is padded to its longest text, which made a long note's
        # sentences cost as much as the whole note each (45 ms against 21 ms for a 60-word note).
        vectors: list[np.ndarray] = [embedder.embed([shorten(t, MAX_QUERY_TOKENS) if shorten else t])[0] for t in texts]
        if len(vectors) == 1:
            return vectors[0]
        mean: np.ndarray = np.mean(vectors, axis=0)
        return mean / (np.linalg.norm(mean) or 1.0)

    # -- searching ---------------------------------------------------------------------------

    def parse(
        self,
        text: str | None = "",
        filters: Mapping[str, FilterValues] | None = None,
        mode: str | None = None,
        page: int | str = 1,
        per_page: int | str = 20,
        sort: str | None = None,
        as_typed: bool = False,
    ) -> SearchRequest:
        return parse_request(
            text, filters, mode, page, per_page, sort, as_typed=as_typed, valid_values=self.valid_values
        )

    def search(self, request: SearchRequest) -> SearchResults:
        size = len(self.items)
        masks = facets.filter_masks(self.matrices, request.filters)
        allowed = facets.combined(masks, size)
        text = request.text
        messages = list(request.notes)
        if not text:  # browse: everything, Universal first, then by title
            ranked = self.browse_order[allowed[self.browse_order]]
            return self._results(request, text, ranked, len(ranked), None, np.ones(size, dtype=bool), masks, messages)

        # Unknown words are corrected against the index's own words and the corrected search is run,
        # unless the reader asked for the words as typed or the correction matches nothing (that
        # the filters allow); then the words as typed are searched and the correction offered.
        typed: str | None = None
        corrected = self.corrected(text)
        if corrected and not request.as_typed:
            scored, cut = self._scored_and_split(corrected, request.mode, allowed)
            if len(cut.matches):
                typed, text = text, corrected
        if typed is None:
            scored, cut = self._scored_and_split(text, request.mode, allowed)
        did_you_mean = corrected if typed is None and (not request.as_typed or len(cut.matches) < 3) else None
        if scored.widened:
            messages.append(
                "No item uses the exact words you typed, so these results use words that mean the same: "
                + ", ".join(scored.kq.synonym_expansions)
                + "."
            )
        ranked = np.concatenate([cut.matches, cut.related])
        results = self._results(
            request, text, ranked, len(cut.matches), scored, cut.is_match, masks, messages, did_you_mean, typed
        )
        # Topics the library does not cover, named in the words searched, as typed or as corrected
        # (a correction to a scope word matches no item, so it is only offered: "did you mean").
        results.out_of_scope = self.scope.topics_for_terms(scored.tokens) or next(
            (topics for words in (typed, corrected) if words and (topics := self.scope.topics_for(words))), ()
        )
        return results

    def _scored_and_split(self, text: str, mode: str, allowed: np.ndarray) -> tuple[Scored, relevance.Split]:
        scored = self.score(text, mode)
        return scored, relevance.split(scored.scores, scored.found, allowed, scored.answers)

    def _results(
        self,
        request: SearchRequest,
        text: str,
        ranked: np.ndarray,
        total: int,
        scored: Scored | None,
        counted: np.ndarray,
        masks: Mapping[str, np.ndarray],
        messages: list[str],
        did_you_mean: str | None = None,
        typed: str | None = None,
    ) -> SearchResults:
        if request.sort != "relevance":
            # By a value; a stable sort keeps the ranking within each value, and the less closely
            # related items stay after the matches.
            keys = self.sort_keys[request.sort]
            ranked = np.concatenate(
                [part[np.argsort(keys[part], kind="stable")] for part in (ranked[:total], ranked[total:])]
            )
        start = (request.page - 1) * request.per_page
        # The query's words looked up in the BM25F columns once, for every hit's matched words.
        looked_up = self.bm25f.term_columns(scored.kq.terms + scored.kq.synonym_terms) if scored is not None else []
        query_words = explain.QueryWords.of(self.terms_of, text, scored.kq.synonym_expansions) if scored else None
        hits = [
            self._hit(start + offset + 1, int(row), scored, offset + start >= total, looked_up, query_words)
            for offset, row in enumerate(ranked[start : start + request.per_page])
        ]
        shown = len(ranked)
        if request.page > 1 and not hits and shown:
            messages.append(
                f"There is no page {request.page}: the results end on page {-(-shown // request.per_page)}."
            )
        return SearchResults(
            query=text,
            mode=request.mode,
            filters=dict(request.filters),
            total=total,
            page=request.page,
            per_page=request.per_page,
            hits=hits,
            facets=facets.count(self.matrices, counted, masks, request.filters),
            did_you_mean=did_you_mean,
            messages=messages,
            expanded_with=tuple(scored.kq.synonym_expansions) if scored and scored.kq.synonym_terms else (),
            related=shown - total,
            corrected_from=typed,
            as_typed=request.as_typed,
            sort=request.sort,
            missing_words=scored.coverage.missing if scored is not None else (),
        )

    def score(self, text: str, mode: str) -> Scored:
        """Score every item for `text` in `mode` (see `fusion` and `intent` for how), and measure
        each against the absolute bar for answering it (`relevance`). The search calls it, and so
        does `scripts/calibrate_counts.py`, which fits that bar."""
        size = len(self.items)
        found_phrases = self.synonyms.phrases_in(text)  # once: the expansions and the coverage use them
        expansions = [other for _, others in found_phrases for other in others]
        kq = keyword.build_query(self.analyzer, text, expansions)
        widened = False
        keyword_scores = np.zeros(size)
        if mode in ("keyword", "hybrid"):
            if mode == "keyword":  # exact words: the words typed, widened only when they match nothing
                keyword_scores = self.bm25f.score([(t, 1.0) for t in kq.terms])
                widened = bool(kq.synonym_terms) and not keyword_scores.any()
                if widened:
                    keyword_scores = self.bm25f.score(kq.weighted_terms)
                else:
                    kq = kq.without_synonyms()
            else:
                keyword_scores = self.bm25f.score(kq.weighted_terms)
        similarity = None
        by_meaning = np.zeros(size, dtype=bool)
        meaning = np.zeros(size)
        if mode in ("semantic", "hybrid") and size:
            similarity = self._similarity(self.embed_query(text))
            by_meaning = similarity >= self._meaning_cut(similarity)
            meaning = fusion.scaled_similarity(similarity, SIMILARITY_BASE.get(self.model_name, 0.0)) * by_meaning
        groups = found_phrases if mode != "keyword" or widened else []
        covered = coverage.measure(text, self.terms_of, self.bm25f, groups, size)
        words = fusion.scaled_keyword(keyword_scores)
        if mode == "keyword":
            scores, found = words, keyword_scores > 0
        elif mode == "semantic":
            scores, found = meaning, by_meaning
        else:
            weight = fusion.keyword_weight(len(keyword.words(text)))
            scores = fusion.weighted_fusion(words, meaning, weight) + fusion.COVERAGE_WEIGHT * covered.per_item
            found = (keyword_scores > 0) | by_meaning
        tokens = tuple(self._analyse(text, keep_repeats=True))
        scores = scores * self.intent.weights(tokens)
        answers = relevance.bar_for(mode, self.model_name).answers(covered.per_item, similarity)
        return Scored(kq, keyword_scores, similarity, by_meaning, scores, found, widened, covered, answers, tokens)

    def _similarity(self, query: np.ndarray) -> np.ndarray:
        """Each item's closeness in meaning: its text's cosine similarity with the query, averaged
        (PHRASE_WEIGHT) with its closest everyday phrase's where it has phrases, and that averaged
        (PASSAGE_WEIGHT) with its closest passage's where it has passages."""
        similarity: np.ndarray = self.vectors @ query
        for grouped, weight in ((self.phrases, PHRASE_WEIGHT), (self.passages, PASSAGE_WEIGHT)):
            if len(grouped.vectors):
                closest = np.maximum.reduceat(grouped.vectors @ query, grouped.starts)
                owners = grouped.owners
                similarity[owners] = (1 - weight) * similarity[owners] + weight * closest
        return similarity

    def _meaning_cut(self, similarity: np.ndarray) -> float:
        floor = SIMILARITY_FLOOR.get(self.model_name, 0.25)
        lowest = SIMILARITY_LOWEST.get(self.model_name, floor)
        return min(floor, max(float(similarity.max()) - SIMILARITY_MARGIN, lowest))

    def _analyse(self, text: str, keep_repeats: bool = False) -> list[str]:
        if keep_repeats:
            return [token.text for token in self.analyzer(text)]
        return keyword.analyse(self.analyzer, text)

    def corrected(self, text: str) -> str | None:
        """`text` with its unknown words' spelling corrected, or None when none needs correcting."""
        return spelling.suggestion(text, self._is_known, self.spelling)

    def _is_known(self, word: str) -> bool:
        return word in self.known_words or keyword.is_indexed(self.searcher, self.analyzer, word)

    def _hit(
        self,
        rank: int,
        row: int,
        scored: Scored | None,
        related: bool,
        looked_up: list[tuple[str, tuple[int, ...]]],
        query_words: explain.QueryWords | None,
    ) -> Hit:
        item = self.items[row]
        keyword_score = similarity = None
        words: tuple[str, ...] = ()
        if scored is not None:
            if scored.keyword_scores[row] > 0:
                keyword_score = float(scored.keyword_scores[row])
                words = self.bm25f.matched_terms(row, looked_up)
            if scored.similarity is not None and scored.by_meaning[row]:
                similarity = float(scored.similarity[row])
        matched_by = tuple(
            name
            for name, present in (("words", keyword_score is not None), ("meaning", similarity is not None))
            if present
        )
        snippet = snippets.snippet(item.text, frozenset(words), self.analyzer) if words else None
        why = ""
        if query_words is not None:  # None exactly when `scored` is
            typed, synonyms = query_words.found(words)
            why = explain.why(typed, synonyms, similarity is not None, counted=not related)
        return Hit(
            **item.summary_fields(),
            rank=rank,
            snippet=snippet or Snippet(item.summary),
            matched_by=matched_by,
            matched_words=words,
            keyword_score=keyword_score,
            similarity=similarity,
            related=related,
            why=why,
        )


class _Grouped:
    """Vectors of several texts per item, item by item (rows ascending): `owners` are the items
    that have any, `starts` where each one's vectors begin (for np.maximum.reduceat)."""

    def __init__(self, vectors: np.ndarray, rows: list[int]):
        self.vectors = vectors
        self.owners, self.starts = np.unique(np.array(rows, dtype=np.int64), return_index=True)


def _sentences(text: str) -> list[str]:
    """A long note's sentences, at most MAX_QUERY_SENTENCES (the last takes the rest); none for one
    sentence."""
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    if len(sentences) > MAX_QUERY_SENTENCES:
        sentences[MAX_QUERY_SENTENCES - 1 :] = [" ".join(sentences[MAX_QUERY_SENTENCES - 1 :])]
    return sentences if len(sentences) > 1 else []


def _place(terms: list[tuple[str, str]], value: str) -> int:
    """A value's place in its vocabulary's order; an unknown value last."""
    return next((i for i, (term, _) in enumerate(terms) if term == value), len(terms))


_EMBEDDER_KEYS = {embedder.name: key for key, embedder in EMBEDDERS.items()}  # a bundle's model name -> its key


def get_service(instance_dir: Path, embedder_factory: Callable[[str], Embedder] | None = None) -> SearchService:
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

    # LOADED keeps every part as an object: this part is what `load` made.
    return cast(SearchService, LOADED.get(instance_dir, "search", load))


def search(
    instance_dir: Path,
    text: str = "",
    filters: Mapping[str, FilterValues] | None = None,
    mode: str | None = None,
    page: int | str = 1,
    per_page: int | str = 20,
    embedder_factory: Callable[[str], Embedder] | None = None,
    sort: str | None = None,
    as_typed: bool = False,
) -> SearchResults:
    """One search, from raw parameters: the entry point for the CLI, the web pages and the API.
    `as_typed`: search the words as typed, without correcting their spelling."""
    service = get_service(instance_dir, embedder_factory)
    return service.search(service.parse(text, filters, mode, page, per_page, sort, as_typed))
