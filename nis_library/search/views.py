"""The search page (`/search`): one `<form method="get">` that works with JavaScript off; to an htmx
request the same address answers with the results partial, the filter panel and count swapped in
out of band."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, current_app, make_response, render_template, request

from nis_library.browse.shortlist import InvalidShortlist, parse_shortlist
from nis_library.catalogue import get_catalogue
from nis_library.search.bundle_search import search
from nis_library.search.params import read_search_args
from nis_library.search.request import InvalidSearch
from nis_library.search.view_model import SearchView
from nis_library.state import rate_limits
from nis_library.state.rate_limits import Limit
from nis_library.web.context import bundle_instance, page_url, state_engine, wants_fragment
from nis_library.web.errors import error_page

blueprint = Blueprint("search", __name__)
ONE_MINUTE = dt.timedelta(minutes=1)


@blueprint.app_errorhandler(InvalidSearch)
def _invalid_search(error: InvalidSearch) -> tuple[str, int]:
    body, status = error_page(400, error.message)  # error_page gives (body, status), not yet annotated
    return body, status


def _over_the_address_limit() -> tuple[str, int, dict[str, str]] | None:
    """A 429 page once one address has searched more than SEARCH_ADDRESS_LIMIT times in a minute
    (counted in the state store, so across workers); None while it may go on."""
    per_minute = current_app.config["SEARCH_ADDRESS_LIMIT"]
    if not per_minute:
        return None
    with state_engine().begin() as conn:
        decision = rate_limits.hit(conn, f"search-address:{request.remote_addr}", Limit(per_minute, ONE_MINUTE))
    if decision.allowed:
        return None
    wait = f"{decision.retry_after} second{'s' if decision.retry_after != 1 else ''}"
    body, status = error_page(
        429, f"This address has searched very often in the last minute. Wait {wait}, then search again."
    )
    return body, status, {"Retry-After": str(decision.retry_after)}


@blueprint.get("/search")
def search_page() -> Response | tuple[str, int, dict[str, str]]:
    refused = _over_the_address_limit()
    if refused is not None:
        return refused
    args = read_search_args(request.query_string)
    try:
        shortlist = parse_shortlist(args.shortlist)
    except InvalidShortlist as error:
        raise InvalidSearch(str(error), "shortlist") from None
    results = search(
        bundle_instance(),
        args.text,
        args.filters,
        args.mode,
        args.page,
        per_page=current_app.config["RESULTS_PER_PAGE"],
        as_typed=args.as_typed,
        sort=args.sort,
    )
    catalogue = get_catalogue(bundle_instance())
    view = SearchView(results, catalogue.labels, base=page_url("search.search_page"), shortlist=shortlist)
    fragment = wants_fragment()
    template = "search/_search_response.html" if fragment else "search/search.html"
    response = make_response(
        render_template(template, results=results, view=view, labels=catalogue.labels, fragment=fragment)
    )
    response.vary.add("HX-Request")
    if fragment:
        # htmx would push the form's raw fields (q=&mode=hybrid...); push the canonical address,
        # the same one the page's own links use, so one state has one URL.
        response.headers["HX-Push-Url"] = view.href(page=results.page)
    return response
