"""The workspace pages. Who may see each is declared in nis_library.accounts.permissions and checked
before these run; they only read the request, call the workspace's plain functions and render."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request

from nis_library.accounts.current import current_account
from nis_library.accounts.permissions import rule_for
from nis_library.catalogue import get_catalogue
from nis_library.governance import recommendations
from nis_library.web.context import state_engine
from nis_library.web.errors import error_page
from nis_library.web.numbers import whole_number
from nis_library.workspace import reviews_and_audit

blueprint = Blueprint("workspace", __name__, url_prefix="/panel")
AUDIT_PER_PAGE = 50


def _catalogue():
    return get_catalogue(Path(current_app.config["INSTANCE_DIR"]))


@blueprint.get("/")
def home():
    account = current_account()
    may_read_audit = rule_for("workspace.audit").allows(account.role)
    return render_template("workspace/home.html", account=account, may_read_audit=may_read_audit)


@blueprint.get("/reviews")
def reviews():
    return render_template(
        "workspace/reviews.html", publications=reviews_and_audit.reviews_by_publication(_catalogue())
    )


@blueprint.get("/reviews/<review_id>")
def review(review_id: str):
    found = reviews_and_audit.review(_catalogue(), review_id)
    if found is None:
        abort(404)
    with state_engine().connect() as conn:
        made = [r for r in recommendations.every(conn) if r.review == found.id]
    return render_template("workspace/review.html", review=found, recommendations=made)


# Bounded so the row offset (page × rows a page) always fits the database's integers (found by the
# route fuzz: page=184467440737095518 overflowed SQLite).
MAX_AUDIT_PAGE = 1_000_000


@blueprint.get("/audit")
def audit():
    unknown = set(request.args) - {"page"}
    pages = request.args.getlist("page")
    number = whole_number(pages[0], low=1, high=MAX_AUDIT_PAGE) if len(pages) == 1 else (1 if not pages else None)
    if unknown or number is None:
        return error_page(
            400, f"The audit trail takes one parameter, page, a whole number from 1 to {MAX_AUDIT_PAGE} (?page=2)."
        )
    with state_engine().connect() as conn:
        found = reviews_and_audit.audit_page(conn, number, AUDIT_PER_PAGE)
    if found is None:
        abort(404)
    return render_template("workspace/audit.html", audit=found)
