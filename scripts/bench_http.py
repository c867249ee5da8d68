#!/usr/bin/env python
"""Searches per second over HTTP, served the way docs/operating.md tells production to serve, beside two
baselines served from SQLite FTS5 over the same items, each by gunicorn with the same number of
workers, in the same run.

    .venv/bin/python scripts/bench_http.py                      # the shipped content (103 items)
    .venv/bin/python scripts/bench_http.py --items 10000        # a corpus from scripts/corpus.py
    .venv/bin/python scripts/bench_http.py --instance I --content C   # reuse a built bundle
    .venv/bin/python scripts/bench_http.py --baselines fts5     # without Datasette

The service is gunicorn with `nis_library.gunicorn_conf` (workers and thread budget from the
settings), on a free port on 127.0.0.1, against a bundle built with the real model: its search page,
the query embedded, ranked hybrid results, a count for each value of eight facets, GOV.UK markup.

The baselines, both over an FTS5 table of the same six text fields with porter stemming, the query
with English stop words and one-letter words dropped and the rest ORed (the analysis Whoosh applies):
  fts5       `scripts/fts5_baseline.py`, a minimal WSGI app: bm25 with the same field weights, the
             match count and the top 20 with a snippet each, as a bare HTML list. No page, no facets,
             no filters: the cheapest possible answer.
  datasette  `scripts/datasette_baseline.py`, Datasette's table page (ASGI, under gunicorn with
             uvicorn's worker): a full HTML page with the match count, 20 rows (id, title, summary;
             in table order: that page does not rank by relevance)
             and a count for each value of the same eight facets, the filters applied. Needs the
             `bench` extra: pip install -e '.[bench]' -c constraints.txt
Every server gets the same queries, case by case, one after another.

Cases: DIFFERENT searches (every request a query no server has seen: the judged teacher queries
combined with words from the items and sometimes filters, so the model embeds every query) and
REPEATED ones (ten queries in turn), each at 1, 4 and 16 concurrent clients (threads with
http.client), each bounded by --requests and --seconds. Printed per case: searches/s, p50/p95/p99 ms
and errors, and the service's throughput as a ratio of each baseline's. The clients run on the same
machine and take CPU too: read the ratios.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import fts5_baseline  # noqa: E402

from indexer.record.loading import load_library  # noqa: E402
from tests.search_quality import load_judgements  # noqa: E402

FILTER_CHOICES = {"layer": ["universal", "targeted", "targeted-plus"], "phase": ["primary", "secondary"]}
_WORD = re.compile(r"[A-Za-z][a-z]{3,}")


# -- queries ------------------------------------------------------------------------------------


def distinct_queries(library, count: int, seed: int = 0) -> list[tuple[str, dict]]:
    """`count` different (query, filters): a judged teacher query plus one or two words from the
    items' titles and tags, sometimes a typo, sometimes a filter or two."""
    rng = random.Random(seed)
    judged = [q.query for q in load_judgements(ROOT / "tests" / "data" / "judged_queries.yaml")]
    words = sorted(
        {w.lower() for r in library.files for text in (r.item.title, *r.item.tags) for w in _WORD.findall(text)}
    )
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, dict]] = []
    while len(out) < count:
        text = f"{rng.choice(judged)} {' '.join(rng.sample(words, rng.randint(1, 2)))}"
        if rng.random() < 0.1:  # a typo: two neighbouring letters swapped
            i = rng.randrange(1, len(text) - 2)
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        filters = {n: [rng.choice(v)] for n, v in FILTER_CHOICES.items() if rng.random() < 0.3}
        key = (text, json.dumps(filters, sort_keys=True))
        if key not in seen:
            seen.add(key)
            out.append((text, filters))
    return out


def search_path(text: str, filters: dict) -> str:
    pairs = [("q", text)] + [(name, v) for name, values in filters.items() for v in values]
    return "/search?" + urlencode(pairs)


# -- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def start(name: str, args: list[str], env: dict[str, str], log: Path, cwd: Path) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", *args, "--bind", f"127.0.0.1:{port}"]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=cwd, env=os.environ | env, stdout=out, stderr=out)
    return Server(name, port, process, log)


