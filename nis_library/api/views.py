"""The JSON API (`/api/v1`), for settings' ISP systems, and its page (`/api`). The contract is
`openapi.yaml`, served at `/api/v1/openapi.yaml` and laid out as the page.

Every answer under /api/ is JSON, errors too: `{"error": {"code": ..., "message": ...}}` with a stable
`code` (`nis_library.web.errors.json_error`). Every GET carries an ETag and answers If-None-Match with
a 304; version addresses (`/v/<n>`) may be cached for ever, the rest for `API_MAX_AGE` seconds. Lists
are paginated with opaque cursors and RFC 8288 `Link` headers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, render_template, request

from nis_library import rating_account
from nis_library.api import document as contract
from nis_library.api import representations as represent
from nis_library.api.cursors import InvalidCursor, read_cursor, write_cursor
from nis_library.catalogue import Catalogue, get_catalogue, is_item_id
from nis_library.governance import register
from nis_library.governance.query import InvalidRegisterQuery, read_filters
from nis_library.governance.recommendations import ID_PATTERN as RECOMMENDATION_ID
from nis_library.governance.service import public_entries
from nis_library.history import service as history
from nis_library.search.params import PARAMETERS, read_search_args, search_path
from nis_library.search.request import InvalidSearch
from nis_library.search.service import search as run_search
from nis_library.state import rate_limits
from nis_library.web.caching import for_ever, for_polling
from nis_library.web.context import state_engine, today
from nis_library.web.errors import json_error
from nis_library.web.hosts import public_root
from nis_library.web.numbers import whole_number
from nis_library.web.rendering import render_markdown

blueprint = Blueprint("api", __name__)
page = Blueprint("api_page", __name__)  # the human-readable page, outside /api/ (so its errors are pages)

JSON = "application/json"
YAML = "application/yaml"
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
MAX_BODY = 64 * 1024  # the read endpoints take no body; a larger one is refused before it is read


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


@blueprint.errorhandler(ApiError)
def _api_error(error: ApiError):
    body, status = json_error(error.status, error.code, error.message)
    return body, status, error.headers


@blueprint.errorhandler(InvalidSearch)
def _invalid_search(error: InvalidSearch):
    unknown = error.valid == PARAMETERS and error.parameter not in PARAMETERS
    return json_error(400, "unknown-parameter" if unknown else "invalid-parameter", error.message)


@blueprint.errorhandler(InvalidCursor)
def _invalid_cursor(error: InvalidCursor):
    return json_error(400, "invalid-cursor", str(error))


@blueprint.errorhandler(InvalidRegisterQuery)
def _invalid_register_query(error: InvalidRegisterQuery):
    return json_error(400, "invalid-parameter", error.message)


# -- what every request to the API must be ----------------------------------------------------------


@blueprint.before_request
def _check_request():
    _check_no_body()
    _check_accept(YAML if request.endpoint == "api.openapi_document" else JSON)
    _check_rate()


def _check_no_body() -> None:
    """The read endpoints take no body. One over the limit is a 413 before anything reads it; any
    other is a 415: no content type is one these endpoints accept."""
    length = request.content_length
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if length is not None and length > MAX_BODY:
        raise ApiError(413, "body-too-large", f"The body is over {MAX_BODY} bytes; these endpoints take no body.")
    if chunked or length:
        raise ApiError(415, "unsupported-media-type", "These endpoints take no request body: send the GET without one.")


def _check_accept(offered: str) -> None:
    if request.headers.get("Accept") and request.accept_mimetypes.best_match([offered]) is None:
        raise ApiError(406, "not-acceptable", f"This address answers only in {offered}; the Accept header excludes it.")


def _check_rate() -> None:
    """Per client address, counted in the state store so the limit holds across gunicorn workers."""
    per_minute = current_app.config["API_ADDRESS_LIMIT"]
    if not per_minute:
        return
    with state_engine().begin() as conn:
        decision = rate_limits.hit(
            conn, f"api-address:{request.remote_addr}", rate_limits.Limit(per_minute, dt.timedelta(minutes=1))
        )
    if not decision.allowed:
        raise ApiError(
            429,
            "rate-limited",
            f"Over {per_minute} requests a minute from this address. Try again in {decision.retry_after} s.",
            {"Retry-After": str(decision.retry_after)},
        )


def _parameters(*names: str) -> dict[str, str]:
    """The query string's parameters, each at most once and each one this endpoint takes."""
    for name in request.args:
        if name not in names:
            takes = f"This endpoint takes: {', '.join(names)}." if names else "This endpoint takes no parameters."
            raise ApiError(400, "unknown-parameter", f"Unknown parameter '{name[:40]}'. {takes}")
        if len(request.args.getlist(name)) > 1:
            raise ApiError(400, "repeated-parameter", f"'{name}' appears more than once; give it once.")
    return request.args.to_dict()


