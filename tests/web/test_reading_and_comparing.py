"""Issue 14 without a browser: results to compare (time, cost, evidence; sort; a shortlist in the
address), item pages in the order people act (facts first, the citation naming its current edition,
a printable summary, a family view), the glossary every tag and filter links to, dates in words,
item codes as links, and readable version pages."""

from __future__ import annotations

import html as entities
import re
from pathlib import Path

import pytest
from markupsafe import Markup

from indexer.record.diffs import Span
from nis_library import create_app
from nis_library.browse.shortlist import MAX_ITEMS, InvalidShortlist, parse_shortlist
from nis_library.history.field_words import field_words
from nis_library.search.request import SORTS
from nis_library.search.view_model import SORT_LABELS
from nis_library.web.text import lead_sentence, link_item_codes, long_date
from tests.support import REPO, sign_in

ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


@pytest.fixture(scope="module")
def client(shipped_instance: Path):
    return create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def preview_client(shipped_with_preview: Path):
    """The preview is behind sign-in (any role)."""
    app = create_app({"INSTANCE_DIR": str(shipped_with_preview), "TESTING": True, "PREVIEW": True})
    client = app.test_client()
    sign_in(app, client)
    return client


def error_text(response) -> str:
    return entities.unescape(response.get_data(as_text=True))


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def visible_text(page: str) -> str:
    """The page's words, without tags or attribute values (where addresses may hold ISO dates)."""
    body = page.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def result_ids(page: str) -> list[str]:
    """Every result's ID in page order: the matches (h3), then any less closely related (h4)."""
    return re.findall(
        r'<li class="app-result">\s*<h[34][^>]*>\s*<a class="govuk-link" href="/items/([A-Z]+-\d+)"', page
    )


# -- results to compare ---------------------------------------------------------------------------


def test_each_result_shows_time_cost_and_evidence(client):
    page = html(client.get("/search?q=noise"))
    facts = re.findall(r'<dl class="app-result__facts">(.*?)</dl>', page, re.DOTALL)
    assert len(facts) == len(result_ids(page)) > 0
    for fact in facts:
        assert [re.sub(r"\s+", " ", d) for d in re.findall(r"<dt>(.*?)</dt>", fact)] == ["Time", "Cost", "Evidence"]
        assert all(d.strip() for d in re.findall(r"<dd>(.*?)</dd>", fact, re.DOTALL))


@pytest.mark.parametrize(("sort", "vocabulary"), [("evidence", "evidence_strengths"), ("cost", "cost_bands")])
def test_sorting_orders_every_page_by_the_value_then_the_ranking(client, shipped_instance, sort, vocabulary):
    order = re.findall(r"^  - id: (\S+)", _section(vocabulary), re.MULTILINE)
    ids = result_ids(html(client.get(f"/search?sort={sort}"))) + result_ids(
        html(client.get(f"/search?sort={sort}&page=2"))
    )
    values = [_value_of(client, item_id, sort) for item_id in ids]
    places = [order.index(v) for v in values]
    assert places == sorted(places) and len(set(places)) > 1
    every = create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True, "RESULTS_PER_PAGE": 100}).test_client()
    relevance = result_ids(html(every.get("/search?q=noise")))
    by_sort = result_ids(html(every.get(f"/search?q=noise&sort={sort}")))
    assert sorted(relevance) == sorted(by_sort) and relevance != by_sort  # the same results, another order


def _section(vocabulary: str) -> str:
    text = (REPO / "content" / "taxonomy.yaml").read_text(encoding="utf-8")
    return text.split(f"\n{vocabulary}:\n", 1)[1].split("\n\n", 1)[0]


_VALUES: dict[tuple[str, str], str] = {}


def _value_of(client, item_id: str, sort: str) -> str:
    if (item_id, sort) not in _VALUES:
        page = html(client.get(f"/items/{item_id}"))
        anchor = "evidence_strengths" if sort == "evidence" else "cost_bands"
        _VALUES[(item_id, sort)] = re.search(rf'href="/glossary#{anchor}-([a-z-]+)"', page).group(1)
    return _VALUES[(item_id, sort)]


