"""Browsing the library: the home page, the areas of development layer by layer, and item pages.
Views only read the request, call the catalogue, search and history functions, and render."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request

from nis_library import rating_account
from nis_library.browse.evidence_method import tally as evidence_method_tally
from nis_library.browse.glossary import glossary as glossary_sections
from nis_library.browse.glossary import scope_section
from nis_library.browse.shortlist import InvalidShortlist, parse_shortlist, shortlist_query, without_item
from nis_library.catalogue import get_catalogue, is_item_id
from nis_library.governance.public_register import for_item
from nis_library.history import published_history as history
from nis_library.search.bundle_search import search
from nis_library.search.params import search_path
from nis_library.web import addresses
from nis_library.web.context import bundle_instance, page_url, state_engine, today
from nis_library.web.errors import error_page
from nis_library.web.hosts import public_root

blueprint = Blueprint("browse", __name__)


@blueprint.get("/")
def home():
    catalogue = get_catalogue(bundle_instance())
    return render_template("browse/home.html", taxonomy=catalogue.taxonomy, scope=catalogue.scope)


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


VIEWS = ("family",)  # the item page's `view`: absent (for staff), or in plain words for families


@blueprint.get("/items/<item_id>")
def item(item_id: str):
    view = request.args.getlist("view")
    if view and (len(view) > 1 or view[0] not in VIEWS):
        return error_page(400, "'view' may only be 'family' (the page in plain words for families), given once.")
    return _item_page(item_id, "browse/item.html", family_view=bool(view))


@blueprint.get("/items/<item_id>/print")
def item_print(item_id: str):
    """One page to print for a support plan meeting."""
    return _item_page(item_id, "browse/print.html")


def _item_page(item_id: str, template: str, **extra):
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
    with state_engine().connect() as conn:
        recommendations = for_item(
            conn,
            get_catalogue(Path(current_app.config["INSTANCE_DIR"])),  # the register is public: never the preview's
            item_id,
            shown.implements if shown else (),
            current_app.config["RESPONSE_DUE_DAYS"],
            today(),
        )
    return render_template(
        template,
        item=detail,
        recommendations=recommendations,
        data=detail.data,
        labels=catalogue.labels,
        titles=catalogue.titles,
        own_id=item_id,
        permalink=addresses.item_page(item_id, root),
        review_dates=review_dates,
        version_permalink=addresses.version_page(item_id, detail.version, root) if detail.version else None,
        rating=rating_account.for_item(catalogue, detail),
        **extra,
    )


@blueprint.get("/shortlist")
def shortlist():
    unknown = sorted(set(request.args) - {"items"})
    if unknown or len(request.args.getlist("items")) > 1:
        return error_page(400, "This page takes one parameter, 'items': item IDs separated by commas.")
    try:
        ids = parse_shortlist(request.args.get("items", ""))
    except InvalidShortlist as error:
        return error_page(400, str(error))
    catalogue = get_catalogue(bundle_instance())
    found = catalogue.summaries(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        return error_page(400, f"The library has no item {', '.join(missing)}. Check the address.")
    here = page_url("browse.shortlist")
    return render_template(
        "browse/shortlist.html",
        items=[found[i] for i in ids],
        labels=catalogue.labels,
        remove_href={i: _with_items(here, without_item(ids, i)) for i in ids},
        search_href=search_path(base=page_url("search.search_page"), shortlist=ids),
    )


def _with_items(base: str, ids: tuple[str, ...]) -> str:
    return f"{base}?items={shortlist_query(ids)}" if ids else base


@blueprint.get("/evidence")
def evidence_method():
    """How ratings are computed from the source register, and the library's items by rating."""
    catalogue = get_catalogue(bundle_instance())
    return render_template(
        "browse/evidence.html",
        taxonomy=catalogue.taxonomy,
        labels=catalogue.labels,
        tally=evidence_method_tally(catalogue),
    )


@blueprint.get("/glossary")
def glossary():
    catalogue = get_catalogue(bundle_instance())
    return render_template(
        "browse/glossary.html", sections=glossary_sections(catalogue), scope=scope_section(catalogue)
    )
