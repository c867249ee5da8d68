"""Every failure of the API is an RFC 9457 problem details body with a stable `code`, never cached: one test per status
(400 and 404 are in test_read_api), each checked against the code the document lists."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nis_library import create_app
from nis_library.api import document
from nis_library.isp_links import clients
from nis_library.state.database import make_engine
from nis_library.state.migrate import upgrade
from tests.state_keys import session_keys
from tests.support import REPO


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == status and response.get_json()["title"]
    assert response.get_json()["type"].endswith(f"/api#problem-{code}")
    assert response.get_json()["code"] == code
    assert response.get_json()["detail"]
    assert response.headers["Cache-Control"] == "no-store"
    assert code in {c for c, _ in document.error_codes()}, f"{code} is not in openapi.yaml"


def test_405_names_the_methods_allowed(client):
    response = client.post("/api/v1/items")
    assert_error(response, 405, "method-not-allowed")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}


@pytest.mark.parametrize("accept", ["text/html", "application/xml, text/plain;q=0.5", "application/json;q=0"])
def test_406_when_the_accept_header_excludes_json(client, accept):
    assert_error(client.get("/api/v1/items", headers={"Accept": accept}), 406, "not-acceptable")


@pytest.mark.parametrize("accept", ["application/json", "*/*", "application/*", "text/html, application/json;q=0.1"])
def test_an_accept_header_that_allows_json_gets_it(client, accept):
    assert client.get("/api/v1/items", headers={"Accept": accept}).status_code == 200


def test_406_for_the_document_when_yaml_is_excluded(client):
    assert_error(client.get("/api/v1/openapi.yaml", headers={"Accept": "application/json"}), 406, "not-acceptable")
    assert client.get("/api/v1/openapi.yaml", headers={"Accept": "application/yaml"}).status_code == 200


def test_413_for_a_body_over_the_limit(client):
    response = client.get("/api/v1/items", data=b"x" * (64 * 1024 + 1), content_type="application/json")
    assert_error(response, 413, "body-too-large")


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/x-www-form-urlencoded"])
def test_415_for_any_body_the_read_endpoints_do_not_take(client, content_type):
    response = client.get("/api/v1/search?q=noise", data=b'{"q": "noise"}', content_type=content_type)
    assert_error(response, 415, "unsupported-media-type")


def test_429_with_retry_after_past_the_limit_per_address_counted_in_the_state_store(shipped_instance: Path, tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    engine = make_engine(url, session_keys())
    upgrade(engine)
    limited = create_app({"INSTANCE_DIR": str(shipped_instance), "DATABASE_URL": url, "API_ADDRESS_LIMIT": 3})
    other_worker = create_app({"INSTANCE_DIR": str(shipped_instance), "DATABASE_URL": url, "API_ADDRESS_LIMIT": 3})
    address = {"REMOTE_ADDR": "192.0.2.7"}
    assert limited.test_client().get("/api/v1/editions", environ_base=address).status_code == 200
    assert other_worker.test_client().get("/api/v1/taxonomy", environ_base=address).status_code == 200
    assert limited.test_client().get("/api/v1/editions", environ_base=address).status_code == 200
    response = other_worker.test_client().get("/api/v1/editions", environ_base=address)
    assert_error(response, 429, "rate-limited")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    elsewhere = limited.test_client().get("/api/v1/editions", environ_base={"REMOTE_ADDR": "192.0.2.8"})
    assert elsewhere.status_code == 200  # per address
    engine.dispose()


def test_a_token_gets_its_own_read_budget_and_every_answer_says_what_is_left(shipped_instance: Path, tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    engine = make_engine(url, session_keys())
    upgrade(engine)
    with engine.begin() as conn:
        tokens = [clients.add(conn, name)[1] for name in ("School A", "School B")]
    app = create_app(
        {"INSTANCE_DIR": str(shipped_instance), "DATABASE_URL": url, "API_ADDRESS_LIMIT": 2, "API_RATE_LIMIT": 3}
    )
    vendor = {"REMOTE_ADDR": "192.0.2.9"}  # every school's requests come from the vendor's one address

    def get(token: str | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return app.test_client().get("/api/v1/editions", environ_base=vendor, headers=headers)

    answers = [get(tokens[0]) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert {a.headers["RateLimit-Limit"] for a in answers} == {"3"} and int(answers[0].headers["RateLimit-Reset"]) >= 1
    refused = get(tokens[0])
    assert_error(refused, 429, "rate-limited")
    assert refused.headers["RateLimit-Remaining"] == "0" and int(refused.headers["Retry-After"]) >= 1
    assert get(tokens[1]).status_code == 200  # another school behind the same address
    assert [get().status_code for _ in range(3)] == [200, 200, 429]  # no token: the address's budget
    assert_error(get("nis_not-a-real-token"), 401, "invalid-token")
    engine.dispose()


def test_the_public_read_endpoints_answer_other_sites_but_the_links_api_does_not(client):
    origin = {"Origin": "https://school.example.org"}
    answer = client.get("/api/v1/editions", headers=origin)
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in answer.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/editions",
        headers=origin | {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"},
    )
    assert preflight.status_code == 200 and "if-none-match" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/isp-links", headers=origin).headers


def test_unexpected_errors_are_json_500s(client, monkeypatch):
    from nis_library.history import published_history as service

    def broken(catalogue):
        raise RuntimeError("a bug")

    monkeypatch.setattr(service, "editions", broken)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/api/v1/editions")
    finally:
        client.application.config["PROPAGATE_EXCEPTIONS"] = None
    assert_error(response, 500, "internal-error")


def test_the_document_lists_every_status_each_endpoint_can_answer():
    spec = yaml.safe_load((REPO / "openapi.yaml").read_text())
    for path, item in spec["paths"].items():
        if not path.startswith(("/api/v1/search", "/api/v1/items", "/api/v1/taxonomy", "/api/v1/editions")):
            continue
        statuses = set(item["get"]["responses"])
        assert {"200", "304", "400", "405", "406", "413", "415", "429", "503"} <= statuses, path


def test_behind_a_proxy_the_limit_counts_each_client_not_the_proxy(shipped_instance: Path, tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    engine = make_engine(url, session_keys())
    upgrade(engine)
    engine.dispose()
    app = create_app(
        {"INSTANCE_DIR": str(shipped_instance), "DATABASE_URL": url, "API_ADDRESS_LIMIT": 1, "PROXY_HOPS": 1}
    )
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    client = app.test_client()
    first = client.get("/api/v1/editions", environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.1"})
    second = client.get("/api/v1/editions", environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.2"})
    assert first.status_code == second.status_code == 200
    # A client's own X-Forwarded-For entry is not believed: the proxy appends the real address.
    forged = client.get(
        "/api/v1/editions", environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.1"}
    )
    assert forged.status_code == 429


@pytest.mark.parametrize("path", ["/api/v1/search?q=noise", "/api/v1/items", "/api/v1/items/INT-0407/v/1"])
def test_a_host_header_the_service_does_not_answer_to_is_a_json_400(client, path):
    assert_error(client.get(path, headers={"Host": "evil.example"}), 400, "untrusted-host")
