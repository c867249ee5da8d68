"""Fusing the keyword and meaning scores into one ranking.

Score-aware fusion: each mode's scores are scaled to 0..1 against the query's best (keyword: BM25F
over the best item's; meaning: cosine similarity above a base, over the best item's), then mixed
with fixed weights. Unlike Reciprocal Rank Fusion, an item one mode finds far better than anything
else keeps most of its lead, instead of falling behind items both modes rank middling. The weights
were chosen on the judged query set (`scripts/eval_search.py`).

Reciprocal Rank Fusion (Cormack, Clarke and Büttcher, SIGIR 2009), which search used before, is kept
as the reference the tests compare against (tests/search/test_ranking.py).
"""

from __future__ import annotations

import numpy as np

KEYWORD_WEIGHT = 0.45  # the meaning score has the rest (0.59 before passages; see service.PASSAGE_WEIGHT)
# A query of one or two words gives the model little to go on (meaning alone put the answer first
# for 61% of the judged one-word queries, words alone for all of them): the words weigh more.
SHORT_QUERY_WORDS = 2
SHORT_KEYWORD_WEIGHT = 0.75
# Hybrid adds the share of the query's distinctive vocabulary an item has (coverage.py), so an item
# with the query's rare words outranks one that shares many common ones. Fitted on the tuning part
# (0.1 to 0.8 tried; 0.3 best, +0.003 nDCG@10 there, with the match bar of relevance.py).
COVERAGE_WEIGHT = 0.3


def scaled_keyword(scores: np.ndarray) -> np.ndarray:
    """BM25F scores over the best one: 1 for the best match, 0 for no match."""
    best = float(scores.max()) if len(scores) else 0.0
    return scores / best if best > 0 else np.zeros_like(scores)


def scaled_similarity(similarity: np.ndarray, base: float) -> np.ndarray:
    """Cosine similarity above `base` over the best item's: 1 for the closest, 0 at or below base."""
    best = float(similarity.max()) if len(similarity) else 0.0
    if best <= base:
        return np.zeros_like(similarity)
    return np.clip((similarity - base) / (best - base), 0.0, 1.0)


def keyword_weight(words: int) -> float:
    """The keyword score's weight for a query of `words` words."""
    return SHORT_KEYWORD_WEIGHT if words <= SHORT_QUERY_WORDS else KEYWORD_WEIGHT


def weighted_fusion(keyword: np.ndarray, meaning: np.ndarray, keyword_weight: float = KEYWORD_WEIGHT) -> np.ndarray:
    """The fused score of scaled keyword and meaning scores (each 0..1)."""
    return keyword_weight * keyword + (1.0 - keyword_weight) * meaning
