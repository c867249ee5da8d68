"""The search function: modes, filters, facets, synonyms, spelling, snippets and bad input.
Runs on the tests' own small content tree with the deterministic stand-in embedder."""

from __future__ import annotations

import itertools
import json

import pytest
from click.testing import CliRunner

from indexer.bundle.embeddings import HashingEmbedder
from nis_library.app import create_app
from nis_library.cli import main
from nis_library.search import InvalidSearch, SearchService
from nis_library.search.request import MAX_QUERY_CHARS
from tests.support import ContentTree, build_hashing


@pytest.fixture
def service(tree: ContentTree, instance) -> SearchService:
    report = build_hashing(tree, instance)
    return SearchService(report.bundle, lambda name: HashingEmbedder())


def run(service, text="", mode="hybrid", **filters):
    return service.search(service.parse(text, filters, mode, 1, 50))


def ids(results):
    return [h.id for h in results.hits]


def test_keyword_search_finds_words_and_says_so(service):
    results = run(service, "dinner hall noise early", mode="keyword")
    assert ids(results)[0] == "ADJ-0001"
    hit = results.hits[0]
    assert hit.matched_by == ("words",) and set(hit.matched_words) >= {"dinner", "hall", "earli"}
    marked = {hit.snippet.text[a:b].lower() for a, b in hit.snippet.highlights}
    assert (
        marked and marked <= {"dinner", "hall", "noise", "early"} and hit.keyword_score > 0 and hit.similarity is None
    )


def test_semantic_search_matches_by_meaning(service):
    results = run(service, "visual timetable for the class routine", mode="semantic")
    assert ids(results)[0] == "PRA-0001"
    assert results.hits[0].matched_by == ("meaning",) and results.hits[0].similarity > 0


def test_hybrid_fuses_both_and_reports_why(service):
    results = run(service, "small group vocabulary sessions")
    assert ids(results)[0] == "INT-0001"
    assert results.hits[0].matched_by == ("words", "meaning")


def test_synonyms_and_abbreviations_expand_the_query(service, tree):
    results = run(service, "lunchtime")
    assert "dinner hall" in results.expanded_with and ids(results)[0] == "ADJ-0001"


def test_exact_words_search_only_the_words_typed(service):
    results = run(service, "lunchtime", mode="keyword")
    assert ids(results) == ["ADJ-0001"] and results.expanded_with == () and not results.messages
    assert results.hits[0].matched_words == ("lunchtim",)


def test_exact_words_widen_with_synonyms_only_when_they_match_nothing_and_say_so(service):
    results = run(service, "LSA", mode="keyword")  # no item has the word; 'teaching assistant' is a label
    assert results.total >= 1 and "teaching assistant" in results.expanded_with
    assert "No item uses the exact words you typed" in results.messages[0]


def test_filters_apply_in_every_mode(service):
    for mode in ("keyword", "semantic", "hybrid"):
        results = run(service, "test fixture", mode=mode, layer=["targeted"])
        assert results.hits, mode
        assert all("targeted" in h.layers for h in results.hits), mode
        results = run(service, "test fixture", mode=mode, kind=["package"])
        assert ids(results) == ["SPP-0001"], mode


def test_facet_counts_ignore_their_own_filter(service):
    unfiltered = run(service, "")
    layer_counts = {v.value: v.count for v in next(f for f in unfiltered.facets if f.name == "layer").values}
    assert layer_counts == {"universal": 3, "targeted": 3, "targeted-plus": 0, "specialist": 1}

    filtered = run(service, "", layer=["targeted"])
    assert filtered.total == 3
    layer = next(f for f in filtered.facets if f.name == "layer")
    assert {v.value: v.count for v in layer.values} == layer_counts  # widen as well as narrow
    assert [v.value for v in layer.values if v.selected] == ["targeted"]
    kinds = {v.value: v.count for v in next(f for f in filtered.facets if f.name == "kind").values}
    assert kinds == {"practice": 0, "intervention": 1, "identification-tool": 1, "adjustment": 1, "package": 0}


def test_values_within_a_facet_are_or_and_facets_are_and(service):
    assert run(service, "", kind=["practice", "package"]).total == 2
    assert run(service, "", kind=["practice", "package"], layer=["specialist"]).total == 1


def test_an_empty_query_browses_everything_universal_first(service):
    results = run(service, "")
    assert results.total == 5
    assert [h.layers[0] for h in results.hits][:3] == ["universal"] * 3


def test_a_misspelt_query_returns_the_corrected_results(service):
    for mode in ("keyword", "hybrid"):
        results = run(service, "vocabulery sesions", mode=mode)
        assert results.query == "vocabulary sessions" and results.corrected_from == "vocabulery sesions"
        assert ids(results)[0] == "INT-0001"
        assert ids(results) == ids(run(service, "vocabulary sessions", mode=mode))


