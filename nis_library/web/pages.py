"""The public pages: home, search, browse by area, item pages. Views only read the request, call
the search and catalogue functions, and render; the search page returns its own results partial
to htmx requests and the whole page otherwise."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_htmx import HTMX

from ..catalogue import get_catalogue
from ..search import search
from .search_params import read_search_args, search_path
from .search_view import SearchView

blueprint = Blueprint("web", __name__)
htmx = HTMX()  # reads only the current request's headers; create_app calls htmx.init_app

ITEM_ID = re.compile(r"^[A-Z]{3}-\d{4,6}$")


def _instance() -> Path:
    return Path(current_app.config["INSTANCE_DIR"])


def _wants_fragment() -> bool:
    # A history restore asks for the whole page, although htmx sends it.
    return bool(htmx) and not htmx.history_restore_request


@blueprint.get("/")
def home():
    catalogue = get_catalogue(_instance())
    return render_template("home.html", taxonomy=catalogue.taxonomy)


@blueprint.get("/search")
def search_page():
    args = read_search_args(request.query_string)
    results = search(_instance(), args.text, args.filters, args.mode, args.page,
                     per_page=current_app.config["RESULTS_PER_PAGE"])
    catalogue = get_catalogue(_instance())
    view = SearchView(results, catalogue.labels)
    template = "_search_response.html" if _wants_fragment() else "search.html"
    response = make_response(render_template(template, results=results, view=view, labels=catalogue.labels,
                                             fragment=template.startswith("_")))
    response.vary.add("HX-Request")
    return response


@blueprint.get("/areas")
def areas():
    catalogue = get_catalogue(_instance())
    return render_template("areas.html", taxonomy=catalogue.taxonomy)


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
        layers.append((layer, results, search_path(filters=filters)))
    return render_template("area.html", area=found, layers=layers, labels=catalogue.labels)


@blueprint.get("/items/<item_id>")
def item(item_id: str):
    if not ITEM_ID.match(item_id):
        abort(404)
    catalogue = get_catalogue(_instance())
    detail = catalogue.item(item_id)
    if detail is None:
        abort(404)
    return render_template("item.html", item=detail, data=detail.data, labels=catalogue.labels,
                           permalink=request.url_root.rstrip("/") + f"/items/{item_id}",
                           built_at=catalogue.manifest.get("built_at", ""))
