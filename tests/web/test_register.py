"""The public register over the sample register and the shipped library: drafts never shown, the
not-accepted response with its explanation, filters with counts and strict query strings, the
exports (CSV safe against formulas), the Atom feed (well-formed whatever was typed), implementation
derived from published versions, and the item page's recommendations."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from nis_library import create_app
from nis_library.browse import views as browse_views
from nis_library.catalogue import get_catalogue
from nis_library.governance import public_register, sample
from nis_library.governance import recommendations as recs
from nis_library.governance.library_names import from_catalogue
from nis_library.governance.permissions import Actor
from nis_library.history.published_history import VersionSummary
from nis_library.state.database import make_engine
from nis_library.state.migrate import upgrade
from tests.state_keys import session_keys

ATOM = "{http://www.w3.org/2005/Atom}"
NASTY = "<script>alert('x')</script> & ]]> \"quotes\" \u2028 =cmd|' /C calc'!A0 😀"


@pytest.fixture(scope="module")
def register_store(shipped_instance: Path, tmp_path_factory):
    """The sample register, and one more published recommendation with hostile text."""
    url = f"sqlite:///{tmp_path_factory.mktemp('register') / 'state.db'}"
    engine = make_engine(url, session_keys())
    upgrade(engine)
    terms = from_catalogue(get_catalogue(shipped_instance))
    with recs.unit_of_work(engine) as conn:
        sample.load(conn, terms)
    with recs.unit_of_work(engine) as conn:
        hostile = recs.create_draft(
            conn,
            Actor("p", "panel-member"),
            terms,
            review="packages-2026-ooc-1",
            text=NASTY,
            rationale="=1+1",
            items=["SPP-0003"],
        )
        recs.publish(conn, Actor("c", "chair"), hostile.id, hostile.version)
    yield url, engine
    engine.dispose()


@pytest.fixture(scope="module")
def client(shipped_instance: Path, register_store):
    url, _ = register_store
    app = create_app(
        {"INSTANCE_DIR": str(shipped_instance), "DATABASE_URL": url, "TODAY": dt.date(2026, 12, 2), "TESTING": True}
    )
    return app.test_client()


def test_the_register_shows_every_public_recommendation_and_no_draft(client):
    page = client.get("/recommendations")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for rec_id in ("R-2026-S-01", "R-2026-S-02", "R-2026-S-03", "R-2026-S-04", "R-2026-S-05", "R-2026-P-01"):
        assert f">{rec_id}</a>" in html
    assert "R-2026-S-06" not in html  # the draft
    assert "9 of 9 recommendations" not in html and "8 of 8 recommendations" in html


def test_not_accepted_is_shown_with_its_explanation(client):
    html = client.get("/recommendations/R-2026-S-05").get_data(as_text=True)
    assert "Not accepted" in html
    assert "The two-year cycle of the Standards is the one the consultation commits to." in html


def test_overdue_and_withdrawn_are_shown(client):
    overdue = client.get("/recommendations/R-2026-S-02").get_data(as_text=True)
    assert "Response overdue" in overdue and "due by 26 November 2026" in overdue
    withdrawn = client.get("/recommendations/R-2026-S-03").get_data(as_text=True)
    assert "Withdrawn" in withdrawn and "Superseded by the panel" in withdrawn


@pytest.mark.parametrize("address", ["R-2026-S-06", "R-2099-S-01", "nonsense", "R-2026-S-04x", "r-2026-s-04"])
def test_drafts_and_unknown_ids_are_404(client, address):
    assert client.get(f"/recommendations/{address}").status_code == 404


def test_filters_narrow_with_counts(client):
    html = client.get("/recommendations?status=not-accepted").get_data(as_text=True)
    assert "1 of 8 recommendations" in html and ">R-2026-S-05</a>" in html and ">R-2026-S-04</a>" not in html
    # Counts of the status group ignore the status chosen; other groups count within it.
    assert 'value="accepted"' in html and 'Accepted <span class="app-filter-count">(1)</span>' in html
    # R-2026-S-04, accepted, is implemented by the standards 2026.2 versions that name it.
    assert 'Implemented <span class="app-filter-count">(1)</span>' in html
    assert "checked" in html.split('value="not-accepted"')[1][:20]
    review = client.get("/recommendations?review=standards-2026-ooc-1&status=implemented").get_data(as_text=True)
    assert "1 of 8 recommendations" in review and ">R-2026-S-04</a>" in review


def test_values_within_a_filter_are_alternatives(client):
    html = client.get("/recommendations?status=accepted&status=not-accepted").get_data(as_text=True)
    assert "2 of 8 recommendations" in html
    html = client.get("/recommendations?status=accepted&status=not-accepted&status=implemented").get_data(as_text=True)
    assert "3 of 8 recommendations" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=maybe", "There is no status"),
        ("area=%3Cscript%3E", "There is no area of development"),
        ("colour=red", "unknown parameter"),
        ("status=%FF", "invalid UTF-8"),
        ("q=x", "unknown parameter"),
    ],
)
def test_bad_queries_are_a_400_with_a_message(client, query, message):
    response = client.get(f"/recommendations?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "<script>" not in response.get_data(as_text=True)


def test_the_csv_is_safe_against_formulas(client):
    response = client.get("/recommendations.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["id"] for r in rows][:2] == ["R-2026-P-01", "R-2026-P-02"]
    hostile = next(r for r in rows if r["rationale"].endswith("1+1"))
    assert hostile["rationale"] == "'=1+1"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
    s05 = next(r for r in rows if r["id"] == "R-2026-S-05")
    assert s05["status"] == "not-accepted" and s05["explanation"].startswith("Sample explanation.")


def test_the_json_export(client):
    data = client.get("/recommendations.json").get_json()
    by_id = {r["id"]: r for r in data["recommendations"]}
    assert "R-2026-S-06" not in by_id
    implemented = by_id["R-2026-S-04"]
    assert implemented["response"] == "accepted" and implemented["status"] == "implemented"
    carried = {(v["item"], v["version"], v["edition"]) for v in implemented["implemented_by"]}
    assert ("INT-0101", 2, "standards/2026.2") in carried and all(e == "standards/2026.2" for _, _, e in carried)
    assert by_id["R-2026-S-05"]["implemented_by"] == []  # not accepted, and named by no version
    assert by_id["R-2026-S-02"]["response_overdue"] is True
    assert by_id["R-2026-S-01"]["url"].endswith("/recommendations/R-2026-S-01")


def test_the_feed_is_well_formed_with_any_text(client):
    response = client.get("/feeds/recommendations.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert "R-2026-S-05: not accepted" in titles and "R-2026-S-03 withdrawn" in titles
    assert not any("R-2026-S-06" in t for t in titles)
    summaries = [e.findtext(f"{ATOM}summary") for e in feed.iter(f"{ATOM}entry")]
    assert NASTY in summaries
    ids = [e.findtext(f"{ATOM}id") for e in feed.iter(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))


def test_hostile_text_is_inert_on_the_pages(client):
    html = client.get("/recommendations").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


@pytest.mark.parametrize("address", ["/recommendations.csv", "/recommendations.json", "/feeds/recommendations.atom"])
def test_exports_take_no_parameters(client, address):
    assert client.get(address + "?x=1").status_code == 400


def test_the_item_page_lists_recommendations_about_it(client):
    html = client.get("/items/INT-0502").get_data(as_text=True)
    assert "Recommendations about this item" in html
    assert 'href="/recommendations/R-2026-S-04"' in html
    assert "R-2026-S-06" not in html  # a draft names it too, but drafts are never public


def test_implemented_is_derived_from_published_versions(client, monkeypatch):
    """A version naming R-2026-S-04 in `implements` (as standards 2026.2 will) makes it implemented,
    with links to the version and its edition; the item page lists what that version implements."""
    implementing = VersionSummary(
        "INT-0502",
        1,
        "Pre-teach",
        "intervention",
        "standards",
        "2026",
        "2026-10-01",
        "editorial",
        "x",
        ("R-2026-S-04", "R-2031-S-09"),
        "active",
    )
    monkeypatch.setattr(public_register, "versions_implementing", lambda catalogue: [implementing])
    html = client.get("/recommendations/R-2026-S-04").get_data(as_text=True)
    assert "Implemented" in html and 'href="/items/INT-0502/v/1"' in html and 'href="/editions/standards/2026"' in html
    data = client.get("/recommendations.json").get_json()
    s04 = next(r for r in data["recommendations"] if r["id"] == "R-2026-S-04")
    assert s04["status"] == "implemented" and s04["implemented_by"][0]["edition"] == "standards/2026"
    listed = client.get("/recommendations?status=implemented").get_data(as_text=True)
    assert "1 of 8 recommendations" in listed
    # The item page: the version it shows names R-2026-S-04 (public) and an ID the register lacks.
    monkeypatch.setattr(
        browse_views.history,
        "versions",
        lambda catalogue, item_id: [replace(implementing, number=n) for n in (1, 2, 3, 4)],
    )
    item = client.get("/items/INT-0502").get_data(as_text=True)
    implements = item.split("Recommendations this version implements")[1]
    assert (
        'href="/recommendations/R-2026-S-04"' in implements and "R-2031-S-09 (not in the public register)" in implements
    )


def test_the_navigation_links_to_the_register(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/recommendations"' in html