def test_sort_is_a_validated_parameter_kept_in_every_link(client):
    bad = client.get("/search?q=noise&sort=price")
    assert bad.status_code == 400 and "Unknown sort order 'price'" in error_text(bad)
    assert client.get("/search?sort=cost&sort=cost").status_code == 400  # given once
    page = html(client.get("/search?sort=cost"))
    assert re.search(r'<option value="cost" selected>', page)
    assert 'href="/search?sort=cost&amp;page=2"' in page  # pagination keeps the order
    assert tuple(SORT_LABELS) == SORTS


def test_a_shortlist_is_kept_in_the_address_of_the_search(client):
    page = html(client.get("/search?q=noise"))
    first = result_ids(page)[0]
    add = re.search(r'<a class="govuk-link app-shortlist-toggle" href="([^"]+)">Add to shortlist', page).group(1)
    assert add == f"/search?q=noise&amp;shortlist={first}"
    with_one = html(client.get(add.replace("&amp;", "&")))
    assert f'<input type="hidden" name="shortlist" value="{first}">' in with_one  # typing keeps it
    assert "Remove from shortlist" in with_one and "Your shortlist (1)" in with_one
    assert client.get("/search?shortlist=nonsense").status_code == 400


def test_the_shortlist_page_lists_compares_and_removes(client):
    page = html(client.get("/shortlist?items=INT-0501,PRA-0101"))
    assert result_titles(page) == ["INT-0501", "PRA-0101"]
    assert page.count('<dl class="app-result__facts">') == 2
    assert 'href="/shortlist?items=PRA-0101">Remove from shortlist' in page
    assert 'href="/search?shortlist=INT-0501%2CPRA-0101"' in page
    assert "Your shortlist is empty" in html(client.get("/shortlist"))


def result_titles(page: str) -> list[str]:
    return re.findall(r'<span class="govuk-body-s">\(([A-Z]+-\d+)\)</span>', page)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("items=INT-0501,nonsense", "'nonsense' is not an item ID"),
        ("items=ZZZ-9999", "The library has no item ZZZ-9999"),
        ("items=" + ",".join(f"INT-{n:04d}" for n in range(1, MAX_ITEMS + 2)), f"at most {MAX_ITEMS} items"),
        ("items=INT-0501&items=PRA-0101", "one parameter, 'items'"),
        ("list=INT-0501", "one parameter, 'items'"),
    ],
)
def test_a_bad_shortlist_is_a_clear_400(client, query, message):
    response = client.get(f"/shortlist?{query}")
    assert response.status_code == 400 and message in error_text(response)


def test_parse_shortlist_drops_repeats_and_spaces():
    assert parse_shortlist(" INT-0501 ,PRA-0101,INT-0501") == ("INT-0501", "PRA-0101")
    assert parse_shortlist("") == ()
    with pytest.raises(InvalidShortlist):
        parse_shortlist("INT-0501,,PRA-0101")


# -- item pages -----------------------------------------------------------------------------------


def test_the_item_page_puts_summary_facts_and_leads_to_before_the_long_text(client):
    page = html(client.get("/items/IDT-0001"))
    order = [
        page.index("<h1"),
        page.index('class="govuk-body-l app-item-summary"'),
        page.index('id="at-a-glance"'),
        page.index("What this tool leads to"),
        page.index('id="what-it-is"'),
    ]
    assert order == sorted(order)
    glance = page.split('id="at-a-glance"', 1)[1].split("</dl>", 1)[0]
    assert re.findall(r"<dt>(.*?)</dt>", glance) == [
        "Who delivers it",
        "Time",
        "Training",
        "Cost",
        "Evidence",
        "Layer of support",
    ]


def test_the_evidence_fact_says_what_the_evidence_shows(client):
    glance = html(client.get("/items/ADJ-0001")).split('id="at-a-glance"', 1)[1].split("</dl>", 1)[0]
    assert 'Emerging</a>: <a class="govuk-link" href="/evidence#shows-recommended">recommended in guidance' in glance


def test_a_version_from_before_the_register_keeps_the_capitals_of_its_population(client):
    glance = html(client.get("/items/ADJ-0001/v/2"))
    assert "From children and young people with SEND" in glance


