"""The Flask application factory: `create_app()` builds one app; nothing is set up at import."""

from __future__ import annotations

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from nis_library.web import assets, errors, security
from nis_library import settings as config
from nis_library.api import views as api
from nis_library.history import views as history_pages
from nis_library.browse import views as pages


def create_app(test_config: dict | None = None) -> Flask:
    """Settings come from `config.load_settings`: defaults, then `instance/config.py`, then `NIS_*`
    environment variables, then `test_config`. A value that cannot be used raises `SettingsError`
    here, naming where it came from."""
    settings = config.load_settings(test_config, overridden_by="create_app(test_config)")
    app = Flask(__name__, instance_path=str(settings.instance_dir), template_folder=str(config.templates_dir()))
    app.config.update(settings.flask_config())
    app.extensions["nis_settings"] = settings

    # Our templates first, then GOV.UK Frontend's macros ("govuk_frontend_jinja/components/...").
    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(config.templates_dir())),
                                     PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})])

    pages.htmx.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    pages.init_app(app)
    app.register_blueprint(history_pages.blueprint)
    app.register_blueprint(api.blueprint, url_prefix="/api/v1")
    return app
