"""Which results count as matches: the relevance threshold.

An item is a match when it was found at all (its words, or its meaning above the similarity floor)
and its score is at least `MATCH_FRACTION` of the best item's score for the query. The count a
reader sees is the number of matches. A few items found but below the cut are shown after the
matches, under "Less closely related", and not counted.

Measured on the 106 judged teacher queries (hybrid, score-aware fusion): at 0.4 of the best score,
85% of the relevant query-item pairs are matches and 15% of the rest (at 0.5: 79% and 7%).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MATCH_FRACTION = 0.4
RELATED_LIMIT = 10  # less closely related items shown after the matches


@dataclass(frozen=True)
class Split:
    matches: np.ndarray  # rows, best first
    related: np.ndarray  # rows found but below the cut, best first, at most RELATED_LIMIT
    is_match: np.ndarray  # bool per row over the whole library, before any filter (for facet counts)


def split(scores: np.ndarray, found: np.ndarray, allowed: np.ndarray, fraction: float = MATCH_FRACTION) -> Split:
    """Cut the `found` rows by `scores`; the best score is taken over the whole library, so the
    facet counts and a filtered count agree. `allowed` is the filters' mask."""
    best = float(scores[found].max()) if found.any() else 0.0
    is_match = found & (scores >= fraction * best) & (scores > 0)
    matches = _best_first(np.flatnonzero(is_match & allowed), scores)
    related = _best_first(np.flatnonzero(found & ~is_match & allowed), scores)[:RELATED_LIMIT]
    return Split(matches, related, is_match)


def _best_first(rows: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Rows (ascending) by score, highest first; a stable sort keeps ties in row (item ID) order."""
    return rows[np.argsort(-scores[rows], kind="stable")]
