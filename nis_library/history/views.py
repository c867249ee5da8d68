"""The published record's pages: immutable item versions, version history, diffs, editions,
reviews, and Atom feeds of editions and of one item's changes."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, url_for

from nis_library import rating_account
from nis_library.catalogue import get_catalogue, is_item_id
from nis_library.history import feeds
from nis_library.history import published_history as history
from nis_library.history.field_words import field_words
from nis_library.isp_links.impact import flagged_counts, flagging
from nis_library.web.caching import for_polling
from nis_library.web.context import state_engine, today
from nis_library.web.errors import error_page
from nis_library.web.hosts import absolute_url, public_root
from nis_library.web.numbers import whole_number

blueprint = Blueprint("history", __name__)
blueprint.add_app_template_filter(field_words, "field_words")


def _catalogue():
    return get_catalogue(Path(current_app.config["INSTANCE_DIR"]))


def _known_item(item_id: str):
    if not is_item_id(item_id):
        abort(404)
    catalogue = _catalogue()
    versions = history.versions(catalogue, item_id)
    if not versions:
        abort(404)
    return catalogue, versions


@blueprint.get("/items/<item_id>/v/<int:number>")
def item_version(item_id: str, number: int):
    catalogue, versions = _known_item(item_id)
    found = history.version(catalogue, item_id, number)
    if found is None:
        return error_page(
            404,
            f"{item_id} has no version {number}. It has versions 1 to {len(versions)}.",
            links=[(f"Version history of {item_id}", url_for(".item_history", item_id=item_id))],
        )
    return render_template(
        "history/version.html",
        version=found,
        labels=catalogue.labels,
        titles=catalogue.titles,
        editions=catalogue.editions_holding(item_id, number),
        permalink=absolute_url(found.summary.path),
        rating=rating_account.for_version(catalogue, found),
    )


@blueprint.get("/items/<item_id>/history")
def item_history(item_id: str):
    catalogue, versions = _known_item(item_id)
    current = catalogue.item(item_id)
    areas = list(current.summary.areas) if current else []
    dates = history.item_review_dates(catalogue, item_id, versions[-1].kind, areas, today())
    return render_template(
        "history/history.html", item_id=item_id, versions=versions, review_dates=dates, titles=catalogue.titles
    )


@blueprint.get("/items/<item_id>/diff")
def item_diff(item_id: str):
    catalogue, versions = _known_item(item_id)
    latest = versions[-1].number
    pair = _version_pair()
    if pair is None:
        return error_page(
            400,
            "Choose two versions to compare, each given once as a number, for example ?from=1&to=2.",
            links=[(f"Version history of {item_id}", url_for(".item_history", item_id=item_id))],
        )
    old, new = pair
    compared = history.compare(catalogue, item_id, old, new)
    if compared is None:
        return error_page(
            404,
            f"{item_id} has versions 1 to {latest}; there is no version {old if not 1 <= old <= latest else new}.",
            links=[(f"Version history of {item_id}", url_for(".item_history", item_id=item_id))],
        )
    return render_template(
        "history/diff.html", item_id=item_id, compared=compared, versions=versions, titles=catalogue.titles
    )


def _version_pair() -> tuple[int, int] | None:
    """`from` and `to`, each given once and written as a version number is ('2', not '02' or '２')."""
    numbers = [request.args.getlist(name) for name in ("from", "to")]
    if any(len(values) != 1 for values in numbers):
        return None
    old, new = (whole_number(values[0], low=1) for values in numbers)
    return None if old is None or new is None else (old, new)


@blueprint.get("/editions")
def editions():
    catalogue = _catalogue()
    return render_template(
        "history/editions.html", publications=history.editions_by_publication(catalogue), titles=catalogue.titles
    )


@blueprint.get("/editions/<publication>/<number>")
def edition(publication: str, number: str):
    catalogue = _catalogue()
    found = history.edition(catalogue, publication, number)
    if found is None:
        abort(404)
    changes = [(v.id, v.number) for v in flagging(found.substantive + found.editorial)]
    with state_engine().connect() as conn:
        flagged = flagged_counts(conn, changes)  # counts only: never which settings
    return render_template("history/edition.html", edition=found, flagged=flagged, titles=catalogue.titles)


@blueprint.get("/reviews")
def reviews():
    day = today()
    return render_template("history/reviews.html", overview=history.review_overview(_catalogue(), day), today=day)


@blueprint.get("/feeds/editions.atom")
def editions_feed():
    return _atom(feeds.editions_feed(history.editions(_catalogue()), public_root()))


@blueprint.get("/items/<item_id>/feed.atom")
def item_feed(item_id: str):
    _, versions = _known_item(item_id)
    return _atom(feeds.item_feed(item_id, versions, public_root()))


def _atom(body: bytes):
    return for_polling(body, mimetype="application/atom+xml")
