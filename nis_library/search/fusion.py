"""Reciprocal Rank Fusion (Cormack, Clarke and Büttcher, SIGIR 2009): score = sum of 1 / (k + rank)."""

from __future__ import annotations

from typing import Sequence

RRF_K = 60
FUSION_DEPTH = 100  # how far down each list contributes to the fused order


def reciprocal_rank_fusion(*rankings: Sequence[int], k: int = RRF_K, depth: int = FUSION_DEPTH) -> list[tuple[int, float]]:
    """Fuse ranked lists of ids. The top `depth` of each list are fused first; the rest of the
    candidates follow, ordered by their fused score over the whole lists, so nothing is lost."""
    head: dict[int, float] = {}
    whole: dict[int, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            contribution = 1.0 / (k + rank)
            whole[doc] = whole.get(doc, 0.0) + contribution
            if rank <= depth:
                head[doc] = head.get(doc, 0.0) + contribution
    fused = sorted(head.items(), key=lambda pair: (-pair[1], pair[0]))
    tail = sorted(((d, s) for d, s in whole.items() if d not in head), key=lambda pair: (-pair[1], pair[0]))
    return fused + tail
