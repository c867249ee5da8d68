"""Search quality on a judged query set: nDCG@10, Recall@10, MRR, hit@1 and hit@3 per mode, how
many results each query counts (the count a reader sees), and whether the first result is counted.
Queries with no good answer (`answer: none`, no relevant items) are scored on their claimed count
alone: an honest search counts nothing for them.

Used by `scripts/eval_search.py` and by the test that holds the line on quality.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from nis_library.search.bundle_search import SearchService
from nis_library.search.request import MODES

CUTOFF = 10


@dataclass(frozen=True)
class JudgedQuery:
    query: str
    area: str
    kind: str
    relevant: dict[str, int]  # item ID -> grade (2 = should come first, 1 = relevant)
    type: str = "teacher"  # who wrote it and how: teacher, parent, typo, long-note, one-word, kind-request
    part: str = "tuning"  # tuning (the only part weights are fitted on), held-out or blind
    user: str = ""  # who typed it (blind set): parent, teacher, senco, early-years, post-16, ta

    @property
    def answerable(self) -> bool:
        """False for a query the library has no good answer to."""
        return bool(self.relevant)


def load_judgements(path: Path, part: str | None = None) -> list[JudgedQuery]:
    """The judged queries of `path`; a query without a `part` is in `part` (default: tuning)."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [
        JudgedQuery(
            q["query"],
            q.get("area", ""),
            q.get("kind", ""),
            {str(k): int(v) for k, v in (q.get("relevant") or {}).items()},
            q.get("type", "teacher"),
            q.get("part", part or "tuning"),
            q.get("user", ""),
        )
        for q in raw
    ]


def dcg(grades: Sequence[int]) -> float:
    total: float = sum(
        (2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades)
    )  # int ** int is typed Any (a negative power is a float)
    return total


def ndcg_at_k(ranked: Sequence[str], relevant: dict[str, int], k: int = CUTOFF) -> float:
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    return dcg([relevant.get(i, 0) for i in ranked[:k]]) / ideal if ideal else 0.0


def recall_at_k(ranked: Sequence[str], relevant: dict[str, int], k: int = CUTOFF) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: dict[str, int]) -> float:
    return next((1.0 / rank for rank, item in enumerate(ranked, start=1) if item in relevant), 0.0)


def hit_at_k(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    """1 when an item judged relevant is among the first `k`."""
    return 1.0 if set(ranked[:k]) & set(relevant) else 0.0


@dataclass(frozen=True)
class Scores:
    ndcg: float
    recall: float
    mrr: float
    queries: int
    hit1: float = 0.0
    hit3: float = 0.0
    median_count: float = 0.0  # the median of the result counts the reader is shown
    first_counted: float = 0.0  # share of queries whose first result is counted as a match
    unanswerable: int = 0  # queries with no good answer (scored on their count only)
    unanswerable_count: float = 0.0  # the median count claimed for them (honest: 0)
    unanswerable_silent: float = 0.0  # share of them for which nothing is counted


@dataclass(frozen=True)
class QueryOutcome:
    """One query's ranking in one mode, and the count the reader saw."""

    judged: JudgedQuery
    ranked: tuple[str, ...]
    total: int  # the matches counted; the first `total` of `ranked` are the matches


def run_queries(
    service: SearchService, queries: Sequence[JudgedQuery], modes: Sequence[str] = MODES
) -> dict[str, list[QueryOutcome]]:
    outcomes: dict[str, list[QueryOutcome]] = {}
    for mode in modes:
        outcomes[mode] = []
        for judged in queries:
            results = service.search(service.parse(judged.query, None, mode, 1, CUTOFF))
            outcomes[mode].append(QueryOutcome(judged, tuple(hit.id for hit in results.hits), results.total))
    return outcomes


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if not ordered:
        return 0
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def summarise(outcomes: Sequence[QueryOutcome]) -> Scores:
    answerable = [o for o in outcomes if o.judged.answerable]
    unanswerable = [o for o in outcomes if not o.judged.answerable]
    count = max(len(answerable), 1)

    def mean(metric: Callable[[Sequence[str], dict[str, int]], float]) -> float:
        return round(sum(metric(o.ranked, o.judged.relevant) for o in answerable) / count, 4)

    return Scores(
        mean(ndcg_at_k),
        mean(recall_at_k),
        mean(reciprocal_rank),
        len(answerable),
        mean(lambda ranked, relevant: hit_at_k(ranked, relevant, 1)),
        mean(lambda ranked, relevant: hit_at_k(ranked, relevant, 3)),
        _median([o.total for o in answerable]),
        round(sum(1 for o in answerable if o.total > 0) / count, 4),
        len(unanswerable),
        _median([o.total for o in unanswerable]),
        round(sum(1 for o in unanswerable if o.total == 0) / max(len(unanswerable), 1), 4),
    )


def evaluate(service: SearchService, queries: Sequence[JudgedQuery], modes: Sequence[str] = MODES) -> dict[str, Scores]:
    return {mode: summarise(outcomes) for mode, outcomes in run_queries(service, queries, modes).items()}