def wait_until_ready(server: Server, path: str, workers: int, marker: str | None, seconds: float = 180) -> None:
    """Until the server answers and every worker has logged `marker` (the end of its warm-up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited:\n{server.log.read_text()}")
        warmed = server.log.read_text().count(marker) if marker else workers
        try:
            if warmed >= workers and get(server.port, path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{server.name} not ready in {seconds}s:\n{server.log.read_text()}")


def get(port: int, path: str, timeout: float = 30) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        conn.close()


# -- load ---------------------------------------------------------------------------------------


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # ms, successful requests
    errors: int = 0
    seconds: float = 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))] if ordered else float("nan")

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def drive(port: int, paths: list[str], clients: int, seconds: float) -> Result:
    """`clients` threads each taking the next path until the paths or the time run out."""
    result, lock = Result(), threading.Lock()
    position = iter(range(len(paths)))
    deadline = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                i = next(position, None)
            if i is None:
                return
            started = time.perf_counter()
            try:
                status, _ = get(port, paths[i])
                ok = status == 200
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    result.latencies.append(elapsed)
                else:
                    result.errors += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    return result


# -- the run ------------------------------------------------------------------------------------


def build_bundle(content: Path, instance: Path) -> Path:
    """A bundle of `content`'s working copies, embedded by the real model as production embeds
    (the EMBEDDER setting's default); returns the instance."""
    from indexer.bundle.build import build
    from nis_library.settings import preview_dir

    target = preview_dir(instance)
    report = build(content, target, source="working")
    print(f"built {report.items} items in {report.seconds:.0f}s", flush=True)
    return target


def migrate_state_store(instance: Path) -> None:
    """The app refuses an un-migrated state store: give the served instance a current one (SQLite)."""
    from nis_library.state.database import engine_for
    from nis_library.state.migrate import upgrade

    engine = engine_for(None, instance)
    upgrade(engine)
    engine.dispose()


BASELINES = ("fts5", "datasette")


def start_baseline(name: str, library, work: Path, workers: int) -> tuple[Server, Callable[[str, dict], str], int]:
    """The baseline `name` filled with `library`'s items and started; how it spells a search; its rows."""
    common = ["--workers", str(workers), "--no-control-socket", "--chdir", str(ROOT / "scripts")]
    if name == "fts5":
        db = work / "fts5.db"
        with sqlite3.connect(db) as conn:
            rows = fts5_baseline.fill(conn, library)
        server = start(
            "fts5", [*common, f"fts5_baseline:app({str(db)!r})"], {"PYTHONPATH": str(ROOT)}, work / "fts5.log", ROOT
        )
        return server, search_path, rows
    try:
        import datasette  # noqa: F401
        import uvicorn_worker  # noqa: F401
    except ImportError:
        raise SystemExit(
            "the datasette baseline needs the bench extra: pip install -e '.[bench]' -c constraints.txt "
            "(or run with --baselines fts5)"
        ) from None
    import datasette_baseline

    db = work / f"{datasette_baseline.DATABASE}.db"
    rows = datasette_baseline.fill(str(db), library)
    server = start(
        "datasette",
        [*common, "-k", "uvicorn_worker.UvicornWorker", f"datasette_baseline:app({str(db)!r})"],
        {"PYTHONPATH": str(ROOT)},
        work / "datasette.log",
        ROOT,
    )
    return server, datasette_baseline.search_path, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=0, help="generate a corpus of N items (default: shipped)")
    parser.add_argument("--content", type=Path, help="the content the --instance bundle was built from")
    parser.add_argument("--instance", type=Path, help="serve this instance's built bundle (no build)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for every server")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--requests", type=int, default=600, help="at most this many requests per case")
    parser.add_argument("--seconds", type=float, default=30, help="and at most this long per case")
    parser.add_argument(
        "--baselines", nargs="+", choices=BASELINES, default=list(BASELINES), help="which baselines (default: both)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--service-code",
        type=Path,
        default=ROOT,
        help="serve another checkout's code (e.g. before a change), with --workers on the command line",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.instance:
            content, instance = args.content or ROOT / "content", args.instance
        elif args.items:
            from corpus import generate

            content = work / "content"
            generate(ROOT / "content", content, args.items)
            instance = build_bundle(content, work / "instance")
        else:
            content = ROOT / "content"
            instance = build_bundle(content, work / "instance")
        library = load_library(content)

        cases = [(kind, clients) for kind in ("different", "repeated") for clients in args.clients]
        queries = distinct_queries(library, args.requests * len(args.clients) + 200, seed=1)
        repeated, fresh = queries[:10], iter(queries[10:])

        code = args.service_code.resolve()
        migrate_state_store(instance)
        # Every request comes from one address here: the per-address search limit would refuse most.
        env = {
            "NIS_INSTANCE_DIR": str(instance),
            "NIS_WORKERS": str(args.workers),
            "NIS_SEARCH_ADDRESS_LIMIT": "0",
            "PYTHONPATH": str(code),
        }
        service_args = ["-c", "python:nis_library.gunicorn_conf", "nis_library:create_app()"]
        if code != ROOT:  # its gunicorn_conf may not size the workers
            service_args += ["--workers", str(args.workers), "--no-control-socket"]
        servers = {"service": (start("service", service_args, env, work / "service.log", code), search_path)}
        try:
            rows = {}
            for name in args.baselines:
                server, spell, rows[name] = start_baseline(name, library, work, args.workers)
                servers[name] = (server, spell)
            for name, (server, spell) in servers.items():
                marker = "compute threads:" if name == "service" and code == ROOT else None
                wait_until_ready(server, spell("warm", {}), args.workers, marker)
            if code != ROOT:
                time.sleep(10)  # its workers log nothing when warm: give each time to load the model
            service = servers["service"][0]
            budget = sorted(set(re.findall(r"compute threads: (.*)", service.log.read_text()))) or ["no budget"]
            load = os.getloadavg()
            print(
                f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
                f"{' / '.join(f'{n} {r} items' for n, r in rows.items())}; {args.workers} workers each; "
                f"service code {code}, {budget}; load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
                flush=True,
            )
            for server, spell in servers.values():  # warm-up, not counted: caches, lazy imports
                drive(server.port, [spell(t, f) for t, f in repeated] * 2, 2, 30)
            results = []
            ratio_heads = "".join(f"{'vs ' + n:>14}" for n in args.baselines)
            print(
                f"{'case':<22}{'server':<11}{'searches/s':>11}{'p50':>8}{'p95':>8}{'p99':>8}{'errors':>8}{ratio_heads}"
            )
            for kind, clients in cases:
                if kind == "different":
                    chosen = [next(fresh) for _ in range(args.requests)]
                else:
                    chosen = (repeated * (args.requests // len(repeated) + 1))[: args.requests]
                measured = {
                    name: drive(server.port, [spell(t, f) for t, f in chosen], clients, args.seconds)
                    for name, (server, spell) in servers.items()
                }
                ratios = {
                    n: measured["service"].rate / measured[n].rate if measured[n].rate else float("nan")
                    for n in args.baselines
                }
                for name, r in measured.items():
                    print(
                        f"{kind + ', ' + str(clients) + ' clients':<22}{name:<11}{r.rate:11.1f}{r.percentile(0.5):8.1f}"
                        f"{r.percentile(0.95):8.1f}{r.percentile(0.99):8.1f}{r.errors:8d}"
                        + ("".join(f"{ratios[n]:14.2f}" for n in args.baselines) if name == "service" else ""),
                        flush=True,
                    )
                    results.append(
                        {
                            "case": kind,
                            "clients": clients,
                            "server": name,
                            "requests": len(r.latencies),
                            "searches_per_s": r.rate,
                            "p50_ms": r.percentile(0.5),
                            "p95_ms": r.percentile(0.95),
                            "p99_ms": r.percentile(0.99),
                            "errors": r.errors,
                        }
                        | ({f"ratio_vs_{n}": ratios[n] for n in args.baselines} if name == "service" else {})
                    )
            load = os.getloadavg()
            print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
            if args.json:
                args.json.write_text(json.dumps(results, indent=2))
        finally:
            for server, _ in servers.values():
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
