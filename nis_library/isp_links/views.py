"""The ISP links API under /api/v1: links, review notices, acknowledgement, bulk create, the webhook
callback and its deliveries. Every request carries `Authorization: Bearer <token>` and is counted
against the token's rate limit; every body is strict JSON; every error is
`{"error": {"code": ..., "message": ...}}` with a stable code (openapi.yaml lists them)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from nis_library.catalogue import get_catalogue
from nis_library.isp_links import callbacks, clients, links, webhooks
from nis_library.isp_links import versions as item_versions
from nis_library.isp_links.requests import BadBody, BulkRequest, LinkRequest, WebhookRequest, parse
from nis_library.state.rate_limits import Limit, hit
from nis_library.web.context import state_engine
from nis_library.web.errors import json_error
from nis_library.web.hosts import public_root

blueprint = Blueprint("isp_links", __name__)

PAGE_SIZE, PAGE_MAX = 100, 500
DELIVERIES_SHOWN = 100
REALM = 'Bearer realm="nis-library"'


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None, extra: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers, self.extra = headers or {}, extra or {}


@blueprint.errorhandler(ApiError)
def _api_error(error: ApiError):
    response, status = json_error(error.status, error.code, error.message)
    if error.extra:
        body = response.get_json()
        body["error"] |= error.extra
        response.set_data(json.dumps(body))
    response.headers.update(error.headers)
    return response, status


# -- every request: the token, the rate limit, the body -------------------------------------------


@blueprint.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    if not header:
        raise ApiError(
            401, "missing-token", "Send your token as 'Authorization: Bearer <token>'.", {"WWW-Authenticate": REALM}
        )
    scheme, _, token = header.partition(" ")
    invalid = ApiError(
        401,
        "invalid-token",
        "The token is not valid: it is unknown, revoked or malformed.",
        {"WWW-Authenticate": REALM + ', error="invalid_token"'},
    )
    if scheme.lower() != "bearer" or not token.strip():
        raise invalid
    config = current_app.config
    with state_engine().begin() as conn:
        client = clients.authenticate(conn, token.strip())
        if client is None:
            raise invalid
        limit = Limit(config["API_RATE_LIMIT"], dt.timedelta(seconds=config["API_RATE_WINDOW"]))
        decision = hit(conn, f"api-token:{client.id}", limit)
    if not decision.allowed:
        raise ApiError(
            429,
            "rate-limited",
            f"Too many requests for this token: try again in {decision.retry_after} seconds.",
            {"Retry-After": str(decision.retry_after)},
        )
    g.client = client


def _reject_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise BadBody("malformed-json", f"The body gives the field '{key}' more than once.")
    return dict(pairs)


def _not_a_number(name: str):
    raise BadBody("malformed-json", f"The body holds {name}, which is not JSON.")


def _json_body():
    """The request's JSON body: 415 if it is not sent as JSON, 413 if too big, 400 if malformed."""
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported-media-type", "Send the body as JSON, with 'Content-Type: application/json'.")
    limit = current_app.config["API_MAX_BODY_BYTES"]
    too_big = ApiError(413, "body-too-large", f"The body is larger than {limit} bytes.")
    if request.content_length is not None and request.content_length > limit:
        raise too_big
    request.max_content_length = limit  # also stops a chunked body with no Content-Length
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise too_big from None
    try:
        return json.loads(raw, object_pairs_hook=_reject_duplicate_keys, parse_constant=_not_a_number)
    except BadBody as bad:
        raise ApiError(400, bad.code, bad.message) from None
    except (ValueError, RecursionError):
        raise ApiError(400, "malformed-json", "The body is not valid JSON (UTF-8).") from None


def _parsed(model, body, where: str = ""):
    try:
        return parse(model, body, where)
    except BadBody as bad:
        raise ApiError(422 if bad.code != "invalid-body" else 400, bad.code, bad.message) from None


def _no_parameters(*allowed: str) -> None:
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        takes = f"This endpoint takes: {', '.join(allowed)}." if allowed else "This endpoint takes none."
        raise ApiError(400, "unknown-parameter", f"Unknown parameter '{unknown[0]}'. {takes}")


# -- what answers look like -------------------------------------------------------------------------


def _catalogue():
    return get_catalogue(Path(current_app.config["INSTANCE_DIR"]))


def _histories(item_ids) -> item_versions.Histories:
    return item_versions.from_catalogue(_catalogue(), item_ids)


