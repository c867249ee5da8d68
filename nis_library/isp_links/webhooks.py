"""Webhooks, signed by the Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`,
`webhook-signature`, HMAC-SHA256 by the `standardwebhooks` library).

A client registers one callback. `queue` (run by `nis build`, once the bundle that serves the new
versions is current: `nis publish` does not, so no notice precedes the version it announces) adds one delivery
per client per substantive revision or withdrawal of an item its links pin, never twice for the same
event (a unique key on client, item and version). `deliver` (`nis webhooks deliver`) sends what is
due: a 2xx marks it delivered and it is never sent again; anything else is retried with exponential
backoff until a maximum number of attempts."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import httpx
from sqlalchemy import Connection, Engine, and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from standardwebhooks import Webhook

from nis_library.isp_links import callbacks
from nis_library.isp_links.versions import Histories, VersionFacts
from nis_library.state import audit, keys
from nis_library.state.schema import api_clients, isp_links, webhook_deliveries, webhook_endpoints
from nis_library.web import addresses

SECRET_PREFIX = "whsec_"
MESSAGE_PREFIX = "msg_"
FIRST_RETRY = dt.timedelta(seconds=30)  # then doubled each attempt ...
LONGEST_WAIT = dt.timedelta(hours=6)  # ... up to this
CLAIM = dt.timedelta(minutes=5)  # a delivery being sent is not picked up by another run meanwhile


@dataclass(frozen=True)
class Endpoint:
    url: str
    created_at: dt.datetime


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def register(conn: Connection, client_id: int, url: str) -> str:
    """Set the client's callback (replacing any); its new signing secret, shown once."""
    secret = new_secret()
    before = endpoint(conn, client_id)
    audit.append(
        conn,
        f"api_client:{client_id}",
        "webhook.register",
        f"api_client:{client_id}",
        {"url": before.url} if before else None,
        {"url": url},
    )  # the URL only: never the secret
    conn.execute(delete(webhook_endpoints).where(webhook_endpoints.c.client_id == client_id))
    conn.execute(
        webhook_endpoints.insert().values(
            client_id=client_id, url=url, secret=keys.of(conn).encrypt(secret), created_at=dt.datetime.now(dt.UTC)
        )
    )
    return secret


def endpoint(conn: Connection, client_id: int) -> Endpoint | None:
    row = conn.execute(select(webhook_endpoints).where(webhook_endpoints.c.client_id == client_id)).first()
    return Endpoint(row.url, row.created_at) if row else None


def unregister(conn: Connection, client_id: int) -> bool:
    before = endpoint(conn, client_id)
    if before is None:
        return False
    conn.execute(delete(webhook_endpoints).where(webhook_endpoints.c.client_id == client_id))
    audit.append(
        conn, f"api_client:{client_id}", "webhook.remove", f"api_client:{client_id}", {"url": before.url}, None
    )
    return True


# -- queueing ---------------------------------------------------------------------------------------


def _event(facts: VersionFacts) -> str:
    return "item.withdrawn" if facts.status == "withdrawn" else "item.revised"


def payload(facts: VersionFacts, pinned: dict[str, int], root: str, at: dt.datetime) -> dict:
    """The message about one event, with absolute URLs under `root` (PUBLIC_URL). `pinned`: each of
    the client's links the event flags -> the version it is pinned to, so each link gets the diff
    from its own version."""
    replaced = facts.replaced_by if facts.status == "withdrawn" else None
    return {
        "type": _event(facts),
        "timestamp": at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "data": {
            "item_id": facts.item_id,
            "version": facts.number,
            "title": facts.title,
            "change_class": facts.change_class,
            "change_note": facts.change_note,
            "status": facts.status,
            "url": root + facts.path,
            "api_url": addresses.api_version(facts.item_id, facts.number, root),
            "replaced_by": {"item_id": replaced, "url": addresses.item_page(replaced, root)} if replaced else None,
            "isp_links": [
                {
                    "id": link_id,
                    "version": version,
                    "diff_url": root + facts.diff_path(version),
                    "self": f"{root}/api/v1/isp-links/{link_id}",
                }
                for link_id, version in sorted(pinned.items())
            ],
        },
    }


def queue(conn: Connection, histories: Histories, root: str) -> int:
    """Queue a delivery for each event a client with a callback has not been sent; how many."""
    rows = conn.execute(
        select(
            isp_links.c.id,
            isp_links.c.client_id,
            isp_links.c.item_id,
            isp_links.c.version,
            isp_links.c.notified_through,
        )
        .join(webhook_endpoints, webhook_endpoints.c.client_id == isp_links.c.client_id)
        .join(api_clients, api_clients.c.id == isp_links.c.client_id)
        .where(api_clients.c.revoked_at.is_(None))
    )
    events: dict[tuple[int, str, int], list[tuple[str, int]]] = defaultdict(list)
    for link_id, client_id, item_id, pinned, notified_through in rows:
        for facts in histories.get(item_id, []):
            if facts.number > max(pinned, notified_through) and facts.flags_review:
                events[(client_id, item_id, facts.number)].append((link_id, pinned))
    if not events:
        return 0
    already = {
        (r.client_id, r.item_id, r.version)
        for r in conn.execute(
            select(webhook_deliveries.c.client_id, webhook_deliveries.c.item_id, webhook_deliveries.c.version)
        )
    }
    now = dt.datetime.now(dt.UTC)
    queued = 0
    for (client_id, item_id, number), links in sorted(events.items()):
        if (client_id, item_id, number) in already:
            continue
        facts = histories[item_id][number - 1]
        body = payload(facts, dict(links), root, now)
        row = dict(
            id=MESSAGE_PREFIX + secrets.token_urlsafe(16),
            client_id=client_id,
            item_id=item_id,
            version=number,
            event=body["type"],
            payload=json.dumps(body, separators=(",", ":"), ensure_ascii=False),
            status="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
        try:
            with conn.begin_nested():
                conn.execute(webhook_deliveries.insert().values(**row))
        except IntegrityError:
            continue  # a build or publish running at the same time queued it first
        queued += 1
    return queued


# -- delivering -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, ... at most 6 hours."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def sign(secret: str, message_id: str, at: dt.datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers for a body sent at `at`."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
        "content-type": "application/json",
    }


