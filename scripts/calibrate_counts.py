#!/usr/bin/env python
"""Fit the absolute bar an item must clear to count as a match (nis_library/search/relevance.py),
on the TUNING part of the judged queries only, and print the grid it was chosen from.

For each mode, every rule of the grid is scored over the tuning queries: the share of queries with
an answer whose first result would be counted ("1st counted"), the median and largest number of
matches claimed for queries with no good answer, and, over judged pairs, the share of counted items
judged relevant ("precision") and of relevant items counted ("recall"). The choice, for hybrid
(meaning only uses the same bar) and for exact words: among rules that count the first result of
at least 97% of the queries with an answer and claim no match for at least three quarters of the
queries with none (exact words: half), the highest F1 of precision and recall.

.venv/bin/python scripts/calibrate_counts.py             # the shipped encoder
.venv/bin/python scripts/calibrate_counts.py --top 20    # more of each grid
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.bundle.build import build  # noqa: E402
from indexer.bundle.embeddings import DEFAULT_EMBEDDER, EMBEDDERS, make_embedder  # noqa: E402
from nis_library.search import SearchService  # noqa: E402
from nis_library.search.relevance import MATCH_FRACTION, AnswerBar, bar_for  # noqa: E402
from tests.search_quality import load_judgements  # noqa: E402

QUERIES = ROOT / "tests" / "data" / "judged_queries.yaml"
FIRST_COUNTED_AT_LEAST = 0.97
COVERAGE = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6)
SIMILARITY = (0.3, 0.35, 0.4, 0.45, 0.5)
AGREED = ((None, None), (0.1, 0.3), (0.15, 0.28), (0.2, 0.3), (0.25, 0.25))


@dataclass(frozen=True)
class Features:
    """One tuning query scored in one mode: per item, before any bar."""

    answerable: bool
    candidates: np.ndarray  # bool: found, and within MATCH_FRACTION of the best
    order: np.ndarray  # rows, best score first
    coverage: np.ndarray
    similarity: np.ndarray | None
    relevant: np.ndarray  # bool: judged relevant


@dataclass(frozen=True)
class Outcome:
    first_counted: float
    claimed_median: float
    claimed_max: int
    silent: float  # share of no-answer queries with nothing counted
    precision: float
    recall: float


def features(service: SearchService, queries, mode: str) -> list[Features]:
    ids = [item.id for item in service.items]
    scored = []
    for judged in queries:
        text = service.corrected(judged.query) or judged.query
        s = service.score(text, mode)
        best = float(s.scores[s.found].max()) if s.found.any() else 0.0
        candidates = s.found & (s.scores >= MATCH_FRACTION * best) & (s.scores > 0)
        scored.append(
            Features(
                judged.answerable,
                candidates,
                np.argsort(-s.scores, kind="stable"),
                s.coverage.per_item,
                s.similarity,
                np.array([i in judged.relevant for i in ids]),
            )
        )
    return scored


def outcome(scored: list[Features], bar: AnswerBar) -> Outcome:
    first, claimed = [], []
    counted_relevant = counted = relevant = 0
    for f in scored:
        match = f.candidates & bar.answers(f.coverage, f.similarity)
        if not f.answerable:
            claimed.append(int(match.sum()))
            continue
        first.append(bool(match.any()))
        counted_relevant += int((match & f.relevant).sum())
        counted += int(match.sum())
        relevant += int(f.relevant.sum())
    return Outcome(
        float(np.mean(first)) if first else 0.0,
        float(np.median(claimed)) if claimed else 0.0,
        max(claimed, default=0),
        float(np.mean([c == 0 for c in claimed])) if claimed else 1.0,
        counted_relevant / counted if counted else 0.0,
        counted_relevant / relevant if relevant else 0.0,
    )


def grid(mode: str) -> list[AnswerBar]:
    if mode == "keyword":
        return [AnswerBar(c, None) for c in COVERAGE]
    return [AnswerBar(c, s, ac, asim) for c, s, (ac, asim) in itertools.product(COVERAGE, SIMILARITY, AGREED)]


def acceptable(o: Outcome, mode: str) -> bool:
    silent_at_least = 0.5 if mode == "keyword" else 0.75
    return o.first_counted >= FIRST_COUNTED_AT_LEAST and o.silent >= silent_at_least


def f1(o: Outcome) -> float:
    return 2 * o.precision * o.recall / (o.precision + o.recall) if o.precision + o.recall else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default=DEFAULT_EMBEDDER, choices=sorted(EMBEDDERS))
    parser.add_argument("--top", type=int, default=8, help="rules shown per mode")
    args = parser.parse_args()
    queries = [q for q in load_judgements(QUERIES) if q.part == "tuning"]  # never the held-out part
    embedder = make_embedder(args.embedder)
    with tempfile.TemporaryDirectory() as instance:
        report = build(ROOT / "content", Path(instance), embedder=embedder)
        service = SearchService(report.bundle, lambda name: embedder)
        answerable = sum(q.answerable for q in queries)
        print(f"{embedder.name}: {answerable} tuning queries with an answer, {len(queries) - answerable} without")
        for mode in ("hybrid", "semantic", "keyword"):
            scored = features(service, queries, mode)
            # Meaning only is held to hybrid's bar (one bar for "words and meaning"): shown, not fitted.
            rows = [(bar, outcome(scored, bar)) for bar in grid(mode)] if mode != "semantic" else []
            chosen = sorted((r for r in rows if acceptable(r[1], mode)), key=lambda r: -f1(r[1]))
            shipped = bar_for(mode, embedder.name)
            print(f"\n{mode}: shipped {shipped}\n  {outcome(scored, shipped)}")
            print(
                f"  {'coverage':>9}{'sim':>6}{'agreed':>12}{'1st counted':>13}{'none p50':>9}{'max':>5}"
                f"{'silent':>8}{'precision':>10}{'recall':>8}{'F1':>6}"
            )
            for bar, o in chosen[: args.top]:
                agreed = f"{bar.agreed_coverage}/{bar.agreed_similarity}" if bar.agreed_coverage else "-"
                print(
                    f"  {bar.coverage:>9}{bar.similarity or '-':>6}{agreed:>12}{o.first_counted:>13.3f}"
                    f"{o.claimed_median:>9g}{o.claimed_max:>5}{o.silent:>8.2f}{o.precision:>10.3f}{o.recall:>8.3f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