def _time(at: dt.datetime | None) -> str | None:
    if at is None:
        return None
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)  # SQLite drops the zone
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def _link_json(link: links.Link, histories: item_versions.Histories) -> dict:
    root = public_root()
    versions = histories.get(link.item_id) or []
    notice = links.review_notice(link, histories)
    review = None
    if notice is not None:
        replacement = notice.latest.replaced_by if notice.withdrawn else None
        review = {
            "withdrawn": notice.withdrawn,
            "replaced_by": {"item_id": replacement, "url": f"{root}/items/{replacement}"} if replacement else None,
            "changes": [
                {
                    "version": change.number,
                    "change_class": change.change_class,
                    "status": change.status,
                    "change_note": change.change_note,
                    "url": root + change.path,
                    "diff_url": root + change.diff_path(link.version),
                }
                for change in notice.changes
            ],
        }
    return {
        "id": link.id,
        "isp_ref": link.isp_ref,
        "item_id": link.item_id,
        "version": link.version,
        "url": f"{root}/items/{link.item_id}/v/{link.version}",
        "latest_version": versions[-1].number if versions else None,
        "latest_url": f"{root}/items/{link.item_id}",
        "self": f"{root}/api/v1/isp-links/{link.id}",
        "review_needed": review is not None,
        "review": review,
        "created_at": _time(link.created_at),
        "acknowledged_at": _time(link.acknowledged_at),
    }


def _no_store(response, status: int = 200):
    response.cache_control.no_store = True  # a client's own data: never kept by a shared cache
    response.cache_control.private = True
    return response, status


# -- links ------------------------------------------------------------------------------------------


def _refused(problems: list[tuple[int, links.Problem]], bulk: bool):
    if not bulk:
        problem = problems[0][1]
        raise ApiError(problem.status, problem.code, problem.message)
    raise ApiError(
        422,
        "invalid-links",
        f"{len(problems)} of the links cannot be made, so none were: see 'problems'.",
        extra={"problems": [{"index": i, "code": p.code, "message": p.message} for i, p in problems]},
    )


def _create(requests: list[LinkRequest], bulk: bool):
    histories = _histories(r.item_id for r in requests)
    try:
        with state_engine().begin() as conn:
            made = links.create(conn, g.client.id, requests, histories)
    except links.LinksRefused as refused:
        _refused(refused.problems, bulk)
    return [_link_json(link, histories) for link in made]


@blueprint.post("/isp-links")
def create_link():
    _no_parameters()
    request_ = _parsed(LinkRequest, _json_body())
    (made,) = _create([request_], bulk=False)
    response, status = _no_store(jsonify(made), 201)
    response.headers["Location"] = made["self"]
    return response, status


@blueprint.post("/isp-links/bulk")
def create_links():
    _no_parameters()
    body = _parsed(BulkRequest, _json_body())
    maximum = current_app.config["ISP_LINKS_BULK_MAX"]
    if not body.links or len(body.links) > maximum:
        raise ApiError(422, "bulk-size", f"Send 1 to {maximum} links at once, not {len(body.links)}.")
    requests, problems = [], []
    for index, entry in enumerate(body.links):
        try:
            requests.append(parse(LinkRequest, entry, f"links[{index}]."))
        except BadBody as bad:
            problems.append((index, links.Problem(422, bad.code, bad.message)))
    if problems:
        _refused(problems, bulk=True)
    made = _create(requests, bulk=True)
    return _no_store(jsonify({"count": len(made), "links": made}), 201)


MAX_ROW_ID = 2**63 - 1  # the largest integer SQLite and PostgreSQL (bigint) store


def _cursor(text: str) -> int:
    """Cursors are opaque to clients: the position after which the next page starts."""
    try:
        value = int(base64.urlsafe_b64decode(text.encode("ascii") + b"==").decode("ascii"))
        if not 0 <= value <= MAX_ROW_ID or not text.isascii():  # beyond a database integer: not ours
            raise ValueError
        return value
    except (ValueError, binascii.Error, UnicodeError):
        raise ApiError(400, "invalid-cursor", "The cursor is not one this API gave: start again without it.") from None


def _cursor_text(seq: int) -> str:
    return base64.urlsafe_b64encode(str(seq).encode()).decode().rstrip("=")


def _limit() -> int:
    values = request.args.getlist("limit")
    if not values:
        return PAGE_SIZE
    if len(values) == 1 and values[0].isascii() and values[0].isdigit() and 1 <= int(values[0]) <= PAGE_MAX:
        return int(values[0])
    raise ApiError(400, "invalid-limit", f"'limit' is a whole number from 1 to {PAGE_MAX}, given once.")


