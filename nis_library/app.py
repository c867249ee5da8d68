"""The Flask application factory: `create_app()` builds one app; nothing is set up at import.
Every blueprint is registered here, in one place."""

from __future__ import annotations

from flask import Blueprint, Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from nis_library import settings as config
from nis_library.api import views as api_views
from nis_library.browse import views as browse_views
from nis_library.governance import views as governance_views
from nis_library.history import views as history_views
from nis_library.search import views as search_views
from nis_library.state.database import engine_for
from nis_library.state.migrate import require_current_schema
from nis_library.web import assets, context, errors, hosts, numbers, preview, security


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
        # The client's address from the proxies' X-Forwarded-For (the API's per-address limit), and
        # only from as many proxies as there are: a client cannot pass off a header it wrote itself.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings["PROXY_HOPS"], x_proto=0, x_host=0, x_port=0, x_prefix=0)
    _open_state_store(app, settings)
    for part in (context, assets, security, errors, hosts, numbers, preview):
        part.init_app(app)
    _register_blueprints(app)
    return app


def _open_state_store(app: Flask, settings: config.Settings) -> None:
    """Every page may read the state store (recommendations, ISP links), so an app whose database is
    missing migrations refuses to start, its error naming `nis db upgrade`, rather than fail later."""
    engine = engine_for(settings["DATABASE_URL"], settings.instance_dir)
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
    app.register_blueprint(api_views.blueprint, url_prefix="/api/v1")
    app.register_blueprint(api_views.page)
