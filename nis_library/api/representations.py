"""What the API's answers hold: items, versions, search results, editions, as plain JSON-ready dicts.
Every address in them is absolute, built from `root` (the configured public address), so a link an
ISP system stores is the one the public reaches. Plain functions; no Flask."""

from __future__ import annotations

from markupsafe import escape

from nis_library.catalogue import PublishedItem
from nis_library.governance.register import Entry
from nis_library.history.published_history import EditionDetail, EditionSummary, VersionDetail, VersionSummary
from nis_library.rating_account import RatingAccount
from nis_library.search.results import SearchResults, Snippet
from nis_library.web import addresses

API = addresses.API


def item_links(root: str, item_id: str, replaced_by: str | None) -> dict:
    return {
        "latest": addresses.api_item(item_id, root),
        "history": addresses.history_page(item_id, root),
        "replaced_by": addresses.api_item(replaced_by, root) if replaced_by else None,
    }


def version(root: str, detail: VersionDetail, rating: RatingAccount | None = None) -> dict:
    """One version as published. Nothing here changes once it is published (not even whether a later
    version superseded it), so its address may be cached for ever: its rating is accounted for from
    the source records frozen with it (`rating`; null for a version from before the register)."""
    v = detail.summary
    replaced_by = detail.data.get("replaced_by")
    return version_summary(root, v) | {
        "publication": v.publication,
        "edition": v.edition,
        "published": v.date,
        "implements": list(v.implements),
        "data": detail.data,
        "rating": rating.document(root) if rating else None,
        "sections": [{"heading": s.heading, "anchor": s.anchor, "html": str(s.html)} for s in detail.sections],
        "links": {"self": addresses.api_version(v.id, v.number, root), **item_links(root, v.id, replaced_by)},
    }


def listed_item(root: str, item: PublishedItem) -> dict:
    s = item.summary
    return {
        "id": s.id,
        "version": item.version,
        "uri": addresses.version_page(s.id, item.version, root),
        "title": s.title,
        "kind": s.kind,
        "summary": s.summary,
        "status": item.status,
        "edition": item.edition,
        "published": item.published,
        "links": {
            "self": addresses.api_item(s.id, root),
            "version": addresses.api_version(s.id, item.version, root),
            "history": addresses.history_page(s.id, root),
        },
    }


def version_summary(root: str, v: VersionSummary) -> dict:
    return {
        "id": v.id,
        "version": v.number,
        "uri": root + v.path,
        "title": v.title,
        "kind": v.kind,
        "status": v.status,
        "change_class": v.change_class,
        "change_note": v.change_note,
        "links": {"self": addresses.api_version(v.id, v.number, root), "latest": addresses.api_item(v.id, root)},
    }


def search_results(root: str, results: SearchResults) -> dict:
    return {
        "query": results.query,
        "mode": results.mode,
        "filters": {name: list(values) for name, values in results.filters.items()},
        "total": results.total,
        "related": results.related,
        "page": results.page,
        "pages": results.pages,
        "per_page": results.per_page,
        "results": [
            {
                "rank": hit.rank,
                "id": hit.id,
                "title": hit.title,
                "kind": hit.kind,
                "summary": hit.summary,
                "layers": list(hit.layers),
                "areas": list(hit.areas),
                "evidence": hit.evidence,
                "evidence_shows": hit.shows or None,
                "cost": hit.cost,
                "sample": hit.sample,
                "snippet": _snippet_html(hit.snippet),
                "snippet_text": hit.snippet.text,
                "snippet_highlights": [list(span) for span in hit.snippet.highlights],
                "matched_by": list(hit.matched_by),
                "matched_words": list(hit.matched_words),
                "match": not hit.related,
                "why": hit.why,
                "links": {"self": addresses.api_item(hit.id, root), "html": addresses.item_page(hit.id, root)},
            }
            for hit in results.hits
        ],
        "facets": [
            {
                "name": facet.name,
                "label": facet.label,
                "values": [
                    {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected} for v in facet.values
                ],
            }
            for facet in results.facets
        ],
        "did_you_mean": results.did_you_mean,
        "expanded_with": list(results.expanded_with),
        "messages": list(results.messages),
        "missing_words": list(results.missing_words),
        "out_of_scope": [topic.model_dump(mode="json", by_alias=True) for topic in results.out_of_scope],
    }


def edition_summary(root: str, e: EditionSummary) -> dict:
    return {
        "publication": e.publication,
        "edition": e.edition,
        "published": e.date,
        "review": e.review,
        "release_notes": e.release_notes,
        "previous": e.previous,
        "item_count": e.item_count,
        "uri": root + e.path,
        "links": {"self": f"{root}{API}/editions/{e.publication}/{e.edition}"},
    }


def edition(root: str, detail: EditionDetail) -> dict:
    return {
        **edition_summary(root, detail.summary),
        "substantive": [version_summary(root, v) for v in detail.substantive],
        "editorial": [version_summary(root, v) for v in detail.editorial],
        "contents": [
            {"id": item_id, "version": n, "title": title, "uri": addresses.version_page(item_id, n, root)}
            for item_id, n, title in detail.contents
        ],
    }


def recommendation(root: str, entry: Entry) -> dict:
    """As the register's JSON export has it, with the API's own address."""
    return {
        **entry.as_dict(root),
        "links": {"self": f"{root}{API}/recommendations/{entry.id}", "html": root + entry.path},
    }


def change(root: str, v: VersionSummary) -> dict:
    """One published version as `changes` lists it."""
    return {
        "id": v.id,
        "version": v.number,
        "title": v.title,
        "kind": v.kind,
        "publication": v.publication,
        "edition": v.edition,
        "published": v.date,
        "change_class": v.change_class,
        "change_note": v.change_note,
        "implements": list(v.implements),
        "status": v.status,
        "url": root + v.path,
        "api_url": addresses.api_version(v.id, v.number, root),
        "latest_url": addresses.item_page(v.id, root),
    }


def _snippet_html(snippet: Snippet) -> str:
    """The snippet as HTML, its matched words in <mark>: API 1.0's `snippet`, kept within v1 for the
    clients that show it (deprecated in 1.2.0 for `snippet_text` and `snippet_highlights`)."""
    return "".join(
        f"<mark>{escape(text)}</mark>" if matched else str(escape(text)) for text, matched in snippet.pieces()
    )