def _one(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise ApiError(400, f"invalid-{name}", f"Give '{name}' at most once.")
    return values[0] if values else None


@blueprint.get("/isp-links")
def list_links():
    _no_parameters("status", "cursor", "limit")
    status = _one("status")
    if status not in (None, "review-needed"):
        raise ApiError(400, "invalid-status", "'status' may only be review-needed.")
    cursor_text = _one("cursor")
    after, limit = (_cursor(cursor_text) if cursor_text else 0), _limit()
    found, more = [], False
    with state_engine().connect() as conn:
        while True:  # with a status filter, read on until a page is full or the links run out
            batch = links.page(conn, g.client.id, after, limit + 1)
            histories = _histories(link.item_id for link in batch)
            for link in batch:
                if len(found) == limit:
                    more = True
                    break
                after = link.seq
                if status is None or links.review_notice(link, histories) is not None:
                    found.append(_link_json(link, histories))
            if more or len(batch) <= limit:
                break
    body = {"count": len(found), "links": found, "next_cursor": _cursor_text(after) if more else None}
    response, code = _no_store(jsonify(body))
    if more:
        query = {"cursor": _cursor_text(after), "limit": str(limit)} | ({"status": status} if status else {})
        response.headers["Link"] = f'<{public_root()}/api/v1/isp-links?{urlencode(query)}>; rel="next"'
    return response, code


def _own_link(link_id: str) -> links.Link:
    with state_engine().connect() as conn:
        link = links.get(conn, g.client.id, link_id)
    if link is None:  # another client's link is "not found" too: IDs do not leak
        raise ApiError(404, "not-found", f"You have no link {link_id}.")
    return link


@blueprint.get("/isp-links/<link_id>")
def read_link(link_id: str):
    _no_parameters()
    link = _own_link(link_id)
    return _no_store(jsonify(_link_json(link, _histories([link.item_id]))))


@blueprint.delete("/isp-links/<link_id>")
def delete_link(link_id: str):
    _no_parameters()
    with state_engine().begin() as conn:
        removed = links.remove(conn, g.client.id, link_id)
    if not removed:
        raise ApiError(404, "not-found", f"You have no link {link_id}.")
    return "", 204


@blueprint.post("/isp-links/<link_id>/acknowledge")
def acknowledge_link(link_id: str):
    _no_parameters()
    link = _own_link(link_id)
    histories = _histories([link.item_id])
    versions = histories.get(link.item_id)
    if not versions:
        raise ApiError(404, "unknown-item", f"{link.item_id} is not in the library being served.")
    latest = versions[-1]
    if latest.status == "withdrawn":
        where = f" Link its replacement, {latest.replaced_by}, and delete this link." if latest.replaced_by else ""
        raise ApiError(
            409, "item-withdrawn", f"{link.item_id} has been withdrawn: there is nothing to re-pin to.{where}"
        )
    with state_engine().begin() as conn:
        link = links.acknowledge(conn, g.client.id, link, latest)
    return _no_store(jsonify(_link_json(link, histories)))


# -- webhooks ---------------------------------------------------------------------------------------


@blueprint.put("/webhook")
def register_webhook():
    _no_parameters()
    url = _parsed(WebhookRequest, _json_body()).url
    try:
        callbacks.check(url, allow_localhost=current_app.config["WEBHOOKS_ALLOW_LOCALHOST"])
    except callbacks.BadCallback as bad:
        raise ApiError(422, "invalid-callback", f"This callback cannot be used: {bad}.") from None
    with state_engine().begin() as conn:
        secret = webhooks.register(conn, g.client.id, url)
    body = {
        "url": url,
        "secret": secret,
        "note": "Keep the secret: it is shown only now. Verify each delivery's webhook-signature with it.",
    }
    return _no_store(jsonify(body))


@blueprint.get("/webhook")
def read_webhook():
    _no_parameters()
    with state_engine().connect() as conn:
        found = webhooks.endpoint(conn, g.client.id)
    if found is None:
        raise ApiError(404, "not-found", "No webhook callback is registered.")
    return _no_store(jsonify({"url": found.url, "created_at": _time(found.created_at)}))


@blueprint.delete("/webhook")
def delete_webhook():
    _no_parameters()
    with state_engine().begin() as conn:
        removed = webhooks.unregister(conn, g.client.id)
    if not removed:
        raise ApiError(404, "not-found", "No webhook callback is registered.")
    return "", 204


@blueprint.get("/webhooks/deliveries")
def list_deliveries():
    _no_parameters()
    with state_engine().connect() as conn:
        found = webhooks.deliveries(conn, g.client.id, DELIVERIES_SHOWN)
    return _no_store(
        jsonify(
            {
                "count": len(found),
                "deliveries": [
                    {
                        "id": d.id,
                        "type": d.event,
                        "item_id": d.item_id,
                        "version": d.version,
                        "status": d.status,
                        "attempts": d.attempts,
                        "created_at": _time(d.created_at),
                        "next_attempt_at": _time(d.next_attempt_at),
                        "delivered_at": _time(d.delivered_at),
                        "last_response": d.last_response,
                    }
                    for d in found
                ],
            }
        )
    )