def test_the_words_as_typed_when_asked(service):
    results = service.search(service.parse("vocabulery", mode="keyword", as_typed=True))
    assert results.query == "vocabulery" and results.corrected_from is None and results.as_typed
    assert results.total == 0 and results.did_you_mean == "vocabulary"


def test_the_original_is_kept_when_the_correction_matches_nothing(service):
    # 'routinee' is corrected to 'routine', which only items the filter leaves out have: the words
    # as typed are searched, and the correction offered
    results = run(service, "routinee", mode="keyword", kind=["package"])
    assert results.corrected_from is None and results.did_you_mean == "routine"
    assert results.query == "routinee" and results.total == 0


def test_the_count_is_the_matches_and_less_related_items_follow(service):
    results = run(service, "visual timetable for the class routine")
    matched = [h for h in results.hits if not h.related]
    related = [h for h in results.hits if h.related]
    assert len(matched) == results.total >= 1 and len(related) == results.related
    assert results.total < 5  # the fixture library has five items: not all of them match
    assert results.hits[: results.total] == matched  # matches first, then the less related
    assert ids(results)[0] == "PRA-0001"


@pytest.mark.parametrize(
    "text",
    [
        "AND OR (((",
        "*:*",
        '"unclosed quote',
        "title:visual",
        "id:PRA-0001",
        "NOT",
        "a" * 5000,
        "emoji 🙂🙃 and ünïcödé",
        "\x00\x01 control",
        "'; DROP TABLE items; --",
        "<script>alert(1)</script>",
        "漢字かな交じり文",
        "   ",
        "?" * 50,
        "visual~2 timetable^3",
    ],
)
def test_hostile_queries_never_raise(service, text):
    for mode in ("keyword", "semantic", "hybrid"):
        results = run(service, text, mode=mode)
        assert results.total >= 0
        for hit in results.hits:
            spans = hit.snippet.highlights
            assert all(0 <= a < b <= len(hit.snippet.text) for a, b in spans), (text, hit.snippet)
            assert all(b <= c for (_, b), (c, _) in itertools.pairwise(spans)), "highlights overlap or are out of order"


def test_a_huge_query_is_shortened_with_a_message(service):
    results = run(service, "timetable " * 200, mode="keyword")
    assert len(results.query) <= MAX_QUERY_CHARS
    assert results.messages and "shortened" in results.messages[0]


def test_a_snippet_is_text_that_each_reader_marks_its_own_way(service, tree, instance):
    """Results are data: the service gives the text as written (HTML in it is just text) and where
    the matched words are; the page escapes and marks it, the API sends both, the CLI prints text."""
    tree.replace("items/practice/PRA-0001.md", "Show the day's plan.", "Show the <b>day's</b> plan & routine.")
    report = build_hashing(tree, instance)
    fresh = SearchService(report.bundle, lambda name: HashingEmbedder())
    snippet = fresh.search(fresh.parse("routine plan", mode="keyword")).hits[0].snippet
    assert "<b>day's</b> plan & routine" in snippet.text
    assert {snippet.text[a:b] for a, b in snippet.highlights} >= {"plan", "routine"}

    client = create_app({"INSTANCE_DIR": str(instance), "TESTING": True}).test_client()
    page = client.get("/search?q=routine+plan&mode=keyword").get_data(as_text=True)
    assert "<b>day" not in page and "&lt;b&gt;day&#39;s&lt;/b&gt; <mark>plan</mark> &amp; <mark>routine</mark>" in page
    first = client.get("/api/v1/search?q=routine+plan&mode=keyword").get_json()["results"][0]
    assert first["snippet_text"] == snippet.text
    assert first["snippet_highlights"] == [list(span) for span in snippet.highlights]
    assert "&lt;b&gt;day&#39;s&lt;/b&gt; <mark>plan</mark> &amp; <mark>routine</mark>" in first["snippet"]
    printed = CliRunner().invoke(main, ["search", "routine plan", "--mode", "keyword", "--instance", str(instance)])
    assert printed.exit_code == 0 and "<b>day's</b> plan & routine" in printed.output and "<mark>" not in printed.output


@pytest.mark.parametrize(
    "filters, parameter, fragment",
    [
        ({"layer": ["tier-2"]}, "layer", "Valid values: universal, targeted, targeted-plus, specialist."),
        ({"colour": ["red"]}, "colour", "Unknown filter 'colour'. Filters are: area, subcomponent, layer"),
        ({"area": ["sensory-development"]}, "area", "Unknown area of development 'sensory-development'"),
    ],
)
def test_unknown_filters_are_rejected_with_the_valid_ones(service, filters, parameter, fragment):
    with pytest.raises(InvalidSearch) as invalid:
        service.parse("x", filters)
    assert invalid.value.parameter == parameter and fragment in invalid.value.message


