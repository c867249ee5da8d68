#!/usr/bin/env python
"""Search speed on corpora scaled up by scripts/corpus.py, measured in one run against a baseline.

For each size: the full build time, the rebuild time after one changed item, and p50/p95 latency of
keyword, semantic and hybrid searches (with and without filters), in process. The baseline is the
same keyword queries on a SQLite FTS5 table of the same corpus (porter stemming, bm25 with the same
field weights), so the figures are ratios on this machine, not absolute promises.

    .venv/bin/python scripts/bench_search.py                 # 1k and 10k items
    .venv/bin/python scripts/bench_search.py --sizes 1000 10000 100000

The queries are the 106 judged teacher queries. Above --real-embeddings-up-to items (default
10,000) the corpus passages get random unit vectors instead of model embeddings, because embedding
100k passages takes about an hour on this CPU: exact search costs the same whatever the values.
Queries are always embedded by the real model; the output says when corpus vectors are random.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import sqlite3
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import fts5_baseline  # noqa: E402
from corpus import generate  # noqa: E402

from indexer.bundle import location as bundle  # noqa: E402
from indexer.bundle.build import build  # noqa: E402
from indexer.bundle.embeddings import DEFAULT_EMBEDDER, EMBEDDERS, Embedder, make_embedder  # noqa: E402
from nis_library.search import SearchService  # noqa: E402
from nis_library.search import keyword as kw  # noqa: E402
from tests.search_quality import load_judgements  # noqa: E402

FILTERS = {"layer": ["targeted"], "phase": ["primary"]}
WHOOSH_REFERENCE_UP_TO = 10_000


class RandomCorpusEmbedder:
    """Random unit vectors for corpus passages (seeded by the text), under the real model's name,
    so the search service embeds queries with the real model."""

    def __init__(self, real: Embedder):
        self.name, self.dimensions = real.name, real.dimensions

    def embed(self, texts):
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self.dimensions)
            out[i] = v / np.linalg.norm(v)
        return out


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return (
        statistics.median(ordered),
        ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))],
        ordered[-1],
    )


def worst_case_queries(words: list[str], seed: int = 0) -> list[str]:
    """What a search box gets at worst: the 300-character limit filled with one non-word, with fifty
    unknown words, with fifty real words, with the longest stop words; misspellings of real words."""
    rng = random.Random(seed)

    def nonsense(length: int) -> str:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(length))

    out = []
    for _ in range(5):
        out.append(nonsense(300))
        out.append(" ".join(nonsense(5) for _ in range(50))[:300])
        out.append(" ".join(rng.sample(words, 50))[:300])
        out.append(" ".join(rng.choice(["themselves", "ourselves", "yourselves", "between"]) for _ in range(30))[:300])
        typo = " ".join(w[:-2] + w[-1] + w[-2] for w in rng.sample([w for w in words if len(w) > 5], 30))
        out.append(typo[:300])
    return out


def timed(fn, repeat: int = 1) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def bench_size(
    n: int,
    workdir: Path,
    queries: list[str],
    minilm: Embedder,
    real_up_to: int,
    repeat: int,
    reuse: bool,
    whoosh_up_to: int = WHOOSH_REFERENCE_UP_TO,
) -> dict:
    content = workdir / f"content-{n}"
    instance = workdir / f"instance-{n}"
    random_vectors = n > real_up_to
    embedder = RandomCorpusEmbedder(minilm) if random_vectors else minilm
    if reuse and bundle.current_bundle(instance) is not None:  # built by an earlier run: no full build
        generated = sorted((content / "items").rglob("*-1????.md"))
        full = None
        print(f"\n== {n:,} items (corpus and bundle reused from {workdir})", flush=True)
    else:
        started = time.perf_counter()
        generated = generate(ROOT / "content", content, n)
        print(f"\n== {n:,} items (corpus generated in {time.perf_counter() - started:.1f}s)", flush=True)
        full = build(content, instance, source="working", embedder=embedder, full=True)
        print(f"full build: {full.seconds:.1f}s {full.timings}", flush=True)
    edited = generated[len(generated) // 2]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("\nsummary: ", "\nsummary: Edited for the benchmark. ", 1), encoding="utf-8")
    one = build(content, instance, source="working", embedder=embedder)
    print(
        f"rebuild after one changed item: {one.seconds:.2f}s ({one.indexed} indexed, {one.embedded} embedded) "
        f"{one.timings}",
        flush=True,
    )

    service = SearchService(bundle.current_bundle(instance), lambda name: minilm)
    from indexer.record.loading import load_library

    conn = sqlite3.connect(":memory:")
    fts5_baseline.fill(conn, load_library(content))

    results: dict[str, tuple[float, float]] = {}

    def measure(label: str, fn, passes: int = repeat):
        for q in queries:  # warm-up: caches, lazy loads
            fn(q)
        samples = [s for _ in range(passes) for q in queries for s in timed(lambda q=q: fn(q))]
        results[label] = percentiles(samples)

    for mode in ("keyword", "semantic", "hybrid"):  # the whole search(): synonyms, facets, snippets
        for filtered in (False, True):
            filters = FILTERS if filtered else None
            label = f"{mode}{' + filters' if filtered else ''}"
            measure(label, lambda q, m=mode, f=filters: service.search(service.parse(q, f, m, 1, 20)))
    # Semantic and hybrid with the query embedding not cached: the model runs for every query.
    for mode in ("semantic", "hybrid"):

        def uncached(q, m=mode):
            service.embed_query.cache_clear()
            service.search(service.parse(q, None, m, 1, 20))

        measure(f"{mode}, query embedding not cached", uncached)
    measure("query embedding alone (model)", lambda q: minilm.embed([q]))
    vocabulary = sorted(service.spelling.frequencies)
    worst = worst_case_queries(vocabulary)

    def worst_uncached(q):
        service.embed_query.cache_clear()
        service.search(service.parse(q, FILTERS if len(q) % 2 else None, "hybrid", 1, 20))

    samples = [s for _ in range(repeat) for q in worst for s in timed(lambda q=q: worst_uncached(q))]
    results["worst-case queries, hybrid, embedding not cached"] = percentiles(samples)

    def matrix_only(q):
        kq = kw.build_query(service.analyzer, q, service.synonyms.expansions(q))
        scores = service.bm25f.score(kq.weighted_terms)
        top = np.argpartition(-scores, 20)[:20] if len(scores) > 20 else np.arange(len(scores))
        return top[np.argsort(-scores[top])]

    measure("keyword retrieval only (BM25F matrix, top 20)", matrix_only)

    def whoosh_only(q):
        kq = kw.build_query(service.analyzer, q, service.synonyms.expansions(q))
        kq.query and service.searcher.search(kq.query, limit=20)

    if n <= whoosh_up_to:  # minutes per pass beyond this
        measure("keyword retrieval only (Whoosh's own, top 20)", whoosh_only, passes=1)
    measure("FTS5 baseline (top 20)", lambda q: fts5_baseline.search(conn, q))

    base = results["FTS5 baseline (top 20)"][0]
    print(f"{'':50}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'p50 / FTS5':>12}")
    for label, (p50, p95, worst) in results.items():
        print(f"{label:50}{p50:9.2f}{p95:9.2f}{worst:9.2f}{p50 / base:12.1f}")
    if random_vectors:
        print("(corpus vectors are random unit vectors; queries embedded by the real model)")
    return {
        "items": n,
        "full_build_s": full.seconds if full else None,
        "one_change_s": one.seconds,
        "latency": results,
        "random_vectors": random_vectors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--real-embeddings-up-to", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the query set per measurement")
    parser.add_argument("--workdir", type=Path, default=None, help="keep corpora and bundles here")
    parser.add_argument(
        "--reuse", action="store_true", help="with --workdir: measure the bundles an earlier run left there"
    )
    parser.add_argument(
        "--whoosh-reference-up-to",
        type=int,
        default=WHOOSH_REFERENCE_UP_TO,
        help="time Whoosh's own scoring up to this size (0: never; it takes minutes at 10,000)",
    )
    parser.add_argument(
        "--embedder",
        choices=[name for name in EMBEDDERS if name != "hashing"],
        default=DEFAULT_EMBEDDER,
        help=f"the real model's encoder (default: production's, {DEFAULT_EMBEDDER})",
    )
    args = parser.parse_args()

    queries = [q.query for q in load_judgements(ROOT / "tests" / "data" / "judged_queries.yaml")]
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}; {len(queries)} queries × {args.repeat}"
    )
    minilm = make_embedder(args.embedder)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        for n in args.sizes:
            bench_size(
                n,
                args.workdir,
                queries,
                minilm,
                args.real_embeddings_up_to,
                args.repeat,
                args.reuse,
                args.whoosh_reference_up_to,
            )
    else:
        with tempfile.TemporaryDirectory() as tmp:
            for n in args.sizes:
                bench_size(
                    n,
                    Path(tmp),
                    queries,
                    minilm,
                    args.real_embeddings_up_to,
                    args.repeat,
                    False,
                    args.whoosh_reference_up_to,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
