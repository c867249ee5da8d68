"""The ISP links API over HTTP: tokens, strict bodies, a client's own links only, review notices
(substantive vs editorial vs withdrawn), acknowledgement, bulk all-or-nothing, pagination, and every
answer as openapi.yaml describes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from nis_library.isp_links import links, served, versions
from nis_library.isp_links.requests import LinkRequest
from tests.isp_links.conftest import PUBLIC_URL, Api, add_client, ref

PATHS = "#/paths/~1api~1v1~1isp-links"


def error_code(response) -> str:
    return response.get_json()["code"]


# -- tokens -----------------------------------------------------------------------------------------


def test_without_a_token_the_api_answers_401_in_json_with_www_authenticate(app, conforms):
    response = app.test_client().get("/api/v1/isp-links")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert conforms(response.get_json(), "Problem")["code"] == "missing-token"


@pytest.mark.parametrize(
    "header", ["Bearer nis_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "nis_token-without-scheme"]
)
def test_an_invalid_token_is_401(app, api, header):
    response = app.test_client().get("/api/v1/isp-links", headers={"Authorization": header})
    assert response.status_code == 401 and error_code(response) in ("invalid-token", "missing-token")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_revoked_token_is_401(api, engine):
    assert api.get("/api/v1/isp-links").status_code == 200
    from nis_library.isp_links import clients

    with engine.begin() as conn:
        (client,) = [c for c in clients.all_clients(conn) if c.name == "Northfield Primary"]
        clients.revoke(conn, client.id)
    response = api.get("/api/v1/isp-links")
    assert response.status_code == 401 and error_code(response) == "invalid-token"


def test_the_rate_limit_is_per_token_with_retry_after(make_app, conforms):
    app = make_app(API_RATE_LIMIT=3, API_RATE_WINDOW=60)
    engine = app.extensions["nis_state_engine"]
    one, two = (Api(app.test_client(), add_client(engine, name)[1]) for name in ("A school", "B school"))
    assert [one.get("/api/v1/isp-links").status_code for _ in range(3)] == [200, 200, 200]
    limited = one.get("/api/v1/isp-links")
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 60
    assert conforms(limited.get_json(), "Problem")["code"] == "rate-limited"
    assert two.get("/api/v1/isp-links").status_code == 200  # the other token has its own budget


def test_a_host_header_that_is_not_the_configured_one_is_refused(api):
    response = api.get("/api/v1/isp-links", headers={"Host": "evil.example.com"})
    assert response.status_code == 400 and error_code(response) == "untrusted-host"


# -- creating, reading, deleting ---------------------------------------------------------------------


def test_create_read_list_and_delete_a_link(api, conforms):
    made = api.post("/api/v1/isp-links", json={"isp_ref": ref(1), "item_id": "INT-0407"})
    assert made.status_code == 201
    link = conforms(made.get_json(), "IspLink")
    assert link["version"] == link["latest_version"] == 4  # the latest by default
    assert link["url"] == f"{PUBLIC_URL}/items/INT-0407/v/4" and made.headers["Location"] == link["self"]
    assert link["id"].startswith("lnk_") and not link["review_needed"]
    assert api.get(f"/api/v1/isp-links/{link['id']}").get_json() == link
    listed = api.get("/api/v1/isp-links").get_json()
    assert [x["id"] for x in listed["isp_links"]] == [link["id"]] and listed["links"]["next"] is None
    assert api.delete(f"/api/v1/isp-links/{link['id']}").status_code == 204
    assert api.get(f"/api/v1/isp-links/{link['id']}").status_code == 404
    assert api.delete(f"/api/v1/isp-links/{link['id']}").status_code == 404


def test_link_ids_are_random_not_sequential(api):
    ids = [
        api.post("/api/v1/isp-links", json={"isp_ref": ref(n), "item_id": "INT-0407"}).get_json()["id"]
        for n in range(10)
    ]
    assert len(set(ids)) == 10 and all(len(i) == len("lnk_") + 22 for i in ids)
    # 128 random bits each: in creation order they are neither ascending nor descending (odds 2 in 10!)
    assert ids != sorted(ids) and ids != sorted(ids, reverse=True)


def test_another_clients_links_are_not_found(api, other_api):
    link = api.post("/api/v1/isp-links", json={"isp_ref": ref(), "item_id": "INT-0407"}).get_json()
    for response in (
        other_api.get(f"/api/v1/isp-links/{link['id']}"),
        other_api.delete(f"/api/v1/isp-links/{link['id']}"),
        other_api.post(f"/api/v1/isp-links/{link['id']}/acknowledge"),
    ):
        assert response.status_code == 404 and error_code(response) == "link-not-found"
    assert other_api.get("/api/v1/isp-links").get_json()["isp_links"] == []
    assert api.get(f"/api/v1/isp-links/{link['id']}").status_code == 200  # untouched


def test_a_pinned_older_version_and_unknown_items_and_versions(api, conforms):
    pinned = api.post("/api/v1/isp-links", json={"isp_ref": ref(), "item_id": "INT-0502", "version": 1})
    assert pinned.status_code == 201 and pinned.get_json()["version"] == 1
    unknown_item = api.post("/api/v1/isp-links", json={"isp_ref": ref(2), "item_id": "INT-9999"})
    assert unknown_item.status_code == 404 and error_code(unknown_item) == "item-not-found"
    unknown_version = api.post("/api/v1/isp-links", json={"isp_ref": ref(3), "item_id": "INT-0502", "version": 5})
    assert unknown_version.status_code == 404 and error_code(unknown_version) == "version-not-found"
    assert "versions 1 to 4" in unknown_version.get_json()["detail"]
    withdrawn = api.post("/api/v1/isp-links", json={"isp_ref": ref(4), "item_id": "ADJ-0008"})
    assert withdrawn.status_code == 409 and error_code(withdrawn) == "item-withdrawn"
    assert "INT-0407" in withdrawn.get_json()["detail"]
    duplicate = api.post("/api/v1/isp-links", json={"isp_ref": ref(), "item_id": "INT-0502"})
    assert duplicate.status_code == 409 and error_code(duplicate) == "duplicate-link"
    for response in (unknown_item, unknown_version, withdrawn, duplicate):
        conforms(response.get_json(), "Problem")
    assert api.get("/api/v1/isp-links").get_json()["count"] == 1


# -- strict bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, code, named",
    [
        ({"isp_ref": ref(), "item_id": "INT-0407", "child_name": "x"}, "unknown-field", "child_name"),
        ({"isp_ref": ref(), "item_id": "INT-0407", "dob": "2019-01-01"}, "unknown-field", "dob"),
        ({"item_id": "INT-0407"}, "missing-field", "isp_ref"),
        ({"isp_ref": "Jane Smith 2019-01-01", "item_id": "INT-0407"}, "invalid-isp-ref", "isp_ref"),
        ({"isp_ref": "A123456789012", "item_id": "INT-0407"}, "invalid-isp-ref", "isp_ref"),  # a UPN's length
        ({"isp_ref": "John-Smith-2014-05-01", "item_id": "INT-0407"}, "invalid-isp-ref", "isp_ref"),
        ({"isp_ref": "plan_01_05_2014_x", "item_id": "INT-0407"}, "invalid-isp-ref", "isp_ref"),
        ({"isp_ref": "child20140501abcd", "item_id": "INT-0407"}, "invalid-isp-ref", "isp_ref"),
        ({"isp_ref": "upn_A12345678901B_pad", "item_id": "INT-0407"}, "invalid-isp-ref", "isp_ref"),  # padded UPN
        ({"isp_ref": ref(), "item_id": "int-0407"}, "invalid-field", "item_id"),
        ({"isp_ref": ref(), "item_id": "INT-0407", "version": "2"}, "invalid-field", "version"),
        ({"isp_ref": ref(), "item_id": "INT-0407", "version": True}, "invalid-field", "version"),
        ({"isp_ref": ref(), "item_id": "INT-0407", "version": 0}, "invalid-field", "version"),
    ],
)
def test_bad_fields_are_refused_naming_the_field(api, body, code, named):
    response = api.post("/api/v1/isp-links", json=body)
    assert response.status_code == 422 and error_code(response) == code
    assert f"'{named}'" in response.get_json()["detail"]
    assert api.get("/api/v1/isp-links").get_json()["count"] == 0


def test_wrong_content_type_malformed_json_and_oversized_bodies(make_app, conforms):
    app = make_app(API_MAX_BODY_BYTES=2048)
    api = Api(app.test_client(), add_client(app.extensions["nis_state_engine"], "A school")[1])
    as_form = api.post("/api/v1/isp-links", data={"isp_ref": ref(), "item_id": "INT-0407"})
    assert as_form.status_code == 415 and error_code(as_form) == "unsupported-media-type"
    for raw in (b"{not json", b'{"isp_ref": "a", "isp_ref": "b"}', b"[NaN]", b"\xff\xfe"):
        malformed = api.post("/api/v1/isp-links", data=raw, headers={"Content-Type": "application/json"})
        assert malformed.status_code == 400 and error_code(malformed) == "malformed-json", raw
    not_an_object = api.post("/api/v1/isp-links", json=[1, 2])
    assert not_an_object.status_code == 400 and error_code(not_an_object) == "invalid-body"
    big = api.post("/api/v1/isp-links", json={"isp_ref": ref(), "item_id": "INT-0407", "x": "y" * 5000})
    assert big.status_code == 413 and conforms(big.get_json(), "Problem")["code"] == "body-too-large"
    assert api.get("/api/v1/isp-links").get_json()["count"] == 0


def test_a_wrong_method_is_405_with_allow_and_unknown_parameters_are_400(api):
    response = api.put("/api/v1/isp-links", json={})
    assert response.status_code == 405 and error_code(response) == "method-not-allowed"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    unknown = api.get("/api/v1/isp-links?sort=name")
    assert unknown.status_code == 400 and error_code(unknown) == "unknown-parameter"
    for query, code in (
        ("status=done", "invalid-parameter"),
        ("cursor=%%%", "invalid-cursor"),
        ("cursor=OTIyMzM3MjAzNjg1NDc3NTgwOA", "invalid-cursor"),  # 2**63: beyond any row id, not a 500
        ("limit=0", "invalid-parameter"),
    ):
        assert error_code(api.get(f"/api/v1/isp-links?{query}")) == code


# -- review needed ---------------------------------------------------------------------------------


def _pin_before_withdrawal(engine, client_name: str) -> None:
    """A link made while ADJ-0008 was still active (at v1), as a setting's system would have."""
    from nis_library.isp_links import clients

    before = versions.VersionFacts("ADJ-0008", 1, "", "substantive", "", "active", None)
    with engine.begin() as conn:
        (client,) = [c for c in clients.all_clients(conn) if c.name == client_name]
        links.create(
            conn,
            client.id,
            [(0, LinkRequest(isp_ref=ref(9), item_id="ADJ-0008", version=1))],
            {"ADJ-0008": [before]},
            cap=1000,
        )
        served.record(conn, served.histories(conn, ["ADJ-0008"]))  # as the build serving v2 does


