"""The public register: `/recommendations` (filters with counts, one GET form that works without
JavaScript), one page per recommendation, CSV and JSON exports and an Atom feed of status changes.
Drafts are never shown: their addresses are 404s like unknown ones."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, make_response, render_template, request

from nis_library.catalogue import get_catalogue
from nis_library.governance import exports, register
from nis_library.governance.feed import register_feed
from nis_library.governance.query import InvalidRegisterQuery, read_filters, register_path
from nis_library.governance.recommendations import ID_PATTERN
from nis_library.governance.service import public_entries
from nis_library.web.caching import for_polling
from nis_library.web.context import state_engine, today
from nis_library.web.errors import error_page
from nis_library.web.hosts import public_root

blueprint = Blueprint("governance", __name__)


@blueprint.app_errorhandler(InvalidRegisterQuery)
def _invalid_query(error: InvalidRegisterQuery):
    return error_page(400, error.message, links=[("The whole register", "/recommendations")])


def _entries():
    catalogue = get_catalogue(Path(current_app.config["INSTANCE_DIR"]))
    return public_entries(state_engine(), catalogue, current_app.config["RESPONSE_DUE_DAYS"], today())


def _no_parameters() -> None:
    if request.query_string:
        raise InvalidRegisterQuery("This address takes no parameters: filter on the register page.")


@blueprint.get("/recommendations")
def register_page():
    entries, terms = _entries()
    labels = register.filter_labels(terms)
    filters = read_filters(request.query_string, labels)
    shown = register.apply(entries, filters)
    chosen = [
        (register.FILTER_LEGENDS[name], labels[name][value], register_path(_without(filters, name, value)))
        for name in register.FILTERS
        for value in filters.get(name, ())
    ]
    return render_template(
        "governance/register.html",
        entries=shown,
        total=len(entries),
        groups=register.filter_groups(entries, filters, terms),
        chosen=chosen,
        due_days=current_app.config["RESPONSE_DUE_DAYS"],
        terms=terms,
    )


def _without(filters: dict[str, list[str]], name: str, value: str) -> dict[str, list[str]]:
    return {n: [v for v in values if (n, v) != (name, value)] for n, values in filters.items()}


@blueprint.get("/recommendations/<rec_id>")
def recommendation(rec_id: str):
    _no_parameters()
    if not ID_PATTERN.fullmatch(rec_id):
        abort(404)
    entries, terms = _entries()
    entry = next((e for e in entries if e.id == rec_id), None)  # drafts are not among them
    if entry is None:
        abort(404)
    return render_template(
        "governance/recommendation.html",
        entry=entry,
        labels=register.filter_labels(terms),
        layers=terms.layers,
        due_days=current_app.config["RESPONSE_DUE_DAYS"],
    )


@blueprint.get("/recommendations.csv")
def register_csv():
    _no_parameters()
    entries, _ = _entries()
    response = make_response(exports.to_csv(entries, public_root()))
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = 'attachment; filename="recommendations.csv"'
    return response


@blueprint.get("/recommendations.json")
def register_json():
    _no_parameters()
    entries, _ = _entries()
    response = make_response(exports.to_json(entries, public_root()))
    response.mimetype = "application/json"
    return response


@blueprint.get("/feeds/recommendations.atom")
def register_atom():
    _no_parameters()
    entries, _ = _entries()
    return for_polling(register_feed(entries, public_root()), mimetype="application/atom+xml")
