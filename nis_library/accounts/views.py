"""Signing in and out (`/panel/sign-in`, `/panel/sign-out`), and the guard every request passes:
the signed-in account (Flask-Login over the server-side session) is made the request's current
account, and the endpoint's rule in `permissions` is checked before its view runs. Signed out, a
private page redirects to the sign-in page (with a safe `next`); a wrong role gets a 403 page and an
audit row. A missing or forged CSRF token gets a 400 page and an audit row; nothing changes."""

from __future__ import annotations

import datetime as dt
import math

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError

from nis_library.accounts import sign_in as signing
from nis_library.accounts.current import actor, current_account, reset_current, set_current
from nis_library.accounts.permissions import rule_for
from nis_library.accounts.roles import ROLES
from nis_library.accounts.store import Account
from nis_library.state.rate_limits import Limit
from nis_library.web import device_cookies
from nis_library.web.context import state_engine
from nis_library.web.errors import error_page

blueprint = Blueprint("accounts", __name__)
login_manager = LoginManager()
login_manager.session_protection = None  # sessions are server-side, rotated at sign-in, ended server-side


class SignedIn(UserMixin):
    def __init__(self, account: Account):
        self.account = account

    def get_id(self) -> str:
        return str(self.account.id)


@login_manager.user_loader
def _load_user(account_id: str) -> SignedIn | None:
    if not (account_id.isascii() and account_id.isdigit()):
        return None
    with state_engine().connect() as conn:
        account = signing.load_account(conn, int(account_id))
    return None if account is None else SignedIn(account)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(_guard)
    app.teardown_request(_forget_account)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.context_processor(lambda: {"current_account": current_account(), "roles": ROLES})


def _limits() -> signing.SignInLimits:
    window = dt.timedelta(minutes=current_app.config["SIGN_IN_WINDOW_MINUTES"])
    return signing.SignInLimits(
        Limit(current_app.config["SIGN_IN_ATTEMPTS_PER_ACCOUNT"], window),
        Limit(current_app.config["SIGN_IN_ATTEMPTS_PER_ADDRESS"], window),
        Limit(current_app.config["SIGN_IN_ATTEMPTS_FROM_NEW_BROWSERS"], window),
    )


def _guard():
    account = current_user.account if current_user.is_authenticated else None
    g.account_token = set_current(account)
    if request.endpoint is None:
        return None  # no such address or method: Flask answers 404 or 405
    rule = rule_for(request.endpoint)
    if rule is not None and rule.public:
        return None
    if account is None and rule is not None:
        wanted = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("accounts.sign_in", next=signing.safe_next(wanted)))
    if rule is None or not rule.allows(account.role if account else None):
        with state_engine().begin() as conn:
            signing.record_refusal(
                conn,
                actor(request.remote_addr),
                "access.denied",
                f"{request.method} {request.path}",
                {"endpoint": request.endpoint, "role": account.role if account else None},
            )
        who = ROLES[account.role].label.lower() if account else "signed-out visitor"
        return error_page(
            403,
            f"Your account ({who}) cannot do this. If you think it should, ask an administrator.",
            links=[("Go to the panel workspace", url_for("workspace.home"))],
        )
    return None


def _forget_account(_error=None) -> None:
    token = g.pop("account_token", None)
    if token is not None:
        reset_current(token)


def _csrf_refused(error: CSRFError):
    with state_engine().begin() as conn:
        signing.record_refusal(
            conn,
            actor(request.remote_addr),
            "request.refused-csrf",
            f"{request.method} {request.path}",
            {"reason": error.description},
        )
    return error_page(
        400,
        "This form could not be accepted: it was not sent from this service's own page, or the page is too old. "
        "Nothing was changed. Go back, reload the page and try again.",
        links=[("Go to the panel workspace", url_for("workspace.home"))],
    )


def _next_from_request() -> str | None:
    values = request.values.getlist("next")
    return signing.safe_next(values[0]) if len(values) == 1 else None


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@blueprint.route("/panel/sign-in", methods=["GET", "POST"])
def sign_in():
    next_page = _next_from_request()
    if current_account() is not None and request.method == "GET":
        return redirect(next_page or url_for("workspace.home"))
    if request.method == "GET":
        return render_template(
            "accounts/sign_in.html",
            form=signing.SignInForm(),
            next_page=next_page,
            signed_out=request.args.get("signed-out") == "1",
        )
    form = signing.read_form(request.form.get("username", ""), request.form.get("password", ""))
    if form.errors:
        return render_template("accounts/sign_in.html", form=form, next_page=next_page), 400
    device = device_cookies.known_device(request, form.username)
    outcome = signing.attempt(state_engine(), form.username, form.password, request.remote_addr, _limits(), device)
    if outcome.limited:
        wait = _wait_text(outcome.retry_after)
        form.errors["username"] = f"You have tried to sign in too many times. Wait {wait}, then try again."
        body = render_template("accounts/sign_in.html", form=form, next_page=next_page, limited=True)
        return body, 429, {"Retry-After": str(outcome.retry_after)}
    if outcome.account is None:
        form.errors["username"] = "The username or password is not right, or the account cannot sign in"
        return render_template("accounts/sign_in.html", form=form, next_page=next_page, failed=True), 400
    session.clear()
    session.regenerate()  # a new session id: one planted or seen before sign-in is worth nothing now
    login_user(SignedIn(outcome.account))
    response = redirect(next_page or url_for("workspace.home"))
    device_cookies.remember(request, response, outcome.account.username, device)
    return response


@blueprint.post("/panel/sign-out")
def sign_out():
    account = current_account()
    logout_user()
    session.clear()
    if account is not None:
        with state_engine().begin() as conn:
            signing.record_sign_out(conn, account)
    return redirect(url_for("accounts.sign_in", **{"signed-out": "1"}))