def test_review_needed_lists_substantive_revisions_and_withdrawals_not_editorial_changes(api, engine, conforms):
    def make(n, item_id, version):
        body = {"isp_ref": ref(n), "item_id": item_id, "version": version}
        return api.post("/api/v1/isp-links", json=body).get_json()["id"]

    substantive, editorial, current = make(1, "INT-0502", 1), make(2, "INT-0302", 1), make(3, "INT-0502", 4)
    _pin_before_withdrawal(engine, "Northfield Primary")
    answer = api.get("/api/v1/isp-links?status=review-needed")
    body = conforms(answer.get_json(), pointer=f"{PATHS}/get/responses/200/content/application~1json/schema")
    flagged = {link["item_id"]: link for link in body["isp_links"]}
    assert set(flagged) == {"INT-0502", "ADJ-0008"} and flagged["INT-0502"]["id"] == substantive
    assert editorial not in [x["id"] for x in body["isp_links"]] and current not in [x["id"] for x in body["isp_links"]]
    change, rerated = flagged["INT-0502"]["review"]["changes"]  # both substantive revisions since v1
    assert rerated["version"] == 4 and "Re-rated from moderate to emerging" in rerated["change_note"]
    assert change["version"] == 2 and change["change_class"] == "substantive" and "MetaSENse" in change["change_note"]
    assert change["diff_url"] == f"{PUBLIC_URL}/items/INT-0502/diff?from=1&to=2"
    assert change["url"] == f"{PUBLIC_URL}/items/INT-0502/v/2"
    withdrawn = flagged["ADJ-0008"]["review"]
    assert withdrawn["withdrawn"] and withdrawn["replaced_by"] == {
        "item_id": "INT-0407",
        "url": f"{PUBLIC_URL}/items/INT-0407",
    }
    # every link, review needed or not, in the plain listing
    assert api.get("/api/v1/isp-links").get_json()["count"] == 4


