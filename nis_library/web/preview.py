"""The preview (`/preview`, drafts and all) is for the panel, never for search engines: every
response under it says `X-Robots-Tag: noindex`, error pages and redirects included, and its pages
carry the matching robots meta tag (`noindex` in the templates' context)."""

from __future__ import annotations

from flask import Flask, request

PREFIX = "/preview"


def init_app(app: Flask) -> None:
    app.after_request(_noindex)  # the robots meta tag: nis_library.web.private, with the panel's pages


def under_preview() -> bool:
    """By the address, not the blueprint: a 404 under /preview has no blueprint but is the preview's."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _noindex(response):
    if under_preview():
        response.headers["X-Robots-Tag"] = "noindex"
    return response
