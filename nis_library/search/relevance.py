"""Which results count as matches: what "this answers you" means.

An item is a match when it was found at all (its words, or its meaning above the similarity floor),
its score is at least `MATCH_FRACTION` of the best item's for the query, **and** it clears an
absolute bar: it has enough of the query's distinctive vocabulary (`coverage`), or it is close
enough in meaning (cosine similarity), or both modes agree at a lower level of each. The relative
cut alone let a query whose best item was poor count everything near it, so a topic the library
does not cover got a page of "matches" on words like "school" and "plan".

The count a reader sees is the number of matches. Up to `RELATED_LIMIT` items found but not
matching follow the matches, not counted ("Less closely related", or "Related, but not about
this" when nothing matches).

The bars were fitted on the tuning part of the judged queries only (`scripts/calibrate_counts.py`
prints the grid and the choice): among the rules that keep the first result counted for at least
97% of the tuning queries with an answer and count nothing for at least three quarters of those
with none, the best F1 over judged pairs. For words and meaning that is "three tenths of the distinctive
vocabulary, or cosine similarity 0.5" (a lower level of both at once did no better). Cosine similarity
is on a scale of its encoder's own, so the meaning bars are per encoder.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MATCH_FRACTION = 0.4
RELATED_LIMIT = 10  # items shown after the matches, not counted


@dataclass(frozen=True)
class AnswerBar:
    """What an item needs, in absolute terms, to answer a query: any one of the three tests."""

    coverage: float  # its share of the query's distinctive vocabulary (coverage.py), alone
    similarity: float | None  # its cosine similarity with the query, alone (None: not used)
    agreed_coverage: float | None = None  # both modes agree: this much coverage ...
    agreed_similarity: float | None = None  # ... and this much similarity at once

    def answers(self, coverage: np.ndarray, similarity: np.ndarray | None) -> np.ndarray:
        passed = coverage >= self.coverage
        if similarity is not None and self.similarity is not None:
            passed = passed | (similarity >= self.similarity)
            if self.agreed_coverage is not None and self.agreed_similarity is not None:
                passed = passed | ((coverage >= self.agreed_coverage) & (similarity >= self.agreed_similarity))
        return passed


MINILM_NAMES = ("all-MiniLM-L6-v2", "all-MiniLM-L6-v2-onnx", "all-MiniLM-L6-v2-onnx-int8")
# Words and meaning (hybrid; meaning only uses the same bar): fitted on hybrid's tuning queries with
# the int8 encoder; the float32 and torch encoders share its scale (cosine >= 0.98 between vectors).
MEANING_BARS = {
    **dict.fromkeys(MINILM_NAMES, AnswerBar(0.3, 0.5)),
    # The tests' deterministic stand-in (hashed word counts) has no calibrated scale: its cosine is
    # a share of words in common, so it is held to the coverage bar and a high similarity alone.
    "hashing-stand-in": AnswerBar(0.3, 0.5, 0.1, 0.2),
}
DEFAULT_MEANING_BAR = MEANING_BARS["all-MiniLM-L6-v2"]
# Exact words: the reader asked for the words, so a lower share of them counts (fitted likewise).
WORDS_BAR = AnswerBar(0.2, None)


def bar_for(mode: str, model_name: str) -> AnswerBar:
    if mode == "keyword":
        return WORDS_BAR
    return MEANING_BARS.get(model_name, DEFAULT_MEANING_BAR)


@dataclass(frozen=True)
class Split:
    matches: np.ndarray  # rows, best first
    related: np.ndarray  # rows found but not matching, best first, at most RELATED_LIMIT
    is_match: np.ndarray  # bool per row over the whole library, before any filter (for facet counts)


def split(
    scores: np.ndarray,
    found: np.ndarray,
    allowed: np.ndarray,
    answers: np.ndarray | None = None,
    fraction: float = MATCH_FRACTION,
) -> Split:
    """Cut the `found` rows by `scores` and by `answers` (each row clears the absolute bar; None:
    every row does). The best score is taken over the whole library, so the facet counts and a
    filtered count agree. `allowed` is the filters' mask."""
    best = float(scores[found].max()) if found.any() else 0.0
    is_match = found & (scores >= fraction * best) & (scores > 0)
    if answers is not None:
        is_match &= answers
    matches = _best_first(np.flatnonzero(is_match & allowed), scores)
    related = _best_first(np.flatnonzero(found & ~is_match & allowed), scores)[:RELATED_LIMIT]
    return Split(matches, related, is_match)


def _best_first(rows: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Rows (ascending) by score, highest first; a stable sort keeps ties in row (item ID) order."""
    return rows[np.argsort(-scores[rows], kind="stable")]
