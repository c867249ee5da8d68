"""The read API (`/api/v1`), for settings' ISP systems, and its page (`/api`). The contract is
`openapi.yaml`, served at `/api/v1/openapi.yaml` and laid out as the page.

Every answer under /api/ is JSON; errors are RFC 9457 problem details with a stable `code`
(`nis_library.web.json_api.problems`). Every GET carries an ETag and answers If-None-Match with a 304; version
addresses (`/v/<n>`) may be cached for ever, the rest for `API_MAX_AGE` seconds. Lists come a page
at a time (`nis_library.web.json_api.paging`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_cors import CORS

from nis_library import rating_account
from nis_library.api import document as contract
from nis_library.api import representations as represent
from nis_library.catalogue import Catalogue, get_catalogue, is_item_id
from nis_library.governance import register
from nis_library.governance.public_register import public_entries
from nis_library.governance.query import InvalidRegisterQuery, read_filters
from nis_library.governance.recommendations import ID_PATTERN as RECOMMENDATION_ID
from nis_library.history import published_history as history
from nis_library.isp_links import clients
from nis_library.search.bundle_search import search as run_search
from nis_library.search.params import PARAMETERS, read_search_args, search_path
from nis_library.search.request import InvalidSearch
from nis_library.state import rate_limits
from nis_library.state.rate_limits import Limit
from nis_library.web.caching import for_ever, for_polling
from nis_library.web.context import state_engine, today
from nis_library.web.hosts import public_root
from nis_library.web.json_api import paging, parameters, tokens
from nis_library.web.json_api import rate_limits as api_rate_limits
from nis_library.web.json_api.problems import Problem, problem_response, token_problem
from nis_library.web.rendering import render_markdown

blueprint = Blueprint("api", __name__)
page = Blueprint("api_page", __name__)  # the human-readable page, outside /api/ (so its errors are pages)

JSON = "application/json"
YAML = "application/yaml"
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
MAX_BODY = 64 * 1024  # the read endpoints take no body; a larger one is refused before it is read


@blueprint.errorhandler(InvalidSearch)
def _invalid_search(error: InvalidSearch):
    unknown = error.valid == PARAMETERS and error.parameter not in PARAMETERS
    return problem_response(Problem("unknown-parameter" if unknown else "invalid-parameter", error.message))


@blueprint.errorhandler(InvalidRegisterQuery)
def _invalid_register_query(error: InvalidRegisterQuery):
    return problem_response(Problem("invalid-parameter", error.message))


# -- what every request to the API must be ----------------------------------------------------------


# The read endpoints are public: a web page on any site may call them (no cookies, no tokens from a
# browser); a preflight is answered for the one header a poller adds, If-None-Match.
CORS(
    blueprint,
    origins="*",
    send_wildcard=True,  # "*", not the caller's origin echoed: one answer a shared cache can keep for all
    methods=["GET", "HEAD", "OPTIONS"],
    allow_headers=["If-None-Match", "Accept"],
    expose_headers=["ETag", "Link", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"],
    max_age=86400,
)


@blueprint.before_request
def _check_request():
    if request.method == "OPTIONS":
        return  # a CORS preflight: answered by Flask and flask-cors, counted against nothing
    _check_no_body()
    _check_accept(YAML if request.endpoint == "api.openapi_document" else JSON)
    _check_rate()


def _check_no_body() -> None:
    """The read endpoints take no body. One over the limit is a 413 before anything reads it; any
    other is a 415: no content type is one these endpoints accept."""
    length = request.content_length
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if length is not None and length > MAX_BODY:
        raise Problem("body-too-large", f"The body is over {MAX_BODY} bytes; these endpoints take no body.")
    if chunked or length:
        raise Problem("unsupported-media-type", "These endpoints take no request body: send the GET without one.")


def _check_accept(offered: str) -> None:
    if request.headers.get("Accept") and request.accept_mimetypes.best_match([offered]) is None:
        raise Problem("not-acceptable", f"This address answers only in {offered}; the Accept header excludes it.")


def _check_rate() -> None:
    """Per token when the request carries one (each setting's system its own budget, even behind one
    vendor's address), else per address; counted in the state store so the limit holds across
    workers and nodes. A token that is not valid is a 401, not a silent fall back to the address."""
    config = current_app.config
    header = request.headers.get("Authorization", "")
    with state_engine().begin() as conn:
        try:
            client = clients.from_authorization(conn, header) if header else None
        except clients.TokenRefused as refused:
            raise token_problem(refused.missing) from None
        if client is not None:
            limit = Limit(config["API_RATE_LIMIT"], dt.timedelta(seconds=config["API_RATE_WINDOW"]))
            key, whose = f"api-token:{client.id}", "for this token"
        elif config["API_ADDRESS_LIMIT"]:
            limit = Limit(config["API_ADDRESS_LIMIT"], dt.timedelta(minutes=1))
            key, whose = f"api-address:{request.remote_addr}", "from this address"
        else:
            return
        decision = rate_limits.hit(conn, key, limit)
    api_rate_limits.enforce(decision, limit, whose)


blueprint.after_request(api_rate_limits.add_headers)


def _catalogue() -> Catalogue:
    return get_catalogue(Path(current_app.config["INSTANCE_DIR"]))


# -- the endpoints ----------------------------------------------------------------------------------


@blueprint.get("/search")
def search():
    """The web search's parameters, checks and results, with facet counts and why each matched."""
    args = read_search_args(request.query_string)
    for name, values in request.args.lists():
        if name != "q" and "" in values:  # the page ignores a form's empty field; the API says no
            raise Problem("invalid-parameter", f"'{name[:40]}' is empty: leave it out for the default or give a value.")
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
    return paging.with_link_header(
        response,
        next=page_url(results.page + 1) if results.page < results.pages else None,
        prev=page_url(results.page - 1) if 1 < results.page <= results.pages else None,
    )


@blueprint.get("/items")
def items():
    """Every published item (withdrawn ones too), in ID order, a page at a time."""
    given = parameters.query("limit", "cursor")
    limit = parameters.limit(given, DEFAULT_LIMIT, MAX_LIMIT)
    after = parameters.cursor(given, "items")
    if after is not None and not (isinstance(after, str) and is_item_id(after)):
        raise Problem("invalid-cursor", "The cursor is not one this API gave out for this list.")
    found = _catalogue().published_items(after, limit + 1)
    page_items, more = found[:limit], len(found) > limit
    root = public_root()
    next_url = paging.next_url("items", page_items[-1].summary.id) if more else None
    body = {"items": [represent.listed_item(root, item) for item in page_items], "links": {"next": next_url}}
    return paging.with_link_header(for_polling(jsonify(body)), next=next_url)


@blueprint.get("/items/<item_id>")
def item(item_id: str):
    """The item's latest published version."""
    parameters.query()
    catalogue = _catalogue()
    found = history.versions(catalogue, item_id) if is_item_id(item_id) else []
    if not found:
        raise Problem("item-not-found", f"There is no published item '{item_id[:40]}'.")
    detail = history.version(catalogue, item_id, found[-1].number)
    return for_polling(jsonify(represent.version(public_root(), detail, rating_account.for_version(catalogue, detail))))


@blueprint.get("/items/<item_id>/v/<int:number>")
def item_version(item_id: str, number: int):
    """One version as it was published: it never changes, so caches may keep it for ever."""
    parameters.query()
    catalogue = _catalogue()
    detail = history.version(catalogue, item_id, number) if is_item_id(item_id) else None
    if detail is None:
        if is_item_id(item_id) and history.versions(catalogue, item_id):
            raise Problem("version-not-found", f"{item_id} has no version {number}.")
        raise Problem("item-not-found", f"There is no published item '{item_id[:40]}'.")
    return for_ever(jsonify(represent.version(public_root(), detail, rating_account.for_version(catalogue, detail))))


@blueprint.get("/taxonomy")
def taxonomy():
    """Every controlled vocabulary (areas and their subcomponents, layers, kinds, ...) and the publications."""
    parameters.query()
    catalogue = _catalogue()
    body = {
        "taxonomy": catalogue.taxonomy.model_dump(mode="json"),
        "publications": catalogue.publications.model_dump(mode="json")["publications"],
    }
    return for_polling(jsonify(body))


@blueprint.get("/editions")
def editions():
    parameters.query()
    root = public_root()
    found = history.editions(_catalogue())
    return for_polling(jsonify({"editions": [represent.edition_summary(root, e) for e in found]}))


@blueprint.get("/editions/<publication>/<edition>")
def edition(publication: str, edition: str):
    parameters.query()
    detail = history.edition(_catalogue(), publication, edition)
    if detail is None:
        raise Problem("edition-not-found", f"There is no edition '{publication[:40]}/{edition[:40]}'.")
    return for_polling(jsonify(represent.edition(public_root(), detail)))


@blueprint.get("/changes")
def changes():
    """Item versions published since a date, an edition or the last answer's `next_since`: what an
    ISP system polls. `next_since` is the safe way to poll: it loses nothing published later the
    same day and gives nothing twice."""
    given = parameters.query("since")
    since = given.get("since", "")
    if not since.strip():
        raise Problem(
            "missing-parameter",
            "Give 'since' once: the last answer's next_since, a date (YYYY-MM-DD) or an edition (standards/2026).",
        )
    catalogue = _catalogue()
    try:
        found = history.changes_after(catalogue, _read_next_since(since)) if _is_token(since) else None
        if found is None:
            found = history.changes_since(catalogue, since)
    except history.InvalidSince as exc:
        raise Problem("invalid-parameter", str(exc)) from None
    root = public_root()
    answer = jsonify(
        {
            "since": since,
            "count": len(found),
            "next_since": tokens.write(NEXT_SINCE, history.latest_editions(catalogue)),
            "changes": [represent.change(root, v) for v in found],
        }
    )
    return for_polling(answer)


NEXT_SINCE = "changes-since"


def _is_token(since: str) -> bool:
    """A token is `payload.signature` (base64url: no '/'); an edition has a '/', a date no '.'."""
    return "." in since and "/" not in since


def _read_next_since(token: str) -> dict[str, str]:
    try:
        seen = tokens.read(NEXT_SINCE, token)
    except tokens.InvalidToken:
        seen = None
    if not isinstance(seen, dict) or not all(
        isinstance(p, str) and isinstance(e, str) and history.SINCE_EDITION.fullmatch(f"{p}/{e}")
        for p, e in seen.items()
    ):
        raise Problem(
            "invalid-parameter",
            "'since' is not a next_since this API gave out, a date (YYYY-MM-DD) or an edition (standards/2026).",
        )
    return seen


def _register():
    with state_engine().connect() as conn:
        return public_entries(conn, _catalogue(), current_app.config["RESPONSE_DUE_DAYS"], today())


@blueprint.get("/recommendations")
def recommendations():
    """The public register (drafts never), filtered as the register page filters it."""
    for name in request.args:
        if name not in register.FILTERS:
            raise Problem(
                "unknown-parameter", f"Unknown parameter '{name[:40]}'. Filters: {', '.join(register.FILTERS)}."
            )
    entries, terms = _register()
    shown = register.apply(entries, read_filters(request.query_string, register.filter_labels(terms)))
    root = public_root()
    body = {"count": len(shown), "recommendations": [represent.recommendation(root, e) for e in shown]}
    return for_polling(jsonify(body))


@blueprint.get("/recommendations/<rec_id>")
def recommendation(rec_id: str):
    parameters.query()
    entries, _ = _register() if RECOMMENDATION_ID.fullmatch(rec_id) else ([], None)
    entry = next((e for e in entries if e.id == rec_id), None)  # drafts are not among them
    if entry is None:
        raise Problem("recommendation-not-found", f"There is no published recommendation '{rec_id[:40]}'.")
    return for_polling(jsonify(represent.recommendation(public_root(), entry)))


@blueprint.get("/openapi.yaml")
def openapi_document():
    """The contract itself, as written."""
    parameters.query()
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
        webhooks=contract.webhooks(),
        shared_answers=contract.shared_responses(),
        security=contract.security_scheme(),
        error_codes=contract.error_codes(),
        document_url=public_root() + "/api/v1/openapi.yaml",
    )
