"""The ISP links' state on both backends: clients and hashed tokens, links scoped to their client,
impact counts, and webhooks queued once per event and delivered to a local receiver that verifies
each signature: retried with backoff after a failure or a timeout, never sent again after a 2xx."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import inspect, select, update
from standardwebhooks import Webhook

from nis_library.isp_links import clients, impact, links, served, webhooks
from nis_library.isp_links.requests import LinkRequest
from nis_library.isp_links.versions import VersionFacts
from nis_library.state import audit
from nis_library.state.migrate import upgrade
from nis_library.state.schema import api_clients, webhook_deliveries

ROOT = "https://nis.example.org"


def facts(item_id, number, change_class="substantive", status="active", replaced_by=None):
    return VersionFacts(item_id, number, f"{item_id} title", change_class, f"note {number}", status, replaced_by)


# INT-0001: v2 editorial, v3 substantive. ADJ-0001: v2 withdrawn, replaced by INT-0001.
HISTORY_BEFORE = {"INT-0001": [facts("INT-0001", 1)], "ADJ-0001": [facts("ADJ-0001", 1)]}
HISTORY_AFTER = {
    "INT-0001": [facts("INT-0001", 1), facts("INT-0001", 2, "editorial"), facts("INT-0001", 3)],
    "ADJ-0001": [facts("ADJ-0001", 1), facts("ADJ-0001", 2, "editorial", "withdrawn", "INT-0001")],
}


@pytest.fixture
def store(engine):
    upgrade(engine)
    return engine


def create(conn, client_id: int, requests: list[LinkRequest], histories) -> list[links.Link]:
    return links.create(conn, client_id, list(enumerate(requests)), histories, cap=1000).made


def link(isp_ref: str, item_id: str, version: int | None = None) -> LinkRequest:
    return LinkRequest(isp_ref=isp_ref, item_id=item_id, version=version)


def test_tokens_are_stored_hashed_and_revoking_refuses_them(store):
    with store.begin() as conn:
        client, token = clients.add(conn, "Northfield Primary")
    assert token.startswith("nis_") and len(token) >= 40
    with store.connect() as conn:
        stored = conn.execute(select(api_clients.c.token_hash)).scalar()
        assert stored == clients.token_hash(token) and token not in stored
        assert clients.authenticate(conn, token).id == client.id
        assert clients.authenticate(conn, token + "x") is None and clients.authenticate(conn, "") is None
    with store.begin() as conn:
        clients.revoke(conn, client.id)
        with pytest.raises(clients.ClientError, match="no client 99"):
            clients.revoke(conn, 99)
        with pytest.raises(clients.ClientError):
            clients.add(conn, "  ")
    with store.connect() as conn:
        assert clients.authenticate(conn, token) is None
        assert [c.active for c in clients.all_clients(conn)] == [False]
        assert audit.verify(conn) is None  # adding and revoking are in the audit trail
        assert conn.execute(select(audit.audit_log.c.action)).scalars().all() == ["client.add", "client.revoke"]


def test_links_belong_to_their_client_and_are_unique_per_plan_and_item(store):
    with store.begin() as conn:
        one, _ = clients.add(conn, "One")
        two, _ = clients.add(conn, "Two")
        (made,) = create(conn, one.id, [link("plan_0000000000000001", "INT-0001")], HISTORY_BEFORE)
        with pytest.raises(links.LinksRefused) as refused:
            create(
                conn,
                one.id,
                [link("plan_0000000000000002", "INT-0001"), link("plan_0000000000000001", "INT-0001")],
                HISTORY_BEFORE,
            )
        assert [(i, p.code) for i, p in refused.value.problems] == [(1, "duplicate-link")]
        create(conn, two.id, [link("plan_0000000000000001", "INT-0001")], HISTORY_BEFORE)  # another client may
    with store.connect() as conn:
        assert links.get(conn, two.id, made.id) is None and links.get(conn, one.id, made.id).isp_ref == made.isp_ref
        assert [x.id for x in links.page(conn, one.id, 0, 10)] == [made.id]  # nothing of the refused batch
    with store.begin() as conn:
        assert not links.remove(conn, two.id, made.id) and links.remove(conn, one.id, made.id)


def test_impact_counts_links_pinned_before_each_change(store):
    with store.begin() as conn:
        client, _ = clients.add(conn, "One")
        create(
            conn,
            client.id,
            [link(f"plan_000000000000000{n}", "INT-0001") for n in range(3)]
            + [link("plan_0000000000000009", "ADJ-0001")],
            HISTORY_BEFORE,
        )
        counts = impact.flagged_counts(conn, [("INT-0001", 3), ("ADJ-0001", 2), ("INT-0001", 1), ("PRA-0001", 2)])
    assert counts == {("INT-0001", 3): 3, ("ADJ-0001", 2): 1, ("INT-0001", 1): 0, ("PRA-0001", 2): 0}


def _client_with_links(conn, name: str, url: str | None = "https://hooks.example.org/nis"):
    client, _ = clients.add(conn, name)
    create(
        conn,
        client.id,
        [link("plan_0000000000000001", "INT-0001"), link("plan_0000000000000002", "ADJ-0001")],
        HISTORY_BEFORE,
    )
    secret = webhooks.register(conn, client.id, url) if url else None
    return client, secret


def test_queueing_is_once_per_client_per_event_and_skips_editorial_changes(store):
    with store.begin() as conn:
        one, _ = _client_with_links(conn, "One")
        _client_with_links(conn, "No callback", url=None)
        revoked, _ = _client_with_links(conn, "Revoked")
        clients.revoke(conn, revoked.id)
        assert webhooks.queue(conn, HISTORY_BEFORE, ROOT) == 0  # nothing has changed yet
        assert webhooks.queue(conn, HISTORY_AFTER, ROOT) == 2
        assert webhooks.queue(conn, HISTORY_AFTER, ROOT) == 0  # never twice
        rows = conn.execute(select(webhook_deliveries).order_by(webhook_deliveries.c.item_id)).fetchall()
    assert [(r.client_id, r.item_id, r.version, r.event) for r in rows] == [
        (one.id, "ADJ-0001", 2, "item.withdrawn"),
        (one.id, "INT-0001", 3, "item.revised"),  # not v2: an editorial change
    ]
    withdrawn = json.loads(rows[0].payload)["data"]
    assert withdrawn["replaced_by"] == {"item_id": "INT-0001", "url": "https://nis.example.org/items/INT-0001"}
    revised = json.loads(rows[1].payload)["data"]
    assert revised["url"] == f"{ROOT}/items/INT-0001/v/3" and revised["api_url"] == f"{ROOT}/api/v1/items/INT-0001/v/3"
    (flagged,) = revised["isp_links"]
    assert flagged["id"].startswith("lnk_") and flagged["version"] == 1
    assert flagged["diff_url"] == f"{ROOT}/items/INT-0001/diff?from=1&to=3"
    assert flagged["self"] == f"{ROOT}/api/v1/isp-links/{flagged['id']}"


def test_an_acknowledged_link_is_not_told_again(store):
    with store.begin() as conn:
        client, _ = _client_with_links(conn, "One")
        (int_link,) = [x for x in links.page(conn, client.id, 0, 10) if x.item_id == "INT-0001"]
        links.acknowledge(conn, client.id, int_link, HISTORY_AFTER["INT-0001"][-1])
        assert webhooks.queue(conn, HISTORY_AFTER, ROOT) == 1  # only the withdrawal is news
        assert conn.execute(select(webhook_deliveries.c.item_id)).scalars().all() == ["ADJ-0001"]


class Receiver:
    """A local HTTP server that verifies each delivery's signature and answers with the next status."""

    def __init__(self, statuses: list[int], silent: bool = False):
        self.webhook: Webhook | None = None  # set once the callback is registered and its secret known
        self.statuses = list(statuses)
        self.released = threading.Event()  # a silent receiver answers only when released (at close)
        if not silent:
            self.released.set()
        self.received: list[dict] = []
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    receiver.received.append(receiver.webhook.verify(body, dict(self.headers)))
                except Exception:
                    receiver.bad_signatures += 1
                receiver.released.wait()
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_for(store):
    made = []

    def make(statuses, silent=False):
        with store.begin() as conn:
            client, _ = clients.add(conn, "One")
            create(conn, client.id, [link("plan_0000000000000001", "INT-0001")], HISTORY_BEFORE)
        receiver = Receiver(statuses, silent)
        with store.begin() as conn:
            receiver.webhook = Webhook(webhooks.register(conn, client.id, receiver.url))
            assert webhooks.queue(conn, HISTORY_AFTER, ROOT) == 1
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()


