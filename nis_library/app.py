"""The Flask application factory. The full web service comes later; for now one page lists the
library's coverage so the README's run command serves something real."""

from __future__ import annotations

from flask import Flask, render_template

from indexer.library import load_library
from indexer.stats import coverage

from . import config


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(config.templates_dir()))
    app.config.from_mapping(CONTENT_DIR=str(config.content_dir()))
    if test_config:
        app.config.update(test_config)

    @app.get("/")
    def home():
        library = load_library(app.config["CONTENT_DIR"])
        items = sorted(library.items.values(), key=lambda i: i.id)
        cover = coverage(library) if library.taxonomy else None
        return render_template("home.html", library=library, items=items, cover=cover)

    return app
