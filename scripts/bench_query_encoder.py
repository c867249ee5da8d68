#!/usr/bin/env python
"""Per-query embedding time, torch (minilm) against ONNX Runtime float32 (minilm-onnx) and int8
(minilm-onnx-int8), in one process on one compute thread, over the judged queries; rounds alternate
the encoders so load on a shared machine falls on all alike. Also the smallest cosine between torch's
vectors and each ONNX graph's for the same queries.

    .venv/bin/python scripts/bench_query_encoder.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.bundle import compute_threads  # noqa: E402
from indexer.bundle.embeddings import MiniLMEmbedder, OnnxInt8MiniLMEmbedder, OnnxMiniLMEmbedder  # noqa: E402
from nis_library.search.bundle_search import MAX_QUERY_TOKENS  # noqa: E402
from tests.search_quality import load_judgements  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    compute_threads.set_budget(1)  # as each gunicorn worker runs
    queries = [q.query for q in load_judgements(ROOT / "tests" / "data" / "judged_queries.yaml")]
    with tempfile.TemporaryDirectory() as models:
        encoders = {
            "torch": MiniLMEmbedder(),
            "onnx": OnnxMiniLMEmbedder(Path(models)),
            "int8": OnnxInt8MiniLMEmbedder(Path(models)),
        }
        times: dict[str, list[float]] = {name: [] for name in encoders}
        for _ in range(args.rounds):
            for name, encoder in encoders.items():
                for query in queries:  # as the service embeds a query: shortened, alone
                    started = time.perf_counter()
                    encoder.embed([encoder.shorten(query, MAX_QUERY_TOKENS)])
                    times[name].append((time.perf_counter() - started) * 1000)
        reference = encoders["torch"].embed(queries)
        cosines = {name: np.sum(reference * encoders[name].embed(queries), axis=1) for name in ("onnx", "int8")}
    print(f"{len(queries)} judged queries x {args.rounds} rounds, one thread, load average {os.getloadavg()[0]:.1f}")
    for name, samples in times.items():
        p95 = statistics.quantiles(samples, n=20)[-1]
        print(f"{name:<6} p50 {statistics.median(samples):6.1f} ms   p95 {p95:6.1f} ms")
    p50 = {name: statistics.median(samples) for name, samples in times.items()}
    print(f"torch / onnx p50: {p50['torch'] / p50['onnx']:.2f}x   onnx / int8 p50: {p50['onnx'] / p50['int8']:.2f}x")
    for name, values in cosines.items():
        print(f"smallest cosine torch vs {name}: {values.min():.7f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
