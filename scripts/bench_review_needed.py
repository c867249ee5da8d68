#!/usr/bin/env python
"""How fast the ISP links API lists the links that need review (`GET /api/v1/isp-links?status=review-needed`),
the SQL way against the old way, measured in the same run on SQLite and on PostgreSQL.

    .venv/bin/python scripts/bench_review_needed.py
    .venv/bin/python scripts/bench_review_needed.py --sizes 1000,10000 --repeats 5 --backend sqlite

Two ways of reading a page of 100 links that need review, each as the view does it for one request:

- SQL (the view now): `links.review_needed_page`, one range of the partial index of the links
  flagged `needs_review` (which `served.record` sets when a build makes new versions current), then
  the page's items' histories (`served.histories`).
- baseline (the view before): the client's links in `seq` order, 101 at a time, with their items'
  histories, kept when `links.review_notice` says they need review, until the page is full or the
  links run out (`old_way` below).

For each size N, a database holds ~400 items (1 to 4 versions; about 5% with a later substantive
revision) and two clients of N links each, added plan by plan in turn, so each client's links are
spread through the table. One client has exactly 20 links needing review (the issue's case), the
other 2% of its links; each is measured in turn, the other being the neighbour the query must skip.
The flagged links are spread evenly over the client's links, the last being its newest link, so the
old way has to read them all. Both ways must return the same links before anything is timed.

Per client, the time for the first page and for every page (following the cursor, one connection
per request as the view has) is measured --repeats times, baseline and SQL alternating so that load
from other work falls on both alike, and reported as medians with their ratio. The data are seeded,
so every run measures the same links. The milliseconds depend on the machine and its load (printed
before and after): read the ratios. The query plan of the SQL way is printed once per backend, at
the largest size (on PostgreSQL, EXPLAIN ANALYZE after an ANALYZE, as autovacuum would leave it;
SQLite gets no ANALYZE, as the service never runs one).

PostgreSQL is a throwaway cluster of Debian's binaries (tests/state/postgres_cluster.py), removed
at the end; without them only SQLite is measured.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, event, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nis_library.isp_links import clients, links, served  # noqa: E402
from nis_library.isp_links.versions import VersionFacts  # noqa: E402
from nis_library.state.database import make_engine  # noqa: E402
from nis_library.state.migrate import upgrade  # noqa: E402
from nis_library.state.schema import isp_links  # noqa: E402
from tests.state.postgres_cluster import Cluster, find_binaries  # noqa: E402

SEED = 20250901
ITEM_COUNT = 400
REVISED_SHARE = 0.05  # items with a substantive revision after their first version
PLAN_SIZE = 5  # links per ISP plan (one isp_ref), each to a different item
LIMIT = 100  # the API's default page size
FEW_FLAGGED = 20  # the case
FLAGGED_SHARE = 0.02
CREATED_FROM = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)

Page = tuple[list[links.Link], bool]  # a page of links, and whether there is another
Way = Callable[[Connection, int, int], Page]


# -- the data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Items:
    histories: dict[str, list[VersionFacts]]
    revised: list[str]  # items whose links pinned before `review_from` need review

    def latest(self, item_id: str) -> int:
        return self.histories[item_id][-1].number

    def review_from(self, item_id: str) -> int:
        return max(v.number for v in self.histories[item_id] if v.flags_review)


@dataclass(frozen=True)
class Scenario:
    name: str
    client_id: int
    flagged: int
    share: float | None = None  # of the client's links, when that is how `flagged` was chosen


def make_items(rng: random.Random) -> Items:
    """ITEM_COUNT items of 1 to 4 versions. A first version is substantive (as `nis build` records
    it); later ones are editorial, but for about 5% of the items one later version is substantive."""
    counts = {f"INT-{n:04d}": rng.randint(1, 4) for n in range(1, ITEM_COUNT + 1)}
    revised = sorted(rng.sample([i for i, c in counts.items() if c > 1], round(ITEM_COUNT * REVISED_SHARE)))
    revised_at = {item_id: rng.randint(2, counts[item_id]) for item_id in revised}
    histories = {
        item_id: [
            version(item_id, n, "substantive" if n in (1, revised_at.get(item_id)) else "editorial")
            for n in range(1, count + 1)
        ]
        for item_id, count in counts.items()
    }
    return Items(histories, revised)


def version(item_id: str, number: int, change_class: str) -> VersionFacts:
    return VersionFacts(item_id, number, f"{item_id} title", change_class, f"What changed in {number}.", "active", None)


def token(rng: random.Random, size: int) -> str:
    """What `secrets.token_urlsafe(size)` makes, from the seeded generator."""
    return base64.urlsafe_b64encode(rng.randbytes(size)).rstrip(b"=").decode()


def client_links(rng: random.Random, items: Items, client_id: int, count: int, flagged: int) -> list[dict]:
    """`count` link rows, exactly `flagged` of them pinned before their item's `review_from`: spread
    evenly over the client's links, the last one being its newest."""
    flagged_at = {(k + 1) * count // flagged - 1 for k in range(flagged)}
    everything = list(items.histories)
    rows = []
    for plan_start in range(0, count, PLAN_SIZE):
        isp_ref, in_plan = token(rng, 12), set()  # 16 characters
        for position in range(plan_start, min(plan_start + PLAN_SIZE, count)):
            if position in flagged_at:
                item_id = rng.choice([i for i in items.revised if i not in in_plan])
                pinned = rng.randint(1, items.review_from(item_id) - 1)
            else:
                item_id = rng.choice(everything)
                while item_id in in_plan:  # a plan links an item once
                    item_id = rng.choice(everything)
                pinned = rng.randint(items.review_from(item_id), items.latest(item_id))
            in_plan.add(item_id)
            rows.append(
                dict(
                    id=links.LINK_ID_PREFIX + token(rng, 16),
                    client_id=client_id,
                    isp_ref=isp_ref,
                    item_id=item_id,
                    version=pinned,
                    notified_through=items.latest(item_id),  # webhooks already sent: not what is measured
                    acknowledged_at=None,
                )
            )
    return rows


def plan_by_plan(*clients_rows: list[dict]) -> Iterator[dict]:
    """The clients' rows in the order two ISP systems adding plans at the same time would write them."""
    longest = max(len(rows) for rows in clients_rows)
    for start in range(0, longest, PLAN_SIZE):
        for rows in clients_rows:
            yield from rows[start : start + PLAN_SIZE]


def fill(engine: Engine, items: Items, size: int, rng: random.Random) -> list[Scenario]:
    """A migrated database with the items served and two clients of `size` links each."""
    upgrade(engine)
    with engine.begin() as conn:
        few, _ = clients.add(conn, "Few flagged", actor="bench")
        share, _ = clients.add(conn, "Two percent flagged", actor="bench")
        scenarios = [
            Scenario(f"{FEW_FLAGGED} flagged", few.id, FEW_FLAGGED),
            Scenario(f"{FLAGGED_SHARE:.0%} flagged", share.id, round(size * FLAGGED_SHARE), FLAGGED_SHARE),
        ]
        rows = plan_by_plan(*(client_links(rng, items, s.client_id, size, s.flagged) for s in scenarios))
        stamped = [row | {"created_at": CREATED_FROM + dt.timedelta(minutes=n)} for n, row in enumerate(rows)]
        conn.execute(isp_links.insert(), stamped)  # one executemany: the seq follows the list
        served.record(conn, items.histories)  # as the build that serves the items does: flags the links
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))  # the statistics autovacuum would gather after such a load
    return scenarios


