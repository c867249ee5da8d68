#!/usr/bin/env python
"""Measure search quality on the judged query set: nDCG@10, Recall@10 and MRR for each mode.

.venv/bin/python scripts/eval_search.py            # builds content/ into a temporary bundle
.venv/bin/python scripts/eval_search.py --embedder minilm-onnx  # float32 (default: minilm-onnx-int8)
.venv/bin/python scripts/eval_search.py --by-area  # also per area of development
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
from nis_library.search.quality import evaluate, load_judgements  # noqa: E402

DEFAULT_QUERIES = ROOT / "tests" / "data" / "judged_queries.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--embedder", default=DEFAULT_EMBEDDER, choices=sorted(EMBEDDERS))
    parser.add_argument("--by-area", action="store_true", help="also report each area of development")
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
        groups = {"all": queries}
        if args.by_area:
            for area in sorted({q.area for q in queries}):
                groups[area] = [q for q in queries if q.area == area]
        print(f"\n{'queries':<32}{'mode':<10}{'nDCG@10':>9}{'Recall@10':>11}{'MRR':>8}")
        for name, subset in groups.items():
            for mode, s in evaluate(service, subset).items():
                print(f"{name + f' ({s.queries})':<32}{mode:<10}{s.ndcg:>9.4f}{s.recall:>11.4f}{s.mrr:>8.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