def deliver(
    engine: Engine,
    *,
    timeout: float,
    max_attempts: int,
    allow_localhost: bool,
    ports: tuple[int, ...] = (callbacks.HTTPS_PORT,),
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> DeliveryReport:
    """Send every delivery that is due, each claimed first so two runs never send the same one."""
    with engine.connect() as conn:
        due = (
            conn.execute(
                select(webhook_deliveries.c.seq)
                .join(webhook_endpoints, webhook_endpoints.c.client_id == webhook_deliveries.c.client_id)
                .where(webhook_deliveries.c.status == "pending", webhook_deliveries.c.next_attempt_at <= now())
                .order_by(webhook_deliveries.c.seq)
            )
            .scalars()
            .all()
        )
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    for seq in due:
        outcome = _deliver_one(engine, seq, timeout, max_attempts, (allow_localhost, ports), now)
        if outcome:
            counts[outcome] += 1
    return DeliveryReport(**counts)


def _claim(engine: Engine, seq: int, at: dt.datetime):
    """The delivery, now claimed, with its endpoint's URL and signing secret (decrypted); None if
    another run has it."""
    with engine.begin() as conn:
        claimed = conn.execute(
            update(webhook_deliveries)
            .where(
                webhook_deliveries.c.seq == seq,
                webhook_deliveries.c.status == "pending",
                or_(webhook_deliveries.c.next_attempt_at.is_(None), webhook_deliveries.c.next_attempt_at <= at),
            )
            .values(next_attempt_at=at + CLAIM)
        )
        if claimed.rowcount != 1:
            return None
        row = conn.execute(
            select(webhook_deliveries, webhook_endpoints.c.url, webhook_endpoints.c.secret)
            .join(webhook_endpoints, and_(webhook_endpoints.c.client_id == webhook_deliveries.c.client_id))
            .where(webhook_deliveries.c.seq == seq)
        ).first()
        return SimpleNamespace(**(row._asdict() | {"secret": keys.of(conn).decrypt(row.secret)})) if row else None


def _post(row, at: dt.datetime, timeout: float, allowed: tuple[bool, tuple[int, ...]]) -> tuple[bool, str]:
    """Send one attempt to the address just checked (never one resolved again); whether the callback
    took it, and a note for the client that names what went wrong, never a raw error or an address."""
    try:
        allow_localhost, ports = allowed
        target = callbacks.check(row.url, allow_localhost=allow_localhost, ports=ports)
    except callbacks.BadCallback as refused:
        return False, f"refused: {refused}"
    transport = callbacks.PinnedTransport(target)
    try:
        with httpx.Client(transport=transport, timeout=timeout, follow_redirects=False) as http:
            response = http.post(
                row.url, content=row.payload.encode("utf-8"), headers=sign(row.secret, row.id, at, row.payload)
            )
    except httpx.TimeoutException:
        return False, f"no answer within {timeout:g} s"
    except httpx.ConnectError:
        return False, "could not connect (or the TLS handshake failed)"
    except httpx.HTTPError:
        return False, "the connection failed"
    return 200 <= response.status_code < 300, f"HTTP {response.status_code}"


def _deliver_one(engine, seq, timeout, max_attempts, allowed, now) -> str | None:
    at = now()
    row = _claim(engine, seq, at)
    if row is None:
        return None  # another run has it, or it is no longer due
    ok, note = _post(row, at, timeout, allowed)
    attempts = row.attempts + 1
    if ok:
        values = {"status": "delivered", "delivered_at": at, "next_attempt_at": None}
        outcome = "delivered"
    elif attempts >= max_attempts:
        values, outcome = {"status": "failed", "next_attempt_at": None}, "failed"
    else:
        values, outcome = {"next_attempt_at": at + backoff(attempts)}, "retrying"
    with engine.begin() as conn:
        conn.execute(
            update(webhook_deliveries)
            .where(webhook_deliveries.c.seq == seq)
            .values(attempts=attempts, last_response=note[:500], **values)
        )
    return outcome


@dataclass(frozen=True)
class Delivery:
    id: str
    event: str
    item_id: str
    version: int
    status: str
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    last_response: str | None


def deliveries(conn: Connection, client_id: int, limit: int) -> list[Delivery]:
    """The client's most recent deliveries, newest first."""
    rows = conn.execute(
        select(webhook_deliveries)
        .where(webhook_deliveries.c.client_id == client_id)
        .order_by(webhook_deliveries.c.seq.desc())
        .limit(limit)
    )
    return [
        Delivery(
            r.id,
            r.event,
            r.item_id,
            r.version,
            r.status,
            r.attempts,
            r.created_at,
            r.next_attempt_at,
            r.delivered_at,
            r.last_response,
        )
        for r in rows
    ]
