"""The SQLite FTS5 baseline the benchmarks compare search with: the same six fields, porter
stemming, and English stop words dropped from the query as Whoosh's analyzer drops them (otherwise
"the" and "in" match nearly every row and the baseline does needless work).

`fill` builds the table; `search` answers a query; `app(db)` is a minimal WSGI app serving
`/search?q=` from an on-disk table as an HTML list of the top 20 with a snippet and the match count,
for `scripts/bench_http.py` to serve with gunicorn beside the real service:

    gunicorn --chdir scripts 'fts5_baseline:app("/tmp/fts5.db")'
"""

from __future__ import annotations

import html
import re
import sqlite3
from urllib.parse import parse_qs

from whoosh.analysis import STOP_WORDS

from indexer.bundle.keyword_index import FIELD_BOOSTS, TEXT_FIELDS

_WORD = re.compile(r"[A-Za-z0-9]+")
MIN_WORD_CHARS = 2  # Whoosh's StemmingAnalyzer drops shorter tokens too
WEIGHTS = ", ".join(str(FIELD_BOOSTS[f]) for f in TEXT_FIELDS)


def create(conn: sqlite3.Connection) -> None:
    columns = ", ".join(TEXT_FIELDS)
    conn.execute(f"create virtual table if not exists fts using fts5(id unindexed, {columns}, tokenize='porter')")


def fill(conn: sqlite3.Connection, library) -> int:
    """The same text per active item that the keyword index gets; returns the number of rows."""
    from indexer.bundle.documents import search_document

    create(conn)
    rows = []
    for record in library.files:
        if record.item.status != "active":
            continue
        doc = search_document(
            record.item, record.body, library.taxonomy, library.everyday_words.get(record.item.id, ())
        )
        rows.append((doc.id, *(getattr(doc, f) for f in TEXT_FIELDS)))
    conn.executemany(f"insert into fts values ({', '.join('?' * (len(TEXT_FIELDS) + 1))})", rows)
    conn.commit()
    return len(rows)


def match_expression(text: str) -> str | None:
    """The query's words, stop words and one-letter words dropped, ORed; None if nothing is left."""
    words = dict.fromkeys(
        w.lower() for w in _WORD.findall(text) if len(w) >= MIN_WORD_CHARS and w.lower() not in STOP_WORDS
    )
    return " OR ".join(f'"{w}"' for w in words) or None


def search(conn: sqlite3.Connection, text: str, limit: int = 20) -> list[str]:
    match = match_expression(text)
    if match is None:
        return []
    query = f"select id from fts where fts match ? order by bm25(fts, 0, {WEIGHTS}) limit ?"
    return [r[0] for r in conn.execute(query, (match, limit))]


def page(conn: sqlite3.Connection, text: str, limit: int = 20) -> str:
    """What the baseline serves: the match count and the top `limit` with a snippet each."""
    match = match_expression(text)
    if match is None:
        return "<p>0 results</p>"
    total = conn.execute("select count(*) from fts where fts match ?", (match,)).fetchone()[0]
    rows = conn.execute(
        f"select id, title, snippet(fts, -1, '<mark>', '</mark>', '…', 24) from fts where fts match ? "
        f"order by bm25(fts, 0, {WEIGHTS}) limit ?",
        (match, limit),
    )
    items = "".join(f'<li><a href="/items/{html.escape(i)}">{html.escape(t)}</a><p>{s}</p></li>' for i, t, s in rows)
    return f"<p>{total} results</p><ol>{items}</ol>"


def app(db_path: str):
    """A WSGI app serving /search?q= from the FTS5 table in `db_path` (one connection per process)."""
    connection: list[sqlite3.Connection] = []

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") != "/search":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        if not connection:  # opened in the worker, after gunicorn forks
            connection.append(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False))
        text = parse_qs(environ.get("QUERY_STRING", "")).get("q", [""])[0][:300]
        body = f"<!doctype html><title>{html.escape(text)}</title>{page(connection[0], text)}".encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    return wsgi