# -- the two ways -----------------------------------------------------------------------------------


def sql_way(conn: Connection, client_id: int, after: int) -> Page:
    """A review-needed page as the view reads it now: one SQL query, then the page's histories."""
    found = links.review_needed_page(conn, client_id, after, LIMIT + 1)
    page = found[:LIMIT]
    served.histories(conn, {link.item_id for link in page})
    return page, len(found) > LIMIT


def old_way(conn: Connection, client_id: int, after: int) -> Page:
    """The baseline: a review-needed page as the view read it before `links.review_needed_page`.
    The client's links in `seq` order, a batch of LIMIT + 1 at a time with their items' histories,
    kept when `links.review_notice` finds a change to review, until LIMIT + 1 are kept (a full
    page, and one more to know there is a next) or the links run out."""
    kept: list[links.Link] = []
    while len(kept) <= LIMIT:
        batch = links.page(conn, client_id, after, LIMIT + 1)
        histories = served.histories(conn, {link.item_id for link in batch})
        kept += [link for link in batch if links.review_notice(link, histories) is not None]
        if len(batch) <= LIMIT:
            break
        after = batch[-1].seq
    return kept[:LIMIT], len(kept) > LIMIT


WAYS: dict[str, Way] = {"baseline": old_way, "SQL": sql_way}


