#!/usr/bin/env python
"""Measure search quality on the judged query set for each mode: nDCG@10, Recall@10, MRR, hit@1
and hit@3 (an item judged relevant first, or in the first three), and the median result count.
Reported for the whole set, for each query `type` (teacher, parent, typo, long-note, one-word,
kind-request) and for the everyday-words subset (every type but teacher).

.venv/bin/python scripts/eval_search.py            # builds content/ into a temporary bundle
.venv/bin/python scripts/eval_search.py --embedder minilm-onnx-int8  # int8 (default: minilm-onnx, float32)
.venv/bin/python scripts/eval_search.py --by-area  # also per area of development
.venv/bin/python scripts/eval_search.py --misses   # also list the queries hybrid does not answer first
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
from nis_library.search.quality import load_judgements, run_queries, summarise  # noqa: E402

DEFAULT_QUERIES = ROOT / "tests" / "data" / "judged_queries.yaml"
EVERYDAY_TYPES = ("parent", "typo", "long-note", "one-word", "kind-request")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--embedder", default=DEFAULT_EMBEDDER, choices=sorted(EMBEDDERS))
    parser.add_argument("--by-area", action="store_true", help="also report each area of development")
    parser.add_argument("--misses", action="store_true", help="list the queries hybrid does not answer first")
    args = parser.parse_args()

    queries = load_judgements(args.queries)
    embedder = make_embedder(args.embedder)
    with tempfile.TemporaryDirectory() as instance:
        started = time.perf_counter()
        report = build(args.content, Path(instance), embedder=embedder)
        print(
            f"Built {report.searchable} items with {embedder.name} in {time.perf_counter() - started:.1f}s; "
            f"{len(queries)} judged queries from {args.queries.relative_to(ROOT) if args.queries.is_relative_to(ROOT) else args.queries}"
        )
        service = SearchService(report.bundle, lambda name: embedder)
        outcomes = run_queries(service, queries)
        print(f"{len(service.items)} items in the library: a third is {len(service.items) / 3:.0f}")
        groups: dict[str, set[str]] = {"all": {id(q) for q in queries}}
        types = sorted({q.type for q in queries})
        for kind in types:
            groups[f"type {kind}"] = {id(q) for q in queries if q.type == kind}
        if any(t in EVERYDAY_TYPES for t in types):
            groups["everyday words"] = {id(q) for q in queries if q.type in EVERYDAY_TYPES}
        if args.by_area:
            for area in sorted({q.area for q in queries}):
                groups[f"area {area}"] = {id(q) for q in queries if q.area == area}
        print(
            f"\n{'queries':<34}{'mode':<10}{'nDCG@10':>9}{'Recall@10':>11}{'MRR':>8}{'hit@1':>8}{'hit@3':>8}"
            f"{'count p50':>11}"
        )
        for name, members in groups.items():
            for mode, mode_outcomes in outcomes.items():
                s = summarise([o for o in mode_outcomes if id(o.judged) in members])
                print(
                    f"{name + f' ({s.queries})':<34}{mode:<10}{s.ndcg:>9.3f}{s.recall:>11.3f}{s.mrr:>8.3f}"
                    f"{s.hit1:>8.3f}{s.hit3:>8.3f}{s.median_count:>11g}"
                )
        if args.misses:
            print("\nHybrid's misses (no relevant item first): type | query | first three | relevant")
            for o in outcomes["hybrid"]:
                if not set(o.ranked[:1]) & set(o.judged.relevant):
                    best = ",".join(i for i, g in o.judged.relevant.items() if g == 2)
                    print(f"{o.judged.type} | {o.judged.query} | {','.join(o.ranked[:3])} | {best} | {o.total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
