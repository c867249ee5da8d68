"""The public register: `/recommendations` (filters with counts, one GET form that works without
JavaScript), one page per recommendation, CSV and JSON exports and an Atom feed of status changes.
Drafts are never shown there: their addresses are 404s like unknown ones. And the panel's workspace
pages for recommendations, under `/panel/recommendations`: list, draft, edit, publish, respond,
withdraw, each a GOV.UK form that works without JavaScript."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for

from nis_library.accounts.current import current_account
from nis_library.catalogue import get_catalogue
from nis_library.governance import exports, forms, register
from nis_library.governance import recommendations as recs
from nis_library.governance.feed import register_feed
from nis_library.governance.library_names import from_catalogue
from nis_library.governance.permissions import Actor, NotPermitted, permitted
from nis_library.governance.public_register import public_entries
from nis_library.governance.query import InvalidRegisterQuery, read_filters, register_path
from nis_library.governance.recommendations import ID_PATTERN
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
    with state_engine().connect() as conn:
        return public_entries(conn, catalogue, current_app.config["RESPONSE_DUE_DAYS"], today())


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


# -- the panel workspace: /panel/recommendations ---------------------------------------------------
# Who may reach each route is declared in accounts/permissions.py and checked before the view runs;
# the domain checks the role again, on the recommendation itself.

panel = Blueprint("recommendations", __name__, url_prefix="/panel/recommendations")


@panel.errorhandler(recs.NotFound)
def _not_found(error: recs.NotFound):
    return error_page(404, error.message, links=[("Every recommendation", url_for("recommendations.index"))])


@panel.errorhandler(recs.InvalidTransition)
def _invalid_transition(error: recs.InvalidTransition):
    return error_page(409, error.message, links=[("Every recommendation", url_for("recommendations.index"))])


@panel.errorhandler(NotPermitted)
def _not_permitted(error: NotPermitted):
    return error_page(403, error.message, links=[("Every recommendation", url_for("recommendations.index"))])


def _actor() -> Actor:
    account = current_account()
    return Actor(account.username, account.role)


def _terms():
    return from_catalogue(get_catalogue(Path(current_app.config["INSTANCE_DIR"])))


def _existing(rec_id: str) -> recs.Recommendation:
    with state_engine().connect() as conn:
        return recs.get(conn, rec_id)


@panel.get("/")
def index():
    with state_engine().connect() as conn:
        every = recs.every(conn)
    actor = _actor()
    return render_template(
        "governance/panel/index.html",
        recommendations=every,
        may_draft=permitted(actor, "draft"),
        due_days=current_app.config["RESPONSE_DUE_DAYS"],
        today=today(),
    )


def _draft_form(status: int = 200, **values):
    terms = _terms()
    reviews = [r for r in sorted(terms.reviews.values(), key=lambda r: r.id) if r.series and r.year]
    return render_template("governance/panel/draft_form.html", terms=terms, reviews=reviews, **values), status


@panel.route("/new", methods=["GET", "POST"])
def new():
    if request.method == "GET":
        return _draft_form(fields=forms.draft_fields({}), review="", errors={})
    fields = forms.draft_fields(request.form)
    review = request.form.get("review", "")[:200]
    terms = _terms()  # read from the bundle before the transaction takes the state store's write lock
    try:
        with recs.unit_of_work(state_engine()) as conn:
            made = recs.create_draft(conn, _actor(), terms, review=review, **fields.as_kwargs())
    except recs.InvalidInput as refused:
        return _draft_form(400, fields=fields, review=review, errors=refused.errors)
    return redirect(url_for(".detail", rec_id=made.id, saved="drafted"), 303)


@panel.get("/<rec_id>")
def detail(rec_id: str):
    rec = _existing(rec_id)
    actor = _actor()
    return render_template(
        "governance/panel/detail.html",
        rec=rec,
        may={action: permitted(actor, action) for action in ("edit", "publish", "withdraw", "respond")},
        saved=request.args.get("saved", "")[:20],
        due_days=current_app.config["RESPONSE_DUE_DAYS"],
        today=today(),
    )


@panel.route("/<rec_id>/edit", methods=["GET", "POST"])
def edit(rec_id: str):
    rec = _existing(rec_id)
    recs.check_transition("edit", rec)
    if request.method == "GET":
        return _draft_form(rec=rec, fields=_fields_of(rec), version=rec.version, errors={})
    fields = forms.draft_fields(request.form)
    terms = _terms()
    try:
        version = forms.edited_from(request.form)
        with recs.unit_of_work(state_engine()) as conn:
            saved = recs.edit_draft(conn, _actor(), terms, rec.id, version, **fields.as_kwargs())
    except recs.InvalidInput as refused:
        return _draft_form(
            400, rec=rec, fields=fields, version=request.form.get("version", "")[:20], errors=refused.errors
        )
    except recs.StaleEdit as stale:
        # Nothing lost: the form keeps what they typed, now against the current version, with the
        # other person's values beside it.
        return _draft_form(
            409,
            rec=stale.current,
            fields=fields,
            version=stale.current.version,
            errors={},
            stale=stale.message,
            comparison=forms.stale_comparison(fields, stale.current),
        )
    return redirect(url_for(".detail", rec_id=saved.id, saved="edited"), 303)


def _fields_of(rec: recs.Recommendation) -> forms.DraftFields:
    return forms.DraftFields(rec.text, rec.rationale, rec.items, rec.areas, rec.layers)


def _stale_page(stale: recs.StaleEdit, action: str):
    return render_template("governance/panel/stale.html", rec=stale.current, message=stale.message, action=action), 409


@panel.post("/<rec_id>/publish")
def publish(rec_id: str):
    rec = _existing(rec_id)
    try:
        with recs.unit_of_work(state_engine()) as conn:
            done = recs.publish(conn, _actor(), rec.id, forms.edited_from(request.form))
    except recs.InvalidInput as refused:
        return error_page(400, refused.message)
    except recs.StaleEdit as stale:
        return _stale_page(stale, "publish")
    return redirect(url_for(".detail", rec_id=done.id, saved="published"), 303)


def _decision_form(template: str, rec, status: int = 200, **values):
    return render_template(template, rec=rec, responses=recs.RESPONSES, **values), status


@panel.route("/<rec_id>/respond", methods=["GET", "POST"])
def respond(rec_id: str):
    rec = _existing(rec_id)
    template = "governance/panel/respond.html"
    if request.method == "GET":
        recs.check_transition("respond", rec)
        return _decision_form(template, rec, version=rec.version, response="", explanation="", errors={})
    response = request.form.get("response", "")[:40]
    explanation = request.form.get("explanation", "")[: forms.MAX_FIELD]
    try:
        with recs.unit_of_work(state_engine()) as conn:
            done = recs.respond(
                conn, _actor(), rec.id, forms.edited_from(request.form), response=response, explanation=explanation
            )
    except recs.InvalidInput as refused:
        values = dict(version=request.form.get("version", "")[:20], response=response, explanation=explanation)
        return _decision_form(template, rec, 400, errors=refused.errors, **values)
    except recs.StaleEdit as stale:
        return _stale_page(stale, "respond")
    return redirect(url_for(".detail", rec_id=done.id, saved="responded"), 303)


@panel.route("/<rec_id>/withdraw", methods=["GET", "POST"])
def withdraw(rec_id: str):
    rec = _existing(rec_id)
    template = "governance/panel/withdraw.html"
    if request.method == "GET":
        recs.check_transition("withdraw", rec)
        return _decision_form(template, rec, version=rec.version, reason="", errors={})
    reason = request.form.get("reason", "")[: forms.MAX_FIELD]
    try:
        with recs.unit_of_work(state_engine()) as conn:
            done = recs.withdraw(conn, _actor(), rec.id, forms.edited_from(request.form), reason=reason)
    except recs.InvalidInput as refused:
        values = dict(version=request.form.get("version", "")[:20], reason=reason)
        return _decision_form(template, rec, 400, errors=refused.errors, **values)
    except recs.StaleEdit as stale:
        return _stale_page(stale, "withdraw")
    return redirect(url_for(".detail", rec_id=done.id, saved="withdrawn"), 303)
