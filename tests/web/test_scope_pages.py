"""What the library does not cover, on the pages: the notice a search shows above its results
(`search/_scope_notice.html`), the glossary's section and the home page's link to it."""

from __future__ import annotations

import html as entities
import re
from pathlib import Path

import pytest
from flask import render_template
from markupsafe import escape

from indexer.bundle.analysis import make_analyzer
from indexer.record.loading import load_library
from nis_library import create_app
from nis_library.search.scope import ScopeMatcher
from tests.support import REPO, sign_in

SCOPE = load_library(REPO / "content").scope


@pytest.fixture(scope="module")
def app(shipped_instance: Path):
    return create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def notice(app, topics, path: str = "/search?q=x") -> str:
    with app.test_request_context(path):
        return render_template("search/_scope_notice.html", topics=topics)


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", entities.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# -- the notice ------------------------------------------------------------------------------------


def test_the_notice_says_what_is_not_covered_why_and_where_to_go(app):
    topics = ScopeMatcher(SCOPE, make_analyzer()).topics_for("my daughter has diabetes: can school give insulin?")
    assert [t.id for t in topics] == ["medical-conditions"]
    markup = notice(app, topics)
    words = text_of(markup)
    topic = topics[0]
    assert words.startswith("Not covered by this library The library does not cover managing medical conditions")
    assert f"The library does not cover {topic.title}. {' '.join(topic.about.split())} For this, go to:" in words
    for place in topic.go_to:
        link = f'<a class="govuk-notification-banner__link" href="{place.url}">{escape(place.name)}</a>'
        assert f"{link}: {escape(place.for_)}" in markup
    assert 'href="/glossary#scope">What the library covers, and what it does not</a>' in markup
    assert 'role="region" aria-labelledby="scope-notice-title"' in markup


def test_each_topic_a_query_names_has_its_own_heading_in_the_file_s_order(app):
    topics = ScopeMatcher(SCOPE, make_analyzer()).topics_for("DLA and school transport")
    markup = notice(app, topics)
    headings = re.findall(r'<h3 class="govuk-notification-banner__heading" id="scope-notice-([a-z-]+)">', markup)
    assert headings == ["school-transport", "benefits-and-money"]
    assert markup.count('id="scope-notice-title"') == 1


def test_no_topics_no_notice(app):
    assert notice(app, ()).strip() == ""


def test_the_notice_is_plain_html_with_no_script_or_style(app):
    markup = notice(app, SCOPE.topics)
    assert "<script" not in markup and "style=" not in markup and "<form" not in markup


def test_the_notice_escapes_what_it_shows(app):
    """Plain text is all the scope file allows; should anything else reach the partial, it is
    shown as text, never as markup."""
    topic = SCOPE.topics[0].model_copy(update={"about": "A <b>bold</b> & risky claim."})
    markup = notice(app, [topic])
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; risky claim." in markup


def test_in_the_preview_the_notice_links_to_the_preview_s_glossary(shipped_with_preview: Path):
    preview = create_app({"INSTANCE_DIR": str(shipped_with_preview), "TESTING": True, "PREVIEW": True})
    markup = notice(preview, SCOPE.topics[:1], path="/preview/search?q=x")
    assert 'href="/preview/glossary#scope"' in markup


# -- the glossary and the home page ---------------------------------------------------------------


def test_the_glossary_says_what_the_library_covers_and_every_topic_it_does_not(client):
    glossary = page(client, "/glossary")
    assert '<a class="govuk-link" href="#scope">What the library covers, and what it does not</a>' in glossary
    section = glossary.split('<section aria-labelledby="scope">', 1)[1].split("</section>", 1)[0]
    assert '<h2 class="govuk-heading-l app-glossary-heading" id="scope">' in section
    assert " ".join(SCOPE.covers.split()) in text_of(section)
    headings = re.findall(r'<h3 class="govuk-heading-m" id="scope-([a-z-]+)">([^<]+)</h3>', section)
    assert [topic_id for topic_id, _ in headings] == [t.id for t in SCOPE.topics]
    assert dict(headings)["medical-conditions"] == "Managing medical conditions and medicines"
    assert dict(headings)["ehc-assessments-and-appeals"] == "EHC needs assessments, EHC plans and appeals"
    for topic in SCOPE.topics:
        for place in topic.go_to:
            link = f'<a class="govuk-link" href="{place.url}">{escape(place.name)}</a>'
            assert f"{link}: {escape(place.for_)}" in section


def test_the_home_page_says_what_the_library_covers_and_links_to_what_it_does_not(client):
    home = page(client, "/")
    assert '<h2 class="govuk-heading-m">What the library covers</h2>' in home
    assert " ".join(SCOPE.covers.split()) in text_of(home)
    assert (
        '<a class="govuk-link" href="/glossary#scope">see what the library does not cover, and where to go instead</a>'
        in home
    )
    assert 'id="scope"' in page(client, "/glossary")  # the link's target exists


def test_the_preview_s_home_page_links_to_the_preview_s_glossary(shipped_with_preview: Path):
    app = create_app({"INSTANCE_DIR": str(shipped_with_preview), "TESTING": True, "PREVIEW": True})
    client = app.test_client()
    sign_in(app, client)
    assert 'href="/preview/glossary#scope"' in page(client, "/preview/")


def test_a_bundle_without_a_scope_has_neither_the_section_nor_the_link(tree, instance):
    from tests.support import build_hashing

    build_hashing(tree, instance)
    client = create_app({"INSTANCE_DIR": str(instance), "TESTING": True}).test_client()
    assert 'id="scope"' not in page(client, "/glossary")
    assert "#scope" not in page(client, "/")