class Clock:
    def __init__(self):
        self.at = dt.datetime.now(dt.UTC)

    def __call__(self):
        return self.at


def _deliver(store, clock, **kw):
    options = {"timeout": 5, "max_attempts": 3, "allow_localhost": True} | kw
    return webhooks.deliver(store, now=clock, **options)


def _delivery(store):
    with store.connect() as conn:
        return conn.execute(select(webhook_deliveries)).one()


def test_a_delivery_is_signed_retried_with_backoff_and_never_sent_again_after_success(store, receiver_for):
    receiver, clock = receiver_for([500]), Clock()
    assert _deliver(store, clock) == webhooks.DeliveryReport(retrying=1)
    first = _delivery(store)
    assert first.status == "pending" and first.attempts == 1 and first.last_response == "HTTP 500"
    assert _deliver(store, clock) == webhooks.DeliveryReport()  # not due until the backoff has passed
    clock.at += webhooks.backoff(1)
    assert _deliver(store, clock) == webhooks.DeliveryReport(delivered=1)
    assert _delivery(store).status == "delivered" and _delivery(store).attempts == 2
    clock.at += dt.timedelta(days=1)
    assert _deliver(store, clock) == webhooks.DeliveryReport()  # never again after a 2xx
    assert receiver.bad_signatures == 0 and len(receiver.received) == 2
    message = receiver.received[-1]
    assert message["type"] == "item.revised" and message["data"]["item_id"] == "INT-0001"
    assert message["data"]["version"] == 3


