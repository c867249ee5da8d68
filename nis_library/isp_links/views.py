"""The ISP links API under /api/v1: links, review notices, acknowledgement, bulk create, the webhook
callback and its deliveries. Every request carries `Authorization: Bearer <token>` and is counted
against the token's rate limit; every body is strict JSON; query strings, cursors, paging and errors
are the API's one way (`nis_library.web.json_api`). Review
status comes from the state store (`served`), as the webhooks do, so the two always agree."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import Connection
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BaseConverter

from nis_library.isp_links import callbacks, clients, idempotency, links, served, webhooks
from nis_library.isp_links.links import LINK_ID_PATTERN
from nis_library.isp_links.requests import BadBody, BulkRequest, LinkRequest, WebhookRequest, parse
from nis_library.isp_links.versions import Histories
from nis_library.state.rate_limits import Limit, hit
from nis_library.web import addresses
from nis_library.web.caching import for_one_client
from nis_library.web.context import state_engine
from nis_library.web.hosts import public_root
from nis_library.web.json_api import paging, parameters
from nis_library.web.json_api import rate_limits as api_rate_limits
from nis_library.web.json_api.problems import Problem, token_problem

blueprint = Blueprint("isp_links", __name__)

PAGE_SIZE, PAGE_MAX = 100, 500
DELIVERIES_SHOWN = 100
LINKS_CURSOR = "isp-links"


class LinkIdConverter(BaseConverter):
    """`<link_id:...>`: only what a link ID looks like, so `/isp-links/bulk` is never read as a link
    (a GET there is a 405 naming POST, not "no link bulk")."""

    regex = LINK_ID_PATTERN


@blueprint.record_once
def _add_converter(state) -> None:
    state.app.url_map.converters["link_id"] = LinkIdConverter


# -- every request: the token, the rate limit, the body -------------------------------------------


@blueprint.before_request
def _authenticate():
    config = current_app.config
    limit = Limit(config["API_RATE_LIMIT"], dt.timedelta(seconds=config["API_RATE_WINDOW"]))
    with state_engine().begin() as conn:
        try:
            client = clients.from_authorization(conn, request.headers.get("Authorization", ""))
        except clients.TokenRefused as refused:
            raise token_problem(refused.missing) from None
        decision = hit(conn, f"api-token:{client.id}", limit)
    api_rate_limits.enforce(decision, limit, "for this token")
    g.client = client


blueprint.after_request(api_rate_limits.add_headers)


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
        raise Problem("unsupported-media-type", "Send the body as JSON, with 'Content-Type: application/json'.")
    limit = current_app.config["API_MAX_BODY_BYTES"]
    too_big = Problem("body-too-large", f"The body is larger than {limit} bytes.")
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
        raise Problem(bad.code, bad.message) from None
    except (ValueError, RecursionError):
        raise Problem("malformed-json", "The body is not valid JSON (UTF-8).") from None


def _parsed(model, body, where: str = ""):
    try:
        return parse(model, body, where)
    except BadBody as bad:
        raise Problem(bad.code, bad.message) from None


# -- what answers look like -------------------------------------------------------------------------


def _histories(conn: Connection, item_ids) -> Histories:
    """The served versions of these items; a 503 if no build has recorded any."""
    try:
        served.require_some(conn)
    except served.NothingServed:
        raise Problem(
            "unavailable", "The library's versions are not recorded in the state store yet: run 'nis build'."
        ) from None
    return served.histories(conn, item_ids)


def _time(at: dt.datetime | None) -> str | None:
    if at is None:
        return None
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def _link_json(link: links.Link, histories: Histories) -> dict:
    root = public_root()
    versions = histories.get(link.item_id) or []
    notice = links.review_notice(link, histories)
    review = None
    if notice is not None:
        replacement = notice.latest.replaced_by if notice.withdrawn else None
        review = {
            "withdrawn": notice.withdrawn,
            "replaced_by": {"item_id": replacement, "url": addresses.item_page(replacement, root)}
            if replacement
            else None,
            "diff_url": root + notice.latest.diff_path(link.version),
            "changes": [
                {
                    "version": change.number,
                    "change_class": change.change_class,
                    "status": change.status,
                    "change_note": change.change_note,
                    "url": root + change.path,
                    "api_url": addresses.api_version(change.item_id, change.number, root),
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
        "url": addresses.version_page(link.item_id, link.version, root),
        "api_url": addresses.api_version(link.item_id, link.version, root),
        "latest_version": versions[-1].number if versions else None,
        "latest_url": addresses.item_page(link.item_id, root),
        "self": _link_url(link.id),
        "review_needed": review is not None,
        "review": review,
        "created_at": _time(link.created_at),
        "acknowledged_at": _time(link.acknowledged_at),
    }


def _link_url(link_id: str) -> str:
    return f"{public_root()}/api/v1/isp-links/{link_id}"


def _private(body, status: int = 200) -> Response:
    """An answer that is the client's own data, never stored by a cache (writes, errors)."""
    response = jsonify(body) if not isinstance(body, Response) else body
    response.status_code = status
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