def test_acknowledge_repins_to_the_latest_and_clears_the_flag(api, engine, conforms):
    link = api.post("/api/v1/isp-links", json={"isp_ref": ref(), "item_id": "INT-0502", "version": 1}).get_json()
    assert link["review_needed"]
    acknowledged = api.post(f"/api/v1/isp-links/{link['id']}/acknowledge")
    body = conforms(acknowledged.get_json(), "IspLink")
    assert acknowledged.status_code == 200 and body["version"] == 4 and not body["review_needed"]
    assert body["acknowledged_at"] is not None
    assert api.get("/api/v1/isp-links?status=review-needed").get_json()["isp_links"] == []
    _pin_before_withdrawal(engine, "Northfield Primary")
    (withdrawn,) = api.get("/api/v1/isp-links?status=review-needed").get_json()["isp_links"]
    refused = api.post(f"/api/v1/isp-links/{withdrawn['id']}/acknowledge")
    assert refused.status_code == 409 and error_code(refused) == "item-withdrawn"


# -- bulk and pagination ---------------------------------------------------------------------------


def test_bulk_create_is_all_or_nothing_naming_each_bad_entry(make_app, conforms):
    app = make_app(ISP_LINKS_BULK_MAX=5)
    api = Api(app.test_client(), add_client(app.extensions["nis_state_engine"], "A school")[1])
    entries = [
        {"isp_ref": ref(1), "item_id": "INT-0407"},
        {"isp_ref": ref(2), "item_id": "INT-9999"},
        {"isp_ref": ref(3), "item_id": "INT-0502", "upn": "A123"},
        {"isp_ref": ref(4), "item_id": "INT-0502", "version": 7},
    ]
    refused = api.post("/api/v1/isp-links/bulk", json={"links": entries})
    error = conforms(refused.get_json(), "Problem")
    assert refused.status_code == 422 and error["code"] == "invalid-links"
    codes = [(p["index"], p["code"]) for p in error["problems"]]
    # every bad entry at once, in order: a malformed one beside an unknown item and version
    assert codes == [(1, "item-not-found"), (2, "unknown-field"), (3, "version-not-found")]
    assert api.get("/api/v1/isp-links").get_json()["count"] == 0  # none was made
    good = [{"isp_ref": ref(n), "item_id": "INT-0407"} for n in range(5)]
    made = api.post("/api/v1/isp-links/bulk", json={"links": good})
    assert made.status_code == 201 and made.get_json()["count"] == 5
    assert [x["isp_ref"] for x in made.get_json()["isp_links"]] == [ref(n) for n in range(5)]
    too_many = api.post("/api/v1/isp-links/bulk", json={"links": good + good[:1]})
    assert too_many.status_code == 422 and error_code(too_many) == "bulk-size"
    not_objects = api.post("/api/v1/isp-links/bulk", json={"links": [good[0], "INT-0407"]}).get_json()
    # good[0] was made above: reported beside the malformed entry, in the same pass
    assert [(p["index"], p["code"]) for p in not_objects["problems"]] == [(0, "duplicate-link"), (1, "invalid-body")]
    assert not_objects["problems"][0]["link_id"] == made.get_json()["isp_links"][0]["id"]
    assert "links[1] must be a JSON object" in not_objects["problems"][1]["message"]
    duplicates = api.post("/api/v1/isp-links/bulk", json={"links": [{"isp_ref": ref(9), "item_id": "INT-0407"}] * 2})
    assert [p["code"] for p in duplicates.get_json()["problems"]] == ["duplicate-link"]


