"""Browsing the library: the home page, the areas of development layer by layer, and item pages.
Views only read the request, call the catalogue, search and history functions, and render."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template

from nis_library.catalogue import get_catalogue, is_item_id
from nis_library.governance.service import for_item
from nis_library.history import service as history
from nis_library.search.params import search_path
from nis_library.search.service import search
from nis_library.web.context import bundle_instance, page_url, state_engine, today
from nis_library.web.hosts import public_root

blueprint = Blueprint("browse", __name__)


@blueprint.get("/")
def home():
    catalogue = get_catalogue(bundle_instance())
    return render_template("browse/home.html", taxonomy=catalogue.taxonomy)


@blueprint.get("/areas")
def areas():
    catalogue = get_catalogue(bundle_instance())
    return render_template("browse/areas.html", taxonomy=catalogue.taxonomy)


@blueprint.get("/areas/<area_id>")
def area(area_id: str):
    catalogue = get_catalogue(bundle_instance())
    found = catalogue.area(area_id)
    if found is None:
        abort(404)
    per_layer = current_app.config["ITEMS_PER_LAYER"]
    layers = []
    for layer in catalogue.taxonomy.layers:  # Universal first: the graduated offer, top to bottom
        filters = {"area": [area_id], "layer": [layer.id]}
        results = search(bundle_instance(), "", filters, page=1, per_page=per_layer)
        layers.append((layer, results, search_path(filters=filters, base=page_url("search.search_page"))))
    return render_template("browse/area.html", area=found, layers=layers, labels=catalogue.labels)


@blueprint.get("/items/<item_id>")
def item(item_id: str):
    if not is_item_id(item_id):
        abort(404)
    catalogue = get_catalogue(bundle_instance())
    detail = catalogue.item(item_id)
    if detail is None:
        abort(404)
    root = public_root()
    review_dates = history.item_review_dates(
        catalogue, item_id, detail.summary.kind, list(detail.summary.areas), today()
    )
    shown = next((v for v in history.versions(catalogue, item_id) if v.number == detail.version), None)
    recommendations = for_item(
        state_engine(),
        get_catalogue(Path(current_app.config["INSTANCE_DIR"])),  # the register is public: never the preview's
        item_id,
        shown.implements if shown else (),
        current_app.config["RESPONSE_DUE_DAYS"],
        today(),
    )
    return render_template(
        "browse/item.html",
        item=detail,
        recommendations=recommendations,
        data=detail.data,
        labels=catalogue.labels,
        permalink=f"{root}/items/{item_id}",
        review_dates=review_dates,
        version_permalink=f"{root}/items/{item_id}/v/{detail.version}" if detail.version else None,
    )