# -- creating links, safely retried -----------------------------------------------------------------


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not idempotency.KEY.fullmatch(key):
        raise Problem("invalid-idempotency-key", "Idempotency-Key must be 1 to 255 visible ASCII characters.")
    return key


def _answer(answer: idempotency.Answer, replayed: bool = False) -> Response:
    response = _private(Response(answer.body, mimetype="application/json"), answer.status)
    if answer.location:
        response.headers["Location"] = answer.location
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _once(make: Callable[[Connection], idempotency.Answer]) -> Response:
    """Run a create, or with an Idempotency-Key seen before, answer as it was answered then."""
    key = _idempotency_key()
    if key is None:
        with state_engine().begin() as conn:
            return _answer(make(conn))
    digest = idempotency.fingerprint(request.method, request.path, request.get_data(cache=True))
    now = dt.datetime.now(dt.UTC)
    try:
        with state_engine().begin() as conn:
            kept = idempotency.find(conn, g.client.id, key, now)
            if kept is None:
                answer = make(conn)
                idempotency.keep(conn, g.client.id, key, digest, answer, now)
                return _answer(answer)
    except Exception:
        # A request with the same key may have committed first (it made the link this one found
        # already there): answer as it was answered.
        with state_engine().connect() as conn:
            kept = idempotency.find(conn, g.client.id, key, now)
        if kept is None or kept.request_hash != digest:
            raise
    if kept.request_hash != digest:
        raise Problem("idempotency-key-reused", "This Idempotency-Key was used for a different request: use a new key.")
    return _answer(kept.answer, replayed=True)


def _refused_one(problem: links.Problem):
    if problem.existing:
        url = _link_url(problem.existing)
        raise Problem(problem.code, problem.message, {"Location": url}, {"link_id": problem.existing, "link_url": url})
    raise Problem(problem.code, problem.message)


def _cap() -> int:
    return current_app.config["ISP_LINKS_PER_CLIENT_MAX"]


@blueprint.post("/isp-links")
def create_link():
    parameters.query()
    request_ = _parsed(LinkRequest, _json_body())

    def make(conn: Connection) -> idempotency.Answer:
        histories = _histories(conn, [request_.item_id])
        try:
            (made,) = links.create(conn, g.client.id, [(0, request_)], histories, cap=_cap()).made
        except links.LinksRefused as refused:
            _refused_one(refused.problems[0][1])
        except links.CapReached as full:
            raise Problem("link-cap-reached", str(full)) from None
        body = _link_json(made, histories)
        return idempotency.Answer(201, json.dumps(body), body["self"])

    return _once(make)


@blueprint.post("/isp-links/bulk")
def create_links():
    parameters.query()
    body = _parsed(BulkRequest, _json_body())
    maximum = current_app.config["ISP_LINKS_BULK_MAX"]
    if not body.links or len(body.links) > maximum:
        raise Problem("bulk-size", f"Send 1 to {maximum} links at once, not {len(body.links)}.")
    requests, malformed = [], []
    for index, entry in enumerate(body.links):
        try:
            requests.append((index, parse(LinkRequest, entry, f"links[{index}].")))
        except BadBody as bad:
            malformed.append((index, links.Problem(bad.code, bad.message)))

    def make(conn: Connection) -> idempotency.Answer:
        histories = _histories(conn, [r.item_id for _, r in requests])
        try:
            created = links.create(
                conn,
                g.client.id,
                requests,
                histories,
                cap=_cap(),
                skip_existing=body.if_exists == "skip",
                earlier_problems=malformed,
            )
        except links.CapReached as full:
            raise Problem("link-cap-reached", str(full)) from None
        except links.LinksRefused as refused:
            raise Problem(
                "invalid-links",
                f"{len(refused.problems)} of the {len(body.links)} links cannot be made, so none were: see 'problems'.",
                extra={"problems": [problem.as_json(index) for index, problem in refused.problems]},
            ) from None
        answer = {
            "count": len(created.made),
            "isp_links": [_link_json(link, histories) for link in created.made],
            "skipped": [{"index": i, "link_id": link_id, "url": _link_url(link_id)} for i, link_id in created.skipped],
        }
        return idempotency.Answer(201 if created.made else 200, json.dumps(answer), None)

    return _once(make)


