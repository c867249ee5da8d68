"""The panel's pages (`/panel/`, and the preview of drafts at `/preview`) are for signed-in people:
never stored by a browser or a shared cache (`Cache-Control: no-store`) and never indexed
(`X-Robots-Tag: noindex`, and the robots meta tag through `noindex` in the templates' context)."""

from __future__ import annotations

from flask import Flask, request

PANEL = "/panel"
PRIVATE_PREFIXES = (PANEL, "/preview")


def init_app(app: Flask) -> None:
    app.after_request(_private)
    app.context_processor(lambda: {"noindex": any(under(prefix) for prefix in PRIVATE_PREFIXES)})


def under(prefix: str) -> bool:
    return request.path == prefix or request.path.startswith(prefix + "/")


def under_panel() -> bool:
    return under(PANEL)


def _private(response):
    if any(under(prefix) for prefix in PRIVATE_PREFIXES):
        response.headers["X-Robots-Tag"] = "noindex"
        response.cache_control.no_store = True
        response.cache_control.no_cache = None
        response.cache_control.public = None
    return response
