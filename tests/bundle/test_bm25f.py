"""The sparse-matrix BM25F gives exactly Whoosh's own BM25F scores, and an incremental build
leaves the same term matrix as a full one."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh.searching import Searcher

from indexer.bundle import term_matrix
from indexer.bundle.build import build
from indexer.bundle.embeddings import HashingEmbedder
from nis_library.search import SearchService, keyword
from nis_library.search.keyword import KeywordQuery
from tests.search_quality import load_judgements
from tests.support import REPO, ContentTree, build_hashing


def whoosh_ranking(
    searcher: Searcher, kq: KeywordQuery, allowed: set[int] | None = None
) -> list[tuple[int, float, tuple[str, ...]]]:
    """Whoosh's own BM25F ranking of all matching documents, as (docnum, score, matched words):
    the reference `bm25f.BM25FScorer` (what search ranks with, far faster) is tested against."""
    if kq.query is None:
        return []
    results = searcher.search(kq.query, limit=None, filter=allowed, terms=True)
    out: list[tuple[int, float, tuple[str, ...]]] = []
    for hit in results:
        matched = {text.decode() if isinstance(text, bytes) else text for _, text in hit.matched_terms()}
        out.append((hit.docnum, hit.score, tuple(t for t in kq.terms + kq.synonym_terms if t in matched)))
    return out


@pytest.fixture(scope="module")
def real_library_service(tmp_path_factory) -> SearchService:
    report = build(REPO / "content", tmp_path_factory.mktemp("instance"), embedder=HashingEmbedder(), full=True)
    return SearchService(report.bundle, lambda name: HashingEmbedder())


def test_matrix_scores_equal_whooshs_own_bm25f(real_library_service):
    service = real_library_service
    queries = [q.query for q in load_judgements(REPO / "tests" / "data" / "judged_queries.yaml")]
    compared = 0
    for text in queries:
        kq = keyword.build_query(service.analyzer, text, service.synonyms.expansions(text))
        if kq.query is None:
            continue
        whoosh_scores = {
            service.searcher.stored_fields(docnum)["id"]: score
            for docnum, score, _ in whoosh_ranking(service.searcher, kq)
        }
        matrix_scores = service.bm25f.score(kq.weighted_terms)
        ours = {service.items[r].id: matrix_scores[r] for r in np.flatnonzero(matrix_scores > 0)}
        assert set(ours) == set(whoosh_scores), text
        for item_id, score in whoosh_scores.items():
            assert ours[item_id] == pytest.approx(score, rel=1e-4), (text, item_id)
        compared += len(whoosh_scores)
    assert compared > 1000


def test_an_incremental_build_leaves_the_same_matrix_as_a_full_one(tree: ContentTree, instance, tmp_path):
    build_hashing(tree, instance)
    tree.replace("items/intervention/INT-0001.md", "Teach words.", "Teach words with pictures and gestures.")
    tree.replace("items/adjustment/ADJ-0001.md", "cost: very-low\n", "cost: very-low\nstatus: withdrawn\n")
    incremental = term_matrix.TermMatrix.load(build_hashing(tree, instance).bundle / term_matrix.FILE_NAME)
    full = term_matrix.TermMatrix.load(build_hashing(tree, tmp_path / "other").bundle / term_matrix.FILE_NAME)
    assert incremental.ids == full.ids == ["IDT-0001", "INT-0001", "PRA-0001", "SPP-0001"]

    def as_dict(m):
        return {(m.ids[r], m.columns[c]): v for r, c, v in zip(*m.weights.nonzero(), m.weights.data, strict=True)}

    assert as_dict(incremental) == as_dict(full)
    assert (incremental.lengths == full.lengths).all()