def _catalogue() -> Catalogue:
    return get_catalogue(Path(current_app.config["INSTANCE_DIR"]))


def _with_links(response, **targets: str | None):
    """RFC 8288 `Link` headers (absolute URLs) for the relations that exist."""
    links = [f'<{url}>; rel="{rel}"' for rel, url in targets.items() if url]
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


# -- the endpoints ----------------------------------------------------------------------------------


@blueprint.get("/search")
def search():
    """The web search's parameters, checks and results, with facet counts and why each matched."""
    args = read_search_args(request.query_string)
    results = run_search(
        Path(current_app.config["INSTANCE_DIR"]),
        args.text,
        args.filters,
        args.mode,
        args.page,
        per_page=current_app.config["RESULTS_PER_PAGE"],
        sort=args.sort,
        as_typed=args.as_typed,
    )
    root = public_root()

    def page_url(number: int) -> str:
        return search_path(results.query, results.mode, results.filters, number, base=f"{root}/api/v1/search")

    response = for_polling(jsonify(represent.search_results(root, results)))
    return _with_links(
        response,
        next=page_url(results.page + 1) if results.page < results.pages else None,
        prev=page_url(results.page - 1) if 1 < results.page <= results.pages else None,
    )


@blueprint.get("/items")
def items():
    """Every published item (withdrawn ones too), in ID order, a page at a time."""
    given = _parameters("limit", "cursor")
    limit = _limit(given.get("limit"))
    after = read_cursor(given["cursor"]) if "cursor" in given else None
    found = _catalogue().published_items(after, limit + 1)
    page_items, more = found[:limit], len(found) > limit
    root = public_root()
    next_url = None
    if more:
        query = ({"limit": str(limit)} if "limit" in given else {}) | {
            "cursor": write_cursor(page_items[-1].summary.id)
        }
        next_url = f"{root}/api/v1/items?{urlencode(query)}"
    body = {"items": [represent.listed_item(root, item) for item in page_items], "links": {"next": next_url}}
    return _with_links(for_polling(jsonify(body)), next=next_url)


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    number = whole_number(text, low=1, high=MAX_LIMIT)
    if number is None:
        raise ApiError(400, "invalid-parameter", f"'limit' must be a whole number from 1 to {MAX_LIMIT}.")
    return number


@blueprint.get("/items/<item_id>")
def item(item_id: str):
    """The item's latest published version."""
    _parameters()
    catalogue = _catalogue()
    found = history.versions(catalogue, item_id) if is_item_id(item_id) else []
    if not found:
        raise ApiError(404, "item-not-found", f"There is no published item '{item_id[:40]}'.")
    detail = history.version(catalogue, item_id, found[-1].number)
    return for_polling(jsonify(represent.version(public_root(), detail, rating_account.for_version(catalogue, detail))))


