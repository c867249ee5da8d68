"""A client generated from openapi.yaml by openapi-python-client, as an integrator would make one,
builds every model of the document and completes the example flow against the service: search,
read a pinned version, link plans (retried safely), page through review notices, acknowledge, poll
for changes, read a problem, and parse a real webhook message with the generated model."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select, update

from nis_library.isp_links import clients, served, webhooks
from nis_library.state.schema import isp_links, webhook_deliveries
from tests.isp_links.conftest import PUBLIC_URL, add_client, ref
from tests.support import REPO

PACKAGE = "nis_library_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """The client, generated into a fresh folder; the generator's warnings."""
    where = tmp_path_factory.mktemp("generated")
    config = where / "config.yaml"
    config.write_text(f"post_hooks: []\nproject_name_override: nis-library-client\npackage_name_override: {PACKAGE}\n")
    done = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(REPO / "openapi.yaml")]
        + ["--config", str(config), "--meta", "none", "--output-path", str(where / PACKAGE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return where, done.stdout + done.stderr


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def test_every_model_of_the_document_is_generated(generated, spec):
    where, output = generated
    # The one thing left out: the YAML document itself, which is not JSON (its function still exists).
    warnings = [line for line in output.splitlines() if line.startswith("WARNING")]
    assert warnings == ["WARNING parsing GET /api/v1/openapi.yaml within default."], output
    models = {p.stem for p in (where / PACKAGE / "models").glob("*.py")}
    objects = [
        name
        for name, schema in spec["components"]["schemas"].items()
        if schema.get("type") == "object" or "allOf" in schema
    ]
    assert objects and {_snake(name) for name in objects} <= models
    operations = {p.stem for p in (where / PACKAGE / "api" / "default").glob("*.py")} - {"__init__"}
    documented = {
        _snake(op["operationId"])
        for item in spec["paths"].values()
        for method, op in item.items()
        if method != "parameters"
    }
    assert operations == documented


@pytest.fixture
def generated_client(generated, app, engine):
    where, _ = generated
    sys.path.insert(0, str(where))
    try:
        package = importlib.import_module(PACKAGE)
        _, token = add_client(engine, "Generated client school")
        transport = httpx.WSGITransport(app=app)
        client = package.AuthenticatedClient(base_url=PUBLIC_URL, token=token, httpx_args={"transport": transport})
        yield package, client
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _operation(name: str):
    return importlib.import_module(f"{PACKAGE}.api.default.{name}")


def _model(name: str):
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def test_the_generated_client_completes_the_example_flow(generated_client, engine):
    package, client = generated_client
    found = _operation("search_library").sync(client=client, q="working memory")
    assert found.total >= 1 and found.results[0].id
    version = _operation("get_item_version").sync(client=client, item_id="INT-0502", version=1)
    assert version.id == "INT-0502" and version.version == 1 and version.links.latest.endswith("/items/INT-0502")

    # Link a plan to version 1 (a later substantive revision exists), retried with the same key.
    create = _operation("create_isp_link")
    body = _model("IspLinkRequest")(isp_ref=ref(1), item_id="INT-0502", version=1)
    first = create.sync_detailed(client=client, body=body, idempotency_key="flow-1")
    again = create.sync_detailed(client=client, body=body, idempotency_key="flow-1")
    assert first.status_code == again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    link = first.parsed
    assert again.parsed.id == link.id and link.review_needed and link.review.changes[0].version == 2
    duplicate = create.sync(client=client, body=body)
    assert isinstance(duplicate, _model("Problem")) and duplicate.code == "duplicate-link"
    assert duplicate.link_id == link.id

    # A batch, one of which exists already: skipped, not refused.
    bulk_body = _model("CreateIspLinksBody")(
        links=[body, _model("IspLinkRequest")(isp_ref=ref(2), item_id="INT-0502", version=1)],
        if_exists=_model("CreateIspLinksBodyIfExists").SKIP,
    )
    made = _operation("create_isp_links").sync(client=client, body=bulk_body)
    assert made.count == 1 and [s.link_id for s in made.skipped] == [link.id]

    # Page through the review notices one at a time, by the cursor in links.next.
    flagged, cursor = [], None
    while True:
        kwargs = {"cursor": cursor} if cursor else {}
        page = _operation("list_isp_links").sync(
            client=client, status=_model("ListIspLinksStatus").REVIEW_NEEDED, limit=1, **kwargs
        )
        flagged += [x.id for x in page.isp_links]
        if not page.links.next_:
            break
        cursor = parse_qs(urlsplit(page.links.next_).query)["cursor"][0]
    assert flagged == [link.id, made.isp_links[0].id]

    acknowledged = _operation("acknowledge_isp_link").sync(client=client, link_id=link.id)
    assert not acknowledged.review_needed and acknowledged.version == acknowledged.latest_version == 4

    changes = _operation("list_changes").sync(client=client, since="2026-01-01")
    assert changes.count >= 1
    assert _operation("list_changes").sync(client=client, since=changes.next_since).count == 0

    missing = _operation("get_isp_link").sync(client=client, link_id="lnk_" + "x" * 22)
    assert isinstance(missing, _model("Problem")) and missing.code == "link-not-found" and missing.status == 404
    deleted = _operation("delete_isp_link").sync_detailed(client=client, link_id=link.id)
    assert deleted.status_code == 204

    # A webhook message as the build queues it, read with the generated model.
    with engine.begin() as conn:
        (me,) = [c for c in clients.all_clients(conn) if c.name == "Generated client school"]
        webhooks.register(conn, me.id, "https://hooks.example.org/nis")
        conn.execute(update(isp_links).where(isp_links.c.client_id == me.id).values(notified_through=1))
        histories = served.histories(conn, ["INT-0502"])
        assert webhooks.queue(conn, histories, PUBLIC_URL) >= 1
        payload = conn.execute(
            select(webhook_deliveries.c.payload).where(webhook_deliveries.c.client_id == me.id)
        ).scalars()
        messages = [_model("WebhookEvent").from_dict(json.loads(p)) for p in payload]
    assert messages and all(m.data.item_id == "INT-0502" for m in messages)
    assert messages[0].data.isp_links[0].diff_url.startswith(f"{PUBLIC_URL}/items/INT-0502/diff?from=")