def test_the_signing_secret_is_kept_encrypted_and_a_copy_of_the_database_alone_cannot_sign(store, receiver_for):
    """Before: webhook_endpoints.secret held the secret as shown to the client."""
    from nis_library.state.keys import StateKeyError, StateKeys
    from nis_library.state.schema import webhook_endpoints

    receiver, clock = receiver_for([]), Clock()
    with store.connect() as conn:
        stored = conn.execute(select(webhook_endpoints.c.secret)).scalar_one()
    assert webhooks.SECRET_PREFIX not in stored
    with pytest.raises(StateKeyError):  # under any other key it is noise
        StateKeys("x" * 40).decrypt(stored)
    assert _deliver(store, clock) == webhooks.DeliveryReport(delivered=1)  # the service itself still signs,
    assert receiver.bad_signatures == 0 and len(receiver.received) == 1  # with the secret the client was shown


def test_a_delivery_that_keeps_failing_is_marked_failed_after_the_maximum(store, receiver_for):
    receiver, clock = receiver_for([500, 503, 404, 500]), Clock()
    for attempt in range(1, 4):
        _deliver(store, clock)
        clock.at += webhooks.backoff(attempt)
    row = _delivery(store)
    assert row.status == "failed" and row.attempts == 3 and len(receiver.received) == 3
    clock.at += dt.timedelta(days=7)
    assert _deliver(store, clock) == webhooks.DeliveryReport() and len(receiver.received) == 3


def test_a_timeout_is_a_failed_attempt(store, receiver_for):
    receiver_for([200], silent=True)  # it never answers while the delivery waits (no sleep)
    clock = Clock()
    assert _deliver(store, clock, timeout=0.05) == webhooks.DeliveryReport(retrying=1)
    assert "no answer within 0.05 s" == _delivery(store).last_response


def test_a_local_callback_is_refused_at_delivery_unless_allowed(store, receiver_for):
    receiver = receiver_for([200])
    assert _deliver(store, Clock(), allow_localhost=False) == webhooks.DeliveryReport(retrying=1)
    assert _delivery(store).last_response.startswith("refused:") and receiver.received == []


def test_backoff_doubles_up_to_a_ceiling():
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert webhooks.backoff(30) == webhooks.LONGEST_WAIT


def test_signatures_match_the_standard_webhooks_test_vector():
    # The example in the Standard Webhooks specification (github.com/standard-webhooks/standard-webhooks).
    headers = webhooks.sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        dt.datetime.fromtimestamp(1614265330, dt.UTC),
        '{"test": 2432232314}',
    )
    assert headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert headers["webhook-timestamp"] == "1614265330"


def test_a_claimed_delivery_is_not_sent_by_a_second_run(store, receiver_for):
    receiver_for([200])
    clock = Clock()
    with store.begin() as conn:
        conn.execute(update(webhook_deliveries).values(next_attempt_at=clock.at + webhooks.CLAIM))  # another run has it
    assert _deliver(store, clock) == webhooks.DeliveryReport()


def test_a_racing_duplicate_link_is_refused_and_the_transaction_goes_on(store, monkeypatch):
    with store.begin() as conn:
        client, _ = clients.add(conn, "One")
        create(conn, client.id, [link("plan_0000000000000001", "INT-0001")], HISTORY_BEFORE)
    monkeypatch.setattr(links, "_existing_links", lambda *args: {})  # as if another request got in between
    with store.begin() as conn:
        with pytest.raises(links.LinksRefused) as refused:
            create(conn, client.id, [link("plan_0000000000000001", "INT-0001")], HISTORY_BEFORE)
        assert refused.value.problems[0][1].code == "duplicate-link"
        create(conn, client.id, [link("plan_0000000000000002", "INT-0001")], HISTORY_BEFORE)
    with store.connect() as conn:
        assert [x.isp_ref for x in links.page(conn, client.id, 0, 10)] == [
            "plan_0000000000000001",
            "plan_0000000000000002",
        ]


