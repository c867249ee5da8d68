"""Reciprocal Rank Fusion (Cormack, Clarke and Büttcher, SIGIR 2009): score = sum of 1 / (k + rank)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RRF_K = 60
FUSION_DEPTH = 100  # how far down each list contributes to the fused order


def reciprocal_rank_fusion(
    *rankings: Sequence[int], k: int = RRF_K, depth: int = FUSION_DEPTH, size: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Fuse ranked lists of distinct row numbers. The top `depth` of each list are fused first;
    the rest of the candidates follow, ordered by their fused score over the whole lists, so none
    is lost. Returns (rows, fused scores), best first; ties go to the lower row number."""
    arrays = [np.asarray(r, dtype=np.int64) for r in rankings]
    size = size or (max((int(a.max()) for a in arrays if len(a)), default=-1) + 1)
    head = np.zeros(size)
    whole = np.zeros(size)
    for rows in arrays:  # rows are distinct within a list, so fancy-index addition is exact
        contribution = 1.0 / (k + np.arange(1, len(rows) + 1))
        whole[rows] += contribution
        head[rows[:depth]] += contribution[:depth]
    in_head = np.flatnonzero(head)
    in_tail = np.flatnonzero((whole > 0) & (head == 0))
    # flatnonzero gives rows in ascending order, so a stable sort breaks ties by row
    head_order = in_head[np.argsort(-head[in_head], kind="stable")]
    tail_order = in_tail[np.argsort(-whole[in_tail], kind="stable")]
    rows = np.concatenate([head_order, tail_order])
    return rows, np.concatenate([head[head_order], whole[tail_order]])
