"""Reciprocal Rank Fusion (Cormack, Clarke and Büttcher, SIGIR 2009): score = sum of 1 / (k + rank)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

RRF_K = 60
FUSION_DEPTH = 100  # how far down each list contributes to the fused order


def reciprocal_rank_fusion(*rankings: Sequence[int], k: int = RRF_K, depth: int = FUSION_DEPTH,
                           size: int | None = None) -> list[tuple[int, float]]:
    """Fuse ranked lists of row numbers. The top `depth` of each list are fused first; the rest of
    the candidates follow, ordered by their fused score over the whole lists, so none is lost.
    Returns (row, fused score) pairs, best first; ties go to the lower row number."""
    arrays = [np.asarray(r, dtype=np.int64) for r in rankings]
    size = size or (max((int(a.max()) for a in arrays if len(a)), default=-1) + 1)
    head = np.zeros(size)
    whole = np.zeros(size)
    for rows in arrays:
        contribution = 1.0 / (k + np.arange(1, len(rows) + 1))
        np.add.at(whole, rows, contribution)
        np.add.at(head, rows[:depth], contribution[:depth])
    in_head = np.flatnonzero(head)
    in_tail = np.setdiff1d(np.flatnonzero(whole), in_head, assume_unique=True)
    head_order = in_head[np.lexsort((in_head, -head[in_head]))]
    tail_order = in_tail[np.lexsort((in_tail, -whole[in_tail]))]
    return [(int(r), float(head[r])) for r in head_order] + [(int(r), float(whole[r])) for r in tail_order]
