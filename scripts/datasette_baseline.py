"""The Datasette baseline `scripts/bench_http.py` compares the service with: the same items in an
SQLite table with an FTS5 index (the same six text fields, porter stemming), served by Datasette's
table page, an HTML page with the match count, the first 20 rows and a count for each value of the
facets the service's search page counts.

The query gets the same analysis as the in-process FTS5 baseline (`fts5_baseline.match_expression`:
stop words and one-letter words dropped, the rest ORed) and is passed with `_searchmode=raw`, so both
baselines match the same rows. Datasette's table page lists the matches in table order, not by
relevance (it has no ranking on that page), which makes its work a little lighter than a ranked list.

`app(db)` is the ASGI app, for gunicorn with uvicorn's worker (`-k uvicorn_worker.UvicornWorker`):

    gunicorn -k uvicorn_worker.UvicornWorker --chdir scripts 'datasette_baseline:app("/tmp/items.db")'

Needs the `bench` extra: `pip install -e '.[bench]' -c constraints.txt`.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fts5_baseline import match_expression

from indexer.bundle.documents import FACETS, facet_values, search_document
from indexer.bundle.keyword_index import TEXT_FIELDS

DATABASE = "library"  # the database's name in Datasette's URLs (the file's stem)
TABLE = "items"
# The service's facets whose item field holds a list: Datasette counts those with `_facet_array`.
ARRAY_FACETS = frozenset({"area", "subcomponent", "layer", "phase", "setting"})
# What each row shows besides its id, as the service's result list does (not the whole body text).
SHOWN_COLUMNS = ("title", "summary")
SETTINGS = {
    "default_page_size": 20,  # the service's page size
    "suggest_facets": False,  # the service suggests none; this would add a query per column
    # High enough that every facet is counted at 10,000 items under load (Datasette drops a facet
    # that takes longer, which would make the baseline's page cheaper than the service's).
    "facet_time_limit_ms": 10_000,
    "sql_time_limit_ms": 10_000,
}


def fill(path: str, library) -> int:
    """The table and its FTS5 index at `path` (a new file named DATABASE.db); returns the rows."""
    import sqlite_utils

    db = sqlite_utils.Database(path)
    rows = []
    for record in library.files:
        if record.item.status != "active":
            continue
        doc = search_document(record.item, record.body, library.taxonomy)
        row = {"id": doc.id} | {f: getattr(doc, f) for f in TEXT_FIELDS}
        for facet in FACETS:
            values = facet_values(record.item, facet)
            row[facet.name] = json.dumps(values) if facet.name in ARRAY_FACETS else values[0]
        rows.append(row)
    db[TABLE].insert_all(rows, pk="id")
    db[TABLE].enable_fts(list(TEXT_FIELDS), tokenize="porter", create_triggers=False)
    db.conn.commit()
    db.conn.execute("vacuum")
    db.close()
    return len(rows)


def search_path(text: str, filters: dict[str, list[str]]) -> str:
    """Datasette's table page for the query and filters, with every facet counted."""
    pairs: list[tuple[str, str]] = [("_search", match_expression(text) or '""'), ("_searchmode", "raw")]
    for name, values in filters.items():
        pairs += [(f"{name}__arraycontains" if name in ARRAY_FACETS else name, v) for v in values]
    pairs += [("_facet_array" if f.name in ARRAY_FACETS else "_facet", f.name) for f in FACETS]
    pairs += [("_col", column) for column in SHOWN_COLUMNS]
    return f"/{DATABASE}/{TABLE}?{urlencode(pairs)}"


def app(db_path: str):
    """Datasette over `db_path`, opened immutable (read-only, and Datasette may cache its counts)."""
    from datasette.app import Datasette

    return Datasette(immutables=[db_path], settings=SETTINGS).app()
