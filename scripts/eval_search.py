#!/usr/bin/env python
"""Measure search quality on the three parts of the judged queries, for each mode: nDCG@10,
Recall@10, MRR, hit@1 and hit@3, the median result count, and how often the first result is
counted as a match; and, for queries with no good answer, how many matches are claimed.

The parts (docs/benchmarks.md, "Three parts"):
  tuning    tests/data/judged_queries.yaml, `part: tuning`: the only queries weights are fitted on
  held-out  tests/data/judged_queries.yaml, `part: held-out`: every third query of each type
  blind     tests/data/blind_queries.yaml: written from the items' text, before any search, by
            someone who never saw the tuning; includes queries with no good answer

.venv/bin/python scripts/eval_search.py            # builds content/ into a temporary bundle
.venv/bin/python scripts/eval_search.py --embedder minilm-onnx   # float32 (default: the shipped encoder)
.venv/bin/python scripts/eval_search.py --by-type  # also each query type within each part
.venv/bin/python scripts/eval_search.py --by-area  # also each area of development within each part
.venv/bin/python scripts/eval_search.py --misses tuning  # list that part's queries hybrid does not answer first
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.bundle.build import build  # noqa: E402
from indexer.bundle.embeddings import DEFAULT_EMBEDDER, EMBEDDERS, make_embedder  # noqa: E402
from nis_library.search import SearchService  # noqa: E402
from tests.search_quality import load_judgements, run_queries, summarise  # noqa: E402

DEFAULT_QUERIES = ROOT / "tests" / "data" / "judged_queries.yaml"
DEFAULT_BLIND = ROOT / "tests" / "data" / "blind_queries.yaml"
PARTS = ("tuning", "held-out", "blind")


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="the tuning and held-out parts")
    parser.add_argument("--blind", type=Path, default=DEFAULT_BLIND, help="the blind part")
    parser.add_argument("--embedder", default=DEFAULT_EMBEDDER, choices=sorted(EMBEDDERS))
    parser.add_argument("--by-type", action="store_true", help="also report each query type within each part")
    parser.add_argument("--by-area", action="store_true", help="also report each area of development")
    parser.add_argument("--misses", choices=PARTS, action="append", default=[], help="list a part's misses")
    args = parser.parse_args()

    queries = load_judgements(args.queries)
    if args.blind.exists():
        queries += load_judgements(args.blind, part="blind")
    embedder = make_embedder(args.embedder)
    with tempfile.TemporaryDirectory() as instance:
        started = time.perf_counter()
        report = build(args.content, Path(instance), embedder=embedder)
        print(
            f"Built {report.searchable} items with {embedder.name} in {time.perf_counter() - started:.1f}s; "
            f"{len(queries)} judged queries from {_shown(args.queries)}"
            + (f" and {_shown(args.blind)}" if args.blind.exists() else "")
        )
        service = SearchService(report.bundle, lambda name: embedder)
        outcomes = run_queries(service, queries)

    groups: dict[str, set[int]] = {}
    for part in PARTS:
        members = [q for q in queries if q.part == part]
        if not members:
            continue
        groups[part] = {id(q) for q in members}
        if args.by_type:
            for kind in sorted({q.type for q in members}):
                groups[f"{part}, {kind}"] = {id(q) for q in members if q.type == kind}
        if args.by_area:
            for area in sorted({q.area for q in members if q.answerable}):
                groups[f"{part}, {area}"] = {id(q) for q in members if q.area == area and q.answerable}

    print("\nQueries with a good answer")
    print(
        f"{'part':<40}{'mode':<10}{'nDCG@10':>9}{'Recall@10':>11}{'MRR':>8}{'hit@1':>8}{'hit@3':>8}"
        f"{'count p50':>11}{'1st counted':>13}"
    )
    for name, members in groups.items():
        for mode, mode_outcomes in outcomes.items():
            s = summarise([o for o in mode_outcomes if id(o.judged) in members])
            if not s.queries:
                continue
            print(
                f"{name + f' ({s.queries})':<40}{mode:<10}{s.ndcg:>9.3f}{s.recall:>11.3f}{s.mrr:>8.3f}"
                f"{s.hit1:>8.3f}{s.hit3:>8.3f}{s.median_count:>11g}{s.first_counted:>13.3f}"
            )
    unanswerable = [q for q in queries if not q.answerable]
    if unanswerable:
        print("\nQueries with no good answer: the matches claimed (honest: none)")
        print(f"{'part':<40}{'mode':<10}{'count p50':>11}{'max':>6}{'none counted':>14}")
        for part in PARTS:
            members = {id(q) for q in unanswerable if q.part == part}
            for mode, mode_outcomes in outcomes.items():
                chosen = [o for o in mode_outcomes if id(o.judged) in members]
                if chosen:
                    s = summarise(chosen)
                    print(
                        f"{part + f' ({s.unanswerable})':<40}{mode:<10}{s.unanswerable_count:>11g}"
                        f"{max(o.total for o in chosen):>6}{s.unanswerable_silent:>14.3f}"
                    )
    for part in args.misses:
        print(f"\nHybrid's misses in {part} (no relevant item first): type | query | first three | best | count")
        for o in outcomes["hybrid"]:
            if o.judged.part != part:
                continue
            if o.judged.answerable and not set(o.ranked[:1]) & set(o.judged.relevant):
                best = ",".join(i for i, g in o.judged.relevant.items() if g == 2)
                print(f"{o.judged.type} | {o.judged.query} | {','.join(o.ranked[:3])} | {best} | {o.total}")
            elif not o.judged.answerable and o.total:
                print(f"{o.judged.type} | {o.judged.query} | {','.join(o.ranked[:3])} | (none) | {o.total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
