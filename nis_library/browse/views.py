"""The public pages: home, search, browse by area, item pages. Views only read the request, call
the search and catalogue functions, and render; the search page returns its own results partial
to htmx requests and the whole page otherwise."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from flask import Blueprint, abort, current_app, has_request_context, make_response, render_template, request, url_for
from flask_htmx import HTMX

from nis_library.history import service as history
from nis_library.catalogue import get_catalogue
from nis_library.settings import preview_dir
from nis_library.search import search
from nis_library.search.params import read_search_args, search_path
from nis_library.search.view_model import SearchView

blueprint = Blueprint("web", __name__)
htmx = HTMX()  # reads only the current request's headers; create_app calls htmx.init_app

ITEM_ID = re.compile(r"^[A-Z]{3}-\d{4,6}$")


PREVIEW = "preview"  # the name this blueprint is registered under a second time, at /preview


def _instance() -> Path:
    """The public bundle, or in the preview the bundle built from the working copies."""
    instance = Path(current_app.config["INSTANCE_DIR"])
    return preview_dir(instance) if request.blueprint == PREVIEW else instance


def page_url(endpoint: str, **values) -> str:
    """A link to another of these pages that stays in the preview when the reader is in it."""
    blueprint_name = PREVIEW if has_request_context() and request.blueprint == PREVIEW else blueprint.name
    return url_for(f"{blueprint_name}.{endpoint}", **values)


def init_app(app) -> None:
    app.register_blueprint(blueprint)
    if app.config["PREVIEW"]:
        app.register_blueprint(blueprint, name=PREVIEW, url_prefix="/preview")
    app.jinja_env.globals["page_url"] = page_url
    app.context_processor(lambda: {"in_preview": has_request_context() and request.blueprint == PREVIEW})


def today() -> dt.date:
    """The date review schedules are worked out for: `TODAY` in tests, else the real one."""
    return current_app.config.get("TODAY") or dt.date.today()


def _wants_fragment() -> bool:
    # A history restore asks for the whole page, although htmx sends it.
    return bool(htmx) and not htmx.history_restore_request


@blueprint.get("/")
def home():
    catalogue = get_catalogue(_instance())
    return render_template("browse/home.html", taxonomy=catalogue.taxonomy)


@blueprint.get("/search")
def search_page():
    args = read_search_args(request.query_string)
    results = search(_instance(), args.text, args.filters, args.mode, args.page,
                     per_page=current_app.config["RESULTS_PER_PAGE"])
    catalogue = get_catalogue(_instance())
    view = SearchView(results, catalogue.labels, base=page_url("search_page"))
    fragment = _wants_fragment()
    template = "search/_search_response.html" if fragment else "search/search.html"
    response = make_response(render_template(template, results=results, view=view, labels=catalogue.labels,
                                             fragment=fragment))
    response.vary.add("HX-Request")
    if fragment:
        # htmx would push the form's raw fields (q=&mode=hybrid...); push the canonical address,
        # the same one the page's own links use, so one state has one URL.
        response.headers["HX-Push-Url"] = view.href(page=results.page)
    return response


@blueprint.get("/areas")
def areas():
    catalogue = get_catalogue(_instance())
    return render_template("browse/areas.html", taxonomy=catalogue.taxonomy)


@blueprint.get("/areas/<area_id>")
def area(area_id: str):
    catalogue = get_catalogue(_instance())
    found = catalogue.area(area_id)
    if found is None:
        abort(404)
    per_layer = current_app.config["ITEMS_PER_LAYER"]
    layers = []
    for layer in catalogue.taxonomy.layers:  # Universal first: the graduated offer, top to bottom
        filters = {"area": [area_id], "layer": [layer.id]}
        results = search(_instance(), "", filters, page=1, per_page=per_layer)
        layers.append((layer, results, search_path(filters=filters, base=page_url("search_page"))))
    return render_template("browse/area.html", area=found, layers=layers, labels=catalogue.labels)


@blueprint.get("/items/<item_id>")
def item(item_id: str):
    if not ITEM_ID.match(item_id):
        abort(404)
    catalogue = get_catalogue(_instance())
    detail = catalogue.item(item_id)
    if detail is None:
        abort(404)
    root = request.url_root.rstrip("/")
    review_dates = history.item_review_dates(catalogue, item_id, detail.summary.kind, list(detail.summary.areas),
                                             today())
    return render_template("browse/item.html", item=detail, data=detail.data, labels=catalogue.labels,
                           permalink=f"{root}/items/{item_id}", review_dates=review_dates,
                           version_permalink=f"{root}/items/{item_id}/v/{detail.version}" if detail.version else None)
