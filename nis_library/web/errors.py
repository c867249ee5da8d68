"""Error pages in the service's own design. A request that is wrong gets a 400 that says what was
wrong; nothing a visitor types can cause a 500."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.bundle.location import BundleError
from nis_library.web.json_api import problems
from nis_library.web.json_api.problems import Problem

TITLES = {
    400: "There is a problem with the address",
    403: "You cannot see this page",
    404: "Page not found",
    405: "This address does not accept that kind of request",
    429: "You have made too many requests",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the library is not available right now",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(Problem, problems.problem_response)
    app.register_error_handler(BundleError, _unavailable)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, _unexpected)


def error_page(status: int, message: str | None = None, links: list[tuple[str, str]] | None = None):
    """`links`: (text, href) pairs that lead somewhere useful from here."""
    title = TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
    return render_template("web/error.html", status=status, title=title, message=message, links=links or []), status


def http_error(error: HTTPException):
    if for_the_api():  # the API answers with problem details even for addresses it lacks
        code = problems.BY_STATUS.get(error.code or 500, "internal-error")
        body, status = problems.answer(code, error.description or problems.CODES[code].title), error.code or 500
    else:
        body, status = error_page(error.code or 500, _description(error))
    return body, status, _protocol_headers(error)


def _protocol_headers(error: HTTPException) -> list[tuple[str, str]]:
    """The headers the error itself carries (a 405's `Allow`, a 503's `Retry-After`), which
    Werkzeug's own response would have sent; not its body's type or length."""
    return [
        (name, value) for name, value in error.get_headers() if name.lower() not in ("content-type", "content-length")
    ]


def _description(error: HTTPException) -> str | None:
    if error.code in (404, 500):
        return None  # the template says it better than Werkzeug's stock text
    return error.description


def _unavailable(error: BundleError):
    current_app.logger.error("bundle unavailable: %s", error)
    if for_the_api():
        return problems.answer("unavailable", "The library is not available right now.")
    return error_page(503)


def for_the_api() -> bool:
    """Errors under /api/ are JSON."""
    return request.path.startswith("/api/")


def _unexpected(error: Exception):
    current_app.logger.exception("unexpected error")
    if for_the_api():
        return problems.answer("internal-error", "Sorry, there is a problem with the service.")
    return error_page(500)
