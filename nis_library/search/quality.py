"""Search quality on a judged query set: nDCG@10, Recall@10 and MRR per mode.

Used by `scripts/eval_search.py` and by the test that holds the line on quality.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from nis_library.search.request import MODES
from nis_library.search.service import SearchService

CUTOFF = 10


@dataclass(frozen=True)
class JudgedQuery:
    query: str
    area: str
    kind: str
    relevant: dict[str, int]  # item ID -> grade (2 = should come first, 1 = relevant)


def load_judgements(path: Path) -> list[JudgedQuery]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [
        JudgedQuery(
            q["query"], q.get("area", ""), q.get("kind", ""), {str(k): int(v) for k, v in q["relevant"].items()}
        )
        for q in raw
    ]


def dcg(grades: Sequence[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at_k(ranked: Sequence[str], relevant: dict[str, int], k: int = CUTOFF) -> float:
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    return dcg([relevant.get(i, 0) for i in ranked[:k]]) / ideal if ideal else 0.0


def recall_at_k(ranked: Sequence[str], relevant: dict[str, int], k: int = CUTOFF) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: dict[str, int]) -> float:
    return next((1.0 / rank for rank, item in enumerate(ranked, start=1) if item in relevant), 0.0)


@dataclass(frozen=True)
class Scores:
    ndcg: float
    recall: float
    mrr: float
    queries: int


def evaluate(service: SearchService, queries: Sequence[JudgedQuery], modes: Sequence[str] = MODES) -> dict[str, Scores]:
    scores = {}
    for mode in modes:
        n = r = m = 0.0
        for judged in queries:
            results = service.search(service.parse(judged.query, None, mode, 1, CUTOFF))
            ranked = [hit.id for hit in results.hits]
            n += ndcg_at_k(ranked, judged.relevant)
            r += recall_at_k(ranked, judged.relevant)
            m += reciprocal_rank(ranked, judged.relevant)
        count = max(len(queries), 1)
        scores[mode] = Scores(round(n / count, 4), round(r / count, 4), round(m / count, 4), len(queries))
    return scores