def test_sample_is_said_once_per_item(client):
    main = html(client.get("/items/INT-0501")).split("<main", 1)[1]
    assert main.count(">Sample<") == 1


def test_the_citation_names_the_edition_the_version_belongs_to_now(client):
    """NELI's version 1 was published in standards 2026 and carried unchanged into 2026.1: its
    citation names 2026.1 (it named the edition that first published it)."""
    page = html(client.get("/items/INT-0501/v/1"))
    citation = re.search(r'<p class="govuk-body-s" id="citation-text">(.*?)</p>', page, re.DOTALL).group(1)
    assert "(INT-0501, version 1, standards 2026.1; first published 1 October 2026)" in citation
    assert "This version is in editions 2026, 2026.1 of the standards." in page
    assert 'data-copy="citation-text" hidden' in page  # the copy button waits for its script
    changed = html(client.get("/items/INT-0501"))  # version 3 is new in 2026.3
    assert "version 3, standards 2026.3;" in changed and "first published in" not in changed
    old = html(client.get("/items/INT-0502/v/1"))
    assert "version 1, standards 2026;" in old  # superseded in 2026.1: it belongs to 2026 only


def test_the_printable_summary_has_the_facts_and_the_permanent_link(client):
    page = html(client.get("/items/INT-0501/print"))
    assert "Summary for a support plan meeting" in page and 'id="at-a-glance"' not in page
    assert "<dt>Who delivers it</dt>" in page and "<dt>Layer of support</dt>" in page
    assert "http://localhost/items/INT-0501/v/3" in page
    assert "data-print hidden" in page
    assert client.get("/items/ZZZ-9999/print").status_code == 404
    assert 'href="/items/INT-0501/print"' in html(client.get("/items/INT-0501"))


def test_the_family_view_is_kept_in_the_address(client):
    staff = html(client.get("/items/INT-0501"))
    assert 'href="/items/INT-0501?view=family">Show the family view</a>' in staff
    family = html(client.get("/items/INT-0501?view=family"))
    assert "Set-Cookie" not in str(client.get("/items/INT-0501?view=family").headers)
    box = family.split('id="for-families"', 1)[1].split("</div>", 1)[0]
    assert "Reception year who find talking and understanding words harder" in box
    assert family.index('id="for-families"') < family.index('id="at-a-glance"')
    assert 'href="/items/INT-0501">Show the page for staff</a>' in family
    for bad in ("view=staff", "view=family&view=family"):
        response = client.get(f"/items/INT-0501?{bad}")
        assert response.status_code == 400 and "'view' may only be 'family'" in error_text(response)


def test_the_family_view_shows_the_family_summary_first(preview_client):
    family = html(preview_client.get("/preview/items/INT-0501?view=family"))
    box = family.split('id="for-families"', 1)[1].split("</div>", 1)[0]
    assert "Reception year who find talking and understanding words harder" in box
    assert family.index('id="for-families"') < family.index('id="at-a-glance"')
    staff = html(preview_client.get("/preview/items/INT-0501"))
    assert "a summary in plain language for parents and carers" in staff


def test_item_codes_in_text_become_links_with_the_title(client):
    page = html(client.get("/items/INT-0501"))
    assert re.search(r'\(see <a class="govuk-link" href="/items/PRA-0503">PRA-0503: [^<]+</a>\)', page)
    assert 'href="/items/INT-0501">INT-0501:' not in page  # not the page's own item


def test_link_item_codes_leaves_tags_links_and_unknown_codes_alone():
    titles = {"INT-0001": "A <b>title</b>", "PRA-0002": "Another"}
    html_in = '<p id="INT-0001">See INT-0001, <a href="/x">PRA-0002</a> and ZZZ-0009.</p>'
    out = str(link_item_codes(Markup(html_in), titles, lambda i: f"/items/{i}"))
    assert out == (
        '<p id="INT-0001">See <a class="govuk-link" href="/items/INT-0001">INT-0001: A &lt;b&gt;title&lt;/b&gt;</a>, '
        '<a href="/x">PRA-0002</a> and ZZZ-0009.</p>'
    )
    assert str(link_item_codes("5 < 6, see PRA-0002", titles, lambda i: i)).startswith("5 &lt; 6, see <a")