# -- reading links ----------------------------------------------------------------------------------


@blueprint.get("/isp-links")
def list_links():
    given = parameters.query("status", "cursor", "limit")
    status = parameters.choice(given, "status", ("review-needed",))
    limit = parameters.limit(given, PAGE_SIZE, PAGE_MAX)
    position = parameters.cursor(given, LINKS_CURSOR)
    after = _cursor_position(position)
    read_page = links.review_needed_page if status else links.page
    with state_engine().connect() as conn:
        found = read_page(conn, g.client.id, after, limit + 1)
        page, more = found[:limit], len(found) > limit
        histories = _histories(conn, {link.item_id for link in page})
    next_url = paging.next_url(LINKS_CURSOR, {"client": g.client.id, "after": page[-1].seq}) if more else None
    body = {
        "count": len(page),
        "isp_links": [_link_json(link, histories) for link in page],
        "links": {"next": next_url},
    }
    return paging.with_link_header(for_one_client(jsonify(body)), next=next_url)


def _cursor_position(position) -> int:
    """The `seq` a cursor continues after; a cursor given to another client is not this one's."""
    if position is None:
        return 0
    if (
        not isinstance(position, dict)
        or position.get("client") != g.client.id
        or not isinstance(position.get("after"), int)
        or position["after"] < 0
    ):
        raise Problem("invalid-cursor", "The cursor is not one this API gave out for your links.")
    return position["after"]


def _own_link(conn: Connection, link_id: str) -> links.Link:
    link = links.get(conn, g.client.id, link_id)
    if link is None:  # another client's link is "not found" too: IDs do not leak
        raise Problem("link-not-found", f"You have no link {link_id[:60]}.")
    return link


@blueprint.get("/isp-links/<link_id:link_id>")
def read_link(link_id: str):
    parameters.query()
    with state_engine().connect() as conn:
        link = _own_link(conn, link_id)
        histories = _histories(conn, [link.item_id])
    return for_one_client(jsonify(_link_json(link, histories)))


@blueprint.delete("/isp-links/<link_id:link_id>")
def delete_link(link_id: str):
    parameters.query()
    with state_engine().begin() as conn:
        removed = links.remove(conn, g.client.id, link_id)
    if not removed:
        raise Problem("link-not-found", f"You have no link {link_id[:60]}.")
    return "", 204


@blueprint.post("/isp-links/<link_id:link_id>/acknowledge")
def acknowledge_link(link_id: str):
    parameters.query()
    with state_engine().begin() as conn:
        link = _own_link(conn, link_id)
        histories = _histories(conn, [link.item_id])
        latest = links.latest_to_pin(link.item_id, histories)
        if isinstance(latest, links.Problem):
            raise Problem(latest.code, latest.message)
        link = links.acknowledge(conn, g.client.id, link, latest)
    return _private(_link_json(link, histories))


# -- webhooks ---------------------------------------------------------------------------------------


@blueprint.put("/webhook")
def register_webhook():
    parameters.query()
    url = _parsed(WebhookRequest, _json_body()).url
    try:
        config = current_app.config
        callbacks.check(url, allow_localhost=config["WEBHOOKS_ALLOW_LOCALHOST"], ports=tuple(config["WEBHOOK_PORTS"]))
    except callbacks.BadCallback as bad:
        raise Problem("invalid-callback", f"This callback cannot be used: {bad}.") from None
    with state_engine().begin() as conn:
        secret = webhooks.register(conn, g.client.id, url)
    body = {
        "url": url,
        "secret": secret,
        "note": "Keep the secret: it is shown only now. Verify each delivery's webhook-signature with it.",
    }
    return _private(body)


@blueprint.get("/webhook")
def read_webhook():
    parameters.query()
    with state_engine().connect() as conn:
        found = webhooks.endpoint(conn, g.client.id)
    if found is None:
        raise Problem("webhook-not-found", "No webhook callback is registered.")
    return for_one_client(jsonify({"url": found.url, "created_at": _time(found.created_at)}))


@blueprint.delete("/webhook")
def delete_webhook():
    parameters.query()
    with state_engine().begin() as conn:
        removed = webhooks.unregister(conn, g.client.id)
    if not removed:
        raise Problem("webhook-not-found", "No webhook callback is registered.")
    return "", 204


@blueprint.get("/webhooks/deliveries")
def list_deliveries():
    parameters.query()
    with state_engine().connect() as conn:
        found = webhooks.deliveries(conn, g.client.id, DELIVERIES_SHOWN)
    body = {
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
    return for_one_client(jsonify(body))
