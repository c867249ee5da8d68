"""The search-quality measures the evaluation script reports: hit@k, the per-query summary, types."""

from __future__ import annotations

from nis_library.search.quality import JudgedQuery, QueryOutcome, hit_at_k, load_judgements, summarise


def judged(relevant, kind="teacher"):
    return JudgedQuery("q", "sensory", "practice", relevant, kind)


def test_hit_at_k_counts_a_relevant_item_within_the_first_k():
    assert hit_at_k(["A", "B", "C"], {"B": 2}, 1) == 0.0
    assert hit_at_k(["A", "B", "C"], {"B": 2}, 3) == 1.0
    assert hit_at_k([], {"B": 2}, 3) == 0.0


def test_summary_averages_hits_and_takes_the_median_count():
    outcomes = [
        QueryOutcome(judged({"A": 2}), ("A", "B"), 10),
        QueryOutcome(judged({"A": 2}), ("B", "C", "A"), 30),
        QueryOutcome(judged({"A": 2}), ("B", "C", "D", "A"), 50),
        QueryOutcome(judged({"A": 2}), ("A",), 100),
    ]
    scores = summarise(outcomes)
    assert scores.hit1 == 0.5 and scores.hit3 == 0.75 and scores.median_count == 40
    assert scores.mrr == round((1 + 1 / 3 + 1 / 4 + 1) / 4, 4)


def test_a_query_without_a_type_is_a_teachers(tmp_path):
    path = tmp_path / "judged.yaml"
    path.write_text("- {query: a, relevant: {X: 2}}\n- {query: b, type: parent, relevant: {Y: 1}}\n", encoding="utf-8")
    assert [q.type for q in load_judgements(path)] == ["teacher", "parent"]