def test_dates_are_written_in_words():
    assert long_date("2026-10-01") == "1 October 2026"
    assert long_date("2031-09-01T00:00:00") == "1 September 2031"
    assert long_date(None) == "" and long_date("not a date") == "not a date"


@pytest.mark.parametrize(
    "path",
    [
        "/items/INT-0501",
        "/items/INT-0502/history",
        "/items/INT-0502/diff?from=1&to=2",
        "/items/INT-0502/v/1",
        "/editions",
        "/editions/standards/2026.1",
        "/reviews",
    ],
)
def test_no_page_shows_a_date_as_yyyy_mm_dd(client, path):
    assert ISO_DATE.findall(visible_text(html(client.get(path)))) == []


# -- the glossary ---------------------------------------------------------------------------------


def test_the_glossary_explains_every_term_from_the_content(client):
    page = html(client.get("/glossary"))
    taxonomy = (REPO / "content" / "taxonomy.yaml").read_text(encoding="utf-8")
    for vocabulary in ("areas", "layers", "evidence_strengths", "kinds"):
        assert f'id="{vocabulary}"' in page
        for term_id in re.findall(r"^  - id: (\S+)", _section(vocabulary), re.MULTILINE):
            assert f'id="{vocabulary}-{term_id}"' in page
    assert "Targeted Plus" in page and "Several well-designed studies" in page
    synonyms = (REPO / "content" / "synonyms.yaml").read_text(encoding="utf-8")
    shorts = re.findall(r"\{short: (\w+), means:", synonyms)
    assert len(shorts) >= 20 and all(f'id="abbreviations-{s.lower()}"' in page for s in shorts)
    assert '<dt id="abbreviations-salt">SaLT</dt>' in page
    assert taxonomy  # read from the content, not the page's own text


def test_every_filter_heading_links_to_a_glossary_entry_that_exists_and_tags_are_labels(client):
    glossary = html(client.get("/glossary"))
    anchors = set(re.findall(r'id="([^"]+)"', glossary))
    for path in ("/search?q=noise", "/items/INT-0501", "/areas/sensory"):
        page = html(client.get(path))
        targets = re.findall(r'href="/glossary#([^"]+)"', page)
        assert set(targets) <= anchors, set(targets) - anchors
        assert targets or path == "/areas/sensory", path  # an area page's tags are labels, explained by one link
    search = html(client.get("/search?q=noise"))
    for name in ("areas", "layers", "phases", "kinds", "settings", "evidence_strengths", "cost_bands", "match"):
        assert f'href="/glossary#{name}"' in search
    tags = re.findall(r'<strong class="govuk-tag[^"]*app-tag">', search)
    assert len(tags) >= 3 * len(result_ids(search)) and '<a class="govuk-tag' not in search
    for path in ("/search?q=noise", "/areas/sensory", "/shortlist?items=INT-0501,PRA-0101"):
        assert 'href="/glossary">What the labels on each item mean</a>' in html(client.get(path)), path


# -- version pages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("evidence.sources[4].citation", "Evidence source 4: citation"),
        ("evidence.population", "Evidence: who it was studied with"),
        ("intensity.weeks", "Time: weeks"),
        ("delivered_by", "Who delivers it"),
        ("resources.staffing", "Resources: staffing"),
        ("some_new_field", "Some new field"),
    ],
)
def test_field_names_in_words(path, words):
    assert field_words(path) == words


def test_removed_and_added_words_do_not_run_together(client):
    from flask import render_template_string

    app = create_app({"INSTANCE_DIR": "unused", "TESTING": True})
    template = '{% from "history/_diff_macros.html" import marked %}{{ marked(spans) }}'
    spans = [Span("equal", "the "), Span("delete", "cat"), Span("insert", "dog"), Span("equal", " sat")]
    with app.test_request_context():
        out = render_template_string(template, spans=spans)
    assert out == "the <del>cat</del> <ins>dog</ins> sat"