def test_listing_is_paginated_by_cursor_with_a_link_header(api):
    made = [
        api.post("/api/v1/isp-links", json={"isp_ref": ref(n), "item_id": "INT-0502", "version": 1 + 3 * (n % 2)})
        for n in range(5)
    ]
    ids = [m.get_json()["id"] for m in made]
    first = api.get("/api/v1/isp-links?limit=2")
    link_header = first.headers["Link"]
    assert link_header.startswith(f"<{PUBLIC_URL}/api/v1/isp-links?limit=2&cursor=") and link_header.endswith(
        'rel="next"'
    )
    assert first.get_json()["links"]["next"] == link_header[1 : link_header.index(">")]
    seen, url = [], "/api/v1/isp-links?limit=2"
    while url:
        page = api.get(url)
        seen += [x["id"] for x in page.get_json()["isp_links"]]
        nxt = page.headers.get("Link")
        url = nxt[len(f"<{PUBLIC_URL}") : nxt.index(">")] if nxt else None
    assert seen == ids
    flagged, url = [], "/api/v1/isp-links?status=review-needed&limit=1"
    while url:
        page = api.get(url)
        flagged += [x["id"] for x in page.get_json()["isp_links"]]
        nxt = page.headers.get("Link")
        url = nxt[len(f"<{PUBLIC_URL}") : nxt.index(">")] if nxt else None
    assert flagged == ids[0::2]  # those pinned to v1 (v4 is the latest)