def first_page(engine: Engine, way: Way, client_id: int) -> list[links.Link]:
    with engine.connect() as conn:
        return way(conn, client_id, 0)[0]


def every_page(engine: Engine, way: Way, client_id: int) -> list[links.Link]:
    """Every flagged link, a request per page, following the cursor as a client would."""
    found, after, more = [], 0, True
    while more:
        with engine.connect() as conn:
            page, more = way(conn, client_id, after)
        found += page
        after = page[-1].seq if page else after
    return found


TASKS = {"first page": first_page, "all flagged": every_page}


# -- measuring --------------------------------------------------------------------------------------


def check_agreement(engine: Engine, scenario: Scenario) -> None:
    """Both ways find the same links, as many as were made to need review (and the caches are warm)."""
    found = {name: [link.id for link in every_page(engine, way, scenario.client_id)] for name, way in WAYS.items()}
    if found["baseline"] != found["SQL"] or len(found["SQL"]) != scenario.flagged:
        counts = {name: len(ids) for name, ids in found.items()}
        raise SystemExit(f"the ways disagree for {scenario.name}: {counts}, {scenario.flagged} made")


def milliseconds(task, engine: Engine, way: Way, client_id: int) -> float:
    start = time.perf_counter()
    task(engine, way, client_id)
    return (time.perf_counter() - start) * 1000


def measure(engine: Engine, scenario: Scenario, repeats: int) -> dict[tuple[str, str], float]:
    """(task, way) -> median ms; the ways take turns in every round."""
    samples: dict[tuple[str, str], list[float]] = defaultdict(list)
    for _ in range(repeats):
        for task_name, task in TASKS.items():
            for way_name, way in WAYS.items():
                samples[task_name, way_name].append(milliseconds(task, engine, way, scenario.client_id))
    return {key: statistics.median(values) for key, values in samples.items()}


def sent_statement(engine: Engine, client_id: int) -> tuple[str, object]:
    """The SQL `links.review_needed_page` sends for a first page, with its parameters, as the driver
    gets them: the plan printed is that of the library's own query."""
    sent = []

    def keep(_conn, _cursor, statement, parameters, _context, _executemany):
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with engine.connect() as conn:
            links.review_needed_page(conn, client_id, 0, LIMIT + 1)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return sent[-1]


def query_plan(engine: Engine, client_id: int) -> str:
    statement, parameters = sent_statement(engine, client_id)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            plan = [row[0] for row in rows]
        else:
            depth = {0: -1}  # SQLite gives each step's parent: indent by it
            plan = []
            for step, parent, _, detail in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters):
                depth[step] = depth.get(parent, -1) + 1
                plan.append("  " * depth[step] + detail)
    return "\n".join([statement.strip(), "", *plan])


# -- the backends -----------------------------------------------------------------------------------


@dataclass
class Backend:
    name: str
    url_for: Callable[[int], str]  # a new, empty database for one size
    version: str


def sqlite_backend(tmp: Path) -> Backend:
    return Backend("SQLite", lambda size: f"sqlite:///{tmp / f'state-{size}.db'}", sqlite3.sqlite_version)