def test_editions_are_grouped_by_publication_latest_first_current_marked(client):
    page = html(client.get("/editions"))
    groups = dict(
        re.findall(r'<h2 class="govuk-heading-l">([^<]+)</h2>(.*?)(?=<h2 class="govuk-heading-l">|</main>)', page, re.S)
    )
    # Latest edition first: both 2026.3 editions were published on 7 December 2026.
    assert list(groups) == ["National Inclusion Standards", "Specialist Provision Packages"]
    for title, publication in (
        ("Specialist Provision Packages", "Packages"),
        ("National Inclusion Standards", "Standards"),
    ):
        editions = re.findall(rf">{publication} (\d{{4}}(?:\.\d+)?)</a>", groups[title])
        assert editions == ["2026.3", "2026.2", "2026.1", "2026"]  # newest first, one publication only
        current = re.findall(
            r">(\S+ \S+)</a>\s*<strong class=\"govuk-tag govuk-tag--green\">Current edition", groups[title]
        )
        assert current == [f"{publication} 2026.3"]


def test_release_notes_are_markdown_sanitised(client):
    page = html(client.get("/editions/standards/2026.1"))
    notes = page.split("Release notes</h2>", 1)[1].split("<h2", 1)[0]
    assert notes.count('<p class="govuk-body">') >= 2  # paragraphs, not one run of text


def test_lead_sentence_splits_at_the_first_sentence_end():
    assert lead_sentence("Daily for six weeks. Then reviewed, e.g. at the end of term.") == (
        "Daily for six weeks.",
        "Then reviewed, e.g. at the end of term.",
    )
    assert lead_sentence("One sentence only, e.g. this one.") == ("One sentence only, e.g. this one.", "")
    assert lead_sentence(None) == ("", "")


def test_a_long_list_of_roles_shows_three_and_opens_the_rest_but_prints_whole(client):
    glance = html(client.get("/items/SPP-0002")).split('class="app-glance"', 1)[1].split("</dl>", 1)[0]
    who = glance.split("<dt>Time</dt>", 1)[0]
    shown, rest = who.split("<details", 1)
    assert "Teacher or lecturer, Teaching assistant, Early years practitioner" in shown
    assert "Physiotherapist" not in shown and "Physiotherapist" in rest
    assert 'and 6 more<span class="govuk-visually-hidden"> who deliver it</span>' in rest
    short = html(client.get("/items/INT-0501")).split('class="app-glance"', 1)[1].split("<dt>Time</dt>", 1)[0]
    assert "<details" not in short  # four roles or fewer: all of them
    printed = html(client.get("/items/SPP-0002/print")).split('class="app-glance"', 1)[1].split("<dt>Time</dt>", 1)[0]
    assert "<details" not in printed and "Physiotherapist" in printed and "Parent or carer" in printed


def test_time_and_training_show_their_first_sentence_and_open_the_rest(client):
    page = html(client.get("/items/SPP-0001"))
    glance = page.split('class="app-glance"', 1)[1].split("</dl>", 1)[0]
    assert "Full time, across the whole day, every day the setting is open." in glance
    assert '<span class="govuk-details__summary-text">More about the time</span>' in glance
    printed = html(client.get("/items/SPP-0001/print"))
    assert "More about the time" not in printed  # on paper the whole text, no <details>
    assert "Speech and language therapy is part of the timetable" in printed.replace("\n", " ")


@pytest.mark.parametrize("item_id", ["INT-0501", "IDT-0001", "PRA-0101", "ADJ-0001", "SPP-0002"])
def test_on_this_page_lists_every_section_and_each_link_lands_on_it(client, item_id):
    """Issue 24: a long item page has GOV.UK's contents list; every entry goes to a heading on the
    page, and every section heading of the long text has an entry."""
    page = html(client.get(f"/items/{item_id}"))
    contents = page.split('id="on-this-page"', 1)[1].split("</nav>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', contents)
    headings = re.findall(r'<h2 class="govuk-heading-l" id="([^"]+)"', page)
    assert targets and targets == [h for h in headings if h in targets]  # in the page's order
    assert set(headings) <= set(targets), set(headings) - set(targets)
