"""The API page (`/api`) is laid out from openapi.yaml itself, so it cannot drift from it; these
tests fail if it ever leaves out an endpoint, a parameter, a status or an error code the document
has. (axe checks it in tests/browser/test_accessibility.py.)"""

from __future__ import annotations

import html
import re

import yaml

from nis_library.api import document
from nis_library.web.json_api.problems import CODES
from tests.support import REPO


def test_the_page_shows_every_operation_parameter_response_and_error_code_of_the_document(client):
    response = client.get("/api")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = html.unescape(response.get_data(as_text=True))
    spec = yaml.safe_load((REPO / "openapi.yaml").read_text())
    operations = document.operations()
    assert {(op.method, op.path) for op in operations} == {
        (method.upper(), path) for path, item in spec["paths"].items() for method in item if method != "parameters"
    }
    for op in operations:
        assert f'id="{op.anchor}"><code>{op.method} {op.path}</code>' in page
        assert op.summary in page
        for parameter in op.parameters:
            assert f"<code>{parameter.name}</code>" in page[page.index(f'id="{op.anchor}"') :]
        section = page[page.index(f'id="{op.anchor}"') :]
        section = section[: section.index("</section>")]
        for response_ in op.own_responses:
            assert f'<th scope="row" class="govuk-table__header">{response_.status}</th>' in section
        for response_ in op.shared_responses:  # linked, and explained once further down
            assert f'<a class="govuk-link" href="#shared-{response_.shared.lower()}">{response_.status}</a>' in section
            assert f'id="shared-{response_.shared.lower()}"' in page
        for field in op.fields:
            assert f"<code>{field.name}</code>" in section
        assert ("Needs your token" in section) == op.path.startswith(("/api/v1/isp-links", "/api/v1/webhook"))
    text = " ".join(re.sub(r"<[^>]+>", "", page).split())  # what a reader sees
    for name, _, meaning in document.shared_responses():
        assert re.sub(r"[`*]", "", " ".join(meaning.split())) in text, name
    code = spec["components"]["schemas"]["Problem"]["properties"]["code"]
    assert len(code["enum"]) == len(code["x-enum-descriptions"]) == len(CODES)
    for name, meaning in zip(code["enum"], code["x-enum-descriptions"], strict=True):
        assert f'id="problem-{name}"' in page and f"<code>{name}</code>" in page
        assert meaning.replace("`", "") in text
    assert 'href="http://localhost/api/v1/openapi.yaml"' in page


def test_the_page_shows_how_to_get_and_send_a_token_the_webhook_and_the_policy(client):
    page = html.unescape(client.get("/api").get_data(as_text=True))
    assert "nis clients add" in page and "Authorization: Bearer nis_..." in page
    (webhook,) = document.webhooks()
    assert f'id="{webhook.anchor}"' in page and "webhook-signature" in page
    assert "<code>data.isp_links</code>" in page[page.index(f'id="{webhook.anchor}"') :]
    for heading in ("Quick start", "Versioning and deprecation", "Changes"):
        assert f">{heading}</h3>" in page
    assert "Example answer" in page and "Example message" in page


def test_the_page_is_a_page_not_json_and_has_the_service_layout(client):
    page = client.get("/api").get_data(as_text=True)
    assert '<h1 class="govuk-heading-xl">NIS Library API</h1>' in page
    assert 'class="govuk-skip-link"' in page
    assert client.get("/api").headers["ETag"]


def test_every_page_links_to_the_api_page_from_its_footer(client):
    for path in ("/", "/editions", "/api"):
        assert 'class="govuk-footer__link" href="/api"' in client.get(path).get_data(as_text=True)


def test_the_page_says_an_isp_ref_is_opaque_and_why(client):
    """Issue 12: the API page explains that an ISP reference carries no personal data, and why."""
    page = client.get("/api").get_data(as_text=True)
    assert "No personal data" in page and "opaque token" in page
    assert "date of birth, UPN" in page and "unknown-field" in page


def test_the_document_lists_exactly_the_codes_the_service_answers_with_and_their_statuses():
    listed = dict(document.error_codes())
    assert list(listed) == list(CODES)
    for code, kind in CODES.items():
        assert listed[code] == f"{kind.status}: {kind.title}."
