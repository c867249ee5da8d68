"""What an integrator relies on beyond the happy path: retries that are safe (Idempotency-Key, a 409
that names the existing link, bulk "skip existing"), ETags and 304s on every GET, cursors that only
their own client can use, addresses that cannot be mistaken for each other, and review status read
from the versions the state store records, so it agrees with the webhooks on every worker."""

from __future__ import annotations

from sqlalchemy import delete

from nis_library.isp_links import clients, served, webhooks
from nis_library.isp_links.versions import VersionFacts
from nis_library.state.schema import served_items, served_versions
from tests.isp_links.conftest import PUBLIC_URL, ref

LINK = {"isp_ref": ref(1), "item_id": "INT-0407"}


def test_a_retried_create_with_the_same_idempotency_key_gets_the_first_answer(api):
    first = api.post("/api/v1/isp-links", json=LINK, headers={"Idempotency-Key": "7d1f-retry-1"})
    again = api.post("/api/v1/isp-links", json=LINK, headers={"Idempotency-Key": "7d1f-retry-1"})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert api.get("/api/v1/isp-links").get_json()["count"] == 1


def test_an_idempotency_key_reused_for_another_request_is_refused(api):
    api.post("/api/v1/isp-links", json=LINK, headers={"Idempotency-Key": "key-1"})
    other = api.post("/api/v1/isp-links", json=LINK | {"isp_ref": ref(2)}, headers={"Idempotency-Key": "key-1"})
    assert other.status_code == 422 and other.get_json()["code"] == "idempotency-key-reused"
    for bad in ("", "x" * 256, "key with spaces"):
        refused = api.post("/api/v1/isp-links", json=LINK | {"isp_ref": ref(3)}, headers={"Idempotency-Key": bad})
        assert refused.status_code == 400 and refused.get_json()["code"] == "invalid-idempotency-key", bad
    assert api.get("/api/v1/isp-links").get_json()["count"] == 1


def test_a_key_is_per_client_and_a_refused_request_is_not_kept(api, other_api):
    refused = api.post("/api/v1/isp-links", json=LINK | {"item_id": "INT-9999"}, headers={"Idempotency-Key": "k"})
    assert refused.status_code == 404
    made = api.post("/api/v1/isp-links", json=LINK, headers={"Idempotency-Key": "k"})  # the key is still free
    theirs = other_api.post("/api/v1/isp-links", json=LINK, headers={"Idempotency-Key": "k"})
    assert made.status_code == theirs.status_code == 201 and made.get_json()["id"] != theirs.get_json()["id"]


def test_a_retry_without_a_key_gets_a_409_naming_the_existing_link(api, conforms):
    made = api.post("/api/v1/isp-links", json=LINK).get_json()
    again = api.post("/api/v1/isp-links", json=LINK)
    problem = conforms(again.get_json(), "Problem")
    assert again.status_code == 409 and problem["code"] == "duplicate-link"
    assert problem["link_id"] == made["id"] and problem["link_url"] == made["self"]
    assert again.headers["Location"] == made["self"]


def test_bulk_can_skip_what_exists_so_a_retried_batch_finishes_the_job(api, conforms):
    first = api.post("/api/v1/isp-links/bulk", json={"links": [LINK]}).get_json()["isp_links"][0]
    batch = [LINK, {"isp_ref": ref(2), "item_id": "INT-0407"}]
    refused = api.post("/api/v1/isp-links/bulk", json={"links": batch})
    assert refused.status_code == 422 and refused.get_json()["problems"][0]["link_id"] == first["id"]
    done = api.post("/api/v1/isp-links/bulk", json={"links": batch, "if_exists": "skip"})
    body = conforms(done.get_json(), "BulkResult")
    assert done.status_code == 201 and body["count"] == 1 and body["isp_links"][0]["isp_ref"] == ref(2)
    assert body["skipped"] == [{"index": 0, "link_id": first["id"], "url": first["self"]}]
    nothing_new = api.post("/api/v1/isp-links/bulk", json={"links": batch, "if_exists": "skip"})
    assert nothing_new.status_code == 200 and nothing_new.get_json()["count"] == 0
    assert [s["index"] for s in nothing_new.get_json()["skipped"]] == [0, 1]
    wrong = api.post("/api/v1/isp-links/bulk", json={"links": batch, "if_exists": "replace"})
    assert wrong.status_code == 422 and wrong.get_json()["code"] == "invalid-field"


