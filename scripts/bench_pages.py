#!/usr/bin/env python
"""How long the pages take to draw, in process, against a baseline checkout measured in the same run.

Renders, through Flask's test client over the shipped content built with the stand-in (hashing)
embedder: the search page for many distinct new queries (each seen once by the process), the same
query repeated, the htmx fragment for new queries, new queries with a filter, the item pages and
the area pages. Reports p50/p95 ms per page and the ratio of p50s against the baseline code.

    .venv/bin/python scripts/bench_pages.py                    # this tree against merge-base(HEAD, main)
    .venv/bin/python scripts/bench_pages.py --baseline main --rounds 5
    .venv/bin/python scripts/bench_pages.py --profile [--baseline REV]   # where the search page spends its time

Each side runs in its own fresh subprocess (so "new" queries are new to it), the two alternating
for --rounds rounds so that load from other work on the machine falls on both alike; the samples
of all rounds are pooled. The baseline is the given git revision, extracted with `git archive`
into a temporary folder. Read the ratios: the milliseconds depend on the machine's load, which is
printed before and after.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_UP_QUERIES = ("warm up the templates", "settle", "first request")
REPEATED_QUERY = "noise"
FILTERED = {"layer": "targeted"}


def new_queries(root: Path, count: int) -> list[str]:
    """Distinct teacher queries: the judged ones, then pairs of their words until there are enough."""
    import yaml

    judged = [q["query"] for q in yaml.safe_load((root / "tests/data/judged_queries.yaml").read_text())]
    words = sorted({w.lower() for q in judged for w in q.split() if len(w) > 4 and w.isalpha()})
    pairs = (" ".join(p) for p in itertools.combinations(words, 2))
    queries = list(dict.fromkeys(judged))
    return (queries + [p for p in pairs if p not in queries])[:count]


# -- the worker: one process, one code tree --------------------------------------------------------


def worker(code: Path, instance: Path, queries: list[str], repeats: int) -> dict[str, list[float]]:
    sys.path.insert(0, str(code))
    import nis_library
    from nis_library import create_app
    from nis_library.search import views

    if not Path(nis_library.__file__).resolve().is_relative_to(code.resolve()):
        raise SystemExit(f"imported {nis_library.__file__}, not the code under {code}")
    searching: list[float] = []  # time inside search() itself, for the share the templates take
    real_search = views.search

    def timed_search(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real_search(*args, **kwargs)
        finally:
            searching.append(time.perf_counter() - start)

    views.search = timed_search
    client = create_app({"INSTANCE_DIR": str(instance), "TESTING": True, "SEARCH_ADDRESS_LIMIT": 0}).test_client()
    for query in WARM_UP_QUERIES:
        check(client.get("/search", query_string={"q": query}))
    check(client.get("/search", query_string={"q": REPEATED_QUERY}))
    half = len(queries) // 2
    htmx = {"HX-Request": "true"}
    ids = item_ids(instance)
    runs = {
        "search, new query": [("/search", {"q": q}, {}) for q in queries[:half]],
        "search, repeated query": [("/search", {"q": REPEATED_QUERY}, {})] * repeats,
        "search fragment (htmx), new query": [("/search", {"q": q}, htmx) for q in queries[half:]],
        "search, new query + filter": [("/search", {"q": q + " class", **FILTERED}, {}) for q in queries[:half]],
        "item page": [(f"/items/{i}", {}, {}) for i in ids],
        "area page": [(f"/areas/{a}", {}, {}) for a in AREAS] * 20,
    }
    times: dict[str, list[float]] = {}
    for name, requests in runs.items():
        searching.clear()
        page = []
        for path, args, headers in requests:
            start = time.perf_counter()
            check(client.get(path, query_string=args, headers=headers))
            page.append(time.perf_counter() - start)
        times[name] = page
        if searching:
            times[name + " [search() alone]"] = list(searching)
    return times


AREAS = ("executive-function", "motor-physical", "sensory", "social-emotional", "speech-language-communication")


def item_ids(instance: Path) -> list[str]:
    import sqlite3

    from indexer.bundle import location

    db = sqlite3.connect(location.current_bundle(instance) / location.DB_NAME)
    try:
        return [row[0] for row in db.execute("select id from items where status = 'active' order by id")]
    finally:
        db.close()


def check(response):
    if response.status_code != 200:
        raise SystemExit(f"{response.request.url}: {response.status}")
    return response


# -- the driver ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="git revision to compare with (default: merge-base of HEAD and main)")
    parser.add_argument("--queries", type=int, default=400, help="distinct new queries (half full pages, half htmx)")
    parser.add_argument("--repeats", type=int, default=200, help="renders of the repeated query")
    parser.add_argument("--rounds", type=int, default=3, help="alternating baseline/this-tree runs")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the search page for new queries: this tree's, or --baseline's"
    )
    parser.add_argument("--worker", nargs=2, metavar=("CODE", "INSTANCE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    queries = new_queries(ROOT, args.queries)
    if args.worker:
        code, instance = map(Path, args.worker)
        if args.profile:
            profile(code, instance, queries)
        else:
            print(json.dumps(worker(code, instance, queries, args.repeats)))
        return
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
            code = extract(args.baseline, Path(tmp)) if args.baseline else ROOT
            print(run_worker(code, build_instance(Path(tmp)), args, profile=True))
        return

    revision = args.baseline or git("merge-base", "HEAD", "main")
    print(f"load before: {load()}")
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        baseline = extract(revision, Path(tmp))
        instance = build_instance(Path(tmp))
        trees = {"baseline": baseline, "this tree": ROOT}
        pooled: dict[str, dict[str, list[float]]] = {side: {} for side in trees}
        for _ in range(args.rounds):
            for side, code in trees.items():
                for name, samples in run_worker(code, instance, args).items():
                    pooled[side].setdefault(name, []).extend(samples)
    print(f"load after:  {load()}")
    head = git("rev-parse", "--short", "HEAD") + (" (+ uncommitted changes)" if git("status", "--porcelain") else "")
    print(f"baseline {git('rev-parse', '--short', revision)}, this tree {head}; {args.rounds} rounds, pooled\n")
    print(report(pooled))


def extract(revision: str, tmp: Path) -> Path:
    """The code at a git revision, in a folder of its own."""
    code = tmp / "baseline"
    code.mkdir()
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
    return code


def build_instance(tmp: Path) -> Path:
    """The shipped content, built with the stand-in embedder, as the page tests build it."""
    sys.path.insert(0, str(ROOT))
    from indexer.bundle.build import build
    from indexer.bundle.embeddings import HashingEmbedder
    from nis_library.state.database import engine_for
    from nis_library.state.migrate import upgrade

    build(ROOT / "content", tmp / "instance", embedder=HashingEmbedder())
    engine = engine_for(None, tmp / "instance")  # the app refuses an un-migrated state store
    upgrade(engine)
    engine.dispose()
    return tmp / "instance"


def profile(code: Path, instance: Path, queries: list[str]) -> None:
    import cProfile
    import pstats

    sys.path.insert(0, str(code))
    from nis_library import create_app

    client = create_app({"INSTANCE_DIR": str(instance), "TESTING": True, "SEARCH_ADDRESS_LIMIT": 0}).test_client()
    for query in WARM_UP_QUERIES:
        check(client.get("/search", query_string={"q": query}))
    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries:
        check(client.get("/search", query_string={"q": query}))
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(
        r"search_page|\(render_template\)|\(search\)|\(snippet\)|snippets.py|/templates/|checkboxes/macro.html|url_for",
        40,
    )


def run_worker(code: Path, instance: Path, args, profile: bool = False):
    """One fresh process on the given code: its timings, or with profile its cProfile report."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(code), str(instance)]
    command += ["--queries", str(args.queries), "--repeats", str(args.repeats)] + (["--profile"] if profile else [])
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run(command, cwd=code, env=env, check=True, capture_output=True, text=True).stdout
    return out if profile else json.loads(out)


def report(pooled: dict[str, dict[str, list[float]]]) -> str:
    lines = [
        "| page | n | baseline p50 ms | baseline p95 ms | this tree p50 ms | this tree p95 ms | p50 ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, new in pooled["this tree"].items():
        old = pooled["baseline"][name]
        (o50, o95), (n50, n95) = percentiles(old), percentiles(new)
        lines.append(f"| {name} | {len(new)} | {o50:.2f} | {o95:.2f} | {n50:.2f} | {n95:.2f} | {n50 / o50:.2f} |")
    return "\n".join(lines)


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles([s * 1000 for s in samples], n=100, method="inclusive")
    return cuts[49], cuts[94]


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    main()