@pytest.mark.parametrize(
    "mode, page, per_page, parameter",
    [
        ("fuzzy", 1, 10, "mode"),
        ("hybrid", 0, 10, "page"),
        ("hybrid", -1, 10, "page"),
        ("hybrid", 10**9, 10, "page"),
        ("hybrid", "two", 10, "page"),
        ("hybrid", 1, 0, "per_page"),
        ("hybrid", 1, 1000, "per_page"),
    ],
)
def test_bad_mode_and_paging_are_rejected(service, mode, page, per_page, parameter):
    with pytest.raises(InvalidSearch) as invalid:
        service.parse("x", None, mode, page, per_page)
    assert invalid.value.parameter == parameter


def test_a_page_past_the_end_is_empty_with_a_message(service):
    results = service.search(service.parse("", None, "hybrid", 3, 2))
    assert results.hits and results.pages == 3
    results = service.search(service.parse("", None, "hybrid", 9, 2))
    assert results.hits == [] and "results end on page 3" in results.messages[0]


def test_search_command_json_and_errors(tree, instance):
    build_hashing(tree, instance)
    runner = CliRunner()
    result = runner.invoke(main, ["search", "dinner hall", "--instance", str(instance), "--json", "--mode", "keyword"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["hits"][0]["id"] == "ADJ-0001" and data["total"] >= 1 and "facets" in data
    text = runner.invoke(main, ["search", "dinner hall", "--instance", str(instance), "--kind", "adjustment"]).output
    assert "1. Test adjustment - early access to the dinner hall  [ADJ-0001]" in text
    assert text.startswith("Sample content: illustrative, not the official National Inclusion Standards.")
    assert data["hits"][0]["sample"] is True
    bad = runner.invoke(main, ["search", "x", "--instance", str(instance), "--layer", "tier-2"])
    assert bad.exit_code == 2 and "Valid values: universal" in bad.output


def test_the_model_reads_a_bounded_number_of_query_tokens(service):
    from nis_library.search.bundle_search import MAX_QUERY_TOKENS

    seen = []

    class Recording(HashingEmbedder):
        def shorten(self, text, max_tokens):  # a word a token, for the stand-in
            return " ".join(text.split()[:max_tokens])

        def embed(self, texts):
            seen.extend(texts)
            return super().embed(texts)

    recording = SearchService(service.bundle_dir, lambda name: Recording())
    recording.search(recording.parse(" ".join(f"w{i}" for i in range(70)), mode="semantic"))  # 70 words, 269 chars
    assert len(seen) == 1 and len(seen[0].split()) == MAX_QUERY_TOKENS


def test_every_embedder_a_bundle_names_is_found_again_by_the_service():
    from indexer.bundle.embeddings import EMBEDDERS
    from nis_library.search.bundle_search import _EMBEDDER_KEYS

    assert {cls.name: key for key, cls in EMBEDDERS.items()} == _EMBEDDER_KEYS


def test_the_service_looks_for_the_models_in_its_bundles_instance(tree: ContentTree, instance, monkeypatch):
    from nis_library.search import bundle_search as service_module

    asked = []
    monkeypatch.setattr(service_module, "shared_embedder", lambda *args: asked.append(args) or HashingEmbedder())
    SearchService(build_hashing(tree, instance).bundle).embedder()
    assert asked == [("hashing", instance / "models")]


def test_search_command_sorts_by_evidence_or_cost(tree, instance):
    build_hashing(tree, instance)
    runner = CliRunner()

    def evidence_and_cost(*options):
        result = runner.invoke(main, ["search", "--instance", str(instance), "--json", *options])
        assert result.exit_code == 0, result.output
        return [(hit["evidence"], hit["cost"]) for hit in json.loads(result.stdout)["hits"]]

    strengths = [t.id for t in tree.load().taxonomy.evidence_strengths]
    costs = [t.id for t in tree.load().taxonomy.cost_bands]
    by_evidence = [strengths.index(e) for e, _ in evidence_and_cost("--sort", "evidence")]
    by_cost = [costs.index(c) for _, c in evidence_and_cost("--sort", "cost")]
    assert by_evidence == sorted(by_evidence) and by_cost == sorted(by_cost)
    assert sorted(evidence_and_cost()) == sorted(evidence_and_cost("--sort", "cost"))  # the same items
    bad = runner.invoke(main, ["search", "x", "--instance", str(instance), "--sort", "price"])
    assert bad.exit_code == 2 and "relevance" in bad.output
