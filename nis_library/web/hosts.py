"""The service's own address. Absolute URLs (the API's, feed ids and links, permalinks, redirects)
are built from `PUBLIC_URL` when it is set, never from a Host header a client chose; and Flask's
`TRUSTED_HOSTS` (see `nis_library.settings`) turns any other Host header into a 400, so a cache in
front cannot be poisoned with another site's address."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask.globals import request_ctx
from werkzeug.exceptions import SecurityError
from werkzeug.utils import redirect

from nis_library.settings import public_host
from nis_library.web import errors
from nis_library.web.json_api import problems


def init_app(app: Flask) -> None:
    app.register_error_handler(SecurityError, _untrusted_host)
    app.after_request(_public_redirect)


def public_root() -> str:
    """The service's address without a trailing slash: `PUBLIC_URL`, or else the request's own
    (its Host header, which `TRUSTED_HOSTS` has already checked)."""
    return (current_app.config["PUBLIC_URL"] or request.url_root).rstrip("/")


def absolute_url(path: str) -> str:
    """`/items/ADJ-0001` as the public reaches it."""
    return public_root() + path


def _untrusted_host(error: SecurityError):
    # Flask could not bind the URL map to an untrusted host, so the error page could not build its
    # links; bind it to a trusted one. The page's links are paths, so the host name never shows.
    host = public_host(current_app.config["PUBLIC_URL"]) or current_app.config["TRUSTED_HOSTS"][0]
    request_ctx.url_adapter = current_app.url_map.bind(
        host.lstrip("."), script_name=request.script_root or "/", url_scheme=request.scheme
    )
    message = "This service does not answer to the host name in the request."
    if errors.for_the_api():
        return problems.answer("untrusted-host", message)
    error.description = message
    return errors.http_error(error)


def _public_redirect(response):
    """Werkzeug's own redirects (`/preview` to `/preview/`) are absolute, built from the request's
    host; point them at the public address instead."""
    public = current_app.config["PUBLIC_URL"]
    location = response.headers.get("Location")
    if public and location and response.status_code in range(300, 400):
        own_root = request.url_root
        if location.startswith(own_root):
            moved = public.rstrip("/") + "/" + location[len(own_root) :]
            response.headers["Location"] = moved
            response.set_data(redirect(moved, response.status_code).get_data())  # its body names the address too
    return response