def test_a_client_holds_at_most_the_cap_and_a_create_past_it_makes_nothing(make_app, conforms):
    """Before: no client had a limit on how many links it held."""
    from tests.isp_links.conftest import Api, add_client

    app = make_app(ISP_LINKS_PER_CLIENT_MAX=3)
    engine = app.extensions["nis_state_engine"]
    api = Api(app.test_client(), add_client(engine, "Northfield Primary")[1])
    batch = [{"isp_ref": ref(n), "item_id": "INT-0407"} for n in range(1, 3)]
    assert api.post("/api/v1/isp-links/bulk", json={"links": batch}).status_code == 201  # 2 of 3
    over = api.post(
        "/api/v1/isp-links/bulk", json={"links": [{"isp_ref": ref(n), "item_id": "INT-0407"} for n in (3, 4)]}
    )
    problem = conforms(over.get_json(), "Problem")
    assert over.status_code == 409 and problem["code"] == "link-cap-reached" and "at most 3" in problem["detail"]
    assert api.get("/api/v1/isp-links").get_json()["count"] == 2  # all or nothing
    third = api.post("/api/v1/isp-links", json={"isp_ref": ref(3), "item_id": "INT-0407"})
    assert third.status_code == 201
    fourth = api.post("/api/v1/isp-links", json={"isp_ref": ref(4), "item_id": "INT-0407"})
    assert fourth.status_code == 409 and fourth.get_json()["code"] == "link-cap-reached"
    other = Api(app.test_client(), add_client(engine, "Southgate Academy")[1])  # the cap is per client
    assert other.post("/api/v1/isp-links", json={"isp_ref": ref(4), "item_id": "INT-0407"}).status_code == 201


def test_bulk_is_not_a_link_id(api):
    listed = api.get("/api/v1/isp-links/bulk")
    assert listed.status_code == 405 and listed.get_json()["code"] == "method-not-allowed"
    assert "POST" in listed.headers["Allow"] and "GET" not in listed.headers["Allow"]
    assert api.get("/api/v1/isp-links/not-a-link").status_code == 404


def test_every_get_has_an_etag_and_answers_a_304_and_is_never_shared(api, engine):
    link = api.post("/api/v1/isp-links", json=LINK).get_json()
    with engine.begin() as conn:  # registered directly: this test has no DNS to check a callback with
        (client,) = [c for c in clients.all_clients(conn) if c.name == "Northfield Primary"]
        webhooks.register(conn, client.id, "https://hooks.example.org/nis")
    for path in (
        "/api/v1/isp-links",
        f"/api/v1/isp-links/{link['id']}",
        "/api/v1/webhook",
        "/api/v1/webhooks/deliveries",
    ):
        first = api.get(path)
        assert first.status_code == 200 and first.headers["ETag"], path
        assert set(first.headers["Cache-Control"].split(", ")) == {"private", "no-cache"}, path
        assert api.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304, path
    api.post(f"/api/v1/isp-links/{link['id']}/acknowledge")
    listing = api.get("/api/v1/isp-links")
    assert api.get("/api/v1/isp-links", headers={"If-None-Match": listing.headers["ETag"]}).status_code == 304
    api.post("/api/v1/isp-links", json=LINK | {"isp_ref": ref(2)})
    assert api.get("/api/v1/isp-links", headers={"If-None-Match": listing.headers["ETag"]}).status_code == 200


def test_a_cursor_is_good_only_for_the_client_it_was_given_to(api, other_api):
    for n in range(3):
        api.post("/api/v1/isp-links", json={"isp_ref": ref(n), "item_id": "INT-0407"})
    next_url = api.get("/api/v1/isp-links?limit=1").get_json()["links"]["next"]
    path = next_url.removeprefix(PUBLIC_URL)
    assert api.get(path).status_code == 200
    stolen = other_api.get(path)
    assert stolen.status_code == 400 and stolen.get_json()["code"] == "invalid-cursor"


def test_review_status_follows_the_versions_the_state_store_records(api, engine):
    link = api.post("/api/v1/isp-links", json=LINK).get_json()
    assert not link["review_needed"]
    latest = link["version"]
    with engine.begin() as conn:  # as `nis build` records a bundle that serves a substantive revision
        histories = served.histories(conn, ["INT-0407"])
        histories["INT-0407"].append(
            VersionFacts("INT-0407", latest + 1, "Title", "substantive", "What changed.", "active", None)
        )
        served.record(conn, histories)
    (flagged,) = api.get("/api/v1/isp-links?status=review-needed").get_json()["isp_links"]
    assert flagged["id"] == link["id"] and flagged["latest_version"] == latest + 1
    assert flagged["review"]["diff_url"] == f"{PUBLIC_URL}/items/INT-0407/diff?from={latest}&to={latest + 1}"
    assert api.post(f"/api/v1/isp-links/{link['id']}/acknowledge").get_json()["version"] == latest + 1


def test_without_recorded_versions_the_links_api_says_it_is_unavailable(api, engine):
    with engine.begin() as conn:
        conn.execute(delete(served_items))
        conn.execute(delete(served_versions))
    response = api.post("/api/v1/isp-links", json=LINK)
    assert response.status_code == 503 and "nis build" in response.get_json()["detail"]