@blueprint.get("/items/<item_id>/v/<int:number>")
def item_version(item_id: str, number: int):
    """One version as it was published: it never changes, so caches may keep it for ever."""
    _parameters()
    catalogue = _catalogue()
    detail = history.version(catalogue, item_id, number) if is_item_id(item_id) else None
    if detail is None:
        if is_item_id(item_id) and history.versions(catalogue, item_id):
            raise ApiError(404, "version-not-found", f"{item_id} has no version {number}.")
        raise ApiError(404, "item-not-found", f"There is no published item '{item_id[:40]}'.")
    return for_ever(jsonify(represent.version(public_root(), detail, rating_account.for_version(catalogue, detail))))


@blueprint.get("/taxonomy")
def taxonomy():
    """Every controlled vocabulary (areas and their subcomponents, layers, kinds, ...) and the publications."""
    _parameters()
    catalogue = _catalogue()
    body = {
        "taxonomy": catalogue.taxonomy.model_dump(mode="json"),
        "publications": catalogue.publications.model_dump(mode="json")["publications"],
    }
    return for_polling(jsonify(body))


@blueprint.get("/editions")
def editions():
    _parameters()
    root = public_root()
    found = history.editions(_catalogue())
    return for_polling(jsonify({"editions": [represent.edition_summary(root, e) for e in found]}))


@blueprint.get("/editions/<publication>/<edition>")
def edition(publication: str, edition: str):
    _parameters()
    detail = history.edition(_catalogue(), publication, edition)
    if detail is None:
        raise ApiError(404, "edition-not-found", f"There is no edition '{publication[:40]}/{edition[:40]}'.")
    return for_polling(jsonify(represent.edition(public_root(), detail)))


@blueprint.get("/changes")
def changes():
    """Item versions published since a date or an edition: what an ISP system polls."""
    given = _parameters("since")
    if not given.get("since", "").strip():
        raise ApiError(400, "missing-since", "Give 'since' once: a date (YYYY-MM-DD) or an edition (standards/2026).")
    try:
        found = history.changes_since(_catalogue(), given["since"])
    except history.InvalidSince as exc:
        raise ApiError(400, "invalid-since", str(exc)) from None
    root = public_root()
    answer = jsonify(
        {
            "since": given["since"],
            "count": len(found),
            "changes": [
                {
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
                    "latest_url": f"{root}/items/{v.id}",
                }
                for v in found
            ],
        }
    )
    return for_polling(answer)


def _register():
    return public_entries(state_engine(), _catalogue(), current_app.config["RESPONSE_DUE_DAYS"], today())


@blueprint.get("/recommendations")
def recommendations():
    """The public register (drafts never), filtered as the register page filters it."""
    for name in request.args:
        if name not in register.FILTERS:
            raise ApiError(
                400, "unknown-parameter", f"Unknown parameter '{name[:40]}'. Filters: {', '.join(register.FILTERS)}."
            )
    entries, terms = _register()
    shown = register.apply(entries, read_filters(request.query_string, register.filter_labels(terms)))
    root = public_root()
    body = {"count": len(shown), "recommendations": [represent.recommendation(root, e) for e in shown]}
    return for_polling(jsonify(body))


@blueprint.get("/recommendations/<rec_id>")
def recommendation(rec_id: str):
    _parameters()
    entries, _ = _register() if RECOMMENDATION_ID.fullmatch(rec_id) else ([], None)
    entry = next((e for e in entries if e.id == rec_id), None)  # drafts are not among them
    if entry is None:
        raise ApiError(404, "recommendation-not-found", f"There is no published recommendation '{rec_id[:40]}'.")
    return for_polling(jsonify(represent.recommendation(public_root(), entry)))


@blueprint.get("/openapi.yaml")
def openapi_document():
    """The contract itself, as written."""
    _parameters()
    return for_polling(contract.document_text(), mimetype=YAML)


# -- the page ---------------------------------------------------------------------------------------


@page.get("/api")
def api_page():
    """The document, laid out for people: every endpoint, parameter, response and error code."""
    spec = contract.document()
    return render_template(
        "api/api.html",
        info=spec["info"],
        openapi_version=spec["openapi"],
        markdown=render_markdown,
        operations=contract.operations(),
        error_codes=contract.error_codes(),
        document_url=public_root() + "/api/v1/openapi.yaml",
    )