# -- webhooks over HTTP ----------------------------------------------------------------------------


def test_webhook_registration_refuses_plain_http_and_private_addresses(make_app, monkeypatch, conforms):
    from nis_library.isp_links import callbacks

    addresses = {
        "hooks.example.org": ["93.184.215.14"],
        "intranet.example.org": ["10.0.0.5"],
        "metadata.example.org": ["169.254.169.254"],
        "nat64.example.org": ["64:ff9b::a00:5"],  # NAT64 of 10.0.0.5
        "sixtofour.example.org": ["2002:a00:5::1"],  # 6to4 of 10.0.0.5
        "mapped.example.org": ["::ffff:127.0.0.1"],
        "multicast.example.org": ["ff0e::1"],
        "mixed.example.org": ["93.184.215.14", "10.0.0.5"],  # one bad answer is enough
    }
    monkeypatch.setattr(callbacks, "resolve", lambda host, port: addresses.get(host, [host]))
    app = make_app()
    api = Api(app.test_client(), add_client(app.extensions["nis_state_engine"], "A school")[1])
    for url in (
        "http://hooks.example.org/x",
        "https://intranet.example.org/x",
        "https://metadata.example.org/latest",
        "https://127.0.0.1/x",
        "http://localhost:8000/x",  # allowed only with WEBHOOKS_ALLOW_LOCALHOST
        "ftp://hooks.example.org/x",
        "https://nat64.example.org/x",
        "https://sixtofour.example.org/x",
        "https://mapped.example.org/x",
        "https://multicast.example.org/x",
        "https://mixed.example.org/x",
        "https://hooks.example.org:8443/x",  # a port WEBHOOK_PORTS does not list
    ):
        refused = api.put("/api/v1/webhook", json={"url": url})
        assert refused.status_code == 422 and error_code(refused) == "invalid-callback", url
        resolved = ("10.0.0.5", "169.254", "ff9b", "2002:", "ffff:", "ff0e")  # what hosts resolved to
        assert not any(a in refused.get_json()["detail"] for a in resolved), url
    assert api.get("/api/v1/webhook").status_code == 404
    registered = api.put("/api/v1/webhook", json={"url": "https://hooks.example.org/nis"})
    body = conforms(
        registered.get_json(), pointer="#/paths/~1api~1v1~1webhook/put/responses/200/content/application~1json/schema"
    )
    assert body["secret"].startswith("whsec_")
    shown = api.get("/api/v1/webhook").get_json()
    assert shown["url"] == "https://hooks.example.org/nis" and "secret" not in shown
    local = make_app(WEBHOOKS_ALLOW_LOCALHOST=True)
    local_api = Api(local.test_client(), add_client(local.extensions["nis_state_engine"], "B school")[1])
    assert local_api.put("/api/v1/webhook", json={"url": "http://localhost:8000/x"}).status_code == 200
    assert api.delete("/api/v1/webhook").status_code == 204 and api.get("/api/v1/webhook").status_code == 404


