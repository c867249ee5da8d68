"""The rating method (indexer.content.rating): one case per rule, and the properties every rating
has whatever the records say."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from indexer.content import rating
from indexer.content.model import Citation
from indexer.content.sources import FINDINGS_FOR_TYPE, INDEPENDENCE, POPULATIONS, SourceRecord


def record(source_id: str, type_: str = "rct", direction: str = "positive", **extra) -> SourceRecord:
    return SourceRecord(
        id=source_id,
        citation=f"A {type_} called {source_id}",
        year=2020,
        type=type_,
        population=extra.pop("population", "send-specific"),
        country=extra.pop("country", "England"),
        finding={"direction": direction, "summary": "What it found."},
        independence=extra.pop("independence", "independent"),
        **extra,
    )


def rate(kind: str, *cited: tuple[SourceRecord, str]) -> rating.Rating:
    citations = [
        Citation(source=r.id, applies=applies, why=None if applies == "direct" else "Because.") for r, applies in cited
    ]
    return rating.rate(kind, rating.resolve(citations, {r.id: r for r, _ in cited}))


def test_strong_needs_two_direct_independent_positive_trials_one_in_the_uk():
    uk, us = record("uk"), record("us", country="US")
    assert rate("intervention", (uk, "direct"), (us, "direct")) == rating.Rating("strong", "positive", ("uk", "us"))
    assert rate("intervention", (record("a", country="US"), "direct"), (us, "direct")).strength == "moderate"
    assert rate("intervention", (uk, "direct"), (us, "indirect")).strength == "moderate"
    null = record("null", direction="none")
    assert rate("intervention", (uk, "direct"), (us, "direct"), (null, "direct")) == rating.Rating(
        "moderate", "mixed", ("uk", "us", "null")
    )


def test_moderate_needs_a_direct_independent_trial_whatever_it_found():
    assert rate("practice", (record("t", direction="none"), "direct")) == rating.Rating("moderate", "no-effect", ("t",))
    assert rate("practice", (record("t", independence="developer"), "direct")).strength == "emerging"
    # a SEND-specific review of a broader family of approaches is indirect: emerging, not moderate
    assert rate("practice", (record("r", "systematic-review"), "indirect")).strength == "emerging"


def test_guidance_counts_only_when_nothing_measured_the_approach_and_law_never_does():
    guideline, law = record("g", "guideline", "recommends"), record("law", "statute", "requires")
    assert rate("adjustment", (guideline, "indirect"), (law, "direct")) == rating.Rating("emerging", "recommended", ("g",))
    assert rate("adjustment", (law, "direct")) == rating.Rating("not-yet-rated", "required", ())
    study = record("s", "quasi-experimental", "mixed")
    assert rate("adjustment", (guideline, "direct"), (study, "indirect")) == rating.Rating("emerging", "mixed", ("s",))


def test_direct_evidence_speaks_first_for_what_it_shows():
    direct, broad = record("d", "quasi-experimental", "none"), record("b", "systematic-review", "positive")
    assert rate("intervention", (direct, "direct"), (broad, "indirect")).shows == "no-effect"


def test_a_study_that_did_not_report_and_a_background_source_count_for_nothing():
    stopped = record("stopped", direction="not-reported")
    assert rate("intervention", (stopped, "direct")) == rating.Rating("not-yet-rated", "not-rated", ())
    assert rate("intervention", (record("caution", direction="none"), "background")).strength == "not-yet-rated"


def test_tools_are_rated_on_their_accuracy_not_on_listings_or_intervention_trials():
    accuracy = record("acc", "accuracy-study", "positive")
    assert rate("identification-tool", (accuracy, "direct")) == rating.Rating("moderate", "positive", ("acc",))
    listing = record("list", "database-listing", "describes")
    assert rate("identification-tool", (listing, "direct")).strength == "not-yet-rated"
    assert rate("identification-tool", (record("trial"), "direct")).strength == "not-yet-rated"
    assert rate("intervention", (accuracy, "direct")).strength == "not-yet-rated"  # accuracy is not an effect


SOURCES = st.builds(
    lambda i, type_, data: record(
        f"s{i}",
        type_,
        data.draw(st.sampled_from(FINDINGS_FOR_TYPE[type_])),
        population=data.draw(st.sampled_from(POPULATIONS)),
        independence=data.draw(st.sampled_from(INDEPENDENCE)),
        country=data.draw(st.sampled_from(["England", "US", "not stated"])),
    ),
    st.integers(0, 10**6),
    st.sampled_from(sorted(FINDINGS_FOR_TYPE)),
    st.data(),
)


@given(
    st.sampled_from(["intervention", "practice", "adjustment", "package", "identification-tool"]),
    st.lists(st.tuples(SOURCES, st.sampled_from(["direct", "indirect", "background"])), max_size=6, unique_by=lambda c: c[0].id),
)
def test_every_rating_is_one_the_taxonomy_names_and_rests_only_on_counted_sources(kind, cited):
    given_rating = rate(kind, *cited)
    assert given_rating.strength in rating.STRENGTHS and given_rating.shows in rating.SHOWS
    counted = {r.id: applies for r, applies in cited if r.id in given_rating.counted}
    assert set(given_rating.counted) == set(counted)
    assert "background" not in counted.values()
    assert (given_rating.strength == "not-yet-rated") == (not given_rating.counted)
    if given_rating.strength in ("strong", "moderate"):
        assert all(applies == "direct" for applies in counted.values())
