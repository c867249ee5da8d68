"""The Flask application factory: `create_app()` builds one app; nothing is set up at import.
Every blueprint is registered here, in one place."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from nis_library import settings as config
from nis_library.accounts import views as accounts_views
from nis_library.accounts.sessions import SessionStore
from nis_library.api import views as api_views
from nis_library.browse import views as browse_views
from nis_library.governance import views as governance_views
from nis_library.history import views as history_views
from nis_library.isp_links import views as isp_links_views
from nis_library.search import views as search_views
from nis_library.state.database import engine_for
from nis_library.state.migrate import require_current_schema
from nis_library.web import (
    assets,
    context,
    csrf,
    errors,
    fragments,
    hosts,
    numbers,
    preview,
    private,
    secret_key,
    security,
)
from nis_library.web.sessions import ServerSessionInterface
from nis_library.workspace import views as workspace_views


def create_app(test_config: dict | None = None) -> Flask:
    """Settings come from `config.load_settings`: defaults, then `instance/config.py`, then `NIS_*`
    environment variables, then `test_config`. A value that cannot be used raises `SettingsError`
    here, naming where it came from."""
    settings = config.load_settings(test_config, overridden_by="create_app(test_config)")
    app = Flask(__name__, instance_path=str(settings.instance_dir), template_folder=str(config.templates_dir()))
    app.config.update(settings.flask_config())
    app.extensions["nis_settings"] = settings

    # Our templates first, then GOV.UK Frontend's macros ("govuk_frontend_jinja/components/...").
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(config.templates_dir())),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )

    if settings["PROXY_HOPS"]:
        # The client's own address (for the per-address sign-in and API limits and the audit log) and scheme,
        # as the trusted proxies in front report them; never more hops than are really there.
        hops = settings["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    _open_state_store(app, settings)
    _sign_in(app, settings)
    # `private` before `security`: after-request hooks run last-registered first, and a private
    # page's no-store must replace the no-cache that `security` gives every page.
    for part in (context, assets, fragments, private, security, errors, hosts, numbers, preview):
        part.init_app(app)
    _register_blueprints(app)
    return app


def _sign_in(app: Flask, settings: config.Settings) -> None:
    """Server-side sessions in the state store, the signed-in account and the permission check of
    every request, then CSRF tokens on every form: in this order, so a signed-out visitor's POST to a
    private page is sent to sign in before its token is looked at."""
    app.session_interface = ServerSessionInterface(
        SessionStore(
            app.extensions[context.STATE_ENGINE],
            idle=dt.timedelta(minutes=settings["SESSION_IDLE_MINUTES"]),
            lifetime=dt.timedelta(hours=settings["SESSION_LIFETIME_HOURS"]),
        )
    )
    secret_key.init_app(app)
    accounts_views.init_app(app)
    csrf.init_app(app)


def _open_state_store(app: Flask, settings: config.Settings) -> None:
    """Every page may read the state store (recommendations, ISP links), so an app whose database is
    missing migrations refuses to start, its error naming `nis db upgrade`, rather than fail later."""
    engine = engine_for(settings)
    try:
        require_current_schema(engine)
    except Exception:
        engine.dispose()
        raise
    app.extensions[context.STATE_ENGINE] = engine


def _register_blueprints(app: Flask) -> None:
    # The pages a reader browses; with PREVIEW on, served again at /preview from the working copies.
    pages = Blueprint(context.PAGES, __name__)
    pages.register_blueprint(browse_views.blueprint)
    pages.register_blueprint(search_views.blueprint)
    app.register_blueprint(pages)
    if app.config["PREVIEW"]:
        app.register_blueprint(pages, name=context.PREVIEW, url_prefix=preview.PREFIX)
    app.register_blueprint(history_views.blueprint)
    app.register_blueprint(governance_views.blueprint)
    app.register_blueprint(governance_views.panel)
    app.register_blueprint(api_views.blueprint, url_prefix="/api/v1")
    app.register_blueprint(isp_links_views.blueprint, url_prefix="/api/v1")
    # Bearer tokens, never cookies: a cross-site page cannot make the browser send one, so there is
    # nothing for a CSRF token to protect (and ISP systems have no session to hold one).
    csrf.csrf.exempt(isp_links_views.blueprint)
    app.register_blueprint(accounts_views.blueprint)
    app.register_blueprint(workspace_views.blueprint)
    app.register_blueprint(api_views.page)