def test_a_delivery_queued_meanwhile_by_another_run_is_not_queued_again(store, monkeypatch):
    with store.begin() as conn:
        _client_with_links(conn, "One")
        assert webhooks.queue(conn, HISTORY_AFTER, ROOT) == 2
    real_select = webhooks.select

    def blind_select(*columns):  # the other run's rows are not seen when queue looks for them
        query = real_select(*columns)
        return (
            query.where(webhook_deliveries.c.seq < 0)
            if columns and columns[0] is webhook_deliveries.c.client_id
            else query
        )

    monkeypatch.setattr(webhooks, "select", blind_select)
    with store.begin() as conn:
        assert webhooks.queue(conn, HISTORY_AFTER, ROOT) == 0
    with store.connect() as conn:
        assert len(conn.execute(select(webhook_deliveries)).fetchall()) == 2


def test_registering_and_removing_a_callback_is_audited_without_the_secret(store):
    with store.begin() as conn:
        client, secret = _client_with_links(conn, "One")
        webhooks.register(conn, client.id, "https://hooks.example.org/v2")
        assert webhooks.unregister(conn, client.id) and not webhooks.unregister(conn, client.id)
    with store.connect() as conn:
        rows = conn.execute(select(audit.audit_log).order_by(audit.audit_log.c.id)).fetchall()
        assert audit.verify(conn) is None
    assert [r.action for r in rows] == ["client.add", "webhook.register", "webhook.register", "webhook.remove"]
    assert json.loads(rows[2].before) == {"url": "https://hooks.example.org/nis"}
    assert all(secret not in (r.before or "") + (r.after or "") for r in rows)


def test_review_flags_follow_what_is_served_and_a_page_reads_only_flagged_links(store):
    with store.begin() as conn:
        served.record(conn, HISTORY_BEFORE)
        client, _ = clients.add(conn, "One")
        made = create(
            conn,
            client.id,
            [link(f"plan_000000000000000{n}", "INT-0001") for n in range(3)]
            + [link("plan_0000000000000009", "ADJ-0001")],
            HISTORY_BEFORE,
        )
        assert links.review_needed_page(conn, client.id, 0, 10) == []
        served.record(conn, HISTORY_AFTER)  # a build serves INT-0001 v3 and ADJ-0001's withdrawal
        flagged = links.review_needed_page(conn, client.id, 0, 10)
        assert [x.id for x in flagged] == [x.id for x in made]
        assert [x.id for x in links.review_needed_page(conn, client.id, made[1].seq, 2)] == [made[2].id, made[3].id]
        links.acknowledge(conn, client.id, made[0], HISTORY_AFTER["INT-0001"][-1])
        late = create(conn, client.id, [link("plan_0000000000000010", "INT-0001", version=2)], HISTORY_AFTER)
        current = create(conn, client.id, [link("plan_0000000000000011", "INT-0001")], HISTORY_AFTER)
        ids = [x.id for x in links.review_needed_page(conn, client.id, 0, 10)]
        assert ids == [made[1].id, made[2].id, made[3].id, late[0].id] and current[0].id not in ids
        served.record(conn, HISTORY_AFTER)  # recording again changes nothing
        assert [x.id for x in links.review_needed_page(conn, client.id, 0, 10)] == ids
        served_again = served.histories(conn, ["INT-0001", "ADJ-0001", "PRA-0001"])
    assert served_again == HISTORY_AFTER  # read back as recorded; an item not served is left out
    with store.connect() as conn:
        indexes = {i["name"] for i in inspect(conn).get_indexes("isp_links")}
    assert {"ix_isp_links_client_seq", "ix_isp_links_needs_review"} <= indexes


def test_a_delivery_connects_to_the_address_it_checked_not_a_rebound_one(store, monkeypatch):
    """DNS rebinding: the resolver answers a public address to the check and loopback after it.
    Before pinning, httpx resolved the host again and reached a service on loopback."""
    import socket

    from nis_library.isp_links import callbacks

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    real = socket.getaddrinfo
    answers = iter([[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]])

    def rebinding(host, *args, **kwargs):
        if host != "rebind.example.org":
            return real(host, *args, **kwargs)
        first = next(answers, None)  # a public address once, then loopback for ever
        return first or [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with store.begin() as conn:
        client, _ = _client_with_links(conn, "One", url=f"https://rebind.example.org:{port}/hook")
        webhooks.queue(conn, HISTORY_AFTER, ROOT)
    report = webhooks.deliver(store, timeout=0.5, max_attempts=8, allow_localhost=False, ports=(port,))
    assert report.delivered == 0
    try:
        listener.accept()
        reached = True
    except TimeoutError:
        reached = False
    finally:
        listener.close()
    assert not reached, "the delivery connected to the rebound loopback address"
    assert callbacks.is_public("93.184.215.14") and not callbacks.is_public("127.0.0.1")
    with store.connect() as conn:
        notes = {d.last_response for d in webhooks.deliveries(conn, client.id, 10)}
    assert notes and not any("127.0.0.1" in n or "93.184" in n for n in notes)