def test_deliveries_are_listed_for_their_client_only(api, other_api, engine, conforms):
    from sqlalchemy import update

    from nis_library.isp_links import clients, webhooks
    from nis_library.state.schema import isp_links

    api.post("/api/v1/isp-links", json={"isp_ref": ref(), "item_id": "INT-0502", "version": 1})
    histories = versions.from_catalogue(_catalogue(api), ["INT-0502"])
    with engine.begin() as conn:
        (client,) = [c for c in clients.all_clients(conn) if c.name == "Northfield Primary"]
        webhooks.register(conn, client.id, "https://hooks.example.org/nis")
        # Linked to v1 when v2 was already out: the client knew of v2, so no webhook tells it.
        assert webhooks.queue(conn, histories, PUBLIC_URL) == 0
        conn.execute(update(isp_links).values(notified_through=1))  # as if linked before v2 came out
        assert webhooks.queue(conn, histories, PUBLIC_URL) == 2  # v2 and v4: both substantive
    body = api.get("/api/v1/webhooks/deliveries").get_json()
    conforms(body, pointer="#/paths/~1api~1v1~1webhooks~1deliveries/get/responses/200/content/application~1json/schema")
    delivery, later = sorted(body["deliveries"], key=lambda d: d["version"])
    assert (delivery["item_id"], delivery["version"], delivery["status"]) == ("INT-0502", 2, "pending")
    assert (later["version"], later["status"]) == (4, "pending")
    assert delivery["type"] == "item.revised" and delivery["id"].startswith("msg_")
    assert other_api.get("/api/v1/webhooks/deliveries").get_json()["deliveries"] == []


def _catalogue(api):
    from nis_library.catalogue import get_catalogue

    return get_catalogue(Path(api.http.application.config["INSTANCE_DIR"]))


def test_the_edition_page_counts_the_links_each_substantive_change_flags(api, app):
    for n in range(3):
        api.post("/api/v1/isp-links", json={"isp_ref": ref(n), "item_id": "INT-0502", "version": 1})
    api.post("/api/v1/isp-links", json={"isp_ref": ref(7), "item_id": "INT-0302", "version": 1})
    page = app.test_client().get("/editions/standards/2026.1").get_data(as_text=True)
    int_0502 = page[page.index('href="/items/INT-0502/v/2"') :]
    assert "ISP links this flags for review: 3" in int_0502[: int_0502.index("</li>")]
    assert "Northfield" not in page  # counts only, never which settings
    editorial = page[page.index('href="/items/INT-0302/v/2"') :]
    assert "flags for review" not in editorial[: editorial.index("</li>")]  # editorial changes flag nothing
