"""Issue 10, "a web layer with no 500 from input": each case below was a 500, a duplicate address,
a header missing, or a client's Host header in an absolute URL, on the main branch before this fix."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from indexer.bundle import location as bundles
from indexer.bundle.build import build
from indexer.bundle.embeddings import HashingEmbedder
from nis_library import create_app
from nis_library import settings as config
from nis_library.history import feeds
from nis_library.history.published_history import VersionSummary
from nis_library.web.numbers import whole_number
from tests.support import REPO, sign_in

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC = "https://nis.example.org"


@pytest.fixture(scope="module")
def client(shipped_with_preview: Path):
    app = create_app({"INSTANCE_DIR": str(shipped_with_preview), "PREVIEW": True, "TESTING": True})
    return app.test_client()


@pytest.fixture(scope="module")
def public_client(shipped_with_preview: Path):
    """The service behind a proxy, with its public address set."""
    app = create_app(
        {"INSTANCE_DIR": str(shipped_with_preview), "PREVIEW": True, "TESTING": True, "PUBLIC_URL": PUBLIC + "/"}
    )
    return app.test_client()


def text(response) -> str:
    return response.get_data(as_text=True)


def assert_service_error_page(response, status: int) -> None:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert "govuk-template" in text(response)  # the service's own design, not Werkzeug's page
    assert "Content-Security-Policy" in response.headers and response.headers["X-Content-Type-Options"] == "nosniff"


# -- numbers: ASCII digits only, within range -----------------------------------------------------


@pytest.mark.parametrize(
    "text_, expected",
    [("1", 1), ("0", 0), ("1000", 1000), ("²", None), ("１", None), ("١", None), ("01", None), ("+1", None)]
    + [("-1", None), (" 1", None), ("1 ", None), ("1_0", None), ("", None), ("1.0", None), ("9" * 5000, None)],
)
def test_whole_number_takes_only_canonical_ascii_digits(text_, expected):
    assert whole_number(text_) == expected


def test_whole_number_keeps_within_its_range():
    assert whole_number("5", low=1, high=5) == 5
    assert whole_number("6", low=1, high=5) is None and whole_number("0", low=1) is None
    assert whole_number(str(2**63 - 1)) == 2**63 - 1 and whole_number(str(2**63)) is None  # SQLite's limit


def test_diff_with_a_superscript_two_is_a_400_not_a_500(client):
    # '²'.isdigit() is True, but int('²') raises: this was a 500.
    assert_service_error_page(client.get("/items/ADJ-0004/diff?from=%C2%B2&to=2"), 400)


def test_diff_with_a_number_too_big_for_sqlite_is_a_400_not_a_500(client):
    # 2**63 passed isdigit() and overflowed SQLite's integer: this was a 500.
    response = client.get("/items/ADJ-0004/diff?from=9223372036854775808&to=2")
    assert_service_error_page(response, 400)
    assert "for example ?from=1&amp;to=2" in text(response)


@pytest.mark.parametrize(
    "query",
    ["from=%EF%BC%91&to=2", "from=%D9%A1&to=2", "from=01&to=2", "from=%2B1&to=2", "from=%201&to=2"]
    + ["from=1&to=2&to=2", "from=1", "from=1_0&to=2"],
)
def test_diff_refuses_numbers_not_written_in_ascii_digits_or_given_twice(client, query):
    assert_service_error_page(client.get(f"/items/ADJ-0004/diff?{query}"), 400)


def test_diff_of_versions_that_exist_still_works(client):
    assert client.get("/items/ADJ-0004/diff?from=1&to=2").status_code == 200
    big = client.get("/items/ADJ-0004/diff?from=1&to=9223372036854775807")  # in range, no such version
    assert_service_error_page(big, 404)
    assert "there is no version 9223372036854775807" in text(big)


@pytest.mark.parametrize("segment", ["%EF%BC%91", "%D9%A1", "01", "0", "1_0", "%2B1", "99999999999999999999999"])
def test_a_version_path_not_written_canonically_is_a_404(client, segment):
    # Werkzeug's int converter matched any Unicode digit and leading zeros: /v/１ was version 1 again.
    assert_service_error_page(client.get(f"/items/ADJ-0004/v/{segment}"), 404)


def test_a_canonical_version_path_is_served(client):
    assert client.get("/items/ADJ-0004/v/1").status_code == 200


@pytest.mark.parametrize("page", ["%EF%BC%92", "%D9%A2", "02", "1_0", "%202", "%C2%B2", "1" * 30])
def test_search_page_numbers_in_other_digits_are_a_400(client, page):
    response = client.get(f"/search?q=noise&page={page}")
    assert_service_error_page(response, 400)
    assert "&#39;page&#39; must be a whole number from 1 to 1000" in text(response)


def test_search_page_number_in_ascii_digits_is_served(client):
    assert client.get("/search?q=noise&page=2").status_code == 200


# -- the Atom feeds with characters XML cannot hold ----------------------------------------------


def _version(title: str, note: str) -> VersionSummary:
    return VersionSummary(
        "ADJ-0004", 1, title, "adjustment", "standards", "2026", "2026-10-01", "substantive", note, (), "active"
    )


def test_item_feed_replaces_control_characters_xml_cannot_hold():
    body = feeds.item_feed("ADJ-0004", [_version("Quiet\vcorner\x00", "Note\x1b with \ufffe")], "http://localhost/")
    entry = ET.fromstring(body).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "ADJ-0004 v1 (substantive): Quiet corner "
    assert entry.findtext(f"{ATOM}summary") == "Note  with  "


def test_xml_text_keeps_what_xml_can_hold():
    kept = "tab\tnew\nline\r é ✓ 😀 \x7f"
    assert feeds.xml_text(kept) == kept


@pytest.fixture
def bundle_with_control_characters(tmp_path: Path) -> Path:
    """The shipped content built, then a \\v written straight into the bundle's rows (the content
    checks may refuse it in a file, but a feed must never be a 500 either way)."""
    instance = tmp_path / "instance"
    build(REPO / "content", instance, embedder=HashingEmbedder())
    db = sqlite3.connect(bundles.current_bundle(instance) / bundles.DB_NAME)
    with db:
        db.execute("update versions set title = title || '\v', change_note = change_note || '\v'")
        db.execute("update editions set release_notes = release_notes || '\v'")
    db.close()
    return instance


def test_feeds_with_a_vertical_tab_in_a_title_or_note_are_served(bundle_with_control_characters: Path):
    client = create_app({"INSTANCE_DIR": str(bundle_with_control_characters), "TESTING": True}).test_client()
    for path in ("/feeds/editions.atom", "/items/ADJ-0004/feed.atom"):
        response = client.get(path)
        assert response.status_code == 200, path
        feed = ET.fromstring(response.data)  # well-formed XML
        assert "\v" not in response.get_data(as_text=True)
        assert feed.find(f"{ATOM}entry") is not None


# -- the Host header and PUBLIC_URL ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/items/ADJ-0004", "/search?q=noise", "/nowhere", "/preview"])
def test_an_untrusted_host_gets_the_services_400_page(client, path):
    response = client.get(path, headers={"Host": "evil.example"})
    assert_service_error_page(response, 400)
    assert "evil.example" not in text(response) and "Location" not in response.headers


def test_an_untrusted_host_gets_a_json_400_from_the_api(client):
    response = client.get("/api/v1/changes?since=2026-01-01", headers={"Host": "evil.example"})
    assert response.status_code == 400 and response.get_json()["code"] == "untrusted-host"
    assert b"evil.example" not in response.data


def test_trusted_hosts_are_answered_with_their_port(client):
    assert client.get("/", headers={"Host": "127.0.0.1:5000"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost:8000"}).status_code == 200


def test_public_url_is_in_every_absolute_url_whatever_the_host(public_client):
    data = public_client.get("/api/v1/changes?since=2026-01-01", headers={"Host": "127.0.0.1"}).get_json()
    assert data["changes"] and all(c["url"].startswith(PUBLIC + "/items/") for c in data["changes"])
    assert all(c["latest_url"].startswith(PUBLIC + "/items/") for c in data["changes"])
    feed = ET.fromstring(public_client.get("/feeds/editions.atom").data)
    assert feed.findtext(f"{ATOM}id") == PUBLIC + "/feeds/editions.atom"
    assert all(e.findtext(f"{ATOM}id").startswith(PUBLIC + "/editions/") for e in feed.findall(f"{ATOM}entry"))
    item_feed = ET.fromstring(public_client.get("/items/INT-0407/feed.atom").data)
    assert item_feed.find(f"{ATOM}entry").find(f"{ATOM}link").get("href") == PUBLIC + "/items/INT-0407/v/4"
    assert f"{PUBLIC}/items/INT-0407/v/4" in text(public_client.get("/items/INT-0407"))  # "cite this version"
    assert f"{PUBLIC}/items/INT-0407/v/1" in text(public_client.get("/items/INT-0407/v/1"))
    page = text(public_client.get("/items/INT-0407"))
    assert "http://localhost" not in page


def test_public_url_is_in_redirects(public_client):
    response = public_client.get("/preview", headers={"Host": "localhost:8000"})
    assert response.status_code == 308 and response.headers["Location"] == PUBLIC + "/preview/"
    assert "localhost" not in text(response)


def test_public_urls_host_is_trusted_and_other_hosts_are_not(public_client):
    assert public_client.get("/", headers={"Host": "nis.example.org"}).status_code == 200
    assert public_client.get("/", headers={"Host": "nis.example.org.evil.example"}).status_code == 400


def test_public_url_and_trusted_hosts_settings_are_checked():
    settings = config.load_settings(
        environ={
            "NIS_PUBLIC_URL": "https://NIS.example.org/library/",
            "NIS_TRUSTED_HOSTS": " proxy.internal, .example.net",
        }
    )
    assert settings["PUBLIC_URL"] == "https://nis.example.org/library"
    assert settings["TRUSTED_HOSTS"] == ["proxy.internal", ".example.net"]
    assert settings.flask_config()["TRUSTED_HOSTS"] == ["proxy.internal", ".example.net", "nis.example.org"]
    assert config.load_settings(environ={}).flask_config()["TRUSTED_HOSTS"] == ["localhost", "127.0.0.1"]
    for variable, raw, message in [
        ("NIS_PUBLIC_URL", "nis.example.org", "is not an address"),
        ("NIS_PUBLIC_URL", "ftp://nis.example.org", "is not an address"),
        ("NIS_PUBLIC_URL", "https://nis.example.org/?x=1", "no user, query or fragment"),
        ("NIS_PUBLIC_URL", "https://nis.example.org:99999", "has a port"),
        ("NIS_TRUSTED_HOSTS", ",", "names no host"),
        ("NIS_TRUSTED_HOSTS", "evil example", "is not a host name"),
    ]:
        with pytest.raises(config.SettingsError, match=message):
            config.load_settings(environ={variable: raw})
    with pytest.raises(config.SettingsError, match="names no host"):
        config.load_settings({"TRUSTED_HOSTS": []}, environ={})


# -- 405, caching, since, the preview ---------------------------------------------------------------


def test_a_405_says_which_methods_the_address_takes(client):
    page = client.post("/")
    assert_service_error_page(page, 405)
    assert set(page.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    api = client.delete("/api/v1/changes?since=2026-01-01")
    assert api.status_code == 405 and api.get_json()["code"] == "method-not-allowed"
    assert "GET" in api.headers["Allow"]


def test_the_api_and_the_feeds_may_be_cached_for_five_minutes_and_revalidated(client):
    for path in ("/api/v1/changes?since=2026-01-01", "/feeds/editions.atom", "/items/ADJ-0004/feed.atom"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.cache_control.public and response.cache_control.max_age == 300, path
        again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", path


def test_api_errors_are_never_cached(client):
    response = client.get("/api/v1/changes?since=yesterday")
    assert response.status_code == 400 and response.cache_control.no_store


def test_api_max_age_is_a_setting(shipped_with_preview: Path):
    app = create_app({"INSTANCE_DIR": str(shipped_with_preview), "API_MAX_AGE": 60})
    assert app.test_client().get("/api/v1/changes?since=2026-01-01").cache_control.max_age == 60


@pytest.mark.parametrize(
    "since",
    ["20260101", "2026-W01-1", "%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-01-01", "2026-01-01%0A", "%202026-01-01"]
    + ["standards%202026", "standards/2026%0A", "2026-1-1"],
)
def test_since_is_exactly_a_date_or_an_edition(client, since):
    response = client.get(f"/api/v1/changes?since={since}")
    assert response.status_code == 400 and response.get_json()["code"] == "invalid-parameter"


@pytest.fixture(scope="module")
def signed_in_client(shipped_with_preview: Path):
    """The preview is behind sign-in (any role)."""
    app = create_app({"INSTANCE_DIR": str(shipped_with_preview), "PREVIEW": True, "TESTING": True})
    client = app.test_client()
    sign_in(app, client)
    return client


@pytest.mark.parametrize("path", ["/preview/", "/preview/items/ADJ-0004", "/preview/search?q=noise", "/preview/nope"])
def test_every_preview_response_says_noindex(signed_in_client, path):
    response = signed_in_client.get(path)
    assert response.status_code in (200, 404)
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in text(response)


def test_the_preview_redirect_says_noindex_and_public_pages_do_not(client):
    assert client.get("/preview").headers["X-Robots-Tag"] == "noindex"
    public = client.get("/items/ADJ-0004")
    assert "X-Robots-Tag" not in public.headers and 'name="robots"' not in text(public)


def test_an_item_id_is_written_in_ascii_digits_only():
    from nis_library.catalogue import is_item_id

    assert is_item_id("INT-0407")
    assert not is_item_id("INT-\u0660\u0664\u0660\u0667")  # Arabic-Indic digits: no second address
    assert not is_item_id("INT-\uff10\uff14\uff10\uff17")  # fullwidth


def test_hsts_only_over_https(client):
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_item_pages_show_the_text_rendered_at_build_and_never_render_it_again(client, monkeypatch):
    import markdown

    def refuse(*args, **kwargs):
        raise AssertionError("Markdown rendered while answering a request")

    monkeypatch.setattr(markdown, "Markdown", refuse)
    for path in ("/items/INT-0501", "/items/INT-0407/v/1", "/items/INT-0501/print", "/api/v1/items/INT-0407/v/1"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert 'class="govuk-body"' in client.get("/items/INT-0501").get_data(as_text=True)


def test_the_search_page_limits_each_address_across_workers(shipped_with_preview: Path):
    """Before: /search had no per-address limit while /api/v1/search did."""
    settings = {"INSTANCE_DIR": str(shipped_with_preview), "TESTING": True, "SEARCH_ADDRESS_LIMIT": 3}
    workers = [create_app(settings).test_client() for _ in range(2)]
    address = {"REMOTE_ADDR": "192.0.2.77"}
    for n in range(3):  # counted together, whichever worker answers, with or without htmx
        headers = {"HX-Request": "true"} if n == 1 else {}
        assert workers[n % 2].get(f"/search?q=noise{n}", environ_base=address, headers=headers).status_code == 200
    refused = workers[1].get("/search?q=reading", environ_base=address)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    page = refused.get_data(as_text=True)
    assert "You have made too many requests" in page and "then search again" in page
    assert workers[0].get("/search?q=reading", environ_base={"REMOTE_ADDR": "192.0.2.78"}).status_code == 200
