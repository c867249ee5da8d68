"""The API's one way of saying no: RFC 9457 problem details (`application/problem+json`).

Every error under /api/ — the read API's and the ISP links API's alike — is a `Problem` with a code
from `CODES`, the one list of what can go wrong. The code fixes the HTTP status, so the same thing
answers the same way wherever it happens, and travels in the body as the `code` extension member:
programs act on it; `title` and `detail` are for people and may change. openapi.yaml lists the same
codes (a test holds the two together)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Response, current_app, request

MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True)
class Kind:
    status: int
    title: str


CODES: dict[str, Kind] = {
    # the request as a whole
    "untrusted-host": Kind(400, "The Host header is not one the service answers to"),
    "unknown-parameter": Kind(400, "A query parameter this endpoint does not take"),
    "repeated-parameter": Kind(400, "A parameter given more than once where it is taken once"),
    "missing-parameter": Kind(400, "A parameter this endpoint needs is missing"),
    "invalid-parameter": Kind(400, "A parameter's value is not valid"),
    "invalid-cursor": Kind(400, "The cursor was not given out by this API"),
    "malformed-json": Kind(400, "The body is not valid JSON"),
    "invalid-body": Kind(400, "The body is not a JSON object"),
    "invalid-idempotency-key": Kind(400, "The Idempotency-Key header is not valid"),
    "missing-token": Kind(401, "No bearer token was sent"),
    "invalid-token": Kind(401, "The bearer token is unknown, revoked or malformed"),
    # what was asked for
    "not-found": Kind(404, "No endpoint at this address"),
    "item-not-found": Kind(404, "No published item has this ID"),
    "version-not-found": Kind(404, "The item has no version with this number"),
    "edition-not-found": Kind(404, "There is no such edition"),
    "recommendation-not-found": Kind(404, "No published recommendation has this ID"),
    "link-not-found": Kind(404, "You have no link with this ID"),
    "webhook-not-found": Kind(404, "No webhook callback is registered"),
    "method-not-allowed": Kind(405, "The address does not take this method"),
    "not-acceptable": Kind(406, "The Accept header excludes the only type the address answers in"),
    "duplicate-link": Kind(409, "The plan already links this item"),
    "item-withdrawn": Kind(409, "The item has been withdrawn"),
    "link-cap-reached": Kind(409, "The client holds the most links one client may"),
    "body-too-large": Kind(413, "The request body is over the limit"),
    "unsupported-media-type": Kind(415, "The request body is of a type this endpoint does not take"),
    # the body's content
    "unknown-field": Kind(422, "The body has a field this endpoint does not take"),
    "missing-field": Kind(422, "The body lacks a required field"),
    "invalid-field": Kind(422, "A field's value is not valid"),
    "invalid-isp-ref": Kind(422, "isp_ref is not an opaque token"),
    "invalid-links": Kind(422, "Some of the links cannot be made, so none were"),
    "bulk-size": Kind(422, "Too many or too few links at once"),
    "invalid-callback": Kind(422, "The webhook callback cannot be used"),
    "idempotency-key-reused": Kind(422, "The Idempotency-Key was used for a different request"),
    # the service
    "rate-limited": Kind(429, "Too many requests"),
    "internal-error": Kind(500, "Something went wrong in the service"),
    "unavailable": Kind(503, "The library is not available right now"),
}

# An HTTP error Werkzeug raises itself (an address or method the API lacks) as one of our codes.
BY_STATUS = {400: "invalid-parameter", 404: "not-found", 405: "method-not-allowed", 406: "not-acceptable"}
BY_STATUS |= {413: "body-too-large", 415: "unsupported-media-type", 429: "rate-limited", 503: "unavailable"}


class Problem(Exception):
    """Raise to answer with problem details. `extra` adds members (a bulk create's `problems`)."""

    def __init__(self, code: str, detail: str, headers: dict[str, str] | None = None, extra: dict | None = None):
        if code not in CODES:
            raise ValueError(f"unknown problem code {code!r}: add it to CODES and openapi.yaml")
        super().__init__(detail)
        self.code, self.detail = code, detail
        self.headers, self.extra = headers or {}, extra or {}

    @property
    def status(self) -> int:
        return CODES[self.code].status


def type_uri(code: str) -> str:
    """Where the code is explained: its row on the API page. Absolute, at the public address; a host
    the service does not trust is never echoed back, so that one problem's type stays relative."""
    root = "" if code == "untrusted-host" else (current_app.config["PUBLIC_URL"] or request.url_root)
    return f"{root.rstrip('/')}/api#problem-{code}"


def problem_response(problem: Problem) -> Response:
    """The problem as its response. Never cached: the next request must ask again."""
    kind = CODES[problem.code]
    body = {
        "type": type_uri(problem.code),
        "title": kind.title,
        "status": kind.status,
        "detail": problem.detail,
        "code": problem.code,
    } | problem.extra
    response = Response(json.dumps(body, ensure_ascii=False), status=kind.status, mimetype=MEDIA_TYPE)
    response.cache_control.no_store = True
    response.headers.update(problem.headers)
    return response


def answer(code: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    return problem_response(Problem(code, detail, headers))


REALM = 'Bearer realm="nis-library"'


def token_problem(missing: bool) -> Problem:
    """A 401 for a request with no token, or one that names no active client."""
    if missing:
        return Problem(
            "missing-token", "Send your token as 'Authorization: Bearer <token>'.", {"WWW-Authenticate": REALM}
        )
    return Problem(
        "invalid-token",
        "The token is not valid: it is unknown, revoked or malformed.",
        {"WWW-Authenticate": REALM + ', error="invalid_token"'},
    )
