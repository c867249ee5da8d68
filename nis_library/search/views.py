"""The search page (`/search`): one `<form method="get">` that works with JavaScript off; to an htmx
request the same address answers with the results partial, the filter panel and count swapped in
out of band."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, request

from nis_library.browse.shortlist import InvalidShortlist, parse_shortlist
from nis_library.catalogue import get_catalogue
from nis_library.search.params import read_search_args
from nis_library.search.request import InvalidSearch
from nis_library.search.service import search
from nis_library.search.view_model import SearchView
from nis_library.web.context import bundle_instance, page_url, wants_fragment
from nis_library.web.errors import error_page

blueprint = Blueprint("search", __name__)


@blueprint.app_errorhandler(InvalidSearch)
def _invalid_search(error: InvalidSearch):
    return error_page(400, error.message)


@blueprint.get("/search")
def search_page():
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