def postgresql_backend(cluster: Cluster) -> Backend:
    engine = make_engine(cluster.url("postgres"))
    with engine.connect() as conn:
        server = conn.execute(text("SHOW server_version")).scalar_one()
    engine.dispose()
    return Backend("PostgreSQL", lambda size: cluster.create_database(f"bench_{size}"), server)


@dataclass(frozen=True)
class Row:
    backend: str
    size: int
    scenario: Scenario
    medians: dict[tuple[str, str], float]


def run_backend(backend: Backend, sizes: list[int], repeats: int, items: Items) -> tuple[list[Row], str]:
    """Every size measured on one backend; the rows, and the query plan at the largest size."""
    rows, plan = [], ""
    for size in sizes:
        engine = make_engine(backend.url_for(size))
        try:
            started = time.perf_counter()
            scenarios = fill(engine, items, size, random.Random(f"{SEED}-{size}"))
            progress(f"{backend.name}, {size:,} links a client: filled in {time.perf_counter() - started:.1f} s")
            for scenario in scenarios:
                check_agreement(engine, scenario)
                rows.append(Row(backend.name, size, scenario, measure(engine, scenario, repeats)))
                progress(f"  {scenario.name}: measured")
            if size == max(sizes):
                plan = query_plan(engine, scenarios[0].client_id)
        finally:
            engine.dispose()
    return rows, plan


# -- the report -------------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    lines = [
        "| backend | links | flagged | first page: baseline ms | first page: SQL ms | ratio "
        "| all flagged: baseline ms | all flagged: SQL ms | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        share = f" ({row.scenario.share:.0%})" if row.scenario.share else ""
        cells = [row.backend, f"{row.size:,}", f"{row.scenario.flagged:,}{share}"]
        for task in TASKS:
            old, new = row.medians[task, "baseline"], row.medians[task, "SQL"]
            cells += [f"{old:.2f}", f"{new:.2f}", f"{old / new:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def sizes_list(value: str) -> list[int]:
    return [int(size.replace("_", "")) for size in value.split(",") if size.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes", type=sizes_list, default=[1000, 10000, 50000], help="links a client, e.g. 1000,10000"
    )
    parser.add_argument("--repeats", type=int, default=7, help="measurements of each way; the median is reported")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()

    started = time.perf_counter()
    print(f"load before: {load()}")
    items = make_items(random.Random(SEED))
    results: list[Row] = []
    plans: dict[str, str] = {}
    versions: list[str] = []
    binaries = find_binaries() if args.backend != "sqlite" else None
    if args.backend != "sqlite" and binaries is None:
        print("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): measuring SQLite only")
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        backends = [sqlite_backend(Path(tmp))] if args.backend != "postgresql" or binaries is None else []
        cluster = Cluster(binaries) if binaries else None
        try:
            if cluster:
                cluster.start()
                backends.append(postgresql_backend(cluster))
            for backend in backends:
                rows, plans[backend.name] = run_backend(backend, args.sizes, args.repeats, items)
                results += rows
                versions.append(f"{backend.name} {backend.version}")
        finally:
            if cluster:
                cluster.stop()
    print(f"load after:  {load()}")
    revised = len(items.revised)
    print(
        f"{', '.join(versions)}; {ITEM_COUNT} items ({revised} revised since their first version); two clients "
        f"of N links each; pages of {LIMIT}; median of {args.repeats}; took {time.perf_counter() - started:.0f} s\n"
    )
    print(table(results))
    print("\nratio: baseline ms ÷ SQL ms (above 1: the SQL query is faster).")
    for name, plan in plans.items():
        title = "EXPLAIN (ANALYZE, BUFFERS)" if name == "PostgreSQL" else "EXPLAIN QUERY PLAN"
        print(f"\n{name}, {title} of a first page, {FEW_FLAGGED} flagged, {max(args.sizes):,} links:\n")
        print(f"```\n{plan}\n```")


if __name__ == "__main__":
    main()
